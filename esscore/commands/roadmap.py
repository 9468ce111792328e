"""``esscore import roadmap FICHIER`` and ``esscore roadmap list|journal|backup``: the editable store from a shell.

Why the store and not ``data/`` + rebuild (as for initiatives): roadmaps are edited from the app (statuses,
indicator values) and every change is logged; they live in the editable store (``ESS_STORE``: a SQLite file, or
a PostgreSQL database shared by several servers), which the statistics build never touches. A file is validated
entirely before anything is written. A command reads and writes in one go: it never meets a version conflict
(an editor who had the page open before gets one on their next save).
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from esscore.config import db_path
from esscore.errors import EssError
from esscore.fichiers import couper
from esscore.roadmap import read_roadmap, verifier_territoire
from esscore.text import pour_terminal

if TYPE_CHECKING:
    import pandas as pd

    from esscore.store import RoadmapStore


def auteur_par_defaut() -> str:
    """Who ran the command, for the change log (the system user name when it can be read)."""
    try:
        return f"ligne de commande ({getpass.getuser()})"
    except (KeyError, OSError):
        return "ligne de commande"


def magasin(chemin: str | None) -> RoadmapStore:
    """The store, seeded with the example roadmaps on first use (as the app does)."""
    from esscore.store import RoadmapStore  # cold start: pandas (+86 MB / 0.3 s) once the file is valid

    store = RoadmapStore(chemin)
    store.seed_if_empty()
    return store


def verifier_territoire_en_base(doc: dict, fichier: str, db: str | None) -> None:
    """Refuse a territory absent from the geography database; without a usable database, say it on stderr.

    ``validate_roadmap`` already checked the ``type:code`` form; only the database knows that
    ``epci:000000000`` does not exist.
    """
    if not doc.get("territoire"):
        return
    # cold start: duckdb + pandas (+100 MB / 0.4 s, measured) only for a valid file that names a territory
    import duckdb

    from esscore import geography
    from esscore.db import connect

    chemin = db_path(db)
    if not chemin.is_file():
        print(f"Note : base {chemin} absente, existence du territoire non vérifiée.", file=sys.stderr)
        return
    try:
        con = connect(chemin)
    except duckdb.Error:  # being rebuilt, locked…: the import itself does not need the database
        print(f"Note : base {chemin} illisible, existence du territoire non vérifiée.", file=sys.stderr)
        return
    try:
        verifier_territoire(doc, fichier, lambda ident: geography.get(con, ident))
    except duckdb.Error:  # a database from an older version (no territory table)
        print(f"Note : base {chemin} incomplète, existence du territoire non vérifiée.", file=sys.stderr)
    finally:
        con.close()


def cmd_import_roadmap(args: argparse.Namespace) -> int:
    chemin = Path(args.fichier)
    doc = read_roadmap(chemin)  # raises FeuilleDeRouteInvalide listing every error: nothing written
    verifier_territoire_en_base(doc, chemin.name, args.db)
    store = magasin(args.store)
    existait = doc["id"] in set(store.list_roadmaps()["id"])
    store.import_roadmap(doc, args.auteur or auteur_par_defaut(), fichier=chemin.name)
    n = sum(len(op["actions"]) for ax in doc["axes"] for op in ax["axes_operationnels"])
    verbe = "remplacée" if existait else "importée"
    print(f"Feuille de route « {doc['id']} » {verbe} : {n} action(s), magasin {store.emplacement}.")
    return 0


def ecrire_json(frame: pd.DataFrame) -> None:
    """The rows as a JSON list on stdout; a missing value (NaN, NaT) is ``null``, never the invalid ``NaN``."""
    lignes = frame.astype(object).where(frame.notna(), None).to_dict(orient="records")
    json.dump(lignes, sys.stdout, ensure_ascii=False, indent=2, default=str, allow_nan=False)
    sys.stdout.write("\n")


def ecrire_table(frame: pd.DataFrame) -> None:
    """A text table for a terminal: escape sequences and bidi controls from the store are neutralised."""
    sys.stdout.write(pour_terminal(frame.to_string(index=False)) + "\n")


def cmd_list(args: argparse.Namespace) -> int:
    frame = magasin(args.store).list_roadmaps()
    if args.format == "json":
        ecrire_json(frame)
    elif frame.empty:
        print("Aucune feuille de route enregistrée.")
    else:
        vue = frame.assign(
            exemple=frame["exemple"].map({True: "exemple", False: ""}),
            titre=[couper(" ".join(t.split()), 60) for t in frame["titre"].fillna("")],  # never splits an emoji
        )[["id", "titre", "territoire", "exemple", "nb_actions", "imported_at"]]
        ecrire_table(vue)
    return 0


def cmd_journal(args: argparse.Namespace) -> int:
    store = magasin(args.store)
    if args.feuille:
        store.get(args.feuille)  # French error naming the available roadmaps when unknown
    frame = store.changelog(args.feuille).head(max(args.limit, 0))
    if args.format == "json":
        ecrire_json(frame)
    elif args.format == "csv":
        from esscore.exports import csv_texte  # cold start: as in magasin() (exports imports pandas)

        sys.stdout.write(csv_texte(frame))
    elif frame.empty:
        print("Journal vide.")
    else:
        ecrire_table(frame.drop(columns=["id"]))
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    from esscore.store import RoadmapStore  # cold start: as in magasin()

    store = RoadmapStore(args.store)
    if not store.existe():
        raise EssError(f"Magasin d'édition introuvable : {store.emplacement}. Rien à sauvegarder (vérifiez ESS_STORE).")
    cible = store.backup(args.dest)
    print(f"Sauvegarde du magasin {store.emplacement} écrite dans {cible}.")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from esscore.store import RoadmapStore  # cold start: as in magasin()

    source, cible = RoadmapStore(args.source), RoadmapStore(args.store)
    if not source.existe():
        raise EssError(f"Magasin à recopier introuvable : {source.emplacement}. Rien n'a été copié.")
    n = cible.copier_depuis(source)
    print(f"{n} feuille(s) de route et leur journal recopiées de {source.emplacement} vers {cible.emplacement}.")
    return 0


def lire_mot_de_passe(depuis_stdin: bool) -> str:
    """The password typed twice without echo, or the first line of stdin (scripts, tests)."""
    if depuis_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    mot_de_passe = getpass.getpass("Mot de passe d'édition : ")
    if mot_de_passe and getpass.getpass("Confirmez-le : ") != mot_de_passe:
        raise EssError("Les deux saisies diffèrent : rien n'a été produit, relancez la commande.")
    return mot_de_passe


def cmd_mot_de_passe(args: argparse.Namespace) -> int:
    from esscore import auth  # cold start: +4 MB / 20 ms (logging, secrets…) spared to the other commands

    mot_de_passe = lire_mot_de_passe(args.stdin)
    if not mot_de_passe.strip():
        raise EssError("Mot de passe vide : choisissez une phrase de passe longue (cinq mots ou plus).")
    if len(mot_de_passe) < 12:
        print("Attention : mot de passe court. Préférez une phrase de passe de cinq mots ou plus.", file=sys.stderr)
    print("Ligne à placer dans la section [edition] de .streamlit/secrets.toml (puis relancer le service) :",
          file=sys.stderr)  # fmt: skip
    print(f'{auth.CLE_EMPREINTE} = "{auth.empreinte_mot_de_passe(mot_de_passe)}"')
    return 0
