"""The initiative map in Debian's Chromium: drawn canvas, escaped tooltips, downloads, URL state, speed.

Served by the suite's main server: its database (``browser_db``) holds ~5 000 synthetic located establishments in
Niort agglo and one establishment and one initiative with HTML/JS names (``tests.browser.build_browser_db``).
"""

from __future__ import annotations

import csv
import json
import math
import re
from pathlib import Path

import duckdb
import pytest
from playwright.sync_api import expect

from esscore import carte as C
from esscore import geography, maps
from tests.browser import (
    DRAW_PROBE_JS,
    body_text,
    canvas_has_pixels,
    click_download,
    frame_with_points,
    open_page,
    page_errors,
    run_and_wait,
    screenshot,
    wait_ready,
)
from tests.test_carte import HOSTILE_ETAB, HOSTILE_INIT, NIORT_AGGLO

pytestmark = pytest.mark.browser

CANVAS = '[data-testid="stDeckGlJsonChart"] canvas#deckgl-overlay'
TILE_SIZE = 512  # deck.gl Web Mercator world size at zoom 0


def _vue(db: Path, territoire_id: str) -> tuple[float, float, float]:
    """(longitude, latitude, zoom) the page computes for a territory (same pure functions)."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        view = maps.view_for_bounds(C.emprise(con, geography.get(con, territoire_id)), width_px=700, height_px=560)
    finally:
        con.close()
    return view.longitude, view.latitude, view.zoom


def _monde(lon: float, lat: float, zoom: float) -> tuple[float, float]:
    echelle = TILE_SIZE * 2**zoom
    x = echelle * (lon + 180) / 360
    y = echelle * (0.5 - math.log(math.tan(math.pi / 4 + math.radians(lat) / 2)) / (2 * math.pi))
    return x, y


def _ecran(page, vue: tuple[float, float, float], lon: float, lat: float) -> tuple[float, float]:
    """Page coordinates of (lon, lat) on the map canvas (Web Mercator, as deck.gl projects)."""
    boite = page.locator(CANVAS).bounding_box()
    cx, cy = _monde(vue[0], vue[1], vue[2])
    px, py = _monde(lon, lat, vue[2])
    return boite["x"] + boite["width"] / 2 + (px - cx), boite["y"] + boite["height"] / 2 + (py - cy)


def _survoler(page, x: float, y: float) -> str:
    """Hover around (x, y) until deck.gl shows a tooltip; return its text ('' if none)."""
    infobulle = page.locator(".deck-tooltip")
    for dx, dy in [(0, 0), (2, 0), (0, 2), (-2, 0), (0, -2), (4, 4), (-4, -4)]:
        page.mouse.move(x + dx + 40, y + dy + 40)
        page.mouse.move(x + dx, y + dy, steps=4)
        try:
            infobulle.wait_for(state="visible", timeout=1500)
        except Exception:  # noqa: BLE001 - Playwright timeout: try the next offset
            continue
        texte = infobulle.inner_text()
        if texte.strip():
            return texte
    return ""


def _point(db: Path, sql: str) -> tuple[float, float]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()[0]
    finally:
        con.close()


def test_carte_drawn_and_tooltips_show_hostile_names_as_text(page, streamlit_server, browser_db) -> None:
    alertes: list[str] = []

    def sur_dialogue(dialog) -> None:
        alertes.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", sur_dialogue)
    open_page(page, streamlit_server, "carte", {"territoire": NIORT_AGGLO, "q": "alert"})
    page.wait_for_selector(CANVAS, timeout=30_000)
    assert canvas_has_pixels(page, '[data-testid="stDeckGlJsonChart"]', min_pixels=2000) >= 2000
    vue = _vue(browser_db, NIORT_AGGLO)

    lon, lat = _point(browser_db, "SELECT lon, lat FROM etablissements_ess WHERE siret = '77700000000001'")
    texte = _survoler(page, *_ecran(page, vue, lon, lat))
    assert HOSTILE_ETAB in texte, f"infobulle de l'établissement introuvable ou altérée : {texte!r}"
    assert "Action sociale" in texte and "Niort" in texte
    assert page.locator(".deck-tooltip img").count() == 0

    lon, lat = _point(browser_db, "SELECT lon, lat FROM initiatives WHERE id = 'hostile-1'")
    texte = _survoler(page, *_ecran(page, vue, lon, lat))
    assert HOSTILE_INIT in texte, f"infobulle de l'initiative introuvable ou altérée : {texte!r}"
    assert page.locator(".deck-tooltip script").count() == 0
    screenshot(page, "carte_infobulle", full_page=False)

    assert alertes == []
    assert page_errors(page) == []
    assert page.outside_requests == []  # no online basemap (Streamlit's Carto fallback): nothing leaves the machine


def test_carte_exports_download(page, streamlit_server) -> None:
    open_page(page, streamlit_server, "carte", {"territoire": NIORT_AGGLO})
    chemin = click_download(page, "Établissements (CSV)")
    with chemin.open(encoding="utf-8-sig", newline="") as fh:
        lignes = list(csv.DictReader(fh, delimiter=";"))  # French Excel CSV: French headers (exports.ENTETES)
    assert len(lignes) > C.LISTE_MAX  # synthetic rows included, and complete: not cut like the on-screen table
    nd = [r for r in lignes if r["Nom"] == C.NON_DIFFUSIBLE]
    assert nd and all(not r["SIRET"] and not r["Longitude"] and not r["Latitude"] for r in nd)
    assert any(r["Nom"] == HOSTILE_ETAB for r in lignes) and {r["Démonstration"] for r in lignes} == {"non"}

    geo = json.loads(click_download(page, "Établissements (GeoJSON)").read_text("utf-8"))
    assert len(geo["features"]) == len(lignes) and geo["metadata"]["demonstration"] is False
    assert all(f["geometry"] is None for f in geo["features"] if f["properties"]["nom"] == C.NON_DIFFUSIBLE)

    page.get_by_role("tab", name="Initiatives").click()
    init = click_download(page, "Initiatives (CSV)")
    with init.open(encoding="utf-8-sig", newline="") as fh:
        noms = {r["Nom"] for r in csv.DictReader(fh, delimiter=";")}
    assert HOSTILE_INIT in noms
    geo_init = json.loads(click_download(page, "Initiatives (GeoJSON)").read_text("utf-8"))
    assert {f["properties"]["nom"] for f in geo_init["features"]} == noms
    screenshot(page, "carte")
    assert page_errors(page) == []


def test_carte_filters_write_the_url(page, streamlit_server) -> None:
    open_page(page, streamlit_server, "carte", {"territoire": NIORT_AGGLO, "couche": "Établissements"})
    assert "couche=" in page.url
    # Click and wait for the rerun it starts. Under load the first click can land while the radio group is
    # being re-rendered by the page's opening run and be lost: the URL then says so, and we click again.
    for _essai in range(3):
        run_and_wait(page, lambda: page.get_by_role("radio", name="Hexagones").click(force=True))
        if "vue=Hexagones" in page.url:
            break
    page.wait_for_url("**vue=Hexagones**", timeout=15_000)
    page.wait_for_function(
        "() => document.querySelector('[data-testid=stApp]').getAttribute('data-test-script-state') === 'notRunning'"
    )
    assert "territoire=epci" in page.url
    page.reload()
    page.wait_for_selector(CANVAS, timeout=30_000)
    assert page.get_by_role("radio", name="Hexagones").is_checked()
    assert page_errors(page) == []


def test_click_on_commune_bubble_opens_its_epci(page, streamlit_server, browser_db) -> None:
    params = {"territoire": "departement:79", "couche": "Établissements", "vue": "Communes"}
    open_page(page, streamlit_server, "carte", params)
    page.wait_for_selector(CANVAS, timeout=30_000)
    assert canvas_has_pixels(page, '[data-testid="stDeckGlJsonChart"]', min_pixels=500) >= 500
    lon, lat = _point(browser_db, "SELECT lon, lat FROM communes WHERE code = '79191'")
    x, y = _ecran(page, _vue(browser_db, "departement:79"), lon, lat)
    infobulle = _survoler(page, x, y)
    trouve = re.match(r"^(.+) \((\d{5})\)\n", infobulle)  # the bubble on top at Niort's centre
    assert trouve, f"pas d'infobulle de commune : {infobulle!r}"
    epci, nom_epci = _point(
        browser_db,
        f"SELECT e.code, e.nom FROM communes c JOIN epci e ON e.code = c.epci WHERE c.code = '{trouve.group(2)}'",
    )
    page.mouse.click(x, y)
    bouton = page.get_by_role("button", name=f"Voir chaque établissement : {nom_epci}")
    bouton.wait_for(state="visible", timeout=15_000)
    bouton.click()
    page.wait_for_url(f"**territoire=epci%3A{epci}**", timeout=15_000)
    page.wait_for_selector(CANVAS, timeout=30_000)
    wait_ready(page)  # the URL changes before the rerun ends: wait for it, then look
    expect(page.get_by_text(f"EPCI · {nom_epci}").first).to_be_visible(timeout=15_000)
    # « each establishment »: the automatic view (points here), even though « Communes » had been chosen
    page.wait_for_url(lambda url: "vue=" not in url, timeout=15_000)  # back to the default view (Automatique)
    expect(page.get_by_role("button", name=re.compile("^Voir chaque établissement"))).to_have_count(0)
    assert page_errors(page) == []


def test_changing_territory_keeps_the_webgl_context(page, streamlit_server) -> None:
    """A new territory or filter redraws in the same canvas: a new one would recompile every shader."""
    page.context.add_init_script(DRAW_PROBE_JS)
    open_page(page, streamlit_server, "carte", {"territoire": "commune:79191", "couche": "Établissements"})
    frame_with_points(page, 1)
    page.evaluate(f"() => {{ document.querySelector('{CANVAS}').dataset.essTemoin = 'avant'; }}")
    avant = page.evaluate("() => performance.now()")
    run_and_wait(page, lambda: page.locator('[data-testid="stSidebar"]').get_by_role(
        "button", name=re.compile(r"^EPCI · ")).first.click())  # fmt: skip
    assert "territoire=epci%3A" in page.url or "territoire=epci:" in page.url
    frame_with_points(page, 1, after_ms=avant)
    assert page.evaluate(f"() => document.querySelector('{CANVAS}').dataset.essTemoin") == "avant"
    assert page_errors(page) == []


def test_epci_5000_points_are_drawn_one_by_one(page, streamlit_server, browser_db) -> None:
    """An EPCI with ~5 000 located establishments is drawn as individual points, in one frame.

    The draw probe counts the instances of deck.gl's point draw calls: one frame must hold every point (not
    hexagons, not a partial draw). How long it takes is measured by benchmarks/carte.py, not here.
    """
    con = duckdb.connect(str(browser_db), read_only=True)
    localises = C.resume_etablissements(con, NIORT_AGGLO, C.Filtres())["localises"]
    con.close()
    assert 4_500 <= localises <= C.POINTS_MAX
    page.context.add_init_script(DRAW_PROBE_JS)
    open_page(page, streamlit_server, "carte", {"territoire": NIORT_AGGLO, "couche": "Établissements"})
    frame = frame_with_points(page, localises)
    assert frame["affichee"] >= frame["debut"] > 0
    assert "Trop d'établissements" not in body_text(page)
    assert canvas_has_pixels(page, '[data-testid="stDeckGlJsonChart"]', min_pixels=20_000) >= 20_000
    assert page_errors(page) == []
