"""DuckDB access: read-only connections for the app, build-to-temp + atomic swap for writers.

The app never writes the statistics database; every build writes a new file next to the
target and ``os.replace``s it, so readers either see the old file or the new one, never half.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from esscore.config import db_path
from esscore.errors import EssError
from esscore.fichiers import fichier_atomique


@cache
def sql(name: str) -> str:
    """The text of ``esscore/sql/<name>.sql`` (one statement per file, ``$named`` parameters)."""
    return resources.files("esscore.sql").joinpath(f"{name}.sql").read_text("utf-8")


def connect(path: str | os.PathLike[str] | None = None, read_only: bool = True) -> duckdb.DuckDBPyConnection:
    """Open the statistics database; a missing file is a French error saying how to build it."""
    target = db_path(path)
    if read_only and not target.exists():
        raise EssError(
            f"Base de données introuvable : {target}. Construisez-la avec « esscore build » "
            "(ou lancez l'application, qui la construit au premier démarrage)."
        )
    return duckdb.connect(str(target), read_only=read_only)


def connect_snapshot(path: str | os.PathLike[str] | None = None) -> duckdb.DuckDBPyConnection:
    """Read-only connection to the file as it is *now*, for long-lived readers (the app) that reconnect.

    Why not ``connect()``: DuckDB's Python client reuses an open database instance for the same path, so
    after a rebuild swapped a new file in, a second ``connect()`` in the same process keeps answering from
    the replaced file as long as any connection to it is alive. Attaching the file to a fresh in-memory
    database always opens the current file; one view per table (and one macro per macro, such as the map's
    filter ``etablissements_selection``) keeps unqualified names working on every cursor. The old connection
    keeps its own (old) file until it is dropped.
    """
    target = db_path(path)
    if not target.exists():
        connect(target)  # raises the French "build it" error
    con = duckdb.connect(":memory:")
    con.execute(f"ATTACH '{_quote(target)}' AS ess (READ_ONLY)")
    names = con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = 'ess' AND schema_name = 'main' "
        "UNION SELECT view_name FROM duckdb_views() WHERE database_name = 'ess' AND schema_name = 'main' "
        "AND NOT internal"
    ).fetchall()
    for (name,) in names:
        quoted = str(name).replace('"', '""')
        con.execute(f'CREATE VIEW "{quoted}" AS SELECT * FROM ess.main."{quoted}"')
    _macros_du_fichier(con)
    return con


def _macros_du_fichier(con: duckdb.DuckDBPyConnection) -> None:
    """One macro per macro of the attached file (e.g. ``etablissements_selection``), calling it.

    Why: a macro of ``ess`` is found only when qualified (``ess.main.nom(...)``), and ``SET search_path``
    holds for one cursor only. Names and parameters are identifiers read from the file's catalogue, quoted;
    created after the views because a macro's body is bound where it is called (its tables are the views).
    A macro that calls another (``etablissements_diffusion`` calls ``etablissements_selection``) binds only
    once that one exists: those that fail are tried again after the others; one whose macro is missing from
    the file is left out, and ``esscore.build.tables_manquantes`` names it (the file is rebuilt).
    """
    restantes = con.execute(
        "SELECT function_name, function_type, parameters FROM duckdb_functions() "
        "WHERE database_name = 'ess' AND schema_name = 'main' AND function_type IN ('macro', 'table_macro')"
    ).fetchall()
    while restantes:
        echecs = [macro for macro in restantes if not _reexporter_macro(con, *macro)]
        if len(echecs) == len(restantes):
            return
        restantes = echecs


def _reexporter_macro(con: duckdb.DuckDBPyConnection, name: str, kind: str, params: list[str]) -> bool:
    """Create the in-memory macro ``name`` calling the file's; False when its body does not bind yet."""
    quoted = '"' + str(name).replace('"', '""') + '"'
    args = ", ".join('"' + str(p).replace('"', '""') + '"' for p in params)
    call = f"ess.main.{quoted}({args})"
    body = f"TABLE SELECT * FROM {call}" if kind == "table_macro" else call
    try:
        con.execute(f"CREATE MACRO {quoted}({args}) AS {body}")
    except duckdb.CatalogException:
        return False
    return True


def construire(con: duckdb.DuckDBPyConnection, name: str) -> None:
    """Run ``esscore/sql/construction/<name>.sql``: DDL of the build (a table, view or macro; one statement, no
    parameters). Only writers call it: the app reads what it created."""
    con.execute(sql(f"construction/{name}"))


def query(con: duckdb.DuckDBPyConnection, name: str, **params: Any) -> pd.DataFrame:
    """Run a named SQL file with named parameters on its own cursor (safe across threads)."""
    cur = con.cursor()
    try:
        return cur.execute(sql(name), params or None).df()
    finally:
        cur.close()


def atomic_build(
    target: Path, builder: Callable[[duckdb.DuckDBPyConnection], object], *, modifier: bool = False
) -> Path:
    """Run ``builder`` on a fresh temp database (with ``modifier``: on a copy of ``target``), then swap it into
    ``target`` atomically: readers see the old file or the new one, never half.

    If ``builder`` raises, the temp file is removed and ``target`` is left byte-for-byte intact.
    """
    with fichier_atomique(target) as tmp:
        if modifier:
            shutil.copyfile(target, tmp)
        con = duckdb.connect(str(tmp))
        try:
            builder(con)
            con.execute("CHECKPOINT")
        finally:
            con.close()
    return Path(target)


def copy_tables(src: Path, con: duckdb.DuckDBPyConnection, only: set[str]) -> list[str]:
    """Copy the listed tables of ``src`` into ``con`` (keeps real data across a rebuild)."""
    con.execute(f"ATTACH '{_quote(src)}' AS old (READ_ONLY)")
    try:
        tables = [r[0] for r in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_catalog = 'old'"
        ).fetchall()]  # fmt: skip
        copied = [t for t in tables if t in only]
        for t in copied:
            con.execute(f'CREATE OR REPLACE TABLE "{t}" AS SELECT * FROM old."{t}"')
        return copied
    finally:
        con.execute("DETACH old")


def _quote(path: Path | str) -> str:
    return str(path).replace("'", "''")


def file_identity(path: Path) -> tuple[int, int]:
    """(inode, mtime) of the DB file: changes when a rebuild swaps it, so readers can reconnect."""
    st = os.stat(path)
    return (st.st_ino, st.st_mtime_ns)


# ------------------------------------------------------------------------------------ writers' lock, sweep

AGE_TEMPORAIRE_PERIME = 24 * 3600  # seconds: a temp file or folder older than a day belongs to no live writer


@contextmanager
def verrou_ecriture(target: Path, progress: Callable[[str], None] = print) -> Iterator[None]:
    """Exclusive lock held by every writer of ``target`` (build, ingest, imports), one at a time.

    Why: an import reads the current additions, merges, writes and rebuilds; two at once would lose one
    of them. ``flock`` is released by the kernel when the process dies, even under SIGKILL, so a killed
    writer never blocks the next one. Holding it also proves that temp files of ``target`` are stale.
    The lock is taken on the database's folder itself: no lock file to leave behind.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(target.parent, os.O_RDONLY)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            progress("… une autre écriture de la base est en cours : attente de sa fin")
            fcntl.flock(fd, fcntl.LOCK_EX)
        balayer_temporaires(target, age_min=0.0)
        yield
    finally:
        os.close(fd)  # releases the lock


def balayer_temporaires(target: Path, age_min: float = AGE_TEMPORAIRE_PERIME) -> list[Path]:
    """Delete what killed writers left: ``.<db>.*.tmp`` (+ ``.wal``) next to ``target`` older than
    ``age_min`` seconds (0 under the writers' lock: none can be live), and ``ess-*`` folders of the system
    temp directory older than a day (other databases' writers may be using younger ones)."""
    now = time.time()
    removed: list[Path] = []
    candidates = [(p, age_min) for p in Path(target).parent.glob(f".{Path(target).name}.*.tmp*")]
    candidates += [(p, AGE_TEMPORAIRE_PERIME) for p in Path(tempfile.gettempdir()).glob("ess-*")]
    for path, age in candidates:
        try:
            if now - path.lstat().st_mtime < age:
                continue
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)
            removed.append(path)
        except OSError:
            continue  # vanished meanwhile, or not ours: never fail a build over a leftover
    return removed
