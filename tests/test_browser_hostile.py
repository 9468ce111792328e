"""Hostile input in a real browser: no injected script ever runs, no traceback is ever shown.

Two sources of hostile text: the query string (every parameter any page reads, on every page registered in
app.py, on the suite's main server) and the data itself (establishment, initiative, policy and commune names
carrying ``<script>`` and ``onerror`` payloads, served by ``hostile_server``: see ``tests.browser.build_hostile_db``).
Payloads call ``alert()`` (caught as a dialog) and set ``window.__xss`` (read back), so an escape that fails in
either way is seen. The map tooltips are tested by the map's own browser tests (hovering a point).
"""

from __future__ import annotations

import pytest

from tests.browser import body_text, health, open_page, page_errors, rechauffer
from tests.test_hostile import HOSTILE_TERRITOIRES, HOSTILE_VALUES, Page, registered_pages, url_params

pytestmark = pytest.mark.browser

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


@pytest.mark.parametrize("valeur", list(HOSTILE_TERRITOIRES), ids=list(HOSTILE_TERRITOIRES))
@pytest.mark.parametrize("cible", PAGES, ids=lambda p: p.url_path)
def test_hostile_territoire(cible: Page, valeur: str, page, streamlit_server) -> None:
    watch = Watch(page)
    open_page(page, streamlit_server, cible.url, {"territoire": HOSTILE_TERRITOIRES[valeur]})
    assert_clean(page, watch)
    if cible.uses_picker:
        alert = page.locator('[data-testid="stAlertContentError"]')
        assert alert.count() >= 1, f"{cible.url_path} : aucun message d'erreur pour ?territoire={valeur}"
        assert "territoire" in alert.first.inner_text().lower()


@pytest.mark.parametrize("valeur", ["script", "img"])
@pytest.mark.parametrize("cible", PAGES, ids=lambda p: p.url_path)
def test_every_url_parameter_hostile(cible: Page, valeur: str, page, streamlit_server) -> None:
    watch = Watch(page)
    params = dict.fromkeys(url_params(), HOSTILE_VALUES[valeur])
    open_page(page, streamlit_server, cible.url, params)
    assert_clean(page, watch)


def test_warmup_after_start_avoids_page_not_found(page, fresh_streamlit_server) -> None:
    """``benchmarks/load.py --rechauffer`` (systemd ExecStartPost, docs/deploiement.md) runs app.py once, so the
    very first visit to a sub-page whose file name differs from its URL is served without "Page not found"
    (without warm-up too, thanks to the stand-in file: tests/test_browser_premiere_visite.py)."""
    cible = next((p for p in PAGES if not p.default and p.file[:-3] != p.url_path), None)
    if cible is None:
        pytest.skip("aucune page dont le nom de fichier diffère de l'adresse")
    rechauffer(fresh_streamlit_server)
    watch = Watch(page)
    open_page(page, fresh_streamlit_server, cible.url, {"territoire": TERRITOIRE_NIORT})
    assert_clean(page, watch)


def test_health_endpoint(streamlit_server) -> None:
    """What the reverse proxy and the monitoring poll (docs/deploiement.md)."""
    assert health(streamlit_server) == "ok"


# ---------------------------------------------------------------- hostile names in the data


@pytest.mark.parametrize("cible", PAGES, ids=lambda p: p.url_path)
def test_hostile_names_never_execute(cible: Page, page, hostile_server) -> None:
    watch = Watch(page)
    open_page(page, hostile_server, cible.url, {"territoire": TERRITOIRE_NIORT})
    assert_clean(page, watch)
    open_page(page, hostile_server, cible.url, {"territoire": "commune:79191"})
    assert_clean(page, watch)
    if cible.uses_picker:  # the territory's name is on screen: shown as literal text, neither run nor dropped
        assert "onerror" in body_text(page)
