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


# A spreadsheet runs a cell starting with one of these as a formula (« =HYPERLINK(…) », « @SUM(…) »);
# tab and carriage return start one too in some programs (OWASP « CSV Injection »).
_DEBUT_FORMULE = ("=", "+", "-", "@", "\t", "\r")


def cellule_sure(valeur: object) -> object:
    """A text cell that a spreadsheet would run as a formula gets a leading apostrophe; others unchanged."""
    if isinstance(valeur, str) and valeur.startswith(_DEBUT_FORMULE):
        return "'" + valeur
    return valeur


def sans_formules(frame: pd.DataFrame) -> pd.DataFrame:
    """Copy of ``frame`` whose text cells (and column names) can never run as spreadsheet formulas."""
    sortie = frame.rename(columns=lambda c: cellule_sure(str(c)))
    for col in sortie.columns:
        if sortie[col].dtype == object or pd.api.types.is_string_dtype(sortie[col]):
            sortie[col] = [cellule_sure(v) for v in sortie[col].astype(object)]
    return sortie


def csv_texte(frame: pd.DataFrame) -> str:
    """The one CSV writer of every export (pages and CLI): formulas neutralised, no index."""
    return sans_formules(frame).to_csv(index=False)


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """``csv_texte`` in UTF-8 with BOM so that spreadsheet software opens French accents correctly."""
    return csv_texte(frame).encode("utf-8-sig")
