"""Which SIRENE file the user gave, told from its header: the INSEE stock files, the sirene.fr « fichier
personnalisé » (establishments joined with their legal units, one file) or a geolocated per-département file.

Why from the header: the files people download differ by their columns, not by their name (a sirene.fr export is
called whatever the user saved it as). The separator of a sirene.fr export is read from its first line the same way
as for the other user files of the project (``esscore.roadmap``, ``esscore.initiatives``: the most frequent of comma,
semicolon and tab), so that an export re-saved by a spreadsheet (semicolons, UTF-8 with a BOM) reads as well as the
original; the INSEE stock files keep their comma (a stock file with semicolons is refused, as before).
"""

from __future__ import annotations

import gzip
from pathlib import Path

from esscore.errors import DonneesInvalides
from esscore.sirene_schema import (
    ETABLISSEMENT_REQUIRED,
    LIBELLES_OBLIGATOIRES,
    POSITION_WGS84,
    UNITE_LEGALE_REQUIRED,
)

GZIP = b"\x1f\x8b"
SEPARATEURS = (",", ";", "\t")
# Columns telling the two halves apart (present in every layout that carries that half).
MARQUES_ETABLISSEMENT = frozenset({"siret", "codeCommuneEtablissement", "etatAdministratifEtablissement"})
MARQUES_UNITE_LEGALE = frozenset({"categorieJuridiqueUniteLegale", "economieSocialeSolidaireUniteLegale"})
LIBELLES = {
    "stock": "fichiers stock Sirene (data.gouv.fr)",
    "sirene.fr": "fichier personnalisé sirene.fr (établissements et unités légales)",
    "geo": "fichier géolocalisé des établissements (longitude, latitude)",
}
OBLIGATOIRES_JOINT = (*ETABLISSEMENT_REQUIRED, *(c for c in UNITE_LEGALE_REQUIRED if c not in ETABLISSEMENT_REQUIRED))


def est_gzip(path: Path) -> bool:
    """True for a gzip file (the geo-sirene files are ``.csv.gz``), whatever its name."""
    with path.open("rb") as fh:
        return fh.read(2) == GZIP


def dialecte(path: Path) -> tuple[str, str]:
    """(separator, DuckDB compression) of a CSV file: the most frequent of comma, semicolon and tab in its first
    line (comma when none); the bytes are only counted here, their encoding is checked by the reader."""
    compression = "gzip" if est_gzip(path) else "none"
    opener = gzip.open if compression == "gzip" else open
    try:
        with opener(path, "rb") as fh:
            debut = fh.read(1 << 16)
    except (OSError, EOFError):
        return ",", compression  # the reader names the damaged file
    entete = debut.split(b"\n", 1)[0].decode("utf-8", errors="replace")
    separateur = max(SEPARATEURS, key=entete.count)
    return (separateur if entete.count(separateur) else ","), compression


def disposition(colonnes: set[str]) -> str:
    """« joint » (establishments and legal units in one file), « etablissements », « unites_legales » or
    « inconnue », from the columns found."""
    etab, ul = bool(colonnes & MARQUES_ETABLISSEMENT), bool(colonnes & MARQUES_UNITE_LEGALE)
    if etab and ul:
        return "joint"
    return "etablissements" if etab else "unites_legales" if ul else "inconnue"


def geolocalise(colonnes: set[str]) -> bool:
    """True when the establishments carry their own WGS84 position (``longitude`` and ``latitude``)."""
    return all(c in colonnes for c in POSITION_WGS84)


def libelle(colonnes_etablissements: set[str], joint: bool) -> str:
    """What the ingestion report calls the files given."""
    if joint:
        return LIBELLES["sirene.fr"]
    return LIBELLES["geo"] if geolocalise(colonnes_etablissements) else LIBELLES["stock"]


def verifier_fichier_joint(colonnes: set[str], nom: str) -> None:
    """Refuse a file given as a sirene.fr export that lacks a required variable, naming each one (label and column)
    and how to get it; a file holding only one half (a geolocated establishments file, a legal-units stock) is told
    which option to use instead."""
    if len(colonnes) == 1 and any(sep in next(iter(colonnes)) for sep in ("|", ":")):
        raise DonneesInvalides(
            f"Fichier sirene.fr « {nom} » : une seule colonne lue (séparateur inconnu). Exportez-le de nouveau depuis "
            "sirene.fr en CSV (séparateur virgule ou point-virgule)."
        )
    sorte = disposition(colonnes)
    if sorte == "etablissements":
        raise DonneesInvalides(
            f"Le fichier « {nom} » ne contient que des colonnes d'établissements (fichier stock ou fichier "
            "géolocalisé par département ?) : donnez-le avec --etablissements, et le fichier des unités légales "
            "(StockUniteLegale, data.gouv.fr) avec --unites-legales."
        )
    if sorte == "unites_legales":
        raise DonneesInvalides(
            f"Le fichier « {nom} » ne contient que des colonnes d'unités légales (StockUniteLegale ?) : donnez-le "
            "avec --unites-legales, et le fichier des établissements avec --etablissements."
        )
    manquantes = [c for c in OBLIGATOIRES_JOINT if c not in colonnes]
    if manquantes:
        liste = " ; ".join(f"{LIBELLES_OBLIGATOIRES[c]} ({c})" for c in manquantes)
        raise DonneesInvalides(
            f"Fichier sirene.fr « {nom} » : {len(manquantes)} variable(s) obligatoire(s) absente(s) : {liste}. "
            "Sur sirene.fr, refaites la liste de votre territoire et, à l'étape du choix des variables du fichier "
            "personnalisé, cochez-les (ou prenez toutes les variables) ; gardez les noms de colonnes de l'INSEE."
        )


def requete_unites_legales(relation: str, colonnes: set[str]) -> tuple[str, set[str]]:
    """The query of the legal units of a joined file (one row per SIREN, from its legal-unit columns only: an
    establishment column such as ``dateDebut`` would split a unit into several rows) and its columns.
    ``relation`` is a DuckDB table expression."""
    garder = ["siren", *sorted(c for c in colonnes if c.endswith("UniteLegale"))]
    liste = ", ".join('"' + c.replace('"', '""') + '"' for c in garder)
    return f"SELECT DISTINCT {liste} FROM {relation}", set(garder)


def meme_fichier(a: Path, b: Path) -> bool:
    """True when both arguments name one file (the joined export given twice, the way of earlier versions)."""
    try:
        return a.resolve() == b.resolve() or a.samefile(b)
    except OSError:
        return False
