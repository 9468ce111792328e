"""pydeck builders: our own outline basemap (no tile server, works offline) and choropleths.

Geometries are stored as GeoJSON text; they are exploded here into one row per polygon part so that
deck.gl's PolygonLayer can draw them (holes kept as extra rings).
"""

from __future__ import annotations

import json
import math

import duckdb
import pandas as pd
import pydeck as pdk
from pydeck.bindings.json_tools import default_serialize

from esscore.db import query

# Levels with outlines → their table (contours_<table>), all read by esscore/sql/contours*.sql.
LEVELS = {"commune": "communes", "epci": "epci", "departement": "departements", "region": "regions"}
# Blue-to-green sequential palette (colour-blind safe, readable on a projector).
PALETTE = [(237, 248, 251), (204, 236, 230), (153, 216, 201), (102, 194, 164), (44, 162, 95), (0, 109, 44)]
NO_DATA = (220, 220, 220)


def contours(
    con: duckdb.DuckDBPyConnection, level: str, codes: list[str] | None = None, national: bool = False
) -> pd.DataFrame:
    """(code, polygon) rows for the given territories of a level; all of them when ``codes`` is None."""
    if level not in LEVELS:
        raise KeyError(level)
    frame = query(con, "contours", niveau=level, codes=codes, national=national)
    return explode(frame)


def contours_json(con: duckdb.DuckDBPyConnection, level: str, codes: list[str]) -> pd.DataFrame:
    """(code, polygon_json) of the given territories: ``polygons_json(contours(...))`` without parsing the
    GeoJSON in Python (DuckDB cuts each part's rings out of the stored text), sorted by code."""
    if level not in LEVELS:
        raise KeyError(level)
    return query(con, "contours_json", niveau=level, codes=codes)


def explode(frame: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for code, text in zip(frame["code"], frame["geojson"], strict=True):
        if not isinstance(text, str):
            continue
        geom = json.loads(text)
        parts = geom["coordinates"] if geom["type"] == "MultiPolygon" else [geom["coordinates"]]
        rows.extend((code, part) for part in parts)
    return pd.DataFrame(rows, columns=["code", "polygon"])


def bounds(con: duckdb.DuckDBPyConnection, level: str, codes: list[str]) -> tuple[float, float, float, float]:
    if level not in LEVELS:
        raise KeyError(level)
    row = query(con, "contours_emprise", niveau=level, codes=codes).iloc[0]
    if pd.isna(row["xmin"]):
        return (-5.2, 41.3, 9.6, 51.1)  # metropolitan France
    return tuple(float(v) for v in row)  # type: ignore[return-value]


def view_for_bounds(b: tuple[float, float, float, float], width_px: int = 900, height_px: int = 520) -> pdk.ViewState:
    """Centre and zoom so the bounding box fills the map."""
    xmin, ymin, xmax, ymax = b
    lon, lat = (xmin + xmax) / 2, (ymin + ymax) / 2
    dx = max(xmax - xmin, 0.01)
    dy = max(ymax - ymin, 0.01) / max(math.cos(math.radians(lat)), 0.2)
    zoom = min(math.log2(360 * width_px / 512 / dx), math.log2(360 * height_px / 512 / dy)) - 0.2
    return pdk.ViewState(longitude=lon, latitude=lat, zoom=max(min(zoom, 13), 3), pitch=0, bearing=0)


def color_scale(values: pd.Series, palette: list[tuple[int, int, int]] = PALETTE) -> tuple[list, list[float]]:
    """Quantile classes → RGB per value (grey when missing or secret); returns colours and class breaks."""
    numeric = pd.to_numeric(values, errors="coerce")
    valid = numeric.dropna()
    if valid.empty:
        return [list(NO_DATA)] * len(values), []
    qs = sorted(set(valid.quantile([i / len(palette) for i in range(1, len(palette))]).round(6)))
    colors = []
    for v in numeric:
        if pd.isna(v):
            colors.append(list(NO_DATA))
        else:
            colors.append(list(palette[min(sum(v > q for q in qs), len(palette) - 1)]))
    return colors, qs


def outline_layer(
    frame: pd.DataFrame,
    layer_id: str,
    color: tuple[int, int, int] = (90, 90, 90),
    width: float = 1,
    fill: tuple[int, int, int, int] | None = None,
) -> pdk.Layer:
    """A basemap layer: outlines we ship, optionally lightly filled."""
    return pdk.Layer(
        "PolygonLayer", data=frame[["code", "polygon"]], id=layer_id, get_polygon="polygon",
        stroked=True, filled=fill is not None, get_fill_color=list(fill or (0, 0, 0, 0)),
        get_line_color=list(color), line_width_min_pixels=width, pickable=False,
    )  # fmt: skip


def choropleth_layer(frame: pd.DataFrame, layer_id: str = "choroplethe") -> pdk.Layer:
    """Filled polygons; ``frame`` carries ``polygon``, ``couleur`` and the tooltip columns (already escaped)."""
    return pdk.Layer(
        "PolygonLayer", data=frame, id=layer_id, get_polygon="polygon", filled=True, stroked=True,
        get_fill_color="couleur", get_line_color=[255, 255, 255], line_width_min_pixels=0.5, pickable=True,
        auto_highlight=True,
    )  # fmt: skip


class CompactDeck(pdk.Deck):
    """A Deck serialised without indentation (pydeck indents: ~4× the bytes), whose layers may carry
    pre-serialised data spliced in at ``to_json`` time (Streamlit calls ``to_json`` at every rerun).

    ``figer()`` serialises it once for good: a deck kept in a cache and drawn at every rerun (or by every
    visitor) is then never serialised again (a national map is 1 MB of JSON)."""

    def figer(self) -> CompactDeck:
        """Serialise now and keep the text: later changes to the deck are ignored (build it fully first)."""
        self.__dict__.pop("_json", None)  # never serialised into itself
        texte = self.to_json()
        self.__dict__["_json"] = texte
        return self

    def to_json(self) -> str:
        fige = self.__dict__.get("_json")
        if fige is not None:
            return fige
        raw = self.__dict__.pop("_raw", {})
        try:
            text = json.dumps(
                self, sort_keys=True, default=_default_serialize, separators=(",", ":"), ensure_ascii=False
            )
        finally:
            if raw:
                self.__dict__["_raw"] = raw
        for token, payload in raw.items():
            text = text.replace(json.dumps(token), payload, 1)
        return text


def _default_serialize(obj: object) -> object:
    if isinstance(obj, pd.DataFrame):
        return obj.to_dict(orient="records")
    return default_serialize(obj)


# A MapLibre style without sources or layers: a transparent basemap, nothing fetched. Why not
# ``map_style=None``: Streamlit then substitutes Carto's online basemap, so every visitor's browser would call
# basemaps.cartocdn.com (an outside request, and a failed one offline). Given as a one-item list because
# Streamlit reads ``mapStyle[0]`` and calls ``mapStyle.includes`` (absent on a plain object); a style (rather
# than none at all) keeps MapLibre's zoom buttons.
FOND_VIERGE = {"version": 8, "name": "ESS Territoires : sans fond de carte", "sources": {}, "layers": []}


def deck(
    layers: list[pdk.Layer], view: pdk.ViewState, tooltip_html: str | None = None, tooltip: dict | None = None
) -> CompactDeck:
    """A Deck without any tile server: our outline layers are the basemap.

    ``tooltip_html`` for trusted texts (our geography), ``tooltip`` (e.g. ``{"text": ...}``, set with
    innerText) for names that come from outside.
    """
    if tooltip is None and tooltip_html:
        tooltip = {"html": tooltip_html, "style": {"backgroundColor": "#1f2937", "color": "white", "fontSize": "13px"}}
    out = CompactDeck(layers=layers, initial_view_state=view, map_provider=None, tooltip=tooltip or False)
    out.map_style = [FOND_VIERGE]
    return out


# ---------------------------------------------------------------- choropleths of the panorama and comparisons

# National views: overseas départements drawn as insets in the Atlantic, west of metropolitan France.
# dept → (source centre lon, lat, inset centre lon, lat, scale)
DOM_INSETS: dict[str, tuple[float, float, float, float, float]] = {
    "971": (-61.41, 16.17, -8.3, 47.6, 1.3),
    "972": (-61.02, 14.64, -6.8, 47.6, 2.2),
    "973": (-53.10, 3.93, -8.3, 46.2, 0.32),
    "974": (55.53, -21.13, -6.8, 46.2, 1.8),
    "976": (45.16, -12.82, -7.55, 44.9, 3.0),
}
INSET_HALF = (0.72, 0.52)  # half width / height (degrees) of the frame drawn around each inset
NATIONAL_BOUNDS = (-9.2, 41.3, 9.6, 51.1)
HIGHLIGHT = (17, 24, 39)
FOCUS = (217, 95, 2)  # orange: stands out on the green palette


def _move(ring: list, params: tuple[float, float, float, float, float]) -> list:
    sx, sy, tx, ty, scale = params
    ratio = math.cos(math.radians(ty)) / math.cos(math.radians(sy))  # keep shapes under Web Mercator
    return [[round(tx + (x - sx) * scale, 5), round(ty + (y - sy) * scale * ratio, 5)] for x, y in ring]


def insets_dom(frame: pd.DataFrame, dom: dict[str, str | None]) -> pd.DataFrame:
    """Move the polygons of overseas territories (``dom``: code → DOM département) next to the mainland."""
    out = frame.copy()
    moved = []
    for code, polygon in zip(out["code"], out["polygon"], strict=True):
        params = DOM_INSETS.get(dom.get(code) or "")
        moved.append([_move(ring, params) for ring in polygon] if params else polygon)
    out["polygon"] = moved
    return out


def inset_frames(doms: list[str]) -> pd.DataFrame:
    """Light rectangles around the insets drawn, so nobody reads them as Atlantic islands."""
    hw, hh = INSET_HALF
    rows = []
    for d in sorted(set(doms) & set(DOM_INSETS)):
        _, _, tx, ty, _ = DOM_INSETS[d]
        rows.append((d, [[[tx - hw, ty - hh], [tx + hw, ty - hh], [tx + hw, ty + hh], [tx - hw, ty + hh]]]))
    return pd.DataFrame(rows, columns=["code", "polygon"])


def legend(breaks: list[float], fmt, palette: list[tuple[int, int, int]] = PALETTE) -> list[tuple[str, str]]:
    """(hex colour, French label) per class of ``color_scale``; ``fmt`` formats a class bound."""
    if not breaks:
        return []
    colours = palette[: len(breaks) + 1] if len(breaks) + 1 < len(palette) else palette
    # Classes are (previous bound, bound]: the first one includes its bound (often 0).
    labels = [fmt(breaks[0]) if breaks[0] == 0 else f"jusqu'à {fmt(breaks[0])}"]
    labels += [f"de {fmt(a)} à {fmt(b)}" for a, b in zip(breaks[:-1], breaks[1:], strict=True)]
    labels.append(f"plus de {fmt(breaks[-1])}")
    return [("#{:02x}{:02x}{:02x}".format(*c), label) for c, label in zip(colours, labels, strict=False)]


def polygons_json(frame: pd.DataFrame) -> pd.DataFrame:
    """(code, polygon) → (code, polygon_json): serialise the heavy part once, so it can be cached."""
    texts = [json.dumps(p, separators=(",", ":")) for p in frame["polygon"]]
    return pd.DataFrame({"code": frame["code"].values, "polygon_json": texts})


def records_json(frame: pd.DataFrame) -> str:
    """deck.gl layer data as compact JSON text; ``polygon_json`` is spliced in as is (already JSON)."""
    others = [c for c in frame.columns if c != "polygon_json"]
    parts = []
    for record, polygon in zip(frame[others].to_dict("records"), frame["polygon_json"], strict=True):
        head = json.dumps(record, separators=(",", ":"), ensure_ascii=False, default=str)
        parts.append(f'{head[:-1]},"polygon":{polygon}}}' if others else f'{{"polygon":{polygon}}}')
    return "[" + ",".join(parts) + "]"


def choropleth_records(
    polygons: pd.DataFrame, values: pd.DataFrame, value_column: str, tooltip_columns: list[str]
) -> tuple[str, list[float]]:
    """Colour each code by quantile class of ``value_column`` (« s » / missing → grey) and return the layer
    data as JSON text plus the class breaks.

    ``polygons``: code, polygon_json (see ``polygons_json``); ``values``: code, the value and the tooltip
    columns, which must already be HTML-escaped text.
    """
    colours, breaks = color_scale(values[value_column])
    keep = ["code", *[c for c in tooltip_columns if c != "code"]]
    per_code = values[keep].assign(couleur=colours)
    frame = polygons.merge(per_code, on="code", how="inner")
    return records_json(frame), breaks


def choropleth_deck(
    records: str,
    view: pdk.ViewState,
    tooltip_html: str,
    outline: pd.DataFrame | None = None,
    context: pd.DataFrame | None = None,
    frames: pd.DataFrame | None = None,
    focus: pd.DataFrame | None = None,
) -> CompactDeck:
    """Choropleth (pre-serialised ``records``) + context outlines (e.g. régions) + inset frames +
    the selection outlined in dark grey + the territory studied (``focus``) in a thick orange line;
    no tile server."""
    token = "__ess_choroplethe__"
    layers = [choropleth_layer(pd.DataFrame(), "choroplethe")]
    layers[0].data = token
    if context is not None and not context.empty:
        layers.append(outline_layer(context, "contexte", color=(110, 110, 110), width=1))
    if frames is not None and not frames.empty:
        layers.append(outline_layer(frames, "encarts", color=(150, 150, 150), width=1))
    if outline is not None and not outline.empty:
        layers.append(outline_layer(outline, "selection", color=HIGHLIGHT, width=2))
    if focus is not None and not focus.empty:
        layers.append(outline_layer(focus, "territoire", color=FOCUS, width=4))
    out = deck(layers, view, tooltip_html)
    out.__dict__["_raw"] = {token: records}
    return out
