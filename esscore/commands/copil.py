"""``esscore export copil``: the steering-committee deck (PPTX, optionally PDF) of a territory, from a shell.

The ``esscore export`` parsers are declared with the others in ``esscore.commands``.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date
from pathlib import Path

import duckdb

from esscore import comparaison, copil, geography
from esscore.commands.roadmap import magasin
from esscore.db import connect
from esscore.errors import EssError
from esscore.fichiers import ecrire_atomique, format_octets
from esscore.labels import fmt_dec
from esscore.roadmap import SANS_FEUILLE


def _date(texte: str | None) -> date:
    if not texte:
        return date.today()
    try:
        return date.fromisoformat(texte)
    except ValueError:
        raise EssError(f"Option --date : « {texte} » invalide ; format attendu AAAA-MM-JJ.") from None


def _pairs(con: duckdb.DuckDBPyConnection, terr: geography.Territoire, texte: str | None) -> list[str] | None:
    """The peers of ``--pairs``, checked as the Comparaisons page checks its URL; None = the suggested peers."""
    if texte is None:
        return None
    pairs, erreurs = comparaison.parse_pairs(con, terr, texte)
    if erreurs:
        raise EssError("Option --pairs : " + " ".join(erreurs))
    return pairs


def cmd_export_copil(args: argparse.Namespace) -> int:
    sortie = Path(args.out)
    if sortie.suffix.lower() != ".pptx":
        raise EssError(f"Option --out : « {sortie.name} » doit se terminer par .pptx.")
    sans_feuille = getattr(args, "sans_feuille", False)
    if sans_feuille and args.feuille not in (None, SANS_FEUILLE):
        raise EssError("Options --sans-feuille et --feuille-de-route incompatibles : choisissez l'une ou l'autre.")
    jour = _date(args.date)
    debut = time.perf_counter()
    con = connect(args.db)
    terr = geography.get(con, args.territoire)
    pairs = _pairs(con, terr, getattr(args, "pairs", None))
    doc = None
    if args.feuille != SANS_FEUILLE and not sans_feuille:
        store = magasin(args.store)
        feuille_id = args.feuille or copil.feuille_du_territoire(store.list_roadmaps(), terr.id)
        if feuille_id is None:
            print(
                f"Aucune feuille de route rattachée à {terr.id} dans le magasin : diaporama sans suivi.",
                file=sys.stderr,
            )
        else:
            doc = store.get(feuille_id)
            if doc.get("territoire") not in (None, terr.id):
                print(
                    f"Attention : la feuille « {feuille_id} » est rattachée à {doc['territoire']}, pas à {terr.id}.",
                    file=sys.stderr,
                )
            print(f"Feuille de route utilisée : « {feuille_id} ».", file=sys.stderr)
    octets = copil.build_copil(con, terr, doc, jour, pairs=pairs)
    ecrire_atomique(sortie, octets)
    duree = time.perf_counter() - debut
    n = copil.nombre_diapositives(octets)
    print(f"Diaporama COPIL écrit : {sortie} ({n} diapositives, {format_octets(len(octets))}) en {fmt_dec(duree)} s.")
    if args.pdf:
        ecrire_atomique(Path(args.pdf), copil.pdf_depuis_pptx(octets))
        print(f"PDF écrit : {args.pdf} (texte sélectionnable).")
    return 0
