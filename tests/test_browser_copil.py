"""The « Diaporama COPIL » button of the Panorama page in Chromium: a click builds the deck (progress shown), then
the PowerPoint downloads and its first slide names the territory.

Served by the suite's main server (its editing store is a temp file); the commune has no roadmap, so the deck
has the statistics slides only.
"""

from __future__ import annotations

import io

import pytest
from playwright.sync_api import expect
from pptx import Presentation

from esscore.ui.copil import LIBELLE_PDF, LIBELLE_PPTX
from tests.browser import DOWNLOADS, body_text, click_download, open_page, page_errors, screenshot

pytestmark = pytest.mark.browser
GENERATION_MS = 120_000  # the deck is built on click; generous for a loaded CI machine
COMMUNE = "commune:27009"  # Ambenay (Eure), no roadmap


def test_panorama_deck_button_downloads_a_deck_naming_the_territory(page, streamlit_server):
    open_page(page, streamlit_server, "panorama", {"territoire": COMMUNE})
    expect(page.locator("h1", has_text="Panorama de l'ESS")).to_be_visible()
    assert not page.locator('[data-testid="stDownloadButton"]', has_text=LIBELLE_PPTX).count()  # built on click
    page.locator(".st-key-diaporama_go button").click()
    pret = page.locator('[data-testid="stDownloadButton"] button', has_text=LIBELLE_PPTX)
    expect(pret).to_be_visible(timeout=GENERATION_MS)
    expect(page.get_by_text("Diaporama prêt")).to_be_visible()
    cible = DOWNLOADS / "copil-panorama"
    chemin = click_download(page, LIBELLE_PPTX, cible, timeout_ms=GENERATION_MS)
    assert chemin.name.startswith("copil-ambenay-") and chemin.suffix == ".pptx"
    prs = Presentation(io.BytesIO(chemin.read_bytes()))
    premiere = [s.text_frame.text for s in prs.slides[0].shapes if s.has_text_frame]
    assert "Comité de pilotage ESS" in premiere and "Ambenay" in premiere
    assert "Sans feuille de route enregistrée pour ce territoire" in "\n".join(premiere)
    pdf = click_download(page, LIBELLE_PDF, cible, timeout_ms=GENERATION_MS)
    assert pdf.read_bytes().startswith(b"%PDF")
    screenshot(page, "panorama_copil")
    assert "Traceback" not in body_text(page)
    assert page_errors(page) == []
