"""Panorama page blocks: headline cards, synthesis, charts with their exports, map and tables.

Widgets only: the data come from ``esscore.ui.cache``, the blocks shared with other pages (header, charts
with their downloads, map legend) from ``esscore.ui.blocs``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import pandas as pd
import streamlit as st

from esscore import charts, comparaison, indicators, maps, phrases, publies
from esscore.exports import metadonnees_publies
from esscore.geography import TYPE_LABELS, Territoire
from esscore.labels import (
    SECRET_EXPLICATION,
    fmt_dec,
    fmt_int,
    fmt_pct,
    fmt_publie,
    fmt_unite,
    fmt_value,
    indicator_label,
    typographie,
)
from esscore.text import texte_litteral
from esscore.ui import blocs, cache

SECRET = indicators.SECRET
CARTES = ("etablissements", "etablissements_employeurs", "salaries_estimes", "part_emploi_prive",
          "employeurs_pour_1000_hab")  # fmt: skip
# Short card titles (a card is narrow; the full label is in the card's help bubble).
CARTES_COURTES = {"etablissements": "Établissements ESS", "etablissements_employeurs": "Employeurs ESS",
                  "salaries_estimes": "Salariés estimés", "part_emploi_prive": "Part emploi privé",
                  "employeurs_pour_1000_hab": "Employeurs pour 1\u202f000 hab."}  # fmt: skip
COMPTES = ("etablissements", "etablissements_employeurs", "salaries_estimes")
INDICATEUR_CARTE = "employeurs_pour_1000_hab"
FICHIERS_UNITES = {"commune": "communes", "epci": "epci", "departement": "departements"}


# ---------------------------------------------------------------- formatting helpers


def ecart(indicator: str, valeur: object, reference: object) -> str:
    """Gap to a reference: share of its total for counts, difference for rates (points for percentages)."""
    if reference == SECRET:
        return SECRET
    if valeur == SECRET and indicator in COMPTES:  # our share is secret: show the reference's own figure
        return f"{fmt_value(indicator, reference)} au total"
    if valeur == SECRET:
        return SECRET
    try:
        v, r = float(valeur), float(reference)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return "–"
    if pd.isna(v) or pd.isna(r):
        return "–"
    if indicator in COMPTES:
        return f"{fmt_pct(v / r)} du total" if r else "–"
    diff = v - r
    sign = "+" if diff > 0 else "−" if diff < 0 else "±"
    if indicator == "part_emploi_prive":
        return f"{sign}{fmt_dec(abs(diff) * 100)} pt"
    return f"{sign}{fmt_dec(abs(diff))}"


def references_cartes(terr: Territoire, heads: pd.DataFrame) -> pd.DataFrame:
    """The references under the cards: the larger parents (never the territory itself), not the EPCI of a
    commune, each area once: a single-département région (La Réunion, Guyane…) is its département, shown once."""
    refs = comparaison.references_distinctes(heads)
    if terr.type == "commune":
        refs = refs[refs["type"] != "epci"]
    return refs.drop_duplicates(subset=["nom", "population"], keep="last")


def ligne_reference(indicator: str, valeur: object, ref: Mapping[str, Any]) -> str:
    """« Deux-Sèvres : 4,1 (+0,4) » under a card (plain text): the reference's figure and the gap to it; a
    count only says which share of the reference's total the territory holds."""
    label = TYPE_LABELS["france"] if ref["type"] == "france" else str(ref["nom"])
    gap = ecart(indicator, valeur, ref[indicator])
    if indicator in COMPTES:
        return f"{label} : {gap}"
    ref_val = fmt_value(indicator, ref[indicator])
    return f"{label} : {ref_val}" + (f" ({gap})" if gap not in ("–", ref_val) else "")


# ---------------------------------------------------------------- rendering


def textes_cartes(terr: Territoire) -> tuple[list[tuple[str, str, str, str]], str]:
    """The five cards as (title, figure, help, lines under it) and the note under them (``cache.charge_utile``)."""
    heads = cache.chiffres(terr)
    main = heads.iloc[0]
    refs = references_cartes(terr, heads)
    cartes = []
    for ind in CARTES:
        value = main[ind]
        aide = indicator_label(ind) + (f". {SECRET_EXPLICATION}" if value == SECRET else "")
        lines = [ligne_reference(ind, value, ref) for _, ref in refs.iterrows()]
        cartes.append((CARTES_COURTES[ind], fmt_value(ind, value), aide,
                       "  \n".join(texte_litteral(typographie(line)) for line in lines)))  # fmt: skip
    notes = []
    if len(refs):
        notes.append("Sous chaque chiffre : le territoire de référence, avec la part qu'y représente le territoire "
                     "(effectifs) ou l'écart avec lui (taux, en points pour les pourcentages).")  # fmt: skip
    if bool(main["secret"]):
        notes.append(SECRET_EXPLICATION)
    notes.append(f"Périmètre statistique de l'ESS. Source : {texte_litteral(cache.source())}.")
    return cartes, " ".join(notes)


def cartes_chiffres(terr: Territoire) -> None:
    """Five headline cards, each with its gap to the département, the région and France."""
    cartes, notes = cache.charge_utile("cartes", textes_cartes, terr)
    # Counts on a first row, rates on a second: five cards in one row cut their titles on a 1 280 px screen.
    cols = [*st.columns(len(COMPTES)), *st.columns(len(CARTES) - len(COMPTES))]
    for col, (titre, valeur, aide, lignes) in zip(cols, cartes, strict=True):
        with col.container(border=True):
            st.metric(titre, valeur, help=aide)
            if lignes:
                st.caption(lignes)
    st.caption(notes)


def synthese(terr: Territoire) -> list[str]:
    """Automatic sentences on the position of the territory (never written per territory)."""
    textes = cache.charge_utile("synthese", phrases_synthese, terr)
    with st.container(border=True):
        st.markdown("**En bref**")
        st.markdown("\n".join(f"- {texte_litteral(typographie(t))}" for t in textes))
        st.caption(f"Phrases générées automatiquement à partir des données. Source : {texte_litteral(cache.source())}.")
    return list(textes)


def phrases_synthese(terr: Territoire) -> list[str]:
    """The sentences of « En bref », each once (``cache.charge_utile``)."""
    heads = cache.chiffres(terr)
    main = heads.iloc[0]
    refs = comparaison.references_distinctes(heads)
    refs_rate = [(r["type"], r[INDICATEUR_CARTE]) for _, r in refs.iterrows()
                 if r["type"] in ("region", "france")]  # fmt: skip
    suggested = cache.pairs(terr)
    rang = None
    if len(suggested):
        level = cache.niveau_classe(terr.type)
        compared = level[level["id"].isin([terr.id, *suggested["id"]])]
        rang = comparaison.rang(compared, terr.id, INDICATEUR_CARTE)
    textes = [phrases.phrase_position(INDICATEUR_CARTE, terr.type, terr.nom, terr.code, main[INDICATEUR_CARTE],
                                      refs_rate, rang, "territoires comparables (voir Comparaisons)")]  # fmt: skip
    if terr.type != "france":
        national = comparaison.rang(cache.niveau_classe(terr.type), terr.id, INDICATEUR_CARTE)
        textes.append(phrases.phrase_rang_national(INDICATEUR_CARTE, terr.type, terr.nom, terr.code, national,
                                                   main[INDICATEUR_CARTE],
                                                   phrases.ensemble_classe(cache.extrait_partiel())))  # fmt: skip
    refs_emploi = [(r["type"], r["nom"], r["code"], r["part_emploi_prive"]) for _, r in refs.iterrows()
                   if r["type"] in ("region", "france")]  # fmt: skip
    textes.append(phrases.phrase_emploi(terr.type, terr.nom, terr.code, main["part_emploi_prive"],
                                        main["salaries_estimes"], refs_emploi))  # fmt: skip
    fam = cache.repartition(terr, "famille")
    par_famille = list(zip(fam["famille"], fam["etablissements_employeurs"], strict=True))
    textes.append(phrases.phrase_familles(terr.type, terr.nom, terr.code, par_famille))
    if terr.type != "commune":
        textes.append(phrases.phrase_concentration(terr.type, terr.nom, terr.code, cache.concentration(terr)))
    return list(dict.fromkeys(t for t in textes if t))  # « aucun employeur » says the same for two reasons


def _texte(value: object) -> str:
    return "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)


def estimation_affichee(r: Mapping[str, Any]) -> str:
    """Our estimate of the same scope as a published figure (« 540 (établissements employeurs de l'ESS) »), or
    « pas d'estimation comparable : raison » (``publies.apparier`` decides which)."""
    if not r.get("comparable"):
        return _texte(r.get("raison")) or publies.PAS_COMPARABLE
    return f"{fmt_unite(r.get('estimation_unite'), r.get('estimation'))} ({_texte(r.get('estimation_libelle'))})"


def publies_affiche(pub: pd.DataFrame) -> pd.DataFrame:
    """Published figures (``publies.apparier`` frame) beside our estimate of the same scope, never mixed."""
    rows = []
    for r in pub.to_dict("records"):
        code = _texte(r.get("indicateur"))
        publie = fmt_publie(r.get("valeur"), _texte(r.get("unite")))
        rows.append({
            "Indicateur": _texte(r.get("libelle")) or code,
            "Chiffre publié": f"{_texte(r.get('qualificatif'))} {publie}".strip(),
            "Année": _texte(r.get("annee")).removesuffix(".0"),
            "Périmètre": _texte(r.get("perimetre")) or "territoire entier",
            "Source": _texte(r.get("citation")),
            "Estimation ESS Territoires": estimation_affichee(r),
            "Note": _texte(r.get("note")),
        })  # fmt: skip
    return pd.DataFrame(rows)


def publies_tableau(shown: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """The published figures as a table narrow enough for the page: the source becomes a note number (the
    sources are listed once, under the table: a page often cites one document many times) and the note
    joins the scope."""
    sources = list(dict.fromkeys(s for s in shown["Source"] if s)) if len(shown) else []
    numeros = {src: str(i) for i, src in enumerate(sources, start=1)}
    table = shown[["Indicateur", "Chiffre publié", "Année", "Périmètre", "Estimation ESS Territoires"]].copy()
    table["Périmètre"] = [f"{p} ({n})" if n else p for p, n in zip(shown["Périmètre"], shown["Note"], strict=True)]
    table["Source"] = [numeros.get(src, "–") for src in shown["Source"]]
    return table, sources


def donnees_publies(terr: Territoire) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    """(published figures with our estimate, the table shown as literal cells, its sources), for
    ``cache.charge_utile``; empty frames when the territory has none."""
    pub = cache.publies_comparables(terr)
    if pub.empty:
        return pub, pd.DataFrame(), []
    table, sources = publies_tableau(publies_affiche(pub))
    return pub, blocs.cellules_tableau(table), sources


def chiffres_publies(terr: Territoire) -> None:
    """Panel of published figures (diagnostics, roadmaps), beside our estimate; absent table → nothing."""
    pub, table, sources = cache.charge_utile("publies", donnees_publies, terr)
    if pub.empty:
        return
    with st.expander(f"Chiffres publiés pour ce territoire ({len(table)})", expanded=True):
        st.caption("Chiffres tirés de documents publiés (diagnostics, feuilles de route), chacun à côté de notre "
                   "estimation du même périmètre (même famille, même secteur, tout le territoire), ou seul quand "
                   "nous n'en avons pas ; millésimes différents, jamais mélangés.")  # fmt: skip
        blocs.tableau(table, "Chiffres publiés pour ce territoire et estimation ESS Territoires du même périmètre",
                      "Aucun chiffre publié pour ce territoire.", litteral=True)  # fmt: skip
        st.markdown("**Sources**  \n" + "  \n".join(f"{i}. {texte_litteral(typographie(src))}"
                                                    for i, src in enumerate(sources, start=1)))  # fmt: skip
        blocs.telechargements("Télécharger les chiffres publiés", pub, "chiffres_publies", "dl_publies",
                              metadonnees_publies(cache.metadonnees()))  # fmt: skip


def _graphique(spec: charts.Spec, nom: str, donnees: pd.DataFrame, key: str) -> None:
    blocs.graphique(spec, nom, donnees, key, cache.source(), cache.metadonnees())


# A chart drawn by ``blocs.graphique``: (Vega-Lite spec, download file name, data exported, widget key).
Graphique = tuple[charts.Spec, str, pd.DataFrame, str]


def graphiques_familles(terr: Territoire) -> list[Graphique]:
    """Employers and employees by family, then per-family ratios beside the région and France (none: no ESS
    establishment); built once per territory (``cache.charge_utile``)."""
    fam = cache.repartition(terr, "famille")
    if fam.empty:
        return []
    out = _employeurs_et_salaries(terr, fam, charts.barres_familles, "familles", "fam")
    rat = cache.ratios(terr)
    if rat["role"].nunique() > 1 or terr.type == "france":
        sous = "Comparaison avec la région et la France" if terr.type != "region" else "Comparaison avec la France"
        out.append((charts.ratios_familles(rat, sous_titre=sous if terr.type != "france" else None),
                    blocs.fichier(terr, "familles-pour-1000-hab"), rat, "fam_ratio"))  # fmt: skip
    return out


def familles(terr: Territoire) -> None:
    graphiques = cache.charge_utile("familles", graphiques_familles, terr)
    st.subheader("Les familles de l'ESS")
    if not graphiques:
        qui = texte_litteral(phrases.designation(terr.type, terr.nom, terr.code))
        st.info(f"Aucun établissement de l'ESS n'est recensé dans {qui}.")
        return
    for graphique in graphiques:
        _graphique(*graphique)


def _employeurs_et_salaries(
    terr: Territoire, frame: pd.DataFrame, barres: Callable[..., Any], nom: str, cle: str, nom_employeurs: str = ""
) -> list[Graphique]:
    """Two bar charts, one under the other (side by side, long family names left them no room on a 1 280 px
    screen: cut titles and axes): employer establishments, then estimated employees (same breakdown)."""
    return [(barres(frame, "etablissements_employeurs", sous_titre=terr.nom),
             blocs.fichier(terr, nom_employeurs or f"{nom}-employeurs"), frame, f"{cle}_emp"),
            (barres(frame, "salaries_estimes", sous_titre=terr.nom),
             blocs.fichier(terr, f"{nom}-salaries"), frame, f"{cle}_sal")]  # fmt: skip


def graphiques_secteurs(terr: Territoire) -> list[Graphique]:
    """Employees by sector, then employers and employees by size class (none: no ESS establishment)."""
    sect = cache.repartition(terr, "secteur")
    if sect.empty:
        return []
    tail = cache.repartition(terr, "taille")
    return [(charts.barres_secteurs(sect, "salaries_estimes", sous_titre=terr.nom), blocs.fichier(terr, "secteurs"),
             sect, "secteurs"),
            *_employeurs_et_salaries(terr, tail, charts.barres_tailles, "tailles", "tailles",
                                     "tailles-etablissements")]  # fmt: skip


def secteurs_tailles(terr: Territoire) -> None:
    graphiques = cache.charge_utile("secteurs", graphiques_secteurs, terr)
    st.subheader("Secteurs d'activité et taille des établissements")
    if not graphiques:
        st.info("Pas de secteur ni de taille à montrer : aucun établissement de l'ESS sur ce territoire.")
        return
    _graphique(*graphiques[0])
    st.caption("Part de l'ESS dans le secteur : salariés estimés de l'ESS rapportés à l'emploi salarié privé du "
               "secteur sur le territoire, quand il est connu.")  # fmt: skip
    for graphique in graphiques[1:]:
        _graphique(*graphique)


def carte(terr: Territoire) -> None:
    """Map of the sub-units (communes, EPCI or départements), colour = chosen indicator, and their table."""
    level, frame, outline = cache.unites(terr)
    what = phrases.NIVEAUX_PLURIEL[level]
    st.subheader(f"Carte des {what}" if terr.type != "commune" else "La commune dans son intercommunalité")
    options = list(indicators.INDICATEURS)
    indicator = st.selectbox("Indicateur de la carte", options, index=options.index(INDICATEUR_CARTE),
                             format_func=indicator_label, key="panorama_indicateur_carte")  # fmt: skip
    if frame.empty:
        st.info("Aucune donnée à cartographier pour ce territoire.")
        return
    deck, legende = cache.charge_utile("carte", carte_unites, terr, indicator, lourd=True)
    st.pydeck_chart(deck, height=520)
    st.markdown(legende, unsafe_allow_html=True)
    notes = {"commune": f"{texte_litteral(terr.nom)} est entourée en orange, parmi les communes de son EPCI.",
             "region": "À l'échelle d'une région, la carte et le tableau montrent les EPCI.",
             "france": "À l'échelle nationale, la carte et le tableau montrent les départements (outre-mer en "
                       "encarts)."}  # fmt: skip
    st.caption(" ".join(x for x in (notes.get(terr.type, ""), f"Contours : découpage administratif 2026. "
                                    f"Source : {texte_litteral(cache.source())}. Les mêmes chiffres sont dans "
                                    "le tableau ci-dessous.") if x))  # fmt: skip
    table_unites(terr, level, frame, indicator)


def carte_unites(terr: Territoire, indicator: str) -> tuple[maps.CompactDeck, str]:
    """(map of the units, serialised once, and its legend) for ``cache.charge_utile``."""
    records, breaks, bounds, outline_frame = cache.carte_unites(terr.id, indicator)
    view = maps.view_for_bounds(bounds)
    frames = maps.inset_frames(list(maps.DOM_INSETS)) if terr.type == "france" else None
    deck = maps.choropleth_deck(records, view, blocs.TOOLTIP, frames=frames, focus=outline_frame)
    return deck.figer(), blocs.legende_html(breaks, indicator)


def unites_tableau(frame: pd.DataFrame, level: str) -> pd.DataFrame:
    """Numeric display table of the map's units: secret figures become missing (shown « s »), a share is 0
    where there is no ESS job, decimals rounded (the browser formats numbers in French)."""
    label = {"commune": "Commune", "epci": "EPCI", "departement": "Département"}[level]
    out = pd.DataFrame({
        "Code": frame["code"].values, label: frame["nom"].values,
        "Population": pd.to_numeric(frame["population"]).values,
        "Établissements": frame["etablissements"].values, "Employeurs": frame["etablissements_employeurs"].values,
    })  # fmt: skip
    salaries = pd.to_numeric(frame["salaries_estimes"].where(frame["salaries_estimes"] != SECRET), errors="coerce")
    part = pd.to_numeric(frame["part_emploi_prive"].where(frame["part_emploi_prive"] != SECRET), errors="coerce")
    part = part.where(part.notna() | (salaries != 0), 0.0)
    out["Salariés estimés"] = salaries.round(0).values
    out["Part de l'emploi privé (%)"] = (part * 100).round(1).values
    for indicator, colonne in COLONNES_RATIOS.items():
        if indicator in frame:
            valeurs = frame[indicator].where(frame[indicator] != SECRET)  # employees per inhabitant may be secret
            out[colonne] = pd.to_numeric(valeurs, errors="coerce").round(1).values
    return out


# Column of ``unites_tableau`` holding each indicator (the map's indicator is shown in the short table).
COLONNES_UNITES = {"etablissements": "Établissements", "etablissements_employeurs": "Employeurs",
                   "salaries_estimes": "Salariés estimés",
                   "part_emploi_prive": "Part de l'emploi privé (%)"}  # fmt: skip
COLONNES_RATIOS = {"employeurs_pour_1000_hab": "Employeurs / 1\u202f000 hab.",
                   "etablissements_pour_1000_hab": "Établissements / 1\u202f000 hab.",
                   "salaries_pour_1000_hab": "Salariés / 1\u202f000 hab."}  # fmt: skip


def colonnes_courtes(shown: pd.DataFrame, indicator: str) -> list[str]:
    """The short table's columns: code, name, population, employers, employees and the map's indicator (the
    map's text alternative: its colours in figures), narrow enough for a 1 280 px screen."""
    cols = list(shown.columns[:3]) + ["Employeurs", "Salariés estimés"]
    carte = {**COLONNES_UNITES, **COLONNES_RATIOS}.get(indicator)
    return cols + ([carte] if carte in shown.columns and carte not in cols else [])


def table_unites(terr: Territoire, level: str, frame: pd.DataFrame, indicator: str = INDICATEUR_CARTE) -> None:
    """Sortable table of the map's units (numbers stay numeric; secret figures read « s »): the map's indicator
    and the main counts, every indicator in an expander below."""
    shown, legende = cache.charge_utile("unites", donnees_unites, terr)
    number = st.column_config.NumberColumn(format="localized")
    config = {c: number for c in shown.columns[2:]}
    config[shown.columns[1]] = st.column_config.TextColumn(width=220)
    courtes = colonnes_courtes(shown, indicator)
    vide = "Aucune unité à montrer pour ce territoire."
    blocs.grille(shown[courtes], vide, height=blocs.hauteur(len(shown)), column_config=config, placeholder=SECRET)
    with st.expander(f"Tous les indicateurs des {phrases.NIVEAUX_PLURIEL[level]}"):
        blocs.grille(shown, vide, height=blocs.hauteur(len(shown)), column_config=config, placeholder=SECRET)
    st.caption(legende)
    blocs.telechargements(f"Tableau des {phrases.NIVEAUX_PLURIEL[level]}", frame,
                          blocs.fichier(terr, FICHIERS_UNITES[level]), "dl_unites", cache.metadonnees())  # fmt: skip


def donnees_unites(terr: Territoire) -> tuple[pd.DataFrame, str]:
    """(table of the map's units, the caption under it) for ``cache.charge_utile``."""
    level, frame, _ = cache.unites(terr)
    secret = frame["secret"].to_numpy()
    conc = cache.concentration(terr)
    texte = phrases.phrase_concentration(terr.type, terr.nom, terr.code, conc) if terr.type != "commune" else ""
    legende = " ".join(x for x in (texte_litteral(texte), SECRET_EXPLICATION if secret.any() else "",
                                   f"Source : {texte_litteral(cache.source())}.") if x)  # fmt: skip
    return unites_tableau(frame, level), legende


def chiffres_cles(heads: pd.DataFrame, noms: list[str] | None = None) -> pd.DataFrame:
    """Headline figures with one row per indicator and one column per territory (the territory, then its
    parents; ``noms``: their displayed names, else ``nom``): five narrow columns fit any screen, where ten
    indicator columns did not."""
    out = {"Indicateur": ["Population", *(indicator_label(i) for i in indicators.INDICATEURS)]}
    for n, (nom, (_, r)) in enumerate(zip(noms or list(heads["nom"]), heads.iterrows(), strict=True)):
        titre = nom if n == 0 or r["type"] == "france" else f"{TYPE_LABELS[r['type']]} · {nom}"
        out[titre] = [fmt_int(r["population"]), *(fmt_value(i, r[i]) for i in indicators.INDICATEURS)]
    return pd.DataFrame(out)


def tableau_chiffres_cles(terr: Territoire) -> pd.DataFrame:
    """``chiffres_cles`` of the territory and its parents, names marked « partiel », as literal cells."""
    heads = cache.chiffres(terr)
    ids = list(heads["id"])
    noms = indicators.noms_marques(heads["nom"], ids, cache.named_query("territoires_partiels", ids=ids))  # « partiel »
    return blocs.cellules_tableau(chiffres_cles(heads, noms))


def tableau_chiffres(terr: Territoire) -> None:
    """The headline figures of the territory and its parents, as a table (and CSV)."""
    heads = cache.chiffres(terr)
    st.subheader("Chiffres clés et territoires de référence")
    blocs.tableau(cache.charge_utile("chiffres_cles", tableau_chiffres_cles, terr),
                  f"Chiffres clés de {terr.libelle} et de ses territoires de référence",
                  "Aucun chiffre pour ce territoire.", litteral=True)  # fmt: skip
    st.caption(f"Périmètre statistique de l'ESS (hors administrations, syndicats, cultes et partis). "
               f"« s » : secret statistique. Source : {texte_litteral(cache.source())}.")  # fmt: skip
    blocs.telechargements("Chiffres clés", heads, blocs.fichier(terr, "chiffres-cles"), "dl_chiffres",
                          cache.metadonnees())  # fmt: skip
