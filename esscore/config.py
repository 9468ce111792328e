"""Paths and environment overrides, in one place so tests can redirect them.

Every path the ``esscore`` package reads or writes starts from a name defined here: no module builds
``ROOT / "data"`` itself. There are two roots.

* ``DATA_DIR``, the data folder in use: the repository's ``data/`` unless ``ESS_DATA_DIR`` points elsewhere (the
  tests point it at a prepared copy). What a deployment builds, imports or may replace is read or written under it:
  the statistics database and the editable store (each also set alone by ``ESS_DB`` / ``ESS_STORE``, see
  ``db_path`` and ``store_path``), the geography, the published figures, the benchmark catalogue, the source
  registry, the saved imports of initiatives.
* ``SHIPPED_DATA_DIR``, the repository's ``data/`` whatever ``ESS_DATA_DIR`` says: versioned files that belong with
  the code, named below. The seed list of initiatives (imports add to it, under ``DATA_DIR``), the example
  roadmaps, and the INSEE table that calibrates the demonstration data, so that the generated files depend on the
  code and the seed only.
"""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHIPPED_DATA_DIR = ROOT / "data"
DATA_DIR = Path(os.environ.get("ESS_DATA_DIR", SHIPPED_DATA_DIR))
DEFAULT_DB = DATA_DIR / "ess.duckdb"

#: Curated seed list of initiatives (format: data/initiatives/README.md).
INITIATIVES_SEED = SHIPPED_DATA_DIR / "initiatives" / "initiatives.csv"
#: Example roadmaps loaded into a new editable store (format: data/feuilles_de_route/README.md).
ROADMAP_EXAMPLES_DIR = SHIPPED_DATA_DIR / "feuilles_de_route"
#: INSEE 2014 share of the ESS in salaried employment, by région and département (data/reference/README.md).
INSEE_PARTS_FILE = SHIPPED_DATA_DIR / "reference" / "insee_itdd_part_ess_emploi_salarie_2014_2008.csv"
#: Published figures the demonstration is calibrated on, with their tolerance and source (data/reference/README.md).
CIBLES_DEMO_FILE = SHIPPED_DATA_DIR / "reference" / "cibles_demonstration.csv"


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
