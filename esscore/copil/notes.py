"""The speaker notes' sentences: the pages' automatic French sentences (``esscore.phrases``), fed with the
deck's own figures (``DonneesCopil``), so that the presenter reads what the Panorama and Comparaisons pages say.

Plain text, no drawing: ``diapos`` puts these sentences, then the slide's sources, in each slide's notes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from esscore import comparaison, labels, phrases
from esscore.copil.donnees import DonneesCopil, rang_parmi_pairs
from esscore.indicators import COMPLET, INDICATEURS

INDICATEUR_SYNTHESE = "employeurs_pour_1000_hab"  # the Panorama's « En bref » indicator
CONTEXTE_SUGGERES = "territoires comparables"
CONTEXTE_CHOISIS = "territoires comparés"
COUVERTS = " couverts par l'extrait Sirene"  # a partial extract: ranks among the territories it covers wholly


def contexte(d: DonneesCopil) -> str:
    """How the ranking set is named: the suggested peers are « comparables », chosen ones « comparés »; with a
    partial extract, « … couverts par l'extrait Sirene » (``donnees.rang_parmi_pairs`` ranks those only)."""
    return (CONTEXTE_CHOISIS if d.pairs_choisis else CONTEXTE_SUGGERES) + (COUVERTS if d.partiel else "")


def _parents(d: DonneesCopil) -> pd.DataFrame:
    """The parents to compare with, as on the Panorama: never the territory itself (a DROM's région), and never a
    parent a partial extract covers only in part (its figures would be a fraction of its ESS)."""
    refs = comparaison.references_distinctes(d.comparaison)
    return refs[[d.etat(i) == COMPLET for i in refs["id"]]] if len(refs) else refs


def _references(d: DonneesCopil, col: str) -> list[tuple[str, Any]]:
    return [(r["type"], r[col]) for _, r in _parents(d).iterrows() if r["type"] in ("region", "france")]


def position(d: DonneesCopil, col: str) -> str:
    """« Avec 4,5 établissements employeurs…, la CA du Niortais se situe au-dessus de la moyenne régionale… et se
    classe au 2e rang des 9 territoires comparables. » (``phrases.phrase_position``)."""
    terr, moi = d.territoire, d.comparaison.iloc[0]
    rang = rang_parmi_pairs(d, col) if len(d.pairs) else None
    return phrases.phrase_position(col, terr.type, terr.nom, terr.code, moi[col], _references(d, col), rang,
                                   contexte(d))  # fmt: skip


def rang_national(d: DonneesCopil, col: str) -> str:
    """« Parmi les 1 254 EPCI de France, la CA du Niortais est au 45e rang pour… » (empty for France)."""
    terr = d.territoire
    rang = d.rangs_nationaux.get(col)
    # a partial extract: ranked among the territories it covers wholly (donnees.rangs_nationaux), not all of France
    valeur = d.comparaison.iloc[0][col]
    return phrases.phrase_rang_national(col, terr.type, terr.nom, terr.code, rang, valeur,
                                        phrases.ensemble_classe(d.partiel))  # fmt: skip


def emploi(d: DonneesCopil) -> str:
    """« L'ESS représente 21,7 % de l'emploi salarié privé de la CA du Niortais…, contre… »."""
    terr, moi = d.territoire, d.comparaison.iloc[0]
    refs = [(r["type"], r["nom"], r["code"], r["part_emploi_prive"]) for _, r in _parents(d).iterrows()
            if r["type"] in ("region", "france")]  # fmt: skip
    part, salaries = moi["part_emploi_prive"], moi["salaries_estimes"]
    return phrases.phrase_emploi(terr.type, terr.nom, terr.code, part, salaries, refs)


def familles(d: DonneesCopil) -> str:
    terr = d.territoire
    par_famille = list(zip(d.familles["famille"], d.familles["etablissements_employeurs"], strict=True))
    return phrases.phrase_familles(terr.type, terr.nom, terr.code, par_famille)


def concentration(d: DonneesCopil) -> str:
    terr = d.territoire
    if terr.type == "commune":
        return ""
    return phrases.phrase_concentration(terr.type, terr.nom, terr.code, d.concentration)


def synthese(d: DonneesCopil) -> list[str]:
    """The Panorama's « En bref », sentence for sentence (same functions, same figures, same peers)."""
    textes = [position(d, INDICATEUR_SYNTHESE), rang_national(d, INDICATEUR_SYNTHESE), emploi(d), familles(d),
              concentration(d)]  # fmt: skip
    return [t for t in textes if t]


def pairs(d: DonneesCopil) -> str:
    """« 3 territoires comparés (choisis pour la comparaison) : A, B et C. »"""
    noms = [d.nom(i, str(n)) for i, n in zip(d.pairs["id"], d.pairs["nom"], strict=True)]
    if not noms:
        return "Aucun territoire comparable."
    qui = "choisis pour la comparaison" if d.pairs_choisis else "suggérés : population et ruralité proches"
    liste = ", ".join(noms[:-1]) + f" et {noms[-1]}" if len(noms) > 1 else noms[0]
    return f"{len(noms)} territoires comparés ({qui}) : {liste}."


def valeurs(frame: Any, axe: str, total: float) -> str:
    """Every bar of a breakdown in words (the chart may group the last ones under « + N autres »)."""
    parts = []
    for _, r in frame.iterrows():
        n = float(r["etablissements_employeurs"])
        part = labels.fmt_pct(n / total, 0) if total else "–"
        parts.append(f"{r[axe]} : {labels.fmt_int(n)} ({part})")
    return "Établissements employeurs de l'ESS — " + " ; ".join(parts) + "." if parts else ""


def indicateurs_cartes(d: DonneesCopil, cols: Sequence[str]) -> list[str]:
    """One ``position`` sentence per key figure, in the cards' order."""
    return [position(d, col) for col in cols if col in INDICATEURS]
