"""Panorama and Comparaisons in a real browser: maps draw, downloads return files, screenshots for review."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser import (
    DEFAULT_TIMEOUT_MS,
    DOWNLOADS,
    body_text,
    canvas_has_pixels,
    open_page,
    page_errors,
    screenshot,
)

pytestmark = pytest.mark.browser
NIORT = "epci:200041317"
MAP = '[data-testid="stDeckGlJsonChart"] canvas'
CHART = '[data-testid="stVegaLiteChart"]'


def download(page, label: str, index: int = 0) -> Path:
    """Click the ``index``-th download button labelled ``label`` (several charts share « Image (PNG) »)."""
    button = page.locator('[data-testid="stDownloadButton"] button', has_text=label).nth(index)
    button.scroll_into_view_if_needed()
    with page.expect_download(timeout=DEFAULT_TIMEOUT_MS * 2) as info:
        button.click()
    target = DOWNLOADS / info.value.suggested_filename
    DOWNLOADS.mkdir(parents=True, exist_ok=True)
    info.value.save_as(str(target))
    return target


def review_screenshot(page, name: str) -> Path:
    """Whole page for review: Streamlit scrolls inside its own container, so the viewport is made tall."""
    height = int(page.evaluate(
        "() => document.querySelector('[data-testid=\"stMain\"]')?.scrollHeight || document.body.scrollHeight"
    ))  # fmt: skip
    page.set_viewport_size({"width": 1400, "height": min(max(height, 1000), 9000)})
    page.wait_for_timeout(500)  # let Vega and deck.gl redraw at the new size (a pause, not a synchronisation)
    return screenshot(page, name, full_page=True)


def _no_error(page) -> None:
    text = body_text(page)
    assert "Traceback" not in text
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page_errors(page) == []


def test_panorama_draws_its_map_and_exports(page, streamlit_server) -> None:
    open_page(page, streamlit_server, "panorama", {"territoire": NIORT})
    assert "CA du Niortais" in body_text(page)
    page.locator(CHART).first.wait_for(state="visible")
    assert canvas_has_pixels(page, MAP, min_pixels=5000, timeout_ms=20_000) >= 5000
    _no_error(page)
    assert page.outside_requests == []  # no online basemap: the map is drawn from our outlines only

    png = download(page, "Image (PNG)")
    assert png.suffix == ".png" and png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    data = download(page, "Données (CSV)")
    with data.open(encoding="utf-8-sig", newline="") as fh:
        header = next(csv.reader(fh, delimiter=";"))  # French Excel CSV (exports.csv_bytes)
    assert "Famille de l'ESS" in header and "Secret statistique" in header and "max_salaries" not in header
    table = download(page, "Tableau des communes (CSV)")
    assert table.name == "epci-200041317-communes.csv" and "Niort" in table.read_text("utf-8-sig")
    review_screenshot(page, "panorama")


def test_comparaisons_from_a_shared_link(page, streamlit_server) -> None:
    params = {"territoire": NIORT, "pairs": "epci:200069854,epci:243500139", "indicateur": "part_emploi_prive"}
    open_page(page, streamlit_server, "comparaisons", params)
    chips = page.locator('[data-testid="stMultiSelect"]')
    # auto-waits for the widget to draw; a cold level (peers of every EPCI computed once) can take a while
    expect(chips.get_by_text("CU du Grand Poitiers")).to_be_visible(timeout=30_000)
    expect(chips.get_by_text("Rennes Métropole")).to_be_visible(timeout=30_000)
    assert canvas_has_pixels(page, MAP, min_pixels=20_000, timeout_ms=25_000) >= 20_000
    _no_error(page)
    assert page.outside_requests == []
    assert "pairs=epci%3A200069854%2Cepci%3A243500139" in page.url or "pairs=epci:200069854,epci:243500139" in page.url
    table = download(page, "Tableau de comparaison (CSV)")
    assert "Rennes Métropole" in table.read_text("utf-8-sig")
    png = download(page, "Image (PNG)", 1)  # the scatter plot
    assert png.read_bytes()[:4] == b"\x89PNG"
    review_screenshot(page, "comparaisons")


@pytest.mark.parametrize("territoire", ["commune:79139", "commune:75056", "departement:974", "france"])
def test_every_level_renders(page, streamlit_server, territoire: str) -> None:
    slug = territoire.replace(":", "-")
    for name in ("panorama", "comparaisons"):
        open_page(page, streamlit_server, name, {"territoire": territoire})
        assert canvas_has_pixels(page, MAP, min_pixels=500, timeout_ms=20_000) >= 500
        _no_error(page)
        if territoire in ("commune:79139", "departement:974"):
            review_screenshot(page, f"{name}-{slug}")
            page.set_viewport_size({"width": 1400, "height": 1000})


def test_bad_territory_shows_a_french_message(page, streamlit_server) -> None:
    open_page(page, streamlit_server, "panorama", {"territoire": "commune:99999"})
    assert "Commune inconnue" in body_text(page)
    _no_error(page)
