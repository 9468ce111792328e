"""Published figures beside our estimate of the same scope, or alone with the reason there is none.

A published figure is paired with one of our estimates only when both count the same thing on the same
ground: the whole territory (``couverture`` is ``entier``), the same indicator, the same family (``famille``)
and sector (``secteur``) of the ESS, and no subset SIRENE cannot see (``sous_ensemble``: SCOP, CAE…). The
columns are described in data/reference/README.md. ``apparier`` is the one rule: the Panorama page, the COPIL
deck and ``esscore panorama --format json`` show what it returns, never a pairing of their own.

Pure functions on the frames the callers already hold (no database, no formatting: ``labels.fmt_unite``
formats an estimate once, when it is displayed).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import pandas as pd

from esscore import ess
from esscore.sources import citation

PAS_COMPARABLE = "pas d'estimation comparable"
COLONNES: tuple[str, ...] = ("estimation", "estimation_unite", "estimation_libelle", "comparable", "raison", "citation")

# Published indicator → our indicator counting the same thing, with its label and unit. CRESS panoramas count
# employer establishments only: « structures » and establishments per 1 000 inhabitants compare with our
# employer figures. The sector rows of the Cotentin report name their sector in the column « secteur ».
MEMES_INDICATEURS: dict[str, tuple[str, str, str]] = {
    "etablissements": ("etablissements", "établissements de l'ESS", "nombre"),
    "etablissements_employeurs": ("etablissements_employeurs", "établissements employeurs de l'ESS", "nombre"),
    "structures": ("etablissements_employeurs", "établissements employeurs de l'ESS", "nombre"),
    "etablissements_action_sociale": ("etablissements_employeurs", "établissements employeurs de l'ESS", "nombre"),
    "salaries": ("salaries_estimes", "salariés estimés de l'ESS", "nombre"),
    "salaries_estimes": ("salaries_estimes", "salariés estimés de l'ESS", "nombre"),
    "salaries_action_sociale": ("salaries_estimes", "salariés estimés de l'ESS", "nombre"),
    "part_emploi_prive": ("part_emploi_prive", "part de l'ESS dans l'emploi salarié privé", "part"),
    "etablissements_pour_1000_hab": ("employeurs_pour_1000_hab", "employeurs de l'ESS pour 1 000 habitants", "ratio"),
    "employeurs_pour_1000_hab": ("employeurs_pour_1000_hab", "employeurs de l'ESS pour 1 000 habitants", "ratio"),
    "salaries_pour_1000_hab": ("salaries_pour_1000_hab", "salariés estimés de l'ESS pour 1 000 habitants", "ratio"),
}
# Share of the ESS's estimated employees held by the family or sector the row names.
PARTS_DU_TOTAL = ("part_salaries_famille", "part_salaries_action_sociale", "part_salaries_cooperatives")
# Figures on the territory's communes (``indicators.concentration``), for the whole ESS only.
CONCENTRATION: dict[str, tuple[str, str, str]] = {
    "part_commune_principale": ("part_commune_principale", "part des employeurs de l'ESS dans la commune principale",
                                "part"),
    "communes_avec_ess": ("communes_avec_employeur", "communes ayant au moins un employeur de l'ESS", "nombre"),
    "communes": ("communes", "communes du territoire", "nombre"),
}  # fmt: skip
SANS_EQUIVALENT: dict[str, str] = {
    "etp": "les équivalents temps plein ne sont pas estimés",
    "masse_salariale_eur": "la masse salariale n'est pas estimée",
    "benevoles": "le bénévolat n'est pas mesuré par SIRENE",
    "part_emploi_salarie": "notre part rapporte l'ESS à l'emploi salarié privé, pas à tout l'emploi salarié "
    "(public compris)",
    "entreprises_employeuses": "nous comptons des établissements, pas des entreprises",
    "part_entreprises_employeuses": "nous comptons des établissements, pas des entreprises",
    "part_etablissements_employeurs": "les établissements employeurs hors ESS ne sont pas comptés",
    "structures_insertion": "les structures d'insertion ne sont pas repérées dans SIRENE",
}
SANS_INDICATEUR = "indicateur sans équivalent dans nos estimations"


def _texte(valeur: object) -> str:
    if valeur is None or (isinstance(valeur, float) and math.isnan(valeur)):
        return ""
    return str(valeur).strip()


def _nombre(valeur: object) -> float | None:
    try:
        nombre = float(valeur)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if math.isnan(nombre) else nombre


def _ligne(frame: pd.DataFrame | None, axe: str, valeur: str) -> Mapping[str, Any] | None:
    """The breakdown row of a family or sector; an empty row (zero) when the territory has none."""
    if frame is None or axe not in frame:
        return None
    trouve = frame[frame[axe] == valeur]
    if trouve.empty:
        return {"etablissements": 0, "etablissements_employeurs": 0, "salaries_estimes": 0.0}
    return trouve.iloc[0].to_dict()


def _part(partie: object, total: object) -> object:
    """partie / total; a secret figure (« s ») stays secret."""
    for valeur in (partie, total):
        if _nombre(valeur) is None and _texte(valeur):
            return valeur
    p, t = _nombre(partie), _nombre(total)
    return p / t if p is not None and t else None


def _refus(raison: str) -> dict[str, Any]:
    return {"estimation": None, "estimation_unite": None, "estimation_libelle": None, "comparable": False,
            "raison": f"{PAS_COMPARABLE} : {raison}"}  # fmt: skip


def _estimation(
    r: Mapping[str, Any],
    principal: Mapping[str, Any] | None,
    familles: pd.DataFrame | None,
    secteurs: pd.DataFrame | None,
    conc: Mapping[str, Any],
) -> dict[str, Any]:
    """The estimate of the same scope as one published row, or the reason there is none."""
    code, famille, secteur = _texte(r.get("indicateur")), _texte(r.get("famille")), _texte(r.get("secteur"))
    if "couverture" not in r and _texte(r.get("perimetre")):  # a database built before the scope columns
        return _refus("périmètre non décrit dans cette base : reconstruisez-la (« esscore build »)")
    if _texte(r.get("couverture")) == "partiel":
        ou = f" ({_texte(r.get('perimetre'))})" if _texte(r.get("perimetre")) else ""
        return _refus(f"le chiffre publié ne couvre qu'une partie du territoire{ou}")
    if sous := _texte(r.get("sous_ensemble")):
        return _refus(f"sous-ensemble de l'ESS que SIRENE ne permet pas de repérer ({sous})")
    if famille and famille not in ess.FAMILLES:
        return _refus(f"famille « {famille} » inconnue de nos estimations")
    if secteur and secteur not in ess.SECTEURS:
        return _refus(f"secteur « {secteur} » inconnu de nos estimations")
    if famille and secteur:
        return _refus("pas d'estimation croisant famille et secteur")
    cadre = f" ({famille or secteur})" if famille or secteur else ""
    detail = None
    if famille or secteur:
        detail = _ligne(familles, "famille", famille) if famille else _ligne(secteurs, "secteur", secteur)
    if cadre and detail is None:
        return _refus("répartition par famille ou par secteur indisponible")
    if code in PARTS_DU_TOTAL and detail is not None and principal is not None:
        valeur = _part(detail.get("salaries_estimes"), principal.get("salaries_estimes"))
        return _accord(valeur, "part", f"part des salariés estimés de l'ESS{cadre}")
    if code in MEMES_INDICATEURS and principal is not None:
        notre, libelle, unite = MEMES_INDICATEURS[code]
        if detail is not None and notre not in detail:
            return _refus(f"{libelle} : pas d'estimation par famille ou par secteur")
        return _accord((detail if detail is not None else principal).get(notre), unite, f"{libelle}{cadre}")
    if code in CONCENTRATION and not cadre and conc:
        notre, libelle, unite = CONCENTRATION[code]
        nom = _texte(conc.get("commune_principale"))
        if notre == "part_commune_principale" and nom:
            libelle = f"{libelle} ({nom})"
        return _accord(conc.get(notre), unite, libelle)
    return _refus(SANS_EQUIVALENT.get(code, SANS_INDICATEUR))


def _accord(valeur: object, unite: str, libelle: str) -> dict[str, Any]:
    if _nombre(valeur) is None and not _texte(valeur):
        return _refus(f"{libelle} : valeur indisponible pour ce territoire")
    return {"estimation": valeur, "estimation_unite": unite, "estimation_libelle": libelle, "comparable": True,
            "raison": None}  # fmt: skip


def citation_chiffre(r: Mapping[str, Any]) -> str:
    """« titre (partie) — producteur — date — adresse » of a published figure (``source_detail`` is a part of
    the document, or its address)."""
    detail = _texte(r.get("source_detail"))
    url = detail if detail.startswith(("http://", "https://")) and " " not in detail else None
    return citation(r.get("source_document"), None if url else detail or None, url=url)


def apparier(
    pub: pd.DataFrame,
    principal: Mapping[str, Any] | None,
    familles: pd.DataFrame | None = None,
    secteurs: pd.DataFrame | None = None,
    conc: Mapping[str, Any] | None = None,
) -> pd.DataFrame:
    """Each published figure of a territory with our estimate of the same scope, or None and the reason.

    ``principal``: the territory's headline indicators (``indicators.indicateurs``, secrecy applied);
    ``familles``/``secteurs``: its breakdowns (``indicators.repartition``); ``conc``: its communes
    (``indicators.concentration``). Adds the columns of ``COLONNES`` to ``pub``: ``estimation`` (a number,
    « s » when secret, or None), ``estimation_unite`` (``nombre``, ``part``, ``ratio``), ``estimation_libelle``
    (what the estimate counts), ``comparable``, ``raison`` (« pas d'estimation comparable : … ») and
    ``citation`` (the source document, cited in full).
    """
    out = pub.copy()
    lignes = [
        {**_estimation(r, principal, familles, secteurs, conc or {}), "citation": citation_chiffre(r)}
        for r in pub.to_dict("records")
    ]
    ajout = pd.DataFrame(lignes, columns=list(COLONNES), index=pub.index)
    for col in COLONNES:
        out[col] = ajout[col].astype(object) if col != "comparable" else ajout[col].astype(bool)
    return out
