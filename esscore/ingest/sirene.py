"""Ingestion of the INSEE SIRENE stock files (parquet, CSV, or CSV inside a .zip) into ESS tables.

Bounded memory: only the columns needed are read; legal units are reduced to ESS candidates and
public bodies before the establishment scan; non-ESS establishments survive only as commune × sector
employment aggregates (the denominator of the ESS share of private employment).

Every oddity of the files is counted in the ingestion report, never silently absorbed: establishments
abroad or with an unknown commune code, duplicated SIRET / SIREN lines (each establishment and each legal
unit is counted once), coordinates that are unreadable or fall outside their territory (position removed,
establishment kept).
"""

from __future__ import annotations

import codecs
import errno
import re
import tempfile
import time
import uuid
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
from pyproj import Transformer

from esscore import ess
from esscore.errors import DonneesInvalides, EssError
from esscore.fichiers import apercu, exiger_fichier
from esscore.ingest import dispositions
from esscore.labels import fmt_int
from esscore.millesimes import charger_mouvements
from esscore.sirene_schema import (
    ETABLISSEMENT_COLUMNS,
    ETABLISSEMENT_REQUIRED,
    UNITE_LEGALE_COLUMNS,
    UNITE_LEGALE_REQUIRED,
)

Progress = Callable[[str], None]
PERIMETRES = ("statistique", "legal")
MAX_ZIP_RATIO = 60  # real SIRENE CSV zips compress ~4x; far beyond that is a zip bomb
MAX_UNZIPPED_BYTES = 40 * 10**9
MEMORY_LIMIT = "3GB"
ESS_TABLES = (
    "etablissements_ess",
    "ess_cube",
    "emploi_prive",
    "indicateurs",
    "ingestion_rapport",
    "departements_couverts",
)

ETAB_OPTIONAL = (
    "nic", "denominationUsuelleEtablissement", "enseigne1Etablissement", "codePaysEtrangerEtablissement",
    "coordonneeLambertAbscisseEtablissement", "coordonneeLambertOrdonneeEtablissement",
    "nomenclatureActivitePrincipaleEtablissement", "activitePrincipaleNAF25Etablissement",
    "libelleCommuneEtablissement", "etablissementSiege", "dateCreationEtablissement",
)  # fmt: skip
UL_OPTIONAL = ("statutDiffusionUniteLegale", "denominationUniteLegale", "sigleUniteLegale",
               "identifiantAssociationUniteLegale", "etatAdministratifUniteLegale",
               "dateDernierTraitementUniteLegale")  # fmt: skip

# Extent of each territory, by the projected CRS its SIRENE coordinates are in (``ess.epsg_for_departement``):
# (west, south, east, north) in degrees. Source: EPSG area of use of the CRS's geodetic datum, « onshore and
# offshore » (pyproj ``CRS.from_epsg(n).geodetic_crs.area_of_use``, PROJ 9.5 database; a test keeps them in
# step). The datum's area, not the projected CRS's: EPSG:2972 (UTM 22N) stops at 54° W, which would cut off
# Saint-Laurent-du-Maroni, and EPSG:5490 at 60° W, yet INSEE uses them for all of Guyane and the Antilles.
EMPRISES: dict[int, tuple[float, float, float, float, str]] = {
    2154: (-9.86, 41.15, 10.38, 51.56, "France métropolitaine et Corse (RGF93, EPSG:4171)"),
    5490: (-63.66, 14.08, -57.52, 18.53, "Antilles : Guadeloupe, Martinique, Saint-Barthélemy, Saint-Martin "
                                         "(RGAF09, EPSG:5489)"),
    2972: (-54.61, 2.11, -49.45, 8.88, "Guyane (RGFG95, EPSG:4624)"),
    2975: (51.83, -24.72, 58.24, -18.28, "La Réunion (RGR92, EPSG:4627)"),
    4471: (43.68, -14.49, 46.7, -11.33, "Mayotte (RGM04, EPSG:4470)"),
    4467: (-57.1, 43.41, -55.9, 47.37, "Saint-Pierre-et-Miquelon (RGSPM06, EPSG:4463)"),
}  # fmt: skip
ARGUMENTS = {"etab": "--etablissements", "ul": "--unites-legales", "joint": "--fichier-sirene-fr"}
# Which départements the data covers (``departements_couverts``): those where the files place establishments
# (« donnees », any real file: a national stock covers them all, a sirene.fr export or a geo-sirene file a few), or
# every one (« nationale »: the demonstration, generated for all of France; the tests' miniature national stock).
COUVERTURES = ("donnees", "nationale")


@contextmanager
def readable(path: Path, kind: str, workdir: Path) -> Iterator[tuple[str, Path]]:
    """Yield (format, path DuckDB can read): a .zip's CSV member is extracted with a size guard."""
    label = _label(kind)
    path = exiger(path, kind)
    if path.stat().st_size == 0:
        raise DonneesInvalides(f"Fichier {label} vide : « {_nom(path)} ». Téléchargez-le de nouveau.")
    try:
        with path.open("rb") as fh:
            head = fh.read(4)
    except OSError as err:
        raise DonneesInvalides(
            f"Fichier {label} « {_nom(path)} » illisible ({apercu(err.strerror or type(err).__name__)}) : "
            "vérifiez les droits du fichier."
        ) from None
    if head == b"PAR1":
        yield "parquet", path
        return
    if head[:2] == b"PK":
        yield "csv", _extract_zip(path, kind, workdir)
        return
    if path.suffix.lower() in (".parquet", ".zip", ".gz") and head[:2] != dispositions.GZIP:
        raise DonneesInvalides(
            f"Fichier {label} illisible : « {_nom(path)} » n'est pas un {apercu(path.suffix, 20)} valide (fichier "
            "tronqué ou corrompu ?). Téléchargez-le de nouveau depuis data.gouv.fr."
        )
    yield "csv", path


def exiger(path: str | Path, kind: str) -> Path:
    """``path`` if it is an existing regular file; else a French error naming the argument (folder, missing)."""
    quoi = "fichier sirene.fr" if kind == "joint" else f"fichier stock {_label(kind)}"
    try:
        return exiger_fichier(path, f"{quoi} ({ARGUMENTS[kind]})")
    except EssError as err:
        raise DonneesInvalides(str(err)) from None


def _nom(path: Path) -> str:
    """File name as quoted in a message (bounded, printable)."""
    return apercu(path.name, 120)


def _extract_zip(path: Path, kind: str, workdir: Path) -> Path:
    label, nom = _label(kind), _nom(path)
    try:
        with zipfile.ZipFile(path) as zf:
            members = [m for m in zf.infolist() if m.filename.lower().endswith(".csv")]
            if len(members) != 1:
                raise DonneesInvalides(
                    f"Archive {label} « {nom} » : un seul fichier .csv attendu, {len(members)} trouvé(s)."
                )
            member = members[0]
            ratio = member.file_size / max(member.compress_size, 1)
            if member.file_size > MAX_UNZIPPED_BYTES or ratio > MAX_ZIP_RATIO:
                raise DonneesInvalides(
                    f"Archive {label} « {nom} » refusée : « {apercu(member.filename)} » se décompresse en "
                    f"{member.file_size / 1e9:.1f} Go (taux {ratio:.0f}:1), anormal pour un fichier SIRENE."
                )
            target = workdir / f"{kind}.csv"  # one name per kind: two archives never overwrite each other
            written = 0
            with zf.open(member) as src, target.open("wb") as dst:
                while chunk := src.read(1 << 20):
                    written += len(chunk)
                    if written > member.file_size:
                        raise DonneesInvalides(f"Archive {label} « {nom} » incohérente (taille annoncée fausse).")
                    dst.write(chunk)
            return target
    except (zipfile.BadZipFile, EOFError, zipfile.LargeZipFile, OSError) as err:
        if isinstance(err, DonneesInvalides):
            raise
        if isinstance(err, OSError) and err.errno == errno.ENOSPC:
            raise DonneesInvalides(
                f"Archive {label} « {nom} » : espace disque insuffisant pour la décompresser dans "
                f"« {apercu(str(workdir), 200)} ». Libérez de la place ou donnez le fichier parquet."
            ) from None
        raise DonneesInvalides(
            f"Archive {label} illisible : « {nom} » ({apercu(str(err), 200)}). Fichier tronqué ? "
            "Téléchargez-le de nouveau."
        ) from err


def _label(kind: str) -> str:
    return {"etab": "des établissements", "joint": "sirene.fr"}.get(kind, "des unités légales")


def _relation(fmt: str, path: Path, separateur_libre: bool = False) -> str:
    """DuckDB table expression of a file. CSV: gzip read as such (geo-sirene ``.csv.gz``); the separator is the
    comma of the INSEE files, or, for a sirene.fr export (``separateur_libre``), the one of its header line (a
    re-save by a spreadsheet writes semicolons)."""
    p = str(path).replace("'", "''")
    if fmt == "parquet":
        return f"read_parquet('{p}')"
    separateur, compression = dispositions.dialecte(path)
    separateur = separateur if separateur_libre else ","
    return (
        f"read_csv('{p}', header=true, all_varchar=true, delim='{separateur}', quote='\"', escape='\"', "
        f"compression='{compression}', sample_size=20480, max_line_size=1048576)"
    )


def _columns(con: duckdb.DuckDBPyConnection, relation: str, path: Path, kind: str) -> set[str]:
    try:
        return {row[0] for row in con.execute(f"DESCRIBE SELECT * FROM {relation}").fetchall()}
    except duckdb.Error as err:
        raise _explain(err, path, kind) from err


def _starts_as_utf8(path: Path) -> bool:
    """True when the first MiB of ``path`` decodes as UTF-8 (a character cut at the end is fine)."""
    try:
        with path.open("rb") as fh:
            codecs.getincrementaldecoder("utf-8")().decode(fh.read(1 << 20), final=False)
    except (UnicodeDecodeError, OSError):
        return False
    return True


def _explain(err: Exception, path: Path, kind: str) -> DonneesInvalides:
    text = str(err)
    label = _label(kind)
    # DuckDB's "could not sniff the dialect" message always lists "Encoding: utf-8": check the bytes ourselves.
    sniff = "sniffing" in text or "parsing dialect" in text
    if "Invalid unicode" in text or "not utf-8 encoded" in text or (sniff and not _starts_as_utf8(path)):
        return DonneesInvalides(
            f"Fichier {label} « {_nom(path)} » : encodage non UTF-8. Utilisez les fichiers « _utf8 » publiés "
            "par l'INSEE ou réenregistrez le fichier en UTF-8."
        )
    if sniff or "CSV Error on Line" in text:
        line = re.search(r"CSV Error on Line: (\d+)", text)
        where = f", ligne {line.group(1)}" if line else ""
        return DonneesInvalides(
            f"Fichier {label} « {_nom(path)} »{where} : CSV mal formé (guillemet non fermé, nombre de colonnes "
            "variable ou séparateur autre que la virgule). Téléchargez de nouveau le fichier stock SIRENE "
            "(CSV UTF-8 séparé par des virgules, avec en-tête) ou sa version parquet."
        )
    if "magic" in text.lower() or "parquet" in text.lower() or "footer" in text.lower():
        return DonneesInvalides(
            f"Fichier {label} « {_nom(path)} » illisible (parquet tronqué ou corrompu). Téléchargez-le de nouveau."
        )
    first = apercu(text.splitlines()[0], 300) if text else type(err).__name__
    return DonneesInvalides(
        f"Fichier {label} « {_nom(path)} » illisible : {first}. Vérifiez qu'il s'agit du fichier stock SIRENE "
        "(CSV séparé par des virgules, avec en-tête, ou parquet)."
    )


def check_columns(found: set[str], path: Path, kind: str) -> None:
    """Required columns present, and the right file given (not the legal-units file swapped in)."""
    required, other = (
        (ETABLISSEMENT_REQUIRED, UNITE_LEGALE_COLUMNS)
        if kind == "etab"
        else (UNITE_LEGALE_REQUIRED, ETABLISSEMENT_COLUMNS)
    )
    missing = [c for c in required if c not in found]
    if not missing:
        return
    own = ETABLISSEMENT_COLUMNS if kind == "etab" else UNITE_LEGALE_COLUMNS
    if len(found) == 1 and any(sep in next(iter(found)) for sep in (";", "\t", "|")):
        raise DonneesInvalides(
            f"Fichier {_label(kind)} « {_nom(path)} » : une seule colonne lue, le séparateur n'est pas la virgule "
            "(point-virgule ou tabulation ?). Utilisez le fichier stock SIRENE tel que publié par l'INSEE."
        )
    if len(found & set(other)) > len(found & set(own)):
        expected = "--etablissements StockEtablissement" if kind == "etab" else "--unites-legales StockUniteLegale"
        raise DonneesInvalides(
            f"Le fichier « {_nom(path)} » donné comme fichier {_label(kind)} semble être l'autre fichier SIRENE. "
            f"Inversez les arguments (attendu : {expected}…)."
        )
    raise DonneesInvalides(
        f"Fichier {_label(kind)} « {_nom(path)} » : colonne(s) obligatoire(s) absente(s) : {', '.join(missing)}. "
        "Utilisez le fichier stock SIRENE complet (format 3.11) sans renommer les colonnes."
    )


def _check_rows(con: duckdb.DuckDBPyConnection, relation: str, path: Path, kind: str) -> None:
    """Refuse a header-only file (interrupted download, empty export): it would replace real data by nothing."""
    try:
        empty = not con.execute(f"SELECT 1 FROM {relation} LIMIT 1").fetchall()
    except duckdb.Error as err:
        raise _explain(err, path, kind) from err
    if empty:
        raise DonneesInvalides(
            f"Fichier {_label(kind)} « {_nom(path)} » : aucune ligne de données (en-tête seul). Fichier tronqué ou "
            f"export vide ? Téléchargez-le de nouveau depuis {'sirene.fr' if kind == 'joint' else 'data.gouv.fr'}."
        )


def _col(name: str, found: set[str]) -> str:
    return f'CAST("{name}" AS VARCHAR)' if name in found else "CAST(NULL AS VARCHAR)"


def _charger(lecture: Callable[[], int], fichier: Path, kind: str) -> int:
    """Run one file's load step; a DuckDB error becomes the French message naming that file."""
    try:
        return lecture()
    except duckdb.Error as err:
        raise _explain(err, fichier, kind) from err


def _dire_doublons(progress: Progress, quoi: str, n: int, cle: str, unite: str) -> None:
    if n:
        progress(f"… {quoi} : {_n(n)} ligne(s) en double (même {cle}) ignorée(s), {unite} une fois")


def load_sirene(
    con: duckdb.DuckDBPyConnection,
    etablissements: Path,
    unites_legales: Path | None = None,
    perimetre: str = "statistique",
    progress: Progress = print,
    workdir: Path | None = None,
    cooperatives: pd.DataFrame | None = None,
    couverture: str = "donnees",
) -> dict:
    """Create the ESS tables in ``con`` (which already holds the geography); return the report.

    ``unites_legales`` None (or the same file as ``etablissements``): a sirene.fr export, establishments joined
    with their legal units. ``cooperatives``: legal units whose family is given by a reference list
    (``ingest.cooperatives``). ``couverture``: how the covered départements are decided (``COUVERTURES``).
    """
    if perimetre not in PERIMETRES:
        raise DonneesInvalides(f"Périmètre inconnu : « {apercu(perimetre)} ». Valeurs possibles : statistique, legal.")
    joint = unites_legales is None or dispositions.meme_fichier(Path(etablissements), Path(unites_legales))
    etablissements = exiger(etablissements, "joint" if joint else "etab")
    unites_legales = etablissements if joint else exiger(unites_legales, "ul")  # type: ignore[arg-type]
    t0 = time.perf_counter()
    _bound_memory(con, workdir)
    # ess- prefix: a killed ingestion's leftovers are swept at the next start-up (zip extraction only).
    with tempfile.TemporaryDirectory(prefix="ess-sirene-", dir=workdir) as tmp:
        with _ouvrir(con, etablissements, unites_legales, joint, Path(tmp)) as e:
            _reference_tables(con, cooperatives)
            progress("… unités légales : sélection des candidates ESS et des organismes publics")
            siren_doubles = _charger(lambda: _load_ul(con, e.ul_rel, e.ul_cols), e.ul_file, e.ul_kind)
            _dire_doublons(progress, "unités légales", siren_doubles, "SIREN", "chaque unité comptée")
            reclassement = _reclassement(con, progress) if cooperatives is not None else {}
            progress("… établissements : lecture, rattachement communal, familles, effectifs")
            siret_doubles = _charger(lambda: _load_etab(con, e.et_rel, e.et_cols), e.et_file, e.et_kind)
            _dire_doublons(progress, "établissements", siret_doubles, "SIRET", "chaque établissement compté")
            sans_ul = _charger(lambda: _sans_unite_legale(con, e.ul_rel), e.ul_file, e.ul_kind)
            # Creations and closures: the ESS rows of the stock, active and closed (issue 19, esscore.millesimes).
            _charger(lambda: charger_mouvements(con, e.et_rel, e.et_cols), e.et_file, e.et_kind)
            if sans_ul:
                progress(f"… établissements : {_n(sans_ul)} employeur(s) dont l'unité légale manque au fichier des "
                         "unités légales, écarté(s) de tous les chiffres (liste dans le rapport)")  # fmt: skip
    geo = dispositions.geolocalise(e.et_cols)
    progress("… coordonnées : longitude et latitude du fichier (WGS84), sinon Lambert-93 / UTM → WGS84" if geo
             else "… coordonnées : Lambert-93 / UTM → WGS84")  # fmt: skip
    hors_emprise, wgs84 = _project_coordinates(con)
    if hors_emprise:
        progress(f"… coordonnées : {_n(hors_emprise)} position(s) illisible(s) ou hors du territoire retirée(s) "
                 "(établissements gardés et comptés, sans position)")  # fmt: skip
    perimetre_donnees = {**_departements_couverts(con, couverture, progress), **_sans_autre_employeur(con, progress)}
    progress("… indicateurs de tous les territoires")
    _aggregate(con)
    doubles = {"siret_en_double": siret_doubles, "siren_en_double": siren_doubles,
               "ess_position_hors_emprise": hors_emprise, **reclassement, "disposition": e.disposition,
               "positions_wgs84_du_fichier": wgs84, **perimetre_donnees}  # fmt: skip
    report = _report(con, perimetre, time.perf_counter() - t0, doubles)
    con.execute("DROP TABLE IF EXISTS ul_sel; DROP TABLE IF EXISTS etab_sel; DROP TABLE IF EXISTS cooperatives_ref;")
    con.execute("DROP TABLE IF EXISTS ul_fichier")
    return report


@dataclass(frozen=True)
class _Entrees:
    """The files given, as DuckDB relations with their columns, and the argument each came from (``kind``: the
    messages name it). For a joined sirene.fr export both halves are read from the same file."""

    et_rel: str
    et_cols: set[str]
    et_file: Path
    et_kind: str
    ul_rel: str
    ul_cols: set[str]
    ul_file: Path
    ul_kind: str
    disposition: str


@contextmanager
def _ouvrir(
    con: duckdb.DuckDBPyConnection, etablissements: Path, unites_legales: Path, joint: bool, tmp: Path
) -> Iterator[_Entrees]:
    """Open and check the files (layout from the header, required columns, at least one row) before any load."""
    if joint:
        with readable(etablissements, "joint", tmp) as (fmt, path):
            rel = _relation(fmt, path, separateur_libre=True)
            cols = _columns(con, rel, path, "joint")
            dispositions.verifier_fichier_joint(cols, _nom(etablissements))
            _check_rows(con, rel, etablissements, "joint")
            # Legal units read once from the file (re-read by the establishment steps otherwise): a temp table.
            requete, ul_cols = dispositions.requete_unites_legales(rel, cols)
            try:
                con.execute(f"CREATE OR REPLACE TEMP TABLE ul_fichier AS {requete}")
            except duckdb.Error as err:
                raise _explain(err, etablissements, "joint") from err
            yield _Entrees(rel, cols, etablissements, "joint", "ul_fichier", ul_cols, etablissements, "joint",
                           dispositions.libelle(cols, joint=True))  # fmt: skip
        return
    with (
        readable(unites_legales, "ul", tmp) as (ul_fmt, ul_path),
        readable(etablissements, "etab", tmp) as (et_fmt, et_path),
    ):
        ul_rel, et_rel = _relation(ul_fmt, ul_path), _relation(et_fmt, et_path)
        ul_cols = _columns(con, ul_rel, ul_path, "ul")
        et_cols = _columns(con, et_rel, et_path, "etab")
        check_columns(ul_cols, unites_legales, "ul")
        check_columns(et_cols, etablissements, "etab")
        _check_rows(con, ul_rel, unites_legales, "ul")
        _check_rows(con, et_rel, etablissements, "etab")
        yield _Entrees(et_rel, et_cols, etablissements, "etab", ul_rel, ul_cols, unites_legales, "ul",
                       dispositions.libelle(et_cols, joint=False))  # fmt: skip


def _sans_autre_employeur(con: duckdb.DuckDBPyConnection, progress: Progress) -> dict[str, int]:
    """Count the private employers outside the ESS; warn when there is none: an export filtered on the ESS (legal
    categories, activities) lacks the denominator, and the ESS share of private employment would read 100 %."""
    autres, ess_employeurs = con.execute("""
        SELECT count(*) FILTER (WHERE famille IS NULL AND employeur AND NOT public AND NOT sans_unite_legale),
               count(*) FILTER (WHERE famille IS NOT NULL AND employeur)
        FROM etab_sel
    """).fetchall()[0]
    if ess_employeurs and not autres:
        progress("… attention : aucun employeur privé hors de l'ESS dans le fichier. S'il a été filtré sur l'ESS "
                 "(catégories juridiques, activités), la part de l'ESS dans l'emploi privé est fausse : refaites "
                 "l'export sur tout le territoire, sans ce filtre")  # fmt: skip
    return {"employeurs_prives_hors_ess": int(autres)}


def _departements_couverts(con: duckdb.DuckDBPyConnection, couverture: str, progress: Progress) -> dict[str, str]:
    """Create ``departements_couverts``: the départements the data covers (``COUVERTURES``); return its report keys.

    A territory reaching beyond them (région, France, an EPCI across a border) gets partial figures: the build marks
    it (``esscore/sql/construction/territoires_partiels.sql``) and every page, the CLI and the JSON say so.
    """
    if couverture not in COUVERTURES:
        raise ValueError(couverture)
    source = "SELECT code AS departement FROM departements" if couverture == "nationale" else (
        "SELECT DISTINCT c.departement FROM etab_sel s JOIN communes c ON c.code = s.commune "
        "JOIN departements d ON d.code = c.departement")  # fmt: skip
    con.execute(f"CREATE OR REPLACE TABLE departements_couverts AS {source}")
    codes, total = con.execute(
        "SELECT list(departement ORDER BY departement), (SELECT count(*) FROM departements) FROM departements_couverts"
    ).fetchall()[0]
    codes = codes or []
    complet = len(codes) == total
    if not complet:
        progress(f"… périmètre : extrait couvrant {_n(len(codes))} département(s) sur {_n(total)} "
                 f"({', '.join(codes[:12])}{' …' if len(codes) > 12 else ''}) : les territoires qui en débordent "
                 "(région, France, EPCI à cheval) seront marqués « partiel »")  # fmt: skip
    return {"perimetre_complet": "oui" if complet else "non", "departements_couverts": ",".join(codes)}


def _n(n: int) -> str:
    return fmt_int(n)


def _bound_memory(con: duckdb.DuckDBPyConnection, workdir: Path | None) -> None:
    """Bounded memory on national files: DuckDB spills joins, windows and aggregates to disk.

    The spill folder must outlive every later query on ``con`` (DuckDB fails on a spill folder deleted
    under it), so it is not a ``TemporaryDirectory``: DuckDB creates it on first spill and removes it when
    the connection closes. Its ``ess-`` prefix lets the start-up sweep remove it after a killed build.
    """
    spill = str(Path(workdir or tempfile.gettempdir()) / f"ess-duckdb-{uuid.uuid4().hex[:12]}").replace("'", "''")
    try:
        con.execute(f"SET temp_directory = '{spill}'")
    except duckdb.Error:
        pass  # the connection already spilled to its own folder: keep it
    con.execute(f"SET memory_limit = '{MEMORY_LIMIT}'")
    con.execute("SET preserve_insertion_order = false")


def _reference_tables(con: duckdb.DuckDBPyConnection, cooperatives: pd.DataFrame | None = None) -> None:
    con.register("cj_df", pd.DataFrame(list(ess.CJ_FAMILLES.items()), columns=["cj", "famille"]))
    con.register("sect_df", pd.DataFrame(ess.secteur_table(), columns=["division", "secteur"]))
    bandes = pd.DataFrame(ess.tranches_table(), columns=["tranche", "tranche_libelle", "milieu", "taille"])
    con.register("tr_df", bandes)
    coop = cooperatives if cooperatives is not None else pd.DataFrame({"siren": [], "famille": []}, dtype="string")
    con.register("coop_df", coop)
    con.execute("""
        CREATE OR REPLACE TEMP TABLE cj_familles AS SELECT * FROM cj_df;
        CREATE OR REPLACE TEMP TABLE secteurs_naf AS SELECT * FROM sect_df;
        CREATE OR REPLACE TABLE tranches AS SELECT * FROM tr_df;
        CREATE OR REPLACE TEMP TABLE cooperatives_ref AS
          SELECT CAST(siren AS VARCHAR) AS siren, CAST(famille AS VARCHAR) AS famille FROM coop_df;
    """)
    for name in ("cj_df", "sect_df", "tr_df", "coop_df"):
        con.unregister(name)


# Family by legal category, else a commercial company of the ESS for a flagged private commercial or civil form.
_SCESS_SQL = ess.SOCIETES_COMMERCIALES.replace("'", "''")
_FAMILLE_PAR_REGLE = (
    "CASE WHEN f.famille IS NOT NULL THEN f.famille "
    f"WHEN u.ess_flag = 'O' AND left(u.cj, 1) IN ('5', '6') THEN '{_SCESS_SQL}' END"
)


def _load_ul(con: duckdb.DuckDBPyConnection, rel: str, cols: set[str]) -> int:
    """Create ``ul_sel``, one row per SIREN; return the number of duplicated lines dropped."""
    # Keep ESS candidates (family by CJ, or ESS flag on a private form) and public bodies (4xxx/7xxx),
    # so the establishment scan can tell ESS, public and other private employers apart.
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE ul_sel AS
        WITH u AS (
          SELECT CAST(siren AS VARCHAR) AS siren,
                 lpad(regexp_replace(CAST(categorieJuridiqueUniteLegale AS VARCHAR), '\\.0$', ''), 4, '0') AS cj,
                 upper(trim({_col("economieSocialeSolidaireUniteLegale", cols)})) AS ess_flag,
                 {_col("statutDiffusionUniteLegale", cols)} AS diffusion_ul,
                 coalesce(nullif({_col("denominationUniteLegale", cols)}, ''),
                          nullif({_col("sigleUniteLegale", cols)}, '')) AS denomination,
                 {_col("identifiantAssociationUniteLegale", cols)} AS rna,
                 upper(trim({_col("etatAdministratifUniteLegale", cols)})) AS etat_ul,
                 replace({_col("dateDernierTraitementUniteLegale", cols)}, 'T', ' ') AS traitement_ul
          FROM {rel}
        )
        SELECT u.siren, u.cj, u.diffusion_ul, u.denomination, u.rna, u.ess_flag, u.etat_ul, u.traitement_ul,
               CASE WHEN left(u.cj, 1) IN ('4', '7') THEN NULL
                    WHEN r.famille IS NOT NULL THEN r.famille
                    ELSE {_FAMILLE_PAR_REGLE} END AS famille,
               CASE WHEN left(u.cj, 1) IN ('4', '7') THEN NULL ELSE {_FAMILLE_PAR_REGLE} END AS famille_regle,
               left(u.cj, 1) IN ('4', '7') AS public
        FROM u LEFT JOIN cj_familles f ON f.cj = u.cj LEFT JOIN cooperatives_ref r ON r.siren = u.siren
        WHERE f.famille IS NOT NULL OR u.ess_flag = 'O' OR left(u.cj, 1) IN ('4', '7') OR r.siren IS NOT NULL
    """)
    # A SIREN given twice would double every establishment of the unit in the join below: keep the active
    # line, then the latest processed, then (identical dates) the one with the smallest content hash.
    return _deduplicate(con, "ul_sel", "siren", "etat_ul = 'A' DESC NULLS LAST, traitement_ul DESC NULLS LAST")


def _reclassement(con: duckdb.DuckDBPyConnection, progress: Progress) -> dict[str, int]:
    """What the ``--cooperatives`` list changed: listed, reclassified, unchanged, public, not found."""
    n = con.execute("""
        SELECT (SELECT count(*) FROM cooperatives_ref),
               count(*) FILTER (WHERE NOT u.public AND u.famille IS DISTINCT FROM u.famille_regle),
               count(*) FILTER (WHERE NOT u.public AND u.famille IS NOT DISTINCT FROM u.famille_regle),
               count(*) FILTER (WHERE u.public),
               (SELECT count(*) FROM cooperatives_ref r ANTI JOIN ul_sel s USING (siren))
        FROM ul_sel u JOIN cooperatives_ref r USING (siren)
    """).fetchall()[0]
    cles = ("cooperatives_listees", "cooperatives_reclassees", "cooperatives_deja_classees",
            "cooperatives_publiques_ignorees", "cooperatives_introuvables")  # fmt: skip
    rapport = dict(zip(cles, map(int, n), strict=True))
    progress(f"… liste de coopératives : {_n(rapport['cooperatives_reclassees'])} unité(s) légale(s) reclassée(s) sur "
             f"{_n(rapport['cooperatives_listees'])} listée(s) ({_n(rapport['cooperatives_introuvables'])} "
             "introuvable(s) dans le fichier des unités légales)")  # fmt: skip
    return rapport


def _deduplicate(con: duckdb.DuckDBPyConnection, table: str, key: str, order: str) -> int:
    """Keep one row per ``key`` in ``table`` (``order`` first, then a content hash: deterministic whatever
    the line order of the file); return the number of rows dropped.

    Done on the selected rows (ESS candidates, employers, public bodies: a few million at most) rather
    than on the whole national file, which would cost a full sort of 40 million lines: a duplicate whose
    lines differ on the selection itself (employer on one line, not on the other) is resolved among the
    selected lines only.
    """
    doubles = con.execute(f"SELECT count({key}) - count(DISTINCT {key}) FROM {table}").fetchall()[0][0]
    if doubles:
        con.execute(f"""
            CREATE OR REPLACE TEMP TABLE {table} AS
            SELECT * FROM {table} t
            QUALIFY {key} IS NULL
                 OR row_number() OVER (PARTITION BY {key} ORDER BY {order}, md5(CAST(t AS VARCHAR))) = 1
        """)
    return int(doubles)


def _load_etab(con: duckdb.DuckDBPyConnection, rel: str, cols: set[str]) -> int:
    """Create ``etab_sel`` (one row per SIRET), ``etablissements_ess`` and ``emploi_prive``; return the
    number of duplicated SIRET lines dropped."""
    emp_bands = ", ".join(f"'{t}'" for t in ess.TRANCHES_EMPLOYEUR)
    all_bands = ", ".join(f"'{t}'" for t in ess.TRANCHES)
    excl = " OR ".join(
        f"ape LIKE '{code}%'" if len(code) == 2 else f"ape = '{code}'" for code in ess.EXCLUSIONS_STATISTIQUES
    )
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE etab_sel AS
        WITH e AS (
          SELECT CAST(siren AS VARCHAR) AS siren, CAST(siret AS VARCHAR) AS siret,
                 upper(trim({_col("statutDiffusionEtablissement", cols)})) AS diffusion,
                 nullif(trim({_col("trancheEffectifsEtablissement", cols)}), '') AS tranche_brute,
                 TRY_CAST(TRY_CAST(trim({_col("anneeEffectifsEtablissement", cols)}) AS DOUBLE) AS INTEGER)
                   AS annee_effectifs,
                 upper(nullif(trim({_col("caractereEmployeurEtablissement", cols)}), '')) AS caractere,
                 nullif(trim({_col("codeCommuneEtablissement", cols)}), '') AS code_commune_source,
                 nullif(trim({_col("codePaysEtrangerEtablissement", cols)}), '') AS pays,
                 nullif(trim({_col("activitePrincipaleEtablissement", cols)}), '') AS ape,
                 nullif(trim({_col("nomenclatureActivitePrincipaleEtablissement", cols)}), '') AS nomenclature,
                 nullif(trim({_col("activitePrincipaleNAF25Etablissement", cols)}), '') AS ape_naf25,
                 coalesce(nullif({_col("denominationUsuelleEtablissement", cols)}, ''),
                          nullif({_col("enseigne1Etablissement", cols)}, '')) AS nom_etab,
                 TRY_CAST(replace({_col("coordonneeLambertAbscisseEtablissement", cols)}, ',', '.') AS DOUBLE) AS x,
                 TRY_CAST(replace({_col("coordonneeLambertOrdonneeEtablissement", cols)}, ',', '.') AS DOUBLE) AS y,
                 TRY_CAST(replace({_col("longitude", cols)}, ',', '.') AS DOUBLE) AS lon_source,
                 TRY_CAST(replace({_col("latitude", cols)}, ',', '.') AS DOUBLE) AS lat_source,
                 coalesce(nullif(trim({_col("coordonneeLambertAbscisseEtablissement", cols)}), ''),
                          nullif(trim({_col("coordonneeLambertOrdonneeEtablissement", cols)}), ''),
                          nullif(trim({_col("longitude", cols)}), ''),
                          nullif(trim({_col("latitude", cols)}), '')) IS NOT NULL
                   AS coord_fournie,
                 {_col("etablissementSiege", cols)} AS siege,
                 left({_col("dateDernierTraitementEtablissement", cols)}, 10) AS date_traitement,
                 replace({_col("dateDernierTraitementEtablissement", cols)}, 'T', ' ') AS traitement
          FROM {rel}
          WHERE "etatAdministratifEtablissement" = 'A'
        ), j AS (
          SELECT e.*, u.famille, u.cj, coalesce(u.public, FALSE) AS public, u.denomination, u.diffusion_ul,
                 coalesce(e.caractere = 'O' OR (e.caractere IS NULL AND e.tranche_brute IN ({emp_bands})), FALSE)
                   AS employeur,
                 coalesce({excl}, FALSE) AS activite_exclue,
                 TRY_CAST(left(e.ape, 2) AS INTEGER) AS division
          FROM e LEFT JOIN ul_sel u USING (siren)
        ), k AS (
          -- The band as counted: a non-employer counts no one whatever its (older) band says; an employer
          -- without a known band is « NR » (employer, headcount not given), counted as an employer with 0 salariés.
          SELECT j.*, CASE WHEN NOT j.employeur THEN 'NN'
                           WHEN j.tranche_brute IN ({all_bands}) THEN j.tranche_brute ELSE 'NR' END AS tranche
          FROM j
        )
        SELECT k.*, t.milieu, t.taille, p.code_commune AS commune,
               CASE WHEN k.code_commune_source IS NULL AND k.pays IS NOT NULL THEN 'étranger'
                    WHEN k.code_commune_source IS NULL THEN 'commune absente'
                    WHEN p.code_commune IS NULL THEN 'code commune inconnu' END AS anomalie_geo,
               CASE WHEN k.activite_exclue THEN 'Hors champ statistique'
                    WHEN k.ape = '94.99Z' OR k.division IS NULL THEN 'Non classés'
                    WHEN k.nomenclature IS NOT NULL AND k.nomenclature NOT IN ('NAFRev2', 'NAF2025') THEN 'Non classés'
                    ELSE s.secteur END AS secteur,
               FALSE AS sans_unite_legale
        FROM k
        LEFT JOIN tranches t ON t.tranche = k.tranche
        LEFT JOIN code_commune_2026 p ON p.code = k.code_commune_source
        LEFT JOIN secteurs_naf s ON s.division = k.division
        WHERE k.famille IS NOT NULL OR k.employeur
    """)
    # Only active lines were read, so a SIRET given twice keeps an active line: the latest processed one.
    doubles = _deduplicate(con, "etab_sel", "siret", "traitement DESC NULLS LAST")
    return doubles


def _etablissements_ess(con: duckdb.DuckDBPyConnection) -> None:
    """``etablissements_ess`` (the ESS rows) and ``emploi_prive`` (the denominator), once ``etab_sel`` is final.

    ``hors_statistique``: outside INSEE's statistical perimeter, i.e. an excluded activity or a commercial
    company of the ESS (counted in the legal perimeter only). The denominator keeps, per commune and sector,
    the private employers with a legal unit, with their excluded-activity flag so that each perimeter's share
    divides by the private employment of the same activities (esscore/sql/construction/indicateurs.sql).
    """
    con.execute(f"""
        CREATE OR REPLACE TABLE etablissements_ess AS
        SELECT siret, siren, famille, cj, ape, ape_naf25, secteur,
               activite_exclue OR famille = '{_SCESS_SQL}' AS hors_statistique, activite_exclue,
               tranche, tranche_brute AS tranche_source, annee_effectifs, taille, employeur,
               coalesce(milieu, 0) AS salaries,
               commune, code_commune_source, anomalie_geo, coalesce(diffusion, 'O') AS diffusion,
               diffusion = 'P' OR diffusion_ul = 'P' AS non_diffusible,
               CASE WHEN diffusion = 'P' OR diffusion_ul = 'P' THEN NULL
                    ELSE coalesce(nom_etab, denomination) END AS nom,
               CASE WHEN diffusion = 'P' THEN NULL ELSE x END AS x,
               CASE WHEN diffusion = 'P' THEN NULL ELSE y END AS y,
               CAST(NULL AS DOUBLE) AS lon, CAST(NULL AS DOUBLE) AS lat
        FROM etab_sel WHERE famille IS NOT NULL;

        CREATE OR REPLACE TABLE emploi_prive AS
        SELECT commune, secteur, activite_exclue, count(*)::BIGINT AS employeurs,
               sum(coalesce(milieu, 0)) AS salaries
        FROM etab_sel
        WHERE employeur AND NOT public AND NOT sans_unite_legale AND commune IS NOT NULL
        GROUP BY ALL;
    """)


def _sans_unite_legale(con: duckdb.DuckDBPyConnection, ul_rel: str) -> int:
    """Flag the employers whose SIREN is absent from the legal-units file (their family and public or private
    status are unknown: never counted anywhere, listed in the report), then build the ESS tables; return their
    number. One more read of the file's ``siren`` column only (a column read in parquet)."""
    con.execute(f"""
        UPDATE etab_sel SET sans_unite_legale = TRUE
        WHERE famille IS NULL AND NOT public AND siren IN (
            SELECT siren FROM etab_sel WHERE famille IS NULL AND NOT public
            EXCEPT SELECT CAST(siren AS VARCHAR) FROM {ul_rel}
        )
    """)
    _etablissements_ess(con)
    return con.execute("SELECT count(*) FROM etab_sel WHERE sans_unite_legale").fetchall()[0][0]


def _project_coordinates(con: duckdb.DuckDBPyConnection) -> tuple[int, int]:
    """WGS84 positions: the file's own ``longitude``/``latitude`` when it has them (a geolocated file), else
    Lambert-93 / DOM UTM → WGS84 with pyproj, one vectorised transform per CRS (chosen by département).

    A position is kept only if both coordinates are finite numbers and the point lies in the extent of its
    territory (``EMPRISES``). Otherwise the establishment keeps its commune and is counted everywhere, without a
    position (like any establishment SIRENE does not geolocate). Returns the number of ESS establishments whose
    given coordinates were removed, and the number placed by the file's own longitude and latitude.
    """
    rows = con.execute("""
        SELECT s.siret, s.x, s.y, s.lon_source, s.lat_source, c.departement
        FROM etab_sel s JOIN communes c ON c.code = s.commune
        WHERE s.famille IS NOT NULL AND s.coord_fournie AND coalesce(s.diffusion, 'O') <> 'P'
    """).df()
    rows["epsg"] = rows["departement"].map(ess.epsg_for_departement)
    x, y, lon_src, lat_src = (pd.to_numeric(rows[c], errors="coerce").to_numpy(dtype=float)
                              for c in ("x", "y", "lon_source", "lat_source"))  # fmt: skip
    fournie = np.isfinite(lon_src) & np.isfinite(lat_src)
    lon, lat = np.where(fournie, lon_src, np.nan), np.where(fournie, lat_src, np.nan)
    a_projeter = np.isfinite(x) & np.isfinite(y) & ~fournie
    for epsg in rows.loc[a_projeter, "epsg"].unique():
        sel = a_projeter & (rows["epsg"] == epsg).to_numpy()
        tr = Transformer.from_crs(int(epsg), 4326, always_xy=True)
        with np.errstate(all="ignore"):
            plon, plat = (np.asarray(v, dtype=float) for v in tr.transform(x[sel], y[sel]))
        lon[sel], lat[sel] = plon, plat
    for epsg in rows["epsg"].unique():
        sel = (rows["epsg"] == epsg).to_numpy()
        west, south, east, north, _nom_emprise = EMPRISES[int(epsg)]
        with np.errstate(invalid="ignore"):
            dedans = (lon >= west) & (lon <= east) & (lat >= south) & (lat <= north)
        lon[sel & ~dedans], lat[sel & ~dedans] = np.nan, np.nan
    lon, lat = np.round(lon, 6), np.round(lat, 6)
    placed = np.isfinite(lon) & np.isfinite(lat)
    coords = pd.DataFrame({"siret": rows["siret"].to_numpy()[placed], "lon": lon[placed], "lat": lat[placed]})
    con.register("coords_df", coords)
    # Raw x/y are kept only beside a validated position: no absurd value survives in the table. Rows sorted by
    # commune: DuckDB's per-row-group min/max then let a territory's map and list skip most of the 400 000 rows
    # (benchmarks/pages.py: a never-served Carte page 57 → 35 ms of queries for an EPCI).
    con.execute("""
        CREATE OR REPLACE TABLE etablissements_ess AS
        SELECT e.* REPLACE (CASE WHEN c.siret IS NULL THEN NULL ELSE e.x END AS x,
                            CASE WHEN c.siret IS NULL THEN NULL ELSE e.y END AS y,
                            c.lon AS lon, c.lat AS lat)
        FROM etablissements_ess e
        LEFT JOIN (SELECT CAST(siret AS VARCHAR) AS siret, CAST(lon AS DOUBLE) AS lon, CAST(lat AS DOUBLE) AS lat
                   FROM coords_df) c USING (siret)
        ORDER BY e.commune, e.siret  -- stored by commune: a territory's reads skip the other row groups
    """)
    con.unregister("coords_df")
    return int((~placed).sum()), int((placed & fournie).sum())


def _aggregate(con: duckdb.DuckDBPyConnection) -> None:
    from esscore.indicators import build_indicator_tables

    build_indicator_tables(con)


def _effectifs(con: duckdb.DuckDBPyConnection) -> dict[str, object]:
    """Vintage of the headcount bands, and what the employer rule did with the bands (report keys).

    ``annee_effectifs``: the most frequent ``anneeEffectifsEtablissement`` of the ESS employers with a band (the
    year the bands describe, usually two or three years before the stock); ``annees_effectifs`` its spread.
    """
    annees = con.execute("""
        SELECT annee_effectifs, count(*) AS n FROM etablissements_ess
        WHERE employeur AND tranche NOT IN ('NN', 'NR') AND annee_effectifs IS NOT NULL
        GROUP BY ALL ORDER BY n DESC, annee_effectifs DESC
    """).fetchall()
    total = sum(n for _a, n in annees)
    sans_ul = con.execute("""
        SELECT count(*), string_agg(siret, ', ' ORDER BY siret) FILTER (WHERE rang <= 20)
        FROM (SELECT siret, row_number() OVER (ORDER BY siret) AS rang FROM etab_sel WHERE sans_unite_legale)
    """).fetchall()[0]
    bandes = con.execute("""
        SELECT count(*) FILTER (WHERE employeur AND tranche = 'NR'),
               count(*) FILTER (WHERE NOT employeur AND tranche_source NOT IN ('NN', '00'))
        FROM etablissements_ess
    """).fetchall()[0]
    return {
        "annee_effectifs": str(annees[0][0]) if annees else "",
        "annees_effectifs": " ; ".join(f"{a} : {fmt_int(n)} ({100 * n / total:.0f} %)" for a, n in annees[:5]),
        "ess_employeurs_effectif_non_renseigne": bandes[0],
        "ess_non_employeurs_avec_tranche": bandes[1],
        "employeurs_sans_unite_legale": sans_ul[0],
        "sans_unite_legale_exemples": sans_ul[1] or "",
    }


def _report(con: duckdb.DuckDBPyConnection, perimetre: str, seconds: float, anomalies: dict[str, int]) -> dict:
    counts = con.execute("""
        SELECT count(*), count(*) FILTER (WHERE employeur),
               count(*) FILTER (WHERE anomalie_geo = 'étranger'),
               count(*) FILTER (WHERE anomalie_geo = 'code commune inconnu'),
               count(*) FILTER (WHERE anomalie_geo = 'commune absente'),
               count(*) FILTER (WHERE non_diffusible),
               (SELECT count(*) FROM etab_sel WHERE famille IS NULL AND anomalie_geo IS NOT NULL)
        FROM etablissements_ess
    """).fetchall()[0]
    unknown = con.execute("""
        SELECT code_commune_source, count(*) AS n FROM etablissements_ess
        WHERE anomalie_geo = 'code commune inconnu' GROUP BY ALL ORDER BY n DESC LIMIT 20
    """).fetchall()
    report = {
        "perimetre": perimetre,
        "etablissements_ess_actifs": counts[0],
        "etablissements_ess_employeurs": counts[1],
        "ess_a_l_etranger": counts[2],
        "ess_code_commune_inconnu": counts[3],
        "ess_sans_commune": counts[4],
        "ess_non_diffusibles": counts[5],
        "codes_inconnus_exemples": ", ".join(f"{c} ({n})" for c, n in unknown),
        "autres_employeurs_hors_geographie": counts[6],
        **anomalies,
        **_effectifs(con),
        "date_stock": con.execute("SELECT max(date_traitement) FROM etab_sel").fetchall()[0][0] or "",
        "employeurs_prives": con.execute("SELECT sum(employeurs) FROM emploi_prive").fetchall()[0][0] or 0,
        "duree_s": round(seconds, 1),
    }
    con.execute("CREATE OR REPLACE TABLE ingestion_rapport (cle VARCHAR, valeur VARCHAR)")
    con.executemany("INSERT INTO ingestion_rapport VALUES (?, ?)", [(k, str(v)) for k, v in report.items()])
    return report
