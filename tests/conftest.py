"""Shared fixtures: one small database built through the real build code, reused by all tests."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"


@pytest.fixture(scope="session")
def db_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database built by ``esscore.build.build`` (real geography, fixture ESS data)."""
    from esscore.build import build

    path = tmp_path_factory.mktemp("db") / "ess.duckdb"
    sirene = (FIXTURES / "sirene" / "StockEtablissement_utf8.csv", FIXTURES / "sirene" / "StockUniteLegale_utf8.csv")
    build(path, progress=lambda _msg: None, sirene=sirene)
    return path


@pytest.fixture(scope="session")
def petit_data_modele(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data/ folder with a département-sized geography and its database (see tests/ecrivains.py)."""
    from tests.ecrivains import preparer

    return preparer(tmp_path_factory.mktemp("petit") / "data")


@pytest.fixture()
def petit_data(petit_data_modele: Path, tmp_path: Path) -> Path:
    """A private, writable copy of ``petit_data_modele`` (run writers on it with ``tests.ecrivains.cli``)."""
    import shutil

    cible = tmp_path / "data"
    shutil.copytree(petit_data_modele, cible)
    return cible


@pytest.fixture()
def db_env(db_file: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point the app and the CLI at the session database."""
    monkeypatch.setenv("ESS_DB", str(db_file))
    return db_file


@pytest.fixture()
def con(db_file: Path):
    from esscore.db import connect

    connection = connect(db_file)
    yield connection
    connection.close()


def pytest_configure(config: pytest.Config) -> None:
    os.environ.setdefault("STREAMLIT_BROWSER_GATHER_USAGE_STATS", "false")
    # .streamlit/config.toml hides error details from users (production); tests want the real message:
    # the environment variable reaches the servers of the browser tests, set_option reaches AppTest.
    os.environ.setdefault("STREAMLIT_CLIENT_SHOW_ERROR_DETAILS", "full")
    from streamlit import config as st_config

    st_config.set_option("client.showErrorDetails", "full")
