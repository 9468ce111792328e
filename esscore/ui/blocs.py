"""Rendering blocks shared by several pages: header, charts with their downloads, map legend and tooltips.

No data access here (the caller passes the source text): the page modules read their data from
``esscore.ui.cache`` and draw with these blocks, so no page module depends on another one.
"""

from __future__ import annotations

import html
from collections.abc import Callable

import pandas as pd
import streamlit as st

from esscore import charts, maps
from esscore.exports import XLSX_MIME, Metadonnees, csv_bytes, xlsx_bytes
from esscore.geography import TYPE_LABELS, Territoire
from esscore.labels import fmt_int, fmt_value
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


def entete(terr: Territoire) -> None:
    parents = " · ".join(
        f"{TYPE_LABELS[p['type']]} : {texte_litteral(p['nom'])}" for p in terr.parents if p["type"] != "france"
    )
    st.markdown(f"### {texte_litteral(terr.libelle)}")
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


def export(frame: pd.DataFrame, meta: Metadonnees) -> bytes:
    """CSV of a table shown, for a French Excel (``exports.csv_bytes``: internal columns left out, secrecy in
    its own column, source and demonstration flag on every row)."""
    return csv_bytes(frame, meta)


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


def fichier(terr: Territoire, suffixe: str) -> str:
    """Download file name: ``<type>-<code>-<what>``."""
    return f"{terr.type}-{terr.code}-{suffixe}"
