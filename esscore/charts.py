"""Altair builders: DataFrame → chart, shared by the pages and the PNG exports.

Builders are pure and return *unconfigured* charts so they can be combined; ``finalize`` adds the
French number locale and a projector-friendly theme, ``chart_png`` renders offline with vl-convert
(with the source line under the chart, so an exported image always carries its provenance).
Secret figures (« s ») are kept out of the scales but labelled « s » on the chart.
"""

from __future__ import annotations

import math

import altair as alt
import pandas as pd

from esscore import ess
from esscore.indicators import SECRET
from esscore.labels import PERCENT_INDICATORS, fmt_value, indicator_label

FR_LOCALE: dict = {
    "number": {"decimal": ",", "thousands": "\u202f", "grouping": [3], "currency": ["", "\u00a0€"]},
    "time": {
        "dateTime": "%A %e %B %Y à %X",
        "date": "%d/%m/%Y",
        "time": "%H:%M:%S",
        "periods": ["", ""],
        "days": ["dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"],
        "shortDays": ["dim.", "lun.", "mar.", "mer.", "jeu.", "ven.", "sam."],
        "months": ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
                   "octobre", "novembre", "décembre"],
        "shortMonths": ["janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.",
                        "nov.", "déc."],
    },
}  # fmt: skip

# One colour per ESS family, everywhere (charts, legends, exports); colour-blind friendly, readable on a projector.
FAMILLE_COLORS: dict[str, str] = {
    "Associations": "#2E6DB4",
    "Coopératives": "#E07B28",
    "Mutuelles": "#2A9D8F",
    "Fondations": "#8E5BA8",
    "Sociétés commerciales de l'ESS": "#C9A227",
}
# Roles in comparisons: the territory studied stands out, references fade from dark to light.
ROLE_COLORS: dict[str, str] = {
    "territoire": "#0B6E4F",
    "pair": "#86B5A3",
    "departement": "#5B7C99",
    "region": "#8FA9C2",
    "france": "#C5D1DC",
    "autre": "#D5D9DE",
}
ROLE_LABELS: dict[str, str] = {"departement": "Département", "region": "Région", "france": "France"}
UNI_COLOR = "#2E6DB4"
TEXT_COLOR = "#1F2937"
WIDTH = 560
FONT = "Source Sans Pro, Arial, sans-serif"


def _numeric(values: pd.Series) -> pd.Series:
    """« s » and text → NaN, so secret figures never reach a scale."""
    return pd.to_numeric(values.where(values != SECRET), errors="coerce")


def _labels(indicator: str, values: pd.Series) -> list[str]:
    return [fmt_value(indicator, v) if not _missing(v) else "–" for v in values]


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _axis(indicator: str, title: str | None = None, tick_count: int = 5) -> alt.Axis:
    """Axis with French formats; percentages as « 40 % » (d3 would print « 40% »)."""
    if indicator in PERCENT_INDICATORS:
        return alt.Axis(title=title, tickCount=tick_count, labelExpr="format(datum.value * 100, ',.0f') + '\u202f%'")
    return alt.Axis(title=title, tickCount=tick_count, format=",.2~f")


def _title(titre: str, sous_titre: str | None) -> alt.TitleParams:
    return alt.TitleParams(text=titre, subtitle=sous_titre or "", anchor="start", fontSize=17, subtitleFontSize=13,
                           subtitleColor="#4B5563", offset=10)  # fmt: skip


def _height(n: int, per_bar: int = 30) -> int:
    return max(per_bar * max(n, 1), 60)


def _bar_data(frame: pd.DataFrame, category: str, indicator: str) -> pd.DataFrame:
    data = pd.DataFrame({
        "categorie": frame[category].fillna("Non renseigné").astype(str),
        "valeur": _numeric(frame[indicator]),
        "etiquette": _labels(indicator, frame[indicator]),
    })  # fmt: skip
    data["valeur_barre"] = data["valeur"].fillna(0)
    return data


def barres_familles(
    frame: pd.DataFrame,
    indicator: str = "etablissements_employeurs",
    titre: str | None = None,
    sous_titre: str | None = None,
) -> alt.LayerChart:
    """Horizontal bars by ESS family (counts or employees), each family in its own colour."""
    data = _bar_data(frame, "famille", indicator)
    order = [f for f in ess.FAMILLES if f in set(data["categorie"])]
    y = alt.Y("categorie:N", sort=order, title=None, axis=alt.Axis(labelLimit=260))
    color = alt.Color("categorie:N", scale=alt.Scale(domain=list(FAMILLE_COLORS), range=list(FAMILLE_COLORS.values())),
                      legend=None)  # fmt: skip
    return _bars(data, y, color, indicator, titre or indicator_label(indicator), sous_titre)


def barres_secteurs(
    frame: pd.DataFrame, indicator: str = "salaries_estimes", titre: str | None = None, sous_titre: str | None = None
) -> alt.HConcatChart:
    """Bars by sector (sorted), next to the ESS share of the sector's private employment where known."""
    data = _bar_data(frame, "secteur", indicator)
    part = frame["part_ess_secteur"] if "part_ess_secteur" in frame else pd.Series([None] * len(frame))
    data["part"] = _numeric(part.reset_index(drop=True)).clip(upper=1.0).values
    data["part_etiquette"] = _labels("part_ess_secteur", part.reset_index(drop=True))
    data = data.sort_values("valeur_barre", ascending=False)
    order = list(data["categorie"])
    y = alt.Y("categorie:N", sort=order, title=None, axis=alt.Axis(labelLimit=260))
    left = _bars(data, y, alt.value(UNI_COLOR), indicator, indicator_label(indicator), None, with_title=False)
    right_base = alt.Chart(data).encode(y=alt.Y("categorie:N", sort=order, title=None, axis=None))
    right = alt.layer(
        right_base.mark_bar(color="#9CC5B5", cornerRadiusEnd=2).encode(
            x=alt.X("part:Q", scale=alt.Scale(domain=[0, 1]),
                    axis=_axis("part_ess_secteur", "Part de l'ESS dans l'emploi privé du secteur", 3)),
            tooltip=[alt.Tooltip("categorie:N", title="Secteur"), alt.Tooltip("part_etiquette:N", title="Part ESS")],
        ),
        right_base.mark_text(align="left", dx=4, color=TEXT_COLOR, fontSize=12).encode(
            x=alt.X("part:Q"), text="part_etiquette:N"),
    ).properties(width=150, height=_height(len(data), 26))  # fmt: skip
    left = left.properties(width=330, height=_height(len(data), 26))
    return alt.hconcat(left, right, spacing=30).properties(
        title=_title(titre or f"{indicator_label(indicator)} par secteur", sous_titre)
    )


def barres_tailles(
    frame: pd.DataFrame,
    indicator: str = "etablissements_employeurs",
    titre: str | None = None,
    sous_titre: str | None = None,
) -> alt.LayerChart:
    """Bars by size band, in the natural order of the bands."""
    data = _bar_data(frame, "taille", indicator)
    order = [t for t in ess.ORDRE_TAILLES if t in set(data["categorie"])]
    order += [c for c in data["categorie"] if c not in order]
    y = alt.Y("categorie:N", sort=order, title=None, axis=alt.Axis(labelLimit=260))
    return _bars(data, y, alt.value(UNI_COLOR), indicator, titre or f"{indicator_label(indicator)} par taille",
                 sous_titre)  # fmt: skip


def _bars(
    data: pd.DataFrame,
    y: alt.Y,
    color: alt.Color | alt.value,
    indicator: str,
    titre: str,
    sous_titre: str | None,
    with_title: bool = True,
) -> alt.LayerChart:
    base = alt.Chart(data).encode(y=y)
    x_max = float(data["valeur_barre"].max() or 1) * 1.18
    bars = base.mark_bar(cornerRadiusEnd=2).encode(
        x=alt.X("valeur_barre:Q", scale=alt.Scale(domain=[0, x_max]),
                axis=_axis(indicator, indicator_label(indicator))),
        color=color,
        tooltip=[alt.Tooltip("categorie:N", title=" "), alt.Tooltip("etiquette:N", title=indicator_label(indicator))],
    )  # fmt: skip
    text = base.mark_text(align="left", dx=4, color=TEXT_COLOR, fontSize=12).encode(
        x="valeur_barre:Q", text="etiquette:N"
    )
    chart = alt.layer(bars, text).properties(width=WIDTH, height=_height(len(data)))
    return chart.properties(title=_title(titre, sous_titre)) if with_title else chart


def ratios_familles(
    frame: pd.DataFrame,
    indicator: str = "employeurs_pour_1000_hab",
    titre: str | None = None,
    sous_titre: str | None = None,
) -> alt.LayerChart:
    """Per-1 000-inhabitant ratios by family: the territory against its references (grouped bars).

    ``frame``: famille, nom, role (territoire / departement / region / france), ``indicator``.
    """
    data = frame.assign(valeur=_numeric(frame[indicator]).fillna(0),
                        etiquette=_labels(indicator, frame[indicator])).copy()  # fmt: skip
    data["serie"] = [n if r in ("territoire", "france") else f"{ROLE_LABELS.get(r, r)} · {n}"
                     for n, r in zip(data["nom"], data["role"], strict=True)]  # fmt: skip
    roles = [r for r in ("territoire", "departement", "region", "france") if r in set(data["role"])]
    series = [data.loc[data["role"] == r, "serie"].iloc[0] for r in roles]
    order = [f for f in ess.FAMILLES if f in set(data["famille"])]
    base = alt.Chart(data).encode(
        y=alt.Y("famille:N", sort=order, title=None, axis=alt.Axis(labelLimit=260)),
        yOffset=alt.YOffset("serie:N", sort=series),
    )
    bars = base.mark_bar(cornerRadiusEnd=2).encode(
        x=alt.X("valeur:Q", title=indicator_label(indicator), axis=alt.Axis(format=",.1f", tickCount=5)),
        color=alt.Color("serie:N", sort=series, title=None,
                        scale=alt.Scale(domain=series, range=[ROLE_COLORS[r] for r in roles]),
                        legend=alt.Legend(orient="top", labelLimit=320, labelFontSize=13)),
        tooltip=[alt.Tooltip("famille:N", title="Famille"), alt.Tooltip("serie:N", title="Territoire"),
                 alt.Tooltip("etiquette:N", title=indicator_label(indicator))],
    )  # fmt: skip
    text = base.mark_text(align="left", dx=3, fontSize=11, color=TEXT_COLOR).encode(x="valeur:Q", text="etiquette:N")
    height = max(len(order) * (len(series) * 16 + 14), 80)
    return alt.layer(bars, text).properties(
        width=WIDTH, height=height,
        title=_title(titre or f"{indicator_label(indicator)}, par famille", sous_titre),
    )  # fmt: skip


def barres_comparaison(
    frame: pd.DataFrame,
    indicator: str,
    territoire_id: str,
    references: pd.DataFrame | None = None,
    titre: str | None = None,
    sous_titre: str | None = None,
) -> alt.LayerChart:
    """The chosen indicator for the territory and its peers, sorted, with reference lines (région, France).

    ``frame``: id, nom, ``indicator``; ``references``: nom, role, ``indicator`` (drawn as vertical rules).
    """
    data = pd.DataFrame({
        "id": frame["id"].values, "nom": frame["nom"].astype(str).values,
        "valeur": _numeric(frame[indicator]).values, "etiquette": _labels(indicator, frame[indicator]),
    })  # fmt: skip
    data["valeur_barre"] = data["valeur"].fillna(0)
    data["role"] = ["territoire" if i == territoire_id else "pair" for i in data["id"]]
    data = data.sort_values("valeur_barre", ascending=False)
    order = list(data["nom"])
    refs = pd.DataFrame(columns=["nom", "role", "valeur", "etiquette"])
    if references is not None and not references.empty:
        refs = pd.DataFrame({
            "nom": references["nom"].astype(str).values, "role": references["role"].values,
            "valeur": _numeric(references[indicator]).values, "etiquette": _labels(indicator, references[indicator]),
        }).dropna(subset=["valeur"])  # fmt: skip
        refs["legende"] = [f"{n} : {e}" if r == "france" else f"{ROLE_LABELS.get(r, r)} · {n} : {e}"
                           for n, r, e in zip(refs["nom"], refs["role"], refs["etiquette"], strict=True)]  # fmt: skip
    x_max = max(float(data["valeur_barre"].max() or 0), float(refs["valeur"].max() if len(refs) else 0)) * 1.18 or 1
    x = alt.X("valeur_barre:Q", scale=alt.Scale(domain=[0, x_max]), axis=_axis(indicator, indicator_label(indicator)))
    base = alt.Chart(data).encode(y=alt.Y("nom:N", sort=order, title=None, axis=alt.Axis(labelLimit=300)))
    bars = base.mark_bar(cornerRadiusEnd=2).encode(
        x=x,
        color=alt.Color("role:N", scale=alt.Scale(domain=["territoire", "pair"],
                                                  range=[ROLE_COLORS["territoire"], ROLE_COLORS["pair"]]), legend=None),
        tooltip=[alt.Tooltip("nom:N", title="Territoire"),
                 alt.Tooltip("etiquette:N", title=indicator_label(indicator))],
    )  # fmt: skip
    text = base.mark_text(align="left", dx=4, fontSize=12, color=TEXT_COLOR).encode(
        x="valeur_barre:Q", text="etiquette:N"
    )
    layers: list[alt.Chart] = [bars, text]
    if len(refs):
        rule_colors = {"departement": "#5B7C99", "region": "#B45309", "france": "#7C3AED"}
        rule = alt.Chart(refs).mark_rule(strokeDash=[6, 4], size=2).encode(
            x=alt.X("valeur:Q"),
            color=alt.Color("legende:N", title=None,
                            scale=alt.Scale(domain=list(refs["legende"]),
                                            range=[rule_colors.get(r, "#6B7280") for r in refs["role"]]),
                            legend=alt.Legend(orient="top", labelLimit=400, labelFontSize=13, symbolType="stroke")),
            tooltip=[alt.Tooltip("legende:N", title="Référence")],
        )  # fmt: skip
        layers.append(rule)
    return alt.layer(*layers).properties(
        width=WIDTH, height=_height(len(data)),
        title=_title(titre or indicator_label(indicator), sous_titre),
    ).resolve_scale(color="independent")  # fmt: skip


def nuage_population(
    frame: pd.DataFrame,
    indicator: str,
    selection: list[str],
    territoire_id: str,
    titre: str | None = None,
    sous_titre: str | None = None,
) -> alt.LayerChart:
    """Population (log scale) × indicator for every territory of the level; the selection is highlighted."""
    data = pd.DataFrame({
        "id": frame["id"].values, "nom": frame["nom"].astype(str).values,
        "population": pd.to_numeric(frame["population"], errors="coerce").values,
        "valeur": _numeric(frame[indicator]).values, "etiquette": _labels(indicator, frame[indicator]),
    }).dropna(subset=["valeur", "population"])  # fmt: skip
    data = data[data["population"] > 0]
    chosen = set(selection)
    data["role"] = ["territoire" if i == territoire_id else "pair" if i in chosen else "autre" for i in data["id"]]
    data["population_etiquette"] = [fmt_value("population", p) for p in data["population"]]
    x = alt.X("population:Q", title="Population (échelle logarithmique)", scale=alt.Scale(type="log", nice=False),
              axis=alt.Axis(format="~s", labelExpr="format(datum.value, ',.0f')", tickCount=6))  # fmt: skip
    y = alt.Y("valeur:Q", axis=_axis(indicator, indicator_label(indicator)))
    tooltip = [alt.Tooltip("nom:N", title="Territoire"), alt.Tooltip("population_etiquette:N", title="Population"),
               alt.Tooltip("etiquette:N", title=indicator_label(indicator))]  # fmt: skip
    others = (
        alt.Chart(data[data["role"] == "autre"])
        .mark_circle(size=22, opacity=0.45, color="#AAB4BE")
        .encode(x=x, y=y, tooltip=tooltip)
    )
    picked = data[data["role"] != "autre"]
    points = alt.Chart(picked).mark_circle(size=110, opacity=1, stroke="white", strokeWidth=1).encode(
        x=x, y=y, tooltip=tooltip,
        color=alt.Color("role:N", scale=alt.Scale(domain=["territoire", "pair"],
                                                  range=[ROLE_COLORS["territoire"], "#E07B28"]), legend=None),
    )  # fmt: skip
    # Only the territory studied is labelled: peers are alike by construction and their names would overlap.
    labels = (
        alt.Chart(data[data["role"] == "territoire"])
        .mark_text(align="left", dx=8, dy=-8, fontSize=13, fontWeight="bold", color=ROLE_COLORS["territoire"])
        .encode(x=x, y=y, text="nom:N")
    )
    return alt.layer(others, points, labels).properties(
        width=WIDTH, height=380, title=_title(titre or f"Population et {indicator_label(indicator).lower()}",
                                              sous_titre),
    )  # fmt: skip


def finalize(chart: alt.TopLevelMixin) -> alt.TopLevelMixin:
    """French number locale and a large, sober theme (read on a projector).

    Single and layered charts fill the container width (``fit-x``) while ``height`` stays the plot height
    (Streamlit's default ``fit`` would squeeze axes and title into it).
    """
    if isinstance(chart, alt.Chart | alt.LayerChart):
        chart = chart.properties(autosize=alt.AutoSizeParams(type="fit-x", contains="padding"))
    return chart.configure(
        locale=FR_LOCALE,
        font=FONT,
        axis={"labelFontSize": 13, "titleFontSize": 13, "labelColor": TEXT_COLOR, "titleColor": TEXT_COLOR,
              "gridColor": "#E5E7EB"},
        legend={"labelFontSize": 13, "titleFontSize": 13},
        title={"color": TEXT_COLOR},
        view={"stroke": None},
        background="white",
    )  # fmt: skip


def avec_source(chart: alt.TopLevelMixin, source: str) -> alt.VConcatChart:
    """The chart with « Source : … » underneath (for exported images)."""
    note = (
        alt.Chart(pd.DataFrame({"t": [f"Source : {source}"]}))
        .mark_text(align="left", baseline="top", fontSize=11, color="#4B5563", x=0, y=0, limit=900)
        .encode(text="t:N")
        .properties(width=WIDTH, height=14)
    )
    return alt.vconcat(chart, note, spacing=6)


def chart_png(chart: alt.TopLevelMixin, source: str | None = None, scale: float = 2) -> bytes:
    """PNG rendered offline by vl-convert; ``chart`` is a builder result (not yet finalised)."""
    import vl_convert

    full = avec_source(chart, source) if source else chart
    return bytes(vl_convert.vegalite_to_png(finalize(full).to_json(), scale=scale))
