"""Vintages (« millésimes ») of the ESS figures, and the creations and closures of ESS establishments.

Each SIRENE stock loaded (``esscore ingest sirene``, or the demonstration) is recorded as a vintage: the date of the
stock and the year of its headcount bands. The per-territory figures of the earlier vintages are kept in compact
tables, never their establishments:

* ``millesimes``: one row per vintage (date of the stock, year of the bands, demonstration or not, label, method);
* ``millesimes_indicateurs``: vintage × territory (every level) × famille × secteur × taille × hors_statistique →
  establishments, employers, estimated salariés and the largest establishment's estimate (for secrecy);
* ``millesimes_emploi_prive``: vintage × territory × activite_exclue → private employers and their estimated
  salariés (the denominator of the ESS share of private employment; by sector it would double the tables' size).

Rule of a rebuild, the one of the real SIRENE data (``esscore.build._keep_ess``): the vintages of real data are
carried from the database file being replaced into the new one; the vintage of the data being loaded replaces one of
the same date; demonstration vintages are generated again by each demonstration build (``esscore.demo_millesimes``)
and never carried, so real and demonstration figures are never mixed in one series.

Creations and closures come from the stock itself (``charger_mouvements``, run by the ingestion): every ESS
establishment, active or closed (state F), has its creation date; a closed one has the start date of its current
period, its closure in general. The historical file ``StockEtablissementHistorique`` gives the exact date of the
change of state (``charger_historique``). Tables ``fermes_ess`` (closed ESS establishments of the current stock) and
``mouvements_ess`` (creations and closures by commune, family, sector and year), kept by a rebuild like the other ESS
tables. What each source allows: esscore/ui/textes/methode.md (« Évolution »).
"""

from __future__ import annotations

import datetime as dt
import tempfile
import zipfile
from collections.abc import Callable, Mapping
from pathlib import Path

import duckdb
import pandas as pd

from esscore import ess
from esscore.config import db_path
from esscore.db import atomic_build, connect, query, sql, verrou_ecriture
from esscore.errors import DonneesInvalides, EssError
from esscore.fichiers import apercu, exiger_fichier
from esscore.labels import fmt_date, millesime_sirene

Progress = Callable[[str], None]
TABLES_MILLESIMES = ("millesimes", "millesimes_indicateurs", "millesimes_emploi_prive")  # carried by a rebuild
TABLE_DEMO = "millesimes_demo"  # factors of the demonstration vintages (esscore.demo_millesimes), never carried
TABLES_MOUVEMENTS = ("mouvements_ess", "fermes_ess")
TABLES = (*TABLES_MILLESIMES, TABLE_DEMO, *TABLES_MOUVEMENTS)
# Empty tables of a database without them (no ESS data, or built before vintages existed): every read finds them.
_SCHEMA: dict[str, str] = {
    "millesimes": "millesime VARCHAR, annee INTEGER, annee_effectifs INTEGER, demo BOOLEAN, libelle VARCHAR, "
                  "methode VARCHAR, couverture VARCHAR, date_ajout VARCHAR",
    "millesimes_indicateurs": "millesime VARCHAR, id VARCHAR, famille VARCHAR, secteur VARCHAR, taille VARCHAR, "
                              "hors_statistique BOOLEAN, etablissements BIGINT, employeurs BIGINT, salaries DOUBLE, "
                              "max_salaries DOUBLE",
    "millesimes_emploi_prive": "millesime VARCHAR, id VARCHAR, activite_exclue BOOLEAN, employeurs BIGINT, "
                               "salaries DOUBLE",
    "millesimes_demo": "millesime VARCHAR, finale VARCHAR, k INTEGER, famille VARCHAR, secteur VARCHAR, "
                       "f_comptes DOUBLE, f_salaries DOUBLE, f_prive DOUBLE, derive_max DOUBLE",
    "fermes_ess": "siret VARCHAR, commune VARCHAR, famille VARCHAR, secteur VARCHAR, hors_statistique BOOLEAN, "
                  "annee_creation INTEGER, annee_fermeture INTEGER, source_date VARCHAR",
    "mouvements_ess": "commune VARCHAR, famille VARCHAR, secteur VARCHAR, hors_statistique BOOLEAN, annee INTEGER, "
                      "creations BIGINT, fermetures BIGINT",
}  # fmt: skip
METHODE_STOCK = "stock Sirene chargé"
# Carrying the vintages of the file being replaced, table by table (esscore/sql/millesimes_reprise_*.sql).
_REPRISE = {"millesimes": "millesimes_reprise_liste", "millesimes_indicateurs": "millesimes_reprise_indicateurs",
            "millesimes_emploi_prive": "millesimes_reprise_emploi_prive"}  # fmt: skip
COLONNES_HISTORIQUE = ("siret", "dateDebut", "etatAdministratifEtablissement",
                       "changementEtatAdministratifEtablissement")  # fmt: skip


def creer_tables(con: duckdb.DuckDBPyConnection) -> None:
    """The five tables, empty when absent (a rebuild without ESS data, a file of an older version)."""
    for table, colonnes in _SCHEMA.items():
        con.execute(f"CREATE TABLE IF NOT EXISTS {table} ({colonnes})")


def cle(meta: Mapping[str, str]) -> str:
    """The vintage's key: the stock's date (ISO), else today's (a stock without any processing date)."""
    date = str(meta.get("date_stock") or "")[:10]
    try:
        return dt.date.fromisoformat(date).isoformat()
    except ValueError:
        return dt.date.today().isoformat()


def _annee_effectifs(meta: Mapping[str, str]) -> int | None:
    try:
        return int(str(meta.get("annee_effectifs") or "").strip())
    except ValueError:
        return None


def enregistrer(
    con: duckdb.DuckDBPyConnection, ancienne: Path | None, meta: Mapping[str, str], progress: Progress = print
) -> dict | None:
    """Build time, after the ESS tables: carry the real vintages of ``ancienne`` (the file being replaced), record the
    vintage of the data loaded (``meta``: ``ess``, ``date_stock``, ``annee_effectifs``) and, for the demonstration,
    its series of earlier vintages. Returns the provenance row of the demonstration series (else None)."""
    creer_tables(con)
    charge = meta.get("ess") in ("sirene", "demo")
    courant = cle(meta) if charge else None
    reprises = _reprendre(con, ancienne, courant, progress)
    if reprises:
        progress(f"… millésimes antérieurs conservés : {', '.join(reprises)}")
    if courant is None:
        return None
    demo = meta.get("ess") == "demo"
    ligne = {"millesime": courant, "annee": int(courant[:4]), "annee_effectifs": _annee_effectifs(meta), "demo": demo,
             "libelle": millesime_sirene(meta.get("date_stock"), meta.get("annee_effectifs")),
             "methode": "démonstration : stock généré" if demo else METHODE_STOCK,
             "couverture": _couverture(meta),
             "date_ajout": dt.datetime.now().isoformat(timespec="seconds")}  # fmt: skip
    ajouter_millesime(con, ligne)
    # A partial extract (one département) records only the territories it covers in full: never a France or
    # région figure computed from part of its communes (table territoires_partiels of the build).
    con.register("millesimes_exclus", _partiels(con))
    try:
        con.execute(sql("millesimes_courant_indicateurs"), {"millesime": courant})
        con.execute(sql("millesimes_courant_emploi_prive"), {"millesime": courant})
    finally:
        con.unregister("millesimes_exclus")
    if not demo:
        return None
    from esscore.demo_millesimes import generer  # its reference file is read only for the demonstration

    return generer(con, ligne, progress)


def _couverture(meta: Mapping[str, str]) -> str:
    """« France entière », or the départements a partial extract covers (meta of the build)."""
    if str(meta.get("perimetre_complet", "oui")).lower() in ("oui", "true", "") or meta.get("ess") == "demo":
        return "France entière"
    return f"départements {meta.get('departements_couverts', '')}".strip()


def _partiels(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Territories a partial extract does not cover in full (``territoires_partiels``, when the build made it)."""
    if not query(con, "table_existe", nom="territoires_partiels")["n"].iloc[0]:
        return pd.DataFrame({"id": pd.Series([], dtype="string")})
    return query(con, "millesimes_partiels")


def ajouter_millesime(con: duckdb.DuckDBPyConnection, ligne: Mapping[str, object]) -> None:
    """One row of ``millesimes`` (its key replaces a row of the same date)."""
    con.execute("DELETE FROM millesimes WHERE millesime = $m", {"m": ligne["millesime"]})
    frame = pd.DataFrame([dict(ligne)])
    con.register("millesime_df", frame)
    try:
        con.execute("INSERT INTO millesimes BY NAME SELECT * FROM millesime_df")
    finally:
        con.unregister("millesime_df")


def _reprendre(con: duckdb.DuckDBPyConnection, ancienne: Path | None, courant: str | None, progress: Progress) -> list:
    """Copy the real vintages of the old file, except ``courant`` (recomputed); return their keys."""
    if ancienne is None or not Path(ancienne).is_file():
        return []
    try:
        con.execute(f"ATTACH '{str(ancienne).replace(chr(39), chr(39) * 2)}' AS ancienne (READ_ONLY)")
    except duckdb.Error as err:
        progress(f"… millésimes antérieurs illisibles dans l'ancienne base ({apercu(str(err), 120)}) : non repris")
        return []
    try:
        presentes = {t for (t,) in con.execute(sql("millesimes_tables_anciennes")).fetchall()}
        if not set(TABLES_MILLESIMES) <= presentes:
            return []
        for table, requete in _REPRISE.items():
            colonnes = [definition.split()[0] for definition in _SCHEMA[table].split(", ")]
            con.execute(sql(requete), {"courant": courant, "colonnes": colonnes})
        return [m for (m,) in con.execute("SELECT millesime FROM millesimes ORDER BY millesime").fetchall()]
    finally:
        con.execute("DETACH ancienne")


# ---------------------------------------------------------------------------------------------- listing, removal


def liste(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every vintage of the database, oldest first, with its national totals (statistical perimeter, the figures the
    Évolution page reads: ``evolution.series``) and whether it is the vintage of the data the pages show
    (``courant``)."""
    from esscore.evolution import series  # the read side; this module is imported by the build

    frame = query(con, "millesimes_liste")
    colonnes = ["millesime", "etablissements", "etablissements_employeurs", "salaries_estimes"]
    if frame.empty or not query(con, "table_existe", nom="secret_territoires")["n"].iloc[0]:
        return frame.assign(**dict.fromkeys(colonnes[1:], None))
    return frame.merge(series(con, ["france:FR"])[colonnes], on="millesime", how="left")


def supprimer(millesime: str, db: str | Path | None = None, progress: Progress = print) -> pd.DataFrame:
    """``esscore millesimes --supprimer DATE``: remove one vintage (not the current one), atomically, under the
    writers' lock; returns the removed row."""
    from esscore.build import signaux_en_exception  # esscore.build imports this module

    target = db_path(db)
    with verrou_ecriture(target, progress), signaux_en_exception():
        with connect(target) as con:
            vus = liste(con)
        ligne = vus[vus["millesime"] == millesime]
        if ligne.empty:
            connus = ", ".join(vus["millesime"]) or "aucun"
            raise EssError(f"Option --supprimer : millésime « {apercu(millesime, 40)} » absent de la base "
                           f"(millésimes : {connus}). Donnez la date du stock au format AAAA-MM-JJ.")  # fmt: skip
        if bool(ligne["courant"].iloc[0]):
            raise EssError(f"Le millésime {millesime} est celui des chiffres affichés par l'application : il ne peut "
                           "pas être supprimé. Chargez d'abord un autre stock (esscore ingest sirene).")  # fmt: skip
        atomic_build(target, lambda c: [c.execute(sql(n), {"millesime": millesime}) for n in _SUPPRESSION],
                     modifier=True)  # fmt: skip
    return ligne.reset_index(drop=True)


_SUPPRESSION = (
    "millesimes_supprimer_indicateurs",
    "millesimes_supprimer_emploi_prive",
    "millesimes_supprimer_demo",
    "millesimes_supprimer_liste",
)


# ---------------------------------------------------------------------------------------------- creations, closures


def _colonne(nom: str, colonnes: set[str]) -> str:
    """A column of the file as it is typed there (converted after the ESS rows are picked), NULL when absent."""
    return f'"{nom}"' if nom in colonnes else "CAST(NULL AS VARCHAR)"


def charger_mouvements(con: duckdb.DuckDBPyConnection, relation: str, colonnes: set[str]) -> int:
    """Ingestion: ``fermes_ess`` and ``mouvements_ess`` from the stock being read (``relation``, its ``colonnes``),
    with the legal units the ingestion selected (``ul_sel``) and its reference tables; returns the number of closed
    ESS establishments. Family, sector and statistical exclusions follow the ingestion's rules."""
    champs = {"siren": "siren", "siret": "siret", "etat": "etatAdministratifEtablissement",
              "date_creation": "dateCreationEtablissement", "date_debut": "dateDebut",
              "code_commune": "codeCommuneEtablissement", "ape": "activitePrincipaleEtablissement",
              "nomenclature": "nomenclatureActivitePrincipaleEtablissement"}  # fmt: skip
    projection = ", ".join(f"{_colonne(source, colonnes)} AS {nom}" for nom, source in champs.items())
    con.execute(f"CREATE OR REPLACE TEMP VIEW stock_mouvements AS SELECT {projection} FROM {relation}")
    exclusions = ess.EXCLUSIONS_STATISTIQUES
    con.execute(sql("mouvements_lignes"), {"divisions_exclues": [c for c in exclusions if len(c) == 2],
                                           "codes_exclus": [c for c in exclusions if len(c) > 2],
                                           "scess": ess.SOCIETES_COMMERCIALES})  # fmt: skip
    if con.execute("SELECT count(siret) - count(DISTINCT siret) FROM mouvements_lignes").fetchall()[0][0]:
        con.execute(sql("mouvements_dedoublonner"))  # rare: a sort of every ESS line costs a second nationally
    con.execute(sql("mouvements_fermes"))
    con.execute(sql("mouvements_creations"))
    con.execute(sql("mouvements_agreger"))
    n = con.execute("SELECT count(*) FROM fermes_ess").fetchall()[0][0]
    con.execute("DROP VIEW stock_mouvements; DROP TABLE mouvements_lignes; DROP TABLE mouvements_creations")
    return int(n)


def charger_historique(chemin: str | Path, db: str | Path | None = None, progress: Progress = print) -> dict:
    """``esscore mouvements --historique FICHIER``: exact closure years of the closed ESS establishments from the
    historical file (the last change of state to F), written atomically; returns counts for the report."""
    from esscore.build import signaux_en_exception  # esscore.build imports this module

    fichier = exiger_fichier(chemin, "fichier historique des établissements (--historique)")
    target = db_path(db)
    with verrou_ecriture(target, progress), signaux_en_exception():
        with connect(target) as con:
            if not con.execute("SELECT count(*) FROM fermes_ess").fetchall()[0][0]:
                raise EssError("La base ne contient aucun établissement de l'ESS fermé : chargez d'abord un stock "
                               "Sirene (esscore ingest sirene), puis le fichier historique.")  # fmt: skip
        compte: dict[str, int] = {}
        with tempfile.TemporaryDirectory(prefix="ess-historique-") as tmp:
            relation = _relation_historique(fichier, Path(tmp))

            def appliquer(con: duckdb.DuckDBPyConnection) -> None:
                con.execute(f"CREATE OR REPLACE TEMP VIEW historique_etablissements AS SELECT * FROM {relation}")
                _verifier_historique(con, fichier)
                progress("… fichier historique : dates de changement d'état des établissements fermés de l'ESS")
                for nom in ("mouvements_creations_reprise", "mouvements_historique", "mouvements_agreger"):
                    con.execute(sql(nom))
                compte.update(dict(con.execute(sql("mouvements_datation")).fetchall()))

            atomic_build(target, appliquer, modifier=True)
    return compte


def _relation_historique(fichier: Path, dossier: Path) -> str:
    """A DuckDB relation reading the historical file: parquet, CSV, or the CSV inside a .zip (extracted)."""
    with fichier.open("rb") as fh:
        tete = fh.read(4)
    if tete[:2] == b"PK":
        with zipfile.ZipFile(fichier) as zf:
            membres = [m for m in zf.namelist() if m.lower().endswith(".csv")]
            if len(membres) != 1:
                raise DonneesInvalides(f"Archive « {apercu(fichier.name)} » : un seul fichier .csv attendu, "
                                       f"{len(membres)} trouvé(s).")  # fmt: skip
            fichier = Path(zf.extract(membres[0], dossier))
    chemin = str(fichier).replace("'", "''")
    if tete == b"PAR1":
        return f"read_parquet('{chemin}')"
    return f"read_csv('{chemin}', header=true, all_varchar=true, delim=',', quote='\"', escape='\"')"


def _verifier_historique(con: duckdb.DuckDBPyConnection, fichier: Path) -> None:
    """The columns the closure dates need, else a French message naming the missing ones."""
    try:
        colonnes = {r[0] for r in con.execute("DESCRIBE SELECT * FROM historique_etablissements").fetchall()}
    except duckdb.Error as err:
        raise DonneesInvalides(
            f"Fichier historique « {apercu(fichier.name)} » illisible ({apercu(str(err), 200)}) : "
            "donnez StockEtablissementHistorique_utf8 (parquet, CSV ou CSV zippé)."
        ) from None
    manquantes = [c for c in COLONNES_HISTORIQUE if c not in colonnes]
    if manquantes:
        raise DonneesInvalides(f"Fichier historique « {apercu(fichier.name)} » : colonne(s) absente(s) : "
                               f"{', '.join(manquantes)}. Donnez le fichier StockEtablissementHistorique de l'INSEE "
                               "sans renommer ses colonnes.")  # fmt: skip


def libelle_millesime(millesime: str, annee_effectifs: object = None) -> str:
    """« stock Sirene au 30 novembre 2025 (effectifs 2023) »: how a vintage is named to a user."""
    texte = f"stock Sirene au {fmt_date(millesime)}"
    return f"{texte} (effectifs {annee_effectifs})" if annee_effectifs not in (None, "") else texte
