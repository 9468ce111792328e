"""COPIL deck downloads for any page: ``copil_bytes`` and ``boutons_copil`` (PPTX and PDF).

Why deferred downloads: building the deck takes a few seconds, so the buttons pass a callable to
``st.download_button`` and the file is only built when someone clicks (then cached per territory, roadmap
content, database file and day). The panorama page can add the same buttons with one call::

    from esscore.ui.copil import boutons_copil
    boutons_copil(terr.id)   # the stored roadmap of the territory, if any, is included
"""

from __future__ import annotations

import json
import re
import unicodedata
from datetime import date
from typing import Any

import streamlit as st

from esscore import copil
from esscore.errors import EssError
from esscore.text import texte_litteral
from esscore.ui import cache, layout

MIME_PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"


def _doc(territoire_id: str, feuille_id: str | None) -> dict[str, Any] | None:
    """The roadmap to include: ``feuille_id`` ("" = none), else the store's roadmap of the territory."""
    if feuille_id == "":
        return None
    store = cache.magasin()
    ident = feuille_id or copil.feuille_du_territoire(store.list_roadmaps(), territoire_id)
    return store.get(ident) if ident else None


def _cle(territoire_id: str, feuille_id: str | None) -> tuple[str, str | None, str]:
    doc = _doc(territoire_id, feuille_id)
    doc_json = json.dumps(doc, ensure_ascii=False, sort_keys=True) if doc else None
    return territoire_id, doc_json, date.today().isoformat()


def copil_bytes(territoire_id: str, feuille_id: str | None = None) -> bytes:
    """The COPIL deck (PPTX) of a territory; ``feuille_id`` None = its stored roadmap if any, "" = none."""
    return cache.copil_pptx(*_cle(territoire_id, feuille_id))


def copil_pdf_bytes(territoire_id: str, feuille_id: str | None = None) -> bytes:
    """The same deck as a PDF (one image per slide, drawn offline with Pillow)."""
    return cache.copil_pdf(*_cle(territoire_id, feuille_id))


def nom_fichier(nom: str, jour: date, extension: str) -> str:
    """ASCII file name such as ``copil-ca-du-niortais-2026-11-23.pptx``."""
    ascii_ = unicodedata.normalize("NFKD", nom).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_.lower()).strip("-")[:50] or "territoire"
    return f"copil-{slug}-{jour.isoformat()}.{extension}"


def boutons_copil(territoire_id: str, feuille_id: str | None = None, key: str = "copil") -> None:
    """Download buttons for the deck (PPTX) and its PDF; the file is built on click (a few seconds)."""
    try:
        terr = cache.territoire(territoire_id)
    except EssError as err:
        layout.alerte(f"Diaporama COPIL indisponible : {err}", "warning")
        return
    if not cache.has_ess():
        st.info("Diaporama COPIL indisponible : la base ne contient pas encore de données ESS (esscore build).")
        return
    jour = date.today()
    col1, col2 = st.columns(2)
    col1.download_button(
        "Télécharger le diaporama COPIL (PowerPoint)",
        data=lambda: copil_bytes(territoire_id, feuille_id),
        file_name=nom_fichier(terr.nom, jour, "pptx"),
        mime=MIME_PPTX,
        key=f"{key}_pptx",
        on_click="ignore",
        icon="📊",
        type="primary",
    )
    col2.download_button(
        "Télécharger le diaporama en PDF",
        data=lambda: copil_pdf_bytes(territoire_id, feuille_id),
        file_name=nom_fichier(terr.nom, jour, "pdf"),
        mime="application/pdf",
        key=f"{key}_pdf",
        on_click="ignore",
        icon="📄",
    )
    texte = (
        f"{texte_litteral(terr.libelle)} : chiffres clés comparés à des territoires proches, familles et "
        "secteurs, carte des communes, tableau de comparaison, avancement de la feuille de route et actions en "
        "retard, exemples d'autres collectivités, sources. Le fichier est préparé au clic (quelques secondes). "
        "Le PDF contient les mêmes diapositives sous forme d'images."
    )
    if cache.is_demo():
        texte += " Les chiffres ESS sont des **données de démonstration** : chaque diapositive le signale."
    st.caption(texte)
