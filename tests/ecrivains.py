"""A small writable data/ folder for tests that run the real writers in child processes.

Same files and columns as the shipped data/, but the geography is cut to the Deux-Sèvres (plus the
communes of the shipped initiatives), so that a child ``esscore build`` takes about a second. The
fixtures that use it (``petit_data``) are in ``tests/conftest.py``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parent.parent
SIRENE = ROOT / "tests" / "fixtures" / "sirene"


def geographie_reduite(cible: Path, departements: tuple[str, ...] = ("79",)) -> Path:
    """The shipped geography cut to a few départements (Deux-Sèvres by default) plus the communes of the
    shipped initiatives: same files, same columns, a fraction of the rows."""
    cible.mkdir(parents=True)
    src = ROOT / "data" / "geographie"
    con = duckdb.connect()
    seed = ROOT / "data" / "initiatives" / "initiatives.csv"
    con.execute(
        f"CREATE TABLE c AS SELECT * FROM read_parquet('{src / 'communes.parquet'}') "
        "WHERE list_contains($deps, departement) "
        f"OR code IN (SELECT commune_code FROM read_csv('{seed}', all_varchar = true))",
        {"deps": list(departements)},
    )
    filtres = {
        "communes": "SELECT * FROM c",
        "passage_communes": "SELECT * FROM read_parquet('{f}') WHERE code_commune IN (SELECT code FROM c)",
        "epci": "SELECT * FROM read_parquet('{f}') WHERE code IN (SELECT epci FROM c)",
        "departements": "SELECT * FROM read_parquet('{f}') WHERE code IN (SELECT departement FROM c)",
        "regions": "SELECT * FROM read_parquet('{f}') WHERE code IN (SELECT region FROM c)",
        "contours_communes": "SELECT * FROM read_parquet('{f}') WHERE code IN (SELECT code FROM c)",
        "contours_epci": "SELECT * FROM read_parquet('{f}') WHERE code IN (SELECT epci FROM c)",
        "contours_departements": "SELECT * FROM read_parquet('{f}') WHERE code IN (SELECT departement FROM c)",
        "contours_regions": "SELECT * FROM read_parquet('{f}') WHERE code IN (SELECT region FROM c)",
    }
    for nom, requete in filtres.items():
        f = src / f"{nom}.parquet"
        con.execute(f"COPY ({requete.format(f=f)}) TO '{cible / f'{nom}.parquet'}' (FORMAT parquet)")
    con.close()
    return cible


def preparer(base: Path) -> Path:
    """Fill ``base`` as a data/ folder and build its database from the fixture SIRENE files."""
    geographie_reduite(base / "geographie")
    for nom in ("reference", "benchmark"):
        shutil.copytree(ROOT / "data" / nom, base / nom)
    shutil.copy(ROOT / "data" / "sources.toml", base / "sources.toml")
    (base / "initiatives").mkdir()
    etab, ul = SIRENE / "StockEtablissement_utf8.csv", SIRENE / "StockUniteLegale_utf8.csv"
    sortie = cli(base, "ingest", "sirene", "--etablissements", str(etab), "--unites-legales", str(ul))
    assert sortie.returncode == 0, sortie.stderr
    return base


def env(data: Path) -> dict[str, str]:
    return {
        **os.environ,
        "ESS_DATA_DIR": str(data),
        "ESS_DB": str(data / "ess.duckdb"),
        "ESS_STORE": str(data.parent / "edition.sqlite"),
    }


def cli(data: Path, *args: str) -> subprocess.CompletedProcess[str]:
    commande = [sys.executable, "-m", "esscore.cli", *args]
    return subprocess.run(commande, cwd=ROOT, env=env(data), capture_output=True, text=True, timeout=120)
