"""Catalogue of other collectivities' ESS policies and tools (the "benchmark").

The catalogue is data, not code: a YAML file under ``data/benchmark/`` that a local authority can extend by
importing YAML or CSV files. Every entry is validated here so that the page and the CLI only ever see clean
records, and so that a bad import is refused with a French message naming the file, the entry and the field.
This module is pure (no Streamlit, no DuckDB): it returns lists of dicts and pandas DataFrames.
"""

from __future__ import annotations

import copy
import csv
import io
import math
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from esscore import config
from esscore.errors import DonneesInvalides
from esscore.fichiers import (
    ErreursFichier,
    apercu,
    caracteres_interdits,
    charger_yaml,
    colonnes_uniques,
    ecrire_atomique,
    lire_texte,
)
from esscore.labels import fmt_dec, fmt_int
from esscore.leviers import LEVIERS, TYPES_COLLECTIVITE  # re-exported: benchmark.LEVIERS stays valid
from esscore.sources import citation, identifiant
from esscore.text import normalize, texte_litteral

MONTANT_KEYS: tuple[str, ...] = (
    "budget_total_eur",
    "budget_annuel_eur",
    "montant_par_projet_min_eur",
    "montant_par_projet_max_eur",
    "nombre_projets",
    "nombre_laureats",
    "heures_insertion",
    "nombre_structures",
)
"""Numeric keys allowed under ``montants``; ``autre`` (free text) is allowed as well."""

MONTANT_AUTRE = "autre"

THEMATIQUES: tuple[str, ...] = (
    "innovation sociale",
    "économie circulaire",
    "alimentation durable",
    "transition écologique",
    "transition énergétique",
    "biodiversité",
    "habitat & éco-construction",
    "mobilité",
    "logistique",
    "numérique",
    "tourisme",
    "culture",
    "santé",
    "services à la personne",
    "insertion",
    "inclusion sociale",
    "emploi & compétences",
    "achats responsables",
    "commerce équitable",
    "finance solidaire",
    "coopératives",
    "quartiers prioritaires",
    "urbanisme transitoire",
    "tiers-lieux",
    "cohésion territoriale",
    "développement rural",
    "jeunesse",
    "vie associative",
)
"""Recommended theme vocabulary used by the shipped catalogue (imports may add others)."""

MONTANT_LABELS: dict[str, str] = {
    "budget_total_eur": "Budget total",
    "budget_annuel_eur": "Budget annuel",
    "montant_par_projet_min_eur": "Montant minimum par projet",
    "montant_par_projet_max_eur": "Montant maximum par projet",
    "nombre_projets": "Nombre de projets",
    "nombre_laureats": "Nombre de lauréats",
    "heures_insertion": "Heures d'insertion",
    "nombre_structures": "Nombre de structures",
}

ENTRY_KEYS: tuple[str, ...] = (
    "id",
    "collectivite",
    "titre",
    "leviers",
    "description",
    "annees",
    "montants",
    "thematiques",
    "public_cible",
    "eligibilite",
    "partenaires",
    "resultats",
    "gouvernance",
    "source",
    "contact",
)
COLLECTIVITE_KEYS: tuple[str, ...] = ("nom", "type", "niveau", "code", "region")
SOURCE_KEYS: tuple[str, ...] = ("document", "section", "date")
CONTACT_KEYS: tuple[str, ...] = ("role", "organisation")
LIST_FIELDS: tuple[str, ...] = ("leviers", "annees", "thematiques", "partenaires")
TEXT_FIELDS: tuple[str, ...] = ("description", "public_cible", "eligibilite", "resultats", "gouvernance")

REGIONS: dict[str, str] = {
    "01": "Guadeloupe",
    "02": "Martinique",
    "03": "Guyane",
    "04": "La Réunion",
    "06": "Mayotte",
    "11": "Île-de-France",
    "24": "Centre-Val de Loire",
    "27": "Bourgogne-Franche-Comté",
    "28": "Normandie",
    "32": "Hauts-de-France",
    "44": "Grand Est",
    "52": "Pays de la Loire",
    "53": "Bretagne",
    "75": "Nouvelle-Aquitaine",
    "76": "Occitanie",
    "84": "Auvergne-Rhône-Alpes",
    "93": "Provence-Alpes-Côte d'Azur",
    "94": "Corse",
}
"""2026 region codes (COG) and names, for display only."""

TYPE_LABELS: dict[str, str] = {
    "commune": "Commune",
    "epci": "Intercommunalité",
    "departement": "Département",
    "region": "Région",
    "pays": "Pays",
    "cress": "CRESS",
    "reseau": "Réseau",
    "autre": "Autre",
}

MAX_IMPORT_BYTES = 5 * 1024 * 1024
MAX_MONTANT = 1e10
MAX_ERREURS_AFFICHEES = 20

_LEVIERS_NORMALISES = {normalize(lev): lev for lev in LEVIERS}
_ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_CODE_RE = re.compile(r"^[a-z_]+:[0-9A-Za-z]+$")
_REGION_RE = re.compile(r"^\d{2,3}$")
_DATE_RE = re.compile(r"^\d{4}(?:-(?:0[1-9]|1[0-2]))?$")
_EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")


def default_catalogue_path() -> Path:
    """Where the shipped catalogue lives; read at call time so tests can redirect ``DATA_DIR``."""
    return Path(config.DATA_DIR) / "benchmark" / "catalogue.yaml"


def default_boite_a_outils_path() -> Path:
    """Where the Cotentin toolbox reference lives."""
    return Path(config.DATA_DIR) / "benchmark" / "boite_a_outils.yaml"


# --------------------------------------------------------------------------------------------- validation


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _entry_label(entry: object, position: int) -> str:
    if isinstance(entry, Mapping):
        ident = entry.get("id")
        if isinstance(ident, str) and ident.strip():
            return f"entrée « {ident} » (n° {position})"
    return f"entrée n° {position}"


def _check_text(value: object, field: str, errors: list[str], where: str, required: bool = False) -> Any:
    """A free-text field: a string or null; returns the stripped string (or None)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            errors.append(f"{where} : champ « {field} » manquant ou vide.")
        return None
    if isinstance(value, str):
        if (note := caracteres_interdits(value)) is not None:
            errors.append(f"{where} : champ « {field} » {note}.")
            return None
        return value.strip()
    if _is_number(value) and not required:
        return str(value)
    errors.append(f"{where} : champ « {field} » : texte attendu, reçu {type(value).__name__}.")
    return None


def _check_str_list(value: object, field: str, errors: list[str], where: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list):
        errors.append(
            f"{where} : champ « {field} » : liste attendue (en YAML « - élément » par ligne, "
            f"en CSV éléments séparés par « ; »), reçu {type(value).__name__}."
        )
        return []
    out: list[str] = []
    for item in value:
        if isinstance(item, str) and item.strip():
            out.append(item.strip())
        else:
            errors.append(
                f"{where} : champ « {field} » : élément « {apercu(item)} » invalide (texte non vide attendu)."
            )
    return out


def _sous_fiche(
    value: object, champ: str, cles: tuple[str, ...], errors: list[str], where: str, manque: str
) -> tuple[dict[str, Any], Mapping | None]:
    """The checked fields of ``value`` (field ``champ`` of a fiche) all None, and ``value`` itself when it is a
    mapping; when not, None and an error saying ``manque`` (what is expected). Each key outside ``cles`` is
    reported as unknown."""
    out: dict[str, Any] = dict.fromkeys(cles)
    if not isinstance(value, Mapping):
        errors.append(f"{where} : champ « {champ} » {manque}")
        return out, None
    for key in value:
        if key not in cles:
            errors.append(f"{where} : champ « {champ}.{key} » inconnu (autorisés : {', '.join(cles)}).")
    return out, value


def _code(value: object, champ: str, motif: re.Pattern[str], errors: list[str], where: str, sinon: str) -> str | None:
    """An optional code: None when empty, the stripped text when it matches ``motif``, else None and an error
    quoting the value, followed by ``sinon`` (what is expected)."""
    if value is None or value == "":
        return None
    if not isinstance(value, str) or not motif.match(value.strip()):
        errors.append(f"{where} : champ « {champ} » : « {apercu(value)} » {sinon}")
        return None
    return value.strip()


def _check_collectivite(value: object, errors: list[str], where: str) -> dict[str, Any]:
    attendu = "manquant ou mal formé (attendu : nom, type, niveau, code, region)."
    out, value = _sous_fiche(value, "collectivite", COLLECTIVITE_KEYS, errors, where, attendu)
    if value is None:
        return out
    out["nom"] = _check_text(value.get("nom"), "collectivite.nom", errors, where, required=True)
    kind = value.get("type")
    if kind not in TYPES_COLLECTIVITE:
        errors.append(
            f"{where} : champ « collectivite.type » : valeur « {apercu(kind)} » inconnue "
            f"(autorisées : {', '.join(TYPES_COLLECTIVITE)})."
        )
    else:
        out["type"] = kind
    out["niveau"] = _check_text(value.get("niveau"), "collectivite.niveau", errors, where)
    attendu = "mal formé (attendu TYPE:CODE, par ex. « epci:200041317 », ou vide)."
    out["code"] = _code(value.get("code"), "collectivite.code", _CODE_RE, errors, where, attendu)
    region = value.get("region")
    region = str(region).zfill(2) if isinstance(region, int) and not isinstance(region, bool) else region
    attendu = "invalide (code région attendu, par ex. « 75 », ou vide)."
    out["region"] = _code(region, "collectivite.region", _REGION_RE, errors, where, attendu)
    return out


def _check_montants(value: object, errors: list[str], where: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        errors.append(f"{where} : champ « montants » : dictionnaire attendu (clé : valeur).")
        return {}
    out: dict[str, Any] = {}
    for key in value:
        if key not in MONTANT_KEYS and key != MONTANT_AUTRE:
            errors.append(
                f"{where} : champ « montants.{key} » inconnu (autorisés : {', '.join((*MONTANT_KEYS, MONTANT_AUTRE))})."
            )
    for key in MONTANT_KEYS:
        if key not in value or value[key] is None:
            continue
        amount = value[key]
        field = f"montants.{key}"
        if not _is_number(amount):
            errors.append(f"{where} : champ « {field} » : « {apercu(amount)} » n'est pas un nombre (ex. 15000).")
        elif not math.isfinite(amount) or amount < 0:
            errors.append(f"{where} : champ « {field} » : « {apercu(amount)} » doit être un nombre positif.")
        elif amount > MAX_MONTANT:
            errors.append(f"{where} : champ « {field} » : « {apercu(amount)} » est invraisemblable (> 10 milliards).")
        else:
            out[key] = int(amount) if float(amount).is_integer() else float(amount)
    autre = _check_text(value.get(MONTANT_AUTRE), f"montants.{MONTANT_AUTRE}", errors, where)
    if autre:
        out[MONTANT_AUTRE] = autre
    return out


def _check_annees(value: object, errors: list[str], where: str) -> list[int]:
    if value is None:
        return []
    if not isinstance(value, list):
        errors.append(f"{where} : champ « annees » : liste d'années attendue (ex. [2021, 2023]).")
        return []
    out: list[int] = []
    for year in value:
        if isinstance(year, int) and not isinstance(year, bool) and 1900 <= year <= 2100:
            out.append(year)
        else:
            errors.append(f"{where} : champ « annees » : « {apercu(year)} » n'est pas une année (ex. 2023).")
    return out


def _check_source(value: object, errors: list[str], where: str) -> dict[str, Any]:
    manque = "manquant : indiquez au moins « source.document » (le document d'où viennent les informations)."
    out, value = _sous_fiche(value, "source", SOURCE_KEYS, errors, where, manque)
    if value is None:
        return out
    # a former seed-file name (« 002_….txt ») stands for its registry id (esscore.sources.ANCIENS_CODES)
    out["document"] = identifiant(_check_text(value.get("document"), "source.document", errors, where, required=True))
    out["section"] = _check_text(value.get("section"), "source.section", errors, where)
    date = value.get("date")
    date = str(date) if isinstance(date, int) and not isinstance(date, bool) else date
    out["date"] = _code(date, "source.date", _DATE_RE, errors, where, "invalide (format AAAA ou AAAA-MM).")
    return out


def _check_contact(value: object, errors: list[str], where: str) -> dict[str, Any] | None:
    if value is None:
        return None
    if not isinstance(value, Mapping):
        errors.append(f"{where} : champ « contact » : attendu « role » et « organisation », ou vide.")
        return None
    for key in value:
        if key not in CONTACT_KEYS:
            errors.append(
                f"{where} : champ « contact.{key} » inconnu (autorisés : role, organisation ; "
                "ne stockez ni nom ni adresse e-mail de personne)."
            )
    out = {key: _check_text(value.get(key), f"contact.{key}", errors, where) for key in CONTACT_KEYS}
    for key, text in out.items():
        if text and _EMAIL_RE.search(text):
            errors.append(
                f"{where} : champ « contact.{key} » contient une adresse e-mail : "
                "indiquez seulement la fonction et l'organisation."
            )
    if not any(out.values()):
        return None
    return out


def _check_entry(entry: object, position: int, errors: list[str], where_prefix: str) -> dict[str, Any] | None:
    where = f"{where_prefix}, {_entry_label(entry, position)}"
    if not isinstance(entry, Mapping):
        errors.append(f"{where} : dictionnaire attendu (champs id, titre, collectivite, leviers, source…).")
        return None
    for key in entry:
        if key not in ENTRY_KEYS:
            errors.append(f"{where} : champ « {key} » inconnu (autorisés : {', '.join(ENTRY_KEYS)}).")
    out: dict[str, Any] = {}
    ident = entry.get("id")
    if not isinstance(ident, str) or not ident.strip():
        errors.append(f"{where} : champ « id » manquant (identifiant court, ex. « nantes-prix-ess »).")
        out["id"] = None
    elif not _ID_RE.match(ident.strip()):
        errors.append(
            f"{where} : champ « id » : « {apercu(ident)} » invalide "
            "(minuscules, chiffres et tirets, ex. « nantes-prix-ess »)."
        )
        out["id"] = ident.strip()
    else:
        out["id"] = ident.strip()
    out["collectivite"] = _check_collectivite(entry.get("collectivite"), errors, where)
    out["titre"] = _check_text(entry.get("titre"), "titre", errors, where, required=True)
    leviers = _check_str_list(entry.get("leviers"), "leviers", errors, where)
    canonical = [_LEVIERS_NORMALISES.get(normalize(lev)) for lev in leviers]
    for lev, known in zip(leviers, canonical, strict=True):
        if known is None:
            errors.append(
                f"{where} : champ « leviers » : levier inconnu « {lev} » (autorisés : {' ; '.join(LEVIERS)})."
            )
    if not leviers and isinstance(entry.get("leviers", []), list | type(None)):
        errors.append(f"{where} : champ « leviers » : au moins un levier est requis ({' ; '.join(LEVIERS)}).")
    out["leviers"] = list(dict.fromkeys(lev for lev in canonical if lev))
    out["description"] = _check_text(entry.get("description"), "description", errors, where)
    out["annees"] = _check_annees(entry.get("annees"), errors, where)
    out["montants"] = _check_montants(entry.get("montants"), errors, where)
    out["thematiques"] = _check_str_list(entry.get("thematiques"), "thematiques", errors, where)
    for field in ("public_cible", "eligibilite"):
        out[field] = _check_text(entry.get(field), field, errors, where)
    out["partenaires"] = _check_str_list(entry.get("partenaires"), "partenaires", errors, where)
    for field in ("resultats", "gouvernance"):
        out[field] = _check_text(entry.get(field), field, errors, where)
    out["source"] = _check_source(entry.get("source"), errors, where)
    out["contact"] = _check_contact(entry.get("contact"), errors, where)
    return {key: out[key] for key in ENTRY_KEYS}


def _raise_if_errors(errors: list[str], fichier: str) -> None:
    if not errors:
        return
    raise ErreursFichier(
        fichier,
        errors,
        f"Le fichier {fichier} contient {len(errors)} erreur(s) :",
        "Corrigez ces champs puis recommencez (voir data/benchmark/README.md pour le format).",
        MAX_ERREURS_AFFICHEES,
    )


def validate_entries(entries: object, fichier: str) -> list[dict]:
    """Check every entry and return normalised copies (keys in schema order).

    All problems are collected and reported together so that a user fixes a file in one pass.
    """
    if not isinstance(entries, list):
        raise DonneesInvalides(
            f"Le fichier {fichier} doit contenir une liste d'entrées (en YAML, chaque entrée commence par "
            f"« - id: … »), reçu {type(entries).__name__}."
        )
    errors: list[str] = []
    out: list[dict] = []
    seen: dict[str, int] = {}
    for position, entry in enumerate(entries, start=1):
        checked = _check_entry(entry, position, errors, fichier)
        if checked is None:
            continue
        ident = checked["id"]
        if isinstance(ident, str):
            if ident in seen:
                errors.append(
                    f"{fichier}, {_entry_label(entry, position)} : champ « id » : identifiant en double "
                    f"(déjà utilisé par l'entrée n° {seen[ident]})."
                )
            else:
                seen[ident] = position
        out.append(checked)
    _raise_if_errors(errors, fichier)
    return out


# ------------------------------------------------------------------------------------------ load / save


def _read_text(path: Path) -> str:
    """A small UTF-8 user file (shared reader: existence, folder, 5 Mo limit, encoding)."""
    return lire_texte(path, MAX_IMPORT_BYTES, "fichier de benchmark")


def _parse_yaml(text: str, fichier: str) -> object:
    """Shared safe YAML loader: no alias, no duplicate key, French errors naming the file."""
    return charger_yaml(text, fichier)


def load_catalogue(path: Path | None = None) -> list[dict]:
    """Load and validate the catalogue (default: ``data/benchmark/catalogue.yaml``)."""
    path = Path(path) if path is not None else default_catalogue_path()
    data = _parse_yaml(_read_text(path), path.name)
    if data is None:
        return []
    return validate_entries(data, path.name)


def merge_entries(existing: list[dict], new: list[dict]) -> tuple[list[dict], int, int]:
    """Add new entries and replace existing ones with the same id.

    Replaced entries keep their position; added ones go at the end. ``n_updated`` counts only entries
    whose content actually changed, so re-importing the same file reports 0 additions and 0 updates.
    """
    merged = [copy.deepcopy(entry) for entry in existing]
    index = {entry.get("id"): i for i, entry in enumerate(merged)}
    added = updated = 0
    for entry in new:
        ident = entry.get("id")
        if ident in index:
            if merged[index[ident]] != entry:
                merged[index[ident]] = copy.deepcopy(entry)
                updated += 1
        else:
            index[ident] = len(merged)
            merged.append(copy.deepcopy(entry))
            added += 1
    return merged, added, updated


class _ReadableDumper(yaml.SafeDumper):
    """Safe dumper writing long texts as folded blocks so that the YAML stays easy to edit by hand."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    if len(value) > 90 and "\n" not in value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=">")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


_ReadableDumper.add_representer(str, _represent_str)


def dump_catalogue_yaml(entries: list[dict]) -> str:
    """YAML text of (already validated) entries, one blank line between entries; falls back to plain style
    if the readable form would not load back identically."""
    options: dict[str, Any] = {"allow_unicode": True, "sort_keys": False, "width": 110}
    text = yaml.dump(entries, Dumper=_ReadableDumper, **options)
    if yaml.safe_load(text) != entries:
        text = yaml.safe_dump(entries, **options)
    return text.replace("\n- id: ", "\n\n- id: ")


def save_catalogue(entries: list[dict], path: Path | None = None) -> Path:
    """Validate then write the catalogue atomically (``fichiers.ecrire_atomique``)."""
    path = Path(path) if path is not None else default_catalogue_path()
    clean = validate_entries(entries, path.name)
    text = dump_catalogue_yaml(clean)
    return ecrire_atomique(path, text)


# ------------------------------------------------------------------------------------------------ import

_CSV_SCALAR = ("id", "titre", *TEXT_FIELDS)


def _csv_columns() -> tuple[str, ...]:
    return (
        "id",
        "titre",
        *(f"collectivite.{k}" for k in COLLECTIVITE_KEYS),
        *LIST_FIELDS,
        *TEXT_FIELDS,
        *(f"montants.{k}" for k in (*MONTANT_KEYS, MONTANT_AUTRE)),
        *(f"source.{k}" for k in SOURCE_KEYS),
        *(f"contact.{k}" for k in CONTACT_KEYS),
    )


def _split_list(cell: str) -> list[str]:
    return [part.strip() for part in cell.split(";") if part.strip()]


def _parse_number(cell: str) -> object:
    """French or plain number ("10 000", "7 500,5", "15000"); the raw text if it is not one."""
    cleaned = cell.replace("\u202f", "").replace("\u00a0", "").replace(" ", "").replace("€", "")
    cleaned = cleaned.replace(",", ".")
    try:
        number = float(cleaned)
    except ValueError:
        return cell
    return int(number) if number.is_integer() else number


def _parse_year(cell: str) -> object:
    try:
        return int(cell)
    except ValueError:
        return cell


def _csv_row_to_entry(row: dict[str, str]) -> dict[str, Any]:
    def cell(name: str) -> str:
        return (row.get(name) or "").strip()

    entry: dict[str, Any] = {}
    for name in _CSV_SCALAR:
        entry[name] = cell(name) or None
    for name in ("leviers", "thematiques", "partenaires"):
        entry[name] = _split_list(cell(name))
    entry["annees"] = [_parse_year(part) for part in _split_list(cell("annees"))]
    entry["collectivite"] = {k: cell(f"collectivite.{k}") or None for k in COLLECTIVITE_KEYS}
    montants: dict[str, Any] = {}
    for key in MONTANT_KEYS:
        if cell(f"montants.{key}"):
            montants[key] = _parse_number(cell(f"montants.{key}"))
    if cell(f"montants.{MONTANT_AUTRE}"):
        montants[MONTANT_AUTRE] = cell(f"montants.{MONTANT_AUTRE}")
    entry["montants"] = montants
    source = {k: cell(f"source.{k}") or None for k in SOURCE_KEYS}
    entry["source"] = source if any(source.values()) else None
    contact = {k: cell(f"contact.{k}") or None for k in CONTACT_KEYS}
    entry["contact"] = contact if any(contact.values()) else None
    return entry


def _parse_csv(text: str, fichier: str) -> list[dict[str, Any]]:
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        raise DonneesInvalides(f"Le fichier {fichier} est vide : la première ligne doit contenir les en-têtes.")
    header = lines[0]
    delimiter = ";" if header.count(";") > header.count(",") else ","
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    columns = [c.strip() for c in (reader.fieldnames or [])]
    allowed = _csv_columns()
    colonnes_uniques(columns, fichier)
    unknown = [c for c in columns if c and c not in allowed]
    if unknown:
        raise DonneesInvalides(
            f"Le fichier {fichier} contient des colonnes inconnues : {', '.join(apercu(c, 40) for c in unknown[:10])}. "
            f"Colonnes possibles : {', '.join(allowed)}."
        )
    for required in ("id", "titre", "leviers", "collectivite.nom", "collectivite.type", "source.document"):
        if required not in columns:
            raise DonneesInvalides(f"Le fichier {fichier} : colonne obligatoire « {required} » absente.")
    reader.fieldnames = columns
    rows: list[dict[str, Any]] = []
    try:
        for row in reader:
            if None in row:
                raise DonneesInvalides(
                    f"Le fichier {fichier}, ligne {reader.line_num} : plus de cellules que d'en-têtes "
                    f"(séparateur « {delimiter} » ; mettez entre guillemets les cellules qui le contiennent)."
                )
            if not any((value or "").strip() for value in row.values()):
                continue
            rows.append(_csv_row_to_entry(row))
    except csv.Error as err:
        raise DonneesInvalides(f"Le fichier {fichier}, ligne {reader.line_num} : CSV mal formé ({err}).") from err
    return rows


def read_import_file(path: Path) -> list[dict]:
    """Read entries to import from a YAML (.yaml/.yml) or CSV (.csv) file and validate them.

    CSV: one row per entry; list fields separated by ``;``; dotted columns ``collectivite.nom``,
    ``source.document``, ``montants.budget_total_eur``… Comma or semicolon as column separator.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".yaml", ".yml", ".csv"):
        raise DonneesInvalides(
            f"Le fichier {path.name} n'est pas pris en charge : formats acceptés .yaml, .yml ou .csv."
        )
    text = _read_text(path)
    if suffix == ".csv":
        data: object = _parse_csv(text, path.name)
    else:
        data = _parse_yaml(text, path.name)
        if data is None:
            raise DonneesInvalides(f"Le fichier {path.name} est vide : aucune entrée à importer.")
    return validate_entries(data, path.name)


# ------------------------------------------------------------------------------------------ table / search


def normaliser_texte(text: object) -> str:
    """Lowercase, accent-free text (NFKD, punctuation as spaces) so that "economie" finds "Économie"."""
    return normalize(None if text is None else str(text))


def _join(values: Iterable[object]) -> str:
    return " ; ".join(str(v) for v in values)


def _montant_principal(montants: Mapping[str, Any]) -> float | None:
    for key in ("budget_total_eur", "budget_annuel_eur", "montant_par_projet_max_eur"):
        if montants.get(key) is not None:
            return float(montants[key])
    return None


FRAME_COLUMNS: tuple[str, ...] = (
    "id",
    "titre",
    "collectivite_nom",
    "collectivite_type",
    "collectivite_niveau",
    "collectivite_code",
    "region",
    "region_nom",
    "leviers",
    "leviers_texte",
    "description",
    "annees",
    "annees_texte",
    *MONTANT_KEYS,
    "montants_autre",
    "montant_principal_eur",
    "thematiques",
    "thematiques_texte",
    "public_cible",
    "eligibilite",
    "partenaires",
    "partenaires_texte",
    "resultats",
    "gouvernance",
    "source_document",
    "source_section",
    "source_date",
    "contact_role",
    "contact_organisation",
    "texte_recherche",
)


def catalogue_frame(entries: list[dict]) -> pd.DataFrame:
    """One row per entry, flat columns for tables and filters, list columns kept for exact filtering."""
    rows = []
    for entry in entries:
        coll = entry.get("collectivite") or {}
        montants = entry.get("montants") or {}
        source = entry.get("source") or {}
        contact = entry.get("contact") or {}
        leviers = list(entry.get("leviers") or [])
        annees = list(entry.get("annees") or [])
        thematiques = list(entry.get("thematiques") or [])
        partenaires = list(entry.get("partenaires") or [])
        region = coll.get("region")
        row: dict[str, Any] = {
            "id": entry.get("id"),
            "titre": entry.get("titre"),
            "collectivite_nom": coll.get("nom"),
            "collectivite_type": coll.get("type"),
            "collectivite_niveau": coll.get("niveau"),
            "collectivite_code": coll.get("code"),
            "region": region,
            "region_nom": REGIONS.get(region) if region else None,
            "leviers": leviers,
            "leviers_texte": _join(leviers),
            "description": entry.get("description"),
            "annees": annees,
            "annees_texte": _join(annees),
            "montants_autre": montants.get(MONTANT_AUTRE),
            "montant_principal_eur": _montant_principal(montants),
            "thematiques": thematiques,
            "thematiques_texte": _join(thematiques),
            "public_cible": entry.get("public_cible"),
            "eligibilite": entry.get("eligibilite"),
            "partenaires": partenaires,
            "partenaires_texte": _join(partenaires),
            "resultats": entry.get("resultats"),
            "gouvernance": entry.get("gouvernance"),
            "source_document": source.get("document"),
            "source_section": source.get("section"),
            "source_date": source.get("date"),
            "contact_role": contact.get("role"),
            "contact_organisation": contact.get("organisation"),
        }
        for key in MONTANT_KEYS:
            value = montants.get(key)
            row[key] = float(value) if value is not None else None
        searchable = [
            entry.get("titre"),
            entry.get("description"),
            coll.get("nom"),
            coll.get("niveau"),
            *thematiques,
            *partenaires,
        ]
        row["texte_recherche"] = normaliser_texte(" ".join(str(part) for part in searchable if part))
        rows.append(row)
    frame = pd.DataFrame(rows, columns=list(FRAME_COLUMNS))
    numeric = [*MONTANT_KEYS, "montant_principal_eur"]
    frame[numeric] = frame[numeric].astype("float64")
    return frame


def _overlaps(values: object, wanted: set[str]) -> bool:
    if not isinstance(values, list):
        return False
    return any(normaliser_texte(v) in wanted for v in values)


def filter_catalogue(
    df: pd.DataFrame,
    leviers: Iterable[str] | None = None,
    types: Iterable[str] | None = None,
    regions: Iterable[str] | None = None,
    thematiques: Iterable[str] | None = None,
    montant_min: float | None = None,
    montant_max: float | None = None,
    annee: int | None = None,
    texte: str | None = None,
) -> pd.DataFrame:
    """Filter the catalogue frame; empty or None criteria are ignored.

    Within one criterion values are alternatives (an entry with ANY selected lever matches); criteria are
    combined with AND. Amount bounds apply to ``montant_principal_eur`` and exclude entries without one.
    The free text is accent- and case-insensitive and every word must appear.
    """
    mask = pd.Series(True, index=df.index)
    lev = {normaliser_texte(v) for v in leviers or []}
    if lev:
        mask &= df["leviers"].map(lambda values: _overlaps(values, lev))
    kinds = set(types or [])
    if kinds:
        mask &= df["collectivite_type"].isin(kinds)
    regs = {str(r) for r in regions or []}
    if regs:
        mask &= df["region"].isin(regs)
    themes = {normaliser_texte(v) for v in thematiques or []}
    if themes:
        mask &= df["thematiques"].map(lambda values: _overlaps(values, themes))
    if montant_min is not None:
        mask &= df["montant_principal_eur"].ge(montant_min).fillna(False)
    if montant_max is not None:
        mask &= df["montant_principal_eur"].le(montant_max).fillna(False)
    if annee is not None:
        mask &= df["annees"].map(lambda years: isinstance(years, list) and int(annee) in years)
    words = normaliser_texte(texte).split() if texte else []
    for word in words:
        mask &= df["texte_recherche"].str.contains(word, regex=False)
    return df.loc[mask.astype(bool)].reset_index(drop=True)


# ------------------------------------------------------------------------------------------------ toolbox


def source_boite_a_outils(path: Path | None = None) -> dict[str, Any]:
    """The toolbox's ``source`` block (document, section, date): what its caption cites."""
    path = Path(path) if path is not None else default_boite_a_outils_path()
    data = _parse_yaml(_read_text(path), path.name)
    source = data.get("source") if isinstance(data, Mapping) else None
    return dict(source) if isinstance(source, Mapping) else {}


def load_boite_a_outils(path: Path | None = None) -> pd.DataFrame:
    """The Cotentin toolbox (axes → orientations → actions → examples) as one row per example."""
    path = Path(path) if path is not None else default_boite_a_outils_path()
    data = _parse_yaml(_read_text(path), path.name)
    fichier = path.name
    if not isinstance(data, Mapping) or not isinstance(data.get("axes"), list):
        raise DonneesInvalides(f"Le fichier {fichier} doit contenir une clé « axes » (liste des axes).")
    rows: list[dict[str, Any]] = []
    errors: list[str] = []
    for i, axe in enumerate(data["axes"], start=1):
        if not isinstance(axe, Mapping) or not axe.get("axe"):
            errors.append(f"{fichier}, axe n° {i} : champ « axe » manquant.")
            continue
        for j, orient in enumerate(axe.get("orientations") or [], start=1):
            if not isinstance(orient, Mapping) or not orient.get("orientation"):
                errors.append(f"{fichier}, axe « {axe['axe']} », orientation n° {j} : champ « orientation » manquant.")
                continue
            for k, action in enumerate(orient.get("actions") or [], start=1):
                if not isinstance(action, Mapping) or not action.get("action"):
                    where = f"{fichier}, orientation « {orient['orientation']} », action n° {k}"
                    errors.append(f"{where} : champ « action » manquant.")
                    continue
                for m, ex in enumerate(action.get("exemples") or [], start=1):
                    if not isinstance(ex, Mapping) or not ex.get("texte"):
                        errors.append(
                            f"{fichier}, action « {action['action']} », exemple n° {m} : champ « texte » manquant."
                        )
                        continue
                    entrees = ex.get("entrees") or []
                    if not isinstance(entrees, list) or not all(isinstance(e, str) for e in entrees):
                        errors.append(
                            f"{fichier}, action « {action['action']} », exemple n° {m} : champ « entrees » : "
                            "liste d'identifiants du catalogue attendue."
                        )
                        continue
                    rows.append(
                        {
                            "axe": axe["axe"],
                            "orientation": orient["orientation"],
                            "action": action["action"],
                            "exemple": ex["texte"],
                            "entrees": list(entrees),
                        }
                    )
    _raise_if_errors(errors, fichier)
    return pd.DataFrame(rows, columns=["axe", "orientation", "action", "exemple", "entrees"])


# ------------------------------------------------------------------------------------------------ fiche


def format_nombre(value: float) -> str:
    """« 10 000 », « 7 500,50 »: the product's French number format (``labels``), cents only when given."""
    return fmt_int(value) if float(value).is_integer() else fmt_dec(value, 2)


def _format_montant(key: str, value: float) -> str:
    number = format_nombre(value)
    if key.endswith("_eur"):
        return f"{number}\u00a0€"
    if key == "heures_insertion":
        return f"{number}\u00a0h"
    return number


def fiche_markdown(entry: dict) -> str:
    """A one-page French Markdown fiche of an entry, every external text made literal (``texte_litteral``),
    ending with its source."""
    esc = texte_litteral
    coll = entry.get("collectivite") or {}
    lines: list[str] = [f"### {esc(entry.get('titre') or '')}", ""]
    who = [f"**{esc(coll.get('nom') or '')}**"]
    details = [esc(coll["niveau"]) if coll.get("niveau") else TYPE_LABELS.get(coll.get("type") or "", "")]
    if coll.get("region"):
        details.append(esc(REGIONS.get(coll["region"], f"région {coll['region']}")))
    details = [d for d in details if d]
    if details:
        who.append(" — " + ", ".join(details))
    lines += ["".join(who), ""]
    if entry.get("leviers"):
        lines += [f"**Leviers :** {esc(' · '.join(entry['leviers']))}", ""]
    if entry.get("description"):
        lines += [esc(entry["description"]), ""]
    if entry.get("annees"):
        lines.append(f"**Années :** {', '.join(str(y) for y in entry['annees'])}  ")
    if entry.get("thematiques"):
        lines.append(f"**Thématiques :** {esc(', '.join(entry['thematiques']))}  ")
    if lines[-1] != "":
        lines.append("")
    montants = entry.get("montants") or {}
    money = [(key, montants[key]) for key in MONTANT_KEYS if montants.get(key) is not None]
    if money or montants.get(MONTANT_AUTRE):
        lines.append("**Montants et chiffres clés**")
        lines.append("")
        lines += [f"- {MONTANT_LABELS[key]} : {_format_montant(key, value)}" for key, value in money]
        if montants.get(MONTANT_AUTRE):
            lines.append(f"- {esc(montants[MONTANT_AUTRE])}")
        lines.append("")
    for field, label in (
        ("public_cible", "Public cible"),
        ("eligibilite", "Éligibilité"),
        ("resultats", "Résultats et effets"),
        ("gouvernance", "Gouvernance"),
    ):
        if entry.get(field):
            lines += [f"**{label} :** {esc(entry[field])}", ""]
    if entry.get("partenaires"):
        lines += [f"**Partenaires :** {esc(', '.join(entry['partenaires']))}", ""]
    contact = entry.get("contact") or {}
    if contact.get("role") or contact.get("organisation"):
        parts = [esc(contact[k]) for k in CONTACT_KEYS if contact.get(k)]
        lines += [f"**Contact :** {' — '.join(parts)}", ""]
    source = entry.get("source") or {}
    lines.append(
        f"*Source : {citation(source.get('document'), source.get('section'), source.get('date'), markdown=True)}*"
    )
    return "\n".join(lines).strip() + "\n"
