"""Paths and environment overrides, in one place so tests can redirect them.

Every path the ``esscore`` package reads or writes starts from a name defined here: no module builds
``ROOT / "data"`` itself. There are two roots.

* ``DATA_DIR``, the data folder in use: the repository's ``data/`` unless ``ESS_DATA_DIR`` points elsewhere (the
  tests point it at a prepared copy). What a deployment builds, imports or may replace is read or written under it:
  the statistics database and the editable store (each also set alone by ``ESS_DB`` / ``ESS_STORE``, see
  ``db_path`` and ``store_location``; the store may also be a PostgreSQL server), the geography, the published
  figures, the benchmark catalogue, the source registry, the saved imports of initiatives.
* ``SHIPPED_DATA_DIR``, the repository's ``data/`` whatever ``ESS_DATA_DIR`` says: versioned files that belong with
  the code, named below. The seed list of initiatives (imports add to it, under ``DATA_DIR``), the example
  roadmaps, and the INSEE table that calibrates the demonstration data, so that the generated files depend on the
  code and the seed only.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from esscore.errors import EssError

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
#: Published yearly changes the demonstration's earlier vintages follow, with their source (esscore.demo_millesimes).
EVOLUTIONS_DEMO_FILE = SHIPPED_DATA_DIR / "reference" / "evolutions_ess_demonstration.csv"


def db_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The DuckDB file to use: explicit argument, then ``ESS_DB``, then ``data/ess.duckdb``."""
    if explicit:
        return Path(explicit)
    env = os.environ.get("ESS_DB")
    return Path(env) if env else DEFAULT_DB


#: URL schemes of a PostgreSQL store (``ESS_STORE=postgresql://…``); any other ``scheme://`` but ``sqlite://``
#: is refused rather than taken for a file name.
SCHEMAS_POSTGRESQL = ("postgresql", "postgres")
_SCHEMA_URL = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")
FORMES_MAGASIN = (
    "un chemin de fichier SQLite (ex. /var/lib/ess-territoires/edition/edition.sqlite, ou "
    "sqlite:////chemin/absolu/edition.sqlite) ou une URL PostgreSQL "
    "(postgresql://utilisateur@serveur:5432/base, ou postgres://…)"
)


def store_location(explicit: str | os.PathLike[str] | None = None) -> Path | str:
    """The editable store (roadmaps, change log), kept apart from the read-only statistics DB.

    Explicit argument (``--store``), then ``ESS_STORE``, then ``data/edition.sqlite``. A SQLite file is returned
    as a ``Path`` (a plain path, or ``sqlite:///relatif`` / ``sqlite:////absolu`` as SQLAlchemy writes them), a
    PostgreSQL server as its URL string. Any other ``scheme://`` raises: taken for a path, ``mysql://x`` would
    create a folder named ``mysql:`` holding a SQLite file, and the editors' work would silently stay local.
    """
    origine = "--store" if explicit else "ESS_STORE"
    valeur = os.fspath(explicit) if explicit else os.environ.get("ESS_STORE", "")
    if not valeur:
        return DATA_DIR / "edition.sqlite"
    schema = _SCHEMA_URL.match(valeur)
    if schema is None:
        return Path(valeur)
    nom = schema.group(1).lower()
    if nom in SCHEMAS_POSTGRESQL:
        return valeur
    if nom == "sqlite" and valeur[len("sqlite://") :].startswith("/") and len(valeur) > len("sqlite:///"):
        return Path(valeur[len("sqlite:///") :])
    raise EssError(
        f"Magasin d'édition ({origine}) : « {masquer_mot_de_passe(valeur)[:120]} » n'est pas reconnu "
        f"(schéma « {schema.group(1)[:20]} »). Formes acceptées : {FORMES_MAGASIN}. Rien n'a été créé."
    )


def store_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The editable store's SQLite file (``store_location``); a French error when it is a PostgreSQL server."""
    lieu = store_location(explicit)
    if isinstance(lieu, str):
        raise EssError(f"Le magasin d'édition est un serveur PostgreSQL ({masquer_mot_de_passe(lieu)}), pas un "
                       "fichier.")  # fmt: skip
    return lieu


def masquer_mot_de_passe(url: str) -> str:
    """The URL as it may be printed or logged: a password written in it (``user:secret@``) becomes ``***``."""
    return re.sub(r"^([A-Za-z][A-Za-z0-9+.-]*://[^/@:]*):[^/@]*@", r"\1:***@", url)
