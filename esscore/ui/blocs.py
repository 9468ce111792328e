"""Rendering blocks shared by several pages: header, charts with their downloads, map legend and tooltips.

No data access here (the caller passes the source text): the page modules read their data from
``esscore.ui.cache`` and draw with these blocks, so no page module depends on another one.
"""

from __future__ import annotations

import html
import json
import math
from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st

from esscore import charts, maps
from esscore.exports import XLSX_MIME, Metadonnees, csv_bytes, xlsx_bytes
from esscore.geography import TYPE_LABELS, Territoire
from esscore.labels import fmt_int, fmt_value, typographie
from esscore.text import texte_litteral

TOOLTIP = ("<b>{t_nom}</b><br/>{t_label} : <b>{t_valeur}</b><br/>Établissements employeurs : {t_emp}"
           "<br/>Population : {t_pop}")  # fmt: skip


def tooltip_columns(frame: pd.DataFrame, indicator: str) -> pd.DataFrame:
    """HTML-escaped tooltip texts (names come from outside: never trusted as HTML)."""
    return frame.assign(
        t_nom=frame["nom"].astype(str).map(html.escape),
        t_valeur=[html.escape(fmt_value(indicator, v)) for v in frame[indicator]],
        t_pop=[html.escape(fmt_int(v)) for v in frame["population"]],
        t_emp=[html.escape(fmt_int(v)) for v in frame["etablissements_employeurs"]],
    )


def legende_html(breaks: list[float], indicator: str) -> str:
    """Colour classes of a map as inline swatches (grey = secret or no data)."""

    def fmt(v: float) -> str:
        return fmt_value(indicator, v)

    items = maps.legend(breaks, fmt)
    items.append(("#dcdcdc", "secret (s) ou sans donnée"))
    spans = [
        f'<span style="display:inline-flex;align-items:center;margin-right:14px;white-space:nowrap">'
        f'<span style="width:16px;height:12px;background:{c};border:1px solid #999;margin-right:5px;'
        f'display:inline-block"></span>{html.escape(label)}</span>'
        for c, label in items
    ]
    return f'<div style="font-size:0.9rem;line-height:1.9">{"".join(spans)}</div>'


# Run once per browser tab by ``page_en_francais`` (st.html, not iframed: it runs in the page itself). Streamlit
# serves « <html lang="en"> » and writes a few texts of its own in English (no setting translates them in 1.67):
# the page is declared French (screen readers then read it in French, RGAA 8.3) and those texts, listed here, are
# replaced as they appear. The sectioned page list of the sidebar (« ul » holding « div », not « li ») loses its
# list semantics: a navigation landmark of links, as axe-core (RGAA 9.3) wants.
SCRIPT_FRANCAIS = """
<span class="ess-francais" hidden></span>
<style>.stElementContainer:has(.ess-francais) { display: none; }</style>
<script>
(() => {
  const doc = document;
  doc.documentElement.lang = "fr";
  if (window.__essFrancais) return;
  window.__essFrancais = true;
  const TEXTES = new Map(Object.entries(TEXTES_JSON));
  const MOTIFS = [[/^View (\\d+) more$/, "Voir $1 de plus"], [/^Press Enter to (apply|submit form)$/,
                  "Appuyez sur Entrée pour valider"], [/^Select (\\d+) matches$/, "Choisir les $1 résultats"],
                  [/^You have requested page \\/(.*), but no corresponding file was found .*$/,
                   "La page « $1 » n'existe pas : voici la page d'accueil."],
                  [/^The page that you have requested does not seem to exist.*$/,
                   "Cette page n'existe pas : voici la page d'accueil."]];
  const ATTRIBUTS = ["aria-label", "title", "placeholder"];
  const LISTE_PAGES = '[data-testid="stSidebarNavItems"], [data-testid="stSidebarNavItems"] li';
  const traduit = (texte) => {
    const brut = texte.trim();
    if (TEXTES.has(brut)) return texte.replace(brut, TEXTES.get(brut));
    for (const [motif, francais] of MOTIFS) {
      if (motif.test(brut)) return texte.replace(brut, brut.replace(motif, francais));
    }
    return null;
  };
  const texteNoeud = (noeud) => { const t = traduit(noeud.data); if (t !== null && t !== noeud.data) noeud.data = t; };
  const element = (el) => {
    for (const nom of ATTRIBUTS) {
      const v = el.getAttribute(nom);
      const t = v && traduit(v);
      if (t && t !== v) el.setAttribute(nom, t);
    }
    if (el.matches(LISTE_PAGES) && el.getAttribute("role") !== "none") el.setAttribute("role", "none");
  };
  const parcourir = (racine) => {
    if (racine.nodeType === Node.TEXT_NODE) return texteNoeud(racine);
    if (racine.nodeType !== Node.ELEMENT_NODE) return;
    element(racine);
    racine.querySelectorAll("*").forEach(element);
    const marche = doc.createTreeWalker(racine, NodeFilter.SHOW_TEXT);
    while (marche.nextNode()) texteNoeud(marche.currentNode);
  };
  new MutationObserver((changements) => {
    if (doc.documentElement.lang !== "fr") doc.documentElement.lang = "fr";
    for (const c of changements) {
      if (c.type === "childList") c.addedNodes.forEach(parcourir);
      else if (c.type === "characterData") texteNoeud(c.target);
      else element(c.target);
    }
  }).observe(doc.documentElement, {subtree: true, childList: true, characterData: true, attributes: true,
                                   attributeFilter: [...ATTRIBUTS, "lang"]});
  parcourir(doc.body);
})();
</script>
"""
# Streamlit's own English texts (frontend of Streamlit 1.67) and their French, for ``SCRIPT_FRANCAIS``.
TEXTES_STREAMLIT = {
    "Skip to main content": "Aller au contenu principal", "Running...": "Calcul en cours…", "Stop": "Arrêter",
    "Connecting": "Connexion…", "Please wait...": "Veuillez patienter…", "Page not found": "Page introuvable",
    "No results": "Aucun résultat", "No options": "Aucune option", "Select all": "Tout sélectionner",
    "Clear all": "Tout effacer", "Clear value": "Effacer", "Clear entry": "Effacer", "Open": "Ouvrir",
    "Selected values": "Valeurs choisies", "View less": "Voir moins", "Close": "Fermer",
    "Fullscreen": "Plein écran", "Close fullscreen": "Quitter le plein écran",
    "Download as CSV": "Télécharger en CSV", "Search": "Rechercher", "Close Search": "Fermer la recherche",
    "Show/hide columns": "Afficher ou masquer des colonnes", "Previous Result": "Résultat précédent",
    "Next Result": "Résultat suivant", "App pages": "Pages de l'application", "Sidebar": "Barre latérale",
    "Collapse sidebar": "Replier la barre latérale", "Expand sidebar": "Déplier la barre latérale",
    "Main menu": "Menu principal", "Link to heading": "Lien vers ce titre",
    "Copy to clipboard": "Copier", "Copied": "Copié", "Increment": "Augmenter", "Decrement": "Diminuer",
    "Scroll tabs left": "Onglets précédents", "Scroll tabs right": "Onglets suivants",
}  # fmt: skip


def page_en_francais() -> None:
    """Declare the page French and translate Streamlit's own texts (``SCRIPT_FRANCAIS``): once per run, first
    thing of the app (the element is hidden; the script runs once per browser tab)."""
    script = SCRIPT_FRANCAIS.replace("TEXTES_JSON", json.dumps(TEXTES_STREAMLIT, ensure_ascii=False))
    st.html(script, unsafe_allow_javascript=True)


def entete(terr: Territoire) -> None:
    parents = " · ".join(
        f"{TYPE_LABELS[p['type']]} : {texte_litteral(p['nom'])}" for p in terr.parents if p["type"] != "france"
    )
    st.markdown(f"## {texte_litteral(terr.libelle)}")  # h2 under the page title (h1): no heading level skipped
    st.caption(f"{TYPE_LABELS[terr.type]} · {fmt_int(terr.population)} habitants (population municipale 2026)"
               + (f" · {parents}" if parents else ""))  # fmt: skip


def graphique(
    spec: charts.Spec, nom: str, donnees: pd.DataFrame, key: str, source_text: str, meta: Metadonnees
) -> None:
    """A chart with its source caption and its downloads: the data (CSV, xlsx) and the image (PNG)."""
    st.vega_lite_chart(charts.finalize(spec), width="stretch")
    st.caption(f"Source : {texte_litteral(source_text)}.")
    png: Callable[[], bytes] = lambda: charts.chart_png(spec, source_text)  # noqa: E731 - deferred, run on click
    row = st.container(horizontal=True)
    row.download_button("Données (CSV)", export(donnees, meta), file_name=f"{nom}.csv", mime="text/csv",
                        key=f"csv_{key}", on_click="ignore", icon=":material/table:")  # fmt: skip
    row.download_button("Tableur (xlsx)", tableur(donnees, meta), file_name=f"{nom}.xlsx", mime=XLSX_MIME,
                        key=f"xlsx_{key}", on_click="ignore", icon=":material/grid_on:")  # fmt: skip
    row.download_button("Image (PNG)", png, file_name=f"{nom}.png", mime="image/png", key=f"png_{key}",
                        on_click="ignore", icon=":material/image:")  # fmt: skip


def export(frame: pd.DataFrame, meta: Metadonnees) -> Callable[[], bytes]:
    """CSV of a table shown, for a French Excel (``exports.csv_bytes``: internal columns left out, secrecy in
    its own column, source and demonstration flag on every row), built only when someone clicks: written at
    every run, the CSV files were a third of a page's server time (``benchmarks/pages.py``)."""
    return lambda: csv_bytes(frame, meta)


def tableur(frame: pd.DataFrame, meta: Metadonnees) -> Callable[[], bytes]:
    """The same table as an xlsx workbook, built only when someone clicks (``exports.xlsx_bytes``)."""
    return lambda: xlsx_bytes(frame, meta)


def telechargements(libelle: str, frame: pd.DataFrame, nom: str, key: str, meta: Metadonnees) -> None:
    """« Libellé (CSV) » and « Libellé (xlsx) » side by side: a table shown, for a spreadsheet."""
    row = st.container(horizontal=True)
    row.download_button(f"{libelle} (CSV)", export(frame, meta), file_name=f"{nom}.csv", mime="text/csv", key=key,
                        on_click="ignore", icon=":material/table:")  # fmt: skip
    row.download_button(f"{libelle} (xlsx)", tableur(frame, meta), file_name=f"{nom}.xlsx", mime=XLSX_MIME,
                        key=f"{key}_xlsx", on_click="ignore", icon=":material/grid_on:")  # fmt: skip


def cellule(valeur: object) -> str:
    """A table cell as literal Markdown (``st.table`` renders Markdown): « – » for a missing value, never None."""
    if valeur is None or (isinstance(valeur, float) and math.isnan(valeur)) or valeur is pd.NA:
        return "–"
    return texte_litteral(typographie(str(valeur)))


def tableau(frame: pd.DataFrame, alt: str, vide: str, litteral: bool = False) -> None:
    """A small table as an HTML table (``st.table``): it wraps its text to the page width instead of scrolling
    or cutting, and screen readers read it as a table (``alt`` names it). Every cell and header is literal text;
    ``vide``: the French message shown instead of an empty table (plain text). ``litteral``: ``frame`` is
    already ``cellules_tableau(…)`` (built once, in a cache)."""
    if frame.empty:
        st.info(texte_litteral(vide))  # may quote what the user typed: never Markdown
        return
    st.table(frame if litteral else cellules_tableau(frame), hide_index=True, alt=alt)


def cellules_tableau(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with every cell and header as literal Markdown (``cellule``), as ``tableau`` shows it."""
    return pd.DataFrame({cellule(c): [cellule(v) for v in frame[c]] for c in frame.columns})


def grille(frame: pd.DataFrame, vide: str, **kwargs: Any) -> None:
    """A long, sortable table (``st.dataframe``), or ``vide`` (French) instead of an empty grid; missing values
    read « – » (Streamlit's default placeholder is « None »). ``kwargs`` go to ``st.dataframe``."""
    if frame.empty:
        st.info(texte_litteral(vide))  # may quote what the user typed: never Markdown
        return
    kwargs.setdefault("placeholder", "–")
    kwargs.setdefault("hide_index", True)
    st.dataframe(frame, **kwargs)


def hauteur(lignes: int, maximum: int = 420) -> int:
    """Height of a ``st.dataframe`` showing ``lignes`` rows without an inner scrollbar, up to ``maximum`` px."""
    return min(38 + 35 * max(lignes, 1), maximum)


def fichier(terr: Territoire, suffixe: str) -> str:
    """Download file name: ``<type>-<code>-<what>``."""
    return f"{terr.type}-{terr.code}-{suffixe}"
