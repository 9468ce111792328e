"""Initiative map benchmark: map payload and server build time per level, browser time-to-canvas.

Usage::

    python benchmarks/carte.py [--db /tmp/demo.duckdb] [--sans-navigateur] [--json]

1. For each level (commune, EPCI, big EPCI, département, région, France) of ``--db`` (default: $ESS_DB
   or data/ess.duckdb, ideally the national demo): server build time of the whole map (cold, then
   cached queries do not apply: every call hits DuckDB), view chosen, objects drawn and bytes of
   ``deck.to_json()`` — what Streamlit sends to the browser. Quality bar: < 2 MB at every level.
2. An EPCI with 5 000 synthetic located establishments (tiny SIRENE fixture + generated rows): same
   figures, then, when ``tests/browser.py`` and Debian's Chromium are present, when the points are drawn
   and shown in headless Chromium, timed inside the page by a WebGL probe (see ``temps_jusqu_au_dessin``;
   quality bar ≤ 2 s).
"""

from __future__ import annotations

import argparse
import io
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import duckdb  # noqa: E402

from esscore import carte as C  # noqa: E402
from esscore import geography  # noqa: E402
from esscore.config import db_path  # noqa: E402

NIVEAUX = (
    ("commune", "commune:79191"),
    ("EPCI", "epci:200041317"),
    ("grand EPCI", "epci:200054781"),
    ("département", "departement:79"),
    ("département dense", "departement:59"),
    ("région", "region:75"),
    ("région", "region:44"),
    ("France", "france:FR"),
)
SEUIL_OCTETS = 2_000_000


def mesurer(con: duckdb.DuckDBPyConnection, territoire_id: str, repetitions: int = 3) -> dict:
    """Median build time and payload of the default map (all layers, automatic view) of a territory."""
    terr = geography.get(con, territoire_id)
    durees = []
    resultat = None
    for _ in range(repetitions):
        t0 = time.perf_counter()
        resultat = C.carte(con, terr, C.Filtres())
        durees.append(time.perf_counter() - t0)
    assert resultat is not None
    t0 = time.perf_counter()
    octets = C.taille_json(resultat.deck)
    serialisation = time.perf_counter() - t0
    return {
        "territoire": territoire_id,
        "nom": terr.nom,
        "vue": resultat.vue,
        "objets": resultat.elements,
        "octets": octets,
        "construction_s": round(statistics.median(durees), 3),
        "serialisation_s": round(serialisation, 3),
        "sous_2_mo": octets < SEUIL_OCTETS,
    }


def base_5000(dossier: Path) -> Path:
    """Fixture database (real geography, tiny SIRENE) + synthetic rows: 5 000 located in Niort Agglo."""
    from esscore.build import build
    from tests.test_carte import base_synthetique

    fixtures = ROOT / "tests" / "fixtures" / "sirene"
    source = dossier / "fixture.duckdb"
    build(source, progress=lambda _m: None,
          sirene=(fixtures / "StockEtablissement_utf8.csv", fixtures / "StockUniteLegale_utf8.csv"))  # fmt: skip
    con = duckdb.connect(str(source), read_only=True)
    deja = con.execute(
        "SELECT count(*) FROM etablissements_ess e JOIN communes c ON c.code = e.commune "
        "WHERE c.epci = '200041317' AND NOT e.non_diffusible AND e.lon IS NOT NULL"
    ).fetchall()[0][0]
    con.close()
    # ~1 % of generated rows are non-diffusible (no position): aim at 5 000 located points.
    n = round((C.POINTS_MAX - deja - 1) / 0.99)
    cible = base_synthetique(source, dossier / "synth5000.duckdb", n=n)
    con = duckdb.connect(str(cible), read_only=True)
    localises = C.resume_etablissements(con, "epci:200041317", C.Filtres())["localises"]
    con.close()
    if localises > C.POINTS_MAX:  # keep the view in « points » mode: drop the surplus
        con = duckdb.connect(str(cible))
        con.execute(
            "DELETE FROM etablissements_ess WHERE siret IN (SELECT siret FROM etablissements_ess "
            "WHERE siret LIKE '88%' AND NOT non_diffusible ORDER BY siret DESC LIMIT $n)",
            {"n": int(localises - C.POINTS_MAX)},
        )
        con.execute("CHECKPOINT")
        con.close()
    return cible


def pixels_familles(png: bytes, tolerance: int = 40) -> int:
    """Pixels close to a family colour: they appear only once the points themselves are drawn."""
    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("RGB")
    alpha = 200 / 255  # fill opacity of establishment points, drawn over the white background
    pures = list(C.COULEURS_FAMILLES.values())[:5]
    couleurs = pures + [tuple(round(c * alpha + 255 * (1 - alpha)) for c in couleur) for couleur in pures]
    total = 0
    for n, (r, g, b) in image.getcolors(maxcolors=image.width * image.height) or []:
        if any(abs(r - cr) + abs(g - cg) + abs(b - cb) <= tolerance for cr, cg, cb in couleurs):
            total += n
    return total


def _points_visibles(page) -> int:
    """Family-coloured pixels of the map as shown now (check made after timing: a screenshot is slow)."""
    from tests.browser import MAP_OVERLAYS_CSS

    element = page.locator('[data-testid="stDeckGlJsonChart"]').first
    return pixels_familles(element.screenshot(style=MAP_OVERLAYS_CSS, animations="disabled"))


def _visite(page, base_url: str, params: dict, points: int) -> tuple[float, float]:
    """Navigate; seconds from the navigation start to the frame holding ``points`` points (drawn, shown)."""
    from tests.browser import frame_with_points, page_url

    page.goto(page_url(base_url, "carte", params), wait_until="domcontentloaded")
    frame = frame_with_points(page, points)
    return frame["debut"] / 1000, frame["affichee"] / 1000


def _dans_la_page(page, base_url: str, depart: dict, action, points: int) -> tuple[float, float]:
    """Open ``depart``, let its map settle, then ``action(page)``: seconds from the action to the points."""
    from tests.browser import frame_with_points, open_page

    open_page(page, base_url, "carte", depart)
    frame_with_points(page, 1)  # the first map is on screen: nothing of it is left to draw
    page.wait_for_timeout(300)
    avant = page.evaluate("() => performance.now()")
    action(page)
    frame = frame_with_points(page, points, after_ms=avant)
    return (frame["debut"] - avant) / 1000, (frame["affichee"] - avant) / 1000


def temps_jusqu_au_dessin(db: Path, points: int, visites: int = 5) -> dict:
    """Headless Chromium: when the EPCI's ``points`` points are drawn and shown, timed inside the page.

    A probe (``tests.browser.DRAW_PROBE_JS``) timestamps deck.gl's WebGL draw calls: « dessin » = the frame
    whose point draw calls hold every point, « affichage » = the end of the rendering task that commits that
    frame (with software GL, reading the canvas back waits for the rasteriser: that is when it shows).
    Screenshot polling, used before, timed itself (one capture of a software-rendered canvas costs ~0.5 s
    here). After each navigation one screenshot checks that the points are really visible.

    - territoire: on the map of the city of Niort, click « EPCI · CA du Niortais » (the parent link of the
      territory picker): click → points shown, in the open page;
    - filtre: on the EPCI's map with initiatives only (~10 points), click « Établissements » in the layer
      filter: click → points shown;
    - navigation_chaud: open the page URL, browser cache warm (Streamlit's and deck.gl's JavaScript cached);
    - navigation_froid: open the page URL with a new browser profile, as a first visit ever;
    - temoin: opening the page URL with the initiatives layer only (~10 points), browser cache warm: the
      fixed cost of the page itself (Streamlit, deck.gl, shaders compiled by the software GL).
    Times of the navigation cases run from the navigation start (``performance.timeOrigin``). The server
    cache is warm in every case (the server's own cold cost: see ``benchmarks/pages.py``).
    """
    from playwright.sync_api import sync_playwright

    from tests.browser import CHROMIUM, CHROMIUM_ARGS, DRAW_PROBE_JS, open_page, run_streamlit

    if not CHROMIUM.exists():
        return {"navigateur": f"Chromium absent ({CHROMIUM})"}
    epci = {"territoire": "epci:200041317", "couche": C.COUCHE_ETAB}
    temoin = {"territoire": "epci:200041317", "couche": C.COUCHE_INIT}
    niort = {"territoire": "commune:79191", "couche": C.COUCHE_ETAB}
    mesures: dict[str, list[float]] = {}
    verifications: list[int] = []

    def noter(cle: str, valeurs: tuple[float, float]) -> None:
        mesures.setdefault(f"{cle}_dessin", []).append(valeurs[0])
        mesures.setdefault(f"{cle}_affichage", []).append(valeurs[1])

    def vers_l_epci(page) -> None:
        page.locator('[data-testid="stSidebar"]').get_by_role("button", name="EPCI · CA du Niortais").click()

    def couche_etablissements(page) -> None:
        couche = page.locator('[data-testid="stRadio"]').filter(has_text="Couche")
        couche.get_by_text(C.COUCHE_ETAB, exact=True).click()

    with tempfile.TemporaryDirectory() as tmp, run_streamlit(db, Path(tmp) / "server.log") as base_url:
        with sync_playwright() as pw:
            navigateur = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)

            def profil():
                contexte = navigateur.new_context(viewport={"width": 1400, "height": 1000}, locale="fr-FR")
                contexte.add_init_script(DRAW_PROBE_JS)
                return contexte

            try:
                chaud = profil()
                page = chaud.new_page()
                for params in (epci, temoin, niort):  # warm the server caches and the browser cache
                    open_page(page, base_url, "carte", params)
                for _ in range(visites):
                    noter("territoire", _dans_la_page(page, base_url, niort, vers_l_epci, points))
                    noter("filtre", _dans_la_page(page, base_url, temoin, couche_etablissements, points))
                    noter("navigation_chaud", _visite(page, base_url, epci, points))
                    verifications.append(_points_visibles(page))
                    noter("temoin_chaud", _visite(page, base_url, temoin, 5))
                    froid = profil()
                    noter("navigation_froid", _visite(froid.new_page(), base_url, epci, points))
                    froid.close()
                chaud.close()
            finally:
                navigateur.close()
    sortie: dict = {"visites": visites, "points": points}
    for cle, valeurs in mesures.items():
        sortie[f"{cle}_median_s"] = round(statistics.median(valeurs), 2)
        sortie[f"{cle}_max_s"] = round(max(valeurs), 2)
    sortie["pixels_points_min"] = min(verifications)
    cas = ("territoire", "filtre", "navigation_chaud", "navigation_froid")
    sortie["objectif_2_s"] = {c: sortie[f"{c}_affichage_median_s"] <= 2.0 for c in cas}
    return sortie


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="base à mesurer (défaut : $ESS_DB ou data/ess.duckdb)")
    parser.add_argument("--sans-navigateur", action="store_true", help="ne pas lancer Chromium")
    parser.add_argument("--json", action="store_true", help="sortie JSON")
    args = parser.parse_args()

    rapport: dict = {"niveaux": [], "epci_5000": None, "navigateur": None}
    cible = db_path(args.db)
    if cible.exists():
        con = duckdb.connect(str(cible), read_only=True)
        demo = dict(con.execute("SELECT cle, valeur FROM meta").fetchall()).get("demo")
        nb = con.execute("SELECT count(*) FROM etablissements_ess").fetchall()[0][0]
        rapport["base"] = {"chemin": str(cible), "demo": demo, "etablissements": nb}
        for niveau, tid in NIVEAUX:
            rapport["niveaux"].append({"niveau": niveau, **mesurer(con, tid)})
        con.close()
    with tempfile.TemporaryDirectory(prefix="carte-bench-") as tmp:
        synth = base_5000(Path(tmp))
        con = duckdb.connect(str(synth), read_only=True)
        rapport["epci_5000"] = {"niveau": "EPCI 5 000 points", **mesurer(con, "epci:200041317")}
        rapport["epci_5000"]["points"] = C.resume_etablissements(con, "epci:200041317", C.Filtres())["localises"]
        con.close()
        if not args.sans_navigateur and (ROOT / "tests" / "browser.py").exists():
            rapport["navigateur"] = temps_jusqu_au_dessin(synth, rapport["epci_5000"]["points"])

    if args.json:
        json.dump(rapport, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return 0
    if "base" in rapport:
        b = rapport["base"]
        print(f"Base : {b['chemin']} ({b['etablissements']:,} établissements, démo={b['demo']})".replace(",", " "))
    print(f"{'niveau':<20} {'territoire':<18} {'vue':<11} {'objets':>7} {'Ko JSON':>9} {'construction':>12}")
    for ligne in [*rapport["niveaux"], rapport["epci_5000"]]:
        print(
            f"{ligne['niveau']:<20} {ligne['territoire']:<18} {ligne['vue']:<11} {ligne['objets']:>7} "
            f"{ligne['octets'] / 1000:>9.0f} {ligne['construction_s']:>11.2f}s"
            + ("" if ligne["sous_2_mo"] else "  > 2 Mo !")
        )
    if rapport["navigateur"]:
        print("Chromium headless, secondes depuis le clic (territoire, filtre) ou la navigation :")
        for cle, valeur in rapport["navigateur"].items():
            print(f"  {cle} : {valeur}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
