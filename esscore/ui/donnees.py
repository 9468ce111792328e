"""Données & sources page blocks: the build date in French, the sources registry as tables that fit the page.

Widgets only: the page reads the registry from ``esscore.ui.cache`` and passes it here.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import pandas as pd
import streamlit as st

from esscore.labels import fmt_date, fmt_dec, fmt_horodatage, fmt_int
from esscore.text import texte_litteral
from esscore.ui import blocs

# Columns of ``sql/sources_liste.sql``: the main table (what, who, which vintage, which licence, how many rows)
# and the details, in an expander (the addresses are links in « Références complètes »).
PRINCIPALES = ["Source", "Producteur", "Millésime", "Licence", "Lignes"]
DETAILS = ["Source", "Paquet / fichier", "Accès", "Note"]


def construction(meta: Mapping[str, str]) -> str:
    """« Base construite le 5 décembre 2025 à 5 h 02 · ESS Territoires 0.1.0 » (Markdown-safe)."""
    quand = fmt_horodatage(meta.get("date_construction")) or "à une date inconnue"
    texte = f"Base construite le {quand}" if meta.get("date_construction") else f"Base construite {quand}"
    version = meta.get("version")
    return texte_litteral(f"{texte} · ESS Territoires {version}" if version else texte)


def registre_affiche(sources: pd.DataFrame) -> pd.DataFrame:
    """The registry as shown: row counts in French, access dates in words (« 23 novembre 2026 »)."""
    shown = sources.rename(columns={"lignes": "Lignes"}).copy()
    shown["Lignes"] = [fmt_int(v) if pd.notna(v) else "–" for v in shown["Lignes"]]
    shown["Accès"] = [fmt_date(str(v)) if pd.notna(v) and str(v) else "–" for v in shown["Accès"]]
    return shown


def sources(frame: pd.DataFrame) -> None:
    """Every source: a table that wraps to the page width, and its details (package, access date, note) below."""
    shown = registre_affiche(frame)
    vide = "Le registre des sources est vide : lancez « esscore build »."
    blocs.tableau(shown[PRINCIPALES], "Sources de la base : producteur, millésime, licence et lignes lues", vide)
    if len(shown):
        with st.expander("Détail des sources : paquet ou fichier, date d'accès, note"):
            blocs.tableau(shown[DETAILS], "Détail des sources : paquet ou fichier, date d'accès et note", vide)


def rapport(frame: pd.DataFrame) -> None:
    """The last SIRENE ingestion report (label, value), as a table that wraps; nothing when no report."""
    if frame.empty:
        return
    st.subheader("Rapport d'ingestion SIRENE")
    st.caption("Comptes de la dernière ingestion : rien n'est écarté sans être compté ici.")
    valeurs = [valeur_rapport(v) for v in frame["Valeur"]]
    blocs.tableau(frame.assign(Valeur=valeurs), "Rapport de la dernière ingestion SIRENE", "Aucun rapport.")


def valeur_rapport(valeur: object) -> str:
    """A value of the ingestion report (stored as text) written the French way: « 416 335 », « 16,3 »,
    « 30 novembre 2025 », a list « 01, 02, 03 » (spaces after the commas: it wraps instead of overflowing)."""
    texte = "" if valeur is None or (isinstance(valeur, float) and pd.isna(valeur)) else str(valeur).strip()
    if re.fullmatch(r"-?\d+", texte):
        return fmt_int(int(texte))
    if re.fullmatch(r"-?\d+\.\d+", texte):
        return fmt_dec(float(texte))
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", texte):
        return fmt_date(texte)
    return re.sub(r",(?=\S)", ", ", texte) or "–"


def geographie(frame: pd.DataFrame) -> None:
    """Territories and population per level (« 34 969 communes »: the count every page gives)."""
    shown = frame.assign(
        Territoires=[fmt_int(v) for v in frame["Territoires"]], Population=[fmt_int(v) for v in frame["Population"]]
    )
    vide = "Géographie absente : lancez « esscore build »."
    blocs.tableau(shown, "Nombre de territoires et population par niveau", vide)
