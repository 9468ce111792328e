"""The deck's map: an Altair choropleth rendered offline to PNG by vl-convert (never a web service).

The map is the only picture of the deck: bar charts are native PowerPoint charts (``gabarit.Diapo.barres``),
whose data stay editable. Sizes are given in inches of slide and text in pixels so that, placed on the slide,
the map stays sharp on a projector; its legend is French text beside it (``classes_carte``). The colours of
the charts (territory and peers, roadmap states) are here too.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import altair as alt
import pandas as pd
import vl_convert as vlc

from esscore import labels

PX_PAR_IN = 96  # chart pixels per inch of slide: 20 px of chart text = 15 pt once placed
ECHELLE_PNG = 2  # PNG rendered at twice the placed size, sharp on a projector
POLICE_GRAPHIQUE_PX = 20
COULEUR_TERRITOIRE = "#1F3A5F"  # the territory among its peers
COULEUR_AUTRES = "#9FB3C8"
COULEURS_ETATS: dict[str, str] = {
    "réalisée": "#2F855A",
    "en cours": "#3182CE",
    "prévue": "#A0AEC0",
    "en retard": "#C53030",
    "abandonnée": "#4A5568",
}
PALETTE_CARTE = ["#EDF8FB", "#CCECE6", "#99D8C9", "#66C2A4", "#2CA25F", "#006D2C"]
SANS_DONNEE = "#DCDCDC"


def _config(chart: alt.TopLevelMixin) -> alt.TopLevelMixin:
    taille = POLICE_GRAPHIQUE_PX
    return (
        chart.configure(font="Liberation Sans, Arial, sans-serif")
        .configure_axis(
            labelFontSize=taille, titleFontSize=taille, labelColor="#1F2937", titleColor="#1F2937", labelLimit=520
        )
        .configure_legend(labelFontSize=taille, titleFontSize=taille, labelLimit=400)
        .configure_view(stroke=None)
    )


def png(chart: alt.TopLevelMixin, datasets: Mapping[str, Any] | None = None) -> bytes:
    """Render offline (vl-convert, French number locale) at twice the placed size.

    Big inline data (map polygons) is passed as named ``datasets`` and added to the spec afterwards: Altair
    walks every value of inline data when building the spec, which takes seconds for a region's communes.
    """
    spec = _config(chart).to_dict(validate=False)
    if datasets:
        spec.setdefault("datasets", {}).update(datasets)
    return bytes(vlc.vegalite_to_png(spec, scale=ECHELLE_PNG, format_locale="fr-FR", time_format_locale="fr-FR"))


def _taille(chart: alt.Chart, largeur_in: float, hauteur_in: float) -> alt.Chart:
    return chart.properties(
        width=round(largeur_in * PX_PAR_IN),
        height=round(hauteur_in * PX_PAR_IN),
        autosize=alt.AutoSizeParams(type="fit", contains="padding"),
    )


def seuils(valeurs: Iterable[Any], classes: int = len(PALETTE_CARTE)) -> list[float]:
    """Quantile class breaks (rounded, distinct) for the map legend."""
    s = pd.Series([v for v in valeurs if v is not None], dtype="float64")
    if s.empty:
        return []
    qs = s.quantile([i / classes for i in range(1, classes)]).round(1)
    return sorted({float(q) for q in qs if q > 0})


def classes_carte(carte: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(colour, French label) of each map class, drawn as the legend beside the map."""
    breaks = seuils(f["properties"]["valeur"] for f in carte["features"])
    couleurs = PALETTE_CARTE[-(len(breaks) + 1) :]
    if not breaks:
        return [(couleurs[0], "toutes les valeurs")]
    out = [(couleurs[0], f"moins de {labels.fmt_dec(breaks[0])}")]
    for k in range(1, len(breaks)):
        out.append((couleurs[k], f"{labels.fmt_dec(breaks[k - 1])} à moins de {labels.fmt_dec(breaks[k])}"))
    out.append((couleurs[-1], f"{labels.fmt_dec(breaks[-1])} et plus"))
    return out


def graphique_carte(carte: Mapping[str, Any], largeur_in: float, hauteur_in: float) -> alt.Chart:
    """Choropleth of the map features (Vega geoshape, fitted to the territory), optional highlighted polygon.

    The legend is not drawn by Vega: the slide lists the classes (``classes_carte``) in large French text.
    """
    feats = carte["features"]
    breaks = seuils(f["properties"]["valeur"] for f in feats)
    couleurs = PALETTE_CARTE[-(len(breaks) + 1) :]
    couleur: Any = alt.value(couleurs[0])  # a single class: one colour (a 1-colour scale breaks Vega)
    if breaks:
        couleur = alt.Color(
            "properties.valeur:Q", scale=alt.Scale(type="threshold", domain=breaks, range=couleurs), legend=None
        )
    projection = "conicConformal" if carte.get("niveau") == "départements" else "mercator"
    fond = (
        alt.Chart(alt.Data(name="carte"))
        .mark_geoshape(stroke="white", strokeWidth=0.6)
        .encode(color=alt.condition("datum.properties.valeur == null", alt.value(SANS_DONNEE), couleur))
    )
    couches: list[alt.Chart] = [fond]
    if carte.get("surligne"):
        choisi = alt.Chart(alt.Data(name="carte")).transform_filter(
            alt.datum["properties"]["code"] == carte["surligne"]
        )
        couches.append(choisi.mark_geoshape(fill=None, stroke="#111827", strokeWidth=4))
    chart = alt.layer(*couches).project(type=projection)
    if projection == "conicConformal":
        chart = chart.project(type=projection, parallels=[44, 49], rotate=[-3, 0, 0])
    return _taille(chart, largeur_in, hauteur_in)
