"""``esscore import initiatives FICHIER``: check an export, save it under data/, rebuild the database.

Why save then rebuild: the database is rebuilt from ``data/`` by every ``esscore build``; an import
that only lived in the database would vanish at the next build. The accepted records are written as
``data/initiatives/imports/<nom>.csv``, named after the imported file with its extension, and the database
is rebuilt, as one transaction (``esscore.build.importer_fichier``): on any failure or signal, neither the
file nor the database changes, so nothing is ever half imported.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from esscore import initiatives as ini
from esscore import initiatives_db
from esscore.build import importer_fichier
from esscore.db import connect
from esscore.errors import DonneesInvalides, EssError
from esscore.fichiers import apercu
from esscore.text import normalize


def nom_import(nom: str) -> str:
    """Safe file stem for data/initiatives/imports, from the user's file name WITH its extension.

    « x.csv » → « x-csv », « x.geojson » → « x-geojson »: two sources that only differ by their format
    get two files (one never erases the other); ascii letters, digits and dashes only.
    """
    racine = re.sub(r"[^a-z0-9]+", "-", normalize(Path(nom).name)).strip("-")[:60].strip("-")
    if not racine:
        raise EssError(
            f"Nom d'import inutilisable : « {apercu(nom, 60)} ». Donnez un nom avec --nom (ex. --nom carteco-79)."
        )
    return racine


def communes_de_reference(db: str | None) -> pd.DataFrame:
    """Communes of the database with their outlines (point-in-polygon placement)."""
    con = connect(db)
    try:
        return con.execute(
            "SELECT c.code, c.nom, c.lon, c.lat, c.codes_postaux, k.geojson "
            "FROM communes c LEFT JOIN contours_communes k USING (code)"
        ).df()
    finally:
        con.close()


def importer(
    fichier: str | Path,
    db: str | None = None,
    garder_valides: bool = False,
    nom: str | None = None,
    progress: Callable[[str], None] = print,
) -> tuple[Path, pd.DataFrame, list[str]]:
    """Validate ``fichier`` against the DB communes, save it, rebuild the DB; return (file, rows, messages).

    The save and the rebuild are one transaction (``build.importer_fichier``). Re-importing under the same
    name replaces that earlier import of the same source, and the messages say so with both counts.
    """
    chemin = Path(fichier)
    records = ini.read_initiatives(chemin)
    tableau, messages = ini.validate_initiatives(records, communes_de_reference(db), chemin.name, garder_valides)
    if tableau.empty:
        raise DonneesInvalides(
            f"« {apercu(chemin.name)} » : aucune initiative valide à importer ; rien n'a été modifié."
        )
    cible = initiatives_db.imports_dir() / f"{nom_import(nom or chemin.name)}.csv"
    notes: list[str] = []

    def produire(ancien: bytes | None) -> bytes:
        if ancien is not None:
            avant = len(ini.read_initiatives(cible))
            notes.append(
                f"« {cible.name} » existait déjà ({avant} initiative(s)) : cet import du même nom le remplace "
                f"({len(tableau)} initiative(s)). Pour garder les deux, importez sous un autre nom (--nom)."
            )
        return initiatives_db.csv_import(tableau)

    importer_fichier(cible, produire, db, progress)
    return cible, tableau, [*messages, *notes, *fusions(db)]


def fusions(db: str | None) -> list[str]:
    """Initiatives listed by several saved files (same name, same commune), kept once: said, never silent."""
    _, notes = initiatives_db.lire_catalogue(communes_de_reference(db))
    return notes


def cmd_import_initiatives(args: argparse.Namespace) -> int:
    cible, tableau, messages = importer(
        args.fichier, args.db, args.garder_valides, args.nom, progress=lambda m: print(m, file=sys.stderr)
    )
    for message in messages:
        print(f"Avertissement : {message}", file=sys.stderr)
    print(f"{len(tableau)} initiative(s) importée(s) depuis « {Path(args.fichier).name} », enregistrées dans {cible}.")
    return 0
