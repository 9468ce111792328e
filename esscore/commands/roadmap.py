"""``esscore import roadmap FICHIER`` and ``esscore roadmap list|journal|backup``: the editable store from a shell.

Why the store and not ``data/`` + rebuild (as for initiatives): roadmaps are edited from the app (statuses,
indicator values) and every change is logged; they live in the SQLite store (``ESS_STORE``), which the
statistics build never touches. A file is validated entirely before anything is written.
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from pathlib import Path

from esscore.errors import EssError
from esscore.exports import csv_texte
from esscore.geography import parse_id
from esscore.roadmap import read_roadmap
from esscore.store import RoadmapStore


def register(sub: argparse._SubParsersAction, import_sub: argparse._SubParsersAction) -> None:
    imp = import_sub.add_parser(
        "roadmap",
        help="importer une feuille de route (YAML ou CSV) dans le magasin d'édition",
        description="Valide le fichier (toutes les erreurs sont listées, rien n'est importé en cas d'erreur), "
        "puis l'enregistre dans le magasin d'édition SQLite ($ESS_STORE ou data/edition.sqlite). Une feuille "
        "de même identifiant est remplacée ; l'import est inscrit au journal des modifications.",
    )
    imp.add_argument("fichier", help="fichier .yaml, .yml ou .csv (format : data/feuilles_de_route/README.md)")
    imp.add_argument("--auteur", help="nom ou service inscrit au journal (défaut : utilisateur du système)")
    imp.add_argument("--store", help="magasin d'édition (défaut : $ESS_STORE ou data/edition.sqlite)")
    imp.set_defaults(func=cmd_import_roadmap)

    rm = sub.add_parser("roadmap", help="feuilles de route du magasin d'édition : liste, journal, sauvegarde")
    rm_sub = rm.add_subparsers(dest="action", required=True)
    ls = rm_sub.add_parser("list", help="lister les feuilles de route enregistrées")
    ls.add_argument("--format", choices=["table", "json"], default="table")
    ls.add_argument("--store")
    ls.set_defaults(func=cmd_list)

    jr = rm_sub.add_parser("journal", help="afficher le journal des modifications (plus récentes d'abord)")
    jr.add_argument("feuille", nargs="?", help="identifiant d'une feuille de route (défaut : toutes)")
    jr.add_argument("--limit", type=int, default=50)
    jr.add_argument("--format", choices=["table", "json", "csv"], default="table")
    jr.add_argument("--store")
    jr.set_defaults(func=cmd_journal)

    bk = rm_sub.add_parser(
        "backup",
        help="sauvegarde cohérente du magasin (même pendant que l'application écrit)",
        description="Copie le magasin avec la sauvegarde en ligne de SQLite vers DEST (fichier autonome, écrit "
        "sous un nom temporaire puis renommé).",
    )
    bk.add_argument("dest", help="fichier de sauvegarde, par ex. sauvegardes/edition-2026-11-23.sqlite")
    bk.add_argument("--store")
    bk.set_defaults(func=cmd_backup)


def auteur_par_defaut() -> str:
    """Who ran the command, for the change log (the system user name when it can be read)."""
    try:
        return f"ligne de commande ({getpass.getuser()})"
    except (KeyError, OSError):
        return "ligne de commande"


def magasin(chemin: str | None) -> RoadmapStore:
    """The store, seeded with the example roadmaps on first use (as the app does)."""
    store = RoadmapStore(chemin)
    store.seed_if_empty()
    return store


def cmd_import_roadmap(args: argparse.Namespace) -> int:
    chemin = Path(args.fichier)
    doc = read_roadmap(chemin)  # raises FeuilleDeRouteInvalide listing every error: nothing written
    if doc.get("territoire"):
        try:
            parse_id(doc["territoire"])
        except EssError as err:
            raise EssError(f"Fichier « {chemin.name} » : champ « territoire » : {err}") from None
    store = magasin(args.store)
    existait = doc["id"] in set(store.list_roadmaps()["id"])
    store.import_roadmap(doc, args.auteur or auteur_par_defaut(), fichier=chemin.name)
    n = sum(len(op["actions"]) for ax in doc["axes"] for op in ax["axes_operationnels"])
    verbe = "remplacée" if existait else "importée"
    print(f"Feuille de route « {doc['id']} » {verbe} : {n} action(s), magasin {store.path}.")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    frame = magasin(args.store).list_roadmaps()
    if args.format == "json":
        lignes = frame.astype(object).where(frame.notna(), None).to_dict(orient="records")
        json.dump(lignes, sys.stdout, ensure_ascii=False, indent=2, default=str, allow_nan=False)
        sys.stdout.write("\n")
    elif frame.empty:
        print("Aucune feuille de route enregistrée.")
    else:
        vue = frame.assign(
            exemple=frame["exemple"].map({True: "exemple", False: ""}),
            titre=[t if len(t) <= 60 else t[:59] + "…" for t in frame["titre"].fillna("")],
        )[["id", "titre", "territoire", "exemple", "nb_actions", "imported_at"]]
        sys.stdout.write(vue.to_string(index=False) + "\n")
    return 0


def cmd_journal(args: argparse.Namespace) -> int:
    store = magasin(args.store)
    if args.feuille:
        store.get(args.feuille)  # French error naming the available roadmaps when unknown
    frame = store.changelog(args.feuille).head(max(args.limit, 0))
    if args.format == "json":
        json.dump(frame.to_dict(orient="records"), sys.stdout, ensure_ascii=False, indent=2, default=str)
        sys.stdout.write("\n")
    elif args.format == "csv":
        sys.stdout.write(csv_texte(frame))
    elif frame.empty:
        print("Journal vide.")
    else:
        sys.stdout.write(frame.drop(columns=["id"]).to_string(index=False) + "\n")
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    store = RoadmapStore(args.store)
    if not store.path.exists():
        raise EssError(f"Magasin d'édition introuvable : {store.path}. Rien à sauvegarder (vérifiez ESS_STORE).")
    cible = store.backup(args.dest)
    print(f"Sauvegarde du magasin {store.path} écrite dans {cible}.")
    return 0
