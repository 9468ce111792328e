"""Build loader of the ``initiatives`` table: the seed list plus every saved import, re-checked.

Why files and not rows written by the import command: ``esscore build`` rebuilds the database from
``data/`` each time, so an import is kept as a validated CSV under ``data/initiatives/imports/`` and
reloaded here at every build. Each file is checked again against the communes of the new database
(a commune merged since the import becomes a clear error naming the file, never a silent loss).
Initiatives stay in their own table: they are never added to the SIRENE counts.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from esscore import config
from esscore import initiatives as ini
from esscore.errors import DonneesInvalides
from esscore.sources import ligne_locale

# A data file → the pending file to read instead (same alias as ``esscore.build.Remplacements``).
Remplacements = dict[Path, Path]

COLONNES_TABLE = ini.COLONNES_TABLE
# The fixed part of the initiatives' row in the ``sources`` table (``sources.ligne_locale`` adds the rest).
PROVENANCE = {
    "id": "initiatives",
    "titre": "Initiatives de l'ESS (liste de départ et imports)",
    "licence": "Licence Ouverte / Etalab 2.0 (liste de départ) ; imports : licence de chaque source",
    "note": "Couche « initiatives » de la carte, jamais ajoutée aux comptages SIRENE ; "
    "positions au centre de la commune quand l'adresse n'est pas géocodée.",
}
_DDL = """
CREATE OR REPLACE TABLE initiatives (
    id VARCHAR PRIMARY KEY, nom VARCHAR NOT NULL, description VARCHAR, statut VARCHAR, famille VARCHAR,
    thematiques VARCHAR[], commune_code VARCHAR, commune_nom VARCHAR, lon DOUBLE, lat DOUBLE,
    precision VARCHAR, site_web VARCHAR, source VARCHAR, source_detail VARCHAR
)
"""


def imports_dir() -> Path:
    """Folder of the saved imports (read at call time so that tests can redirect ``config.DATA_DIR``)."""
    return Path(config.DATA_DIR) / "initiatives" / "imports"


def fichiers_imports(dossier: Path | None = None, remplacements: Remplacements | None = None) -> list[Path]:
    """Saved imports in name order, each as the file to read: the pending file of an import being
    committed replaces (or adds) its target (see ``esscore.build.importer_fichier``)."""
    base = dossier or imports_dir()
    actuels = {p for p in base.glob("*.csv") if p.is_file() and not p.name.startswith(".")} if base.is_dir() else set()
    cibles = actuels | {c for c in (remplacements or {}) if c.parent == base}
    return sorted(cibles)


def lire_catalogue(
    communes: pd.DataFrame,
    seed: Path | None = None,
    dossier: Path | None = None,
    remplacements: Remplacements | None = None,
) -> tuple[pd.DataFrame, list[str]]:
    """Seed + imports, each file validated (all-or-nothing); also the French notes on merged records.

    Ids are scoped per file (« carteco-79/12 »): two imports that both number their records 1, 2, 3
    keep all of them. The same initiative (same name, same commune) listed by several files is kept
    once, from the later file in name order, and each such merge is reported (never silent).
    """
    remplacements = remplacements or {}
    fichiers = [seed or config.INITIATIVES_SEED, *fichiers_imports(dossier, remplacements)]
    morceaux = [
        _lire_fichier(chemin, remplacements.get(chemin, chemin), rang, communes) for rang, chemin in enumerate(fichiers)
    ]
    tout = pd.concat(morceaux, ignore_index=True)
    tout["_cle"] = tout["nom"].map(ini._cle) + "|" + tout["commune_code"]
    tout = tout.sort_values("_rang", kind="stable")
    doublon = tout.duplicated("_cle", keep="last")
    notes = [
        f"« {ini_nom} » ({commune}) de « {fichiers[rang].name} » figure aussi dans un fichier plus récent, "
        "qui le remplace."
        for ini_nom, commune, rang in zip(
            tout.loc[doublon, "nom"], tout.loc[doublon, "commune_nom"], tout.loc[doublon, "_rang"], strict=True
        )
    ]
    tout = tout[~doublon]
    return tout.sort_values(["_rang", "id"]).drop(columns=["_rang", "_cle"]).reset_index(drop=True), notes


def _lire_fichier(chemin: Path, a_lire: Path, rang: int, communes: pd.DataFrame) -> pd.DataFrame:
    """One saved file validated against the communes, its ids prefixed by the file's stem (imports only)."""
    try:
        frame, _ = ini.validate_initiatives(ini.read_initiatives(a_lire), communes, chemin.name)
    except DonneesInvalides as err:
        raise DonneesInvalides(
            f"{err}\nFichier concerné : {chemin}. Corrigez-le, ou supprimez-le puis réimportez la source "
            "avec « esscore import initiatives »."
        ) from None
    if rang > 0:
        frame["id"] = chemin.stem + "/" + frame["id"].astype(str)
    frame["_rang"] = rang
    return frame


def load_into_db(con: duckdb.DuckDBPyConnection, remplacements: Remplacements | None = None) -> dict[str, Any]:
    """Create ``initiatives`` from ``data/initiatives`` and return its provenance row."""
    communes = con.execute("SELECT code, nom, lon, lat, codes_postaux FROM communes").df()
    catalogue, _ = lire_catalogue(communes, remplacements=remplacements)
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
    remplacements = remplacements or {}
    imports = fichiers_imports(remplacements=remplacements)
    lus = [remplacements.get(p, p) for p in imports]
    return ligne_locale(
        PROVENANCE,
        producteur="ESS Territoires, d'après les documents sources du projet"
        + (f" ; {len(imports)} fichier(s) importé(s)" if imports else ""),
        millesime="liste de départ 2026"
        + (f" ; imports du {_date_fichier(max(lus, key=lambda p: p.stat().st_mtime))}" if imports else ""),
        fichiers=[config.INITIATIVES_SEED, *imports],
        lignes=len(table),
        racine=Path(config.DATA_DIR).parent,
        date_acces=dt.date.today().isoformat(),
    )


def _date_fichier(chemin: Path) -> str:
    return dt.date.fromtimestamp(chemin.stat().st_mtime).isoformat()


def csv_import(frame: pd.DataFrame) -> bytes:
    """Validated initiatives in the seed CSV format (``;``-joined thématiques), as saved under imports/."""
    sortie = frame[list(ini.COLONNES)].copy()
    sortie["thematiques"] = [";".join(t) if isinstance(t, (list, tuple)) else (t or "") for t in sortie["thematiques"]]
    return sortie.to_csv(index=False).encode("utf-8")
