"""Curated ESS initiatives (layer 2 of the map): reading, category mapping, validation, GeoJSON.

Why a module of its own: initiatives come from outside (GoGoCarto/Carteco exports, a CSV kept by
a local authority, our seed list), so none of their text is trusted. Control characters are
stripped, lengths are capped, links are limited to http(s); HTML is *kept as literal text*, never
interpreted nor escaped here (escaping is the renderer's job). They are never mixed into SIRENE
counts. Validation is all-or-nothing unless the caller asks to keep the valid rows, so an import
never leaves half a table behind.

Records are plain dicts with the keys of :data:`COLONNES`; readers add private keys
``_position`` (« ligne 4 », « élément 2 »), ``_remarques`` and ``_erreurs`` that
:func:`validate_initiatives` turns into messages naming the record.
"""

from __future__ import annotations

import csv
import hashlib
import io
import math
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely

from esscore import config, ess
from esscore.errors import DonneesInvalides, EssError
from esscore.fichiers import ErreursFichier, apercu, charger_json, colonnes_uniques, lire_texte
from esscore.sources import identifiant
from esscore.text import normalize

THEMATIQUES: tuple[str, ...] = (
    "économie circulaire",
    "alimentation durable",
    "mobilité",
    "logistique",
    "tourisme",
    "culture",
    "insertion",
    "services à la personne",
    "action sociale",
    "sport et loisirs",
    "environnement",
    "habitat",
    "finance solidaire",
    "numérique",
    "accompagnement",
    "éducation",
    "santé",
    "agriculture",
)
STATUTS: tuple[str, ...] = (
    "association",
    "SCOP",
    "SCIC",
    "CAE",
    "structure IAE",
    "fondation",
    "coopérative",
    "mutuelle",
    "entreprise ESS",
    "collectivité",
    "réseau",
    "autre",
)
FAMILLES: tuple[str, ...] = (*ess.FAMILLES, "Autres")  # the ESS families, plus initiatives of no family
# Default family when a record gives only a status. IAE structures and collectivities have no single
# legal form (association, SARL, EPCI…), hence « Autres »; a network is most often an association.
STATUT_VERS_FAMILLE: dict[str, str] = {
    "association": "Associations",
    "SCOP": "Coopératives",
    "SCIC": "Coopératives",
    "CAE": "Coopératives",
    "structure IAE": "Autres",
    "fondation": "Fondations",
    "coopérative": "Coopératives",
    "mutuelle": "Mutuelles",
    "entreprise ESS": "Sociétés commerciales de l'ESS",
    "collectivité": "Autres",
    "réseau": "Associations",
    "autre": "Autres",
}
PRECISIONS: tuple[str, ...] = ("adresse", "commune")
COLONNES: tuple[str, ...] = (
    "id",
    "nom",
    "description",
    "statut",
    "famille",
    "thematiques",
    "commune_code",
    "commune_nom",
    "code_postal",
    "lon",
    "lat",
    "precision",
    "site_web",
    "source",
    "source_detail",
)
# Columns of the ``initiatives`` table and of the map's exports: the postal code only serves to find the
# commune at import (``thematiques`` is a list, VARCHAR[] in the table).
COLONNES_TABLE: tuple[str, ...] = tuple(c for c in COLONNES if c != "code_postal")
LONGUEUR_MAX: dict[str, int] = {
    "id": 100,
    "nom": 200,
    "description": 2000,
    "commune_code": 10,
    "commune_nom": 100,
    "code_postal": 10,
    "site_web": 500,
    "source": 200,
    "source_detail": 500,
    "libelle": 200,  # statut, famille, précision, catégories before mapping
}
TAILLE_MAX_OCTETS = 20 * 1024 * 1024
MAX_ERREURS_AFFICHEES = 20
DISTANCE_DOUBLON_M = 100.0
DISTANCE_CENTROIDE_MAX_KM = 30.0
TOLERANCE_CONTOUR_DEG = 0.01  # ≈ 1 km: simplified outlines miss some coastal points

# (label, lon min, lon max, lat min, lat max)
EMPRISES_FRANCE: tuple[tuple[str, float, float, float, float], ...] = (
    ("France métropolitaine", -5.5, 10.0, 41.0, 51.5),
    ("Guadeloupe", -61.9, -60.9, 15.8, 16.6),
    ("Martinique", -61.3, -60.7, 14.3, 14.95),
    ("Guyane", -54.7, -51.5, 2.0, 5.9),
    ("La Réunion", 55.1, 56.0, -21.5, -20.8),
    ("Mayotte", 44.9, 45.4, -13.1, -12.5),
    ("Saint-Pierre-et-Miquelon", -56.5, -56.0, 46.7, 47.2),
    ("Saint-Barthélemy et Saint-Martin", -63.2, -62.7, 17.8, 18.2),
)

# ---------------------------------------------------------------------------------------------
# Category mapping (GoGoCarto / Carteco labels → statut + thématiques)
# ---------------------------------------------------------------------------------------------

# Carteco's own theme names, mapped as a whole so that « Agriculture et alimentation durables »
# does not also fire the broader keyword rules.
_THEMES_CARTECO: dict[str, tuple[str, ...]] = {
    "gestion des ressources et dechets": ("économie circulaire",),
    "agriculture et alimentation durables": ("alimentation durable",),
    "agriculture et alimentation durable": ("alimentation durable",),
    "batiment durable": ("habitat",),
    "mobilite responsable": ("mobilité",),
    "education a l environnement": ("éducation", "environnement"),
    "energies renouvelables": ("environnement",),
}
# Order = priority: the most specific status wins (a SCIC is also a « coopérative »).
_REGLES_STATUT: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (statut, re.compile(motif))
    for statut, motif in (
        ("SCIC", r"\bscic\b|cooperatives? d interet collectif"),
        ("SCOP", r"\bscop\b|cooperatives? et participatives?|cooperatives? ouvrieres?"),
        ("CAE", r"\bcae\b|cooperatives? d activites? et d emploi"),
        (
            "structure IAE",
            r"\bs?iae\b|insertion par l activite|chantiers? d insertion|\baci\b"
            r"|entreprises? d insertion|\betti\b|associations? intermediaires?",
        ),
        ("fondation", r"\bfondations?\b|fonds de dotation"),
        ("mutuelle", r"\bmutuelles?\b|\bmutualite\b|\bmutualiste"),
        ("entreprise ESS", r"\bentreprises? (de l )?ess\b|\besus\b|entreprises? solidaires?|societes? commerciales?"),
        ("coopérative", r"\bcooperatives?\b|\bcoop\b|\bcuma\b"),
        ("collectivité", r"\bcollectivites?\b|\bepci\b|\bmairie\b|communaute de communes|communaute d agglo"),
        ("réseau", r"\breseaux?\b|\bfederations?\b|\bptce\b|pole territorial de cooperation|\bcress\b"),
        ("association", r"\bassociations?\b|\basso\b|loi 1901"),
    )
)
_REGLES_THEMES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (theme, re.compile(motif))
    for theme, motif in (
        (
            "économie circulaire",
            r"economie circulaire|gestion des ressources|\bdechets?\b|recycl|ressourcerie|repair ?cafe"
            r"|\breemploi|\breutilis|\breparation|seconde main|friperie|\bvrac\b|compost|anti ?gaspi"
            r"|\bemmaus\b|\brecup",
        ),
        (
            "alimentation durable",
            r"aliment|\bepiceries?\b|circuits? courts?|\bamap\b|restauration|\bcantines?\b"
            r"|produits? locaux|marches? de producteurs",
        ),
        ("mobilité", r"mobilite|\bvelos?\b|covoiturage|auto ?partage|garages? solidaires?|auto ecole"),
        ("logistique", r"logistique|livraisons?|entrepots?|\bfret\b"),
        ("tourisme", r"touris|\bgites?\b|\bcamping|\bvoyages?\b"),
        (
            "culture",
            r"\bcultur|\barts?\b|artistique|musique|\btheatre|\bcirque|spectacle|patrimoine|cinema"
            r"|\blivres?\b|bibliotheque|\blecture",
        ),
        ("insertion", r"insertion|\bs?iae\b|\besat\b|entreprises? adaptees?|\bgeiq\b"),
        (
            "services à la personne",
            r"services? a la personne|aide a domicile|maintien a domicile|conciergerie|garde d enfants?"
            r"|\bcreches?\b|portage de repas",
        ),
        (
            "action sociale",
            r"action sociale|solidarite|\bsocial\b|precarite|exclusion|hebergement d urgence"
            r"|personnes agees|\behpad\b|handicap|entraide|humanitaire|epiceries? solidaires?",
        ),
        ("sport et loisirs", r"\bsports?\b|sporti|\bloisirs?\b|randonnee|ludotheque|\bjeux\b"),
        ("environnement", r"environnement|biodiversite|energi|climat|\bnature\b|ecologi"),
        ("habitat", r"habitat|logement|batiment|construction|renovation"),
        ("finance solidaire", r"financ|epargne|\bcredits?\b|microcredit|monnaies? locales?|\bbanques?\b|\bcigales?\b"),
        ("numérique", r"numerique|informatique|\binternet\b|fab ?lab|\bweb\b|\bdigital"),
        (
            "accompagnement",
            r"accompagnement|incubat|pepiniere|couveuse|creation d (activite|entreprise)|tiers ?lieux?|\bdla\b",
        ),
        ("éducation", r"education|\bformations?\b|\becoles?\b|enseignement|jeunesse|sensibilisation|pedagog"),
        ("santé", r"\bsante\b|\bsoins?\b|medical|medico|maisons? de sante|centres? de sante"),
        (
            "agriculture",
            r"agricult|agricole|maraich|\bfermes?\b|\bcuma\b|paysan|jardin|agroecolog|elevage|\bbio\b",
        ),
    )
)


def _cle(texte: object) -> str:
    """Comparison key: lowercase, no accents, punctuation as single spaces (« Scic » → « scic »)."""
    return re.sub(r"[^a-z0-9]+", " ", normalize(str(texte))).strip() if texte is not None else ""


_THEME_PAR_CLE = {_cle(t): t for t in THEMATIQUES}
_STATUT_PAR_CLE = {_cle(s): s for s in STATUTS} | {"iae": "structure IAE", "siae": "structure IAE"}
_FAMILLE_PAR_CLE = {_cle(f): f for f in FAMILLES} | {
    "association": "Associations",
    "cooperative": "Coopératives",
    "mutuelle": "Mutuelles",
    "fondation": "Fondations",
    "societe commerciale de l ess": "Sociétés commerciales de l'ESS",
    "societes commerciales": "Sociétés commerciales de l'ESS",
    "autre": "Autres",
}
_PRECISION_PAR_CLE = {"adresse": "adresse", "commune": "commune", "rue": "adresse", "numero": "adresse"}


def map_categories(labels: Iterable[object]) -> tuple[str | None, list[str]]:
    """Map free category labels (GoGoCarto/Carteco, CSV) to one statut and controlled thématiques.

    Matching ignores accents, case and punctuation. Unknown labels are ignored; the statut is the
    most specific one recognised (SCIC before coopérative, structure IAE before association).
    """
    statuts: set[str] = set()
    themes: set[str] = set()
    for label in labels:
        if label is None or isinstance(label, (dict, list, tuple)):
            continue
        cle = _cle(label)
        if not cle:
            continue
        if cle in _THEME_PAR_CLE:
            themes.add(_THEME_PAR_CLE[cle])
            continue
        if cle in _THEMES_CARTECO:
            themes.update(_THEMES_CARTECO[cle])
            continue
        if cle in _STATUT_PAR_CLE:
            statuts.add(_STATUT_PAR_CLE[cle])
        for statut, motif in _REGLES_STATUT:
            if motif.search(cle):
                statuts.add(statut)
        for theme, motif in _REGLES_THEMES:
            if motif.search(cle):
                themes.add(theme)
    statut = next((s for s, _ in _REGLES_STATUT if s in statuts), None)
    if statut is None and statuts:
        statut = next(s for s in STATUTS if s in statuts)
    return statut, [t for t in THEMATIQUES if t in themes]


# ---------------------------------------------------------------------------------------------
# Untrusted text
# ---------------------------------------------------------------------------------------------

# Invisible characters that can hide or reorder text on screen (bidi overrides, zero widths, BOM).
_INVISIBLES = frozenset(
    [0x200B, 0x200C, 0x200D, 0x200E, 0x200F, 0x2060, 0xFEFF] + list(range(0x202A, 0x202F)) + list(range(0x2066, 0x206A))
)


def nettoyer_texte(valeur: object, longueur_max: int) -> tuple[str, bool]:
    """Untrusted value → one-line text without control characters, cut at ``longueur_max``.

    Returns ``(texte, tronque)``. HTML is left as literal text on purpose.
    """
    if valeur is None or isinstance(valeur, (dict, bool)):
        return "", False
    if isinstance(valeur, float) and not math.isfinite(valeur):
        return "", False
    if isinstance(valeur, (list, tuple)):
        valeur = ", ".join(str(v) for v in valeur if isinstance(v, (str, int, float)) and not isinstance(v, bool))
    texte = unicodedata.normalize("NFC", str(valeur))
    morceaux = []
    for ch in texte:
        cat = unicodedata.category(ch)
        if ch.isspace() or cat in ("Zl", "Zp"):
            morceaux.append(" ")
        elif cat in ("Cc", "Cs") or ord(ch) in _INVISIBLES:
            continue
        else:
            morceaux.append(ch)
    propre = re.sub(r"\s+", " ", "".join(morceaux)).strip()
    if len(propre) > longueur_max:
        return propre[:longueur_max].rstrip(), True
    return propre, False


def nettoyer_url(valeur: object) -> tuple[str, str | None]:
    """Keep only http(s) links (a bare domain gets ``https://``); anything else is dropped with a note."""
    texte, _ = nettoyer_texte(valeur, LONGUEUR_MAX["site_web"])
    if not texte or _cle(texte) in ("private", "prive", "n a", "na", "aucun", "non"):
        return "", None
    refus = f"site web « {texte[:80]} » ignoré (seules les adresses http ou https sont gardées)"
    if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", texte):
        if not re.match(r"^https?://", texte, re.IGNORECASE):
            return "", refus
    elif re.match(r"^(www\.)?[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+(/\S*)?$", texte):
        texte = "https://" + texte
    else:
        return "", refus
    if any(c in texte for c in " <>\"'`\\"):
        return "", refus
    try:
        if not urlsplit(texte).netloc:
            return "", refus
    except ValueError:
        return "", refus
    return texte, None


def _nombre(valeur: object) -> float | str | None:
    """Coordinate value → float, ``None`` when empty, or the (cleaned) text when it is not a number."""
    if valeur is None:
        return None
    if isinstance(valeur, bool):
        return str(valeur)
    if isinstance(valeur, (int, float, np.integer, np.floating)):
        return float(valeur)
    texte, _ = nettoyer_texte(valeur, 40)
    if not texte:
        return None
    candidat = texte.replace(",", ".") if texte.count(",") == 1 and "." not in texte else texte
    try:
        return float(candidat)
    except ValueError:
        return texte


# ---------------------------------------------------------------------------------------------
# Record normalisation
# ---------------------------------------------------------------------------------------------

_ALIAS: dict[str, str] = {}
for _canon, _noms in {
    "id": ("id", "identifiant", "uid", "_id"),
    "nom": ("nom", "name", "title", "titre", "denomination", "raison_sociale"),
    "description": ("description", "descriptif", "presentation", "desc", "resume"),
    "statut": ("statut", "statut_juridique", "forme_juridique"),
    "famille": ("famille", "famille_ess"),
    "thematiques": ("thematiques", "thematique", "themes", "theme", "filieres", "filiere"),
    "categories": ("categories", "categorie", "category", "taxonomy", "taxonomie", "categoriesfull"),
    "commune_code": ("commune_code", "code_commune", "code_insee", "insee", "codecommune", "citycode", "depcom"),
    "commune_nom": ("commune_nom", "commune", "ville", "city", "addresslocality", "addr_city", "localite"),
    "code_postal": ("code_postal", "cp", "postalcode", "postcode", "addr_postcode", "codepostal"),
    "lon": ("lon", "long", "lng", "longitude"),
    "lat": ("lat", "latitude"),
    "precision": ("precision", "precision_geo", "precision_localisation"),
    "site_web": ("site_web", "website", "site", "url", "siteweb", "site_internet", "web"),
    "source": ("source",),
    "source_detail": ("source_detail", "sourcekey"),
}.items():
    for _nom in _noms:
        _ALIAS[_nom] = _canon
del _canon, _noms, _nom


def _cle_colonne(nom: object) -> str:
    """Column/key name → alias key (« addressLocality » → « addresslocality », « addr:city » → « addr_city »)."""
    return re.sub(r"[^a-z0-9]+", "_", normalize(str(nom)).replace(" ", "_")).strip("_")


def _canoniser(brut: Mapping[str, Any]) -> dict[str, Any]:
    """Aliases → canonical keys; the first non-empty value of each canonical key wins."""
    sortie: dict[str, Any] = {}
    for cle, valeur in brut.items():
        if str(cle).startswith("_") and str(cle) != "_id":
            continue
        canon = _ALIAS.get(_cle_colonne(cle))
        if canon is None or valeur is None or (isinstance(valeur, str) and not valeur.strip()):
            continue
        if canon not in sortie:
            sortie[canon] = valeur
    return sortie


def _decouper(valeur: object) -> list[object]:
    """A list, or a string split on « , » « ; » « | » (GoGoCarto accepts both separators)."""
    if valeur is None:
        return []
    if isinstance(valeur, (list, tuple)):
        sortie: list[object] = []
        for v in valeur:
            sortie.append(v.get("name") if isinstance(v, dict) else v)
        return sortie
    if isinstance(valeur, str):
        return [p for p in re.split(r"[,;|]", valeur) if p.strip()]
    return [valeur]


def _normaliser(brut: Mapping[str, Any], position: str, source_defaut: str = "") -> dict[str, Any]:
    """One raw record (any format, any alias) → normalised record with private notes; idempotent."""
    remarques: list[str] = list(brut.get("_remarques") or [])
    erreurs: list[str] = list(brut.get("_erreurs") or [])
    champs = _canoniser(brut)
    rec: dict[str, Any] = {"_position": position, "_remarques": remarques, "_erreurs": erreurs}

    for cle in ("id", "nom", "description", "commune_nom", "source", "source_detail"):
        texte, tronque = nettoyer_texte(champs.get(cle), LONGUEUR_MAX[cle])
        if tronque:
            remarques.append(f"champ « {cle} » tronqué à {LONGUEUR_MAX[cle]} caractères")
        rec[cle] = texte
    # a former seed-file name (« 002_….txt ») stands for its registry id (esscore.sources.ANCIENS_CODES)
    rec["source"] = identifiant(rec["source"]) or source_defaut
    if "sourcekey" in {_cle_colonne(k) for k in brut} and rec["source_detail"]:
        rec["source_detail"] = nettoyer_texte(f"sourceKey : {rec['source_detail']}", LONGUEUR_MAX["source_detail"])[0]

    code, _ = nettoyer_texte(champs.get("commune_code"), LONGUEUR_MAX["commune_code"])
    rec["commune_code"] = _code_commune(champs.get("commune_code")) or code
    if not rec["commune_code"] and re.fullmatch(r"\d{5}|2[AB]\d{3}", rec["commune_nom"]):
        rec["commune_code"], rec["commune_nom"] = rec["commune_nom"], ""  # a « commune » column holding codes
    cp_brut = champs.get("code_postal")
    if isinstance(cp_brut, (int, np.integer)):
        cp_brut = f"{int(cp_brut):05d}"
    rec["code_postal"] = nettoyer_texte(cp_brut, LONGUEUR_MAX["code_postal"])[0]

    statut_cat, themes = map_categories(_decouper(champs.get("categories")))
    statut_txt, _ = nettoyer_texte(champs.get("statut"), LONGUEUR_MAX["libelle"])
    statut: str | None = None
    if statut_txt:
        statut = _STATUT_PAR_CLE.get(_cle(statut_txt)) or map_categories([statut_txt])[0]
        if statut is None:
            remarques.append(f"statut « {statut_txt[:60]} » non reconnu, classé « autre »")
    rec["statut"] = statut or statut_cat or "autre"

    demandes = _decouper(champs.get("thematiques"))
    for label in demandes:
        texte, _ = nettoyer_texte(label, LONGUEUR_MAX["libelle"])
        if not texte:
            continue
        trouves = map_categories([texte])[1]
        if not trouves:
            remarques.append(f"thématique « {texte[:60]} » non reconnue, ignorée")
        themes = themes + trouves
    rec["thematiques"] = [t for t in THEMATIQUES if t in set(themes)]

    famille_txt, _ = nettoyer_texte(champs.get("famille"), LONGUEUR_MAX["libelle"])
    famille = _FAMILLE_PAR_CLE.get(_cle(famille_txt)) if famille_txt else None
    if famille_txt and famille is None:
        remarques.append(f"famille « {famille_txt[:60]} » non reconnue, déduite du statut")
    rec["famille"] = famille or STATUT_VERS_FAMILLE[rec["statut"]]

    precision_txt, _ = nettoyer_texte(champs.get("precision"), LONGUEUR_MAX["libelle"])
    rec["precision"] = _PRECISION_PAR_CLE.get(_cle(precision_txt), "") if precision_txt else ""

    site, note = nettoyer_url(champs.get("site_web"))
    if note:
        remarques.append(note)
    rec["site_web"] = site
    rec["lon"] = _nombre(champs.get("lon"))
    rec["lat"] = _nombre(champs.get("lat"))
    return {k: rec[k] for k in (*COLONNES, "_position", "_remarques", "_erreurs")}


def _code_commune(valeur: object) -> str | None:
    """INSEE code as text; restores the leading zero a spreadsheet drops (1001 → 01001)."""
    if valeur is None or isinstance(valeur, bool):
        return None
    if isinstance(valeur, (int, np.integer)):
        valeur = str(int(valeur))
    elif isinstance(valeur, (float, np.floating)):
        if not math.isfinite(valeur) or valeur != int(valeur):
            return None
        valeur = str(int(valeur))
    texte = str(valeur).strip().upper()
    if re.fullmatch(r"\d{4}", texte):
        texte = "0" + texte
    return texte if re.fullmatch(r"\d[\dAB]\d{3}", texte) else None


# ---------------------------------------------------------------------------------------------
# Readers
# ---------------------------------------------------------------------------------------------


def read_initiatives(path: Path | str) -> list[dict[str, Any]]:
    """Read a CSV, GeoJSON or GoGoCarto (gogofull) JSON file into normalised records.

    CSV must be UTF-8 (with or without BOM); other encodings are refused with a French message
    rather than guessed, because a wrong guess silently corrupts names.
    """
    chemin = Path(path)
    nom = apercu(chemin.name, 120)
    texte = lire_texte(chemin, TAILLE_MAX_OCTETS, "fichier d'initiatives")
    if not texte.strip():
        raise DonneesInvalides(f"« {nom} » est vide : aucune initiative à importer.")
    suffixe = chemin.suffix.lower()
    if suffixe in (".json", ".geojson") or (suffixe not in (".csv", ".tsv", ".txt") and texte.lstrip()[:1] in "[{"):
        return _lire_json(texte, nom)
    return _lire_csv(texte, nom)


def _lire_csv(texte: str, nom: str) -> list[dict[str, Any]]:
    entete_brute = texte.split("\n", 1)[0]
    separateur = max((",", ";", "\t"), key=entete_brute.count)
    if entete_brute.count(separateur) == 0:
        separateur = ","
    lecteur = csv.reader(io.StringIO(texte, newline=""), delimiter=separateur, strict=True)
    enregistrements: list[dict[str, Any]] = []
    try:
        entete = next(lecteur)
        colonnes_uniques(entete, nom)
        colonnes = {_ALIAS.get(_cle_colonne(c)) for c in entete}
        if "nom" not in colonnes:
            lues = ", ".join(nettoyer_texte(c, 40)[0] for c in entete[:12])
            raise DonneesInvalides(
                f"« {nom} » : aucune colonne de nom (nom, name, title, titre) dans l'en-tête "
                f"(colonnes lues : {lues}). Vérifiez la première ligne et le séparateur."
            )
        if not colonnes & {"lon", "lat", "commune_code", "commune_nom", "code_postal"}:
            raise DonneesInvalides(
                f"« {nom} » : ni colonnes de position (lat, lon) ni colonne de commune (commune_code, "
                "commune, code_postal) : impossible de placer les initiatives sur la carte."
            )
        debut = lecteur.line_num + 1
        for ligne in lecteur:
            position = f"ligne {debut}"
            debut = lecteur.line_num + 1
            if not any(c.strip() for c in ligne):
                continue
            brut: dict[str, Any] = {}
            for cle, valeur in zip(entete, ligne, strict=False):
                if cle not in brut or not str(brut[cle]).strip():
                    brut[cle] = valeur
            if len(ligne) > len(entete) and any(c.strip() for c in ligne[len(entete) :]):
                brut["_erreurs"] = [
                    f"{len(ligne)} champs au lieu de {len(entete)} : vérifiez les guillemets autour des "
                    f"textes contenant le séparateur « {separateur if separateur != chr(9) else 'tabulation'} »"
                ]
            enregistrements.append(_normaliser(brut, position, nom))
    except csv.Error as err:
        raise DonneesInvalides(
            f"« {nom} », ligne {lecteur.line_num} : CSV mal formé ({err}). Vérifiez les guillemets et le séparateur."
        ) from None
    except StopIteration:
        raise DonneesInvalides(f"« {nom} » est vide : aucune initiative à importer.") from None
    return enregistrements


def _lire_json(texte: str, nom: str) -> list[dict[str, Any]]:
    donnees = charger_json(texte, nom)
    compact = DonneesInvalides(
        f"« {nom} » est un export GoGoCarto « gogocompact » (éléments sous forme de listes, sans nom ni "
        "catégories lisibles) : réexportez avec /api/elements.json?ontology=gogofull."
    )
    if isinstance(donnees, dict):
        if str(donnees.get("ontology", "")).lower() == "gogocompact" or "mapping" in donnees:
            raise compact
        if "@graph" in donnees:
            raise DonneesInvalides(
                f"« {nom} » est un export JSON-LD : utilisez l'export /api/elements.json (gogofull)."
            )
        if donnees.get("type") == "FeatureCollection":
            return _lire_entites(donnees.get("features"), nom)
        if donnees.get("type") == "Feature":
            return _lire_entites([donnees], nom)
        for cle in ("data", "elements", "features"):
            if cle in donnees:
                elements = donnees[cle]
                break
        else:
            raise DonneesInvalides(
                f"« {nom} » : structure JSON non reconnue (attendu : FeatureCollection GeoJSON, ou export "
                "GoGoCarto avec une clé « data », « elements » ou « features », ou une liste d'éléments)."
            )
    else:
        elements = donnees
    if not isinstance(elements, list):
        raise DonneesInvalides(f"« {nom} » : la liste des éléments est absente ou n'est pas une liste.")
    if elements and all(isinstance(e, list) for e in elements):
        raise compact
    if any(isinstance(e, dict) and "geometry" in e and "properties" in e for e in elements):
        return _lire_entites(elements, nom)
    sortie = []
    for i, element in enumerate(elements, 1):
        position = f"élément {i}"
        if not isinstance(element, dict):
            sortie.append(_normaliser({"_erreurs": ["élément qui n'est pas un objet JSON"]}, position, nom))
            continue
        sortie.append(_normaliser(_aplatir_gogo(element), position, nom))
    return sortie


def _aplatir_gogo(element: Mapping[str, Any]) -> dict[str, Any]:
    """gogofull element → flat dict: ``geo`` and ``address`` sub-objects lifted, category names kept."""
    plat: dict[str, Any] = {k: v for k, v in element.items() if not isinstance(v, dict)}
    geo = element.get("geo")
    if isinstance(geo, dict):
        for cle in ("latitude", "longitude"):
            if geo.get(cle) is not None:
                plat[cle] = geo[cle]
        for cle in ("lat", "lng", "lon", "long"):
            if geo.get(cle) is not None:
                plat.setdefault(cle, geo[cle])
    adresse = element.get("address")
    if isinstance(adresse, dict):
        for cle in ("addressLocality", "postalCode", "addressCountry"):
            if adresse.get(cle) is not None:
                plat.setdefault(cle, adresse[cle])
    if isinstance(plat.get("address"), (list, str)):
        plat.pop("address")  # a street line: not kept
    if not plat.get("categories") and isinstance(element.get("categoriesFull"), list):
        plat["categories"] = element["categoriesFull"]
    elif "categoriesFull" in plat and plat.get("categories"):
        plat.pop("categoriesFull")
    for cle in ("email", "mail", "telephone", "subscriberEmails"):
        plat.pop(cle, None)  # personal data: never kept
    return plat


def _lire_entites(entites: object, nom: str) -> list[dict[str, Any]]:
    if not isinstance(entites, list):
        raise DonneesInvalides(f"« {nom} » : « features » absent ou n'est pas une liste.")
    sortie = []
    for i, entite in enumerate(entites, 1):
        position = f"entité {i}"
        if not isinstance(entite, dict):
            sortie.append(_normaliser({"_erreurs": ["entité GeoJSON qui n'est pas un objet"]}, position, nom))
            continue
        proprietes = entite.get("properties")
        brut: dict[str, Any] = dict(proprietes) if isinstance(proprietes, dict) else {}
        if entite.get("id") is not None and not any(_ALIAS.get(_cle_colonne(k)) == "id" for k in brut):
            brut["id"] = entite["id"]
        geometrie = entite.get("geometry")
        if isinstance(geometrie, dict):
            coords = geometrie.get("coordinates")
            if geometrie.get("type") != "Point":
                brut["_erreurs"] = [
                    f"géométrie « {nettoyer_texte(geometrie.get('type'), 30)[0]} » non prise en charge "
                    "(un point est attendu)"
                ]
            elif not isinstance(coords, list) or len(coords) < 2:
                brut["_erreurs"] = ["coordonnées du point absentes ou mal formées (attendu : [lon, lat])"]
            else:
                for cle in list(brut):
                    if _ALIAS.get(_cle_colonne(cle)) in ("lon", "lat"):
                        del brut[cle]
                brut["lon"], brut["lat"] = coords[0], coords[1]
        sortie.append(_normaliser(brut, position, nom))
    return sortie


def load_seed_initiatives(path: Path | str | None = None) -> list[dict[str, Any]]:
    """The curated seed list shipped with the code (``config.INITIATIVES_SEED``), or ``path``."""
    return read_initiatives(Path(path) if path is not None else config.INITIATIVES_SEED)


# ---------------------------------------------------------------------------------------------
# Communes reference
# ---------------------------------------------------------------------------------------------

_KM_PAR_DEGRE_LAT = 110.574
_KM_PAR_DEGRE_LON_EQUATEUR = 111.320


def _projeter(
    lon: npt.NDArray[np.float64], lat: npt.NDArray[np.float64]
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Local equirectangular kilometres: good enough to compare distances of a few tens of km."""
    return lon * _KM_PAR_DEGRE_LON_EQUATEUR * np.cos(np.radians(lat)), lat * _KM_PAR_DEGRE_LAT


class _Communes:
    """Lookups over the communes table: code, postal code + name, polygon, nearest centroid."""

    def __init__(self, communes: pd.DataFrame) -> None:
        manquantes = {"code", "nom", "lon", "lat"} - set(communes.columns)
        if manquantes:
            raise EssError(
                "Table des communes incomplète pour placer les initiatives : colonnes manquantes "
                f"{', '.join(sorted(manquantes))} (reconstruisez la base géographique)."
            )
        self.codes = [str(c) for c in communes["code"]]
        self.noms = [str(n) for n in communes["nom"]]
        self.lon = pd.to_numeric(communes["lon"], errors="coerce").to_numpy(dtype=float)
        self.lat = pd.to_numeric(communes["lat"], errors="coerce").to_numpy(dtype=float)
        self.index = {code: i for i, code in enumerate(self.codes)}
        self.par_cp: dict[str, list[int]] = {}
        if "codes_postaux" in communes.columns:
            for i, valeur in enumerate(communes["codes_postaux"]):
                for cp in _liste_cp(valeur):
                    self.par_cp.setdefault(cp, []).append(i)
        self.par_nom: dict[str, list[int]] = {}
        for i, nom in enumerate(self.noms):
            self.par_nom.setdefault(_cle(nom), []).append(i)

        self.contours: shapely.STRtree | None = None
        self.contours_rang: npt.NDArray[np.intp] = np.array([], dtype=np.intp)
        geometries = _geometries(communes)
        if geometries is not None:
            valides = np.array([g is not None and not shapely.is_empty(g) for g in geometries], dtype=bool)
            if valides.any():
                self.contours = shapely.STRtree(geometries[valides])
                self.contours_rang = np.flatnonzero(valides)

        finis = np.isfinite(self.lon) & np.isfinite(self.lat)
        self.centres_rang = np.flatnonzero(finis)
        x, y = _projeter(self.lon[finis], self.lat[finis])
        self.centres = shapely.STRtree(shapely.points(x, y)) if finis.any() else None

    def code_connu(self, code: str) -> int | None:
        return self.index.get(code)

    def au_point(self, lon: float, lat: float) -> int | None:
        """Commune containing the point (outline), else nearest centroid within 30 km."""
        if self.contours is not None:
            point = shapely.Point(lon, lat)
            trouves = self.contours.query(point, predicate="intersects")
            if len(trouves) == 0:
                trouves = self.contours.query_nearest(point, max_distance=TOLERANCE_CONTOUR_DEG)
            if len(trouves):
                return int(min(self.contours_rang[trouves], key=lambda i: self.codes[i]))
            return None
        if self.centres is None:
            return None
        x, y = _projeter(np.array([lon]), np.array([lat]))
        proche = self.centres.query_nearest(shapely.Point(x[0], y[0]), max_distance=DISTANCE_CENTROIDE_MAX_KM)
        return int(self.centres_rang[proche[0]]) if len(proche) else None

    def par_cp_nom(self, code_postal: str, nom: str) -> int | None:
        """Postal code and/or name → commune, only when the answer is unique."""
        cle_nom = _cle(nom)
        cp = code_postal.strip()
        if cp:
            candidats = self.par_cp.get(cp, [])
            if cle_nom:
                candidats = [i for i in candidats if _cle(self.noms[i]) == cle_nom] or (
                    candidats if len(candidats) == 1 else []
                )
            return candidats[0] if len(candidats) == 1 else None
        if cle_nom:
            candidats = self.par_nom.get(cle_nom, [])
            return candidats[0] if len(candidats) == 1 else None
        return None


def _liste_cp(valeur: object) -> list[str]:
    if valeur is None or (isinstance(valeur, float) and math.isnan(valeur)):
        return []
    if isinstance(valeur, str):
        return [p.strip() for p in re.split(r"[;,|\s]+", valeur) if p.strip()]
    if isinstance(valeur, Iterable):
        return [str(p).strip() for p in valeur if p is not None and str(p).strip()]
    return [str(valeur)]


def _geometries(communes: pd.DataFrame) -> npt.NDArray[np.object_] | None:
    """Commune outlines from ``geometry_wkb`` (shapely WKB) or ``geojson`` text, if the table has them."""
    if "geometry_wkb" in communes.columns:
        valeurs = [
            bytes(v) if isinstance(v, (bytes, bytearray, memoryview)) else None for v in communes["geometry_wkb"]
        ]
        return np.array([shapely.from_wkb(v) if v else None for v in valeurs], dtype=object)
    if "geojson" in communes.columns:
        return np.array(
            [shapely.from_geojson(v) if isinstance(v, str) and v else None for v in communes["geojson"]],
            dtype=object,
        )
    return None


def _en_france(lon: float, lat: float) -> bool:
    return any(x0 <= lon <= x1 and y0 <= lat <= y1 for _, x0, x1, y0, y1 in EMPRISES_FRANCE)


def _distance_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle distance in metres (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6_371_008.8 * math.asin(math.sqrt(min(1.0, a)))


# ---------------------------------------------------------------------------------------------
# Validation
# ---------------------------------------------------------------------------------------------


def validate_initiatives(
    records: Sequence[Mapping[str, Any]],
    communes: pd.DataFrame,
    fichier: str,
    garder_valides: bool = False,
) -> tuple[pd.DataFrame, list[str]]:
    """Check, place in their commune and de-duplicate initiatives; all-or-nothing by default.

    Returns the valid rows (columns :data:`COLONNES`, ``thematiques`` as a list) and French
    messages (errors first, then notes such as truncations and duplicates). With errors and
    ``garder_valides=False`` nothing is returned: :class:`DonneesInvalides` lists them instead.
    """
    ref = _Communes(communes)
    erreurs: list[str] = []
    remarques: list[str] = []
    valides: list[dict[str, Any]] = []
    for i, brut in enumerate(records, 1):
        position = str(brut.get("_position") or f"enregistrement {i}")
        rec = _normaliser(brut, position, fichier)
        etiquette = f"{position} (« {rec['nom'][:80]} »)" if rec["nom"] else f"{position} (sans nom)"
        problemes = list(rec["_erreurs"]) or _placer(rec, ref)
        if not rec["nom"]:
            problemes.insert(0, "champ « nom » vide : chaque initiative doit avoir un nom")
        if problemes:
            erreurs.extend(f"« {fichier} », {etiquette} : {p}." for p in problemes)
            continue
        remarques.extend(f"« {fichier} », {etiquette} : {r}." for r in rec["_remarques"])
        valides.append(rec)

    if erreurs and not garder_valides:
        raise ErreursFichier(
            fichier,
            erreurs,
            f"« {fichier} » : {len(erreurs)} erreur(s), aucune initiative importée.",
            "Corrigez ces enregistrements, ou demandez l'import des seuls enregistrements valides.",
            MAX_ERREURS_AFFICHEES,
        )

    gardes, doublons = _dedoublonner(valides)
    if doublons:
        detail = "; ".join(doublons[:MAX_ERREURS_AFFICHEES])
        reste = len(doublons) - MAX_ERREURS_AFFICHEES
        remarques.append(
            f"« {fichier} » : {len(doublons)} doublon(s) écarté(s) (même nom, même commune ou à moins de "
            f"{DISTANCE_DOUBLON_M:.0f} m) : {detail}" + (f" … et {reste} autres." if reste > 0 else ".")
        )
    remarques.extend(_attribuer_ids(gardes, fichier))
    tableau = pd.DataFrame([{c: r[c] for c in COLONNES} for r in gardes], columns=list(COLONNES))
    tableau["lon"] = tableau["lon"].astype(float)
    tableau["lat"] = tableau["lat"].astype(float)
    return tableau, erreurs + remarques


def _placer(rec: dict[str, Any], ref: _Communes) -> list[str]:
    """Check the position and commune of one record, filling commune, centroid and precision."""
    problemes: list[str] = []
    lon, lat = rec["lon"], rec["lat"]
    coords: tuple[float, float] | None = None
    if lon is None and lat is None:
        pass
    elif lon is None or lat is None:
        absent = "lon" if lon is None else "lat"
        problemes.append(f"champ « {absent} » manquant : donnez la latitude et la longitude, ou aucune des deux")
    else:
        for cle, valeur in (("lon", lon), ("lat", lat)):
            if isinstance(valeur, str):
                problemes.append(f"champ « {cle} » : « {valeur} » n'est pas un nombre")
            elif not math.isfinite(valeur):
                problemes.append(f"champ « {cle} » : valeur non finie ({valeur})")
        if not problemes:
            coords = (float(lon), float(lat))
            if not _en_france(*coords):
                indice = " (latitude et longitude inversées ?)" if _en_france(coords[1], coords[0]) else ""
                problemes.append(
                    f"champs « lon »/« lat » : position ({coords[0]:g}, {coords[1]:g}) hors de France{indice}"
                )
    if problemes:
        return problemes

    rang: int | None = None
    if rec["commune_code"]:
        rang = ref.code_connu(rec["commune_code"])
        if rang is None:
            return [f"champ « commune_code » : code commune « {rec['commune_code']} » inconnu (code INSEE 2026)"]
    if coords is not None:
        if rang is None:
            rang = ref.au_point(*coords)
        if rang is None:
            rang = ref.par_cp_nom(rec["code_postal"], rec["commune_nom"])
        if rang is None:
            return [f"champs « lon »/« lat » : aucune commune connue à la position ({coords[0]:g}, {coords[1]:g})"]
        rec["lon"], rec["lat"] = coords
        rec["precision"] = rec["precision"] or "adresse"
    else:
        if rang is None:
            rang = ref.par_cp_nom(rec["code_postal"], rec["commune_nom"])
        if rang is None:
            donnees = (
                ", ".join(f"{k} « {rec[k]} »" for k in ("commune_nom", "code_postal") if rec[k])
                or "aucune commune indiquée"
            )
            return [
                "position manquante (lat/lon) et commune introuvable "
                f"({donnees}) : ajoutez les coordonnées ou un code commune INSEE"
            ]
        if not (math.isfinite(ref.lon[rang]) and math.isfinite(ref.lat[rang])):
            return [f"position manquante et centre de la commune « {ref.noms[rang]} » inconnu"]
        rec["lon"], rec["lat"] = float(ref.lon[rang]), float(ref.lat[rang])
        rec["precision"] = "commune"
    rec["commune_code"] = ref.codes[rang]
    rec["commune_nom"] = ref.noms[rang]
    return []


def _dedoublonner(records: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[str]]:
    """Same normalised name and (same commune or < 100 m) → keep one, preferring an address point."""
    gardes: list[dict[str, Any] | None] = []
    par_nom: dict[str, list[int]] = {}
    doublons: list[str] = []
    for rec in records:
        cle = _cle(rec["nom"])
        trouve = None
        for j in par_nom.get(cle, []):
            autre = gardes[j]
            assert autre is not None
            if autre["commune_code"] == rec["commune_code"] or (
                _distance_m(autre["lon"], autre["lat"], rec["lon"], rec["lat"]) <= DISTANCE_DOUBLON_M
            ):
                trouve = j
                break
        if trouve is None:
            par_nom.setdefault(cle, []).append(len(gardes))
            gardes.append(rec)
            continue
        autre = gardes[trouve]
        assert autre is not None
        if rec["precision"] == "adresse" and autre["precision"] != "adresse":
            gardes[trouve] = rec
            doublons.append(f"« {autre['nom'][:60]} » ({autre['_position']}, remplacé par {rec['_position']})")
        else:
            doublons.append(f"« {rec['nom'][:60]} » ({rec['_position']}, doublon de {autre['_position']})")
    return [g for g in gardes if g is not None], doublons


def _attribuer_ids(records: list[dict[str, Any]], fichier: str) -> list[str]:
    """Give every record a unique id: kept when present, else derived from name and place."""
    vus: set[str] = set()
    notes: list[str] = []
    for rec in records:
        if not rec["id"]:
            empreinte = f"{rec['nom']}|{rec['commune_code']}|{rec['lon']:.5f}|{rec['lat']:.5f}"
            racine = re.sub(r"[^a-z0-9]+", "-", _cle(rec["nom"]))[:40].strip("-") or "initiative"
            rec["id"] = f"{racine}-{hashlib.sha1(empreinte.encode()).hexdigest()[:8]}"
        if rec["id"] in vus:
            n = 2
            while f"{rec['id']}-{n}" in vus:
                n += 1
            notes.append(
                f"« {fichier} », {rec['_position']} : identifiant « {rec['id'][:60]} » déjà utilisé, "
                f"renommé « {rec['id'][:60]}-{n} »."
            )
            rec["id"] = f"{rec['id']}-{n}"
        vus.add(rec["id"])
    return notes


# ---------------------------------------------------------------------------------------------
# GeoJSON
# ---------------------------------------------------------------------------------------------


def _json_sur(valeur: Any) -> Any:
    if isinstance(valeur, np.generic):
        valeur = valeur.item()
    if isinstance(valeur, float) and not math.isfinite(valeur):
        return None
    if isinstance(valeur, (list, tuple, np.ndarray)):
        return [_json_sur(v) for v in valeur]
    if valeur is pd.NA or valeur is pd.NaT:
        return None
    return valeur


def to_geojson(df: pd.DataFrame, exclude_ids: Iterable[str] = ()) -> dict[str, Any]:
    """Initiatives table → GeoJSON FeatureCollection of points (rows without position are skipped)."""
    exclus = {str(i) for i in exclude_ids}
    entites: list[dict[str, Any]] = []
    for ligne in df.to_dict("records"):
        ident = _json_sur(ligne.get("id"))
        if ident is not None and str(ident) in exclus:
            continue
        lon, lat = _json_sur(ligne.get("lon")), _json_sur(ligne.get("lat"))
        if not isinstance(lon, (int, float)) or not isinstance(lat, (int, float)):
            continue
        proprietes = {k: _json_sur(v) for k, v in ligne.items() if k not in ("lon", "lat")}
        themes = proprietes.get("thematiques")
        if isinstance(themes, str):
            proprietes["thematiques"] = [t for t in themes.split(";") if t]
        elif themes is None:
            proprietes["thematiques"] = []
        entites.append(
            {
                "type": "Feature",
                "id": ident,
                "geometry": {"type": "Point", "coordinates": [float(lon), float(lat)]},
                "properties": proprietes,
            }
        )
    return {"type": "FeatureCollection", "features": entites}
