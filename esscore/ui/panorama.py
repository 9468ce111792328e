"""Panorama page blocks: cached data for one territory, headline cards, charts with their exports, map.

Every cached wrapper takes ``data.db_key()`` so a rebuilt database invalidates it. The rendering helpers
(charts with source and downloads, tables, legends) are shared with the Comparaisons page.
"""

from __future__ import annotations

import html
from collections.abc import Callable

import pandas as pd
import streamlit as st

from esscore import charts, comparaison, indicators, maps, phrases
from esscore.exports import csv_bytes
from esscore.geography import TYPE_LABELS, Territoire
from esscore.labels import SECRET_EXPLICATION, fmt_dec, fmt_int, fmt_pct, fmt_value, indicator_label
from esscore.text import texte_litteral
from esscore.ui import data

SECRET = indicators.SECRET
CARTES = ("etablissements", "etablissements_employeurs", "salaries_estimes", "part_emploi_prive",
          "employeurs_pour_1000_hab")  # fmt: skip
# Short card titles (a card is narrow; the full label is in the card's help bubble).
CARTES_COURTES = {"etablissements": "Établissements ESS", "etablissements_employeurs": "Employeurs ESS",
                  "salaries_estimes": "Salariés estimés", "part_emploi_prive": "Part emploi privé",
                  "employeurs_pour_1000_hab": "Pour 1 000 hab."}  # fmt: skip
COMPTES = ("etablissements", "etablissements_employeurs", "salaries_estimes")
INDICATEUR_CARTE = "employeurs_pour_1000_hab"
FICHIERS_UNITES = {"commune": "communes", "epci": "epci", "departement": "departements"}
# Published indicator codes → our estimate of the same thing. CRESS panoramas count employer structures
# only, so « structures » and establishments per 1 000 inhabitants compare with our employer figures.
ESTIMATION_PUBLIES = {"etablissements_employeurs": "etablissements_employeurs",
                      "structures": "etablissements_employeurs", "etablissements": "etablissements",
                      "salaries": "salaries_estimes",
                      "salaries_estimes": "salaries_estimes", "part_emploi_prive": "part_emploi_prive",
                      "etablissements_pour_1000_hab": "employeurs_pour_1000_hab",
                      "employeurs_pour_1000_hab": "employeurs_pour_1000_hab",
                      "salaries_pour_1000_hab": "salaries_pour_1000_hab"}  # fmt: skip


# ---------------------------------------------------------------- cached data


@st.cache_data(show_spinner=False, max_entries=8)
def _source(key: tuple[int, int]) -> dict:
    return indicators.source_info(data.con())


def source() -> str:
    """« producteur, titre (millésime …) », plus the demo warning when the data are synthetic."""
    info = _source(data.db_key())
    if not info["source"]:
        return "aucune donnée ESS chargée"
    text = info["source"].split(", ", 1)[-1] if info["demo"] else info["source"]  # demo: the title says it all
    return f"{text}, {info['millesime']}" if info["millesime"] else text


@st.cache_data(show_spinner=False, max_entries=8)
def _has_ess(key: tuple[int, int]) -> bool:
    return indicators.has_ess_data(data.con())


def has_ess() -> bool:
    return _has_ess(data.db_key())


def chiffres(terr: Territoire) -> pd.DataFrame:
    """Headline indicators of the territory (first row) and of each of its parents, read from the cached
    level tables (no query when changing territory)."""
    ids = [(terr.type, terr.id)] + [(p["type"], f"{p['type']}:{p['code']}") for p in terr.parents]
    rows = [niveau(kind).loc[lambda f, i=tid: f["id"] == i] for kind, tid in ids]
    return pd.concat(rows, ignore_index=True)


@st.cache_data(show_spinner=False, max_entries=128)
def _repartition(tid: str, axe: str, key: tuple[int, int]) -> pd.DataFrame:
    return indicators.repartition(data.con(), tid, axe)


def repartition(terr: Territoire, axe: str) -> pd.DataFrame:
    return _repartition(terr.id, axe, data.db_key())


@st.cache_resource(show_spinner=False, max_entries=8)
def _familles_niveau(type_: str, key: tuple[int, int]) -> pd.DataFrame:
    return data.named_query("familles_pour_1000_niveau", type=type_, perimetre="statistique")


def ratios(terr: Territoire) -> pd.DataFrame:
    """Per-family ratios of the territory, its région and France, read from level-wide cached tables."""
    ids = comparaison.ratios_ids(terr)
    frames = [_familles_niveau(i.split(":", 1)[0], data.db_key()) for i in ids]
    found = pd.concat([f[f["id"] == i] for f, i in zip(frames, ids, strict=True)], ignore_index=True)
    return comparaison.assembler_ratios(terr, found)


@st.cache_data(show_spinner=False, max_entries=64)
def _unites(tid: str, key: tuple[int, int]) -> tuple[str, pd.DataFrame, list[str]]:
    return comparaison.unites(data.con(), data.territoire(tid))


def unites(terr: Territoire) -> tuple[str, pd.DataFrame, list[str]]:
    """(level, indicators per unit, codes outlined) for the map and the table."""
    return _unites(terr.id, data.db_key())


@st.cache_data(show_spinner=False, max_entries=128)
def _concentration(tid: str, key: tuple[int, int]) -> dict:
    return indicators.concentration(indicators.communes_du_territoire(data.con(), data.territoire(tid)))


def concentration(terr: Territoire) -> dict:
    return _concentration(terr.id, data.db_key())


@st.cache_data(show_spinner=False, max_entries=128)
def _publies(tid: str, key: tuple[int, int]) -> pd.DataFrame:
    return indicators.chiffres_publies(data.con(), tid)


def publies(terr: Territoire) -> pd.DataFrame:
    return _publies(terr.id, data.db_key())


@st.cache_resource(show_spinner=False, max_entries=8)
def _pairs_base(type_: str, key: tuple[int, int]) -> pd.DataFrame:
    return data.named_query("pairs_base", type=type_)


def pairs(terr: Territoire) -> pd.DataFrame:
    """Suggested peers (population and rurality), computed from the cached level-wide table."""
    if terr.type == "france":
        return comparaison.pairs_depuis(pd.DataFrame(), terr)
    return comparaison.pairs_depuis(_pairs_base(terr.type, data.db_key()), terr)


@st.cache_data(show_spinner=False, max_entries=128)
def _tableau(tid: str, ids: tuple[str, ...], key: tuple[int, int]) -> pd.DataFrame:
    return comparaison.tableau(data.con(), data.territoire(tid), list(ids))


def tableau(terr: Territoire, ids: list[str]) -> pd.DataFrame:
    """Territory + peers (ranked) + région and France."""
    return _tableau(terr.id, tuple(ids), data.db_key())


@st.cache_resource(show_spinner=False, max_entries=8)
def _niveau(type_: str, key: tuple[int, int]) -> pd.DataFrame:
    return comparaison.niveau(data.con(), type_)


def niveau(type_: str) -> pd.DataFrame:
    """Every territory of a level with its indicators (headline figures, ranks, scatter plot, national map).

    Shared, not copied (``cache_resource``: 35 000 communes would be unpickled at every call): never mutate it.
    """
    return _niveau(type_, data.db_key())


@st.cache_data(show_spinner=False, max_entries=16)
def _polygones(level: str, codes: tuple[str, ...] | None, national: bool, key: tuple[int, int]) -> pd.DataFrame:
    con = data.con()
    frame = maps.contours(con, level, list(codes) if codes is not None else None, national=national)
    if national:
        dom = dict(data.named_query("territoires_niveau_dom", niveau=level)[["code", "dom"]].values)
        frame = maps.insets_dom(frame, dom)
    return frame


def polygones(level: str, codes: list[str] | None, national: bool = False) -> pd.DataFrame:
    """(code, polygon) rows, overseas insets moved next to the mainland on national maps."""
    return _polygones(level, tuple(codes) if codes is not None else None, national, data.db_key())


@st.cache_data(show_spinner=False, max_entries=16)
def _polygones_json(level: str, codes: tuple[str, ...] | None, national: bool, key: tuple[int, int]) -> pd.DataFrame:
    return maps.polygons_json(_polygones(level, codes, national, key))


def polygones_json(level: str, codes: list[str] | None, national: bool = False) -> pd.DataFrame:
    """(code, polygon_json): polygons serialised once per level (the heavy part of a map payload)."""
    return _polygones_json(level, tuple(codes) if codes is not None else None, national, data.db_key())


@st.cache_data(show_spinner=False, max_entries=8)
def _bounds(level: str, codes: tuple[str, ...], key: tuple[int, int]) -> tuple[float, float, float, float]:
    return maps.bounds(data.con(), level, list(codes))


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


def legende_html(breaks: list[float], indicator: str) -> str:
    """Colour classes of a map as inline swatches (grey = secret or no data)."""

    def fmt(v: float) -> str:
        return fmt_value(indicator, v)

    items = maps.legend(breaks, fmt)
    items.append(("#dcdcdc", "secret (s) ou sans donnée"))
    spans = [
        f'<span style="display:inline-flex;align-items:center;margin-right:14px;white-space:nowrap">'
        f'<span style="width:16px;height:12px;background:{c};border:1px solid #999;margin-right:5px;'
        f'display:inline-block"></span>{html.escape(label)}</span>'
        for c, label in items
    ]
    return f'<div style="font-size:0.9rem;line-height:1.9">{"".join(spans)}</div>'


def tooltip_columns(frame: pd.DataFrame, indicator: str) -> pd.DataFrame:
    """HTML-escaped tooltip texts (names come from outside: never trusted as HTML)."""
    return frame.assign(
        t_nom=frame["nom"].astype(str).map(html.escape),
        t_valeur=[html.escape(fmt_value(indicator, v)) for v in frame[indicator]],
        t_pop=[html.escape(fmt_int(v)) for v in frame["population"]],
        t_emp=[html.escape(fmt_int(v)) for v in frame["etablissements_employeurs"]],
    )


TOOLTIP = ("<b>{t_nom}</b><br/>{t_label} : <b>{t_valeur}</b><br/>Établissements employeurs : {t_emp}"
           "<br/>Population : {t_pop}")  # fmt: skip


# ---------------------------------------------------------------- rendering


def entete(terr: Territoire) -> None:
    parents = " · ".join(
        f"{TYPE_LABELS[p['type']]} : {texte_litteral(p['nom'])}" for p in terr.parents if p["type"] != "france"
    )
    st.markdown(f"### {texte_litteral(terr.libelle)}")
    st.caption(f"{TYPE_LABELS[terr.type]} · {fmt_int(terr.population)} habitants (population municipale 2026)"
               + (f" · {parents}" if parents else ""))  # fmt: skip


def cartes_chiffres(terr: Territoire) -> None:
    """Five headline cards, each with its gap to the département, the région and France."""
    heads = chiffres(terr)
    main = heads.iloc[0]
    refs = heads.iloc[1:]
    cols = st.columns(len(CARTES))
    for col, ind in zip(cols, CARTES, strict=True):
        with col.container(border=True):
            value = main[ind]
            aide = indicator_label(ind) + (f". {SECRET_EXPLICATION}" if value == SECRET else "")
            st.metric(CARTES_COURTES[ind], fmt_value(ind, value), help=aide)
            lines = []
            for _, ref in refs.iterrows():
                if ref["type"] == "epci" and terr.type == "commune":
                    continue
                ref_val = fmt_value(ind, ref[ind]) if ind not in COMPTES else ""
                gap = ecart(ind, value, ref[ind])
                label = f"{TYPE_LABELS[ref['type']]}" if ref["type"] == "france" else texte_litteral(ref["nom"])
                lines.append(f"{label} : {ref_val} ({gap})" if ref_val else f"{label} : {gap}")
            if lines:
                st.caption("  \n".join(lines))
    notes = []
    if len(refs):
        notes.append("Sous chaque chiffre : le territoire de référence, avec la part qu'y représente le territoire "
                     "(effectifs) ou l'écart avec lui (taux, en points pour les pourcentages).")  # fmt: skip
    if bool(main["secret"]):
        notes.append(SECRET_EXPLICATION)
    notes.append(f"Périmètre statistique de l'ESS. Source : {texte_litteral(source())}.")
    st.caption(" ".join(notes))


def synthese(terr: Territoire) -> list[str]:
    """Automatic sentences on the position of the territory (never written per territory)."""
    heads = chiffres(terr)
    main = heads.iloc[0]
    refs_rate = [(r["type"], r[INDICATEUR_CARTE]) for _, r in heads.iloc[1:].iterrows()
                 if r["type"] in ("region", "france")]  # fmt: skip
    suggested = pairs(terr)
    rang = None
    if len(suggested):
        level = niveau(terr.type)
        compared = level[level["id"].isin([terr.id, *suggested["id"]])]
        rang = comparaison.rang(compared, terr.id, INDICATEUR_CARTE)
    textes = [phrases.phrase_position(INDICATEUR_CARTE, terr.type, terr.nom, terr.code, main[INDICATEUR_CARTE],
                                      refs_rate, rang, "territoires comparables (voir Comparaisons)")]  # fmt: skip
    if terr.type != "france":
        national = comparaison.rang(niveau(terr.type), terr.id, INDICATEUR_CARTE)
        textes.append(phrases.phrase_rang_national(INDICATEUR_CARTE, terr.type, terr.nom, terr.code, national,
                                                   main[INDICATEUR_CARTE]))  # fmt: skip
    refs_emploi = [(r["type"], r["nom"], r["code"], r["part_emploi_prive"]) for _, r in heads.iloc[1:].iterrows()
                   if r["type"] in ("region", "france")]  # fmt: skip
    textes.append(phrases.phrase_emploi(terr.type, terr.nom, terr.code, main["part_emploi_prive"],
                                        main["salaries_estimes"], refs_emploi))  # fmt: skip
    fam = repartition(terr, "famille")
    par_famille = list(zip(fam["famille"], fam["etablissements_employeurs"], strict=True))
    textes.append(phrases.phrase_familles(terr.type, terr.nom, terr.code, par_famille))
    if terr.type != "commune":
        textes.append(phrases.phrase_concentration(terr.type, terr.nom, terr.code, concentration(terr)))
    textes = [t for t in textes if t]
    with st.container(border=True):
        st.markdown("**En bref**")
        st.markdown("\n".join(f"- {texte_litteral(t)}" for t in textes))
        st.caption(f"Phrases générées automatiquement à partir des données. Source : {texte_litteral(source())}.")
    return textes


def _texte(value: object) -> str:
    return "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)


def publies_affiche(pub: pd.DataFrame, heads: pd.DataFrame, conc: dict | None = None) -> pd.DataFrame:
    """Published figures next to our estimate of the same thing (never mixed, never averaged)."""
    main = heads.iloc[0] if len(heads) else None
    conc = conc or {}
    extra = {"part_commune_principale": ("part_emploi_prive", conc.get("part_commune_principale")),
             "communes_avec_ess": ("etablissements", conc.get("communes_avec_employeur")),
             "communes": ("etablissements", conc.get("communes"))}  # fmt: skip
    rows = []
    for _, r in pub.iterrows():
        code = _texte(r.get("indicateur"))
        estimate, ours = "–", ESTIMATION_PUBLIES.get(code)
        if main is not None and ours:
            estimate = f"{fmt_value(ours, main[ours])} ({phrases.minuscule(indicator_label(ours))})"
        elif code in extra and extra[code][1] is not None:
            estimate = fmt_value(*extra[code])
        publie = _fmt_publie(r.get("valeur"), _texte(r.get("unite")))
        rows.append({
            "Indicateur": _texte(r.get("libelle")) or code,
            "Chiffre publié": f"{_texte(r.get('qualificatif'))} {publie}".strip(),
            "Année": _texte(r.get("annee")).removesuffix(".0"),
            "Périmètre": _texte(r.get("perimetre")) or "territoire entier",
            "Source": " — ".join(x for x in (_texte(r.get("source_document")), _texte(r.get("source_detail"))) if x),
            "Estimation ESS Territoires": estimate,
            "Note": _texte(r.get("note")),
        })  # fmt: skip
    return pd.DataFrame(rows)


def _fmt_publie(valeur: object, unite: str) -> str:
    try:
        number = float(valeur)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return f"{_texte(valeur)} {unite}".strip()
    if unite in ("part", "%"):
        share = number if unite == "part" else number / 100
        return fmt_pct(share, 0 if round(share * 100, 6).is_integer() else 1)
    text = fmt_int(number) if number.is_integer() else fmt_dec(number)
    return f"{text} {unite}".strip()


def chiffres_publies(terr: Territoire) -> None:
    """Panel of published figures (diagnostics, roadmaps), beside our estimate; absent table → nothing."""
    pub = publies(terr)
    if pub.empty:
        return
    shown = publies_affiche(pub, chiffres(terr), concentration(terr))
    with st.expander(f"Chiffres publiés pour ce territoire ({len(shown)})", expanded=True):
        st.caption("Chiffres tirés de documents publiés (diagnostics, feuilles de route) : périmètres et millésimes "
                   "différents de notre estimation ; ils sont présentés côte à côte, jamais mélangés.")  # fmt: skip
        st.dataframe(shown, hide_index=True)
        st.download_button("Télécharger les chiffres publiés (CSV)", csv_bytes(pub), file_name="chiffres_publies.csv",
                           mime="text/csv", key="dl_publies", on_click="ignore")  # fmt: skip


def graphique(spec: charts.Spec, nom: str, donnees: pd.DataFrame, key: str, source_text: str | None = None) -> None:
    """A chart with its source caption and its two downloads: the data (CSV) and the image (PNG)."""
    src = source_text or source()
    st.vega_lite_chart(charts.finalize(spec), width="stretch")
    st.caption(f"Source : {texte_litteral(src)}.")
    png: Callable[[], bytes] = lambda: charts.chart_png(spec, src)  # noqa: E731 - deferred, run on click
    row = st.container(horizontal=True)
    row.download_button("Données (CSV)", export(donnees), file_name=f"{nom}.csv", mime="text/csv",
                        key=f"csv_{key}", on_click="ignore", icon=":material/table:")  # fmt: skip
    row.download_button("Image (PNG)", png, file_name=f"{nom}.png", mime="image/png", key=f"png_{key}",
                        on_click="ignore", icon=":material/image:")  # fmt: skip


def export(frame: pd.DataFrame) -> bytes:
    """CSV of a table shown, without the internal columns (the largest establishment would reveal secrets)."""
    return csv_bytes(frame.drop(columns=[c for c in ("max_salaries", "secret") if c in frame]))


def fichier(terr: Territoire, suffixe: str) -> str:
    """Download file name: ``<type>-<code>-<what>``."""
    return f"{terr.type}-{terr.code}-{suffixe}"


def familles(terr: Territoire) -> None:
    fam = repartition(terr, "famille")
    st.subheader("Les familles de l'ESS")
    if fam.empty:
        qui = texte_litteral(phrases.designation(terr.type, terr.nom, terr.code))
        st.info(f"Aucun établissement de l'ESS n'est recensé dans {qui}.")
        return
    c1, c2 = st.columns(2)
    with c1:
        graphique(charts.barres_familles(fam, "etablissements_employeurs", sous_titre=terr.nom),
                  fichier(terr, "familles-employeurs"), fam, "fam_emp")  # fmt: skip
    with c2:
        graphique(charts.barres_familles(fam, "salaries_estimes", sous_titre=terr.nom),
                  fichier(terr, "familles-salaries"), fam, "fam_sal")  # fmt: skip
    rat = ratios(terr)
    if rat["role"].nunique() > 1 or terr.type == "france":
        sous = "Comparaison avec la région et la France" if terr.type != "region" else "Comparaison avec la France"
        graphique(charts.ratios_familles(rat, sous_titre=sous if terr.type != "france" else None),
                  fichier(terr, "familles-pour-1000-hab"), rat, "fam_ratio")  # fmt: skip


def secteurs_tailles(terr: Territoire) -> None:
    sect = repartition(terr, "secteur")
    st.subheader("Secteurs d'activité et taille des établissements")
    if sect.empty:
        st.info("Pas de secteur ni de taille à montrer : aucun établissement de l'ESS sur ce territoire.")
        return
    graphique(charts.barres_secteurs(sect, "salaries_estimes", sous_titre=terr.nom), fichier(terr, "secteurs"),
              sect, "secteurs")  # fmt: skip
    st.caption("Part de l'ESS dans le secteur : salariés estimés de l'ESS rapportés à l'emploi salarié privé du "
               "secteur sur le territoire, quand il est connu.")  # fmt: skip
    tail = repartition(terr, "taille")
    c1, c2 = st.columns(2)
    with c1:
        graphique(charts.barres_tailles(tail, "etablissements_employeurs", sous_titre=terr.nom),
                  fichier(terr, "tailles-etablissements"), tail, "tailles_emp")  # fmt: skip
    with c2:
        graphique(charts.barres_tailles(tail, "salaries_estimes", sous_titre=terr.nom),
                  fichier(terr, "tailles-salaries"), tail, "tailles_sal")  # fmt: skip


@st.cache_data(show_spinner=False, max_entries=64)
def _carte_unites(tid: str, indicator: str, key: tuple[int, int]) -> tuple[str, list[float], tuple, pd.DataFrame]:
    terr = data.territoire(tid)
    level, frame, outline = _unites(tid, key)
    national = terr.type == "france"
    codes = None if national else tuple(frame["code"])
    polys = _polygones_json(level, codes, national, key)
    values = tooltip_columns(frame, indicator).assign(t_label=html.escape(indicator_label(indicator)))
    records, breaks = maps.choropleth_records(
        polys, values, indicator, ["t_nom", "t_label", "t_valeur", "t_emp", "t_pop"]
    )
    bounds = maps.NATIONAL_BOUNDS if national else _bounds(level, tuple(frame["code"]), key)
    outline_frame = _polygones(level, tuple(outline), False, key) if outline else pd.DataFrame()
    return records, breaks, bounds, outline_frame


def carte(terr: Territoire) -> None:
    """Map of the sub-units (communes, EPCI or départements), colour = chosen indicator, and their table."""
    level, frame, outline = unites(terr)
    what = phrases.NIVEAUX_PLURIEL[level]
    st.subheader(f"Carte des {what}" if terr.type != "commune" else "La commune dans son intercommunalité")
    options = list(indicators.INDICATEURS)
    indicator = st.selectbox("Indicateur de la carte", options, index=options.index(INDICATEUR_CARTE),
                             format_func=indicator_label, key="panorama_indicateur_carte")  # fmt: skip
    if frame.empty:
        st.info("Aucune donnée à cartographier pour ce territoire.")
        return
    records, breaks, bounds, outline_frame = _carte_unites(terr.id, indicator, data.db_key())
    view = maps.view_for_bounds(bounds)
    frames = maps.inset_frames(list(maps.DOM_INSETS)) if terr.type == "france" else None
    deck = maps.choropleth_deck(records, view, TOOLTIP, frames=frames, focus=outline_frame)
    st.pydeck_chart(deck, height=520)
    st.markdown(legende_html(breaks, indicator), unsafe_allow_html=True)
    notes = {"commune": f"{texte_litteral(terr.nom)} est entourée en orange, parmi les communes de son EPCI.",
             "region": "À l'échelle d'une région, la carte et le tableau montrent les EPCI.",
             "france": "À l'échelle nationale, la carte et le tableau montrent les départements (outre-mer en "
                       "encarts)."}  # fmt: skip
    st.caption(" ".join(x for x in (notes.get(terr.type, ""), f"Contours : découpage administratif 2026. "
                                    f"Source : {texte_litteral(source())}.") if x))  # fmt: skip
    table_unites(terr, level, frame)


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
    out["Employeurs / 1 000 hab."] = pd.to_numeric(frame["employeurs_pour_1000_hab"]).round(1).values
    return out


def table_unites(terr: Territoire, level: str, frame: pd.DataFrame) -> None:
    """Sortable table of the map's units (numbers stay numeric; secret figures read « s »)."""
    shown = unites_tableau(frame, level)
    number = st.column_config.NumberColumn(format="localized")
    config = {c: number for c in shown.columns[2:]}
    st.dataframe(shown, hide_index=True, height=min(38 + 35 * len(shown), 420), column_config=config,
                 placeholder=SECRET)  # fmt: skip
    secret = frame["secret"].to_numpy()
    conc = concentration(terr)
    texte = phrases.phrase_concentration(terr.type, terr.nom, terr.code, conc) if terr.type != "commune" else ""
    st.caption(" ".join(x for x in (texte_litteral(texte), SECRET_EXPLICATION if secret.any() else "",
                                    f"Source : {texte_litteral(source())}.") if x))  # fmt: skip
    st.download_button(f"Tableau des {phrases.NIVEAUX_PLURIEL[level]} (CSV)", export(frame),
                       file_name=f"{fichier(terr, FICHIERS_UNITES[level])}.csv", mime="text/csv",
                       key="dl_unites", on_click="ignore", icon=":material/table:")  # fmt: skip


def tableau_chiffres(terr: Territoire) -> None:
    """The headline figures of the territory and its parents, as a table (and CSV)."""
    heads = chiffres(terr)
    st.subheader("Chiffres clés et territoires de référence")
    rows = []
    for _, r in heads.iterrows():
        row = {"Territoire": r["nom"], "Niveau": TYPE_LABELS[r["type"]], "Population": fmt_int(r["population"])}
        row.update({indicator_label(i): fmt_value(i, r[i]) for i in indicators.INDICATEURS})
        rows.append(row)
    st.dataframe(pd.DataFrame(rows), hide_index=True)
    st.caption(f"Périmètre statistique de l'ESS (hors administrations, syndicats, cultes et partis). "
               f"« s » : secret statistique. Source : {texte_litteral(source())}.")  # fmt: skip
    st.download_button("Chiffres clés (CSV)", export(heads), file_name=f"{fichier(terr, 'chiffres-cles')}.csv",
                       mime="text/csv", key="dl_chiffres", on_click="ignore", icon=":material/table:")  # fmt: skip
