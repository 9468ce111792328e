"""The app in a real browser (Debian Chromium + Playwright): what AppTest cannot see."""

from __future__ import annotations

import csv
import re

import pytest
from playwright.sync_api import expect

from tests.browser import (
    body_text,
    click_download,
    health,
    open_page,
    page_errors,
    screenshot,
)

pytestmark = pytest.mark.browser


def test_donnees_opens_directly_on_a_fresh_server(page, fresh_streamlit_server):
    """The first visit ever, on a sub-page URL, shows the page and still goes through app.py."""
    open_page(page, fresh_streamlit_server, "donnees")
    screenshot(page, "donnees")
    expect(page.locator("h1", has_text="Données & sources")).to_be_visible()
    expect(page.locator('[data-testid="stTable"]').first).to_be_visible()  # the sources registry
    assert page_errors(page) == []
    legacy_nav = page.locator('[data-testid="stSidebarNav"] a', has_text=re.compile(r"^\s*app\s*$"))
    assert "ESS Territoires" in page.title() and legacy_nav.count() == 0, (
        f"/donnees ouvert en premier a été exécuté sans app.py (titre {page.title()!r}) : Streamlit passe en "
        "mode multipage hérité tant qu'un dossier `pages/` est à côté d'app.py et que st.navigation n'a "
        "jamais été appelé dans ce processus."
    )
    assert "Page not found" not in body_text(page), "/donnees est la page par défaut, servie seulement à « / »"


def test_donnees_downloads_the_source_registry(page, streamlit_server):
    open_page(page, streamlit_server, "donnees")
    path = click_download(page, "Télécharger le registre des sources (CSV)")
    assert path.suffix == ".csv"
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")  # BOM: spreadsheets then read accents right
    with path.open(encoding="utf-8-sig", newline="") as fh:  # « ; » between cells: a French Excel's separator
        header = next(csv.reader(fh, delimiter=";"))
    assert "Source" in header and "Démonstration" in header


def test_query_string_script_is_not_executed(page, streamlit_server):
    alerts: list[str] = []

    def on_dialog(dialog):
        alerts.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    open_page(page, streamlit_server, "donnees", {"territoire": "<script>alert(1)</script>"})
    text = body_text(page)
    assert alerts == []
    assert "Traceback" not in text
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page_errors(page) == []


def test_unknown_path_shows_page_not_found(page, streamlit_server):
    open_page(page, streamlit_server, "nexistepas")
    dialog = page.get_by_role("dialog")
    dialog.wait_for(state="visible")
    expect(dialog).to_contain_text("Page introuvable")  # Streamlit's dialog, translated by blocs.SCRIPT_FRANCAIS
    assert "Page not found" not in dialog.inner_text()
    assert "Traceback" not in body_text(page)
    assert health(streamlit_server) == "ok"
