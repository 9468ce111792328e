"""Real-browser harness: Streamlit servers on free ports, Debian's Chromium driven by Playwright, helpers.

Why a real browser: AppTest runs page scripts without the frontend, so it misses what only breaks in the
browser (deck.gl JSON expressions, sub-page URLs opened directly, downloads, query-string injection).

The fixtures (``browser``, ``page``, ``streamlit_server``, ``hostile_server``, ``fresh_streamlit_server``,
``browser_db``) are defined once, in ``tests/conftest.py``, from the helpers and data builders below: browser test
modules just request them and mark themselves ``pytestmark = pytest.mark.browser``; none starts its own server.
Chromium is Debian's (``/usr/bin/chromium``); never ``playwright install``.
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple
from urllib.parse import urlencode, urlsplit

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "tests" / "artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
DOWNLOADS = ARTIFACTS / "downloads"
CHROMIUM = Path("/usr/bin/chromium")
# Flags verified on this stack (Debian's Chromium, headless, under Playwright): with them it starts and deck.gl
# draws through software WebGL. Never add --disable-software-rasterizer: it removes that software WebGL and
# deck.gl maps go blank.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SERVER_START_TIMEOUT_S = 60.0
APP_READY_TIMEOUT_MS = 30_000
DEFAULT_TIMEOUT_MS = 15_000

# True once the app has run to the end: connected, script finished (or failed to compile), no stale
# element left from a previous run, and something rendered in the main block.
_APP_READY_JS = """
() => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app) return false;
  const state = app.getAttribute('data-test-script-state');
  if (state !== 'notRunning' && state !== 'compilationError') return false;
  const conn = app.getAttribute('data-test-connection-state');
  if (conn && conn !== 'CONNECTED') return false;
  if (document.querySelector('[data-testid="stStatusWidgetRunningIcon"]')) return false;
  const main = document.querySelector('[data-testid="stMainBlockContainer"]');
  if (!main || !main.querySelector('[data-testid="stElementContainer"]')) return false;
  return !main.querySelector('[data-stale="true"]');
}
"""


# Controls drawn over maps (zoom buttons, toolbar, attribution, tooltip): hidden while counting map pixels.
MAP_OVERLAYS_CSS = (
    '[data-testid="stDeckGlJsonChartZoomButton"], [data-testid="stElementToolbar"], .mapboxgl-control-container,'
    " .maplibregl-control-container, .deck-tooltip { visibility: hidden !important; }"
)


class BrowserError(NamedTuple):
    """One error seen by the page: ``kind`` is ``"console"`` (console.error) or ``"pageerror"`` (uncaught)."""

    kind: str
    text: str


class PixelStats(NamedTuple):
    """Pixels of an element screenshot: how many differ from the dominant (background) colour."""

    non_background: int
    distinct_colours: int
    total: int


# ---------------------------------------------------------------- server


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def health(base_url: str, timeout: float = 2.0) -> str:
    """Body of ``GET /_stcore/health`` ("ok" when the server is up), or "" when unreachable."""
    try:
        with urllib.request.urlopen(f"{base_url}/_stcore/health", timeout=timeout) as resp:  # noqa: S310
            return resp.read().decode("utf-8", "replace").strip()
    except (urllib.error.URLError, OSError):
        return ""


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """Terminate the whole process group (streamlit may spawn children), then kill if it lingers."""
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=10)
    except ProcessLookupError:
        return
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


@contextlib.contextmanager
def run_streamlit(db_file: Path, log_path: Path, env: Mapping[str, str] | None = None) -> Iterator[str]:
    """Run ``streamlit run app.py`` on a free local port against ``db_file``; yield its base URL.

    ``env`` adds environment variables for the server (e.g. ``ESS_STORE``). Fails the test with the server log
    when the server exits or stays unhealthy for 60 s.
    """
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "ESS_DB": str(db_file), "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false", **(env or {})}
    cmd = [
        sys.executable, "-m", "streamlit", "run", "app.py",
        "--server.headless", "true",
        "--server.port", str(port),
        "--server.address", "127.0.0.1",
        "--browser.gatherUsageStats", "false",
        "--server.fileWatcherType", "none",
    ]  # fmt: skip
    with log_path.open("wb") as log:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT_S
        while health(base_url, timeout=1.0) != "ok":
            if time.monotonic() > deadline or proc.poll() is not None:
                reason = (
                    f"s'est arrêté (code {proc.returncode})"
                    if proc.poll() is not None
                    else f"n'a pas répondu en {SERVER_START_TIMEOUT_S:.0f} s"
                )
                log_text = log_path.read_text("utf-8", "replace")
                pytest.fail(f"Le serveur Streamlit {reason} sur {base_url}.\n--- journal du serveur ---\n{log_text}")
            try:  # waits on the process itself: returns at once if it dies, else paces the polling
                proc.wait(timeout=0.2)
            except subprocess.TimeoutExpired:
                pass
        yield base_url
    finally:
        _stop(proc)


def rechauffer(base_url: str) -> None:
    """What the systemd unit does after each start (docs/deploiement.md): one session opens the home page, so
    the suite's first visits do not pay for loading the modules and the database (no effect on what is shown:
    first visits on a server nobody visited are tested by tests/test_browser_premiere_visite.py)."""
    out = subprocess.run(
        [sys.executable, "benchmarks/load.py", "--rechauffer", base_url.removeprefix("http://")],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr


# ---------------------------------------------------------------- browser


@contextlib.contextmanager
def launch_browser() -> Iterator[Browser]:
    """Debian's headless Chromium through Playwright (skips the test when it is not installed)."""
    if not CHROMIUM.exists():
        pytest.skip(f"Chromium absent ({CHROMIUM}) : installer le paquet Debian « chromium » / Chromium not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        instance = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield instance
        finally:
            instance.close()


def is_local(url: str) -> bool:
    """True for the app's own server (and in-page blob:/data: URLs): anything else leaves the machine."""
    return url.startswith(("blob:", "data:")) or urlsplit(url).hostname in {"127.0.0.1", "localhost"}


@contextlib.contextmanager
def new_page(browser: Browser) -> Iterator[Page]:
    """A fresh context + page (1400×1000, fr-FR, downloads allowed); errors are collected in ``page.errors``.

    Requests to any other host are blocked and listed in ``page.outside_requests``: the app must work, and
    send its visitors' browsers nowhere, without the internet.
    """
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="fr-FR", accept_downloads=True)
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    outside: list[str] = []

    def block(route: Any) -> None:
        outside.append(route.request.url)
        route.abort()

    context.route(lambda url: not is_local(url), block)
    pg = context.new_page()
    pg.outside_requests = outside  # type: ignore[attr-defined]
    errors: list[BrowserError] = []
    pg.errors = errors  # type: ignore[attr-defined]
    pg.on("console", lambda msg: errors.append(BrowserError("console", msg.text)) if msg.type == "error" else None)
    pg.on("pageerror", lambda exc: errors.append(BrowserError("pageerror", str(exc))))
    try:
        yield pg
    finally:
        context.close()


def page_errors(page: Page, kind: str = "pageerror") -> list[str]:
    """Texts of the errors of one kind collected on ``page`` ("pageerror" or "console")."""
    return [e.text for e in getattr(page, "errors", []) if e.kind == kind]


# ---------------------------------------------------------------- helpers


def page_url(base_url: str, path: str = "", params: Mapping[str, str] | None = None) -> str:
    """``base_url/path?params`` with the query string URL-encoded."""
    url = f"{base_url.rstrip('/')}/{path.lstrip('/')}"
    return f"{url}?{urlencode(dict(params))}" if params else url


def wait_ready(page: Page, timeout_ms: int = APP_READY_TIMEOUT_MS) -> None:
    """Wait until the Streamlit script run is over and the main block shows content."""
    page.wait_for_selector('[data-testid="stApp"]', timeout=timeout_ms)
    page.wait_for_function(_APP_READY_JS, timeout=timeout_ms)


def open_page(
    page: Page,
    base_url: str,
    path: str = "",
    params: Mapping[str, str] | None = None,
    timeout_ms: int = APP_READY_TIMEOUT_MS,
) -> None:
    """Navigate to a page of the app (``path`` = url_path, e.g. "donnees") and wait until it has rendered."""
    page.goto(page_url(base_url, path, params), wait_until="domcontentloaded", timeout=timeout_ms)
    wait_ready(page, timeout_ms)


_COUNT_RUNS_JS = """
() => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!window.__essRuns) {
    window.__essRuns = {n: 0};
    new MutationObserver(() => {
      if (app.getAttribute('data-test-script-state') === 'running') window.__essRuns.n += 1;
    }).observe(app, {attributes: true, attributeFilter: ['data-test-script-state']});
  }
  return window.__essRuns.n;
}
"""


def run_and_wait(page: Page, action: Callable[[], object], timeout_ms: int = APP_READY_TIMEOUT_MS) -> None:
    """Do ``action`` (click, fill + Enter…) and wait for the rerun it triggers to finish.

    ``wait_ready`` alone could return before the rerun starts; here a DOM observer counts script runs, so
    the wait ends only after a new run has started and finished.
    """
    before = page.evaluate(_COUNT_RUNS_JS)
    action()
    page.wait_for_function(f"() => window.__essRuns.n > {int(before)}", timeout=timeout_ms)
    wait_ready(page, timeout_ms)


def screenshot(page: Page, name: str, full_page: bool = True) -> Path:
    """Save ``tests/artifacts/screenshots/<name>.png`` (git-ignored) and return its path."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


def pixel_stats(png: bytes, tolerance: int = 8) -> PixelStats:
    """Count pixels farther than ``tolerance`` (per channel) from the most common colour of a PNG."""
    from PIL import Image

    img = Image.open(io.BytesIO(png)).convert("RGB")
    total = img.width * img.height
    colours = img.getcolors(maxcolors=total) or []
    _, background = max(colours)
    non_bg = sum(
        n for n, colour in colours if max(abs(a - b) for a, b in zip(colour, background, strict=True)) > tolerance
    )
    return PixelStats(non_background=non_bg, distinct_colours=len(colours), total=total)


def canvas_has_pixels(
    page: Page, selector: str = "canvas", min_pixels: int = 1, timeout_ms: int = 10_000, tolerance: int = 8
) -> int:
    """Number of drawn (non-background) pixels in the first element matching ``selector``.

    WebGL canvases (deck.gl) cannot be read back without ``preserveDrawingBuffer``, so the element is
    screenshotted instead. deck.gl draws after its data arrives: screenshots are retried, one per animation
    frame, until ``min_pixels`` are drawn or ``timeout_ms`` passes; the last count is returned (0 = blank).
    """
    element = page.locator(selector).first
    element.wait_for(state="visible", timeout=timeout_ms)
    deadline = time.monotonic() + timeout_ms / 1000
    while True:
        png = element.screenshot(timeout=timeout_ms, style=MAP_OVERLAYS_CSS, animations="disabled")
        count = pixel_stats(png, tolerance).non_background
        if count >= min_pixels or time.monotonic() > deadline:
            return count
        page.evaluate("() => new Promise(r => requestAnimationFrame(() => r(null)))")


# Timestamps of deck.gl's WebGL draw calls, grouped per frame. Why: a screenshot of a software-rendered canvas
# costs ~0.5 s on a small machine, so polling screenshots measures the polling; the draw calls themselves say
# when the points were drawn (deck.gl draws each ScatterplotLayer with one instanced call: instances = points).
# ``affichee``: when the rendering task that commits those draws to the compositor is over. With software GL
# (headless Chromium) that commit reads the canvas back and waits for the rasteriser: the real cost of drawing.
# Draws made inside an animation-frame callback are committed at the end of the same task (a message posted
# now runs right after it); draws made elsewhere are committed by the next animation frame's task.
DRAW_PROBE_JS = """
(() => {
  const sonde = window.__essDessin = {frames: []};
  let courante = null, dansAnimation = false;
  const apresLaTache = (fn) => {
    const canal = new MessageChannel();
    canal.port1.onmessage = fn;
    canal.port2.postMessage(0);
  };
  const raf = window.requestAnimationFrame.bind(window);
  window.requestAnimationFrame = (rappel) => raf((t) => {
    dansAnimation = true;
    try { return rappel(t); } finally { dansAnimation = false; }
  });
  for (const proto of [window.WebGL2RenderingContext?.prototype, window.WebGLRenderingContext?.prototype]) {
    for (const nom of ['drawArraysInstanced', 'drawElementsInstanced']) {
      const original = proto && proto[nom];
      if (!original) continue;
      proto[nom] = function (...args) {
        if (!courante) {
          const frame = courante = {debut: performance.now(), affichee: null,
                                    drawArraysInstanced: 0, drawElementsInstanced: 0};
          sonde.frames.push(frame);
          queueMicrotask(() => { courante = null; });
          const noter = () => { frame.affichee = performance.now(); };
          if (dansAnimation) apresLaTache(noter); else raf(() => apresLaTache(noter));
        }
        courante[nom] += Number(args[args.length - 1]) || 0;
        return original.apply(this, args);
      };
    }
  }
})();
"""


def frame_with_points(page: Page, points: int, after_ms: float = 0.0, timeout_ms: int = 60_000) -> dict[str, float]:
    """First frame (``DRAW_PROBE_JS`` installed) drawn after ``after_ms`` with ≥ ``points`` point instances.

    Returns its ``debut`` (draw calls issued) and ``affichee`` (shown), in ms since the navigation started.
    """
    condition = (
        f"(window.__essDessin?.frames || []).find(f => f.debut >= {after_ms} && f.affichee !== null "
        f"&& f.drawArraysInstanced >= {int(points)})"
    )
    page.wait_for_function(f"() => Boolean({condition})", timeout=timeout_ms)
    return page.evaluate(f"() => {condition}")


def click_download(
    page: Page, button_text: str, dest_dir: Path | None = None, timeout_ms: int = DEFAULT_TIMEOUT_MS
) -> Path:
    """Click the ``st.download_button`` labelled ``button_text``; return the saved file path.

    The file is saved under ``tests/artifacts/downloads/`` (or ``dest_dir``) with the browser's suggested name.
    """
    button = page.locator('[data-testid="stDownloadButton"] button', has_text=button_text)
    with page.expect_download(timeout=timeout_ms) as info:
        button.click(timeout=timeout_ms)
    download = info.value
    target_dir = dest_dir or DOWNLOADS
    target_dir.mkdir(parents=True, exist_ok=True)
    target = target_dir / download.suggested_filename
    download.save_as(str(target))
    return target


def body_text(page: Page) -> str:
    """Visible text of the whole page (to assert that no traceback or raw error is shown)."""
    return str(page.locator("body").inner_text())


# ---------------------------------------------------------------- data served to the browser suite
# Built once per session by the fixtures of tests/conftest.py.

# Located establishments added in the communes of Niort agglo (NIORT_AGGLO of tests/test_carte.py): its EPCI
# view must then hold 4 500 to POINTS_MAX (5 000) points, all drawn one by one (test_browser_carte.py).
SYNTHETIC_ESTABLISHMENTS = 4990

SIRENE = ROOT / "tests" / "fixtures" / "sirene"
ROADMAP_VALIDE = ROOT / "tests" / "fixtures" / "roadmap" / "valide.yaml"
XSS_IMG = '<img src=x onerror="window.__xss=(window.__xss||0)+1;alert(1)">'
XSS_SCRIPT = "<script>window.__xss=(window.__xss||0)+1;alert(2)</script>"
XSS_SVG = "<svg/onload=alert(3)>"
UNITE_PIEGE = "unité\nsur deux lignes \\ et\u2028séparée"


def build_browser_db(db_file: Path, target: Path) -> Path:
    """The main server's database: a copy of ``db_file`` (the session fixture database) plus
    ``SYNTHETIC_ESTABLISHMENTS`` located establishments in Niort agglo, one establishment and one initiative with
    HTML/JS names in Niort (``tests.test_carte.base_synthetique``). Only rows are added: every fixture row,
    name and policy of ``db_file`` stays as it is."""
    from tests.test_carte import base_synthetique

    return base_synthetique(db_file, target, n=SYNTHETIC_ESTABLISHMENTS)


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


def build_hostile_db(folder: Path) -> Path:
    """A database whose names are payloads, built through the real build code, plus one Markdown-trap fiche.

    Establishments and legal units (from SIRENE files with payload names), every initiative, every policy of
    the benchmark and the commune of Niort carry ``<script>`` / ``onerror`` payloads; the fiche ``test-hostile``
    (``tests.test_benchmark_page.HOSTILE``: Markdown in every text, for tests/test_browser_markdown.py) is
    imported as a user would, with ``esscore import benchmark``. That import rebuilds the database (keeping its
    SIRENE rows), so it comes first and the names are rewritten after it, that fiche's own texts excepted.
    """
    import duckdb

    from esscore.build import build
    from tests.test_benchmark_page import importer_fiche_hostile

    etab, ul = _sirene_with_hostile_names(folder)
    db = folder / "hostile.duckdb"
    build(db, progress=lambda _m: None, sirene=(etab, ul))
    importer_fiche_hostile(db, folder)
    with duckdb.connect(str(db)) as con:
        con.execute("UPDATE initiatives SET nom = $a || ' ' || nom, description = $b", {"a": XSS_IMG, "b": XSS_SCRIPT})
        con.execute(
            "UPDATE benchmark SET titre = $a || ' ' || titre, description = $b, collectivite_nom = $c "
            "WHERE id <> 'test-hostile'",
            {"a": XSS_IMG, "b": XSS_SCRIPT, "c": XSS_SVG},
        )
        for table in ("communes", "territoires"):
            con.execute(f"UPDATE {table} SET nom = $a || ' Niort' WHERE code = '79191'", {"a": XSS_IMG})
        con.execute("CHECKPOINT")
    return db


def feuille_hostile() -> dict[str, Any]:
    """The test roadmap with Markdown in an action's title, description, partners and notes, and a bad unit."""
    from esscore.roadmap import read_roadmap
    from tests.test_benchmark_page import MARKDOWN_PIEGE

    doc = read_roadmap(ROADMAP_VALIDE)
    doc["note"] = MARKDOWN_PIEGE
    action = doc["axes"][0]["axes_operationnels"][0]["actions"][0]
    action.update(
        titre="Action ~~barré~~ [Cliquez ici](http://exemple.org) :red[rouge] $x^2$ https://exemple.org",
        description=MARKDOWN_PIEGE,
        objectifs=MARKDOWN_PIEGE,
        partenaires=["- puce", "[Cliquez ici](http://exemple.org)", "~~barré~~"],
    )
    _premier_indicateur(doc)["unite"] = UNITE_PIEGE
    return doc


def build_hostile_store(path: Path) -> Path:
    """An editing store holding the two example roadmaps (as the page seeds them) and the Markdown-trap one
    (``test-valide``): the examples stay the default roadmap of their territories (ids sort before it).

    The trap roadmap is imported through the store's validation, which now refuses U+2028 in a text field:
    it is imported without it, then its indicator's unit gets ``UNITE_PIEGE`` back in the stored document, as a
    store written before that refusal may still hold it (the page must still draw the chart).
    """
    import json
    import sqlite3

    from esscore.store import RoadmapStore

    store = RoadmapStore(path)
    store.seed_if_empty()
    doc = feuille_hostile()
    _premier_indicateur(doc)["unite"] = UNITE_PIEGE.replace("\u2028", " ")
    store.import_roadmap(doc, "Test Markdown")
    con = sqlite3.connect(path)
    try:
        (stocke,) = con.execute("SELECT doc_json FROM feuilles_de_route WHERE id = ?", (doc["id"],)).fetchone()
        stocke = json.loads(stocke)
        _premier_indicateur(stocke)["unite"] = UNITE_PIEGE
        con.execute(
            "UPDATE feuilles_de_route SET doc_json = ? WHERE id = ?",
            (json.dumps(stocke, ensure_ascii=False), doc["id"]),
        )
        con.commit()
    finally:
        con.close()
    assert _premier_indicateur(store.get(doc["id"]))["unite"] == UNITE_PIEGE
    return path


def _premier_indicateur(doc: dict[str, Any]) -> dict[str, Any]:
    """The indicator whose unit is ``UNITE_PIEGE`` (first action of the first operational axis)."""
    return doc["axes"][0]["axes_operationnels"][0]["actions"][0]["indicateurs"][0]
