"""Benchmark page: state kept in the URL, cards, detail, comparison, amounts chart, toolbox (reads: ``ui.cache``).

Why the URL carries the state: a link pasted in an e-mail or a COPIL minute must reopen the same
selection (``?levier=Financement&q=economie+circulaire&compare=a,b``). Widget values are seeded from the
query string on the first run of the page in a session, then written back after every run. Every text
that comes from the catalogue (which users can extend by import) is made literal
(``esscore.text.texte_litteral``) before it reaches Markdown: cards, fiche, comparison table, labels.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import altair as alt
import pandas as pd
import streamlit as st

from esscore import benchmark as bm
from esscore import benchmark_db
from esscore.charts import texte_graphique, tri_selon
from esscore.exports import XLSX_MIME, Metadonnees, csv_bytes, xlsx_bytes
from esscore.geography import TYPE_LABELS as TERR_LABELS
from esscore.labels import fmt_dec, fmt_int
from esscore.sources import citation
from esscore.text import texte_litteral
from esscore.ui import cache, layout
from esscore.ui.layout import current_territoire_id

# ------------------------------------------------------------------------------------------ source


def source_catalogue() -> str:
    """« producteur, millésime » of the catalogue, from the ``sources`` table."""
    frame = cache.named_query("benchmark_source")
    if frame.empty:
        return "fiches du benchmark (documents sources cités fiche par fiche)"
    row = frame.iloc[0]
    return f"{row['titre']} — {row['producteur']} (millésime : {row['millesime']})"


# ---------------------------------------------------------------------------------------- URL <-> widgets

VUES: dict[str, str] = {
    "fiches": "Fiches",
    "detail": "Fiche détaillée",
    "comparer": "Comparer",
    "montants": "Montants",
    "territoire": "Pour mon territoire",
    "outils": "Boîte à outils",
}
VUE_PAR_LIBELLE = {label: slug for slug, label in VUES.items()}
MAX_COMPARAISON = 4
PAGE_CARTES = 18
TOUTES_ANNEES = 0

# URL parameter → session key of its widget.
CLES: dict[str, str] = {
    "q": "bm_q",
    "levier": "bm_levier",
    "type": "bm_type",
    "region": "bm_region",
    "theme": "bm_theme",
    "annee": "bm_annee",
    "min": "bm_min",
    "max": "bm_max",
    "compare": "bm_compare",
    "fiche": "bm_fiche",
    "vue": "bm_vue",
}
DEFAUTS: dict[str, Any] = {
    "bm_q": "",
    "bm_levier": [],
    "bm_type": [],
    "bm_region": [],
    "bm_theme": [],
    "bm_annee": TOUTES_ANNEES,
    "bm_min": None,
    "bm_max": None,
    "bm_compare": [],
    "bm_fiche": None,
    "bm_vue": VUES["fiches"],
}


def options(frame: pd.DataFrame) -> dict[str, list[Any]]:
    """Choices offered by the filters: only values present in the catalogue, in a stable order."""
    types = set(frame["collectivite_type"].dropna())
    regions = {r for r in frame["region"].dropna()}
    themes = {t for values in frame["thematiques"] for t in values}
    years = {y for values in frame["annees"] for y in values}
    return {
        "bm_levier": list(bm.LEVIERS),
        "bm_type": [t for t in bm.TYPES_COLLECTIVITE if t in types],
        "bm_region": sorted(regions, key=lambda r: bm.REGIONS.get(r, r)),
        "bm_theme": [t for t in bm.THEMATIQUES if t in themes] + sorted(themes - set(bm.THEMATIQUES)),
        "bm_annee": [TOUTES_ANNEES, *sorted(years, reverse=True)],
        "ids": list(frame["id"]),
    }


def _nombre(text: str) -> float | None:
    try:
        value = float(text.replace(",", ".").replace("\u202f", "").replace(" ", ""))
    except ValueError:
        return None
    return value if math.isfinite(value) and value >= 0 else None


def _montant(brut: str) -> float:
    value = _nombre(brut)
    if value is None:
        raise ValueError("pas un montant")
    return value


MONTANT_URL = layout.Regle(_montant, "un montant en euros, nombre positif (ex. 50000)")
TEXTE_URL_MAX = 200


def lire_url(opts: Mapping[str, list[Any]]) -> None:
    """Seed the widgets from the query string, once per visit of the page (a notice for each unknown value)."""
    if "bm_q" in st.session_state:
        return
    url = layout.parametre_url
    state: dict[str, Any] = dict(DEFAUTS)
    state["bm_q"] = url("q", layout.texte_libre(TEXTE_URL_MAX), "")
    state["bm_levier"] = url("levier", bm.LEVIERS, [], plusieurs=True, normaliser=bm.normaliser_texte)
    libelles = {"type": bm.TYPE_LABELS, "region": bm.REGIONS, "theme": {}}
    for param in ("type", "region", "theme"):
        admises = {o: libelles[param].get(o, o) for o in opts[CLES[param]]}
        state[CLES[param]] = url(param, admises, [], plusieurs=True, normaliser=bm.normaliser_texte)
    annees = [str(a) for a in opts["bm_annee"] if a != TOUTES_ANNEES]
    state["bm_annee"] = int(url("annee", annees, TOUTES_ANNEES))
    for param in ("min", "max"):
        state[CLES[param]] = url(param, MONTANT_URL)
    ids = opts["ids"]
    state["bm_compare"] = url("compare", ids, [], plusieurs=True, separateur=",", maximum=MAX_COMPARAISON)
    state["bm_fiche"] = url("fiche", ids)
    vue = url("vue", VUES)
    if vue is not None:
        state["bm_vue"] = VUES[vue]
    elif state["bm_fiche"] is not None:
        state["bm_vue"] = VUES["detail"]
    elif len(state["bm_compare"]) >= 2:
        state["bm_vue"] = VUES["comparer"]
    st.session_state.update(state)


def nettoyer_etat(opts: Mapping[str, list[Any]]) -> None:
    """Drop selected values that are no longer offered (e.g. after a rebuild) before widgets are drawn."""
    for key in ("bm_levier", "bm_type", "bm_region", "bm_theme"):
        current = st.session_state.get(key) or []
        kept = [v for v in current if v in opts[key]]
        if kept != current:
            st.session_state[key] = kept
    ids = set(opts["ids"])
    compare = [i for i in st.session_state.get("bm_compare") or [] if i in ids][:MAX_COMPARAISON]
    if compare != st.session_state.get("bm_compare"):
        st.session_state["bm_compare"] = compare
    if st.session_state.get("bm_fiche") is not None and st.session_state["bm_fiche"] not in ids:
        st.session_state["bm_fiche"] = None
    if st.session_state.get("bm_annee") not in opts["bm_annee"]:
        st.session_state["bm_annee"] = TOUTES_ANNEES


def _format_montant_url(value: float | None) -> str | None:
    if value is None:
        return None
    return str(int(value)) if float(value).is_integer() else str(value)


def etat_url() -> dict[str, str | list[str] | None]:
    """The current selection as query parameters (None or [] = absent)."""
    s = st.session_state
    vue = VUE_PAR_LIBELLE.get(s.get("bm_vue") or "", "fiches")
    return {
        "q": (s.get("bm_q") or "").strip() or None,
        "levier": list(s.get("bm_levier") or []),
        "type": list(s.get("bm_type") or []),
        "region": list(s.get("bm_region") or []),
        "theme": list(s.get("bm_theme") or []),
        "annee": str(s["bm_annee"]) if s.get("bm_annee") else None,
        "min": _format_montant_url(s.get("bm_min")),
        "max": _format_montant_url(s.get("bm_max")),
        "compare": ",".join(s.get("bm_compare") or []) or None,
        "fiche": s.get("bm_fiche"),
        "vue": None if vue == "fiches" else vue,
    }


def ecrire_url() -> None:
    """Write the selection back into the address bar (other parameters, e.g. ``territoire``, untouched)."""
    for param, value in etat_url().items():
        wanted = value if isinstance(value, list) else ([value] if value else [])
        if not wanted:
            if param in st.query_params:
                del st.query_params[param]
        elif st.query_params.get_all(param) != wanted:
            st.query_params[param] = wanted if len(wanted) > 1 else wanted[0]


def reinitialiser() -> None:
    """Callback of « Effacer les filtres » (keeps the comparison, the open fiche and the view)."""
    for key in ("bm_q", "bm_levier", "bm_type", "bm_region", "bm_theme", "bm_annee", "bm_min", "bm_max"):
        st.session_state[key] = DEFAUTS[key]
    st.session_state["bm_nb"] = PAGE_CARTES


def ouvrir_fiche(ident: str) -> None:
    st.session_state["bm_fiche"] = ident
    st.session_state["bm_vue"] = VUES["detail"]


def basculer_comparaison(ident: str) -> None:
    current = list(st.session_state.get("bm_compare") or [])
    if ident in current:
        current.remove(ident)
    elif len(current) >= MAX_COMPARAISON:
        st.toast(f"{MAX_COMPARAISON} fiches au plus dans la comparaison : retirez-en une d'abord.")
        return
    else:
        current.append(ident)
    st.session_state["bm_compare"] = current


def afficher_plus() -> None:
    st.session_state["bm_nb"] = st.session_state.get("bm_nb", PAGE_CARTES) + PAGE_CARTES


# ------------------------------------------------------------------------------------------------ filters


def filtres(opts: Mapping[str, list[Any]]) -> None:
    """Filter widgets in the sidebar (their values live in ``st.session_state`` under ``bm_*``)."""
    with st.sidebar:
        st.markdown("**Filtrer le benchmark**")
        # select_all=False: no English « Select all » entry (an empty filter already means everything)
        st.multiselect("Levier d'action", opts["bm_levier"], key="bm_levier", placeholder="Tous les leviers",
                       select_all=False)  # fmt: skip
        st.multiselect("Type de collectivité", opts["bm_type"], key="bm_type", placeholder="Tous les types",
                       format_func=lambda t: bm.TYPE_LABELS.get(t, t), select_all=False)  # fmt: skip
        st.multiselect("Région", opts["bm_region"], key="bm_region", placeholder="Toutes les régions",
                       format_func=lambda r: bm.REGIONS.get(r, f"Région {r}"), select_all=False)  # fmt: skip
        st.multiselect("Thématique ou filière", opts["bm_theme"], key="bm_theme", placeholder="Toutes",
                       select_all=False)  # fmt: skip
        st.selectbox("Année", opts["bm_annee"], key="bm_annee",
                     format_func=lambda y: "Toutes les années" if y == TOUTES_ANNEES else str(y))  # fmt: skip
        st.number_input("Montant principal minimum (€)", key="bm_min", min_value=0.0, step=10_000.0, format="%.0f",
                        placeholder="aucun", help=AIDE_MONTANT)  # fmt: skip
        st.number_input("Montant principal maximum (€)", key="bm_max", min_value=0.0, step=10_000.0, format="%.0f",
                        placeholder="aucun", help=AIDE_MONTANT)  # fmt: skip
        st.button("Effacer les filtres", on_click=reinitialiser, icon=":material/filter_alt_off:")


AIDE_MONTANT = (
    "Montant principal d'une fiche : son budget total, à défaut son budget annuel, à défaut le montant "
    "maximum par projet. Les fiches sans montant chiffré sont écartées dès qu'un minimum ou un maximum est fixé."
)


def filtrer(frame: pd.DataFrame) -> pd.DataFrame:
    """The catalogue filtered by the current widget values."""
    s = st.session_state
    return bm.filter_catalogue(
        frame,
        leviers=s.get("bm_levier"),
        types=s.get("bm_type"),
        regions=s.get("bm_region"),
        thematiques=s.get("bm_theme"),
        montant_min=s.get("bm_min"),
        montant_max=s.get("bm_max"),
        annee=s.get("bm_annee") or None,
        texte=s.get("bm_q"),
    )


# ------------------------------------------------------------------------------------------- formatting

NATURES: dict[str, str] = {
    "budget_total_eur": "Budget total",
    "budget_annuel_eur": "Budget annuel",
    "montant_par_projet_max_eur": "Montant maximum par projet",
}
AUTRES_CHIFFRES: tuple[tuple[str, str], ...] = (
    ("nombre_projets", "projets"),
    ("nombre_laureats", "lauréats"),
    ("nombre_structures", "structures"),
    ("heures_insertion", "heures d'insertion"),
)


def _present(value: object) -> bool:
    return value is not None and not (isinstance(value, float) and math.isnan(value))


def fmt_euros(value: float | None) -> str:
    """« 1 000 000 € » (French grouping); decimals only when the source gives cents."""
    if not _present(value):
        return "–"
    text = fmt_int(value) if float(value).is_integer() else fmt_dec(value, 2)  # type: ignore[arg-type]
    return f"{text}\u00a0€"


def nature_montant(row: Mapping[str, Any]) -> str | None:
    """Which amount ``montant_principal_eur`` is (same order as ``esscore.benchmark``)."""
    for key, label in NATURES.items():
        if _present(row.get(key)):
            return label
    return None


def chiffre_cle(row: Mapping[str, Any]) -> tuple[str, str] | None:
    """(figure, label) shown large on a card: the main amount, else a count, else None."""
    if _present(row.get("montant_principal_eur")):
        return fmt_euros(row["montant_principal_eur"]), nature_montant(row) or "Montant"
    for key, label in AUTRES_CHIFFRES:
        if _present(row.get(key)):
            return fmt_int(row[key]), label.capitalize()
    return None


def lieu(row: Mapping[str, Any]) -> str:
    """« Métropole · Pays de la Loire » (escaped)."""
    parts = [row.get("collectivite_niveau") or bm.TYPE_LABELS.get(row.get("collectivite_type") or "", "")]
    if _present(row.get("region_nom")):
        parts.append(row["region_nom"])
    return " · ".join(texte_litteral(p) for p in parts if p and _present(p))


def ligne_source(row: Mapping[str, Any]) -> str:
    """« Source : titre (section) — producteur — date » for one entry, title linked to the document (Markdown)."""
    valeurs = [
        row.get(k) if _present(row.get(k)) else None for k in ("source_document", "source_section", "source_date")
    ]
    return f"Source : {citation(*valeurs, markdown=True)}"


def source_boite() -> str:
    """« Source : … » of the Pays toolbox (the ``source`` block of its file), Markdown."""
    src = bm.source_boite_a_outils()
    return f"Source : {citation(src.get('document'), src.get('section'), src.get('date'), markdown=True)}"


def _court(text: str, limit: int) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


def libelle_entree(row: Mapping[str, Any]) -> str:
    """Plain-text label for select boxes: « Titre — Collectivité »."""
    return f"{_court(row.get('titre') or row['id'], 70)} — {row.get('collectivite_nom') or ''}".strip(" —")


# ----------------------------------------------------------------------------------------------- exports

EXPORT_COLUMNS: dict[str, str] = {
    "id": "id",
    "titre": "Titre",
    "collectivite_nom": "Collectivité",
    "collectivite_type": "Type",
    "collectivite_niveau": "Niveau",
    "collectivite_code": "Code territoire",
    "region_nom": "Région",
    "leviers_texte": "Leviers",
    "annees_texte": "Années",
    "montant_principal_eur": "Montant principal (€)",
    "budget_total_eur": "Budget total (€)",
    "budget_annuel_eur": "Budget annuel (€)",
    "montant_par_projet_min_eur": "Montant minimum par projet (€)",
    "montant_par_projet_max_eur": "Montant maximum par projet (€)",
    "nombre_projets": "Nombre de projets",
    "nombre_laureats": "Nombre de lauréats",
    "nombre_structures": "Nombre de structures",
    "heures_insertion": "Heures d'insertion",
    "montants_autre": "Autres chiffres",
    "thematiques_texte": "Thématiques",
    "description": "Description",
    "public_cible": "Public cible",
    "partenaires_texte": "Partenaires",
    "source_document": "Source (document)",
    "source_section": "Source (section)",
    "source_date": "Source (date)",
}


def export_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """The filtered list with French column names (raw numbers: the spreadsheet formats them)."""
    return frame[list(EXPORT_COLUMNS)].rename(columns=EXPORT_COLUMNS)


# What the exports of the catalogue say about it (not the ESS base: no demonstration data in it).
META_BENCHMARK = Metadonnees(source="Catalogue du benchmark ESS Territoires : fiches rédigées d'après des documents "
                             "publics, document cité sur chaque ligne")  # fmt: skip


def export_csv(frame: pd.DataFrame) -> bytes:
    return csv_bytes(export_frame(frame), META_BENCHMARK)


def export_xlsx(frame: pd.DataFrame) -> Callable[[], bytes]:
    """The same list as an xlsx workbook, built only when someone clicks."""
    vue = export_frame(frame)
    return lambda: xlsx_bytes(vue, META_BENCHMARK, titre="Benchmark")


def fiches_markdown(ids: Iterable[str], entries: Mapping[str, dict[str, Any]]) -> str:
    """All the fiches of a selection in one Markdown document (one per section)."""
    parts = [bm.fiche_markdown(entries[i]) for i in ids if i in entries]
    return "# Benchmark des politiques ESS — fiches\n\n" + "\n---\n\n".join(parts)


# ---------------------------------------------------------------------------------------------- compare

LIGNES_COMPARAISON: tuple[str, ...] = (
    "Collectivité",
    "Niveau",
    "Région",
    "Leviers",
    "Années",
    *NATURES.values(),
    "Montant minimum par projet",
    "Projets",
    "Lauréats",
    "Structures",
    "Heures d'insertion",
    "Autres chiffres",
    "Thématiques",
    "Public cible",
    "Partenaires",
    "Résultats",
    "Source",
)


def tableau_comparaison(entries: list[dict[str, Any]], markdown: bool = True) -> pd.DataFrame:
    """One column per entry, one row per characteristic; cells escaped for ``st.table`` when ``markdown``."""
    e = texte_litteral if markdown else (lambda text: "" if text is None else str(text))
    columns: dict[str, list[str]] = {}
    for entry in entries:
        coll = entry.get("collectivite") or {}
        montants = entry.get("montants") or {}
        source = entry.get("source") or {}

        def euros(key: str, montants: Mapping[str, Any] = montants) -> str:
            return fmt_euros(montants.get(key)) if montants.get(key) is not None else "–"

        def count(key: str, montants: Mapping[str, Any] = montants) -> str:
            return fmt_int(montants.get(key)) if montants.get(key) is not None else "–"

        src = citation(source.get("document"), source.get("section"), source.get("date"), markdown=markdown)
        values = [
            e(coll.get("nom")),
            e(coll.get("niveau") or bm.TYPE_LABELS.get(coll.get("type") or "", "")),
            e(bm.REGIONS.get(coll.get("region") or "", "–")),
            e(" · ".join(entry.get("leviers") or [])),
            ", ".join(str(y) for y in entry.get("annees") or []) or "–",
            *(euros(key) for key in NATURES),
            euros("montant_par_projet_min_eur"),
            count("nombre_projets"),
            count("nombre_laureats"),
            count("nombre_structures"),
            count("heures_insertion"),
            e(montants.get(bm.MONTANT_AUTRE)) or "–",
            e(", ".join(entry.get("thematiques") or [])) or "–",
            e(entry.get("public_cible")) or "–",
            e(", ".join(entry.get("partenaires") or [])) or "–",
            e(entry.get("resultats")) or "–",
            src or "–",
        ]
        title = e(_court(entry.get("titre") or entry["id"], 80))
        while title in columns:
            title += " "  # two entries with the same title keep two columns
        columns[title] = values
    table = pd.DataFrame(columns, index=list(LIGNES_COMPARAISON))
    return table[~table.eq("–").all(axis=1)]  # a characteristic no compared entry documents is left out


# ------------------------------------------------------------------------------------------------ chart

FR_NUMBER_LOCALE = {"number": {"decimal": ",", "thousands": "\u202f", "grouping": [3], "currency": ["", "\u00a0€"]}}
# Contrast against white of at least 3:1 each (WCAG 2.1 AA for graphics, the palette of esscore.charts).
NATURE_COLORS = {"Budget total": "#0B6E4F", "Budget annuel": "#2E6DB4", "Montant maximum par projet": "#C86A1E"}


def donnees_montants(frame: pd.DataFrame) -> pd.DataFrame:
    """Entries with a main amount, largest first, with a unique readable label and a French figure."""
    rows = frame[frame["montant_principal_eur"].notna()].copy()
    rows = rows.sort_values("montant_principal_eur", ascending=False, kind="stable")
    labels: list[str] = []
    for row in rows.to_dict("records"):
        label = texte_graphique(f"{_court(row['titre'], 48)} — {_court(row['collectivite_nom'] or '', 28)}")
        while label in labels:
            label += " "
        labels.append(label)
    return pd.DataFrame({
        "libelle": labels,
        "rang": range(len(labels)),  # the bars' order (never a list of titles: see charts.tri_selon)
        "montant": rows["montant_principal_eur"].to_numpy(),
        "montant_texte": [fmt_euros(v) for v in rows["montant_principal_eur"]],
        "nature": [nature_montant(r) for r in rows.to_dict("records")],
        "titre": rows["titre"].to_numpy(),
        "collectivite": rows["collectivite_nom"].to_numpy(),
        "id": rows["id"].to_numpy(),
    })  # fmt: skip


def _puissances_de_10(low: float, high: float) -> list[int]:
    """Tick values of a log axis: 10 000, 100 000, 1 000 000… (no crowded minor ticks)."""
    return [10**k for k in range(round(math.log10(low)), math.floor(math.log10(high * 8)) + 1)]


def graphique_montants(frame: pd.DataFrame, log: bool = False) -> alt.Chart | None:
    """Horizontal bars of the main amount of each entry, coloured by what the amount is; None if none."""
    chart_data = donnees_montants(frame)
    if chart_data.empty:
        return None
    top = float(chart_data["montant"].max())
    if log:
        low = 10.0 ** math.floor(math.log10(float(chart_data["montant"].min()) / 2))  # smallest bar stays visible
        scale = alt.Scale(type="log", domain=[low, top * 8])
        axis = alt.Axis(title="Montant (€, échelle logarithmique)", format=",.0f", values=_puissances_de_10(low, top))
    else:
        scale = alt.Scale(domain=[0, top * 1.25])
        axis = alt.Axis(title="Montant (€)", format=",.0f", tickCount=5)
    base = alt.Chart(chart_data).encode(
        y=alt.Y("libelle:N", sort=tri_selon("rang"), title=None, axis=alt.Axis(labelLimit=420, labelFontSize=13))
    )
    baseline = {"x2": alt.datum(scale.domain[0])} if log else {}  # a log scale has no zero to start bars from
    bars = base.mark_bar(cornerRadiusEnd=2, height={"band": 0.7}).encode(
        x=alt.X("montant:Q", scale=scale, axis=axis),
        **baseline,
        color=alt.Color(
            "nature:N",
            title="Montant affiché",
            scale=alt.Scale(domain=list(NATURE_COLORS), range=list(NATURE_COLORS.values())),
            legend=alt.Legend(orient="top", labelFontSize=13, titleFontSize=13),
        ),
        tooltip=[
            alt.Tooltip("titre:N", title="Fiche"),
            alt.Tooltip("collectivite:N", title="Collectivité"),
            alt.Tooltip("nature:N", title="Montant"),
            alt.Tooltip("montant_texte:N", title="Valeur"),
        ],
    )
    text = base.mark_text(align="left", dx=5, fontSize=13, color="#1F2937").encode(
        x=alt.X("montant:Q", scale=scale), text="montant_texte:N"
    )
    chart = alt.layer(bars, text).properties(height=max(34 * len(chart_data), 80))
    return chart.configure(locale=FR_NUMBER_LOCALE).configure_view(stroke=None)


# ------------------------------------------------------------------------------------------------ render


def badges(row: Mapping[str, Any]) -> str:
    """Lever badges (fixed vocabulary) plus the territory and local-addition markers."""
    parts = [f":blue-badge[{lev}]" for lev in row.get("leviers") or [] if lev in bm.LEVIERS]
    if row.get("chez_vous"):
        parts.insert(0, ":orange-badge[:material/home: Votre territoire]")
    elif row.get("comparable"):
        parts.insert(0, ":green-badge[:material/compare_arrows: Collectivité comparable]")
    if row.get("origine") == "ajout":
        parts.append(":gray-badge[Ajout local]")
    return " ".join(parts)


def carte(row: Mapping[str, Any], compare: list[str], prefix: str = "bm") -> None:
    """One readable card: title, who and where, levers, key figure, years, short description, source."""
    ident = row["id"]
    with st.container(border=True, key=f"{prefix}_carte_{ident}"):
        st.markdown(f"**{texte_litteral(row['titre'])}**")
        st.markdown(f"{texte_litteral(row.get('collectivite_nom') or '')}  \n:gray[{lieu(row)}]")
        st.markdown(badges(row))
        figure = chiffre_cle(row)
        if figure:
            st.markdown(f"### {figure[0]}\n:gray[{texte_litteral(figure[1])}]")
        else:
            st.markdown(":gray[Montant non chiffré par la source]")
        if row.get("annees"):
            st.markdown(f"**Années :** {', '.join(str(y) for y in row['annees'])}")
        if _present(row.get("description")) and row.get("description"):
            st.markdown(texte_litteral(_court(row["description"], 180)))
        st.caption(ligne_source(row))
        left, right = st.columns(2)
        left.button("Voir la fiche", key=f"{prefix}_voir_{ident}", on_click=ouvrir_fiche, args=(ident,),
                    icon=":material/description:", width="stretch")  # fmt: skip
        inside = ident in compare
        right.button("Retirer" if inside else "Comparer", key=f"{prefix}_cmp_{ident}", on_click=basculer_comparaison,
                     args=(ident,), icon=":material/check_box:" if inside else ":material/add:",
                     width="stretch")  # fmt: skip


def cartes(frame: pd.DataFrame, colonnes: int = 3, limit: int | None = None, prefix: str = "bm") -> None:
    """Cards in a grid, a page at a time (« Afficher plus » unless ``limit`` is given)."""
    compare = list(st.session_state.get("bm_compare") or [])
    paged = limit is None
    limit = int(st.session_state.get("bm_nb", PAGE_CARTES)) if limit is None else limit
    rows = frame.head(limit).to_dict("records")
    for start in range(0, len(rows), colonnes):
        cols = st.columns(colonnes)
        for col, row in zip(cols, rows[start : start + colonnes], strict=False):
            with col:
                carte(row, compare, prefix)
    if paged and len(frame) > limit:
        st.button(f"Afficher plus ({len(frame) - limit} autres fiches)", on_click=afficher_plus,
                  icon=":material/expand_more:")  # fmt: skip


def boutons_entrees(ids: Iterable[str], titres: Mapping[str, str], key: str) -> None:
    """Link-like buttons that open the fiche of each catalogue entry."""
    known = [i for i in ids if i in titres]
    if not known:
        return
    with st.container(horizontal=True, gap="small"):
        for n, ident in enumerate(known):
            st.button(texte_litteral(_court(titres[ident], 60)), key=f"{key}_{n}_{ident}", on_click=ouvrir_fiche,
                      args=(ident,), type="tertiary", icon=":material/arrow_forward:")  # fmt: skip


def boite(frame: pd.DataFrame, titres: Mapping[str, str]) -> None:
    """The « Pays et ESS » toolbox: axes → orientations (expanders) → actions → examples with links."""
    for axe, par_axe in frame.groupby("axe", sort=False):
        st.subheader(texte_litteral(axe))
        for orientation, par_orientation in par_axe.groupby("orientation", sort=False):
            with st.expander(texte_litteral(orientation)):
                for action, par_action in par_orientation.groupby("action", sort=False):
                    st.markdown(f"**{texte_litteral(action)}**")
                    for row in par_action.to_dict("records"):
                        st.markdown(f"- {texte_litteral(row['exemple'])}")
                        boutons_entrees(row["entrees"], titres, key=f"bm_bao_{row['ordre']}")


def apparait_dans_boite(frame: pd.DataFrame, ident: str) -> pd.DataFrame:
    """Toolbox examples that cite this entry."""
    return frame[[ident in values for values in frame["entrees"]]]


def _population(value: object) -> str:
    return f"{fmt_int(value)} hab." if _present(value) else "population inconnue"


def tableau_comparables(frame: pd.DataFrame) -> pd.DataFrame:
    """Comparable entries as a compact table (plain text: ``st.dataframe`` does not render Markdown).

    Collectivités whose size is known to be close come first, then those of unknown size (Pays).
    """
    rows = frame[frame["comparable"]].copy()
    rows["_rang"] = rows["rapport_taille"].isna().astype(int)
    rows = rows.sort_values("_rang", kind="stable")
    return pd.DataFrame({
        "Fiche": rows["titre"],
        "Collectivité": rows["collectivite_nom"],
        "Population": [_population(p) for p in rows["population_collectivite"]],
        "Taille / la vôtre": [f"×{fmt_dec(v, 1)}" if _present(v) else "–" for v in rows["rapport_taille"]],
        "Leviers": rows["leviers_texte"],
        "Montant principal": [fmt_euros(v) for v in rows["montant_principal_eur"]],
    })  # fmt: skip


def exemples_par_levier(frame: pd.DataFrame, levier: str, n: int = 3) -> pd.DataFrame:
    """Entries using a lever, comparable collectivités first, then those with a figure."""
    rows = frame[[levier in values for values in frame["leviers"]]].copy()
    rows["_rang"] = (~rows["comparable"]).astype(int) * 2 + rows["montant_principal_eur"].isna().astype(int)
    return rows.sort_values("_rang", kind="stable").head(n)


def avec_territoire(frame: pd.DataFrame, terr: Any) -> pd.DataFrame:
    """Catalogue annotated for a territory (``comparable``, ``chez_vous``…); unchanged without one."""
    if terr is None:
        out = frame.copy()
        out["comparable"] = False
        out["chez_vous"] = False
        out["rapport_taille"] = float("nan")
        return out
    return benchmark_db.comparer_au_territoire(frame, terr.id, terr.type, terr.population)


def bouton_telechargement(
    label: str,
    payload: bytes | str | Callable[[], bytes],
    file_name: str,
    mime: str,
    key: str,
    help: str | None = None,
) -> None:
    """A download button that does not rerun the page (the file is already computed).

    Prefer no ``help``: Streamlit then draws the button twice (one copy hidden), which confuses locators.
    """
    st.download_button(label, payload, file_name=file_name, mime=mime, key=key, help=help,
                       icon=":material/download:", on_click="ignore")  # fmt: skip


# ------------------------------------------------------------------------------------------------- views


def vue_detail(frame: pd.DataFrame, annotated: pd.DataFrame) -> None:
    """One entry in full (the one-page fiche), its Markdown download and its place in the toolbox."""
    entries = cache.benchmark_entrees()
    labels = dict(zip(frame["id"], (libelle_entree(r) for r in frame.to_dict("records")), strict=True))
    # persist_state="page": the choice survives while another tab is shown (tabs run lazily)
    st.selectbox("Fiche", list(labels), key="bm_fiche", format_func=lambda i: labels.get(i, i), index=None,
                 persist_state="page",
                 placeholder="Choisissez une fiche (ou cliquez « Voir la fiche » sur une carte)")  # fmt: skip
    ident = st.session_state.get("bm_fiche")
    if not ident or ident not in entries:
        st.info("Aucune fiche ouverte : choisissez-en une ci-dessus ou depuis l'onglet « Fiches ».")
        return
    row = annotated.set_index("id").loc[ident].to_dict() | {"id": ident}
    with st.container(border=True, key="bm_fiche_detail"):
        marks = badges({**row, "leviers": []})
        if marks:
            st.markdown(marks)
        st.markdown(bm.fiche_markdown(entries[ident]))
    left, right = st.columns(2)
    with left:
        bouton_telechargement("Télécharger la fiche (Markdown)", bm.fiche_markdown(entries[ident]),
                              f"benchmark-{ident}.md", "text/markdown", key="bm_dl_fiche")  # fmt: skip
    with right:
        inside = ident in (st.session_state.get("bm_compare") or [])
        st.button("Retirer de la comparaison" if inside else "Ajouter à la comparaison", key="bm_cmp_detail",
                  on_click=basculer_comparaison, args=(ident,), icon=":material/compare_arrows:")  # fmt: skip
    cited = apparait_dans_boite(cache.boite_a_outils(), ident)
    if not cited.empty:
        st.markdown("**Citée dans la boîte à outils « Pays et ESS » :**")
        for r in cited.to_dict("records"):
            st.markdown(f"- {texte_litteral(r['orientation'])} → {texte_litteral(r['exemple'])}")


def vue_comparer(frame: pd.DataFrame) -> None:
    """Side by side: one column per entry (2 to 4)."""
    labels = dict(zip(frame["id"], (libelle_entree(r) for r in frame.to_dict("records")), strict=True))
    st.multiselect("Fiches à comparer (2 à 4)", list(labels), key="bm_compare", max_selections=MAX_COMPARAISON,
                   persist_state="page", format_func=lambda i: labels.get(i, i),
                   placeholder="Choisissez des fiches", select_all=False)  # fmt: skip
    ids = list(st.session_state.get("bm_compare") or [])
    if len(ids) < 2:
        st.info("Choisissez au moins deux fiches ci-dessus, ou cliquez « Comparer » sur les cartes.")
        return
    entries = cache.benchmark_entrees()
    chosen = [entries[i] for i in ids if i in entries]
    st.table(tableau_comparaison(chosen))
    left, right = st.columns(2)
    with left:
        tableau = tableau_comparaison(chosen, markdown=False).reset_index(names="Rubrique")
        bouton_telechargement("Télécharger la comparaison (CSV)", csv_bytes(tableau, META_BENCHMARK),
                              "benchmark-comparaison.csv", "text/csv", key="bm_dl_cmp")  # fmt: skip
        bouton_telechargement("Télécharger la comparaison (xlsx)",
                              lambda: xlsx_bytes(tableau, META_BENCHMARK, titre="Comparaison"),
                              "benchmark-comparaison.xlsx", XLSX_MIME, key="bm_dl_cmp_xlsx")  # fmt: skip
    with right:
        bouton_telechargement("Télécharger ces fiches (Markdown)", fiches_markdown(ids, entries),
                              "benchmark-comparaison.md", "text/markdown", key="bm_dl_cmp_md")  # fmt: skip


def vue_montants(found: pd.DataFrame) -> None:
    with_amount = found["montant_principal_eur"].notna()
    if not with_amount.any():
        st.info("Aucune des fiches retenues n'a de montant chiffré.")
        return
    values = found.loc[with_amount, "montant_principal_eur"]
    log_default = bool(values.max() / max(values.min(), 1) > 100)
    log = st.toggle("Échelle logarithmique (montants d'ordres de grandeur très différents)", value=log_default,
                    key="bm_log")  # fmt: skip
    chart = graphique_montants(found, log=log)
    if chart is not None:
        st.altair_chart(chart, width="stretch")
    st.caption(
        f"{int(with_amount.sum())} fiche(s) chiffrée(s) sur {len(found)}. {AIDE_MONTANT} Les natures de montant "
        "(couleurs) ne sont pas directement comparables."
    )
    st.caption(f"Source : {texte_litteral(source_catalogue())} ; document et section cités sur chaque fiche.")


def vue_territoire(terr: Any, annotated: pd.DataFrame) -> None:
    """« Pour mon territoire »: comparable collectivités and the levers its roadmap does not use yet.

    Works on the whole catalogue (not the filtered list), so that a lever filter does not hide examples.
    """
    if terr is None:
        st.markdown(
            "Choisissez votre territoire pour repérer les collectivités **de même niveau et de taille "
            "comparable** (population entre un tiers et trois fois la vôtre) et les **leviers que votre "
            "feuille de route n'utilise pas encore**."
        )
        st.button("Choisir mon territoire", on_click=choisir_territoire, type="primary", icon=":material/place:")
        return
    st.markdown(f"#### {texte_litteral(terr.libelle)}")
    st.caption(f"{TERR_LABELS.get(terr.type, terr.type)} · {_population(terr.population)} "
               "· Source : découpage administratif 2026, populations légales (INSEE)")  # fmt: skip
    niveaux = benchmark_db.NIVEAUX_COMPARABLES.get(terr.type)
    chez_vous = annotated[annotated["chez_vous"]]
    comparables = annotated[annotated["comparable"]]
    if not niveaux:
        st.info("Aucun niveau de collectivité du catalogue n'est comparable à la France entière.")
    else:
        noms = ", ".join(bm.TYPE_LABELS[n].lower() for n in niveaux)
        st.markdown(f"**{len(comparables)} fiche(s) de collectivités comparables** sur les {len(annotated)} du "
                    f"catalogue : même niveau ({texte_litteral(noms)}), population entre "
                    "0,33 et 3 fois la vôtre quand elle est connue (les Pays n'ont pas de population de "
                    "référence).")  # fmt: skip
        taille_connue = comparables[comparables["rapport_taille"].notna()]
        if not taille_connue.empty:
            st.markdown(f"**De taille comparable ({len(taille_connue)})**")
            cartes(taille_connue.sort_values("rapport_taille", key=lambda r: (r.map(math.log)).abs()),
                   limit=6, prefix="bm_terr")  # fmt: skip
        if not comparables.empty:
            with st.expander(f"Toutes les fiches comparables ({len(comparables)}), Pays compris"):
                st.dataframe(tableau_comparables(annotated), hide_index=True, width="stretch",
                             column_config={"Fiche": st.column_config.TextColumn(width="large")})  # fmt: skip
            st.caption("Ces fiches portent la mention « Collectivité comparable » et viennent en premier "
                       "dans l'onglet « Fiches ».")  # fmt: skip
    leviers_a_explorer(terr, annotated)
    if not chez_vous.empty:
        with st.expander(f"Déjà au catalogue pour votre territoire ({len(chez_vous)})"):
            boutons_entrees(chez_vous["id"], dict(zip(annotated["id"], annotated["titre"], strict=True)), "bm_chez")


def leviers_a_explorer(terr: Any, annotated: pd.DataFrame) -> None:
    """Levers none of the territory's roadmap actions uses, each with a few example fiches."""
    st.markdown("#### Leviers que votre feuille de route n'utilise pas encore")
    docs = benchmark_db.feuilles_du_territoire(cache.feuilles_de_route(), terr.id)
    if not docs:
        st.info("Aucune feuille de route n'est enregistrée pour ce territoire : impossible de repérer les "
                "leviers qu'elle n'utilise pas encore. Importez-la (page « Feuille de route » ou "
                "ligne de commande) pour activer cette analyse.")  # fmt: skip
        return
    titres_fdr = ", ".join(f"« {texte_litteral(d.get('titre') or d.get('id'))} »" for d in docs)
    manquants = benchmark_db.leviers_manquants(docs)
    st.caption(f"Feuille(s) de route : {titres_fdr} — leviers relevés sur ses actions.")
    if not manquants:
        st.success("Toutes les actions réunies couvrent déjà les huit leviers du benchmark.")
        return
    titres = dict(zip(annotated["id"], annotated["titre"], strict=True))
    for lev in manquants:
        with_lever = annotated[[lev in values for values in annotated["leviers"]]]
        n_comp = int(with_lever["comparable"].sum())
        st.markdown(f":blue-badge[{lev}] **{len(with_lever)} fiche(s)** l'illustrent"
                    + (f", dont {n_comp} de collectivités comparables" if n_comp else "") + ".")  # fmt: skip
        boutons_entrees(exemples_par_levier(with_lever, lev)["id"], titres, key=f"bm_lev_{lev}")


def choisir_territoire() -> None:
    """Callback: compare with the territory of the session (or the default), kept in the URL."""
    st.query_params["territoire"] = current_territoire_id()
