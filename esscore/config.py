"""Paths and environment overrides, in one place so tests can redirect them."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("ESS_DATA_DIR", ROOT / "data"))
DEFAULT_DB = DATA_DIR / "ess.duckdb"


def db_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The DuckDB file to use: explicit argument, then ``ESS_DB``, then ``data/ess.duckdb``."""
    if explicit:
        return Path(explicit)
    env = os.environ.get("ESS_DB")
    return Path(env) if env else DEFAULT_DB


def store_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The editable store (roadmaps, change log), kept apart from the read-only statistics DB."""
    if explicit:
        return Path(explicit)
    env = os.environ.get("ESS_STORE")
    return Path(env) if env else DATA_DIR / "edition.sqlite"
