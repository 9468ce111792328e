"""The roadmap page in Chromium: opens by its URL, switches tabs, downloads the COPIL deck (PPTX and PDF).

Served by the suite's main server, whose editing store is a temp file (never data/edition.sqlite of the checkout)
seeded with the example roadmaps on first use; the server is warmed up after its start, as in production (the
first visit of /feuille-de-route on a brand-new process is tested in tests/test_browser_premiere_visite.py).
"""

from __future__ import annotations

import io

import pytest
from playwright.sync_api import expect
from pptx import Presentation

from tests.browser import (
    DOWNLOADS,
    body_text,
    click_download,
    open_page,
    page_errors,
    screenshot,
)

pytestmark = pytest.mark.browser
GENERATION_MS = 120_000  # the deck is built on click; generous for a loaded CI machine


def test_roadmap_page_opens_and_shows_the_example(page, streamlit_server):
    open_page(page, streamlit_server, "feuille-de-route", {"territoire": "departement:50"})
    expect(page.locator("h1", has_text="Suivi de la feuille de route")).to_be_visible()
    texte = body_text(page)
    assert "Plan d'actions ESS du Pays du Cotentin" in texte and "Exemple" in texte  # the Manche's own roadmap
    assert "Aucune feuille de route" not in texte and "territoire parent" not in texte
    assert "Lecture seule" in texte
    page.get_by_role("tab", name="Actions").click()
    expect(page.locator('[data-testid="stDataFrame"] >> visible=true').first).to_be_visible()
    expect(page.get_by_text("5 action(s) sur 5.")).to_be_visible()
    screenshot(page, "feuille_de_route")
    assert "Page not found" not in texte and "Traceback" not in texte
    assert page_errors(page) == []


def test_territory_without_roadmap_offers_to_start_one(page, streamlit_server):
    """Issue 15: Corse-du-Sud selected opened the Cotentin roadmap silently."""
    open_page(page, streamlit_server, "feuille-de-route", {"territoire": "departement:2A"})
    expect(page.get_by_text("Aucune feuille de route pour le département de la Corse-du-Sud.")).to_be_visible()
    expect(page.get_by_role("button", name="Créer la feuille de route à partir du modèle")).to_be_disabled()
    # the page draws block after block: wait for each text rather than reading the page once
    expect(page.get_by_text("demande le mode édition", exact=False)).to_be_visible()
    expect(page.get_by_role("button", name="Télécharger le modèle (YAML) à remplir")).to_be_visible()
    expect(page.get_by_text("Diaporama COPIL, sans feuille de route", exact=False).first).to_be_visible()
    texte = body_text(page)
    assert page.get_by_role("tab", name="Avancement").count() == 0  # no roadmap shown, the Manche's least of all
    screenshot(page, "feuille_de_route_aucune")
    assert "Traceback" not in texte and page_errors(page) == []


def test_copil_deck_downloads_from_the_page(page, streamlit_server):
    open_page(page, streamlit_server, "feuille-de-route", {"territoire": "departement:50"})
    page.get_by_role("tab", name="COPIL").click()
    cible = DOWNLOADS / "copil"
    chemin = click_download(page, "Télécharger le diaporama COPIL (PowerPoint)", cible, timeout_ms=GENERATION_MS)
    assert chemin.name.startswith("copil-manche-") and chemin.suffix == ".pptx"
    prs = Presentation(io.BytesIO(chemin.read_bytes()))
    titres = [next(s.text_frame.text for s in slide.shapes if s.name == "Titre") for slide in prs.slides]
    assert titres[0] == "Comité de pilotage ESS" and titres[-1] == "Sources et méthode"
    assert "Feuille de route : avancement par axe" in titres
    avancement = prs.slides[titres.index("Feuille de route : avancement par axe")]
    assert any("avancement fictif" in s.text_frame.text for s in avancement.shapes if s.has_text_frame)
    pdf = click_download(page, "Télécharger le diaporama en PDF", cible, timeout_ms=GENERATION_MS)
    assert pdf.read_bytes().startswith(b"%PDF")
    screenshot(page, "feuille_de_route_copil")
    assert page_errors(page) == []
