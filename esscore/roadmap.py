"""Roadmap follow-up ("suivi de feuille de route"): file format, validation and the frames pages draw.

A roadmap is a plain nested document (strategic axes → operational axes → actions → indicators) so that
the same dict can come from a YAML file, a CSV file or the editable store's JSON column. Everything here
is pure: no Streamlit, no database, ``today`` is always passed in so that "en retard" is reproducible.
"""

from __future__ import annotations

import copy
import csv
import io
import math
import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from esscore import benchmark
from esscore.errors import DonneesInvalides

STATUTS: tuple[str, ...] = ("prévue", "en cours", "réalisée", "abandonnée")
ETATS: tuple[str, ...] = ("réalisée", "en cours", "prévue", "en retard", "abandonnée")
LEVIERS = benchmark.LEVIERS  # one taxonomy for roadmaps and the benchmark catalogue
TAILLE_MAX = 5 * 1024 * 1024  # a roadmap is a few dozen KB; anything bigger is a wrong file

ACTION_COLUMNS: tuple[str, ...] = (
    "feuille_id",
    "axe_code",
    "axe_titre",
    "axe_op_code",
    "axe_op_titre",
    "action_code",
    "action_titre",
    "description",
    "pilote",
    "elu_referent",
    "partenaires",
    "levier",
    "budget_eur",
    "debut",
    "fin",
    "statut",
    "etat",
    "en_retard",
    "public",
    "objectifs",
    "moyens",
    "nb_indicateurs",
)
INDICATOR_COLUMNS: tuple[str, ...] = (
    "feuille_id",
    "axe_code",
    "action_code",
    "action_titre",
    "indicateur_code",
    "libelle",
    "unite",
    "valeur_initiale",
    "cible",
    "date",
    "valeur",
)
TIMELINE_COLUMNS: tuple[str, ...] = (
    "axe_code",
    "axe_op_code",
    "action_code",
    "action_titre",
    "libelle",
    "debut",
    "fin",
    "statut",
    "etat",
)

_CHAMPS_FEUILLE = {
    "id",
    "titre",
    "territoire",
    "periode",
    "gouvernance",
    "source",
    "exemple",
    "note",
    "axes",
}
_CHAMPS_AXE = {"code", "titre", "axes_operationnels"}
_CHAMPS_AXE_OP = {"code", "titre", "actions"}
_CHAMPS_ACTION = {
    "code",
    "titre",
    "description",
    "pilote",
    "elu_referent",
    "partenaires",
    "levier",
    "budget_eur",
    "debut",
    "fin",
    "statut",
    "public",
    "objectifs",
    "moyens",
    "indicateurs",
}
_CHAMPS_INDICATEUR = {"code", "libelle", "unite", "valeur_initiale", "cible", "valeurs"}
_CHAMPS_SOURCE = {"document", "section", "date", "url"}

_RE_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
_RE_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$")
_RE_TERRITOIRE = re.compile(r"^[a-z_]+(:[0-9A-Za-z]+)?$")
_RE_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TEXTE_MAX = 5000

CSV_COLONNES_REQUISES: tuple[str, ...] = (
    "axe_code",
    "axe_titre",
    "axe_op_code",
    "axe_op_titre",
    "action_code",
    "action_titre",
    "pilote",
    "elu_referent",
    "partenaires",
    "levier",
    "budget_eur",
    "debut",
    "fin",
    "statut",
)
CSV_COLONNES_ACTION_OPTIONNELLES: tuple[str, ...] = ("description", "public", "objectifs", "moyens")
CSV_COLONNES_INDICATEUR: tuple[str, ...] = (
    "indicateur_code",
    "indicateur_libelle",
    "indicateur_unite",
    "indicateur_valeur_initiale",
    "indicateur_cible",
    "indicateur_date",
    "indicateur_valeur",
)
CSV_COLONNES_FEUILLE: tuple[str, ...] = (
    "feuille_id",
    "feuille_titre",
    "territoire",
    "periode_debut",
    "periode_fin",
    "gouvernance",
)


class FeuilleDeRouteInvalide(DonneesInvalides):
    """All the problems found in one roadmap file, so the user can fix them in one pass."""

    def __init__(self, fichier: str, erreurs: list[str]) -> None:
        self.fichier = fichier
        self.erreurs = list(erreurs)
        entete = f"Feuille de route invalide « {fichier} » ({len(erreurs)} erreur(s)) :"
        super().__init__("\n".join([entete, *(f"- {e}" for e in erreurs)]))


# --------------------------------------------------------------------------- reading files


def load_roadmap_file(path: str | Path) -> dict[str, Any]:
    """Parse a YAML (.yaml/.yml) or CSV (.csv) roadmap into the nested document, without validating it.

    Size and encoding are checked here because they are the errors a user makes with exports from a
    spreadsheet (a 50 MB workbook, a Latin-1 CSV), and they deserve a message better than a traceback.
    """
    p = Path(path)
    nom = p.name
    if not p.is_file():
        raise DonneesInvalides(f"Fichier « {p} » introuvable : vérifiez le chemin de la feuille de route.")
    taille = p.stat().st_size
    if taille > TAILLE_MAX:
        raise DonneesInvalides(
            f"Fichier « {nom} » trop volumineux ({taille / 1024 / 1024:.1f} Mo > 5 Mo) : "
            "une feuille de route tient en quelques dizaines de Ko, vérifiez qu'il s'agit du bon fichier."
        )
    brut = p.read_bytes()
    try:
        texte = brut.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DonneesInvalides(
            f"Fichier « {nom} » : encodage non UTF-8 (octet illisible à la position {exc.start}). "
            "Réenregistrez-le en UTF-8 (dans un tableur : « CSV UTF-8 »)."
        ) from None
    suffixe = p.suffix.lower()
    if suffixe in (".yaml", ".yml"):
        return _parse_yaml(texte, nom)
    if suffixe == ".csv":
        return _parse_csv(texte, nom, defaut_id=_slug(p.stem))
    raise DonneesInvalides(
        f"Fichier « {nom} » : extension « {p.suffix or '(aucune)'} » non prise en charge ; "
        "utilisez un fichier .yaml, .yml ou .csv."
    )


def read_roadmap(path: str | Path) -> dict[str, Any]:
    """Load and validate a roadmap file: what the CLI import and the store seeding call."""
    return validate_roadmap(load_roadmap_file(path), Path(path).name)


class _ChargeurYaml(yaml.SafeLoader):
    """SafeLoader that keeps dates as text: "2024-13-01" must reach validation, not crash the parser."""


_ChargeurYaml.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _parse_yaml(texte: str, nom: str) -> dict[str, Any]:
    try:
        doc = yaml.load(texte, Loader=_ChargeurYaml)  # noqa: S506 - SafeLoader subclass
    except yaml.YAMLError as exc:
        ligne = ""
        mark = getattr(exc, "problem_mark", None)
        if mark is not None:
            ligne = f" (ligne {mark.line + 1}, colonne {mark.column + 1})"
        raise DonneesInvalides(
            f"Fichier « {nom} » : YAML illisible{ligne} ; vérifiez l'indentation et les deux-points."
        ) from None
    except RecursionError:
        raise DonneesInvalides(f"Fichier « {nom} » : YAML trop profondément imbriqué.") from None
    except ValueError:  # e.g. an integer of more than 4 300 digits (Python's conversion limit)
        raise DonneesInvalides(
            f"Fichier « {nom} » : valeur illisible (nombre de plus de 4 300 chiffres ?) ; corrigez la valeur."
        ) from None
    if not isinstance(doc, dict):
        raise DonneesInvalides(
            f"Fichier « {nom} » : le YAML doit décrire une feuille de route (clés id, titre, axes…), "
            f"pas un(e) {type(doc).__name__}."
        )
    return doc


def _slug(texte: str) -> str:
    s = re.sub(r"[^a-z0-9_-]+", "-", texte.lower()).strip("-")
    return s[:64] or "feuille-de-route"


def _cellule(row: Mapping[str, str | None], col: str) -> str | None:
    val = row.get(col)
    if val is None:
        return None
    val = val.strip()
    return val or None


def _parse_csv(texte: str, nom: str, defaut_id: str) -> dict[str, Any]:
    """One row per action; rows repeating an action code add indicators or dated indicator values."""
    # The header never contains data, so its separator count is a safer guess than csv.Sniffer,
    # which gets confused by the ";"-separated partner lists inside comma-separated files.
    entete = texte.split("\n", 1)[0]
    separateur = max((",", ";", "\t"), key=entete.count)
    lecteur = csv.DictReader(io.StringIO(texte), delimiter=separateur)
    colonnes = [c.strip() for c in (lecteur.fieldnames or [])]
    lecteur.fieldnames = colonnes
    manquantes = [c for c in CSV_COLONNES_REQUISES if c not in colonnes]
    if manquantes:
        raise DonneesInvalides(
            f"Fichier « {nom} » : colonne(s) manquante(s) {', '.join(manquantes)} ; "
            f"l'en-tête attendu commence par : {','.join(CSV_COLONNES_REQUISES)}."
        )
    connues = set(CSV_COLONNES_REQUISES) | set(CSV_COLONNES_ACTION_OPTIONNELLES)
    connues |= set(CSV_COLONNES_INDICATEUR) | set(CSV_COLONNES_FEUILLE)
    inconnues = [c for c in colonnes if c not in connues]
    if inconnues:
        raise DonneesInvalides(
            f"Fichier « {nom} » : colonne(s) inconnue(s) {', '.join(inconnues)} ; "
            "voir data/feuilles_de_route/README.md pour la liste des colonnes."
        )

    erreurs: list[str] = []
    meta: dict[str, str] = {}
    axes: dict[str, dict[str, Any]] = {}
    axes_op: dict[str, dict[str, Any]] = {}
    actions: dict[str, dict[str, Any]] = {}
    indicateurs: dict[tuple[str, str], dict[str, Any]] = {}

    def coherent(ligne: int, cible: dict[str, Any], champ: str, valeur: Any, quoi: str) -> None:
        if valeur is None:
            return
        if cible.get(champ) is None:
            cible[champ] = valeur
        elif cible[champ] != valeur:
            erreurs.append(
                f"ligne {ligne} : {quoi} : champ « {champ} » différent de la première ligne "
                f"(« {cible[champ]} » puis « {valeur} ») ; une même entité doit avoir les mêmes valeurs."
            )

    nb = 0
    for ligne, row in enumerate(lecteur, start=2):
        if None in row:  # more cells than header columns
            erreurs.append(f"ligne {ligne} : plus de cellules que de colonnes dans l'en-tête.")
        if all(not (v or "").strip() for k, v in row.items() if k is not None and isinstance(v, str)):
            continue
        nb += 1
        for col in CSV_COLONNES_FEUILLE:
            val = _cellule(row, col)
            if val is not None:
                if col in meta and meta[col] != val:
                    erreurs.append(f"ligne {ligne} : colonne « {col} » différente des lignes précédentes.")
                meta.setdefault(col, val)
        axe_code = _cellule(row, "axe_code") or ""
        op_code = _cellule(row, "axe_op_code") or ""
        act_code = _cellule(row, "action_code")
        if act_code is None:
            erreurs.append(f"ligne {ligne} : champ « action_code » vide ; chaque ligne décrit une action.")
            continue
        axe = axes.get(axe_code)
        if axe is None:
            axe = axes[axe_code] = {"code": axe_code, "titre": None, "axes_operationnels": []}
        coherent(ligne, axe, "titre", _cellule(row, "axe_titre"), f"axe {axe_code}")
        op = axes_op.get(op_code)
        if op is None:
            op = axes_op[op_code] = {"code": op_code, "titre": None, "actions": []}
            op["_axe"] = axe_code
            axe["axes_operationnels"].append(op)
        elif op["_axe"] != axe_code:
            erreurs.append(
                f"ligne {ligne} : action {act_code} : l'axe opérationnel {op_code} est rattaché "
                f"à l'axe {op['_axe']} sur une ligne précédente, pas à {axe_code}."
            )
        coherent(ligne, op, "titre", _cellule(row, "axe_op_titre"), f"axe opérationnel {op_code}")
        act = actions.get(act_code)
        if act is None:
            act = actions[act_code] = {"code": act_code, "indicateurs": []}
            act["_op"] = op_code
            op["actions"].append(act)
        elif act["_op"] != op_code:
            erreurs.append(
                f"ligne {ligne} : action {act_code} : code déjà utilisé sous l'axe opérationnel "
                f"{act['_op']} ; les codes d'action doivent être uniques."
            )
        champs = {
            "titre": "action_titre",
            "pilote": "pilote",
            "elu_referent": "elu_referent",
            "levier": "levier",
            "budget_eur": "budget_eur",
            "debut": "debut",
            "fin": "fin",
            "statut": "statut",
            **{c: c for c in CSV_COLONNES_ACTION_OPTIONNELLES},
        }
        for champ, col in champs.items():
            coherent(ligne, act, champ, _cellule(row, col), f"action {act_code}")
        partenaires = _cellule(row, "partenaires")
        if partenaires is not None:
            liste = [p.strip() for p in partenaires.split(";") if p.strip()]
            coherent(ligne, act, "partenaires", liste, f"action {act_code}")
        ind_code = _cellule(row, "indicateur_code")
        autres = [c for c in CSV_COLONNES_INDICATEUR[1:] if _cellule(row, c) is not None]
        if ind_code is None:
            if autres:
                erreurs.append(
                    f"ligne {ligne} : action {act_code} : colonnes d'indicateur remplies "
                    f"({', '.join(autres)}) sans « indicateur_code »."
                )
            continue
        ind = indicateurs.get((act_code, ind_code))
        if ind is None:
            ind = indicateurs[(act_code, ind_code)] = {"code": ind_code, "valeurs": []}
            act["indicateurs"].append(ind)
        for champ, col in (
            ("libelle", "indicateur_libelle"),
            ("unite", "indicateur_unite"),
            ("valeur_initiale", "indicateur_valeur_initiale"),
            ("cible", "indicateur_cible"),
        ):
            coherent(ligne, ind, champ, _cellule(row, col), f"action {act_code}, indicateur {ind_code}")
        d, v = _cellule(row, "indicateur_date"), _cellule(row, "indicateur_valeur")
        if (d is None) != (v is None):
            erreurs.append(
                f"ligne {ligne} : action {act_code}, indicateur {ind_code} : « indicateur_date » et "
                "« indicateur_valeur » vont ensemble (remplir les deux ou aucune)."
            )
        elif d is not None:
            ind["valeurs"].append({"date": d, "valeur": v})
    if nb == 0:
        erreurs.append("aucune ligne d'action : le fichier ne contient que l'en-tête.")
    if erreurs:
        raise FeuilleDeRouteInvalide(nom, erreurs)

    for op in axes_op.values():
        op.pop("_axe", None)
    for act in actions.values():
        act.pop("_op", None)
        if "partenaires" not in act:
            act["partenaires"] = []
    periode = None
    if "periode_debut" in meta or "periode_fin" in meta:
        periode = {"debut": meta.get("periode_debut"), "fin": meta.get("periode_fin")}
    return {
        "id": meta.get("feuille_id", defaut_id),
        "titre": meta.get("feuille_titre", f"Feuille de route importée ({nom})"),
        "territoire": meta.get("territoire"),
        "periode": periode,
        "gouvernance": meta.get("gouvernance"),
        "source": {"document": nom, "section": None, "date": None},
        "exemple": False,
        "axes": list(axes.values()),
    }


# --------------------------------------------------------------------------- validation


def _texte(val: Any, ou: str, champ: str, erreurs: list[str], requis: bool = False) -> str | None:
    if val is None or (isinstance(val, str) and not val.strip()):
        if requis:
            erreurs.append(f"{ou} : champ « {champ} » manquant ou vide ; renseignez-le.")
        return None
    if isinstance(val, bool) or not isinstance(val, str | int | float):
        erreurs.append(f"{ou} : champ « {champ} » doit être un texte, pas un(e) {type(val).__name__}.")
        return None
    s = str(val).strip()
    if len(s) > _TEXTE_MAX:
        erreurs.append(f"{ou} : champ « {champ} » trop long ({len(s)} caractères > {_TEXTE_MAX}).")
        return None
    return s


def parse_date(val: Any) -> date | None:
    """Accept a ``date``, a ``datetime`` or a ``YYYY-MM-DD`` string; raise ``ValueError`` otherwise."""
    if val is None or (isinstance(val, str) and not val.strip()):
        return None
    if isinstance(val, datetime):
        return val.date()
    if isinstance(val, date):
        return val
    if isinstance(val, str) and _RE_DATE.match(val.strip()):
        return date.fromisoformat(val.strip())
    raise ValueError(val)


def _date(val: Any, ou: str, champ: str, erreurs: list[str]) -> str | None:
    try:
        d = parse_date(val)
    except ValueError:
        erreurs.append(f"{ou} : champ « {champ} » : date « {val} » invalide ; format attendu AAAA-MM-JJ.")
        return None
    return d.isoformat() if d else None


def parse_nombre(val: Any) -> float | None:
    """Numbers from YAML or from French spreadsheets ("12 500,50"); ``ValueError`` when not a number."""
    if val is None or (isinstance(val, str) and not val.strip()):
        return None
    if isinstance(val, bool):
        raise ValueError(val)
    if isinstance(val, int | float):
        x = float(val)
    elif isinstance(val, str):
        s = val.strip().replace("\u202f", "").replace("\u00a0", "").replace(" ", "").replace("€", "")
        s = s.replace(",", ".")
        try:
            x = float(s)
        except ValueError:
            raise ValueError(val) from None
    else:
        raise ValueError(val)
    if not math.isfinite(x):
        raise ValueError(val)
    return x


def _nombre(val: Any, ou: str, champ: str, erreurs: list[str], positif: bool = False) -> float | int | None:
    try:
        x = parse_nombre(val)
    except ValueError:
        erreurs.append(f"{ou} : champ « {champ} » : « {val} » n'est pas un nombre.")
        return None
    if x is None:
        return None
    if positif and x < 0:
        erreurs.append(f"{ou} : champ « {champ} » : valeur négative ({val}) ; un montant est positif ou nul.")
        return None
    return int(x) if x.is_integer() and abs(x) < 2**53 else x


def _champs_inconnus(obj: Mapping[str, Any], permis: set[str], ou: str, erreurs: list[str]) -> None:
    inconnus = sorted(str(k) for k in obj if k not in permis)
    if inconnus:
        erreurs.append(
            f"{ou} : champ(s) inconnu(s) {', '.join(inconnus)} ; champs acceptés : {', '.join(sorted(permis))}."
        )


def _liste(val: Any, ou: str, champ: str, erreurs: list[str]) -> list[Any]:
    if val is None:
        return []
    if not isinstance(val, list):
        erreurs.append(f"{ou} : champ « {champ} » doit être une liste.")
        return []
    return val


def _levier(val: Any, ou: str, erreurs: list[str]) -> str | None:
    s = _texte(val, ou, "levier", erreurs)
    if s is None:
        return None
    for lev in LEVIERS:
        if s.casefold() == lev.casefold():
            return lev
    erreurs.append(f"{ou} : champ « levier » : « {s} » inconnu ; valeurs possibles : {', '.join(LEVIERS)}.")
    return None


def _statut(val: Any, ou: str, erreurs: list[str]) -> str:
    s = _texte(val, ou, "statut", erreurs)
    if s is None:
        return "prévue"
    for st in STATUTS:
        if s.casefold() == st.casefold():
            return st
    erreurs.append(f"{ou} : champ « statut » : « {s} » inconnu ; valeurs possibles : {', '.join(STATUTS)}.")
    return "prévue"


def _valider_indicateur(raw: Any, ou_action: str, erreurs: list[str]) -> dict[str, Any] | None:
    if not isinstance(raw, dict):
        erreurs.append(f"{ou_action} : chaque indicateur doit être un objet (code, libelle, unite…).")
        return None
    code = _texte(raw.get("code"), f"{ou_action}, indicateur", "code", erreurs, requis=True)
    ou = f"{ou_action}, indicateur {code or '?'}"
    _champs_inconnus(raw, _CHAMPS_INDICATEUR, ou, erreurs)
    valeurs: list[dict[str, Any]] = []
    vues: set[str] = set()
    for i, v in enumerate(_liste(raw.get("valeurs"), ou, "valeurs", erreurs), start=1):
        if not isinstance(v, dict) or set(v) - {"date", "valeur"}:
            erreurs.append(f"{ou} : valeur n°{i} : attendu un objet {{date, valeur}}.")
            continue
        d = _date(v.get("date"), f"{ou}, valeur n°{i}", "date", erreurs)
        x = _nombre(v.get("valeur"), f"{ou}, valeur n°{i}", "valeur", erreurs)
        if d is None or x is None:
            if v.get("date") is None or v.get("valeur") is None:
                erreurs.append(f"{ou} : valeur n°{i} : « date » et « valeur » sont obligatoires.")
            continue
        if d in vues:
            erreurs.append(f"{ou} : deux valeurs à la même date {d} ; gardez-en une seule.")
            continue
        vues.add(d)
        valeurs.append({"date": d, "valeur": x})
    valeurs.sort(key=lambda v: v["date"])
    return {
        "code": code,
        "libelle": _texte(raw.get("libelle"), ou, "libelle", erreurs, requis=True),
        "unite": _texte(raw.get("unite"), ou, "unite", erreurs),
        "valeur_initiale": _nombre(raw.get("valeur_initiale"), ou, "valeur_initiale", erreurs),
        "cible": _nombre(raw.get("cible"), ou, "cible", erreurs),
        "valeurs": valeurs,
    }


def _valider_action(raw: Any, ou_op: str, erreurs: list[str]) -> dict[str, Any] | None:
    if not isinstance(raw, dict):
        erreurs.append(f"{ou_op} : chaque action doit être un objet (code, titre, statut…).")
        return None
    code = _texte(raw.get("code"), f"{ou_op}, action", "code", erreurs, requis=True)
    if code is not None and not _RE_CODE.match(code):
        erreurs.append(f"action {code} : code invalide (lettres, chiffres, « . », « - », 32 caractères max).")
    ou = f"action {code or '?'}"
    _champs_inconnus(raw, _CHAMPS_ACTION, ou, erreurs)
    debut = _date(raw.get("debut"), ou, "debut", erreurs)
    fin = _date(raw.get("fin"), ou, "fin", erreurs)
    if debut and fin and fin < debut:
        erreurs.append(f"{ou} : champ « fin » ({fin}) antérieur au début ({debut}) ; corrigez l'une des dates.")
    partenaires_raw = raw.get("partenaires")
    if isinstance(partenaires_raw, str):
        partenaires_raw = [p for p in partenaires_raw.split(";")]
    partenaires = [
        p
        for p in (_texte(x, ou, "partenaires", erreurs) for x in _liste(partenaires_raw, ou, "partenaires", erreurs))
        if p
    ]
    indicateurs: list[dict[str, Any]] = []
    codes_ind: set[str] = set()
    for ind_raw in _liste(raw.get("indicateurs"), ou, "indicateurs", erreurs):
        ind = _valider_indicateur(ind_raw, ou, erreurs)
        if ind is None:
            continue
        if ind["code"] in codes_ind:
            erreurs.append(f"{ou} : code d'indicateur « {ind['code']} » en double.")
        codes_ind.add(ind["code"])
        indicateurs.append(ind)
    return {
        "code": code,
        "titre": _texte(raw.get("titre"), ou, "titre", erreurs, requis=True),
        "description": _texte(raw.get("description"), ou, "description", erreurs),
        "pilote": _texte(raw.get("pilote"), ou, "pilote", erreurs),
        "elu_referent": _texte(raw.get("elu_referent"), ou, "elu_referent", erreurs),
        "partenaires": partenaires,
        "levier": _levier(raw.get("levier"), ou, erreurs),
        "budget_eur": _nombre(raw.get("budget_eur"), ou, "budget_eur", erreurs, positif=True),
        "debut": debut,
        "fin": fin,
        "statut": _statut(raw.get("statut"), ou, erreurs),
        "public": _texte(raw.get("public"), ou, "public", erreurs),
        "objectifs": _texte(raw.get("objectifs"), ou, "objectifs", erreurs),
        "moyens": _texte(raw.get("moyens"), ou, "moyens", erreurs),
        "indicateurs": indicateurs,
    }


def validate_roadmap(doc: Any, fichier: str) -> dict[str, Any]:
    """Check a roadmap document and return a normalised deep copy (ISO date strings, numbers, lists).

    Every problem is collected before raising, because a user fixing a spreadsheet wants the whole list,
    not one error per attempt. The returned dict is JSON-serialisable, which the store relies on.
    """
    erreurs: list[str] = []
    if not isinstance(doc, dict):
        raise FeuilleDeRouteInvalide(fichier, ["le document doit être un objet (id, titre, axes…)."])
    doc = copy.deepcopy(doc)
    _champs_inconnus(doc, _CHAMPS_FEUILLE, "feuille de route", erreurs)
    ident = _texte(doc.get("id"), "feuille de route", "id", erreurs, requis=True)
    if ident is not None and not _RE_ID.match(ident):
        erreurs.append(
            f"feuille de route : champ « id » : « {ident} » invalide ; minuscules, chiffres, « - » ou « _ », "
            "64 caractères max (ex. niort-2023-2026)."
        )
    titre = _texte(doc.get("titre"), "feuille de route", "titre", erreurs, requis=True)
    gouvernance = _texte(doc.get("gouvernance"), "feuille de route", "gouvernance", erreurs)
    note = _texte(doc.get("note"), "feuille de route", "note", erreurs)
    territoire = _texte(doc.get("territoire"), "feuille de route", "territoire", erreurs)
    if territoire is not None and not _RE_TERRITOIRE.match(territoire):
        erreurs.append(
            f"feuille de route : champ « territoire » : « {territoire} » invalide ; "
            "forme attendue type:code (ex. epci:200041317, departement:50)."
        )
    periode: dict[str, str | None] = {"debut": None, "fin": None}
    per_raw = doc.get("periode")
    if per_raw is not None:
        if not isinstance(per_raw, dict) or set(per_raw) - {"debut", "fin"}:
            erreurs.append("feuille de route : champ « periode » : attendu {debut, fin}.")
        else:
            periode["debut"] = _date(per_raw.get("debut"), "feuille de route, periode", "debut", erreurs)
            periode["fin"] = _date(per_raw.get("fin"), "feuille de route, periode", "fin", erreurs)
            if periode["debut"] and periode["fin"] and periode["fin"] < periode["debut"]:
                erreurs.append("feuille de route : champ « periode.fin » antérieur à « periode.debut ».")
    source: dict[str, Any] | None = None
    src_raw = doc.get("source")
    if src_raw is not None:
        if not isinstance(src_raw, dict):
            erreurs.append("feuille de route : champ « source » : attendu {document, section, date}.")
        else:
            _champs_inconnus(src_raw, _CHAMPS_SOURCE, "feuille de route, source", erreurs)
            source = {}
            for k in ("document", "section", "date", "url"):
                val = src_raw.get(k)
                if isinstance(val, date):  # YAML turns 2023-01-01 into a date; a year stays a string
                    source[k] = val.isoformat()
                else:
                    source[k] = _texte(val, "feuille de route, source", k, erreurs)
    exemple = doc.get("exemple", False)
    if not isinstance(exemple, bool):
        erreurs.append("feuille de route : champ « exemple » doit valoir true ou false.")
        exemple = False

    axes: list[dict[str, Any]] = []
    codes: dict[str, str] = {}

    def unique(code: str | None, nature: str) -> None:
        if code is None:
            return
        if code in codes:
            erreurs.append(
                f"{nature} {code} : code en double (déjà pris par un autre élément : {codes[code]}) ; "
                "chaque code d'axe, d'axe opérationnel et d'action doit être unique."
            )
        else:
            codes[code] = nature

    axes_raw = _liste(doc.get("axes"), "feuille de route", "axes", erreurs)
    if not axes_raw and "axes" not in doc:
        erreurs.append("feuille de route : champ « axes » manquant ; au moins un axe stratégique est requis.")
    for axe_raw in axes_raw:
        if not isinstance(axe_raw, dict):
            erreurs.append("feuille de route : chaque axe doit être un objet (code, titre, axes_operationnels).")
            continue
        acode = _texte(axe_raw.get("code"), "axe", "code", erreurs, requis=True)
        ou_axe = f"axe {acode or '?'}"
        _champs_inconnus(axe_raw, _CHAMPS_AXE, ou_axe, erreurs)
        unique(acode, "axe")
        ops: list[dict[str, Any]] = []
        for op_raw in _liste(axe_raw.get("axes_operationnels"), ou_axe, "axes_operationnels", erreurs):
            if not isinstance(op_raw, dict):
                erreurs.append(f"{ou_axe} : chaque axe opérationnel doit être un objet (code, titre, actions).")
                continue
            ocode = _texte(op_raw.get("code"), f"{ou_axe}, axe opérationnel", "code", erreurs, requis=True)
            ou_op = f"axe opérationnel {ocode or '?'}"
            _champs_inconnus(op_raw, _CHAMPS_AXE_OP, ou_op, erreurs)
            unique(ocode, "axe opérationnel")
            acts: list[dict[str, Any]] = []
            for act_raw in _liste(op_raw.get("actions"), ou_op, "actions", erreurs):
                act = _valider_action(act_raw, ou_op, erreurs)
                if act is not None:
                    unique(act["code"], "action")
                    acts.append(act)
            ops.append(
                {
                    "code": ocode,
                    "titre": _texte(op_raw.get("titre"), ou_op, "titre", erreurs, True),
                    "actions": acts,
                }
            )
        axes.append(
            {
                "code": acode,
                "titre": _texte(axe_raw.get("titre"), ou_axe, "titre", erreurs, requis=True),
                "axes_operationnels": ops,
            }
        )
    if erreurs:
        raise FeuilleDeRouteInvalide(fichier, erreurs)
    return {
        "id": ident,
        "titre": titre,
        "territoire": territoire,
        "periode": periode,
        "gouvernance": gouvernance,
        "source": source,
        "exemple": exemple,
        "note": note,
        "axes": axes,
    }


# --------------------------------------------------------------------------- frames for pages


def iter_actions(doc: Mapping[str, Any]) -> Iterable[tuple[dict[str, Any], dict[str, Any], dict[str, Any]]]:
    """Yield ``(axe, axe_operationnel, action)`` in document order."""
    for axe in doc.get("axes") or []:
        for op in axe.get("axes_operationnels") or []:
            for act in op.get("actions") or []:
                yield axe, op, act


def find_action(doc: Mapping[str, Any], action_code: str) -> dict[str, Any] | None:
    """The action dict (mutable, inside ``doc``) with this code, or None."""
    for _, _, act in iter_actions(doc):
        if act.get("code") == action_code:
            return act
    return None


def etat_action(statut: str, fin: date | None, today: date) -> str:
    """Displayed state: the recorded status, except open actions past their end date become "en retard"."""
    if statut in ("réalisée", "abandonnée"):
        return statut
    if fin is not None and fin < today:
        return "en retard"
    return statut


def _ts(val: Any) -> pd.Timestamp | None:
    d = parse_date(val)
    return pd.Timestamp(d) if d else None


def actions_frame(doc: Mapping[str, Any], today: date) -> pd.DataFrame:
    """One row per action with its axis and operational-axis labels and the computed ``etat``."""
    rows = []
    for axe, op, act in iter_actions(doc):
        fin = parse_date(act.get("fin"))
        statut = act.get("statut") or "prévue"
        etat = etat_action(statut, fin, today)
        rows.append(
            {
                "feuille_id": doc.get("id"),
                "axe_code": axe.get("code"),
                "axe_titre": axe.get("titre"),
                "axe_op_code": op.get("code"),
                "axe_op_titre": op.get("titre"),
                "action_code": act.get("code"),
                "action_titre": act.get("titre"),
                "description": act.get("description"),
                "pilote": act.get("pilote"),
                "elu_referent": act.get("elu_referent"),
                "partenaires": "; ".join(act.get("partenaires") or []),
                "levier": act.get("levier"),
                "budget_eur": parse_nombre(act.get("budget_eur")),
                "debut": _ts(act.get("debut")),
                "fin": _ts(act.get("fin")),
                "statut": statut,
                "etat": etat,
                "en_retard": etat == "en retard",
                "public": act.get("public"),
                "objectifs": act.get("objectifs"),
                "moyens": act.get("moyens"),
                "nb_indicateurs": len(act.get("indicateurs") or []),
            }
        )
    df = pd.DataFrame(rows, columns=list(ACTION_COLUMNS))
    df["budget_eur"] = df["budget_eur"].astype("float64")
    df["debut"] = pd.to_datetime(df["debut"])
    df["fin"] = pd.to_datetime(df["fin"])
    df["en_retard"] = df["en_retard"].astype(bool)
    df["nb_indicateurs"] = df["nb_indicateurs"].astype("int64")
    return df


def progress_by_axis(actions_df: pd.DataFrame) -> pd.DataFrame:
    """Counts per state for each strategic axis, in document order.

    ``taux_realisation`` = réalisées / (total − abandonnées), NaN when no action is left to count: an
    abandoned action should neither lower nor raise the rate.
    """
    colonnes = ["axe", "axe_titre", *ETATS, "total", "taux_realisation"]
    if actions_df.empty:
        return pd.DataFrame(columns=colonnes)
    ordre = list(dict.fromkeys(actions_df["axe_code"]))
    comptes = pd.crosstab(actions_df["axe_code"], actions_df["etat"]).reindex(
        index=ordre, columns=list(ETATS), fill_value=0
    )
    titres = actions_df.drop_duplicates("axe_code").set_index("axe_code")["axe_titre"]
    out = comptes.astype("int64").reset_index().rename(columns={"axe_code": "axe"})
    out.columns.name = None
    out.insert(1, "axe_titre", out["axe"].map(titres))
    out["total"] = out[list(ETATS)].sum(axis=1).astype("int64")
    base = (out["total"] - out["abandonnée"]).astype("float64")
    out["taux_realisation"] = (out["réalisée"] / base.where(base > 0)).astype("float64")
    return out[colonnes]


def indicators_frame(doc: Mapping[str, Any]) -> pd.DataFrame:
    """One row per dated indicator value; an indicator without values gets one row with a null date."""
    rows = []
    for axe, _, act in iter_actions(doc):
        for ind in act.get("indicateurs") or []:
            base = {
                "feuille_id": doc.get("id"),
                "axe_code": axe.get("code"),
                "action_code": act.get("code"),
                "action_titre": act.get("titre"),
                "indicateur_code": ind.get("code"),
                "libelle": ind.get("libelle"),
                "unite": ind.get("unite"),
                "valeur_initiale": parse_nombre(ind.get("valeur_initiale")),
                "cible": parse_nombre(ind.get("cible")),
            }
            valeurs = ind.get("valeurs") or []
            if not valeurs:
                rows.append({**base, "date": None, "valeur": None})
            for v in sorted(valeurs, key=lambda v: str(v.get("date"))):
                rows.append({**base, "date": _ts(v.get("date")), "valeur": parse_nombre(v.get("valeur"))})
    df = pd.DataFrame(rows, columns=list(INDICATOR_COLUMNS))
    for col in ("valeur_initiale", "cible", "valeur"):
        df[col] = df[col].astype("float64")
    df["date"] = pd.to_datetime(df["date"])
    return df


def timeline_frame(actions_df: pd.DataFrame) -> pd.DataFrame:
    """Actions that have both a start and an end date, ordered for a Gantt chart (axis, then start)."""
    if actions_df.empty:
        return pd.DataFrame(columns=list(TIMELINE_COLUMNS))
    df = actions_df[actions_df["debut"].notna() & actions_df["fin"].notna()].copy()
    df["libelle"] = df["action_code"].astype(str) + " – " + df["action_titre"].astype(str)
    df["_ordre"] = range(len(df))
    df = df.sort_values(["axe_code", "debut", "_ordre"], kind="stable")
    return df[list(TIMELINE_COLUMNS)].reset_index(drop=True)
