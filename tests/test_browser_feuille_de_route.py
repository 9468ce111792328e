"""The roadmap page in Chromium: opens by its URL, switches tabs, downloads the COPIL deck (PPTX and PDF)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect
from pptx import Presentation

from tests.browser import (
    DOWNLOADS,
    body_text,
    browser,  # noqa: F401
    click_download,
    open_page,
    page,  # noqa: F401
    page_errors,
    run_streamlit,
    screenshot,
)

pytestmark = pytest.mark.browser
GENERATION_MS = 120_000  # the deck is built on click; generous for a loaded CI machine


@pytest.fixture(scope="module")
def serveur(db_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A server whose editable store is a temp file (never data/edition.sqlite of the checkout)."""
    dossier = tmp_path_factory.mktemp("fdr")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ESS_STORE", str(dossier / "edition.sqlite"))
        with run_streamlit(db_file, dossier / "server.log") as base_url:
            yield base_url


@pytest.fixture(autouse=True)
def _session_deja_ouverte(page, serveur) -> None:  # noqa: F811
    """Open the home page first: on a brand-new server process, the very first request of
    /feuille-de-route (file pages/feuille_de_route.py, names fixed by the issue) is looked up among the
    legacy pages/ file names and shows Streamlit's « Page not found » notice once (known limitation,
    README « Limites connues »); every later visit goes straight through st.navigation."""
    open_page(page, serveur, "")


def test_roadmap_page_opens_and_shows_the_example(page, serveur):  # noqa: F811
    open_page(page, serveur, "feuille-de-route", {"feuille": "cotentin-2014"})
    expect(page.locator("h1", has_text="Suivi de la feuille de route")).to_be_visible()
    texte = body_text(page)
    assert "Plan d'actions ESS du Pays du Cotentin" in texte and "Exemple" in texte
    assert "Lecture seule" in texte
    page.get_by_role("tab", name="Actions").click()
    expect(page.locator('[data-testid="stDataFrame"] >> visible=true').first).to_be_visible()
    expect(page.get_by_text("5 action(s) sur 5.")).to_be_visible()
    screenshot(page, "feuille_de_route")
    assert "Page not found" not in texte and "Traceback" not in texte
    assert page_errors(page) == []


def test_copil_deck_downloads_from_the_page(page, serveur):  # noqa: F811
    open_page(page, serveur, "feuille-de-route", {"feuille": "cotentin-2014"})
    page.get_by_role("tab", name="COPIL").click()
    cible = DOWNLOADS / "copil"
    chemin = click_download(page, "Télécharger le diaporama COPIL (PowerPoint)", cible, timeout_ms=GENERATION_MS)
    assert chemin.name.startswith("copil-manche-") and chemin.suffix == ".pptx"
    prs = Presentation(io.BytesIO(chemin.read_bytes()))
    titres = [next(s.text_frame.text for s in slide.shapes if s.name == "Titre") for slide in prs.slides]
    assert titres[0] == "Comité de pilotage ESS" and titres[-1] == "Sources et méthode"
    assert "Feuille de route : avancement par axe" in titres
    pdf = click_download(page, "Télécharger le diaporama en PDF", cible, timeout_ms=GENERATION_MS)
    assert pdf.read_bytes().startswith(b"%PDF")
    screenshot(page, "feuille_de_route_copil")
    assert page_errors(page) == []
