"""``esscore millesimes`` (the SIRENE vintages kept in the database: list, remove one) and ``esscore mouvements``
(creations and closures of ESS establishments of a territory; exact closure dates from the historical file).

The parsers are declared with the others in ``esscore.commands``.
"""

from __future__ import annotations

import argparse
import json
import sys

import pandas as pd

from esscore import evolution, exports, geography, millesimes
from esscore.db import connect
from esscore.errors import EssError
from esscore.indicators import has_ess_data, source_info
from esscore.labels import fmt_int, fmt_value
from esscore.text import pour_terminal

COLONNES_LISTE = ("millesime", "annee_effectifs", "demo", "courant", "etablissements", "etablissements_employeurs",
                  "salaries_estimes", "couverture", "methode", "date_ajout")  # fmt: skip


def _sortie(texte: str) -> None:
    sys.stdout.write(pour_terminal(texte) + "\n")


def _json(donnees: object) -> None:
    json.dump(donnees, sys.stdout, ensure_ascii=False, indent=2, default=str)
    sys.stdout.write("\n")


def _enregistrements(frame: pd.DataFrame) -> list[dict]:
    """JSON-friendly rows: numpy → Python, NaN → None (never rounded: the JSON carries full precision)."""
    return json.loads(frame.to_json(orient="records", force_ascii=False))


def cmd_millesimes(args: argparse.Namespace) -> int:
    """List the vintages, or remove one (``--supprimer DATE``)."""
    if args.supprimer:
        retire = millesimes.supprimer(args.supprimer, args.db, progress=lambda m: print(m, file=sys.stderr))
        if args.format == "json":
            _json({"supprime": _enregistrements(retire)[0]})
        else:
            _sortie(f"Millésime {args.supprimer} supprimé ({retire['libelle'].iloc[0]}).")
        return 0
    with connect(args.db) as con:
        frame = millesimes.liste(con)
    colonnes = [c for c in COLONNES_LISTE if c in frame]
    if args.format == "json":
        _json({"millesimes": _enregistrements(frame[colonnes])})
        return 0
    if frame.empty:
        _sortie("Aucun millésime : chargez un stock Sirene (esscore ingest sirene) ou construisez la base.")
        return 0
    table = pd.DataFrame({
        "Millésime (stock)": frame["millesime"], "Effectifs": frame["annee_effectifs"].astype("Int64"),
        "Établissements": frame["etablissements"].map(fmt_int),
        "Employeurs": frame["etablissements_employeurs"].map(fmt_int),
        "Salariés estimés": frame["salaries_estimes"].map(lambda v: fmt_value("salaries_estimes", v)),
        "Nature": ["démonstration" if d else "réel" for d in frame["demo"]],
        "Actuel": ["oui" if c else "" for c in frame["courant"]],
    })  # fmt: skip
    _sortie(table.to_string(index=False))
    _sortie("Chiffres France entière, périmètre statistique. Supprimer un millésime : esscore millesimes "
            "--supprimer AAAA-MM-JJ.")  # fmt: skip
    return 0


def cmd_mouvements(args: argparse.Namespace) -> int:
    """Load the historical file (``--historique``), and/or print a territory's creations and closures."""
    if args.historique:
        compte = millesimes.charger_historique(args.historique, args.db, progress=lambda m: print(m, file=sys.stderr))
        print(pour_terminal(f"Fichier historique chargé : {fmt_int(compte.get('historique', 0))} établissement(s) "
                            f"fermé(s) de l'ESS datés par leur changement d'état, {fmt_int(compte.get('stock', 0))} "
                            "restés datés par le stock."), file=sys.stderr)  # fmt: skip
    if not args.territoire:
        if not args.historique:
            raise EssError("Indiquez --territoire TYPE:CODE (créations et fermetures d'un territoire) ou "
                           "--historique FICHIER (dates de fermeture exactes).")  # fmt: skip
        return 0
    with connect(args.db) as con:
        if not has_ess_data(con):
            raise EssError("La base ne contient pas de données ESS : lancez « esscore build » ou « esscore ingest "
                           "sirene ».")  # fmt: skip
        terr = geography.get(con, args.territoire)
        detail = evolution.mouvements(con, terr.id, args.perimetre)
        info = source_info(con)
    annees = evolution.par_annee(detail, int(detail["annee"].max()) if len(detail) else None, args.annees)
    if args.format == "json":
        _json({"territoire": {"type": terr.type, "code": terr.code, "nom": terr.nom}, "demo": info["demo"],
               "source": info["citation"], "perimetre": args.perimetre, "annees": _enregistrements(annees),
               "detail": _enregistrements(detail[detail["annee"].isin(annees["annee"])])})  # fmt: skip
        return 0
    if args.format == "csv":
        meta = exports.Metadonnees.de_la_base(info, args.perimetre)
        sys.stdout.flush()
        sys.stdout.buffer.write(exports.csv_bytes(detail[detail["annee"].isin(annees["annee"])], meta))
        return 0
    if info["demo"]:
        _sortie("Données de démonstration")
    _sortie(f"{terr.nom} : établissements de l'ESS créés et fermés par an (périmètre {args.perimetre})")
    _sortie(annees.rename(columns={"annee": "Année", "creations": "Créations", "fermetures": "Fermetures",
                                   "solde": "Solde"}).to_string(index=False))  # fmt: skip
    _sortie(f"Source : {info['citation']}")
    return 0
