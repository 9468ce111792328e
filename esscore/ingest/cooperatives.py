"""Optional reference list of legal units whose ESS family SIRENE cannot tell (``--cooperatives FILE``).

Why: a SCOP, SCIC or CAE may take the form of an SAS or SARL (categories 5710, 5499…), which says nothing of its
cooperative nature; SIRENE then classes it, at best, as a commercial company of the ESS (flag ``O``), at worst
outside the ESS. The observatories hold lists of them (the cooperative federations' directories, the CRESS's
lists); a technician gives one here and the ingestion moves each listed unit to its family.

Format (documented in the README): a CSV file in UTF-8, comma or semicolon separated, with a header holding a
``siren`` column (9 digits; spaces allowed) and an optional ``famille`` column (one of ``esscore.ess.FAMILLES``,
accents and case ignored; « Coopératives » when absent or empty). Other columns (a name, a note) are ignored.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pandas as pd

from esscore import ess
from esscore.errors import DonneesInvalides
from esscore.fichiers import ErreursFichier, apercu, colonnes_uniques, lire_texte
from esscore.text import normalize

TAILLE_MAX = 20 * 10**6  # ~1 million lines: far more than every cooperative of France (≈ 4 000 SCOP and SCIC)
_FAMILLES = {normalize(f): f for f in ess.FAMILLES}
QUOI = "fichier de coopératives (--cooperatives)"


def lire_cooperatives(chemin: str | Path) -> pd.DataFrame:
    """``siren``, ``famille``: one row per listed legal unit; every error of the file at once, in French."""
    texte = lire_texte(chemin, TAILLE_MAX, QUOI)
    nom = Path(chemin).name
    lignes = texte.splitlines()
    if not lignes or not lignes[0].strip():
        raise DonneesInvalides(
            f"« {apercu(nom, 120)} » est vide : une ligne d'en-tête avec une colonne siren est attendue."
        )
    separateur = ";" if lignes[0].count(";") > lignes[0].count(",") else ","
    lecteur = csv.DictReader(io.StringIO(texte), delimiter=separateur)
    colonnes = [c.strip().lower() for c in lecteur.fieldnames or []]
    colonnes_uniques(colonnes, nom)
    if "siren" not in colonnes:
        raise DonneesInvalides(
            f"« {apercu(nom, 120)} » : colonne « siren » absente de l'en-tête (lu : "
            f"{', '.join(apercu(c, 30) for c in colonnes[:8])}). Ajoutez une colonne siren (et, si besoin, famille)."
        )
    lecteur.fieldnames = colonnes
    return _valider(lecteur, nom)


def _valider(lecteur: csv.DictReader, nom: str) -> pd.DataFrame:
    erreurs: list[str] = []
    lignes: dict[str, str] = {}
    for numero, ligne in enumerate(lecteur, start=2):
        siren = re.sub(r"\s", "", ligne.get("siren") or "")
        brute = (ligne.get("famille") or "").strip()
        famille = _FAMILLES.get(normalize(brute)) if brute else "Coopératives"
        if not re.fullmatch(r"\d{9}", siren):
            erreurs.append(f"ligne {numero} : SIREN « {apercu(siren, 30)} » invalide (9 chiffres attendus).")
        elif famille is None:
            erreurs.append(
                f"ligne {numero} : famille « {apercu(brute, 60)} » inconnue (valeurs possibles : "
                f"{', '.join(ess.FAMILLES)})."
            )
        elif lignes.get(siren, famille) != famille:
            erreurs.append(f"ligne {numero} : SIREN {siren} déjà listé avec la famille « {lignes[siren]} ».")
        else:
            lignes[siren] = famille
    if erreurs:
        raise ErreursFichier(nom, erreurs, f"« {apercu(nom, 120)} » : {len(erreurs)} erreur(s), rien n'a été chargé :",
                             "Corrigez le fichier puis relancez l'ingestion.")  # fmt: skip
    return pd.DataFrame({"siren": list(lignes), "famille": list(lignes.values())}, dtype="string")
