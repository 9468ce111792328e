"""CLI sub-commands of the domain modules, declared explicitly: ``esscore import …``, ``benchmark``, ``export``,
``roadmap``.

``register_all`` adds every parser, in the order of ``esscore --help``; each ``register_<command>`` only touches
argparse. ``commande`` creates a sub-command bound to its handler (``commande_decrite`` with its French help and
description read in ``textes.toml``, one table per command path) and ``options`` adds the shared options
(``--perimetre``, ``--format``, ``--db``, ``--store``), for these commands and those of ``esscore.cli``.
Handlers live in ``esscore.commands.<module>`` (they return an exit code and raise ``EssError`` for user errors,
printed in French by ``esscore.cli``) and are bound through the ``_<module>()`` loaders below, which import them
only when their command runs: this module imports nothing heavier than argparse.
"""

from __future__ import annotations

import argparse
import functools
import tomllib
from collections.abc import Callable, Sequence
from pathlib import Path
from types import ModuleType

from esscore.leviers import LEVIERS, TYPES_COLLECTIVITE
from esscore.roadmap import SANS_FEUILLE

Sous = argparse._SubParsersAction
Handler = Callable[[argparse.Namespace], int]
AIDE_DB = "chemin de la base (défaut : $ESS_DB ou data/ess.duckdb)"
AIDE_STORE = (
    "magasin d'édition : fichier SQLite ou URL postgresql://utilisateur@serveur:5432/base "
    "(défaut : $ESS_STORE ou data/edition.sqlite)"
)


# ------------------------------------------------------------------------------------------ handler modules


def _benchmark() -> ModuleType:
    # cold start: pandas + duckdb + build, +110 MB / 0.4 s, only for the benchmark commands (measured)
    from esscore.commands import benchmark

    return benchmark


def _copil() -> ModuleType:
    # cold start: + pptx, altair, vl_convert: +155 MB / 0.7 s, only for « esscore export copil » (measured)
    from esscore.commands import copil

    return copil


def _initiatives() -> ModuleType:
    # cold start: pandas + duckdb + build, +110 MB / 0.4 s, only for « esscore import initiatives » (measured)
    from esscore.commands import initiatives

    return initiatives


def _millesimes() -> ModuleType:
    # cold start: pandas + duckdb, loaded only when « esscore millesimes » or « esscore mouvements » runs
    from esscore.commands import millesimes

    return millesimes


def _roadmap() -> ModuleType:
    # cold start: +3 MB / 10 ms; a refused « esscore import roadmap » runs in 17 MB / 0.07 s, not 132 MB / 0.57 s
    from esscore.commands import roadmap

    return roadmap


# ------------------------------------------------------------------------------------------ parsers


def commande(sous: Sous, nom: str, aide: str, func: Handler, description: str | None = None) -> argparse.ArgumentParser:
    """A sub-command ``nom`` run by ``func``: the one place where a parser is created and bound to its handler."""
    p = sous.add_parser(nom, help=aide, description=description)
    p.set_defaults(func=func)
    return p


@functools.cache
def _textes() -> dict[str, dict[str, str]]:
    """The commands' French texts (``textes.toml``, next to this module), by command path."""
    with (Path(__file__).parent / "textes.toml").open("rb") as f:
        return tomllib.load(f)


def commande_decrite(sous: Sous, chemin: str, func: Handler) -> argparse.ArgumentParser:
    """The sub-command at ``chemin`` (« import roadmap », « benchmark »…) with its help and description read in
    ``textes.toml``; a path missing there is a programming error (``KeyError``, caught by the tests)."""
    texte = _textes()[chemin]
    return commande(sous, chemin.split()[-1], texte["aide"], func, texte.get("description"))


def options(
    p: argparse.ArgumentParser,
    *,
    perimetre: bool = False,
    formats: Sequence[str] = (),
    db: bool = False,
    aide_db: str | None = AIDE_DB,
    store: bool = False,
) -> None:
    """The options shared by the commands, always spelled the same way and added in this order: ``--perimetre``,
    ``--format`` (choices ``formats``, default ``table``), ``--db`` (help ``aide_db``), ``--store``."""
    if perimetre:
        p.add_argument("--perimetre", choices=["statistique", "legal"], default="statistique")
    if formats:
        p.add_argument("--format", choices=list(formats), default="table")
    if db:
        p.add_argument("--db", help=aide_db)
    if store:
        p.add_argument("--store", help=AIDE_STORE)


def register_all(sub: Sous, import_sub: Sous) -> None:
    """``sub``: the top-level sub-parser set (``esscore <cmd>``); ``import_sub``: ``esscore import <kind>``."""
    register_benchmark(sub, import_sub)
    register_export(sub)
    register_initiatives(import_sub)
    register_millesimes(sub)
    register_roadmap(sub, import_sub)


def register_benchmark(sub: Sous, import_sub: Sous) -> None:
    p = commande_decrite(import_sub, "import benchmark", lambda args: _benchmark().cmd_import_benchmark(args))
    p.add_argument("fichier", help="fichier .yaml, .yml ou .csv (UTF-8)")
    options(p, db=True)

    b = commande_decrite(sub, "benchmark", lambda args: _benchmark().cmd_benchmark(args))
    b.add_argument("--levier", action="append", help=f"levier ({' ; '.join(LEVIERS)}) ; répétable")
    b.add_argument("--type", action="append", choices=TYPES_COLLECTIVITE, help="type de collectivité ; répétable")
    b.add_argument("--region", action="append", help="code région (ex. 75) ; répétable")
    b.add_argument("--theme", action="append", help="thématique (ex. « économie circulaire ») ; répétable")
    b.add_argument("--annee", type=int, help="année citée par la fiche")
    b.add_argument("--min", type=float, dest="montant_min", help="montant principal minimum (€)")
    b.add_argument("--max", type=float, dest="montant_max", help="montant principal maximum (€)")
    b.add_argument("--texte", help="recherche plein texte, sans accents ni majuscules")
    options(b, formats=("json", "table"), db=True)


def register_export(sub: Sous) -> None:
    ex = sub.add_parser("export", help="exporter un document (diaporama COPIL…)")
    export_sub = ex.add_subparsers(dest="export_kind", required=True)
    p = commande_decrite(export_sub, "export copil", lambda args: _copil().cmd_export_copil(args))
    p.add_argument("--territoire", required=True, help="TYPE:CODE, par ex. epci:200041317, departement:50")
    p.add_argument(
        "--feuille-de-route",
        dest="feuille",
        help=f"identifiant dans le magasin (esscore roadmap list), ou « {SANS_FEUILLE} » pour un diaporama sans suivi",
    )
    p.add_argument(
        "--sans-feuille",
        action="store_true",
        help=f"diaporama sans feuille de route : statistiques seulement (= --feuille-de-route {SANS_FEUILLE})",
    )
    p.add_argument(
        "--pairs",
        help="territoires comparés, même niveau que --territoire, séparés par des virgules (au plus 8), par ex. "
        "epci:200069581,epci:200071165 ; ceux de l'adresse de la page Comparaisons (paramètre pairs)",
    )
    p.add_argument("--out", required=True, help="fichier .pptx à écrire")
    p.add_argument("--pdf", help="écrire aussi un PDF (texte sélectionnable) à ce chemin")
    p.add_argument("--date", help="date de situation AAAA-MM-JJ (défaut : aujourd'hui) ; fixe les retards")
    options(p, db=True, aide_db="base statistique (défaut : $ESS_DB ou data/ess.duckdb)", store=True)


def register_initiatives(import_sub: Sous) -> None:
    p = commande_decrite(import_sub, "import initiatives", lambda args: _initiatives().cmd_import_initiatives(args))
    p.add_argument("fichier", help="fichier .csv, .geojson ou .json (export /api/elements.json?ontology=gogofull)")
    p.add_argument(
        "--garder-valides",
        action="store_true",
        help="importer les enregistrements valides et ignorer les autres (listés en avertissement)",
    )
    p.add_argument("--nom", help="nom du fichier enregistré (défaut : nom du fichier importé)")
    options(p, db=True)


def register_millesimes(sub: Sous) -> None:
    """``esscore millesimes`` (vintages kept) and ``esscore mouvements`` (creations and closures), issue 19."""
    m = commande_decrite(sub, "millesimes", lambda args: _millesimes().cmd_millesimes(args))
    m.add_argument("--supprimer", metavar="DATE", help="supprimer le millésime du stock à cette date (AAAA-MM-JJ)")
    options(m, formats=("table", "json"), db=True)

    mv = commande_decrite(sub, "mouvements", lambda args: _millesimes().cmd_mouvements(args))
    mv.add_argument("--territoire", help="TYPE:CODE, par ex. epci:200041317, departement:79, france")
    historique = "StockEtablissementHistorique_utf8 (parquet, CSV ou CSV zippé) : dates de fermeture exactes"
    mv.add_argument("--historique", metavar="FICHIER", help=historique)
    mv.add_argument("--annees", type=int, default=15, help="nombre d'années affichées (défaut : 15)")
    options(mv, perimetre=True, formats=("table", "json", "csv"), db=True)


def register_roadmap(sub: Sous, import_sub: Sous) -> None:
    imp = commande_decrite(import_sub, "import roadmap", lambda args: _roadmap().cmd_import_roadmap(args))
    imp.add_argument("fichier", help="fichier .yaml, .yml ou .csv (format : data/feuilles_de_route/README.md)")
    imp.add_argument("--auteur", help="nom ou service inscrit au journal (défaut : utilisateur du système)")
    options(imp, store=True)  # before --db, as « esscore import roadmap --help » has always listed them
    options(
        imp,
        db=True,
        aide_db="base statistique où vérifier que le territoire existe (défaut : $ESS_DB ou data/ess.duckdb ; "
        "sans base, seule la forme type:code est vérifiée)",
    )
    rm = sub.add_parser("roadmap", help="feuilles de route du magasin d'édition : liste, journal, sauvegarde")
    _register_magasin(rm.add_subparsers(dest="action", required=True))


def _register_magasin(rm_sub: Sous) -> None:
    """``esscore roadmap list|journal|backup|restore|mot-de-passe``."""
    ls = commande_decrite(rm_sub, "roadmap list", lambda args: _roadmap().cmd_list(args))
    options(ls, formats=("table", "json"), store=True)

    jr = commande_decrite(rm_sub, "roadmap journal", lambda args: _roadmap().cmd_journal(args))
    jr.add_argument("feuille", nargs="?", help="identifiant d'une feuille de route (défaut : toutes)")
    jr.add_argument("--limit", type=int, default=50)
    options(jr, formats=("table", "json", "csv"), store=True)

    bk = commande_decrite(rm_sub, "roadmap backup", lambda args: _roadmap().cmd_backup(args))
    bk.add_argument("dest", help="fichier de sauvegarde, par ex. sauvegardes/edition-2026-11-23.sqlite")
    options(bk, store=True)

    rs = commande_decrite(rm_sub, "roadmap restore", lambda args: _roadmap().cmd_restore(args))
    rs.add_argument("source", help="sauvegarde (esscore roadmap backup) ou magasin à recopier")
    options(rs, store=True)

    mp = commande_decrite(rm_sub, "roadmap mot-de-passe", lambda args: _roadmap().cmd_mot_de_passe(args))
    mp.add_argument(
        "--stdin",
        action="store_true",
        help="lire le mot de passe sur l'entrée standard (première ligne) au lieu de le demander",
    )
