"""Benchmark of ``esscore ingest sirene`` against a bare DuckDB scan of the same files.

Generates SIRENE stock files with the real 54 / 35 column schema at a chosen scale (parquet, typed as
published), then times, each in a fresh subprocess with its peak memory (ru_maxrss):
  1. a bare scan: count(*) plus min/max over the columns the ingestion reads, for both files;
  2. the full ingestion (``esscore.build.build(db, sirene=...)``: geography + ESS tables + indicators).
Prints the figures and a linear extrapolation to the national stock (43.9 M establishments, 29.9 M legal units).

Usage: python benchmarks/ingest_sirene.py [--etablissements 2000000] [--workdir /tmp/ess-bench]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from esscore.sirene_schema import ETABLISSEMENT_COLUMNS, UNITE_LEGALE_COLUMNS  # noqa: E402

NATIONAL_ETAB, NATIONAL_UL = 43_896_818, 29_922_486

# Realistic mixes: ~45 % active; CJ mostly EI/companies, ~10 % ESS family forms (as in the real stock);
# bands mostly NN; the ESS flag on 0.2 % of units.
_CJ = [1000] * 16 + [5710] * 8 + [5499] * 6 + [5720] * 3 + [6540] * 2 + [7210] + [9220] * 3 + [5458]
CJ_MIX = f"{_CJ}[1 + h % {len(_CJ)}]"
UL_VALUES = {
    "categorieJuridiqueUniteLegale": CJ_MIX,
    "economieSocialeSolidaireUniteLegale": "CASE WHEN h % 500 = 0 THEN 'O' WHEN h % 3 = 0 THEN 'N' ELSE NULL END",
    "statutDiffusionUniteLegale": "CASE WHEN h % 25 = 0 THEN 'P' ELSE 'O' END",
    "denominationUniteLegale": "'SOCIETE BENCH ' || i",
    "etatAdministratifUniteLegale": "CASE WHEN h % 3 = 0 THEN 'C' ELSE 'A' END",
}
ETAB_VALUES = {
    "statutDiffusionEtablissement": "CASE WHEN h % 30 = 0 THEN 'P' ELSE 'O' END",
    "trancheEffectifsEtablissement": "['NN','NN','NN','NN','00','01','02','03','11','12','21','22','31','32','41'][1 + h % 15]",
    "caractereEmployeurEtablissement": "CASE WHEN h % 4 = 0 THEN 'O' WHEN h % 4 = 1 THEN '' ELSE 'N' END",
    "codeCommuneEtablissement": "communes[1 + h % len(communes)]",
    "etatAdministratifEtablissement": "CASE WHEN h % 20 < 9 THEN 'A' ELSE 'F' END",
    "activitePrincipaleEtablissement": "['88.10A','94.99Z','47.11F','56.10A','62.01Z','84.11Z','93.12Z','85.59A','43.21A'][1 + h % 9]",
    "nomenclatureActivitePrincipaleEtablissement": "'NAFRev2'",
    "coordonneeLambertAbscisseEtablissement": "CAST(200000 + h % 800000 AS VARCHAR)",
    "coordonneeLambertOrdonneeEtablissement": "CAST(6200000 + h % 900000 AS VARCHAR)",
    "libelleVoieEtablissement": "'RUE DU BENCHMARK'",
    "etablissementSiege": "h % 3 = 0",
    "dateCreationEtablissement": "DATE '2000-01-01' + CAST(h % 9000 AS INTEGER)",
}


def generate(workdir: Path, n_etab: int) -> tuple[Path, Path]:
    """Write typed parquet files with all the published columns (values in realistic proportions)."""
    n_ul = int(n_etab * NATIONAL_UL / NATIONAL_ETAB)
    etab, ul = workdir / "StockEtablissement_utf8.parquet", workdir / "StockUniteLegale_utf8.parquet"
    if etab.exists() and ul.exists() and duckdb.sql(f"SELECT count(*) FROM '{etab}'").fetchall()[0][0] == n_etab:
        return etab, ul
    con = duckdb.connect()
    con.execute("SET threads = 2")
    geo = ROOT / "data" / "geographie" / "communes.parquet"
    con.execute(f"CREATE TEMP TABLE c AS SELECT list(code) AS communes FROM '{geo}'")
    ul_cols = ", ".join(
        f"{UL_VALUES.get(col, 'NULL')} AS {col}" if col != "siren" else "lpad(CAST(i AS VARCHAR), 9, '0') AS siren"
        for col in UNITE_LEGALE_COLUMNS
    )
    con.execute(f"""COPY (SELECT {ul_cols} FROM (SELECT i, CAST(hash(i) % 1000003 AS BIGINT) AS h FROM range({n_ul}) t(i)))
                    TO '{ul}' (FORMAT parquet, COMPRESSION zstd)""")
    special = {"siren": f"lpad(CAST(i % {n_ul} AS VARCHAR), 9, '0')",
               "nic": "lpad(CAST(i AS VARCHAR), 5, '0')",
               "siret": f"lpad(CAST(i % {n_ul} AS VARCHAR), 9, '0') || lpad(CAST(i AS VARCHAR), 5, '0')"}  # fmt: skip
    et_cols = ", ".join(f"{special.get(col) or ETAB_VALUES.get(col, 'NULL')} AS {col}" for col in ETABLISSEMENT_COLUMNS)
    con.execute(f"""COPY (SELECT {et_cols} FROM (SELECT i, CAST(hash(i * 7) % 1000003 AS BIGINT) AS h FROM range({n_etab}) t(i)), c)
                    TO '{etab}' (FORMAT parquet, COMPRESSION zstd)""")
    return etab, ul


# The bare scan reads every value of the columns the ingestion uses (hash forces decoding; min/max alone
# could be answered from parquet statistics), for both files, with the same filter on active rows.
ETAB_READ = [
    "siren",
    "siret",
    "statutDiffusionEtablissement",
    "trancheEffectifsEtablissement",
    "codeCommuneEtablissement",
    "codePaysEtrangerEtablissement",
    "activitePrincipaleEtablissement",
    "nomenclatureActivitePrincipaleEtablissement",
    "caractereEmployeurEtablissement",
    "coordonneeLambertAbscisseEtablissement",
    "coordonneeLambertOrdonneeEtablissement",
    "denominationUsuelleEtablissement",
    "enseigne1Etablissement",
    "dateDernierTraitementEtablissement",
]
UL_READ = [
    "siren",
    "categorieJuridiqueUniteLegale",
    "economieSocialeSolidaireUniteLegale",
    "statutDiffusionUniteLegale",
    "denominationUniteLegale",
    "sigleUniteLegale",
]
BARE = f"""
import duckdb, sys, time
t = time.perf_counter()
con = duckdb.connect(); con.execute("SET threads = 2")
con.execute("SELECT count(*), sum(hash({", ".join(ETAB_READ)})) FROM read_parquet($p) "
            "WHERE etatAdministratifEtablissement = 'A'", {{"p": sys.argv[1]}}).fetchall()
con.execute("SELECT count(*), sum(hash({", ".join(UL_READ)})) FROM read_parquet($p)", {{"p": sys.argv[2]}}).fetchall()
print(time.perf_counter() - t)
"""
INGEST = """
import sys, time
from pathlib import Path
from esscore.build import build
t = time.perf_counter()
timings = build(sys.argv[3], progress=lambda m: None, sirene=(Path(sys.argv[1]), Path(sys.argv[2])))
print(time.perf_counter() - t)
"""


def run(code: str, *args: str) -> tuple[float, float]:
    """Run ``code`` in a fresh interpreter; return (seconds, peak RSS in MB of that process)."""
    wrapper = code + "\nimport resource; print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)\n"
    out = subprocess.run([sys.executable, "-c", wrapper, *args], capture_output=True, text=True, check=True, cwd=ROOT)
    seconds, peak = out.stdout.strip().splitlines()[-2:]
    return float(seconds), float(peak)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--etablissements", type=int, default=2_000_000)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/ess-bench"))
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    etab, ul = generate(args.workdir, args.etablissements)
    gen = time.perf_counter() - t0
    bare_s, bare_mb = run(BARE, str(etab), str(ul))
    ingest_s, ingest_mb = run(INGEST, str(etab), str(ul), str(args.workdir / "bench.duckdb"))
    scale = NATIONAL_ETAB / args.etablissements
    result = {
        "etablissements": args.etablissements,
        "unites_legales": int(args.etablissements * NATIONAL_UL / NATIONAL_ETAB),
        "taille_fichiers_mo": round((etab.stat().st_size + ul.stat().st_size) / 1e6, 1),
        "generation_s": round(gen, 1),
        "scan_brut_s": round(bare_s, 2),
        "scan_brut_pic_mo": round(bare_mb),
        "ingestion_s": round(ingest_s, 2),
        "ingestion_pic_mo": round(ingest_mb),
        "ratio_ingestion_sur_scan": round(ingest_s / bare_s, 2),
        "extrapolation_nationale_s": round(ingest_s * scale),
        "note": "extrapolation linéaire du temps ; la mémoire est bornée par memory_limit DuckDB et le débordement disque",
    }
    print(json.dumps(result, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
