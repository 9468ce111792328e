"""A rebuild swaps the database under a running app: open sessions keep answering, new reads see new data.

``esscore build`` writes a new file and ``os.replace``s it. A reader that opened the old file keeps it (the
inode lives on); the app notices the new (inode, mtime) and reconnects. The trap this guards against:
DuckDB's Python client reuses an open database *instance* for the same path, so a plain second
``duckdb.connect(path)`` in the same process answers from the replaced file for as long as any connection
to it is alive; ``esscore.db.connect_snapshot`` always opens the file as it is now.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from esscore.db import connect, connect_snapshot, file_identity
from esscore.labels import fmt_date

ROOT = Path(__file__).resolve().parent.parent
SIRENE = ROOT / "tests" / "fixtures" / "sirene"
FIXTURE = (SIRENE / "StockEtablissement_utf8.csv", SIRENE / "StockUniteLegale_utf8.csv")
OLD_DATE = "2000-01-01T00:00:00"


def _date(con: duckdb.DuckDBPyConnection) -> str:
    return str(con.execute("SELECT valeur FROM meta WHERE cle = 'date_construction'").fetchall()[0][0])


@pytest.fixture()
def old_db(db_file: Path, tmp_path: Path) -> Path:
    """A copy of the fixture DB whose build date is set far in the past (builds are dated to the second)."""
    db = tmp_path / "ess.duckdb"
    shutil.copy(db_file, db)
    with duckdb.connect(str(db)) as con:
        con.execute("UPDATE meta SET valeur = $d WHERE cle = 'date_construction'", {"d": OLD_DATE})
    return db


def _check_swap(db: Path, old: duckdb.DuckDBPyConnection, before: tuple[int, int]) -> None:
    assert file_identity(db) != before, "la reconstruction doit remplacer le fichier (nouvel inode)"
    # the session opened before the swap still answers, from the old file
    assert _date(old) == OLD_DATE
    assert old.execute("SELECT count(*) FROM etablissements_ess").fetchall()[0][0] > 0
    assert connect_snapshot(db).execute("SELECT count(*) FROM territoires").fetchall()[0][0] > 30_000
    # a reconnection sees the new build
    assert _date(connect_snapshot(db)) != OLD_DATE


def test_build_in_another_process(old_db: Path) -> None:
    """Production: the app holds the file open while an administrator runs ``esscore build``."""
    old = connect_snapshot(old_db)
    before = file_identity(old_db)
    out = subprocess.run(
        [sys.executable, "-m", "esscore.cli", "build", "--db", str(old_db)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    _check_swap(old_db, old, before)
    assert connect_snapshot(old_db).execute("SELECT valeur FROM meta WHERE cle = 'ess'").fetchall() == [("sirene",)]


def test_build_in_the_same_process(old_db: Path) -> None:
    """An import run from the app itself rebuilds while the app's own connection is open."""
    from esscore.build import build

    old = connect_snapshot(old_db)
    plain = connect(old_db)  # the DuckDB instance a plain connect() would keep reusing
    before = file_identity(old_db)
    build(old_db, progress=lambda _m: None, sirene=FIXTURE)
    _check_swap(old_db, old, before)
    assert _date(plain) == OLD_DATE
    plain.close()


def test_app_connection_follows_the_file(old_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """esscore.ui.cache: the cached connection is reopened when (inode, mtime) changes; the old one still works."""
    from esscore.build import build
    from esscore.ui import cache

    monkeypatch.setenv("ESS_DB", str(old_db))
    first = cache.con()
    assert cache.meta()["date_construction"] == OLD_DATE
    build(old_db, progress=lambda _m: None, sirene=FIXTURE)
    second = cache.con()
    assert second is not first
    assert cache.meta()["date_construction"] != OLD_DATE
    assert _date(first) == OLD_DATE  # a session still using the old connection keeps working
    assert cache.territoire("epci:200041317").nom


def test_page_rerun_after_rebuild(old_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A page open before the rebuild shows the new build date at its next rerun, without error."""
    from streamlit.testing.v1 import AppTest

    from esscore.build import build

    monkeypatch.setenv("ESS_DB", str(old_db))
    at = AppTest.from_file(str(ROOT / "pages" / "donnees.py"), default_timeout=60).run()
    assert not at.exception
    assert any(fmt_date(OLD_DATE) in c.value for c in at.caption)
    build(old_db, progress=lambda _m: None, sirene=FIXTURE)
    at.run()
    assert not at.exception
    captions = " ".join(c.value for c in at.caption)
    assert "Base construite le" in captions and fmt_date(OLD_DATE) not in captions


def test_parallel_sessions_get_their_own_cursor(db_env: Path) -> None:
    """Sessions run in threads: a shared connection made DuckDB refuse calls ("connection is busy") or hand
    one thread the result of another's query."""
    from concurrent.futures import ThreadPoolExecutor

    from esscore.ui import cache

    expected = dict(cache.con().execute("SELECT type, count(*) FROM territoires GROUP BY type").fetchall())

    def worker(kind: str) -> set[int]:
        seen = set()
        for _ in range(40):
            cur = cache.con()
            seen.add(cur.execute("SELECT count(*) FROM territoires WHERE type = $t", {"t": kind}).fetchall()[0][0])
        return seen

    with ThreadPoolExecutor(max_workers=len(expected)) as pool:
        results = dict(zip(expected, pool.map(worker, expected), strict=True))
    assert results == {kind: {n} for kind, n in expected.items()}


def test_a_fresh_build_has_exactly_the_expected_tables(con: duckdb.DuckDBPyConnection) -> None:
    from esscore.build import TABLES, tables_manquantes

    names = {name for (name,) in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    assert names == TABLES  # a new table must be added to esscore.build.TABLES
    assert tables_manquantes(con) == []


def _older_version(db: Path, ess: str) -> None:
    """Make ``db`` look like a file built by an older version: two tables missing."""
    with duckdb.connect(str(db)) as con:
        con.execute("DROP TABLE ingestion_rapport")
        con.execute("DROP TABLE initiatives")
        con.execute("UPDATE meta SET valeur = $e WHERE cle = 'ess'", {"e": ess})


def test_app_rebuilds_a_database_left_by_an_older_version(old_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from streamlit.testing.v1 import AppTest

    from esscore import build as build_module
    from esscore.ui import data

    _older_version(old_db, "demo")
    # the real app rebuilds with the national demo (~20 s): the fixture data keep the test short
    monkeypatch.setattr(data, "build", lambda target, progress: build_module.build(target, progress, sirene=FIXTURE))
    monkeypatch.setenv("ESS_DB", str(old_db))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.switch_page("pages/carte.py")
    at.query_params["territoire"] = "epci:200041317"
    at.run()
    assert not at.exception
    with duckdb.connect(str(old_db), read_only=True) as con:
        assert build_module.tables_manquantes(con) == []
        assert _date(con) != OLD_DATE


def test_app_never_rebuilds_a_database_holding_real_sirene_data(old_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from streamlit.testing.v1 import AppTest

    _older_version(old_db, "sirene")
    before = old_db.read_bytes()
    monkeypatch.setenv("ESS_DB", str(old_db))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.switch_page("pages/carte.py")
    at.run()
    assert not at.exception
    assert "esscore build" in at.error[0].value and "initiatives" in at.error[0].value
    assert old_db.read_bytes() == before
