"""Chart builders: DataFrame → Vega-Lite chart, shared by the pages and the PNG exports.

Builders are pure and return *unconfigured* Vega-Lite specifications (plain dicts, the JSON Altair would
produce) so they can be combined and cached; ``finalize`` adds the French number locale (``FR_LOCALE``,
Vega's ``formatLocale``) and a projector-friendly theme; ``chart_png`` renders offline with vl-convert,
with the source line under the chart so an exported image always carries its provenance; ``as_altair``
gives the ``alt.Chart`` object when one is wanted.

Why dicts rather than Altair objects: building an Altair chart costs 20 to 80 ms of CPU (schema
validation of every object), seven charts per page broke the 300 ms budget of a territory change;
a dict costs well under a millisecond and renders the same (``st.vega_lite_chart``).
Secret figures (« s ») are kept out of the scales but labelled « s » on the chart.
"""

from __future__ import annotations

import copy
import json
import math
import textwrap
from typing import Any

import pandas as pd

from esscore import ess
from esscore.indicators import SECRET
from esscore.labels import PERCENT_INDICATORS, fmt_int, fmt_value, indicator_label
from esscore.phrases import minuscule
from esscore.text import sans_controles

Spec = dict[str, Any]
SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"
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

# One colour per ESS family, everywhere (charts, legends, exports); colour-blind friendly, readable on a projector,
# each with a contrast of at least 3:1 against the white background (WCAG 2.1 AA for graphics, RGAA 3.3; checked by
# tests/test_charts.py): the orange and the gold were darkened from #E07B28 (2.99:1) and #C9A227 (2.42:1).
FAMILLE_COLORS: dict[str, str] = {
    "Associations": "#2E6DB4",
    "Coopératives": "#C86A1E",
    "Mutuelles": "#2A9D8F",
    "Fondations": "#8E5BA8",
    "Autres organismes privés à but non lucratif": "#8C6D46",
    "Sociétés commerciales de l'ESS": "#A8820C",
}
# Roles in comparisons: the territory studied stands out, references fade from dark to light (every one at 3:1 or
# more against white; « autre »: the grey context of the scatter, drawn behind the territories compared).
ROLE_COLORS: dict[str, str] = {
    "territoire": "#0B6E4F",
    "pair": "#5A9E86",
    "departement": "#3E6385",
    "region": "#6E8FAD",
    "france": "#8696A4",
    "autre": "#D5D9DE",
}
ROLE_LABELS: dict[str, str] = {"departement": "Département", "region": "Région", "france": "France"}
RULE_COLORS: dict[str, str] = {"departement": "#5B7C99", "region": "#B45309", "france": "#7C3AED"}
PEER_POINT = "#C86A1E"
_ROLE_SCALE = {"domain": ["territoire", "pair"], "range": [ROLE_COLORS["territoire"], ROLE_COLORS["pair"]]}
UNI_COLOR = "#2E6DB4"
SHARE_COLOR = "#5A9E86"
TEXT_COLOR = "#1F2937"
WIDTH = 560
FONT = "Source Sans Pro, Arial, sans-serif"


# ---------------------------------------------------------------- helpers


def texte_graphique(texte: object) -> str:
    """Text from outside (names, titles, units) made fit for a chart: one line, nothing XML forbids.

    Line breaks and U+2028/U+2029 become spaces (Vega draws a text on one line anyway); control and bidi
    characters, U+FFFE/U+FFFF and lone surrogates go: vl-convert, which draws the PNG exports and the COPIL
    deck, writes SVG and aborts the whole process on a character XML forbids (a NUL in a name).
    """
    if texte is None or (isinstance(texte, float) and math.isnan(texte)):
        return ""
    propre = sans_controles(str(texte), remplacement=" ")
    propre = "".join(c for c in propre if c not in "\ufffe\uffff" and not "\ud800" <= c <= "\udfff")
    return " ".join(propre.split())


# An axis whose labels were made by ``libelle_sur_lignes``: each « \n » starts a new line (the expression reads the
# data, never embeds it), so a long name is wrapped on a few lines instead of cut at the first.
AXE_SUR_LIGNES: dict[str, Any] = {"labelExpr": "split(datum.label, '\\n')", "labelLimit": 0}


def libelle_sur_lignes(texte: object, largeur: int = 36, lignes: int = 3) -> str:
    """``texte_graphique``'s text wrapped on at most ``lignes`` lines of ``largeur`` characters (the last one ends
    with « … » when the text is longer), for an axis drawn with ``AXE_SUR_LIGNES``."""
    morceaux = textwrap.wrap(texte_graphique(texte), largeur) or [""]
    if len(morceaux) > lignes:
        morceaux = [
            *morceaux[: lignes - 1],
            textwrap.shorten(" ".join(morceaux[lignes - 1 :]), largeur, placeholder=" …"),
        ]
    return "\n".join(morceaux)


def tri_selon(champ: str = "rang") -> dict:
    """Sort of a nominal axis by a numeric data field (``rang``: 0, 1, 2… in the order wanted).

    Why never a list of values (``sort=["Niort", …]``): Vega-Lite copies such a list into a Vega
    *expression*, and a name carrying U+2028 or U+2029 is then a syntax error that blanks the whole chart
    (« Expression parse error »). User text must only ever travel as data.
    """
    return {"field": champ, "op": "min"}


def _numeric(values: pd.Series) -> pd.Series:
    """« s » and text → NaN, so secret figures never reach a scale."""
    return pd.to_numeric(values.where(values != SECRET), errors="coerce")


def _labels(indicator: str, values: pd.Series) -> list[str]:
    """``fmt_value`` of each value (« – » when missing), each distinct value formatted once: a level's scatter
    labels 35 000 communes, many sharing a figure (babel takes ~20 µs a number)."""
    faits: dict[object, str] = {}
    out = []
    for v in values:
        try:
            texte = faits.get(v)
        except TypeError:  # an unhashable value: formatted as it comes
            texte = None
        if texte is None:
            texte = fmt_value(indicator, v) if not _missing(v) else "–"
            try:
                faits[v] = texte
            except TypeError:
                pass
        out.append(texte)
    return out


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _domain_max(values: pd.Series) -> float:
    """Upper bound of a bar scale with room for the value labels; 1 when there is nothing (never NaN:
    NaN is not JSON and the browser would refuse the whole chart)."""
    top = pd.to_numeric(values, errors="coerce").max()
    return float(top) * 1.3 if pd.notna(top) and top > 0 else 1.0


def _values(frame: pd.DataFrame) -> list[dict]:
    """JSON-safe inline rows (NaN → null, numpy → Python)."""
    return json.loads(frame.to_json(orient="records", force_ascii=False))


COUNT_INDICATORS = ("etablissements", "etablissements_employeurs", "salaries_estimes")


def _axis(indicator: str, title: str | None = None, tick_count: int = 5) -> dict:
    """Axis with French formats; percentages as « 40 % » (d3 would print « 40% »); whole ticks for counts."""
    if indicator in PERCENT_INDICATORS:
        return {"title": title, "tickCount": tick_count,
                "labelExpr": "format(datum.value * 100, ',.0f') + '\u202f%'"}  # fmt: skip
    if indicator in COUNT_INDICATORS:
        return {"title": title, "tickCount": tick_count, "tickMinStep": 1, "format": ",d"}
    return {"title": title, "tickCount": tick_count, "format": ",.2~f"}


def etiquettes_lisibles(encoding: dict, taille: int = 12, dx: int = 4) -> list[Spec]:
    """Value labels drawn twice: a thick white outline first, then the text, so that a line or a bar drawn
    under them (the dashed région and France references) never runs through the digits, on screen and in PNG."""
    base = {"type": "text", "align": "left", "dx": dx, "fontSize": taille}
    return [
        {"mark": {**base, "color": "white", "stroke": "white", "strokeWidth": 5, "strokeJoin": "round"},
         "encoding": encoding},
        {"mark": {**base, "color": TEXT_COLOR}, "encoding": encoding},
    ]  # fmt: skip


def description(titre: str, valeurs: list[str], limite: int = 40) -> str:
    """The chart in words, for screen readers (Vega writes it as the chart's ``aria-label``): its title, then
    « nom : valeur » for each bar (at most ``limite``; the full data are in the CSV offered under the chart)."""
    lignes = [texte_graphique(v) for v in valeurs[:limite]]
    reste = f" ; et {len(valeurs) - limite} autres (voir les données)" if len(valeurs) > limite else ""
    entete = f"Graphique : {texte_graphique(titre)}."
    return f"{entete} {' ; '.join(lignes)}{reste}." if lignes else entete


def _title(titre: str, sous_titre: str | None) -> dict:
    return {"text": texte_graphique(titre), "subtitle": texte_graphique(sous_titre), "anchor": "start",
            "fontSize": 17, "subtitleFontSize": 13, "subtitleColor": "#4B5563", "offset": 10}  # fmt: skip


def _height(n: int, per_bar: int = 30) -> int:
    return max(per_bar * max(n, 1), 60)


def _q(field: str, **kw: Any) -> dict:
    return {"field": field, "type": "quantitative", **kw}


def _n(field: str, **kw: Any) -> dict:
    return {"field": field, "type": "nominal", **kw}


def _bar_data(frame: pd.DataFrame, category: str, indicator: str) -> pd.DataFrame:
    data = pd.DataFrame({
        "categorie": frame[category].fillna("Non renseigné").astype(str).values,
        "valeur": _numeric(frame[indicator]).values,
        "etiquette": _labels(indicator, frame[indicator]),
    })  # fmt: skip
    data["valeur_barre"] = data["valeur"].fillna(0)
    return data


def _bars(
    data: pd.DataFrame,
    y: dict,
    color: dict,
    indicator: str,
    titre: str | None,
    sous_titre: str | None,
    width: int = WIDTH,
    per_bar: int = 30,
) -> Spec:
    """Horizontal bars with their value (« s » when secret) written at the end."""
    x_max = _domain_max(data["valeur_barre"])
    label = indicator_label(indicator)
    spec: Spec = {
        "data": {"values": _values(data)},
        "width": width, "height": _height(len(data), per_bar),
        "encoding": {"y": y},
        "layer": [
            {"mark": {"type": "bar", "cornerRadiusEnd": 2},
             "encoding": {"x": _q("valeur_barre", scale={"domain": [0, x_max]}, axis=_axis(indicator, label)),
                          "color": color,
                          "tooltip": [_n("categorie", title=" "), _n("etiquette", title=label)]}},
            {"mark": {"type": "text", "align": "left", "dx": 4, "color": TEXT_COLOR, "fontSize": 12},
             "encoding": {"x": _q("valeur_barre"), "text": _n("etiquette")}},
        ],
    }  # fmt: skip
    if titre:
        spec["title"] = _title(titre, sous_titre)
        spec["description"] = description(titre, _paires(data["categorie"], data["etiquette"]))
    return spec


def _paires(noms: Any, etiquettes: Any) -> list[str]:
    return [f"{n} : {e}" for n, e in zip(noms, etiquettes, strict=True)]


# ---------------------------------------------------------------- builders


def barres_familles(
    frame: pd.DataFrame,
    indicator: str = "etablissements_employeurs",
    titre: str | None = None,
    sous_titre: str | None = None,
) -> Spec:
    """Horizontal bars by ESS family (counts or employees), each family in its own colour."""
    data = _bar_data(frame, "famille", indicator)
    order = [f for f in ess.FAMILLES if f in set(data["categorie"])]
    y = _n("categorie", sort=order, title=None, axis={"labelLimit": 260})
    color = _n("categorie", scale={"domain": list(FAMILLE_COLORS), "range": list(FAMILLE_COLORS.values())},
               legend=None)  # fmt: skip
    return _bars(data, y, color, indicator, titre or indicator_label(indicator), sous_titre)


def barres_secteurs(
    frame: pd.DataFrame, indicator: str = "salaries_estimes", titre: str | None = None, sous_titre: str | None = None
) -> Spec:
    """Bars by sector (sorted), next to the ESS share of the sector's private employment where known."""
    data = _bar_data(frame, "secteur", indicator)
    part = frame["part_ess_secteur"] if "part_ess_secteur" in frame else pd.Series([None] * len(frame))
    part = part.reset_index(drop=True)
    data["part"] = _numeric(part).clip(upper=1.0).values
    data["part_etiquette"] = _labels("part_ess_secteur", part)
    data = data.sort_values("valeur_barre", ascending=False, kind="stable")
    order = list(data["categorie"])
    height = _height(len(data), 26)
    left = _bars(data, _n("categorie", sort=order, title=None, axis={"labelLimit": 240}), {"value": UNI_COLOR},
                 indicator, None, None, width=330, per_bar=26)  # fmt: skip
    left.pop("data")
    right: Spec = {
        "width": 150, "height": height,
        "encoding": {"y": _n("categorie", sort=order, title=None, axis=None)},
        "layer": [
            {"mark": {"type": "bar", "color": SHARE_COLOR, "cornerRadiusEnd": 2},
             "encoding": {"x": _q("part", scale={"domain": [0, 1]},
                                  axis=_axis("part_ess_secteur", "Part ESS du secteur", 3)),
                          "tooltip": [_n("categorie", title="Secteur"), _n("part_etiquette", title="Part ESS")]}},
            {"mark": {"type": "text", "align": "left", "dx": 4, "color": TEXT_COLOR, "fontSize": 12},
             "encoding": {"x": _q("part"), "text": _n("part_etiquette")}},
        ],
    }  # fmt: skip
    titre = titre or f"{indicator_label(indicator)} par secteur"
    texte = [
        f"{c} : {e} (part ESS du secteur : {p})"
        for c, e, p in zip(data["categorie"], data["etiquette"], data["part_etiquette"], strict=True)
    ]
    return {"data": {"values": _values(data)}, "hconcat": [left, right], "spacing": 30,
            "title": _title(titre, sous_titre), "description": description(titre, texte)}  # fmt: skip


def barres_tailles(
    frame: pd.DataFrame,
    indicator: str = "etablissements_employeurs",
    titre: str | None = None,
    sous_titre: str | None = None,
) -> Spec:
    """Bars by size band, in the natural order of the bands; non-employers only in a count of establishments
    (they have no employer establishment and no salarié by definition)."""
    if indicator != "etablissements":
        frame = frame[frame["taille"] != ess.CLASSES_TAILLE[ess.NON_EMPLOYEUR]]
    data = _bar_data(frame, "taille", indicator)
    order = [t for t in ess.ORDRE_TAILLES if t in set(data["categorie"])]
    order += [c for c in data["categorie"] if c not in order]
    y = _n("categorie", sort=order, title=None, axis={"labelLimit": 260})
    return _bars(data, y, {"value": UNI_COLOR}, indicator, titre or f"{indicator_label(indicator)} par taille",
                 sous_titre)  # fmt: skip


def ratios_familles(
    frame: pd.DataFrame,
    indicator: str = "employeurs_pour_1000_hab",
    titre: str | None = None,
    sous_titre: str | None = None,
) -> Spec:
    """Per-1 000-inhabitant ratios by family: the territory against its references (grouped bars).

    ``frame``: famille, nom, role (territoire / departement / region / france), ``indicator``.
    """
    data = pd.DataFrame({
        "famille": frame["famille"].values, "role": frame["role"].values,
        "valeur": _numeric(frame[indicator]).fillna(0).values, "etiquette": _labels(indicator, frame[indicator]),
        "serie": [n if r in ("territoire", "france") else f"{ROLE_LABELS.get(r, r)} · {n}"
                  for n, r in zip(frame["nom"].map(texte_graphique), frame["role"], strict=True)],
    })  # fmt: skip
    roles = [r for r in ("territoire", "departement", "region", "france") if r in set(data["role"])]
    series = [data.loc[data["role"] == r, "serie"].iloc[0] for r in roles]
    data["rang_serie"] = data["role"].map({r: i for i, r in enumerate(roles)})
    order = [f for f in ess.FAMILLES if f in set(data["famille"])]
    label = indicator_label(indicator)
    texte = [f"{f}, {s} : {e}" for f, s, e in zip(data["famille"], data["serie"], data["etiquette"], strict=True)]
    return {
        "data": {"values": _values(data)},
        "width": WIDTH, "height": max(len(order) * (len(series) * 16 + 14), 80),
        "title": _title(titre or f"{label}, par famille", sous_titre),
        "description": description(titre or f"{label}, par famille", texte),
        "encoding": {"y": _n("famille", sort=order, title=None, axis={"labelLimit": 260}),
                     "yOffset": _n("serie", sort=tri_selon("rang_serie"))},
        "layer": [
            {"mark": {"type": "bar", "cornerRadiusEnd": 2},
             "encoding": {"x": _q("valeur", title=label, axis={"format": ",.1f", "tickCount": 5, "title": label}),
                          "color": _n("serie", sort=tri_selon("rang_serie"), title=None,
                                      scale={"domain": series, "range": [ROLE_COLORS[r] for r in roles]},
                                      legend={"orient": "top", "labelLimit": 320, "labelFontSize": 13}),
                          "tooltip": [_n("famille", title="Famille"), _n("serie", title="Territoire"),
                                      _n("etiquette", title=label)]}},
            {"mark": {"type": "text", "align": "left", "dx": 3, "fontSize": 11, "color": TEXT_COLOR},
             "encoding": {"x": _q("valeur"), "text": _n("etiquette")}},
        ],
    }  # fmt: skip


def barres_comparaison(
    frame: pd.DataFrame,
    indicator: str,
    territoire_id: str,
    references: pd.DataFrame | None = None,
    titre: str | None = None,
    sous_titre: str | None = None,
) -> Spec:
    """The chosen indicator for the territory and its peers, sorted, with reference lines (région, France).

    ``frame``: id, nom, ``indicator``; ``references``: nom, role, ``indicator`` (drawn as vertical rules).
    """
    data = pd.DataFrame({
        "id": frame["id"].values, "nom": frame["nom"].map(texte_graphique).values,
        "valeur": _numeric(frame[indicator]).values, "etiquette": _labels(indicator, frame[indicator]),
    })  # fmt: skip
    data["valeur_barre"] = data["valeur"].fillna(0)
    data["role"] = ["territoire" if i == territoire_id else "pair" for i in data["id"]]
    data = data.sort_values("valeur_barre", ascending=False, kind="stable")
    data["rang"] = range(len(data))
    refs = pd.DataFrame(columns=["nom", "role", "valeur", "etiquette", "legende"])
    if references is not None and not references.empty:
        refs = pd.DataFrame({
            "nom": references["nom"].map(texte_graphique).values, "role": references["role"].values,
            "valeur": _numeric(references[indicator]).values, "etiquette": _labels(indicator, references[indicator]),
        }).dropna(subset=["valeur"])  # fmt: skip
        refs["legende"] = [f"{n} : {e}" if r == "france" else f"{ROLE_LABELS.get(r, r)} · {n} : {e}"
                           for n, r, e in zip(refs["nom"], refs["role"], refs["etiquette"], strict=True)]  # fmt: skip
    x_max = _domain_max(pd.concat([data["valeur_barre"], refs["valeur"]], ignore_index=True))
    label = indicator_label(indicator)
    y = _n("nom", sort=tri_selon("rang"), title=None, axis={"labelLimit": 300})
    layers: list[Spec] = [
        {"mark": {"type": "bar", "cornerRadiusEnd": 2},
         "encoding": {"y": y, "x": _q("valeur_barre", scale={"domain": [0, x_max]}, axis=_axis(indicator, label)),
                      "color": _n("role", legend=None, scale=_ROLE_SCALE),
                      "tooltip": [_n("nom", title="Territoire"), _n("etiquette", title=label)]}},
    ]  # fmt: skip
    etiquettes = etiquettes_lisibles({"y": y, "x": _q("valeur_barre"), "text": _n("etiquette")}, 12)
    if len(refs):
        layers.append({
            "data": {"values": _values(refs)},
            "mark": {"type": "rule", "strokeDash": [6, 4], "size": 2},
            "encoding": {"x": _q("valeur"),
                         "color": _n("legende", title=None,
                                     scale={"domain": list(refs["legende"]),
                                            "range": [RULE_COLORS.get(r, "#6B7280") for r in refs["role"]]},
                                     legend={"orient": "top", "labelLimit": 400, "labelFontSize": 13,
                                             "symbolType": "stroke"}),
                         "tooltip": [_n("legende", title="Référence")]},
        })  # fmt: skip
    texte = [f"{n} : {e}" for n, e in zip(data["nom"], data["etiquette"], strict=True)] + list(refs["legende"])
    return {"data": {"values": _values(data)}, "width": WIDTH, "height": _height(len(data)),
            "title": _title(titre or label, sous_titre), "layer": [*layers, *etiquettes],
            "resolve": {"scale": {"color": "independent"}},
            "description": description(titre or label, texte)}  # fmt: skip


def nuage_population(
    frame: pd.DataFrame,
    indicator: str,
    selection: list[str],
    territoire_id: str,
    titre: str | None = None,
    sous_titre: str | None = None,
) -> Spec:
    """Population (log scale) × indicator for every territory of the level; the selection is highlighted."""
    data = pd.DataFrame({
        "id": frame["id"].values, "nom": frame["nom"].astype(str).values,
        "population": pd.to_numeric(frame["population"], errors="coerce").values,
        "valeur": _numeric(frame[indicator]).values,
        # French labels may come precomputed (``etiquettes_nuage``): formatting 35 000 numbers takes time.
        "etiquette": frame["etiquette"].values if "etiquette" in frame else _labels(indicator, frame[indicator]),
        "population_etiquette": (frame["population_etiquette"].values if "population_etiquette" in frame
                                 else _labels("population", frame["population"])),
    }).dropna(subset=["valeur", "population"])  # fmt: skip
    data = data[data["population"] > 0]
    chosen = set(selection)
    data["role"] = ["territoire" if i == territoire_id else "pair" if i in chosen else "autre" for i in data["id"]]
    label = indicator_label(indicator)
    axis_x = {"labelExpr": "format(datum.value, ',.0f')", "tickCount": 6, "title": "Population (échelle logarithmique)"}
    x = _q("population", scale={"type": "log", "nice": False}, axis=axis_x)
    y = _q("valeur", axis=_axis(indicator, label))
    tooltip = [_n("nom", title="Territoire"), _n("population_etiquette", title="Population"),
               _n("etiquette", title=label)]  # fmt: skip
    others = data[data["role"] == "autre"][["nom", "population", "valeur", "etiquette", "population_etiquette"]]
    picked = data[data["role"] != "autre"]
    titre = titre or f"Population et {minuscule(label)}"
    texte = [
        f"{n} ({p} habitants) : {e}"
        for n, p, e in zip(picked["nom"], picked["population_etiquette"], picked["etiquette"], strict=True)
    ]
    return {
        "width": WIDTH, "height": 380, "title": _title(titre, sous_titre),
        "description": description(f"{titre} ; {fmt_int(len(data))} territoires, dont ceux comparés", texte),
        "layer": [
            {"data": {"values": _values(others)},
             "mark": {"type": "circle", "size": 22, "opacity": 0.45, "color": "#AAB4BE"},
             "encoding": {"x": x, "y": y, "tooltip": tooltip}},
            {"data": {"values": _values(picked)},
             "mark": {"type": "circle", "size": 110, "opacity": 1, "stroke": "white", "strokeWidth": 1},
             "encoding": {"x": x, "y": y, "tooltip": tooltip,
                          "color": _n("role", legend=None, scale={"domain": ["territoire", "pair"],
                                                                  "range": [ROLE_COLORS["territoire"], PEER_POINT]})}},
            # Only the territory studied is labelled: peers are alike by construction, their names would overlap.
            {"data": {"values": _values(picked[picked["role"] == "territoire"])},
             "mark": {"type": "text", "align": "left", "dx": 8, "dy": -8, "fontSize": 13, "fontWeight": "bold",
                      "color": ROLE_COLORS["territoire"]},
             "encoding": {"x": x, "y": y, "text": _n("nom")}},
        ],
    }  # fmt: skip


def etiquettes_nuage(frame: pd.DataFrame, indicator: str) -> pd.DataFrame:
    """The columns ``nuage_population`` needs, French labels included (to be computed once per level)."""
    keep = [c for c in ("id", "nom", "population", "departement", "region", indicator) if c in frame]
    return frame[keep].assign(etiquette=_labels(indicator, frame[indicator]),
                              population_etiquette=_labels("population", frame["population"]))  # fmt: skip


# ---------------------------------------------------------------- output


def finalize(spec: Spec) -> Spec:
    """French number locale and a large, sober theme (read on a projector); returns a new top-level spec.

    Single and layered charts fill the container width (``fit-x``) while ``height`` stays the plot height
    (Streamlit's default ``fit`` would squeeze axes and title into it).
    """
    out = copy.copy(spec)
    out["$schema"] = SCHEMA
    if not any(k in spec for k in ("hconcat", "vconcat", "concat", "facet", "repeat")):
        out["autosize"] = {"type": "fit-x", "contains": "padding"}
    out["background"] = "white"
    out["config"] = {
        "locale": FR_LOCALE, "font": FONT, "view": {"stroke": None},
        "axis": {"labelFontSize": 13, "titleFontSize": 13, "labelColor": TEXT_COLOR, "titleColor": TEXT_COLOR,
                 "gridColor": "#E5E7EB"},
        "legend": {"labelFontSize": 13, "titleFontSize": 13},
        "title": {"color": TEXT_COLOR},
    }  # fmt: skip
    return out


def avec_source(spec: Spec, source: str) -> Spec:
    """The chart with « Source : … » underneath (for exported images)."""
    note = {"data": {"values": [{"t": f"Source : {source}"}]}, "width": WIDTH, "height": 14,
            "mark": {"type": "text", "align": "left", "baseline": "top", "fontSize": 11, "color": "#4B5563",
                     "x": 0, "y": 0, "limit": 900},
            "encoding": {"text": _n("t")}}  # fmt: skip
    return {"vconcat": [spec, note], "spacing": 6}


def to_json(spec: Spec) -> str:
    """The finalised specification as JSON text (what the browser receives; NaN would be refused)."""
    return json.dumps(finalize(spec), ensure_ascii=False, allow_nan=False)


def chart_png(spec: Spec, source: str | None = None, scale: float = 2) -> bytes:
    """PNG rendered offline by vl-convert; ``spec`` is a builder result (not yet finalised)."""
    import vl_convert

    full = avec_source(spec, source) if source else spec
    return bytes(vl_convert.vegalite_to_png(to_json(full), scale=scale))


def as_altair(spec: Spec):  # -> alt.TopLevelMixin
    """The same chart as an Altair object (validated; slower: for notebooks and scripts, not the pages)."""
    import altair as alt

    finished = finalize(spec)
    for kind in (alt.HConcatChart, alt.VConcatChart, alt.LayerChart):
        key = {alt.HConcatChart: "hconcat", alt.VConcatChart: "vconcat", alt.LayerChart: "layer"}[kind]
        if key in finished:
            return kind.from_dict(finished)
    return alt.Chart.from_dict(finished)
