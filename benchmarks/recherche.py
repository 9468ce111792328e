"""Territory search speed on the national geography: ``python benchmarks/recherche.py [base.duckdb]``.

Prints, for each query of the picker's usual forms (names, abbreviations, arrondissements, postcodes,
département numbers and names, typos), the best of five warm runs and the first result; then the median
and the worst. Target: 50 ms per query, warm. No test times anything (see CONTRIBUTING.md).
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

QUERIES = (
    "niort", "st denis", "ste foy", "saint etienne", "chalon s/ saone", "paris 12", "paris 12e", "lyon 3e",
    "marseille 1er", "79000", "79", "deux sevres", "Deux-Sèvres", "bretagne", "tolouse", "bordaux", "nior",
    "montpelier", "la rochelle", "cotentin", "a", "saint", "79191", "2a", "metropole de lyon",
)  # fmt: skip
REPETITIONS = 5


def mesurer(db: Path) -> list[tuple[str, float, str]]:
    """(query, best warm time in ms, first result) for every query."""
    from esscore.db import connect
    from esscore.geography import search

    con = connect(db)
    search(con, "niort")  # warm-up: the first query loads the tables
    lignes = []
    for q in QUERIES:
        temps = []
        for _ in range(REPETITIONS):
            debut = time.perf_counter()
            found = search(con, q, limit=15)
            temps.append((time.perf_counter() - debut) * 1000)
        premier = f"{found.iloc[0]['id']} {found.iloc[0]['libelle']}" if len(found) else "(rien)"
        lignes.append((q, min(temps), premier))
    con.close()
    return lignes


def main() -> None:
    db = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "data" / "ess.duckdb"
    lignes = mesurer(db)
    for q, ms, premier in lignes:
        print(f"{q!r:24} {ms:7.1f} ms   {premier}")
    temps = [ms for _, ms, _ in lignes]
    print(f"médiane {statistics.median(temps):.1f} ms, pire {max(temps):.1f} ms ({len(temps)} requêtes)")


if __name__ == "__main__":
    main()
