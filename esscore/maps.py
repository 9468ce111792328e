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

LEVELS = {"commune": "communes", "epci": "epci", "departement": "departements", "region": "regions"}
# Blue-to-green sequential palette (colour-blind safe, readable on a projector).
PALETTE = [(237, 248, 251), (204, 236, 230), (153, 216, 201), (102, 194, 164), (44, 162, 95), (0, 109, 44)]
NO_DATA = (220, 220, 220)


def contours(con: duckdb.DuckDBPyConnection, level: str, codes: list[str] | None = None,
             national: bool = False) -> pd.DataFrame:
    """(code, polygon) rows for the given territories of a level; all of them when ``codes`` is None."""
    table = LEVELS[level]
    column = "geojson_national" if national and level != "commune" else "geojson"
    sql = f"SELECT code, {column} AS geojson FROM contours_{table}"  # table/column from a whitelist
    frame = con.execute(sql + (" WHERE list_contains($codes, code)" if codes is not None else ""),
                        {"codes": codes} if codes is not None else None).df()  # fmt: skip
    return explode(frame)


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
    table = LEVELS[level]
    row = con.execute(f"SELECT min(xmin), min(ymin), max(xmax), max(ymax) FROM contours_{table} "
                      "WHERE list_contains($codes, code)", {"codes": codes}).fetchall()[0]  # fmt: skip
    if row[0] is None:
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


def outline_layer(frame: pd.DataFrame, layer_id: str, color: tuple[int, int, int] = (90, 90, 90),
                  width: float = 1, fill: tuple[int, int, int, int] | None = None) -> pdk.Layer:
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


def deck(layers: list[pdk.Layer], view: pdk.ViewState, tooltip_html: str | None = None) -> pdk.Deck:
    """A Deck without any tile server (``map_style=None``): our outline layers are the basemap."""
    tooltip = {"html": tooltip_html, "style": {"backgroundColor": "#1f2937", "color": "white", "fontSize": "13px"}}
    return pdk.Deck(layers=layers, initial_view_state=view, map_style=None, map_provider=None,
                    tooltip=tooltip if tooltip_html else False)  # fmt: skip
