"""Cached access to the read-only database for the pages.

The connection is cached per (path, inode, mtime): when ``esscore build`` swaps a new file in,
the next rerun opens the new file while running sessions keep working on the old one.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import streamlit as st

from esscore import geography
from esscore.build import build, read_meta, tables_manquantes
from esscore.config import db_path
from esscore.db import balayer_temporaires, connect_snapshot, file_identity, query
from esscore.text import texte_litteral


def ensure_database() -> None:
    """Build the database on first start, or rebuild one left by an older version, with a progress message.

    A file holding real SIRENE data is never rebuilt here (the app would not know how to keep it): the
    page says which command does it.
    """
    target = db_path()
    _balayage(str(target))
    titre = "Première ouverture : construction de la base de données…"
    if target.exists():
        manquantes = _tables_manquantes(str(target), file_identity(target))
        if not manquantes:
            return
        if read_meta(target).get("ess") == "sirene":
            st.error(
                f"La base {texte_litteral(target.name)} vient d'une version antérieure de l'application "
                f"(tables absentes : {', '.join(manquantes)}). "
                "Reconstruisez-la avec « esscore build » : les données SIRENE "
                "qu'elle contient sont conservées."
            )
            st.stop()
        titre = "Base construite par une version antérieure de l'application : reconstruction…"
    with st.status(titre, expanded=True) as status:
        build(target, progress=status.write)
        status.update(label="Base de données prête.", state="complete", expanded=False)


@st.cache_resource(show_spinner=False)
def _balayage(path: str) -> int:
    """Once per server process: delete what killed writers left more than a day ago (never fails)."""
    return len(balayer_temporaires(Path(path)))


@st.cache_data(show_spinner=False, max_entries=4)
def _tables_manquantes(path: str, identity: tuple[int, int]) -> list[str]:
    return tables_manquantes(_connection(path, identity).cursor())  # own cursor: sessions run in parallel


@st.cache_resource(show_spinner=False, max_entries=2)
def _connection(path: str, identity: tuple[int, int]) -> duckdb.DuckDBPyConnection:
    # connect_snapshot, not connect: a plain connect() would reuse the instance of the replaced file.
    return connect_snapshot(path)


def con() -> duckdb.DuckDBPyConnection:
    """A read-only cursor on the current database file (reopened after a rebuild).

    A new cursor per call: sessions run in parallel threads, and DuckDB refuses (or, worse, mixes up the
    results of) concurrent calls on one shared connection.
    """
    path = db_path()
    return _connection(str(path), file_identity(path)).cursor()


def db_key() -> tuple[int, int]:
    """Cache key component so cached results are dropped when the database is rebuilt."""
    return file_identity(db_path())


@st.cache_data(show_spinner=False, max_entries=256)
def _named(name: str, key: tuple[int, int], params: tuple) -> pd.DataFrame:
    return query(con(), name, **dict(params))


def named_query(name: str, **params: object) -> pd.DataFrame:
    """Cached ``esscore.db.query`` (parameters must be hashable)."""
    frozen = tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in params.items()))
    return _named(name, db_key(), frozen).copy()


@st.cache_data(show_spinner=False, max_entries=512)
def _territoire(raw: str, key: tuple[int, int]) -> geography.Territoire:
    return geography.get(con(), raw)


def territoire(raw: str) -> geography.Territoire:
    return _territoire(raw, db_key())


@st.cache_data(show_spinner=False, max_entries=512)
def _search(text: str, key: tuple[int, int]) -> pd.DataFrame:
    return geography.search(con(), text, limit=15)


def search(text: str) -> pd.DataFrame:
    return _search(text, db_key())


@st.cache_data(show_spinner=False)
def _meta(key: tuple[int, int]) -> dict[str, str]:
    frame = query(con(), "meta")
    return dict(zip(frame["cle"], frame["valeur"], strict=True))


def meta() -> dict[str, str]:
    return _meta(db_key())


def is_demo() -> bool:
    return meta().get("demo") == "true"
