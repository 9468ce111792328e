"""``esscore export copil``: the steering-committee deck (PPTX, optionally PDF) of a territory, from a shell.

``export`` is a top-level command with its own sub-commands; ``export_subparsers`` creates it on first use so
that other modules can add ``esscore export <autre>`` without clashing.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date
from pathlib import Path

from esscore.errors import EssError
from esscore.fichiers import ecrire_atomique

AUCUNE = "aucune"


def export_subparsers(sub: argparse._SubParsersAction) -> argparse._SubParsersAction:
    """The ``esscore export <kind>`` sub-parser set, created by the first module that needs it."""
    parser = sub.choices.get("export")
    if parser is None:
        parser = sub.add_parser("export", help="exporter un document (diaporama COPIL…)")
        parser.add_subparsers(dest="export_kind", required=True)
    return next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))


def register(sub: argparse._SubParsersAction, import_sub: argparse._SubParsersAction) -> None:
    p = export_subparsers(sub).add_parser(
        "copil",
        help="diaporama COPIL (PowerPoint 16:9) d'un territoire et de sa feuille de route",
        description="Chiffres clés comparés aux pairs, familles et secteurs, carte des communes, tableau de "
        "comparaison, avancement de la feuille de route et actions en retard, fiches d'autres collectivités, "
        "sources. Sans --feuille-de-route, la feuille du magasin rattachée au territoire est utilisée.",
    )
    p.add_argument("--territoire", required=True, help="TYPE:CODE, par ex. epci:200041317, departement:50")
    p.add_argument(
        "--feuille-de-route",
        dest="feuille",
        help=f"identifiant dans le magasin (esscore roadmap list), ou « {AUCUNE} » pour un diaporama sans suivi",
    )
    p.add_argument("--out", required=True, help="fichier .pptx à écrire")
    p.add_argument("--pdf", help="écrire aussi un PDF (images des diapositives) à ce chemin")
    p.add_argument("--date", help="date de situation AAAA-MM-JJ (défaut : aujourd'hui) ; fixe les retards")
    p.add_argument("--db", help="base statistique (défaut : $ESS_DB ou data/ess.duckdb)")
    p.add_argument("--store", help="magasin d'édition (défaut : $ESS_STORE ou data/edition.sqlite)")
    p.set_defaults(func=cmd_export_copil)


def _date(texte: str | None) -> date:
    if not texte:
        return date.today()
    try:
        return date.fromisoformat(texte)
    except ValueError:
        raise EssError(f"Option --date : « {texte} » invalide ; format attendu AAAA-MM-JJ.") from None


def cmd_export_copil(args: argparse.Namespace) -> int:
    from esscore import copil, geography
    from esscore.commands.roadmap import magasin
    from esscore.db import connect

    sortie = Path(args.out)
    if sortie.suffix.lower() != ".pptx":
        raise EssError(f"Option --out : « {sortie.name} » doit se terminer par .pptx.")
    jour = _date(args.date)
    debut = time.perf_counter()
    con = connect(args.db)
    terr = geography.get(con, args.territoire)
    doc = None
    if args.feuille != AUCUNE:
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
    octets = copil.build_copil(con, terr, doc, jour)
    ecrire_atomique(sortie, octets)
    duree = time.perf_counter() - debut
    n = copil.nombre_diapositives(octets)
    print(f"Diaporama COPIL écrit : {sortie} ({n} diapositives, {len(octets) / 1e6:.1f} Mo) en {duree:.1f} s.")
    if args.pdf:
        ecrire_atomique(Path(args.pdf), copil.pdf_depuis_pptx(octets))
        print(f"PDF écrit : {args.pdf} (images des diapositives).")
    return 0
