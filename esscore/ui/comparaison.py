"""Comparaisons page blocks: state kept in the URL (peers, indicator), side-by-side table, charts, national map.

The whole state lives in ``?territoire=…&pairs=TYPE:CODE,…&indicateur=…`` so a technician can send the link;
peers come from the URL when it was written for this territory, else from the suggestion. Widgets only:
data from ``esscore.ui.cache``, shared blocks (charts with downloads, map legend) from ``esscore.ui.blocs``.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from esscore import charts, comparaison, indicators, maps, phrases
from esscore.geography import TYPE_LABELS, Territoire
from esscore.labels import indicator_label, typographie
from esscore.text import texte_litteral
from esscore.ui import blocs, cache, layout

INDICATEUR_DEFAUT = "employeurs_pour_1000_hab"
# The side-by-side table in two, each narrow enough for a 1 280 px screen: rates (comparable whatever the size),
# then counts (columns of ``comparaison.tableau_affiche``).
TAUX = ("part_emploi_prive", "etablissements_pour_1000_hab", "employeurs_pour_1000_hab", "salaries_pour_1000_hab")
EFFECTIFS = ("etablissements", "etablissements_employeurs", "salaries_estimes")
COLONNES_TAUX = [*(indicators.INDICATEURS[i] for i in TAUX), "Population en communes < 2 000 hab."]
COLONNES_EFFECTIFS = ["Population", *(indicators.INDICATEURS[i] for i in EFFECTIFS)]
ANCRE_TABLEAU = "tableau-comparaison"  # the side-by-side table: the maps' and charts' text alternative, linked
_TERR_KEY = "cmp_territoire"  # territory for which the URL's ``pairs`` were written in this session


def etat(terr: Territoire) -> tuple[list[str], str]:
    """Peers and indicator from the URL (validated, French warnings), widgets to edit them, URL rewritten."""
    suggested = list(cache.pairs(terr)["id"])
    written_for = st.session_state.get(_TERR_KEY)
    initial = suggested
    if written_for in (None, terr.id):
        regle = layout.regle_pairs(terr, suggested)
        initial = layout.parametre_url("pairs", regle, suggested, plusieurs=True, separateur=",",
                                       maximum=comparaison.MAX_PAIRS)  # fmt: skip
    options = dict(cache.options_pairs(terr.id))
    missing = tuple(i for i in [*initial, *suggested] if i not in options)
    if missing:
        options.update(cache.noms(missing))
    key = f"cmp_pairs_{terr.id}"
    niveau = TYPE_LABELS[terr.type] if terr.type == "epci" else TYPE_LABELS[terr.type].lower()

    def reset() -> None:
        st.session_state[key] = suggested

    if key not in st.session_state:  # first run for this territory: the URL's peers (or the suggestion)
        st.session_state[key] = initial
    c1, c2 = st.columns([4, 1], vertical_alignment="bottom")
    with c1:
        chosen = st.multiselect(
            f"Territoires comparés (jusqu'à {comparaison.MAX_PAIRS}, même niveau : {niveau})",
            list(options), format_func=lambda i: options.get(i, i), key=key,
            max_selections=comparaison.MAX_PAIRS, placeholder="Ajouter un territoire…", select_all=False,
        )  # fmt: skip
    c2.button("Pairs suggérés", on_click=reset, help="Population et part d'habitants en communes de moins de "
              "2 000 habitants proches, même région d'abord ; pour une ville de 100 000 habitants ou plus et "
              "une métropole, les plus proches en taille dans toute la France.", key="cmp_reset",
              width="stretch")  # fmt: skip
    if chosen:  # the selector shows the first tags only: every chosen territory is named here
        st.caption(texte_litteral(typographie(f"Comparé à : {', '.join(options.get(i, i) for i in chosen)}.")))
    indicator = choix_indicateur()
    st.session_state[_TERR_KEY] = terr.id
    st.query_params["pairs"] = ",".join(chosen)
    st.query_params["indicateur"] = indicator
    return list(chosen), indicator


def choix_indicateur() -> str:
    options = list(indicators.INDICATEURS)
    admis = {i: indicator_label(i) for i in options}
    choisi = layout.parametre_url("indicateur", admis, INDICATEUR_DEFAUT)
    return str(st.selectbox("Indicateur", options, index=options.index(choisi), format_func=indicator_label,
                            key="cmp_indicateur"))  # fmt: skip


def phrase(terr: Territoire, pairs: list[str], indicator: str) -> None:
    st.markdown(cache.charge_utile("cmp_phrase", texte_phrase, terr, tuple(pairs), indicator))


def texte_phrase(terr: Territoire, pairs: tuple[str, ...], indicator: str) -> str:
    """The territory's position among its peers and in France, as a Markdown list (``cache.charge_utile``)."""
    table = cache.tableau(terr, list(pairs))
    main = table.iloc[0]
    refs = [(r["role"], r[indicator]) for _, r in table.iterrows() if r["role"] in ("region", "france")]
    classes = cache.niveau_classe(terr.type)  # with a partial extract, the territories it covers wholly
    rang = main.get(f"rang_{indicator}")  # among the territory and its peers, as in the table (comparaison.tableau)
    textes = [phrases.phrase_position(indicator, terr.type, terr.nom, terr.code, main[indicator], refs,
                                      rang if isinstance(rang, comparaison.Rang) else None)]  # fmt: skip
    national = comparaison.rang(classes, terr.id, indicator)
    textes.append(phrases.phrase_rang_national(indicator, terr.type, terr.nom, terr.code, national, main[indicator],
                                               phrases.ensemble_classe(cache.extrait_partiel())))  # fmt: skip
    return "\n".join(f"- {texte_litteral(typographie(t))}" for t in textes if t)


def tableaux_affiches(terr: Territoire, pairs: tuple[str, ...]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The side-by-side table as two literal-cell tables, rates then counts (``cache.charge_utile``)."""
    table = cache.tableau(terr, list(pairs))
    shown, ids = comparaison.tableau_affiche(table), list(table["id"])  # names marked « partiel » (extract)
    shown["Territoire"] = indicators.noms_marques(
        shown["Territoire"], ids, cache.named_query("territoires_partiels", ids=ids)
    )
    return (blocs.cellules_tableau(shown[["Territoire", *COLONNES_TAUX]]),
            blocs.cellules_tableau(shown[["Territoire", *COLONNES_EFFECTIFS]]))  # fmt: skip


def tableau(terr: Territoire, table: pd.DataFrame, pairs: list[str]) -> None:
    st.subheader("Tous les indicateurs côte à côte", anchor=ANCRE_TABLEAU)
    taux, effectifs = cache.charge_utile("cmp_tableaux", tableaux_affiches, terr, tuple(pairs))
    alt = f"{terr.libelle}, ses pairs, sa région et la France"
    blocs.tableau(taux, f"Taux : {alt}", "Aucun territoire à comparer.", litteral=True)
    blocs.tableau(effectifs, f"Effectifs : {alt}", "Aucun territoire à comparer.", litteral=True)
    src = texte_litteral(cache.source())
    st.caption(f"Entre parenthèses : rang parmi les territoires comparés (références exclues). « s » : secret "
               f"statistique. Source : {src} ; population : recensement (COG 2026).")  # fmt: skip
    blocs.telechargements("Tableau de comparaison", table, blocs.fichier(terr, "comparaison"), "dl_cmp_tableau",
                          cache.metadonnees())  # fmt: skip


def _graphique(spec: charts.Spec, nom: str, donnees: pd.DataFrame, key: str) -> None:
    blocs.graphique(spec, nom, donnees, key, cache.source(), cache.metadonnees())


def graphiques(terr: Territoire, selection: list[str], indicator: str) -> None:
    st.subheader(indicator_label(indicator))
    for graphique in cache.charge_utile("cmp_graphiques", specs_graphiques, terr, tuple(selection), indicator):
        _graphique(*graphique)


def specs_graphiques(
    terr: Territoire, selection: tuple[str, ...], indicator: str
) -> list[tuple[charts.Spec, str, pd.DataFrame, str]]:
    """The bars of the territory and its peers, then the scatter plot of the level: (spec, file name, data, key),
    built once per territory, peers and indicator (``cache.charge_utile``)."""
    table = cache.tableau(terr, list(selection))
    compared = table[table["role"].isin(["territoire", "pair"])]
    refs = table[table["role"].isin(["region", "france"])]
    barres = (charts.barres_comparaison(compared, indicator, terr.id, refs, sous_titre=f"{terr.nom} et ses pairs"),
              blocs.fichier(terr, f"comparaison-{indicator}"), compared, "cmp_barres")  # fmt: skip
    points = comparaison.points_nuage(cache.points(terr.type, indicator), terr, list(selection))
    if terr.type != "commune":
        where = f"un territoire de France ({phrases.NIVEAUX_PLURIEL[terr.type]})"
    elif comparaison.comparaison_nationale(terr.type, terr.population):  # a big city: national peers
        where = ("une commune du département, une ville de 10\u202f000 habitants ou plus de la région ou une ville "
                 "de 100\u202f000 habitants ou plus de France")  # fmt: skip
    else:
        where = "une commune du département ou une ville de 10\u202f000 habitants ou plus de la région"
    nuage = (charts.nuage_population(points, indicator, list(selection), terr.id,
                                     sous_titre=f"Chaque point est {where} ; sélection en couleur"),
             blocs.fichier(terr, f"nuage-{indicator}"), points, "cmp_nuage")  # fmt: skip
    return [barres, nuage]


def carte_nationale_deck(
    terr: Territoire, selection: list[str] | tuple[str, ...], indicator: str
) -> tuple[maps.CompactDeck, list]:
    """The national choropleth of the matching level, the territory in orange, its peers in black."""
    level, focus, peers = cache.contours_selection(terr.id, tuple(selection))
    records, breaks = cache.carte_nationale(level, indicator)
    outline = cache.polygones(level, peers, national=True) if peers else None
    focus_frame = cache.polygones(level, focus, national=True) if focus else None
    context = cache.polygones("region", None, national=True) if level in ("epci", "departement") else None
    frames = maps.inset_frames(list(maps.DOM_INSETS))
    view = maps.view_for_bounds(maps.NATIONAL_BOUNDS, height_px=620)
    deck = maps.choropleth_deck(records, view, blocs.TOOLTIP, outline=outline, context=context, frames=frames,
                                focus=focus_frame)  # fmt: skip
    return deck, breaks


def carte_figee(terr: Territoire, selection: tuple[str, ...], indicator: str) -> tuple[maps.CompactDeck, str]:
    """``carte_nationale_deck`` serialised once, and its legend (``cache.charge_utile``)."""
    deck, breaks = carte_nationale_deck(terr, selection, indicator)
    return deck.figer(), blocs.legende_html(breaks, indicator)


def carte_nationale(terr: Territoire, selection: list[str], indicator: str) -> None:
    level = comparaison.niveau_carte(terr)
    noms = {"epci": "EPCI", "departement": "départements", "region": "régions"}
    st.subheader(f"Carte de France des {noms[level]}")
    deck, legende = cache.charge_utile("cmp_carte", carte_figee, terr, tuple(selection), indicator, lourd=True)
    st.pydeck_chart(deck, height=620)
    st.markdown(legende, unsafe_allow_html=True)
    note = " Les communes sont situées par leur EPCI." if terr.type == "commune" else ""
    entoures = " territoire étudié entouré en orange, territoires comparés en noir ;" if terr.type != "france" else ""
    src = texte_litteral(cache.source())
    lien = f" Les chiffres des territoires comparés : [tableau ci-dessous](#{ANCRE_TABLEAU})."
    alternative = lien if selection else ""
    st.caption(f"{texte_litteral(indicator_label(indicator))} ;{entoures} outre-mer en encarts."
               f"{note} Contours : découpage administratif 2026. Source : {src}.{alternative}")  # fmt: skip
