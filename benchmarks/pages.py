"""Server time of the Panorama, Comparaisons and Carte pages: core functions, chart and map builders, whole pages.

Usage: python benchmarks/pages.py [--db PATH] [--repeat N] [--skip-apptest] [--skip-core] [--pages carte,...]
(default database: $ESS_DB or data/ess.duckdb; build the demo with « esscore build »).

Prints, for an EPCI, a commune of ~50 inhabitants, Paris, an overseas département and France:
1. every esscore function the pages call, cold (first call in this process) and warm (best of N);
2. the chart and map builders (including the JSON sent to the browser, and its size);
3. whole pages run headless with AppTest: first load (empty caches, page imports included),
   rerun (warm caches), a switch to another territory of the same level never served by the process (level-wide
   caches warm, the territory's own payloads built) and the switch back to the first one (already served);
4. with ``--serie N``: the median of N such switches per level, then of the N switches back.
Targets (issue 18): server CPU of a territory switch ≤ 60 ms when the territory was served before, ≤ 150 ms for
a territory never served; cold first panorama ≤ 3 s; national map ≤ 3 MB.
"""

from __future__ import annotations

import argparse
import html
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CASES = [
    ("EPCI (CA du Niortais)", "epci:200041317", "epci:200040715"),
    ("Commune de 54 habitants", "commune:79139", "commune:79140"),
    ("Paris", "commune:75056", "commune:13055"),
    ("La Réunion (DOM)", "departement:974", "departement:971"),
    ("France", "france", None),
]
PAGES = ("panorama", "comparaisons", "carte")


def timed(fn: Callable[[], object], repeat: int) -> tuple[float, float, object]:
    """(cold ms, best warm ms, result)."""
    t0 = time.perf_counter()
    result = fn()
    cold = (time.perf_counter() - t0) * 1000
    warm = cold
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        warm = min(warm, (time.perf_counter() - t0) * 1000)
    return cold, warm, result


def core(db: str, repeat: int) -> None:
    from esscore.db import connect

    con = connect(db)
    print(f"\n## Fonctions et constructeurs (ms : à froid / à chaud, meilleur de {repeat})")
    for label, raw, _ in CASES:
        case(con, label, raw, repeat)
    con.close()


def case(con, label: str, raw: str, repeat: int) -> None:
    """Every function and builder of the two pages for one territory."""
    from esscore import charts, comparaison, geography, indicators, maps
    from esscore.db import query

    terr = geography.get(con, raw)
    rows: list[tuple[str, float, float, str]] = []

    def run(name: str, fn: Callable[[], object], note: Callable[[object], str] = lambda _r: "") -> object:
        cold, warm, result = timed(fn, repeat)
        rows.append((name, cold, warm, note(result)))
        return result

    ids = [terr.id] + [f"{p['type']}:{p['code']}" for p in terr.parents]
    run("indicateurs (territoire + parents)", lambda: indicators.indicateurs(con, ids))
    fam = run("repartition famille", lambda: indicators.repartition(con, terr.id, "famille"))
    sect = run("repartition secteur", lambda: indicators.repartition(con, terr.id, "secteur"))
    tail = run("repartition taille", lambda: indicators.repartition(con, terr.id, "taille"))
    rat = run("ratios_familles", lambda: comparaison.ratios_familles(con, terr))
    level, units, outline = run("unites (carte + tableau)", lambda: comparaison.unites(con, terr),
                                lambda r: f"{len(r[1])} {r[0]}")  # type: ignore[index]  # fmt: skip
    run("concentration (communes)", lambda: indicators.concentration(indicators.communes_du_territoire(con, terr)))
    run("chiffres_publies", lambda: indicators.chiffres_publies(con, terr.id), lambda r: f"{len(r)} chiffres")  # type: ignore[arg-type]
    peers = run("pairs_suggeres (ruralité)", lambda: comparaison.pairs_suggeres(con, terr),
                lambda r: f"{len(r)} pairs")  # type: ignore[arg-type]  # fmt: skip
    pair_ids = list(peers["id"])  # type: ignore[index]
    table = run("tableau (pairs + références)", lambda: comparaison.tableau(con, terr, pair_ids))
    niveau = run("niveau (tout le niveau)", lambda: comparaison.niveau(con, terr.type), lambda r: f"{len(r)} lignes")  # type: ignore[arg-type]

    def all_charts() -> int:
        built = [charts.barres_familles(fam, "etablissements_employeurs"), charts.barres_familles(fam, "salaries_estimes"),
                 charts.barres_secteurs(sect), charts.barres_tailles(tail), charts.ratios_familles(rat)]  # type: ignore[arg-type]  # fmt: skip
        if terr.type != "france":
            ranked = table[table["role"].isin(["territoire", "pair"])]  # type: ignore[index]
            refs = table[table["role"].isin(["region", "france"])]  # type: ignore[index]
            built.append(charts.barres_comparaison(ranked, "employeurs_pour_1000_hab", terr.id, refs))
            points = comparaison.points_nuage(niveau, terr, pair_ids)  # type: ignore[arg-type]
            built.append(charts.nuage_population(points, "employeurs_pour_1000_hab", pair_ids, terr.id))
        return sum(len(charts.to_json(c)) for c in built)

    run("graphiques Vega-Lite (construction + JSON)", all_charts, lambda n: f"{n / 1e3:.0f} Ko")  # type: ignore[operator]
    run("export PNG d'un graphique (vl-convert)", lambda: charts.chart_png(charts.barres_familles(fam)),  # type: ignore[arg-type]
        lambda r: f"{len(r) / 1e3:.0f} Ko")  # type: ignore[arg-type]  # fmt: skip

    national = terr.type == "france"

    def unit_map() -> int:
        polys = maps.contours(con, level, None if national else list(units["code"]), national=national)  # type: ignore[index]
        if national:
            dom = dict(query(con, "territoires_niveau_dom", niveau=level)[["code", "dom"]].values)
            polys = maps.insets_dom(polys, dom)
        values = units.assign(t_nom=units["nom"].map(html.escape))  # type: ignore[union-attr]
        records, _ = maps.choropleth_records(maps.polygons_json(polys), values, "employeurs_pour_1000_hab", ["t_nom"])
        bounds = maps.NATIONAL_BOUNDS if national else maps.bounds(con, level, list(units["code"]))  # type: ignore[index]
        return len(maps.choropleth_deck(records, maps.view_for_bounds(bounds), "{t_nom}").to_json())

    run("carte des unités (pydeck, JSON)", unit_map, lambda n: f"{n / 1e6:.2f} Mo")  # type: ignore[operator]
    map_level = comparaison.niveau_carte(terr)

    def national_map() -> int:
        dom = dict(query(con, "territoires_niveau_dom", niveau=map_level)[["code", "dom"]].values)
        polys = maps.insets_dom(maps.contours(con, map_level, None, national=True), dom)
        values = comparaison.niveau(con, map_level).assign(t_nom=lambda f: f["nom"].map(html.escape))
        records, _ = maps.choropleth_records(maps.polygons_json(polys), values, "employeurs_pour_1000_hab", ["t_nom"])
        codes = comparaison.codes_carte(terr, pair_ids, con)
        outline = polys[polys["code"].isin(codes)]
        context = maps.contours(con, "region", None, national=True) if map_level != "region" else None
        deck = maps.choropleth_deck(records, maps.view_for_bounds(maps.NATIONAL_BOUNDS), "{t_nom}", outline=outline,
                                    context=context, frames=maps.inset_frames(list(maps.DOM_INSETS)))  # fmt: skip
        return len(deck.to_json())

    run(f"carte nationale ({map_level}, sans cache)", national_map, lambda n: f"{n / 1e6:.2f} Mo")  # type: ignore[operator]
    print(f"\n### {label} — {terr.libelle}")
    print(f"{'étape':45} {'froid':>8} {'chaud':>8}  note")
    for name, cold, warm, note in rows:
        print(f"{name:45} {cold:8.1f} {warm:8.1f}  {note}")


WRAPPER = """
import os, runpy, time
_t0, _c0 = time.perf_counter(), time.process_time()
try:
    runpy.run_path({path!r}, run_name="__main__")
finally:  # st.stop() ends the run by an exception: the times are kept in the environment of this process
    os.environ["ESS_BENCH_MS"] = f"{{(time.perf_counter() - _t0) * 1000:.0f}}/{{(time.process_time() - _c0) * 1000:.0f}}"
"""


def page_run(page: str, raw: str | None, extra: dict[str, str] | None = None) -> str:
    """Run one page through AppTest ($ESS_DB); returns « wall ms/CPU ms » of the page script."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_string(WRAPPER.format(path=str(ROOT / "pages" / f"{page}.py")), default_timeout=120)
    if raw:
        at.query_params["territoire"] = raw
    for key, value in (extra or {}).items():
        at.query_params[key] = value
    at.run()
    if at.exception:
        raise SystemExit(f"{page} {raw} : exception {at.exception[0].message}")
    return os.environ.pop("ESS_BENCH_MS", "–")


def serie(db: str, pages: tuple[str, ...], n: int) -> None:
    """Median CPU of a page over ``n`` territories of a level never served by the process, then over the
    same ones again (« retour »): one switch is a single, noisy sample on a busy machine."""
    import duckdb

    os.environ["ESS_DB"] = db
    with duckdb.connect(db, read_only=True) as con:
        par_niveau = {niveau: [r[0] for r in con.execute(
            "SELECT id FROM territoires WHERE type = $t ORDER BY hash(id) LIMIT $n", {"t": niveau, "n": n + 1}
        ).fetchall()] for niveau in ("commune", "epci", "departement")}  # fmt: skip
    print(f"\n## Séries : CPU médian (min–max) en ms sur {n} territoires jamais servis, puis au retour")
    for page in pages:
        for niveau, ids in par_niveau.items():
            page_run(page, ids[0])  # the level's shared caches: warm before the series
            neufs = [float(page_run(page, t).split("/")[1]) for t in ids[1:]]
            retours = [float(page_run(page, t).split("/")[1]) for t in ids[1:]]
            print(f"{page:13} {niveau:12} jamais servi {statistics.median(neufs):5.0f} ({min(neufs):.0f}–{max(neufs):.0f})"
                  f"   retour {statistics.median(retours):5.0f} ({min(retours):.0f}–{max(retours):.0f})")  # fmt: skip


def apptest(db: str, pages: tuple[str, ...] = PAGES) -> None:
    """Whole pages through AppTest; the time reported is the page script's own run time (server time),
    measured inside the script thread (AppTest adds ~0.4 s of its own per run: component discovery)."""
    os.environ["ESS_DB"] = db
    print("\n## Pages entières (AppTest) : ms passées dans le script de la page, horloge / CPU du processus")
    print(
        "(le temps CPU compte aussi les fils DuckDB ; sur une machine chargée il approche le temps d'une machine libre)"
    )
    print(f"{'page':13} {'territoire':26} {'1er chargement':>15} {'relance':>9} {'jamais servi':>13} "
          f"{'retour':>9} {'autre indic.':>13}")  # fmt: skip
    for page in pages:
        for label, raw, other in CASES:
            first = page_run(page, raw)
            again = page_run(page, raw)
            switch = page_run(page, other) if other else "–"  # a territory this process never served
            back = page_run(page, raw) if other else "–"  # back to one already served
            indic = page_run(page, raw, {"indicateur": "salaries_pour_1000_hab"}) if page == "comparaisons" else "–"
            print(f"{page:13} {label:26} {first:>15} {again:>9} {switch:>13} {back:>9} {indic:>13}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default=os.environ.get("ESS_DB") or str(ROOT / "data" / "ess.duckdb"))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip-apptest", action="store_true")
    parser.add_argument("--skip-core", action="store_true", help="pages entières seulement")
    parser.add_argument("--pages", default=",".join(PAGES), help="pages mesurées par AppTest (ex. carte)")
    parser.add_argument("--serie", type=int, default=0, metavar="N",
                        help="médianes sur N territoires jamais servis par niveau (au lieu d'un seul)")  # fmt: skip
    args = parser.parse_args()
    if not Path(args.db).exists():
        raise SystemExit(f"Base introuvable : {args.db} (construisez-la avec « esscore build --db {args.db} »)")
    pages = tuple(p for p in args.pages.split(",") if p)
    if unknown := set(pages) - set(PAGES):
        raise SystemExit(f"--pages : page inconnue {', '.join(sorted(unknown))} (au choix : {', '.join(PAGES)})")
    print(f"# Pages {', '.join(pages)} — base {args.db}")
    if not args.skip_apptest:
        apptest(args.db, pages)  # first: the first panorama load is the cold one (page imports included)
    if args.serie:
        serie(args.db, pages, args.serie)
    if not args.skip_core:
        core(args.db, args.repeat)


if __name__ == "__main__":
    main()
