"""Shared fixtures: one small database built through the real build code, reused by all tests; and every
fixture of the browser suite (``-m browser``), defined here once (helpers and data builders: tests/browser.py)."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests import browser as B

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
BASE = "ess.duckdb"  # the database's file name in the folder of a session fixture


def une_fois_par_session(tmp_path_factory: pytest.TempPathFactory, nom: str, remplir: Callable[[Path], object]) -> Path:
    """A folder filled by ``remplir`` once for the whole run, then only read (tests that write copy from it).

    Under pytest-xdist the workers' temp folders share one parent, created for this run: the first worker to
    ask builds there under a file lock, the others wait for it and read the same file (read-only DuckDB
    connections from several processes are allowed), instead of each worker building its own copy.
    Without xdist: the session's temp folder, as any session fixture."""
    if os.environ.get("PYTEST_XDIST_WORKER") is None:
        dossier = tmp_path_factory.mktemp(nom)
        remplir(dossier)
        return dossier
    dossier = tmp_path_factory.getbasetemp().parent / f"partage-{nom}"
    dossier.mkdir(exist_ok=True)
    with open(dossier.with_suffix(".verrou"), "w") as verrou:
        fcntl.flock(verrou, fcntl.LOCK_EX)  # released when the file closes, even if the build fails
        fait = dossier.with_suffix(".fait")
        if not fait.exists():
            remplir(dossier)
            fait.touch()
    return dossier


def _construire_stock(path: Path, stock: Path) -> Path:
    """``esscore.build.build`` of a fixture stock declared national, into ``path`` (a new or existing base)."""
    from esscore.build import build

    build(path, progress=lambda _msg: None, couverture="nationale",
          sirene=(stock / "StockEtablissement_utf8.csv", stock / "StockUniteLegale_utf8.csv"))  # fmt: skip
    return path


@pytest.fixture(scope="session")
def db_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database built by ``esscore.build.build`` (real geography, fixture ESS data).

    The fixture files stand for the national stock in miniature (a few rows of two départements): declared
    national (``couverture="nationale"``) so that the suite sees a complete France; the ingestion of a partial
    extract, marked « partiel », is tested in tests/test_sirene_fr.py."""
    dossier = une_fois_par_session(tmp_path_factory, "db", lambda d: _construire_stock(d / BASE, FIXTURES / "sirene"))
    return dossier / BASE


@pytest.fixture(scope="session")
def db_millesime_2024(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database of the second-vintage fixture alone (tests/fixtures/sirene_2024/: stock of 30 November 2024, dated
    creations and closures), declared national like ``db_file``."""
    stock = FIXTURES / "sirene_2024"
    return une_fois_par_session(tmp_path_factory, "millesime_2024", lambda d: _construire_stock(d / BASE, stock)) / BASE


@pytest.fixture(scope="session")
def db_millesimes(db_millesime_2024: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two vintages: the 2024 stock (``db_millesime_2024``), then the 2025 stock of ``db_file`` ingested into it."""
    import shutil

    def construire(dossier: Path) -> None:
        shutil.copyfile(db_millesime_2024, dossier / BASE)
        _construire_stock(dossier / BASE, FIXTURES / "sirene")

    return une_fois_par_session(tmp_path_factory, "millesimes", construire) / BASE


@pytest.fixture(scope="session")
def base_nationale(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The national demonstration database (default data, ``demo=True``), built once, about 16 s: the scans and
    calibration checks that need every territory of France (tests/test_secret.py, tests/test_demo_calage.py).

    Its tests form one xdist group (``pytest_collection_modifyitems``): with ``--dist loadgroup`` one worker
    builds it while the others run the rest of the suite."""
    from esscore.build import build

    dossier = une_fois_par_session(tmp_path_factory, "nationale", lambda d: build(d / BASE, progress=lambda _m: None))
    return dossier / BASE


@pytest.fixture(scope="session")
def petit_data_modele(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data/ folder with a département-sized geography and its database (see tests/ecrivains.py)."""
    from tests.ecrivains import preparer

    return une_fois_par_session(tmp_path_factory, "petit", lambda dossier: preparer(dossier / "data")) / "data"


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


# ---------------------------------------------------------------- editable store on both engines


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """URL of a throw-away PostgreSQL cluster started for the session (``tests/postgres.py``), stopped at the end.

    Without PostgreSQL binaries: skipped on a developer's machine, failed in CI (``ESS_TESTS_POSTGRES=1``).
    """
    from tests import postgres as P

    dossier_bin = P.binaires()
    if dossier_bin is None:
        if os.environ.get(P.REQUIS) == "1":
            pytest.fail(f"{P.absent()} ({P.REQUIS}=1 : tests PostgreSQL obligatoires)", pytrace=False)
        pytest.skip(P.absent())
    with P.grappe(dossier_bin) as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty editable store's location (``ESS_STORE``) on each engine: a SQLite file not yet created, or a
    new database of the session's PostgreSQL cluster."""
    if request.param == "sqlite":
        return str(tmp_path / "magasin" / "edition.sqlite")
    from tests import postgres as P

    return P.nouvelle_base(request.getfixturevalue("postgres_url"))


# ---------------------------------------------------------------- browser suite
# One Chromium and one main Streamlit server serve the whole browser suite; page-specific state goes through
# URL parameters (?territoire=, ?feuille=, ?q=…). Two other kinds of server, each for a stated reason:
# ``hostile_server`` (its data rewrites every name) and ``fresh_streamlit_server`` (a process no one visited).


@pytest.fixture(scope="session")
def browser_db(db_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The main server's database: ``db_file`` plus synthetic and hostile map rows (``B.build_browser_db``).

    Rows are only added (in Niort agglo): what the other browser modules read (fixture establishments,
    benchmark catalogue, territories, roadmaps' territories) is the fixture database's.
    """
    return B.build_browser_db(db_file, tmp_path_factory.mktemp("browser_db") / "ess.duckdb")


@pytest.fixture(scope="session")
def browser_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The main server's editing store (``ESS_STORE``): a temp file, never data/edition.sqlite of the checkout.

    Absent at start: the roadmap page seeds it with the two example roadmaps on first use, as in production.
    """
    return tmp_path_factory.mktemp("browser_store") / "edition.sqlite"


@pytest.fixture(scope="session")
def streamlit_server(browser_db: Path, browser_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL of the Streamlit server shared by the whole browser suite, warmed up as after a deployment."""
    log = tmp_path_factory.mktemp("streamlit") / "server.log"
    with B.run_streamlit(browser_db, log, env={"ESS_STORE": str(browser_store)}) as base_url:
        B.rechauffer(base_url)
        yield base_url


@pytest.fixture(scope="session")
def hostile_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL of a second server, on data where every displayed name is hostile (``B.build_hostile_db``) and
    a store holding a roadmap made of Markdown traps (``B.build_hostile_store``).

    A second server because this data cannot share the main one: it rewrites every name instead of adding
    rows (every policy's description becomes a script, so the benchmark's search counts would change; the
    Markdown-trap fiche also matches the benchmark's « economie circulaire » search), and the main server's
    assertions are about the real names.
    """
    folder = tmp_path_factory.mktemp("hostile")
    db = B.build_hostile_db(folder)
    store = B.build_hostile_store(folder / "edition.sqlite")
    with B.run_streamlit(db, folder / "server.log", env={"ESS_STORE": str(store)}) as base_url:
        B.rechauffer(base_url)
        yield base_url


@pytest.fixture()
def fresh_streamlit_server(
    browser_db: Path, browser_store: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """Base URL of a server process no browser has talked to yet, not warmed up (first-visit behaviour, e.g.
    deep links; once visited it is not fresh any more, hence one per test); same data as ``streamlit_server``."""
    log = tmp_path_factory.mktemp("streamlit_fresh") / "server.log"
    with B.run_streamlit(browser_db, log, env={"ESS_STORE": str(browser_store)}) as base_url:
        yield base_url


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's headless Chromium, one for the session (skips when it is not installed)."""
    with B.launch_browser() as instance:
        yield instance


@pytest.fixture()
def page(browser: Browser) -> Iterator[Page]:
    """A fresh context + page per test (``B.new_page``: errors in ``page.errors``, other hosts blocked)."""
    with B.new_page(browser) as pg:
        yield pg


@pytest.hookimpl(tryfirst=True)  # before xdist's own hook, which reads the groups into the test ids
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Browser tests share session servers: one xdist group keeps them in a single worker. The tests of the
    national demonstration database form another: one worker builds it (about 20 s), not every worker."""
    for item in items:
        if item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.xdist_group("navigateur"))
        elif "base_nationale" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.xdist_group("nationale"))


class _GroupesXdist:
    """pytest-xdist 3.8 puts a grouped test's id (``…@groupe``, read by ``--dist loadgroup``) in ``item._nodeid``,
    which pytest 9.2 no longer reads (the id lives in ``item._id``): without this, every group was silently
    ignored and its tests spread over the workers. Does nothing once xdist sets the id pytest reads."""

    @pytest.hookimpl(trylast=True)  # after xdist's hook
    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        for item in items:
            voulu = item.__dict__.get("_nodeid")
            if isinstance(voulu, str) and voulu != item.nodeid:  # never true before pytest 9.2: no import there
                from _pytest.nodeid import NodeId

                item._id = NodeId.parse(voulu)


def pytest_configure(config: pytest.Config) -> None:
    if os.environ.get("PYTEST_XDIST_WORKER"):
        config.pluginmanager.register(_GroupesXdist(), "ess-groupes-xdist")
    os.environ.setdefault("STREAMLIT_BROWSER_GATHER_USAGE_STATS", "false")
    # .streamlit/config.toml hides error details from users (production); tests want the real message:
    # the environment variable reaches the servers of the browser tests, set_option reaches AppTest.
    os.environ.setdefault("STREAMLIT_CLIENT_SHOW_ERROR_DETAILS", "full")
    from streamlit import config as st_config

    st_config.set_option("client.showErrorDetails", "full")
