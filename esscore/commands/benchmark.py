"""``esscore import benchmark FICHIER`` and ``esscore benchmark``: extend and list the policy catalogue.

Why save then rebuild: the database is rebuilt from ``data/`` by every ``esscore build``; an import that
only lived in the database would vanish at the next build. Accepted entries are merged into
``data/benchmark/ajouts.yaml`` and the database is rebuilt, as one transaction
(``esscore.build.importer_fichier``): on any failure or signal neither changes, so nothing is ever half
imported. The shipped ``catalogue.yaml`` is never modified: an import with an existing id overrides it.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from esscore import benchmark as bm
from esscore import benchmark_db
from esscore.build import importer_fichier
from esscore.db import connect
from esscore.errors import EssError

# ------------------------------------------------------------------------------------------------ import


def importer(
    fichier: str | Path, db: str | None = None, progress: Callable[[str], None] = print
) -> tuple[int, int, Path]:
    """Validate ``fichier``, merge it into ``ajouts.yaml``, rebuild the DB; return (added, updated, file).

    The merge reads ``ajouts.yaml`` under the writers' lock (``build.importer_fichier``): two imports at
    once never lose each other's entries, and the file and the database change together or not at all.
    """
    nouvelles = bm.read_import_file(Path(fichier))  # all-or-nothing validation, French errors
    cible = benchmark_db.ajouts_path()
    compte = {"ajoutees": 0, "mises_a_jour": 0}

    def produire(ancien: bytes | None) -> bytes:
        actuelles, _ = benchmark_db.lire_entrees(ajouts=cible)
        _, compte["ajoutees"], compte["mises_a_jour"] = bm.merge_entries(actuelles, nouvelles)
        if not (compte["ajoutees"] or compte["mises_a_jour"]):
            raise _RienAFaire
        ajouts = bm.load_catalogue(cible) if ancien is not None else []
        fusion, _, _ = bm.merge_entries(ajouts, nouvelles)
        return bm.dump_catalogue_yaml(bm.validate_entries(fusion, cible.name)).encode("utf-8")

    try:
        importer_fichier(cible, produire, db, progress)
    except _RienAFaire:
        return 0, 0, cible
    return compte["ajoutees"], compte["mises_a_jour"], cible


class _RienAFaire(Exception):
    """Every imported entry is already in the catalogue, identical: nothing to write or rebuild."""


def cmd_import_benchmark(args: argparse.Namespace) -> int:
    ajoutees, mises_a_jour, cible = importer(args.fichier, args.db, progress=lambda m: print(m, file=sys.stderr))
    if ajoutees or mises_a_jour:
        print(f"Fiches enregistrées dans {cible} ; base reconstruite.", file=sys.stderr)
    else:
        print("Aucun changement : ces fiches sont déjà au catalogue, à l'identique.", file=sys.stderr)
    print(f"{ajoutees} ajoutée(s), {mises_a_jour} mise(s) à jour")
    return 0


# ------------------------------------------------------------------------------------------------ listing


def _leviers(values: list[str] | None) -> list[str]:
    """Accept levers without accents or case; refuse unknown ones with the list of valid names."""
    connus = {bm.normaliser_texte(lev): lev for lev in bm.LEVIERS}
    out = []
    for value in values or []:
        lev = connus.get(bm.normaliser_texte(value))
        if lev is None:
            raise EssError(f"Levier inconnu « {value} ». Leviers possibles : {' ; '.join(bm.LEVIERS)}.")
        out.append(lev)
    return out


def _montant(value: float) -> str:
    return "" if pd.isna(value) else f"{bm.format_nombre(value)} €"


def cmd_benchmark(args: argparse.Namespace) -> int:
    leviers = _leviers(args.levier)
    con = connect(args.db)
    try:
        frame = benchmark_db.lire_catalogue(con)
    finally:
        con.close()
    found = bm.filter_catalogue(
        frame,
        leviers=leviers,
        types=args.type,
        regions=[r.zfill(2) for r in args.region or []],
        thematiques=args.theme,
        montant_min=args.montant_min,
        montant_max=args.montant_max,
        annee=args.annee,
        texte=args.texte,
    )
    if args.format == "json":
        json.dump(benchmark_db.entrees_json(found), sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return 0
    table = pd.DataFrame(
        {
            "id": found["id"],
            "collectivité": found["collectivite_nom"],
            "titre": [t if len(t) <= 60 else t[:59] + "…" for t in found["titre"]],
            "leviers": found["leviers_texte"],
            "montant principal": [_montant(v) for v in found["montant_principal_eur"]],
        }
    )
    print(f"{len(found)} fiche(s) sur {len(frame)}")
    if not table.empty:
        sys.stdout.write(table.to_string(index=False) + "\n")
    return 0
