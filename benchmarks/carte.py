"""Initiative map benchmark: map payload and server build time per level, browser time-to-canvas.

Usage::

    python benchmarks/carte.py [--db /tmp/demo.duckdb] [--sans-navigateur] [--json]

1. For each level (commune, EPCI, big EPCI, département, région, France) of ``--db`` (default: $ESS_DB
   or data/ess.duckdb, ideally the national demo): server build time of the whole map (cold, then
   cached queries do not apply: every call hits DuckDB), view chosen, objects drawn and bytes of
   ``deck.to_json()`` — what Streamlit sends to the browser. Quality bar: < 2 MB at every level.
2. An EPCI with 5 000 synthetic located establishments (tiny SIRENE fixture + generated rows): same
   figures, then, when ``tests/browser.py`` and Debian's Chromium are present, time from navigation to
   the points being drawn on the canvas in headless Chromium (warm server cache; quality bar ≤ 2 s).
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


def _attendre_dessin(page, t0: float, seuil: int, limite_s: float = 60.0) -> float:
    """Seconds from ``t0`` until ``seuil`` family-coloured pixels show on the map (screenshot polling)."""
    from tests.browser import MAP_OVERLAYS_CSS

    element = page.locator('[data-testid="stDeckGlJsonChart"]').first
    element.wait_for(state="visible", timeout=int(limite_s * 1000))
    while True:
        png = element.screenshot(style=MAP_OVERLAYS_CSS, animations="disabled")
        if pixels_familles(png) >= seuil or time.perf_counter() - t0 > limite_s:
            return time.perf_counter() - t0


def temps_jusqu_au_dessin(db: Path, visites: int = 5) -> dict:
    """Headless Chromium: navigation → points drawn, EPCI with 5 000 points vs the same page with ~10.

    Cold = new browser profile each visit (Streamlit's JavaScript, deck.gl included, downloaded and
    compiled again); warm = one profile, as a user moving between pages. The server cache is warm in both.
    The ~10-point page (initiatives layer only) gives the fixed cost of Streamlit + deck.gl itself.
    """
    from playwright.sync_api import sync_playwright

    from tests.browser import CHROMIUM, CHROMIUM_ARGS, open_page, run_streamlit

    if not CHROMIUM.exists():
        return {"navigateur": f"Chromium absent ({CHROMIUM})"}
    cas = {
        "5000_points": ({"territoire": "epci:200041317", "couche": "Établissements"}, 20_000),
        "10_points": ({"territoire": "epci:200041317", "couche": "Initiatives"}, 300),
    }
    mesures: dict[str, list[float]] = {f"{nom}_{mode}": [] for nom in cas for mode in ("froid", "chaud")}
    with tempfile.TemporaryDirectory() as tmp, run_streamlit(db, Path(tmp) / "server.log") as base_url:
        with sync_playwright() as pw:
            navigateur = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
            try:
                chaud = navigateur.new_context(viewport={"width": 1400, "height": 1000}, locale="fr-FR")
                page_chaude = chaud.new_page()
                for params, _ in cas.values():  # warm the server caches and the browser cache
                    open_page(page_chaude, base_url, "carte", params)
                for _ in range(visites):
                    for nom, (params, seuil) in cas.items():
                        t0 = time.perf_counter()
                        open_page(page_chaude, base_url, "carte", params)
                        mesures[f"{nom}_chaud"].append(_attendre_dessin(page_chaude, t0, seuil))
                        froid = navigateur.new_context(viewport={"width": 1400, "height": 1000}, locale="fr-FR")
                        page = froid.new_page()
                        t0 = time.perf_counter()
                        open_page(page, base_url, "carte", params)
                        mesures[f"{nom}_froid"].append(_attendre_dessin(page, t0, seuil))
                        froid.close()
                chaud.close()
            finally:
                navigateur.close()
    sortie: dict = {"visites": visites}
    for cle, valeurs in mesures.items():
        sortie[f"{cle}_median_s"] = round(statistics.median(valeurs), 2)
        sortie[f"{cle}_min_s"] = round(min(valeurs), 2)
    sortie["objectif_2_s_chaud"] = sortie["5000_points_chaud_median_s"] <= 2.0
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
        con.close()
        if not args.sans_navigateur and (ROOT / "tests" / "browser.py").exists():
            rapport["navigateur"] = temps_jusqu_au_dessin(synth)

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
        print("Chromium headless, navigation → points dessinés (s) :")
        for cle, valeur in rapport["navigateur"].items():
            print(f"  {cle} : {valeur}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
