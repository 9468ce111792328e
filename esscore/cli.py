"""Command line: ``esscore build``, ``esscore territoire``, … (French messages, no tracebacks)."""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from esscore.commands import commande, options, register_all
from esscore.errors import EssError
from esscore.fichiers import apercu
from esscore.text import pour_terminal

if TYPE_CHECKING:
    import pandas as pd

# Handlers import pandas, duckdb and the build inside the function (cold start, measured): « esscore --help » and a
# refused « esscore import roadmap » run in 17 MB / 0.07 s instead of 132 MB / 0.57 s.

ESPACE_FINE = "\u202f"  # labels.ESPACE_FINE, not imported from there: esscore.labels loads pandas (+0.4 s)

# argparse's own messages (Python 3.11 to 3.13), in French: its help and errors reach users too. Patterns are tried
# in order on the whole message; ``Analyseur.error`` applies them.
_MESSAGES: tuple[tuple[str, str], ...] = (
    (r"^argument (.+?): ", r"argument \1 : "),
    (r"invalid choice: (.+) \(choose from (.+)\)", r"choix invalide : \1 (valeurs possibles : \2)"),
    (r"invalid (\w+) value: (.+)", r"valeur invalide (type \1) : \2"),
    (r"the following arguments are required: ", "arguments obligatoires manquants : "),
    (r"unrecognized arguments: ", "arguments non reconnus : "),
    (r"expected one argument", "une valeur attendue"),
    (r"expected at most one argument", "une valeur au plus attendue"),
    (r"expected at least one argument", "au moins une valeur attendue"),
    (r"expected (\d+) arguments?", r"\1 valeur(s) attendue(s)"),
    (r"not allowed with argument ", "incompatible avec l'argument "),
    (r"one of the arguments (.+) is required", r"l'un des arguments \1 est obligatoire"),
    (r"ambiguous option: (.+) could match (.+)", r"option ambiguë : \1 peut désigner \2"),
    (r"ignored explicit argument (.+)", r"valeur \1 ignorée"),
    (r"unexpected option string: ", "option inattendue : "),
)


def traduire(message: str) -> str:
    """An argparse error message in French (unknown messages are left as they are)."""
    for motif, francais in _MESSAGES:
        message = re.sub(motif, francais, message)
    return message


class FormateurAide(argparse.HelpFormatter):
    """argparse's help in French: « utilisation : » instead of « usage: »."""

    def add_usage(self, usage, actions, groups, prefix=None):  # noqa: ANN001, ANN201 - argparse's signature
        return super().add_usage(usage, actions, groups, "utilisation : " if prefix is None else prefix)


class Analyseur(argparse.ArgumentParser):
    """``argparse.ArgumentParser`` speaking French: help option, section titles, usage and errors.

    Sub-commands inherit it (``add_subparsers`` builds sub-parsers of the parser's own class).
    """

    def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003 - argparse's signature
        kwargs.setdefault("formatter_class", FormateurAide)
        aide = kwargs.pop("add_help", True)
        super().__init__(*args, add_help=False, **kwargs)
        # argparse writes « titre: »; a narrow no-break space at the end makes it the French « titre : ».
        self._positionals.title = f"arguments{ESPACE_FINE}"
        self._optionals.title = f"options{ESPACE_FINE}"
        if aide:
            self.add_argument("-h", "--help", action="help", default=argparse.SUPPRESS,
                              help="afficher cette aide et quitter")  # fmt: skip

    def add_subparsers(self, **kwargs):  # noqa: ANN003, ANN201 - argparse's signature
        kwargs.setdefault("title", f"commandes{ESPACE_FINE}")
        kwargs.setdefault("metavar", "COMMANDE")
        return super().add_subparsers(**kwargs)

    def error(self, message: str):  # noqa: ANN201 - NoReturn in argparse
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog} : erreur : {traduire(message)}\n")


def _print_json(data: object) -> None:
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2, default=str)
    sys.stdout.write("\n")


def _print_table(frame: pd.DataFrame) -> None:
    sys.stdout.write(pour_terminal(frame.to_string(index=False)) + "\n")


def base_a_jour(db: str | None) -> bool:
    """True when the database exists and has every table of this version (what the app checks at start)."""
    import duckdb

    from esscore.build import tables_manquantes
    from esscore.config import db_path

    cible = db_path(db)
    if not cible.is_file():
        return False
    try:
        with duckdb.connect(str(cible), read_only=True) as con:
            return not tables_manquantes(con)
    except duckdb.Error:  # unreadable or truncated: rebuilt (atomically) like a missing one
        return False


def cmd_build(args: argparse.Namespace) -> int:
    from esscore.build import build

    if args.si_necessaire and base_a_jour(args.db):
        from esscore.config import db_path
        from esscore.db import balayer_temporaires

        balayer_temporaires(db_path(args.db))  # without the writers' lock: only leftovers older than a day
        print("Base à jour : rien à reconstruire (sans --si-necessaire, esscore build reconstruit toujours).",
              file=sys.stderr)  # fmt: skip
        return 0
    build(args.db, progress=lambda msg: print(msg, file=sys.stderr))
    return 0


def cmd_territoire(args: argparse.Namespace) -> int:
    import pandas as pd

    from esscore import geography
    from esscore.db import connect

    con = connect(args.db)
    terr = geography.get(con, args.territoire)
    if terr.alias_de:
        from esscore.phrases import alias_rattache

        print(f"Note : {args.territoire} est {alias_rattache(terr.alias_de, terr.libelle)}.", file=sys.stderr)
    data = geography.as_dict(con, terr)
    if args.format == "json":
        _print_json(data)
    else:
        from esscore.labels import fmt_int

        print(f"{terr.libelle} — {geography.TYPE_LABELS[terr.type]}, {fmt_int(terr.population)} habitants")
        for p in data["parents"]:
            print(f"  ⊂ {geography.TYPE_LABELS[p['type']]} : {p['nom']} ({p['code']})")
        _print_table(pd.DataFrame(data["communes"]).head(args.limit))
        if len(data["communes"]) > args.limit:
            print(f"… {len(data['communes'])} communes au total")
    return 0


def cmd_ingest_sirene(args: argparse.Namespace) -> int:
    from esscore.build import ingest_sirene

    report = ingest_sirene(args.etablissements, args.unites_legales, args.db, args.perimetre,
                           progress=lambda msg: print(msg, file=sys.stderr),
                           cooperatives=args.cooperatives, fichier_sirene_fr=args.fichier_sirene_fr)  # fmt: skip
    print("Rapport d'ingestion :", file=sys.stderr)
    for key, value in report.items():
        print(f"  {key} : {value}", file=sys.stderr)
    return 0


def _open_territoire(args: argparse.Namespace):
    from esscore import geography
    from esscore.db import connect
    from esscore.errors import EssError
    from esscore.indicators import has_ess_data

    con = connect(args.db)
    if not has_ess_data(con):
        raise EssError("La base ne contient pas de données ESS. Lancez « esscore build » ou « esscore ingest sirene ».")
    return con, geography.get(con, args.territoire)


def cmd_panorama(args: argparse.Namespace) -> int:
    import pandas as pd

    from esscore.indicators import nom_marque, panorama, source_info

    con, terr = _open_territoire(args)
    data = panorama(con, terr, args.perimetre)
    if args.format == "json":
        _print_json(data)
        return 0
    from esscore.labels import fmt_value

    if data["demo"]:
        print("Données de démonstration")
    print(f"{data['territoire']['nom']}, périmètre {args.perimetre}")
    print(f"Source : {source_info(con)['citation']}")
    # « France — partiel » when a partial SIRENE extract is loaded (one département)
    rows = [{"territoire": nom_marque(data["territoire"]["nom"], data["couverture"]), **{k: data[k] for k in _HEAD}}]
    rows += [{"territoire": nom_marque(c["nom"], c["couverture"]), **{k: c[k] for k in _HEAD}}
             for c in data["comparaison"]]  # fmt: skip
    frame = pd.DataFrame(rows)
    for col in _HEAD:
        frame[col] = frame[col].map(lambda v, c=col: fmt_value(c, v))
    _print_table(frame)
    _print_table(pd.DataFrame(data["familles"]))
    return 0


_HEAD = ["etablissements", "etablissements_employeurs", "salaries_estimes", "part_emploi_prive",
         "etablissements_pour_1000_hab"]  # fmt: skip


def cmd_etablissements(args: argparse.Namespace) -> int:
    if args.format == "xlsx" and not args.sortie:  # checked first: nothing is read for a refused command
        raise EssError("Le format xlsx est un fichier binaire, qui ne s'affiche pas dans le terminal : indiquez "
                       "le fichier à écrire, par ex. « --sortie etablissements.xlsx ».")  # fmt: skip
    from esscore import exports
    from esscore.indicators import etablissements, source_info

    con, terr = _open_territoire(args)
    frame = etablissements(con, terr, args.famille, args.perimetre)
    meta = exports.Metadonnees.de_la_base(source_info(con), args.perimetre)
    if args.format == "geojson" and not args.sortie:
        _print_json(exports.geojson_etablissements(frame, meta))
        return 0
    if args.format == "geojson":
        contenu = json.dumps(exports.geojson_etablissements(frame, meta), ensure_ascii=False, indent=2, default=str)
        donnees = (contenu + "\n").encode("utf-8")
    elif args.format == "xlsx":
        donnees = exports.xlsx_bytes(frame, meta, titre="Établissements")
    else:
        donnees = exports.csv_bytes(frame, meta)  # with the BOM: « > fichier.csv » opens right in Excel
    if not args.sortie:
        sys.stdout.flush()
        sys.stdout.buffer.write(donnees)
        sys.stdout.buffer.flush()
        return 0
    from esscore.fichiers import ecrire_atomique

    try:
        ecrire_atomique(args.sortie, donnees)
    except OSError as err:
        raison = {FileNotFoundError: "dossier introuvable", PermissionError: "permission refusée",
                  IsADirectoryError: "c'est un dossier"}.get(type(err), "erreur du système")  # fmt: skip
        raise EssError(f"Impossible d'écrire « {apercu(args.sortie)} » ({raison}). Indiquez un fichier dans un "
                       "dossier où vous pouvez écrire.") from err  # fmt: skip
    from esscore.labels import accord, compte

    ecrits = f"{compte(len(frame), 'établissement')} {accord(len(frame), 'écrit')}"
    print(pour_terminal(f"{ecrits} dans {args.sortie}."), file=sys.stderr)
    return 0


def parser() -> argparse.ArgumentParser:
    p = Analyseur(prog="esscore", description="ESS Territoires : données et exports")
    p.add_argument("--debug", action="store_true", help="afficher la trace complète en cas d'erreur")
    sub = p.add_subparsers(dest="command", required=True)

    b = commande(sub, "build", "construire la base DuckDB depuis data/", cmd_build)
    options(b, db=True)
    b.add_argument(
        "--si-necessaire",
        action="store_true",
        help="ne construire que si la base manque ou vient d'une version antérieure (démarrage d'un service)",
    )

    t = commande(sub, "territoire", "décrire un territoire TYPE:CODE", cmd_territoire)
    t.add_argument("territoire", help="par ex. epci:200041317, commune:79191, departement:79, region:75, france")
    options(t, formats=("json", "table"), db=True, aide_db=None)
    t.add_argument("--limit", type=int, default=50, help="communes affichées en mode table")

    ing = sub.add_parser("ingest", help="charger une source de données")
    ing_sub = ing.add_subparsers(dest="source", required=True)
    si = commande(ing_sub, "sirene", "fichiers SIRENE : stock (parquet, CSV, CSV zippé), export sirene.fr, "
                  "fichier géolocalisé par département", cmd_ingest_sirene)  # fmt: skip
    si.add_argument("--etablissements", help="StockEtablissement_utf8.(parquet|csv|zip), ou un fichier géolocalisé "
                    "par département (geo_siret_79.csv.gz : longitude et latitude lues telles quelles)")  # fmt: skip
    si.add_argument("--unites-legales", help="StockUniteLegale_utf8.(parquet|csv|zip)")
    si.add_argument("--fichier-sirene-fr", metavar="FICHIER", help="export « fichier personnalisé » de sirene.fr "
                    "(établissements et unités légales en un CSV), à la place des deux fichiers stock")  # fmt: skip
    options(si, db=True, aide_db=None)
    options(si, perimetre=True)  # after --db, where « esscore ingest sirene --help » has always listed it
    si.add_argument("--cooperatives", metavar="FICHIER", help="CSV siren[,famille] : unités légales à classer dans "
                    "une famille (SCOP ou SCIC en SAS, SARL…)")  # fmt: skip

    pa = commande(sub, "panorama", "indicateurs ESS d'un territoire", cmd_panorama)
    pa.add_argument("--territoire", required=True)
    options(pa, perimetre=True, formats=("json", "table"), db=True, aide_db=None)

    et = commande(sub, "etablissements", "liste des établissements ESS d'un territoire", cmd_etablissements)
    et.add_argument("--territoire", required=True)
    et.add_argument("--famille", help="Associations, Coopératives, Mutuelles, Fondations, …")
    options(et, perimetre=True)
    et.add_argument("--format", choices=["csv", "geojson", "xlsx"], default="csv",
                    help="csv : pour Excel en français (« ; », virgule décimale) ; xlsx : exige --sortie")  # fmt: skip
    et.add_argument("--sortie", metavar="FICHIER", help="écrire dans ce fichier plutôt que sur la sortie standard")
    options(et, db=True, aide_db=None)

    imp = sub.add_parser("import", help="importer un fichier (benchmark, initiatives, feuille de route)")
    import_sub = imp.add_subparsers(dest="kind", required=True)
    register_all(sub, import_sub)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except EssError as err:
        print(pour_terminal(f"Erreur : {err}"), file=sys.stderr)
        return 2
    except BrokenPipeError:  # output piped into head & co.
        return 0
    except KeyboardInterrupt:
        print("Interrompu.", file=sys.stderr)
        return 130
    except Exception as err:  # noqa: BLE001 - last resort: never a raw traceback for users
        if args.debug:
            raise
        print(f"Erreur inattendue ({type(err).__name__}) : {apercu(str(err), 300)}. Relancez avec --debug pour "
              "le détail.", file=sys.stderr)  # fmt: skip
        return 1


if __name__ == "__main__":
    sys.exit(main())
