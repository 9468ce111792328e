"""Export formats (CSV, GeoJSON) shared by the CLI and the download buttons."""

from __future__ import annotations

import math

import pandas as pd


def geojson_etablissements(frame: pd.DataFrame) -> dict:
    """FeatureCollection of located, diffusible establishments; others are listed without geometry."""
    features = []
    for row in frame.to_dict("records"):
        lon, lat = row.get("lon"), row.get("lat")
        located = lon is not None and lat is not None and not (math.isnan(lon) or math.isnan(lat))
        props = {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in row.items()
                 if k not in ("lon", "lat")}  # fmt: skip
        features.append({
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [lon, lat]} if located else None,
            "properties": props,
        })  # fmt: skip
    return {"type": "FeatureCollection", "features": features}


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """UTF-8 with BOM so that spreadsheet software opens French accents correctly."""
    return frame.to_csv(index=False).encode("utf-8-sig")
