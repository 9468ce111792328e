"""Roadmap follow-up ("suivi de feuille de route"): file format, validation, walking the actions.

A roadmap is a plain nested document (strategic axes → operational axes → actions → indicators) so that
the same dict can come from a YAML file, a CSV file or the editable store's JSON column. Everything here
is pure: no Streamlit, no database, ``today`` is always passed in so that "en retard" is reproducible.
No pandas either, so that ``esscore import roadmap`` refuses a bad file without loading it: the frames
pages draw (progress by axis, indicators, timeline) are in ``esscore.avancement``.
"""

from __future__ import annotations

import copy
import csv
import io
import math
import re
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from esscore.errors import DonneesInvalides, EssError, TerritoireInconnu
from esscore.fichiers import (
    ErreursFichier,
    apercu,
    caracteres_interdits,
    charger_yaml,
    colonnes_uniques,
    lire_texte,
)
from esscore.leviers import LEVIERS  # one taxonomy for roadmaps and the benchmark catalogue
from esscore.sources import identifiant

STATUTS: tuple[str, ...] = ("prévue", "en cours", "réalisée", "abandonnée")
ETATS: tuple[str, ...] = ("réalisée", "en cours", "prévue", "en retard", "abandonnée")
TAILLE_MAX = 5 * 1024 * 1024  # a roadmap is a few dozen KB; anything bigger is a wrong file
NOMBRE_MAX = 1e12  # budgets and indicator values: beyond a thousand billion it is a typing mistake
ERREURS_AFFICHEES = 50  # errors listed in one message (all kept in ``FeuilleDeRouteInvalide.erreurs``)
SANS_FEUILLE = "aucune"  # « esscore export copil --feuille-de-route aucune »: a deck without roadmap follow-up
#: The template a territory's new roadmap starts from (data/feuilles_de_route/modele.yaml): never seeded as a roadmap.
MODELE = "modele.yaml"

_CHAMPS_FEUILLE = {
    "id",
    "titre",
    "territoire",
    "periode",
    "gouvernance",
    "source",
    "exemple",
    "suivi_fictif",
    "note",
    "axes",
}
_CHAMPS_AXE = {"code", "titre", "axes_operationnels"}
_CHAMPS_AXE_OP = {"code", "titre", "actions"}
# Fields that follow an action's execution, in the order of the CSV columns and of the tables.
CHAMPS_SUIVI: tuple[str, ...] = ("pilote", "elu_referent", "partenaires", "levier", "budget_eur", "debut", "fin",
                                 "statut")  # fmt: skip
CHAMPS_TEXTE_ACTION: tuple[str, ...] = ("public", "objectifs", "moyens")
_CHAMPS_ACTION = {"code", "titre", "description", *CHAMPS_SUIVI, *CHAMPS_TEXTE_ACTION, "indicateurs"}
_CHAMPS_INDICATEUR = {"code", "libelle", "unite", "valeur_initiale", "cible", "valeurs", "donnee", "lecture"}
# What the refresh of an indicator bound to a figure of the base records (esscore.indicateurs_lies).
_CHAMPS_LECTURE = {"millesime", "date", "demonstration", "motif"}
_CHAMPS_SOURCE = {"document", "section", "date", "url"}

_RE_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
_RE_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$")
_RE_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TEXTE_MAX = 5000

# Where an action sits: its axis, operational axis and own code and title (CSV columns and tables).
CHAMPS_PLACE: tuple[str, ...] = ("axe_code", "axe_titre", "axe_op_code", "axe_op_titre", "action_code", "action_titre")
CSV_COLONNES_REQUISES: tuple[str, ...] = (*CHAMPS_PLACE, *CHAMPS_SUIVI)
CSV_COLONNES_ACTION_OPTIONNELLES: tuple[str, ...] = ("description", *CHAMPS_TEXTE_ACTION)
CSV_COLONNES_INDICATEUR: tuple[str, ...] = (
    "indicateur_code",
    "indicateur_libelle",
    "indicateur_unite",
    "indicateur_valeur_initiale",
    "indicateur_cible",
    "indicateur_date",
    "indicateur_valeur",
    "indicateur_donnee",
)
CSV_COLONNES_FEUILLE: tuple[str, ...] = (
    "feuille_id",
    "feuille_titre",
    "territoire",
    "periode_debut",
    "periode_fin",
    "gouvernance",
)


class FeuilleDeRouteInvalide(ErreursFichier):
    """All the problems found in one roadmap file, so the user can fix them in one pass.

    The message lists at most ``ERREURS_AFFICHEES`` of them (a 5 MB file can hold 100 000 mistakes); the
    attribute ``erreurs`` keeps them all.
    """

    def __init__(self, fichier: str, erreurs: list[str]) -> None:
        entete = f"Feuille de route invalide « {apercu(fichier, 120)} » ({len(erreurs)} erreur(s)) :"
        super().__init__(fichier, erreurs, entete, affichees=ERREURS_AFFICHEES)


# --------------------------------------------------------------------------- reading files


def load_roadmap_file(path: str | Path) -> dict[str, Any]:
    """Parse a YAML (.yaml/.yml) or CSV (.csv) roadmap into the nested document, without validating it.

    Existence, size (``TAILLE_MAX``) and encoding are checked by ``fichiers.lire_texte`` and YAML is read
    by ``fichiers.charger_yaml`` (no alias, no duplicate key): the same French messages as every importer.
    """
    p = Path(path)
    nom = p.name
    suffixe = p.suffix.lower()
    if suffixe not in (".yaml", ".yml", ".csv") and p.is_file():
        raise DonneesInvalides(
            f"Fichier « {apercu(nom, 120)} » : extension « {apercu(p.suffix or '(aucune)', 20)} » non prise en "
            "charge ; utilisez un fichier .yaml, .yml ou .csv."
        )
    texte = lire_texte(p, TAILLE_MAX, "fichier de feuille de route")
    if suffixe == ".csv":
        return _parse_csv(texte, nom, defaut_id=_slug(p.stem))
    if suffixe in (".yaml", ".yml"):
        return _parse_yaml(texte, nom)
    raise DonneesInvalides(  # a name without a known suffix that did not exist a moment ago
        f"Fichier « {apercu(nom, 120)} » : utilisez un fichier .yaml, .yml ou .csv."
    )


def read_roadmap(path: str | Path) -> dict[str, Any]:
    """Load and validate a roadmap file: what the CLI import and the store seeding call."""
    return validate_roadmap(load_roadmap_file(path), Path(path).name)


def verifier_territoire(doc: Mapping[str, Any], fichier: str, resoudre: Callable[[str], object]) -> None:
    """Refuse a roadmap whose territory does not exist in the geography database.

    ``resoudre`` looks an identifier up (``geography.get`` bound to a connection, or the page's cached
    lookup) and raises ``TerritoireInconnu`` when it is unknown; any other error (no database…) propagates,
    because it says nothing about the file. Kept out of ``validate_roadmap``, which needs no database.
    """
    territoire = doc.get("territoire")
    if not territoire:
        return
    try:
        resoudre(str(territoire))
    except TerritoireInconnu as err:
        raise FeuilleDeRouteInvalide(
            fichier, [f"feuille de route : champ « territoire » : {apercu(str(err), 200)}"]
        ) from None


def _parse_yaml(texte: str, nom: str) -> dict[str, Any]:
    doc = charger_yaml(texte, nom)
    if not isinstance(doc, dict):
        raise DonneesInvalides(
            f"Fichier « {apercu(nom, 120)} » : le YAML doit décrire une feuille de route (clés id, titre, axes…), "
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


def _entete_csv(texte: str, nom: str) -> csv.DictReader:
    """A reader on ``texte`` whose header has been checked: required, known and unique columns."""
    # The header never contains data, so its separator count is a safer guess than csv.Sniffer,
    # which gets confused by the ";"-separated partner lists inside comma-separated files.
    entete = texte.split("\n", 1)[0]
    separateur = max((",", ";", "\t"), key=entete.count)
    lecteur = csv.DictReader(io.StringIO(texte), delimiter=separateur)
    colonnes = [c.strip() for c in (lecteur.fieldnames or [])]
    lecteur.fieldnames = colonnes
    colonnes_uniques(colonnes, nom)
    manquantes = [c for c in CSV_COLONNES_REQUISES if c not in colonnes]
    if manquantes:
        raise DonneesInvalides(
            f"Fichier « {apercu(nom, 120)} » : colonne(s) manquante(s) {', '.join(manquantes)} ; "
            f"l'en-tête attendu commence par : {','.join(CSV_COLONNES_REQUISES)}."
        )
    connues = set(CSV_COLONNES_REQUISES) | set(CSV_COLONNES_ACTION_OPTIONNELLES)
    connues |= set(CSV_COLONNES_INDICATEUR) | set(CSV_COLONNES_FEUILLE)
    inconnues = [c for c in colonnes if c not in connues]
    if inconnues:
        liste = ", ".join(f"« {apercu(c, 40)} »" for c in inconnues[:10])
        raise DonneesInvalides(
            f"Fichier « {apercu(nom, 120)} » : colonne(s) inconnue(s) {liste} ; "
            "voir data/feuilles_de_route/README.md pour la liste des colonnes."
        )
    return lecteur


_CSV_CHAMPS_ACTION: dict[str, str] = {
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
_CSV_CHAMPS_INDICATEUR: tuple[tuple[str, str], ...] = (
    ("libelle", "indicateur_libelle"),
    ("unite", "indicateur_unite"),
    ("valeur_initiale", "indicateur_valeur_initiale"),
    ("cible", "indicateur_cible"),
    ("donnee", "indicateur_donnee"),
)


class _AssembleurCsv:
    """Builds the nested document from CSV rows: one row per action, repeated rows add indicator values."""

    def __init__(self) -> None:
        self.erreurs: list[str] = []
        self.meta: dict[str, str] = {}
        self.axes: dict[str, dict[str, Any]] = {}
        self.axes_op: dict[str, dict[str, Any]] = {}
        self.actions: dict[str, dict[str, Any]] = {}
        self.indicateurs: dict[tuple[str, str], dict[str, Any]] = {}
        self.nb = 0

    def coherent(self, ligne: int, cible: dict[str, Any], champ: str, valeur: Any, quoi: str) -> None:
        """Record ``valeur`` in ``cible``, or complain when an earlier row gave another one."""
        if valeur is None:
            return
        if cible.get(champ) is None:
            cible[champ] = valeur
        elif cible[champ] != valeur:
            self.erreurs.append(
                f"ligne {ligne} : {quoi} : champ « {champ} » différent de la première ligne "
                f"(« {apercu(cible[champ], 40)} » puis « {apercu(valeur, 40)} ») ; une même entité doit avoir "
                "les mêmes valeurs."
            )

    def ligne(self, ligne: int, row: dict[str | None, Any]) -> None:
        if None in row:  # more cells than header columns
            self.erreurs.append(f"ligne {ligne} : plus de cellules que de colonnes dans l'en-tête.")
        if all(not (v or "").strip() for k, v in row.items() if k is not None and isinstance(v, str)):
            return
        self.nb += 1
        self._meta(ligne, row)
        act_code = _cellule(row, "action_code")
        if act_code is None:
            self.erreurs.append(f"ligne {ligne} : champ « action_code » vide ; chaque ligne décrit une action.")
            return
        act = self._action(ligne, row, act_code)
        self._indicateur(ligne, row, act, act_code)

    def _meta(self, ligne: int, row: dict[str | None, Any]) -> None:
        for col in CSV_COLONNES_FEUILLE:
            val = _cellule(row, col)
            if val is not None:
                if col in self.meta and self.meta[col] != val:
                    self.erreurs.append(f"ligne {ligne} : colonne « {col} » différente des lignes précédentes.")
                self.meta.setdefault(col, val)

    def _action(self, ligne: int, row: dict[str | None, Any], act_code: str) -> dict[str, Any]:
        axe_code = _cellule(row, "axe_code") or ""
        op_code = _cellule(row, "axe_op_code") or ""
        axe_v, op_v, act_v = apercu(axe_code, 40), apercu(op_code, 40), apercu(act_code, 40)
        axe = self.axes.get(axe_code)
        if axe is None:
            axe = self.axes[axe_code] = {"code": axe_code, "titre": None, "axes_operationnels": []}
        self.coherent(ligne, axe, "titre", _cellule(row, "axe_titre"), f"axe {axe_v}")
        op = self.axes_op.get(op_code)
        if op is None:
            op = self.axes_op[op_code] = {"code": op_code, "titre": None, "actions": [], "_axe": axe_code}
            axe["axes_operationnels"].append(op)
        elif op["_axe"] != axe_code:
            self.erreurs.append(
                f"ligne {ligne} : action {act_v} : l'axe opérationnel {op_v} est rattaché "
                f"à l'axe {apercu(op['_axe'], 40)} sur une ligne précédente, pas à {axe_v}."
            )
        self.coherent(ligne, op, "titre", _cellule(row, "axe_op_titre"), f"axe opérationnel {op_v}")
        act = self.actions.get(act_code)
        if act is None:
            act = self.actions[act_code] = {"code": act_code, "indicateurs": [], "_op": op_code}
            op["actions"].append(act)
        elif act["_op"] != op_code:
            self.erreurs.append(
                f"ligne {ligne} : action {act_v} : code déjà utilisé sous l'axe opérationnel "
                f"{apercu(act['_op'], 40)} ; les codes d'action doivent être uniques."
            )
        for champ, col in _CSV_CHAMPS_ACTION.items():
            self.coherent(ligne, act, champ, _cellule(row, col), f"action {act_v}")
        partenaires = _cellule(row, "partenaires")
        if partenaires is not None:
            liste = [p.strip() for p in partenaires.split(";") if p.strip()]
            self.coherent(ligne, act, "partenaires", liste, f"action {act_v}")
        return act

    def _indicateur(self, ligne: int, row: dict[str | None, Any], act: dict[str, Any], act_code: str) -> None:
        ind_code = _cellule(row, "indicateur_code")
        act_v = apercu(act_code, 40)
        if ind_code is None:
            autres = [c for c in CSV_COLONNES_INDICATEUR[1:] if _cellule(row, c) is not None]
            if autres:
                self.erreurs.append(
                    f"ligne {ligne} : action {act_v} : colonnes d'indicateur remplies "
                    f"({', '.join(autres)}) sans « indicateur_code »."
                )
            return
        ou = f"action {act_v}, indicateur {apercu(ind_code, 40)}"
        ind = self.indicateurs.get((act_code, ind_code))
        if ind is None:
            ind = self.indicateurs[(act_code, ind_code)] = {"code": ind_code, "valeurs": []}
            act["indicateurs"].append(ind)
        for champ, col in _CSV_CHAMPS_INDICATEUR:
            self.coherent(ligne, ind, champ, _cellule(row, col), ou)
        d, v = _cellule(row, "indicateur_date"), _cellule(row, "indicateur_valeur")
        if (d is None) != (v is None):
            self.erreurs.append(
                f"ligne {ligne} : {ou} : « indicateur_date » et « indicateur_valeur » vont ensemble "
                "(remplir les deux ou aucune)."
            )
        elif d is not None:
            ind["valeurs"].append({"date": d, "valeur": v})

    def document(self, nom: str, defaut_id: str) -> dict[str, Any]:
        """The nested document, or ``FeuilleDeRouteInvalide`` listing every row problem."""
        if self.nb == 0:
            self.erreurs.append("aucune ligne d'action : le fichier ne contient que l'en-tête.")
        if self.erreurs:
            raise FeuilleDeRouteInvalide(nom, self.erreurs)
        for op in self.axes_op.values():
            op.pop("_axe", None)
        for act in self.actions.values():
            act.pop("_op", None)
            act.setdefault("partenaires", [])
        meta = self.meta
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
            "axes": list(self.axes.values()),
        }


def _parse_csv(texte: str, nom: str, defaut_id: str) -> dict[str, Any]:
    """One row per action; rows repeating an action code add indicators or dated indicator values."""
    lecteur = _entete_csv(texte, nom)
    assembleur = _AssembleurCsv()
    ligne = 1
    try:
        for ligne, row in enumerate(lecteur, start=2):
            assembleur.ligne(ligne, row)
    except csv.Error as err:  # e.g. a cell beyond the csv module's 128 KB limit (a quote left open)
        raise DonneesInvalides(
            f"Fichier « {apercu(nom, 120)} » : CSV mal formé ligne {ligne + 1} ({apercu(str(err), 80)}) ; "
            "vérifiez les guillemets et le séparateur."
        ) from None
    return assembleur.document(nom, defaut_id)


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
    if (note := caracteres_interdits(s)) is not None:
        erreurs.append(f"{ou} : champ « {champ} » {note}.")
        return None
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
        erreurs.append(f"{ou} : champ « {champ} » : date « {apercu(val)} » invalide ; format attendu AAAA-MM-JJ.")
        return None
    return d.isoformat() if d else None


def parse_nombre(val: Any) -> float | None:
    """Numbers from YAML or from French spreadsheets ("12 500,50"); ``ValueError`` when not a finite number.

    No bound here (the store and the frames read stored values with it); ``validate_roadmap`` bounds to ``NOMBRE_MAX``.
    """
    if val is None or (isinstance(val, str) and not val.strip()):
        return None
    if isinstance(val, bool) or not isinstance(val, int | float | str):
        raise ValueError(val)
    try:
        x = float(_chiffres(val) if isinstance(val, str) else val)
    except (ValueError, OverflowError):  # OverflowError: an integer beyond 1.8e308
        raise ValueError(val) from None
    if not math.isfinite(x):
        raise ValueError(val)
    return x


def _chiffres(texte: str) -> str:
    """« 12 500,50 € » → « 12500.50 » (spreadsheet thousands separators, decimal comma, euro sign)."""
    for car in ("\u202f", "\u00a0", " ", "€"):
        texte = texte.replace(car, "")
    return texte.strip().replace(",", ".")


def _nombre(val: Any, ou: str, champ: str, erreurs: list[str], positif: bool = False) -> float | int | None:
    try:
        x = parse_nombre(val)
    except ValueError:
        erreurs.append(f"{ou} : champ « {champ} » : « {apercu(val)} » {_pas_un_nombre(val)}.")
        return None
    if x is None:
        return None
    if abs(x) > NOMBRE_MAX:
        erreurs.append(f"{ou} : champ « {champ} » : « {apercu(val)} » {_HORS_LIMITES}.")
        return None
    if positif and x < 0:
        erreurs.append(f"{ou} : champ « {champ} » : valeur négative ({apercu(val)}) ; un montant est positif ou nul.")
        return None
    return int(x) if x.is_integer() else x


def valider_mesure(date: Any, valeur: Any, ou: str) -> tuple[str, float | int]:
    """A dated indicator value typed on the page: the same rules as in a roadmap file (date AAAA-MM-JJ,
    finite number of at most ``NOMBRE_MAX``); returns (ISO date, number) or raises in French."""
    erreurs: list[str] = []
    jour = _date(date, ou, "date", erreurs)
    nombre = _nombre(valeur, ou, "valeur", erreurs)
    if jour is None and not erreurs:
        erreurs.append(f"{ou} : champ « date » manquant ; format attendu AAAA-MM-JJ.")
    if nombre is None and not erreurs:
        erreurs.append(f"{ou} : champ « valeur » manquant ; saisissez un nombre.")
    if erreurs or jour is None or nombre is None:
        raise DonneesInvalides(" ".join(erreurs))
    return jour, nombre


_HORS_LIMITES = (
    "hors limites : une feuille de route accepte des nombres d'au plus 1 000 milliards en valeur absolue "
    "(vérifiez l'unité et le séparateur décimal)"
)


def _pas_un_nombre(val: Any) -> str:
    """Why ``parse_nombre`` refused ``val``: not a number at all, infinity/NaN, or beyond a float."""
    try:
        x = float(_chiffres(val) if isinstance(val, str) else val)
    except OverflowError:
        return _HORS_LIMITES
    except (TypeError, ValueError):
        return "n'est pas un nombre"
    if isinstance(val, bool):
        return "n'est pas un nombre"
    return "n'est pas un nombre fini (l'infini et NaN sont refusés)" if not math.isfinite(x) else "n'est pas un nombre"


def _champs_inconnus(obj: Mapping[str, Any], permis: set[str], ou: str, erreurs: list[str]) -> None:
    inconnus = [k for k in obj if k not in permis]
    if inconnus:
        liste = ", ".join(sorted(apercu(k, 40) for k in inconnus[:10])) + (" …" if len(inconnus) > 10 else "")
        erreurs.append(f"{ou} : champ(s) inconnu(s) {liste} ; champs acceptés : {', '.join(sorted(permis))}.")


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
    erreurs.append(f"{ou} : champ « levier » : « {apercu(s)} » inconnu ; valeurs possibles : {', '.join(LEVIERS)}.")
    return None


def _statut(val: Any, ou: str, erreurs: list[str]) -> str:
    s = _texte(val, ou, "statut", erreurs)
    if s is None:
        return "prévue"
    for st in STATUTS:
        if s.casefold() == st.casefold():
            return st
    erreurs.append(f"{ou} : champ « statut » : « {apercu(s)} » inconnu ; valeurs possibles : {', '.join(STATUTS)}.")
    return "prévue"


def _url(val: Any, ou: str, champ: str, erreurs: list[str]) -> str | None:
    """An http(s) address: a ``javascript:`` or ``data:`` link would run or show anything once clicked."""
    s = _texte(val, ou, champ, erreurs)
    if s is None:
        return None
    try:
        morceaux = urlsplit(s)
    except ValueError:  # e.g. « http://[ » (unbalanced IPv6 bracket)
        morceaux = None
    propre = not any(ch.isspace() or not ch.isprintable() for ch in s)
    if morceaux is None or morceaux.scheme.lower() not in ("http", "https") or not morceaux.netloc or not propre:
        erreurs.append(
            f"{ou} : champ « {champ} » : « {apercu(s)} » refusée ; seules les adresses web commençant par "
            "http:// ou https:// sont acceptées (ex. https://www.exemple.fr/deliberation.pdf)."
        )
        return None
    return s


def _territoire(val: Any, erreurs: list[str]) -> str | None:
    """``TYPE:CODE`` checked by ``geography.parse_id`` and written in its canonical form (``epci:200041317``)."""
    from esscore.geography import parse_id  # cold start: duckdb + pandas, +100 MB / 0.4 s (measured)

    texte = _texte(val, "feuille de route", "territoire", erreurs)
    if texte is None:
        return None
    try:
        kind, code = parse_id(texte)
    except EssError as err:
        erreurs.append(
            f"feuille de route : champ « territoire » : {apercu(str(err).rstrip('.'), 200)} ; "
            "forme attendue type:code (ex. epci:200041317, departement:50)."
        )
        return None
    return f"{kind}:{code}"


def _valider_valeurs(raw: Any, ou: str, erreurs: list[str]) -> list[dict[str, Any]]:
    """The dated values of an indicator, sorted by date, one per date."""
    valeurs: list[dict[str, Any]] = []
    vues: set[str] = set()
    for i, v in enumerate(_liste(raw, ou, "valeurs", erreurs), start=1):
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
    return valeurs


def donnees_liables() -> dict[str, str]:
    """The figures of the base an indicator may be bound to (``donnee``): ``esscore.indicators.INDICATEURS``."""
    from esscore.indicators import INDICATEURS  # cold start: duckdb + pandas, only for a file that binds one

    return INDICATEURS


def _donnee(val: Any, ou: str, erreurs: list[str]) -> str | None:
    """The figure an indicator is bound to: one key of ``donnees_liables`` (its value is then read, not typed)."""
    s = _texte(val, ou, "donnee", erreurs)
    if s is None:
        return None
    connues = donnees_liables()
    if s not in connues:
        erreurs.append(
            f"{ou} : champ « donnee » : « {apercu(s)} » inconnue ; valeurs possibles : {', '.join(connues)}."
        )
        return None
    return s


def _valider_lecture(raw: Any, ou: str, erreurs: list[str]) -> dict[str, Any] | None:
    """The last reading of a bound indicator (written by the refresh, kept when a stored roadmap is re-imported)."""
    if raw is None:
        return None
    ou = f"{ou}, lecture"
    if not isinstance(raw, dict):
        erreurs.append(f"{ou} : attendu un objet {{millesime, date, demonstration, motif}}.")
        return None
    _champs_inconnus(raw, _CHAMPS_LECTURE, ou, erreurs)
    if not isinstance(raw.get("demonstration", False), bool):
        erreurs.append(f"{ou} : champ « demonstration » doit valoir true ou false.")
    return {
        "millesime": _texte(raw.get("millesime"), ou, "millesime", erreurs),
        "date": _date(raw.get("date"), ou, "date", erreurs),
        "demonstration": raw.get("demonstration") is True,
        "motif": _texte(raw.get("motif"), ou, "motif", erreurs),
    }


def _element(
    raw: Any, ou: str, nature: str, attendu: str, erreurs: list[str], ou_code: str | None = None
) -> tuple[Mapping[str, Any], str | None] | None:
    """An element of a list (axis, operational axis, action, indicator): an object with a required ``code``.

    Returns the object and its code (None when missing, error recorded), or None when it is not an object. The
    code is reported at ``ou_code`` (default « <ou>, <nature> »); ``_nom`` then names the element in messages.
    """
    if not isinstance(raw, dict):
        erreurs.append(f"{ou} : chaque {nature} doit être un objet ({attendu}).")
        return None
    return raw, _texte(raw.get("code"), ou_code or f"{ou}, {nature}", "code", erreurs, requis=True)


def _nom(nature: str, code: str | None) -> str:
    """An element as messages name it: « action A1.2 », « axe ? » when its code is missing."""
    return f"{nature} {apercu(code or '?', 40)}"


def _valider_indicateur(raw: Any, ou_action: str, erreurs: list[str]) -> dict[str, Any] | None:
    if (lu := _element(raw, ou_action, "indicateur", "code, libelle, unite…", erreurs)) is None:
        return None
    raw, code = lu
    ou = f"{ou_action}, {_nom('indicateur', code)}"
    _champs_inconnus(raw, _CHAMPS_INDICATEUR, ou, erreurs)
    indicateur = {
        "code": code,
        "libelle": _texte(raw.get("libelle"), ou, "libelle", erreurs, requis=True),
        "unite": _texte(raw.get("unite"), ou, "unite", erreurs),
        "valeur_initiale": _nombre(raw.get("valeur_initiale"), ou, "valeur_initiale", erreurs),
        "cible": _nombre(raw.get("cible"), ou, "cible", erreurs),
        "valeurs": _valider_valeurs(raw.get("valeurs"), ou, erreurs),
    }
    donnee = _donnee(raw.get("donnee"), ou, erreurs)
    if donnee is not None:  # only bound indicators carry these keys: other documents stay as they were
        indicateur["donnee"] = donnee
        lecture = _valider_lecture(raw.get("lecture"), ou, erreurs)
        if lecture is not None:
            indicateur["lecture"] = lecture
    elif raw.get("lecture") is not None:
        erreurs.append(f"{ou} : champ « lecture » sans « donnee » ; retirez-le (il n'a de sens que pour un "
                       "indicateur lié à une donnée).")  # fmt: skip
    return indicateur


def _valider_indicateurs(raw: Any, ou: str, erreurs: list[str]) -> list[dict[str, Any]]:
    indicateurs: list[dict[str, Any]] = []
    codes_ind: set[str] = set()
    for ind_raw in _liste(raw, ou, "indicateurs", erreurs):
        ind = _valider_indicateur(ind_raw, ou, erreurs)
        if ind is None:
            continue
        if ind["code"] in codes_ind:
            erreurs.append(f"{ou} : code d'indicateur « {apercu(ind['code'], 40)} » en double.")
        codes_ind.add(ind["code"])
        indicateurs.append(ind)
    return indicateurs


def _valider_partenaires(raw: Any, ou: str, erreurs: list[str]) -> list[str]:
    if isinstance(raw, str):
        raw = raw.split(";")
    return [p for p in (_texte(x, ou, "partenaires", erreurs) for x in _liste(raw, ou, "partenaires", erreurs)) if p]


def _valider_action(raw: Any, ou_op: str, erreurs: list[str]) -> dict[str, Any] | None:
    if (lu := _element(raw, ou_op, "action", "code, titre, statut…", erreurs)) is None:
        return None
    raw, code = lu
    ou = _nom("action", code)
    if code is not None and not _RE_CODE.match(code):
        erreurs.append(f"{ou} : code invalide (lettres, chiffres, « . », « - », 32 caractères max).")
    _champs_inconnus(raw, _CHAMPS_ACTION, ou, erreurs)
    debut = _date(raw.get("debut"), ou, "debut", erreurs)
    fin = _date(raw.get("fin"), ou, "fin", erreurs)
    if debut and fin and fin < debut:
        erreurs.append(f"{ou} : champ « fin » ({fin}) antérieur au début ({debut}) ; corrigez l'une des dates.")
    # fields read in the order of an action's keys, which is the order of the errors listed; optional texts by loops
    action = {"code": code, "titre": _texte(raw.get("titre"), ou, "titre", erreurs, requis=True)}
    action |= {k: _texte(raw.get(k), ou, k, erreurs) for k in ("description", "pilote", "elu_referent")}
    action |= {
        "partenaires": _valider_partenaires(raw.get("partenaires"), ou, erreurs),
        "levier": _levier(raw.get("levier"), ou, erreurs),
        "budget_eur": _nombre(raw.get("budget_eur"), ou, "budget_eur", erreurs, positif=True),
        "debut": debut,
        "fin": fin,
        "statut": _statut(raw.get("statut"), ou, erreurs),
    }
    action |= {k: _texte(raw.get(k), ou, k, erreurs) for k in ("public", "objectifs", "moyens")}
    action["indicateurs"] = _valider_indicateurs(raw.get("indicateurs"), ou, erreurs)
    return action


def _valider_periode(raw: Any, erreurs: list[str]) -> dict[str, str | None]:
    periode: dict[str, str | None] = {"debut": None, "fin": None}
    if raw is None:
        return periode
    if not isinstance(raw, dict) or set(raw) - {"debut", "fin"}:
        erreurs.append("feuille de route : champ « periode » : attendu {debut, fin}.")
        return periode
    periode["debut"] = _date(raw.get("debut"), "feuille de route, periode", "debut", erreurs)
    periode["fin"] = _date(raw.get("fin"), "feuille de route, periode", "fin", erreurs)
    if periode["debut"] and periode["fin"] and periode["fin"] < periode["debut"]:
        erreurs.append("feuille de route : champ « periode.fin » antérieur à « periode.debut ».")
    return periode


def _valider_source(raw: Any, erreurs: list[str]) -> dict[str, Any] | None:
    if raw is None:
        return None
    ou = "feuille de route, source"
    if not isinstance(raw, dict):
        erreurs.append(f"{ou} : attendu un objet {{document, section, date, url}}.")
        return None
    _champs_inconnus(raw, _CHAMPS_SOURCE, ou, erreurs)
    source: dict[str, Any] = {}
    for k in ("document", "section", "date"):
        val = raw.get(k)
        # dates stay text with charger_yaml; a date object still comes from documents built in Python
        source[k] = val.isoformat() if isinstance(val, date) else _texte(val, ou, k, erreurs)
    # a former seed-file name (« 002_….txt ») stands for its registry id (esscore.sources.ANCIENS_CODES)
    source["document"] = identifiant(source["document"])
    source["url"] = _url(raw.get("url"), ou, "url", erreurs)
    return source


class _Codes:
    """Axis, operational-axis and action codes seen so far: each must be unique in the whole roadmap."""

    def __init__(self, erreurs: list[str]) -> None:
        self.erreurs = erreurs
        self.vus: dict[str, str] = {}

    def unique(self, code: str | None, nature: str) -> None:
        if code is None:
            return
        if code in self.vus:
            self.erreurs.append(
                f"{nature} {apercu(code, 40)} : code en double (déjà pris par un autre élément : {self.vus[code]}) ; "
                "chaque code d'axe, d'axe opérationnel et d'action doit être unique."
            )
        else:
            self.vus[code] = nature


def _valider_axe_op(raw: Any, ou_axe: str, codes: _Codes, erreurs: list[str]) -> dict[str, Any] | None:
    if (lu := _element(raw, ou_axe, "axe opérationnel", "code, titre, actions", erreurs)) is None:
        return None
    raw, ocode = lu
    ou_op = _nom("axe opérationnel", ocode)
    _champs_inconnus(raw, _CHAMPS_AXE_OP, ou_op, erreurs)
    codes.unique(ocode, "axe opérationnel")
    acts: list[dict[str, Any]] = []
    for act_raw in _liste(raw.get("actions"), ou_op, "actions", erreurs):
        act = _valider_action(act_raw, ou_op, erreurs)
        if act is not None:
            codes.unique(act["code"], "action")
            acts.append(act)
    return {"code": ocode, "titre": _texte(raw.get("titre"), ou_op, "titre", erreurs, True), "actions": acts}


def _valider_axe(raw: Any, codes: _Codes, erreurs: list[str]) -> dict[str, Any] | None:
    if (lu := _element(raw, "feuille de route", "axe", "code, titre, axes_operationnels", erreurs, "axe")) is None:
        return None
    raw, acode = lu
    ou_axe = _nom("axe", acode)
    _champs_inconnus(raw, _CHAMPS_AXE, ou_axe, erreurs)
    codes.unique(acode, "axe")
    ops_raw = _liste(raw.get("axes_operationnels"), ou_axe, "axes_operationnels", erreurs)
    ops = [_valider_axe_op(op, ou_axe, codes, erreurs) for op in ops_raw]
    return {
        "code": acode,
        "titre": _texte(raw.get("titre"), ou_axe, "titre", erreurs, requis=True),
        "axes_operationnels": [op for op in ops if op is not None],
    }


def validate_roadmap(doc: Any, fichier: str) -> dict[str, Any]:
    """Check a roadmap document and return a normalised deep copy (ISO date strings, numbers, lists).

    Every problem is collected before raising, because a user fixing a spreadsheet wants the whole list,
    not one error per attempt. The returned dict is JSON-serialisable, which the store relies on. Every
    value quoted in a message goes through ``fichiers.apercu`` (short, printable, single line).
    """
    erreurs: list[str] = []
    if not isinstance(doc, dict):
        raise FeuilleDeRouteInvalide(fichier, ["le document doit être un objet (id, titre, axes…)."])
    doc = copy.deepcopy(doc)
    _champs_inconnus(doc, _CHAMPS_FEUILLE, "feuille de route", erreurs)
    ident = _texte(doc.get("id"), "feuille de route", "id", erreurs, requis=True)
    if ident is not None and not _RE_ID.match(ident):
        erreurs.append(
            f"feuille de route : champ « id » : « {apercu(ident)} » invalide ; minuscules, chiffres, « - » ou "
            "« _ », 64 caractères max (ex. niort-2023-2026)."
        )
    resultat = {
        "id": ident,
        "titre": _texte(doc.get("titre"), "feuille de route", "titre", erreurs, requis=True),
        "territoire": _territoire(doc.get("territoire"), erreurs),
        "periode": _valider_periode(doc.get("periode"), erreurs),
        "gouvernance": _texte(doc.get("gouvernance"), "feuille de route", "gouvernance", erreurs),
        "source": _valider_source(doc.get("source"), erreurs),
        "exemple": doc.get("exemple", False),
        "suivi_fictif": doc.get("suivi_fictif", False),
        "note": _texte(doc.get("note"), "feuille de route", "note", erreurs),
        "axes": [],
    }
    for champ in ("exemple", "suivi_fictif"):
        if not isinstance(resultat[champ], bool):
            erreurs.append(f"feuille de route : champ « {champ} » doit valoir true ou false.")
    codes = _Codes(erreurs)
    axes_raw = _liste(doc.get("axes"), "feuille de route", "axes", erreurs)
    if not axes_raw and "axes" not in doc:
        erreurs.append("feuille de route : champ « axes » manquant ; au moins un axe stratégique est requis.")
    resultat["axes"] = [axe for axe in (_valider_axe(a, codes, erreurs) for a in axes_raw) if axe is not None]
    if erreurs:
        raise FeuilleDeRouteInvalide(fichier, erreurs)
    return resultat


# --------------------------------------------------------------------------- walking a roadmap


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


def iter_indicateurs_lies(doc: Mapping[str, Any]) -> Iterable[tuple[dict[str, Any], dict[str, Any]]]:
    """Yield ``(action, indicateur)`` for each indicator bound to a figure of the base (field ``donnee``)."""
    for _, _, act in iter_actions(doc):
        for ind in act.get("indicateurs") or []:
            if ind.get("donnee"):
                yield act, ind


# --------------------------------------------------------------------------- a new roadmap from the template

NOTE_MODELE = (
    "Feuille de route créée à partir du modèle (axes types des feuilles de route d'exemple), sans action : "
    "ajoutez vos actions en important un fichier YAML ou CSV de même identifiant (format : "
    "data/feuilles_de_route/README.md)."
)


def en_yaml(doc: Mapping[str, Any]) -> str:
    """A validated roadmap as a YAML file of this format (e.g. the template prefilled for a territory, to fill in
    and import back under the same id)."""
    import yaml  # only when a file is written

    return yaml.safe_dump(dict(doc), allow_unicode=True, sort_keys=False, width=110)


def identifiant_territoire(territoire_id: str) -> str:
    """The id of a roadmap created for a territory: « ess-departement-2a », « ess-epci-200041317 »."""
    return _slug(f"ess-{territoire_id.replace(':', '-')}")


def feuille_depuis_modele(modele: Mapping[str, Any], territoire_id: str, nom: str) -> dict[str, Any]:
    """A territory's new roadmap: the template's axes and operational axes, no action, the territory's id and name.

    ``modele`` is the validated template (``read_roadmap(… / MODELE)``); the result is validated again, so a
    template edited by hand into something invalid is refused here, before anything is written.
    """
    doc = copy.deepcopy(dict(modele))
    for axe in doc.get("axes") or []:
        for op in axe.get("axes_operationnels") or []:
            op["actions"] = []
    doc.update(
        id=identifiant_territoire(territoire_id),
        titre=f"Feuille de route ESS — {nom}",
        territoire=territoire_id,
        periode=None,
        gouvernance=None,
        source=None,
        exemple=False,
        suivi_fictif=False,
        note=NOTE_MODELE,
    )
    return validate_roadmap(doc, MODELE)
