"""Build loader of the ``initiatives`` table: the seed list plus every saved import, re-checked.

Why files and not rows written by the import command: ``esscore build`` rebuilds the database from
``data/`` each time, so an import is kept as a validated CSV under ``data/initiatives/imports/`` and
reloaded here at every build. Each file is checked again against the communes of the new database
(a commune merged since the import becomes a clear error naming the file, never a silent loss).
Initiatives stay in their own table: they are never added to the SIRENE counts.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from esscore import initiatives as ini
from esscore.config import DATA_DIR
from esscore.errors import DonneesInvalides

IMPORTS_DIR = DATA_DIR / "initiatives" / "imports"
# Columns of the ``initiatives`` table (``thematiques`` is VARCHAR[]).
COLONNES_TABLE: tuple[str, ...] = (
    "id",
    "nom",
    "description",
    "statut",
    "famille",
    "thematiques",
    "commune_code",
    "commune_nom",
    "lon",
    "lat",
    "precision",
    "site_web",
    "source",
    "source_detail",
)
_DDL = """
CREATE OR REPLACE TABLE initiatives (
    id VARCHAR PRIMARY KEY, nom VARCHAR NOT NULL, description VARCHAR, statut VARCHAR, famille VARCHAR,
    thematiques VARCHAR[], commune_code VARCHAR, commune_nom VARCHAR, lon DOUBLE, lat DOUBLE,
    precision VARCHAR, site_web VARCHAR, source VARCHAR, source_detail VARCHAR
)
"""


def fichiers_imports(dossier: Path | None = None) -> list[Path]:
    """Saved imports, in name order (a later file wins over an earlier one for the same initiative)."""
    base = dossier or IMPORTS_DIR
    return sorted(p for p in base.glob("*.csv") if p.is_file() and not p.name.startswith(".")) if base.is_dir() else []


def lire_catalogue(communes: pd.DataFrame, seed: Path | None = None, dossier: Path | None = None) -> pd.DataFrame:
    """Seed + imports, each file validated (all-or-nothing), merged by id then by name and commune."""
    fichiers = [seed or ini.SEED_CSV, *fichiers_imports(dossier)]
    morceaux: list[pd.DataFrame] = []
    for rang, chemin in enumerate(fichiers):
        try:
            frame, _ = ini.validate_initiatives(ini.read_initiatives(chemin), communes, chemin.name)
        except DonneesInvalides as err:
            raise DonneesInvalides(
                f"{err}\nFichier concerné : {chemin}. Corrigez-le, ou supprimez-le puis réimportez la source "
                "avec « esscore import initiatives »."
            ) from None
        frame["_rang"] = rang
        morceaux.append(frame)
    tout = pd.concat(morceaux, ignore_index=True)
    # A later file (an import) replaces an earlier record with the same id, or the same name in the same commune.
    tout["_cle"] = tout["nom"].map(ini._cle) + "|" + tout["commune_code"]
    tout = tout.sort_values("_rang", kind="stable")
    tout = tout.drop_duplicates("id", keep="last").drop_duplicates("_cle", keep="last")
    return tout.sort_values(["_rang", "id"]).drop(columns=["_rang", "_cle"]).reset_index(drop=True)


def load_into_db(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """Create ``initiatives`` from ``data/initiatives`` and return its provenance row."""
    communes = con.execute("SELECT code, nom, lon, lat, codes_postaux FROM communes").df()
    catalogue = lire_catalogue(communes)
    table = catalogue[list(COLONNES_TABLE)].copy()
    table["thematiques"] = [list(t) for t in table["thematiques"]]
    for col in ("description", "site_web", "source", "source_detail", "precision", "statut", "famille"):
        table[col] = table[col].where(table[col].astype(bool), None)
    con.execute(_DDL)
    con.register("initiatives_df", table)
    try:
        con.execute(f"INSERT INTO initiatives SELECT {', '.join(COLONNES_TABLE)} FROM initiatives_df")
    finally:
        con.unregister("initiatives_df")
    imports = fichiers_imports()
    racine = DATA_DIR.parent
    noms = [_relatif(ini.SEED_CSV, racine), *(_relatif(p, racine) for p in imports)]
    return {
        "id": "initiatives",
        "titre": "Initiatives de l'ESS (liste de départ et imports)",
        "producteur": "ESS Territoires, d'après les documents sources du projet"
        + (f" ; {len(imports)} fichier(s) importé(s)" if imports else ""),
        "url": None,
        "licence": "Licence Ouverte / Etalab 2.0 (liste de départ) ; imports : licence de chaque source",
        "millesime": "liste de départ 2026"
        + (f" ; imports du {_date_fichier(max(imports, key=lambda p: p.stat().st_mtime))}" if imports else ""),
        "date_acces": dt.date.today().isoformat(),
        "fichiers": ", ".join(noms),
        "lignes": len(table),
        "demo": False,
        "note": "Couche « initiatives » de la carte, jamais ajoutée aux comptages SIRENE ; "
        "positions au centre de la commune quand l'adresse n'est pas géocodée.",
    }


def _date_fichier(chemin: Path) -> str:
    return dt.date.fromtimestamp(chemin.stat().st_mtime).isoformat()


def _relatif(chemin: Path, racine: Path) -> str:
    try:
        return str(chemin.resolve().relative_to(racine.resolve()))
    except ValueError:
        return str(chemin)


def ecrire_csv(frame: pd.DataFrame, cible: Path) -> Path:
    """Write validated initiatives in the seed CSV format (``;``-joined thématiques), atomically."""
    cible.parent.mkdir(parents=True, exist_ok=True)
    sortie = frame[list(ini.COLONNES)].copy()
    sortie["thematiques"] = [";".join(t) if isinstance(t, (list, tuple)) else (t or "") for t in sortie["thematiques"]]
    fd, tmp = tempfile.mkstemp(prefix=f".{cible.name}.", suffix=".tmp", dir=cible.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            sortie.to_csv(fh, index=False)
        os.replace(tmp, cible)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return cible
