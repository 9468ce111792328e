"""Provenance registry: ``data/sources.toml`` loaded into the ``sources`` table at every build."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pandas as pd

from esscore.config import DATA_DIR

COLUMNS = ["id", "titre", "producteur", "url", "paquet", "licence", "millesime", "date_acces", "fichiers",
           "note", "demo", "lignes"]  # fmt: skip


def registry(path: Path | None = None) -> pd.DataFrame:
    """Every declared source as a DataFrame (``lignes`` filled in by the build)."""
    data = tomllib.loads((path or DATA_DIR / "sources.toml").read_text("utf-8"))
    rows = []
    for src in data.get("source", []):
        row = {col: src.get(col) for col in COLUMNS}
        row["fichiers"] = ", ".join(src.get("fichiers", []))
        row["demo"] = bool(src.get("demo", False))
        row["lignes"] = None
        rows.append(row)
    return pd.DataFrame(rows, columns=COLUMNS)
