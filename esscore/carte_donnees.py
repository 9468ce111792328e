"""Initiative map, data side: the user's filters and every database read of the map (no layer, no deck).

Each function runs one named query of ``esscore/sql/`` (``carte_*.sql``, ``contours*.sql``); the establishment
filter shared by the ``carte_etablissements_*`` queries is the ``etablissements_selection`` macro
(``esscore/sql/construction/etablissements_selection.sql``), created with the database. :mod:`esscore.carte` turns
these rows into what the map draws, and re-exports these names (``carte.Filtres``, ``carte.resume_etablissements``…).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import duckdb
import pandas as pd

from esscore import initiatives as ini
from esscore import maps
from esscore.db import query
from esscore.geography import Territoire
from esscore.text import normalize

POINTS_MAX = 5000  # individual points up to this many located establishments (EPCI view budget)
LISTE_MAX = 2000  # rows shown in the on-screen table (exports are complete)
FRANCE_METRO = (-5.2, 41.3, 9.6, 51.1)


@dataclass(frozen=True)
class Filtres:
    """What the user selected (hashable: also the cache key of the queries)."""

    familles: tuple[str, ...] = ()
    secteurs: tuple[str, ...] = ()
    tailles: tuple[str, ...] = ()
    employeurs: bool = False
    statuts: tuple[str, ...] = ()
    thematiques: tuple[str, ...] = ()
    texte: str = ""

    def pour_etablissements(self) -> Filtres:
        """The same filters without the initiative-only ones (a cache key that ignores them)."""
        return Filtres(self.familles, self.secteurs, self.tailles, self.employeurs, (), (), self.texte)

    @property
    def texte_norm(self) -> str:
        return normalize(self.texte)[:80]

    def sql(self) -> dict[str, Any]:
        """Named parameters of the ``carte_etablissements_*`` queries (empty list = no filter)."""
        return {
            "familles": list(self.familles),
            "secteurs": list(self.secteurs),
            "tailles": list(self.tailles),
            "employeurs": bool(self.employeurs),
            "texte": self.texte_norm,
        }


# ---------------------------------------------------------------------------------------------
# Establishments (layer 1)
# ---------------------------------------------------------------------------------------------


def comptes_etablissements(
    con: duckdb.DuckDBPyConnection, territoire_id: str, f: Filtres, perimetre: str = "statistique"
) -> pd.DataFrame:
    """(facette, categorie, nombre): per facet, counts with every other filter applied (GoGoCarto)."""
    return query(con, "carte_etablissements_comptes", territoire=territoire_id, perimetre=perimetre, **f.sql())


def resume_etablissements(
    con: duckdb.DuckDBPyConnection, territoire_id: str, f: Filtres, perimetre: str = "statistique"
) -> dict[str, float]:
    """Totals of the selection: establishments, located, non-diffusible, employers, employees, communes."""
    row = query(con, "carte_etablissements_resume", territoire=territoire_id, perimetre=perimetre, **f.sql())
    return {k: float(v) if v is not None and not pd.isna(v) else 0.0 for k, v in row.iloc[0].items()}


def points_etablissements(
    con: duckdb.DuckDBPyConnection,
    territoire_id: str,
    f: Filtres,
    perimetre: str = "statistique",
    limite: int = POINTS_MAX,
) -> pd.DataFrame:
    """Diffusible, located establishments of the selection (biggest first), at most ``limite``."""
    return query(
        con, "carte_etablissements_points", territoire=territoire_id, perimetre=perimetre, limite=limite, **f.sql()
    )


def communes_etablissements(
    con: duckdb.DuckDBPyConnection, territoire_id: str, f: Filtres, perimetre: str = "statistique"
) -> pd.DataFrame:
    """One row per commune of the selection: counts, employees, dominant family, representative point."""
    return query(con, "carte_etablissements_communes", territoire=territoire_id, perimetre=perimetre, **f.sql())


def cellules_hexagones(
    con: duckdb.DuckDBPyConnection, territoire_id: str, f: Filtres, taille: float, perimetre: str = "statistique"
) -> pd.DataFrame:
    """(q, r, famille, etablissements, employeurs, salaries, max_salaries), binned by DuckDB."""
    return query(
        con, "carte_etablissements_hexagones", territoire=territoire_id, perimetre=perimetre, taille=taille, **f.sql()
    )


def liste_etablissements(
    con: duckdb.DuckDBPyConnection,
    territoire_id: str,
    f: Filtres,
    perimetre: str = "statistique",
    limite: int | None = LISTE_MAX,
) -> pd.DataFrame:
    """Table/export rows; non-diffusible rows named « [non diffusible] », without SIRET nor position."""
    return query(
        con, "carte_etablissements_liste", territoire=territoire_id, perimetre=perimetre, limite=limite, **f.sql()
    )


# ---------------------------------------------------------------------------------------------
# Initiatives (layer 2)
# ---------------------------------------------------------------------------------------------

COLONNES_INITIATIVES = ini.COLONNES_TABLE


def initiatives_territoire(con: duckdb.DuckDBPyConnection, territoire_id: str) -> pd.DataFrame:
    """Initiatives located in the territory (empty when the database has no initiatives table)."""
    if not query(con, "table_existe", nom="initiatives")["n"].iloc[0]:
        return pd.DataFrame(columns=list(COLONNES_INITIATIVES))
    frame = query(con, "carte_initiatives", territoire=territoire_id)
    frame["thematiques"] = [list(t) if t is not None and not isinstance(t, float) else [] for t in frame["thematiques"]]
    return frame


# ---------------------------------------------------------------------------------------------
# Basemap: extent and outlines
# ---------------------------------------------------------------------------------------------


def emprise(con: duckdb.DuckDBPyConnection, terr: Territoire) -> tuple[float, float, float, float]:
    """Bounding box of the territory (metropolitan France for the national view)."""
    if terr.type == "france":
        return FRANCE_METRO
    return maps.bounds(con, terr.type, [terr.code])


def contours_fond(con: duckdb.DuckDBPyConnection, terr: Territoire) -> dict[str, pd.DataFrame]:
    """Outlines of our own basemap by layer id, bottom layer first: one level below the territory, then the
    territory's own outline (``fond-territoire``); ``esscore.carte.fond_de_carte`` styles them."""
    if terr.type == "france":
        return {
            "fond-departements": maps.contours(con, "departement", None, national=True),
            "fond-regions": maps.contours(con, "region", None, national=True),
        }
    membres = query(con, "carte_fond_communes", territoire=terr.id)
    epci = sorted(set(membres["epci"].dropna()))
    if terr.type == "region":
        return {
            "fond-epci": maps.contours(con, "epci", epci, national=True),
            "fond-departements": maps.contours(con, "departement", sorted(set(membres["departement"].dropna()))),
            "fond-territoire": maps.contours(con, "region", [terr.code]),
        }
    if terr.type == "departement":
        return {
            "fond-epci": maps.contours(con, "epci", epci),
            "fond-territoire": maps.contours(con, "departement", [terr.code]),
        }
    fonds = {"fond-communes": maps.contours(con, "commune", sorted(set(membres["code"])))}
    if epci:
        fonds["fond-epci"] = maps.contours(con, "epci", epci)
    if terr.type == "commune":
        fonds["fond-territoire"] = maps.contours(con, "commune", [terr.code])
    return fonds
