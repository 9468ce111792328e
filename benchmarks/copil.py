"""COPIL deck benchmark: time to build the deck (target ≤ 15 s), per territory level, in a fresh process.

Usage::

    python benchmarks/copil.py [--db /tmp/demo.duckdb] [--repetitions 3] [--pdf] [--json]

For a commune, an EPCI with the Niort example roadmap, a département with the Cotentin example roadmap, a
région (the heaviest map: thousands of communes) and France, prints: time to gather the data, to draw the
slides (native PowerPoint charts; the map rendered offline with vl-convert), total, slide count and size;
with ``--pdf``, the time of the PDF (text and vector shapes drawn with reportlab). The first deck of the process also pays the start of
vl-convert's JavaScript engine (~1 s): it is reported apart as « premier ». Quality bar: every total ≤ 15 s.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from esscore import copil  # noqa: E402
from esscore.config import db_path  # noqa: E402
from esscore.db import connect  # noqa: E402
from esscore.roadmap import read_roadmap  # noqa: E402

EXEMPLES = ROOT / "data" / "feuilles_de_route"
CAS = (
    ("commune", "commune:79191", None),
    ("EPCI + feuille Niort", "epci:200041317", "niort-2023-2026.yaml"),
    ("département + feuille Cotentin", "departement:50", "cotentin-2014.yaml"),
    ("région", "region:75", None),
    ("France", "france", None),
)
CIBLE_S = 15.0


def mesurer(con, territoire: str, doc: dict | None, catalogue: list[dict], pdf: bool) -> dict:
    t0 = time.perf_counter()
    d = copil.donnees_copil(con, territoire, doc, date.today(), catalogue)
    t1 = time.perf_counter()
    octets = copil.dessiner_copil(d)
    t2 = time.perf_counter()
    out = {
        "donnees_s": t1 - t0,
        "dessin_s": t2 - t1,
        "total_s": t2 - t0,
        "diapositives": copil.nombre_diapositives(octets),
        "taille_ko": len(octets) / 1024,
        "demo": d.demo,
    }
    if pdf:
        t3 = time.perf_counter()
        copil.pdf_depuis_pptx(octets)
        out["pdf_s"] = time.perf_counter() - t3
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", help="base (défaut : $ESS_DB ou data/ess.duckdb ; idéalement la démo nationale)")
    parser.add_argument("--repetitions", type=int, default=3)
    parser.add_argument("--pdf", action="store_true", help="mesurer aussi le PDF")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    con = connect(db_path(args.db))
    catalogue = copil.charger_catalogue(con)
    t = time.perf_counter()
    copil.build_copil(con, "commune:79191", None, date.today(), catalogue)
    premier = time.perf_counter() - t
    resultats = []
    for nom, territoire, fichier in CAS:
        doc = read_roadmap(EXEMPLES / fichier) if fichier else None
        essais = [mesurer(con, territoire, doc, catalogue, args.pdf) for _ in range(max(args.repetitions, 1))]
        ligne = {"cas": nom, "territoire": territoire, **essais[0]}
        for cle in ("donnees_s", "dessin_s", "total_s", "pdf_s"):
            if cle in essais[0]:
                ligne[cle] = statistics.median(e[cle] for e in essais)
        resultats.append(ligne)
    if args.json:
        json.dump({"premier_s": premier, "cas": resultats}, sys.stdout, indent=2, ensure_ascii=False)
        print()
    else:
        print(f"Base : {db_path(args.db)} — premier diaporama du processus (démarrage de vl-convert) : {premier:.1f} s")
        print(f"{'cas':34} {'données':>8} {'dessin':>8} {'total':>8} {'PDF':>6} {'diapos':>6} {'Ko':>6}")
        for r in resultats:
            pdf = f"{r['pdf_s']:.1f}" if "pdf_s" in r else "–"
            print(
                f"{r['cas']:34} {r['donnees_s']:8.2f} {r['dessin_s']:8.2f} {r['total_s']:8.2f} {pdf:>6} "
                f"{r['diapositives']:6d} {r['taille_ko']:6.0f}"
            )
        pire = max(r["total_s"] for r in resultats)
        verdict = "OK" if pire <= CIBLE_S else "AU-DELÀ DE LA CIBLE"
        print(f"Pire cas : {pire:.1f} s (médiane de {args.repetitions}) — cible ≤ {CIBLE_S:.0f} s : {verdict}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
