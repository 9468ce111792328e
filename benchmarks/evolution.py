"""Speed of the vintages (issue 19): adding a vintage to a database holding ten, and the Évolution page.

Usage: python benchmarks/evolution.py [--db PATH] [--workdir /tmp/ess-bench-evolution] [--skip-ingest] [--skip-page]

1. Ingestion: the demonstration stock of all France (written once by ``esscore.demo.generate_demo``) ingested
   (``esscore.build.build(db, sirene=...)``) into a new database (no vintage: a single ingest), then into a database
   holding ten real vintages of other dates (the vintages are carried, the stock's added). Target: ≤ +10 %.
2. The Évolution page on ``--db`` (default: $ESS_DB or data/ess.duckdb, the national demonstration with its eleven
   vintages): the core functions cold and warm, then the whole page through AppTest (server time measured in the
   script thread, as benchmarks/pages.py): first load, rerun, switch to another EPCI, mode and indicator changes.
   Target: EPCI switch ≤ 300 ms.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

NIORT, AUTRE_EPCI = "epci:200041317", "epci:200040715"
DIX = 10


def stock_demo(dossier: Path) -> tuple[Path, Path]:
    """The national demonstration stock as parquet files (generated once per work folder)."""
    etab, ul = dossier / "StockEtablissement_utf8.parquet", dossier / "StockUniteLegale_utf8.parquet"
    if etab.exists() and ul.exists():
        return etab, ul
    import duckdb

    from esscore.build import load_geography
    from esscore.demo import generate_demo

    with duckdb.connect() as con:
        load_geography(con)
        communes = con.execute(
            "SELECT c.code, c.nom, c.population, c.departement, c.region, c.lon, c.lat, c.epci, "
            "d.chef_lieu = c.code AS prefecture FROM communes c LEFT JOIN departements d ON d.code = c.departement"
        ).df()
        passage = con.execute("SELECT code, type, code_commune FROM passage_communes").df()
    print("… génération du stock de démonstration (une fois)")
    generate_demo(communes, dossier, passage=passage)
    return etab, ul


def dix_millesimes(db: Path) -> None:
    """Give ``db`` ten real vintages of earlier dates (copies of its own, 2010 to 2019): what ten ingestions leave."""
    import duckdb

    with duckdb.connect(str(db)) as con:
        courant = con.execute("SELECT millesime FROM millesimes").fetchall()[0][0]
        for annee in range(2010, 2010 + DIX):
            date = f"{annee}{courant[4:]}"
            con.execute("INSERT INTO millesimes SELECT * REPLACE ($d AS millesime, $a AS annee) FROM millesimes "
                        "WHERE millesime = $c", {"d": date, "a": annee, "c": courant})  # fmt: skip
            for table in ("millesimes_indicateurs", "millesimes_emploi_prive"):
                con.execute(f"INSERT INTO {table} SELECT * REPLACE ($d AS millesime) FROM {table} WHERE millesime = $c",
                            {"d": date, "c": courant})  # fmt: skip


def ingestion(dossier: Path, repetitions: int) -> None:
    from esscore.build import build

    etab, ul = stock_demo(dossier)
    seule, avec_dix = dossier / "seule.duckdb", dossier / "dix.duckdb"
    print(f"\n## Ajout d'un millésime (stock de démonstration national, meilleur de {repetitions}, essais alternés)")
    mesures: dict[str, list[tuple[float, float, float]]] = {"seule": [], "dix": []}
    for _ in range(repetitions):
        for cas, cible in (("seule", seule), ("dix", avec_dix)):
            if cas == "seule":
                cible.unlink(missing_ok=True)  # no database yet: a single ingest
            elif not cible.exists() or _nombre(cible) != DIX + 1:
                shutil.copyfile(seule, cible)
                dix_millesimes(cible)
            t0, c0 = time.perf_counter(), time.process_time()
            temps = build(cible, progress=lambda _m: None, sirene=(etab, ul), demo=False)
            mesure = (time.perf_counter() - t0, time.process_time() - c0, temps.get("millésimes", 0.0))
            mesures[cas].append(mesure)
            if cas == "dix":
                assert _nombre(cible) == DIX + 1, _nombre(cible)
    (t_seule, c_seule, m_seule), (t_dix, c_dix, m_dix) = min(mesures["seule"]), min(mesures["dix"])
    print(f"ingestion dans une base neuve (1 millésime)           : {t_seule:6.1f} s (CPU {c_seule:5.1f} s), "
          f"étape « millésimes » {m_seule:.2f} s")  # fmt: skip
    print(f"ingestion dans une base de {DIX} millésimes (11 ensuite) : {t_dix:6.1f} s (CPU {c_dix:5.1f} s), "
          f"étape « millésimes » {m_dix:.2f} s")  # fmt: skip
    print(f"surcoût : {100 * (t_dix / t_seule - 1):+.1f} % en temps, {100 * (c_dix / c_seule - 1):+.1f} % en CPU ; "
          f"reprise des {DIX} millésimes : {m_dix - m_seule:+.2f} s = {100 * (m_dix - m_seule) / t_seule:+.1f} % "
          "de l'ingestion seule (cible ≤ +10 %)")  # fmt: skip


def _nombre(db: Path) -> int:
    import duckdb

    with duckdb.connect(str(db), read_only=True) as con:
        return int(con.execute("SELECT count(*) FROM millesimes").fetchall()[0][0])


def coeur(db: str, repetitions: int) -> None:
    from esscore import comparaison, evolution, geography
    from esscore.db import connect

    con = connect(db)
    print(f"\n## Fonctions du cœur (ms : à froid / à chaud, meilleur de {repetitions})")
    for tid in (NIORT, "commune:79191", "region:75", "france"):
        terr = geography.get(con, tid)
        pairs = list(comparaison.pairs_suggeres(con, terr)["id"])
        ids = list(evolution.roles(terr, pairs))
        for nom, fn in (("series", lambda ids=ids: evolution.series(con, ids)),
                        ("mouvements", lambda t=terr: evolution.mouvements(con, t.id))):  # fmt: skip
            t0 = time.perf_counter()
            fn()
            froid = (time.perf_counter() - t0) * 1000
            chaud = froid
            for _ in range(repetitions):
                t0 = time.perf_counter()
                fn()
                chaud = min(chaud, (time.perf_counter() - t0) * 1000)
            print(f"{tid:18} {nom:11} {froid:7.1f} / {chaud:6.1f}  ({len(ids)} territoires)")
    con.close()


WRAPPER = """
import os, runpy, time
_t0, _c0 = time.perf_counter(), time.process_time()
try:
    runpy.run_path({path!r}, run_name="__main__")
finally:  # st.stop() ends the run by an exception: the times are kept in the environment of this process
    os.environ["ESS_BENCH_MS"] = f"{{(time.perf_counter() - _t0) * 1000:.0f}}/{{(time.process_time() - _c0) * 1000:.0f}}"
"""


def page(db: str) -> None:
    """The whole page through AppTest; server time = the page script's own run time (wall / process CPU)."""
    os.environ["ESS_DB"] = db
    from streamlit.testing.v1 import AppTest

    def run(params: dict[str, str]) -> str:
        at = AppTest.from_string(WRAPPER.format(path=str(ROOT / "pages" / "evolution.py")), default_timeout=120)
        for cle, valeur in params.items():
            at.query_params[cle] = valeur
        at.run()
        if at.exception:
            raise SystemExit(f"évolution {params} : exception {at.exception[0].message}")
        return os.environ.pop("ESS_BENCH_MS", "–")

    print("\n## Page Évolution (AppTest) : ms passées dans le script de la page, horloge / CPU du processus")
    print(f"1er chargement (EPCI)         : {run({'territoire': NIORT})}")
    print(f"relance                       : {run({'territoire': NIORT})}")
    print(f"autre EPCI (cible ≤ 300 ms)   : {run({'territoire': AUTRE_EPCI})}")
    print(f"retour au premier EPCI        : {run({'territoire': NIORT})}")
    print(f"mode valeurs                  : {run({'territoire': NIORT, 'mode': 'absolu'})}")
    print(f"autre indicateur              : {run({'territoire': NIORT, 'indicateur': 'part_emploi_prive'})}")
    print(f"France                        : {run({'territoire': 'france'})}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default=os.environ.get("ESS_DB") or str(ROOT / "data" / "ess.duckdb"))
    parser.add_argument("--workdir", default=str(Path(tempfile.gettempdir()) / "ess-bench-evolution"))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip-ingest", action="store_true")
    parser.add_argument("--skip-page", action="store_true")
    args = parser.parse_args()
    print("# Millésimes et page Évolution")
    if not args.skip_ingest:
        dossier = Path(args.workdir)
        dossier.mkdir(parents=True, exist_ok=True)
        ingestion(dossier, args.repeat)
    if not args.skip_page:
        if not Path(args.db).exists():
            raise SystemExit(f"Base introuvable : {args.db} (construisez-la avec « esscore build --db {args.db} »)")
        page(args.db)
        coeur(args.db, args.repeat + 1)


if __name__ == "__main__":
    main()
