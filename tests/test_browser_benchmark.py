"""Benchmark page in a real browser: deep link with a search, result count, CSV download, comparison, chart."""

from __future__ import annotations

import csv
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import expect

from esscore import benchmark as bm
from tests.browser import (
    body_text,
    click_download,
    open_page,
    page_errors,
    run_and_wait,
    screenshot,
)

pytestmark = pytest.mark.browser
CATALOGUE = Path(__file__).resolve().parent.parent / "data" / "benchmark" / "catalogue.yaml"


def expected(**criteria) -> list[str]:
    frame = bm.catalogue_frame(bm.load_catalogue(CATALOGUE))
    return list(bm.filter_catalogue(frame, **criteria)["id"])


def test_search_link_count_and_csv(page, streamlit_server, tmp_path: Path):
    ids = expected(texte="economie circulaire")
    total = len(expected())
    open_page(page, streamlit_server, "benchmark", {"q": "economie circulaire"})
    screenshot(page, "benchmark-recherche")
    expect(page.locator("h1", has_text="Benchmark des politiques ESS")).to_be_visible()
    expect(page.get_by_text(f"{len(ids)} fiche(s) sur {total}")).to_be_visible()
    expect(page.get_by_label("Rechercher", exact=True)).to_have_value("economie circulaire")
    path = click_download(page, "Liste (CSV)", dest_dir=tmp_path)
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter=";"))  # French Excel CSV (exports.csv_bytes)
    assert [r["Identifiant"] for r in rows] == ids
    assert {"Titre", "Collectivité", "Leviers", "Montant principal (€)", "Source (document)"} <= set(rows[0])
    assert page_errors(page) == []
    assert "Traceback" not in body_text(page)


def test_compare_two_cards_and_keep_it_in_the_url(page, streamlit_server):
    open_page(page, streamlit_server, "benchmark", {"levier": "Financement"})
    first, second = expected(leviers=["Financement"])[:2]
    for ident in (first, second):
        button = page.locator(f".st-key-bm_carte_{ident}").get_by_role("button", name="Comparer")
        run_and_wait(page, button.click)
    run_and_wait(page, page.get_by_role("tab", name="Comparer").click)
    table = page.locator('[data-testid="stTable"]')
    expect(table).to_be_visible()
    assert table.locator("thead th").count() == 3  # row labels + one column per entry
    expect(table.get_by_text("Source", exact=True)).to_be_visible()
    query = parse_qs(urlparse(page.url).query)
    assert query["compare"] == [f"{first},{second}"] and query["levier"] == ["Financement"]
    assert query["vue"] == ["comparer"]
    screenshot(page, "benchmark-comparaison")
    run_and_wait(page, page.get_by_role("tab", name="Montants").click)  # tabs run lazily: the choice must survive
    run_and_wait(page, page.get_by_role("tab", name="Fiches").click)
    run_and_wait(page, page.get_by_role("tab", name="Comparer").click)
    expect(page.locator('[data-testid="stTable"] thead th')).to_have_count(3)
    assert parse_qs(urlparse(page.url).query)["compare"] == [f"{first},{second}"]
    assert page_errors(page) == []


def test_amounts_chart_draws(page, streamlit_server):
    open_page(page, streamlit_server, "benchmark", {"vue": "montants"})
    chart = page.locator('[data-testid="stVegaLiteChart"]').first
    expect(chart).to_be_visible()
    expect(chart.locator("svg, canvas").first).to_be_visible()
    screenshot(page, "benchmark-montants")
    assert page_errors(page) == []
