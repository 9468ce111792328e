"""COPIL deck downloads: the « Diaporama COPIL » block of the Panorama, Comparaisons and Carte pages
(``diaporama``) and the roadmap page's buttons (``boutons_copil``), PPTX and PDF.

The deck compares the territory with the peers chosen on the Comparaisons page: the ``pairs`` URL parameter
(parsed as that page does), else the peers chosen there earlier in the session, else the suggested peers
(``comparaison.pairs_suggeres``). Building takes a few seconds, so nothing is built before a click: the block
shows its steps in ``st.status``, then the download buttons; the roadmap page passes a callable to
``st.download_button`` instead. Either way the files are cached per territory, peers, roadmap content, day and
database file (``cache.copil_donnees`` / ``copil_pptx`` / ``copil_pdf``).
"""

from __future__ import annotations

import json
import re
import time
import unicodedata
from collections.abc import Sequence
from datetime import date
from typing import Any

import streamlit as st

from esscore import comparaison
from esscore.errors import EssError
from esscore.geography import Territoire
from esscore.labels import accord, compte
from esscore.text import texte_litteral
from esscore.ui import cache, layout

MIME_PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
LIBELLE_PPTX = "Télécharger le diaporama COPIL (PowerPoint)"
LIBELLE_PDF = "Télécharger le diaporama en PDF"
_MEMOIRE = "copil_pairs"  # session: {territory id: peers chosen on the Comparaisons page}
_URL_POUR = "copil_pairs_url"  # session: the territory the URL's ``pairs`` were read for


def _doc(territoire_id: str, feuille_id: str | None) -> dict[str, Any] | None:
    """The roadmap to include: ``feuille_id`` ("" = none), else the store's roadmap of the territory."""
    if feuille_id == "":
        return None
    # esscore.copil (python-pptx, reportlab, Altair) costs 0.4 s at its first import (measured): the pages that
    # show the deck's button load it only when someone asks for a deck.
    from esscore.copil import feuille_du_territoire

    store = cache.magasin()
    ident = feuille_id or feuille_du_territoire(store.list_roadmaps(), territoire_id)
    return store.get(ident) if ident else None


def _cle(
    territoire_id: str, feuille_id: str | None, pairs: cache.Pairs = None
) -> tuple[str, str | None, str, cache.Pairs]:
    doc = _doc(territoire_id, feuille_id)
    doc_json = json.dumps(doc, ensure_ascii=False, sort_keys=True) if doc else None
    return territoire_id, doc_json, date.today().isoformat(), pairs


def copil_bytes(territoire_id: str, feuille_id: str | None = None, pairs: cache.Pairs = None) -> bytes:
    """The COPIL deck (PPTX) of a territory; ``feuille_id`` None = its stored roadmap if any, "" = none;
    ``pairs`` None = the suggested peers."""
    return cache.copil_pptx(*_cle(territoire_id, feuille_id, pairs))


def copil_pdf_bytes(territoire_id: str, feuille_id: str | None = None, pairs: cache.Pairs = None) -> bytes:
    """The same deck as a PDF made of text (selectable, searchable)."""
    return cache.copil_pdf(*_cle(territoire_id, feuille_id, pairs))


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
        LIBELLE_PPTX,
        data=lambda: copil_bytes(territoire_id, feuille_id),
        file_name=nom_fichier(terr.nom, jour, "pptx"),
        mime=MIME_PPTX,
        key=f"{key}_pptx",
        on_click="ignore",
        icon="📊",
        type="primary",
    )
    col2.download_button(
        LIBELLE_PDF,
        data=lambda: copil_pdf_bytes(territoire_id, feuille_id),
        file_name=nom_fichier(terr.nom, jour, "pdf"),
        mime="application/pdf",
        key=f"{key}_pdf",
        on_click="ignore",
        icon="📄",
    )
    suivi = "" if feuille_id == "" else "avancement de la feuille de route et actions en retard, "  # "": none
    texte = (
        f"{texte_litteral(terr.libelle)} : chiffres clés comparés à des territoires proches, familles et "
        f"secteurs, carte des communes, tableau de comparaison, {suivi}exemples d'autres collectivités, sources. "
        "Le fichier est préparé au clic (quelques secondes). "
        "Graphiques PowerPoint modifiables, phrases et sources de chaque diapositive dans les notes ; le PDF "
        "contient les mêmes diapositives, texte sélectionnable."
    )
    if cache.is_demo():
        texte += " Les chiffres ESS sont des **données de démonstration** : chaque diapositive le signale."
    st.caption(texte)


# ---------------------------------------------------------------------------------------------- « Diaporama COPIL »


def _normaliser(terr: Territoire, pairs: Sequence[str]) -> cache.Pairs:
    """None when the peers are the suggested ones (one cached deck for Panorama and Comparaisons), else a tuple."""
    choisis = tuple(pairs)
    return None if list(choisis) == list(cache.pairs(terr)["id"]) else choisis


def pairs_retenus(terr: Territoire) -> cache.Pairs:
    """The peers of the deck on a page that does not choose them: the URL's ``pairs`` (same parsing as the
    Comparaisons page; invalid entries are dropped here, that page explains them), else the peers chosen on the
    Comparaisons page in this session, else None (the suggested peers)."""
    raw = st.query_params.get("pairs")
    if raw is not None and st.session_state.get(_URL_POUR) in (None, terr.id):
        st.session_state[_URL_POUR] = terr.id
        valides, _ = comparaison.parse_pairs(cache.con(), terr, raw)
        return _normaliser(terr, valides)
    return st.session_state.get(_MEMOIRE, {}).get(terr.id)


def diaporama(terr: Territoire, pairs: Sequence[str] | None = None, key: str = "diaporama") -> None:
    """The « Diaporama COPIL » block: a button that builds the deck of ``terr`` with ``pairs`` (the peers the
    Comparaisons page shows; None = ``pairs_retenus``), its progress, then the PPTX and PDF downloads."""
    if pairs is not None:  # the Comparaisons page: remember its choice for the other pages
        choisis = _normaliser(terr, pairs)
        st.session_state.setdefault(_MEMOIRE, {})[terr.id] = choisis
        st.session_state[_URL_POUR] = terr.id
    else:
        choisis = pairs_retenus(terr)
    _bloc(terr.id, choisis, key)


@st.fragment
def _bloc(territoire_id: str, pairs: cache.Pairs, key: str) -> None:
    """The block's widgets; a fragment, so that a click reruns the block, not the page's maps and charts."""
    terr = cache.territoire(territoire_id)
    n_pairs = len(pairs) if pairs is not None else len(cache.pairs(terr))
    qui = (f"{accord(n_pairs, 'choisi')} sur la page Comparaisons" if pairs is not None
           else f"{accord(n_pairs, 'suggéré')} (page Comparaisons pour en changer)")  # fmt: skip
    with st.container(border=True):
        st.markdown("**Diaporama COPIL**")
        avec_qui = f" comparé à {compte(n_pairs, 'territoire')} {qui}" if n_pairs else ""  # France: no peers
        st.caption(
            f"{texte_litteral(terr.libelle)}{avec_qui} : "
            "chiffres clés, familles, secteurs, carte, tableau, chiffres publiés, et la feuille de route "
            "enregistrée si le territoire en a une. PowerPoint modifiable (graphiques natifs, phrases et sources "
            "dans les notes) et PDF au texte sélectionnable, préparés au clic (quelques secondes)."
        )
        c1, c2 = st.columns([1, 2], vertical_alignment="center")
        demande = c1.button("Diaporama COPIL", key=f"{key}_go", icon="📊", type="primary")
        avec_feuille = c2.toggle("Inclure la feuille de route du territoire", value=True, key=f"{key}_feuille")
        signature = (territoire_id, pairs, avec_feuille)
        if demande:
            st.session_state[f"{key}_demande"] = signature
        if st.session_state.get(f"{key}_demande") == signature:
            _preparer(terr, pairs, avec_feuille, key)


def _feuille(territoire_id: str, avec_feuille: bool) -> tuple[str | None, str]:
    """(roadmap as JSON or None, what the progress says about it); a store that cannot be read leaves it out."""
    if not avec_feuille:
        return None, "sans feuille de route (choix) : diapositives statistiques seulement"
    try:
        doc = _doc(territoire_id, None)
    except EssError as err:
        return None, f"feuille de route illisible ({texte_litteral(str(err))}) : diapositives statistiques seulement"
    if doc is None:
        return None, "aucune feuille de route enregistrée : diapositives statistiques seulement"
    titre = texte_litteral(str(doc.get("titre") or doc.get("id") or ""))
    return json.dumps(doc, ensure_ascii=False, sort_keys=True), f"feuille de route « {titre} »"


def _preparer(terr: Territoire, pairs: cache.Pairs, avec_feuille: bool, key: str) -> None:
    """Build (or read from the cache) the deck and its PDF step by step, then offer both files."""
    debut = time.perf_counter()
    jour = date.today()
    with st.status("Préparation du diaporama COPIL…", expanded=False) as statut:
        try:
            doc_json, feuille = _feuille(terr.id, avec_feuille)
            cle = (terr.id, doc_json, jour.isoformat(), pairs)
            statut.update(label="Chiffres, pairs, rangs et carte…")
            d = cache.copil_donnees(*cle)
            st.write(f"✓ Chiffres réunis : {len(d.pairs)} territoires comparés, {feuille}.")
            statut.update(label="Diapositives, graphiques et notes…")
            pptx = cache.copil_pptx(*cle)
            st.write("✓ Diapositives dessinées.")
            statut.update(label="PDF…")
            pdf = cache.copil_pdf(*cle)
            st.write("✓ PDF prêt (texte sélectionnable).")
        except EssError as err:
            statut.update(label="Diaporama impossible", state="error", expanded=True)
            layout.alerte(f"Diaporama COPIL impossible : {err}", "error")
            return
        statut.update(label=f"Diaporama prêt ({time.perf_counter() - debut:.1f} s)", state="complete")
    c1, c2 = st.columns(2)
    c1.download_button(LIBELLE_PPTX, data=pptx, file_name=nom_fichier(terr.nom, jour, "pptx"), mime=MIME_PPTX,
                       key=f"{key}_pptx", on_click="ignore", icon="📊", type="primary")  # fmt: skip
    c2.download_button(LIBELLE_PDF, data=pdf, file_name=nom_fichier(terr.nom, jour, "pdf"), mime="application/pdf",
                       key=f"{key}_pdf", on_click="ignore", icon="📄")  # fmt: skip
