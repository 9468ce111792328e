"""Hostile input in a real browser: no injected script ever runs, no traceback is ever shown.

Two sources of hostile text: the query string (every parameter any page reads, on every page registered in
app.py) and the data itself (establishment, initiative, policy and commune names carrying ``<script>`` and
``onerror`` payloads, in a database built for this module). Payloads call ``alert()`` (caught as a dialog)
and set ``window.__xss`` (read back), so an escape that fails in either way is seen. The map tooltips are
tested by the map's own browser tests (hovering a point).
"""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from tests.browser import (
    body_text,
    browser,  # noqa: F401
    fresh_streamlit_server,  # noqa: F401
    health,
    open_page,
    page,  # noqa: F401
    page_errors,
    run_streamlit,
    streamlit_server,  # noqa: F401
)
from tests.test_hostile import HOSTILE_TERRITOIRES, HOSTILE_VALUES, Page, registered_pages, url_params

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
SIRENE = ROOT / "tests" / "fixtures" / "sirene"
XSS_IMG = '<img src=x onerror="window.__xss=(window.__xss||0)+1;alert(1)">'
XSS_SCRIPT = "<script>window.__xss=(window.__xss||0)+1;alert(2)</script>"
XSS_SVG = "<svg/onload=alert(3)>"
PAGES = registered_pages()
TERRITOIRE_NIORT = "epci:200041317"  # holds the fixture establishments and several seed initiatives


class Watch:
    """Dialogs opened by the page (alert, confirm…), dismissed and recorded."""

    def __init__(self, pg) -> None:
        self.dialogs: list[str] = []
        pg.on("dialog", self._on_dialog)

    def _on_dialog(self, dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()


def assert_clean(pg, watch: Watch) -> None:
    """No dialog, no injected code run, no Streamlit exception box, no traceback text, no uncaught JS error."""
    text = body_text(pg)
    assert watch.dialogs == [], f"script injecté exécuté : {watch.dialogs}"
    assert pg.evaluate("() => window.__xss || 0") == 0, "gestionnaire onerror/script injecté exécuté"
    assert "Traceback" not in text
    assert "Page not found" not in text
    assert pg.locator('[data-testid="stException"]').count() == 0, text[:2000]
    assert page_errors(pg) == []


def rechauffer(base_url: str) -> None:
    """What the systemd unit does after each start (docs/deploiement.md): one session runs app.py."""
    out = subprocess.run(
        [sys.executable, "benchmarks/load.py", "--rechauffer", base_url.removeprefix("http://")],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr


@pytest.fixture(scope="module", autouse=True)
def _serveur_rechauffe(streamlit_server) -> None:  # noqa: F811
    rechauffer(streamlit_server)


@pytest.mark.parametrize("valeur", list(HOSTILE_TERRITOIRES), ids=list(HOSTILE_TERRITOIRES))
@pytest.mark.parametrize("cible", PAGES, ids=lambda p: p.url_path)
def test_hostile_territoire(cible: Page, valeur: str, page, streamlit_server) -> None:  # noqa: F811
    watch = Watch(page)
    open_page(page, streamlit_server, cible.url, {"territoire": HOSTILE_TERRITOIRES[valeur]})
    assert_clean(page, watch)
    if cible.uses_picker:
        alert = page.locator('[data-testid="stAlertContentError"]')
        assert alert.count() >= 1, f"{cible.url_path} : aucun message d'erreur pour ?territoire={valeur}"
        assert "territoire" in alert.first.inner_text().lower()


@pytest.mark.parametrize("valeur", ["script", "img"])
@pytest.mark.parametrize("cible", PAGES, ids=lambda p: p.url_path)
def test_every_url_parameter_hostile(cible: Page, valeur: str, page, streamlit_server) -> None:  # noqa: F811
    watch = Watch(page)
    params = dict.fromkeys(url_params(), HOSTILE_VALUES[valeur])
    open_page(page, streamlit_server, cible.url, params)
    assert_clean(page, watch)


def test_warmup_after_start_avoids_page_not_found(page, fresh_streamlit_server) -> None:  # noqa: F811
    """``benchmarks/load.py --rechauffer`` (systemd ExecStartPost, docs/deploiement.md) runs app.py once, so the
    very first visit to a sub-page whose file name differs from its URL is served without "Page not found"."""
    cible = next((p for p in PAGES if not p.default and p.file[:-3] != p.url_path), None)
    if cible is None:
        pytest.skip("aucune page dont le nom de fichier diffère de l'adresse")
    rechauffer(fresh_streamlit_server)
    watch = Watch(page)
    open_page(page, fresh_streamlit_server, cible.url, {"territoire": TERRITOIRE_NIORT})
    assert_clean(page, watch)


def test_health_endpoint(streamlit_server) -> None:  # noqa: F811
    """What the reverse proxy and the monitoring poll (docs/deploiement.md)."""
    assert health(streamlit_server) == "ok"


# ---------------------------------------------------------------- hostile names in the data


def _sirene_with_hostile_names(tmp: Path) -> tuple[Path, Path]:
    """Fixture SIRENE files whose legal-unit and establishment names carry script payloads."""
    payloads = [XSS_IMG, XSS_SCRIPT, XSS_SVG]
    out = []
    for name, columns in (
        ("StockUniteLegale_utf8.csv", ("denominationUniteLegale", "sigleUniteLegale")),
        ("StockEtablissement_utf8.csv", ("enseigne1Etablissement",)),
    ):
        rows = list(csv.reader(io.StringIO((SIRENE / name).read_text("utf-8"))))
        header = rows[0]
        for i, row in enumerate(rows[1:]):
            for col in columns:
                row[header.index(col)] = f"{payloads[i % len(payloads)]} n°{i}"
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\n").writerows(rows)
        (tmp / name).write_text(buf.getvalue(), "utf-8")
        out.append(tmp / name)
    return out[1], out[0]  # (établissements, unités légales)


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A server on a database whose names (establishments, initiatives, policies, Niort) are payloads."""
    from esscore.build import build

    tmp = tmp_path_factory.mktemp("xss")
    etab, ul = _sirene_with_hostile_names(tmp)
    db = tmp / "xss.duckdb"
    build(db, progress=lambda _m: None, sirene=(etab, ul))
    with duckdb.connect(str(db)) as con:
        con.execute("UPDATE initiatives SET nom = $a || ' ' || nom, description = $b", {"a": XSS_IMG, "b": XSS_SCRIPT})
        con.execute(
            "UPDATE benchmark SET titre = $a || ' ' || titre, description = $b, collectivite_nom = $c",
            {"a": XSS_IMG, "b": XSS_SCRIPT, "c": XSS_SVG},
        )
        for table in ("communes", "territoires"):
            con.execute(f"UPDATE {table} SET nom = $a || ' Niort' WHERE code = '79191'", {"a": XSS_IMG})
        con.execute("CHECKPOINT")
    with run_streamlit(db, tmp / "server.log") as base_url:
        rechauffer(base_url)
        yield base_url


@pytest.mark.parametrize("cible", PAGES, ids=lambda p: p.url_path)
def test_hostile_names_never_execute(cible: Page, page, hostile_server) -> None:  # noqa: F811
    watch = Watch(page)
    open_page(page, hostile_server, cible.url, {"territoire": TERRITOIRE_NIORT})
    assert_clean(page, watch)
    open_page(page, hostile_server, cible.url, {"territoire": "commune:79191"})
    assert_clean(page, watch)
    if cible.uses_picker:  # the territory's name is on screen: shown as literal text, neither run nor dropped
        assert "onerror" in body_text(page)
