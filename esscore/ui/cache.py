"""Every Streamlit cache of the app, and the public accessors the UI modules read their data through.

Why one module: a rebuilt database must invalidate every cached result, and each cache's size and kind were
tuned for speed (``benchmarks/pages.py``, ``benchmarks/load.py``). Here they can be read side by side.

* ``par_base`` is the one decorator for results read from the statistics database: the cached function
  takes the database file identity (``db_key()``) as first argument, and the decorated name is called
  without it (``niveau("epci")``); ``fn.cached(key, …)`` calls the underlying cache with a given key.
* ``cache_resource`` (shared, never copied: callers must not mutate) for large level-wide frames read at
  every run; ``cache_data`` (pickled copy per call) elsewhere.
* ``charge_utile``: what a page block draws for a territory (texts, display tables, chart specifications,
  maps serialised once), built once per database file and shared by every session, so that a rerun or the
  next visitor of a territory only sends elements (``benchmarks/pages.py``, issue 18).
* The connection is cached per (path, inode, mtime): when ``esscore build`` swaps a new file in, the next
  rerun opens the new file while running sessions keep working on the old one.

Only data here, no widget: rendering lives in the page modules and ``esscore.ui.blocs``.
"""

from __future__ import annotations

import functools
import html
import json
import weakref
from collections.abc import Callable, Hashable
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import duckdb
import pandas as pd
import streamlit as st

from esscore import benchmark_db, carte, charts, comparaison, config, exports, geography, indicators, maps
from esscore import evolution as evolution_mod
from esscore import millesimes as millesimes_mod
from esscore import publies as publies_mod
from esscore.build import tables_manquantes
from esscore.config import db_path
from esscore.db import balayer_temporaires, connect_snapshot, file_identity, query
from esscore.labels import indicator_label
from esscore.store import RoadmapStore
from esscore.ui.blocs import tooltip_columns

F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")
PERIMETRE_CARTE = "statistique"

# ---------------------------------------------------------------------------------------------- connection


@st.cache_resource(show_spinner=False)
def balayage(path: str) -> int:
    """Once per server process: delete what killed writers left more than a day ago (never fails)."""
    return len(balayer_temporaires(Path(path)))


@st.cache_data(show_spinner=False, max_entries=4)
def _tables_manquantes(path: str, identity: tuple[int, int]) -> list[str]:
    return tables_manquantes(_connection(path, identity).cursor())  # own cursor: sessions run in parallel


def tables_absentes(target: Path) -> list[str]:
    """Tables the database file lacks (built by an older version), cached per file identity."""
    return _tables_manquantes(str(target), file_identity(target))


@st.cache_resource(show_spinner=False, max_entries=2)
def _connection(path: str, identity: tuple[int, int]) -> duckdb.DuckDBPyConnection:
    # connect_snapshot, not connect: a plain connect() would reuse the instance of the replaced file.
    return connect_snapshot(path)


def con() -> duckdb.DuckDBPyConnection:
    """A read-only cursor on the current database file (reopened after a rebuild).

    A new cursor per call: sessions run in parallel threads, and DuckDB refuses (or, worse, mixes up the
    results of) concurrent calls on one shared connection.
    """
    path = db_path()
    return _connection(str(path), file_identity(path)).cursor()


def db_key() -> tuple[int, int]:
    """Cache key component so cached results are dropped when the database is rebuilt."""
    return file_identity(db_path())


def par_base(*, ressource: bool = False, **options: Any) -> Callable[[F], Any]:
    """``st.cache_data`` (or ``st.cache_resource``) keyed on the database file: ``fn(key, *args)`` becomes
    ``fn(*args)``, the key being the current ``db_key()``. ``options`` go to Streamlit unchanged."""
    decorateur = st.cache_resource if ressource else st.cache_data

    def envelopper(fn: F) -> Any:
        cached = decorateur(**options)(fn)

        @functools.wraps(fn)
        def lire(*args: Any, **kwargs: Any) -> Any:
            return cached(db_key(), *args, **kwargs)

        lire.cached = cached  # type: ignore[attr-defined]
        lire.clear = cached.clear  # type: ignore[attr-defined]
        return lire

    return envelopper


# ---------------------------------------------------------------------------------------------- generic reads


@par_base(ressource=True, show_spinner=False, max_entries=1024)
def _charge_utile(key: tuple[int, int], nom: str, tid: str, args: tuple, _construire: Callable[..., Any]) -> Any:
    return _construire(territoire.cached(key, tid), *args)


@par_base(ressource=True, show_spinner=False, max_entries=16)
def _charge_lourde(key: tuple[int, int], nom: str, tid: str, args: tuple, _construire: Callable[..., Any]) -> Any:
    return _construire(territoire.cached(key, tid), *args)  # maps: up to 1.5 MB of JSON each, fewer kept


def charge_utile(
    nom: str, construire: Callable[..., T], terr: geography.Territoire, *args: Hashable, lourd: bool = False
) -> T:
    """What a page block shows for a territory (texts, display tables, chart specifications), built once per
    database file by ``construire(terr, *args)`` and shared by every session: a rerun, or the next visitor of
    the territory, only draws it (``benchmarks/pages.py``: a warm Panorama fell from ~200 to ~30 ms of CPU).

    ``nom`` names the block (one entry per block, territory and ``args``): ``construire`` must depend on nothing
    else (no widget, no session state). Shared, not copied (``cache_resource``): never mutate the result.
    ``lourd``: a large payload (a map), kept in a smaller cache.
    """
    lire = _charge_lourde if lourd else _charge_utile
    return lire(nom, terr.id, tuple(args), _construire=construire)


@par_base(show_spinner=False, max_entries=256)
def _named(key: tuple[int, int], name: str, params: tuple) -> pd.DataFrame:
    return query(con(), name, **dict(params))


def named_query(name: str, **params: object) -> pd.DataFrame:
    """Cached ``esscore.db.query`` (parameters must be hashable)."""
    frozen = tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in params.items()))
    return _named(name, frozen).copy()


@par_base(show_spinner=False, max_entries=512)
def territoire(key: tuple[int, int], raw: str) -> geography.Territoire:
    return geography.get(con(), raw)


@par_base(show_spinner=False, max_entries=512)
def search(key: tuple[int, int], text: str) -> pd.DataFrame:
    return geography.search(con(), text, limit=15)


@par_base(show_spinner=False)
def meta(key: tuple[int, int]) -> dict[str, str]:
    frame = query(con(), "meta")
    return dict(zip(frame["cle"], frame["valeur"], strict=True))


def is_demo() -> bool:
    return meta().get("demo") == "true"


# ---------------------------------------------------------------------------------------------- panorama


@par_base(show_spinner=False, max_entries=8)
def source_info(key: tuple[int, int]) -> dict:
    return indicators.source_info(con())


def source() -> str:
    """« titre — producteur — millésime — adresse » of the ESS establishments loaded (``sources.citation``)."""
    info = source_info()
    return info.get("citation") or info["source"] or "aucune donnée ESS chargée"


def metadonnees(perimetre: str = "statistique") -> exports.Metadonnees:
    """What the exports of ESS figures say about them: source, millésime, démonstration, périmètre."""
    return exports.Metadonnees.de_la_base(source_info(), perimetre)


@par_base(show_spinner=False, max_entries=8)
def has_ess(key: tuple[int, int]) -> bool:
    return indicators.has_ess_data(con())


@par_base(ressource=True, show_spinner=False, max_entries=8)
def niveau(key: tuple[int, int], type_: str) -> pd.DataFrame:
    """Every territory of a level with its indicators (headline figures, ranks, scatter plot, national map).

    Shared, not copied (``cache_resource``: 35 000 communes would be unpickled at every call): never mutate it.
    """
    return comparaison.niveau(con(), type_)


def extrait_partiel() -> bool:
    """True when the SIRENE data is a partial extract (some départements only: ``indicators.perimetre_donnees``)."""
    return not indicators.perimetre_depuis(named_query("perimetre_donnees"))["complet"]


@par_base(ressource=True, show_spinner=False, max_entries=8)
def niveau_classe(key: tuple[int, int], type_: str) -> pd.DataFrame:
    """The territories of a level a rank counts (``comparaison.niveau_classe``: all, or those a partial extract
    covers wholly). Shared like ``niveau``: never mutate it."""
    return comparaison.niveau_classe(con(), type_, niveau.cached(key, type_))


# Row position of each id in a shared level-wide table (``niveau``, ``niveau_classe``, ``_pairs_base``), built once
# per table object and dropped with it: a territory's rows are then taken by position, instead of comparing the
# 35 000 ids of the communes (Arrow strings) at every new territory.
_POSITIONS: dict[int, tuple[weakref.ref, dict[str, int]]] = {}


def _positions(frame: pd.DataFrame) -> dict[str, int]:
    entree = _POSITIONS.get(id(frame))
    if entree is None or entree[0]() is not frame:
        cle = id(frame)
        ref = weakref.ref(frame, lambda _ref, cle=cle: _POSITIONS.pop(cle, None))
        entree = (ref, {ident: k for k, ident in enumerate(frame["id"].tolist())})
        _POSITIONS[cle] = entree
    return entree[1]


def _lignes(key: tuple[int, int], ids: list[str], niveaux: Callable[..., pd.DataFrame]) -> pd.DataFrame:
    """The rows of ``ids`` in that order (each once; unknown ids left out), read from a cached level-wide table
    (``niveaux(key, type)``)."""
    tables = {t: niveaux(key, t) for t in sorted({i.split(":", 1)[0] for i in ids})}
    pris: dict[str, tuple[str, int]] = {}
    for i in ids:
        t = i.split(":", 1)[0]
        position = _positions(tables[t]).get(i)
        if position is not None and i not in pris:
            pris[i] = (t, position)
    if not pris:
        return niveaux(key, "france").iloc[0:0]
    if len(tables) == 1:
        (t,) = tables
        return tables[t].iloc[[p for _, p in pris.values()]].reset_index(drop=True)
    return pd.concat([tables[t].iloc[[p]] for t, p in pris.values()], ignore_index=True)


@par_base(show_spinner=False, max_entries=256)
def _chiffres(key: tuple[int, int], tid: str) -> pd.DataFrame:
    terr = territoire.cached(key, tid)
    ids = [terr.id] + [f"{p['type']}:{p['code']}" for p in terr.parents]
    return _lignes(key, ids, niveau.cached)


def chiffres(terr: geography.Territoire) -> pd.DataFrame:
    """Headline indicators of the territory (first row) and of each of its parents, read from the cached
    level tables (no query when changing territory), assembled once per territory (a page reads them 4 times)."""
    return _chiffres(terr.id)


# Levels whose breakdown cells are computed all at once, on a first visit (0.1 to 0.4 s of CPU, a few MB), then
# sliced per territory; a commune's are read alone from the table the build stores (``repartitions_communes``:
# all 35 000 held in each process would take 77 MB).
NIVEAUX_CELLULES = ("region", "departement", "epci")
Tranches = tuple[pd.DataFrame, dict[str, Any]]  # a level-wide frame and each territory's row positions in it


@par_base(ressource=True, show_spinner=False, max_entries=len(NIVEAUX_CELLULES))
def _cellules_niveau(key: tuple[int, int], type_: str) -> tuple[Tranches, Tranches]:
    """The breakdown cells and the sectors' ESS shares of every territory of a level (shared)."""
    ids = list(niveau.cached(key, type_)["id"])
    cellules, parts = indicators.cellules_repartition(con(), ids), indicators.parts_secteur(con(), ids)
    return (cellules, cellules.groupby("id").indices), (parts, parts.groupby("id").indices)


def _tranche(tranches: Tranches, tid: str) -> pd.DataFrame | None:
    frame, positions = tranches
    return frame.take(positions[tid]).reset_index(drop=True) if tid in positions else None


def _cellules(key: tuple[int, int], terr: geography.Territoire) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """(breakdown cells, sectors' ESS shares or None: read by ``indicators.repartition``) of a territory."""
    if terr.type in NIVEAUX_CELLULES:
        cellules, parts = _cellules_niveau.cached(key, terr.type)
        mes_cellules = _tranche(cellules, terr.id)
        if mes_cellules is not None:  # else no ESS at all: read alone (the same empty table, with its own types)
            mes_parts = _tranche(parts, terr.id)
            return mes_cellules, parts[0].iloc[0:0] if mes_parts is None else mes_parts
    return indicators.cellules_repartition(con(), terr.id), None


@par_base(show_spinner=False, max_entries=128)
def _repartitions(key: tuple[int, int], tid: str) -> dict[str, pd.DataFrame]:
    cellules, parts = _cellules(key, territoire.cached(key, tid))  # secrecy decided once for the three axes
    cur = con()
    return {axe: indicators.repartition(cur, tid, axe, cellules=cellules, parts=parts)
            for axe in ("famille", "secteur", "taille")}  # fmt: skip


def repartition(terr: geography.Territoire, axe: str) -> pd.DataFrame:
    """Breakdown of the territory by ``famille``, ``secteur`` or ``taille`` (the three computed together)."""
    if axe not in ("famille", "secteur", "taille"):
        raise ValueError(axe)
    return _repartitions(terr.id)[axe]


@par_base(ressource=True, show_spinner=False, max_entries=8)
def _familles_niveau(key: tuple[int, int], type_: str) -> pd.DataFrame:
    return named_query("familles_pour_1000_niveau", type=type_, perimetre="statistique")


def ratios(terr: geography.Territoire) -> pd.DataFrame:
    """Per-family ratios of the territory, its région and France, read from level-wide cached tables."""
    ids = comparaison.ratios_ids(terr)
    frames = [_familles_niveau(i.split(":", 1)[0]) for i in ids]
    found = pd.concat([f[f["id"] == i] for f, i in zip(frames, ids, strict=True)], ignore_index=True)
    return comparaison.assembler_ratios(terr, found)


@par_base(show_spinner=False, max_entries=64)
def _unites(key: tuple[int, int], tid: str) -> tuple[str, pd.DataFrame, list[str]]:
    terr = territoire.cached(key, tid)
    return comparaison.unites(con(), terr, niveau_frame=niveau.cached(key, comparaison.NIVEAU_UNITES[terr.type]))


def unites(terr: geography.Territoire) -> tuple[str, pd.DataFrame, list[str]]:
    """(level, indicators per unit, codes outlined) for the map and the table."""
    return _unites(terr.id)


@par_base(show_spinner=False, max_entries=128)
def _concentration(key: tuple[int, int], tid: str) -> dict:
    terr = territoire.cached(key, tid)
    if terr.type in ("epci", "departement"):  # its map's units are its communes: already read, no query
        return indicators.concentration(_unites.cached(key, tid)[1])
    return indicators.concentration(indicators.communes_du_territoire(con(), terr))


def concentration(terr: geography.Territoire) -> dict:
    return _concentration(terr.id)


@par_base(show_spinner=False, max_entries=128)
def _publies(key: tuple[int, int], tid: str) -> pd.DataFrame:
    return indicators.chiffres_publies(con(), tid)


def publies(terr: geography.Territoire) -> pd.DataFrame:
    return _publies(terr.id)


def publies_comparables(terr: geography.Territoire) -> pd.DataFrame:
    """Published figures with our estimate of the same scope, or none and why (``publies.apparier``, the
    rule the deck and the CLI use), from the cached figures of the page."""
    pub = publies(terr)
    if pub.empty:
        return pub
    principal = chiffres(terr).iloc[0]
    return publies_mod.apparier(pub, principal, repartition(terr, "famille"), repartition(terr, "secteur"),
                                concentration(terr))  # fmt: skip


@par_base(ressource=True, show_spinner=False, max_entries=8)
def _pairs_base(key: tuple[int, int], type_: str) -> pd.DataFrame:
    return named_query("pairs_base", type=type_)


@par_base(show_spinner=False, max_entries=256)
def _pairs(key: tuple[int, int], tid: str) -> pd.DataFrame:
    terr = territoire.cached(key, tid)
    if terr.type == "france":
        return comparaison.pairs_depuis(pd.DataFrame(), terr)
    return comparaison.pairs_depuis(_pairs_base.cached(key, terr.type), terr)


def pairs(terr: geography.Territoire) -> pd.DataFrame:
    """Suggested peers (population and rurality), computed once per territory from the cached level-wide table."""
    return _pairs(terr.id)


# Columns ``comparaison.niveau`` adds to the indicators (``indicateurs_niveau.sql``): where a territory lies.
COLONNES_TERRITOIRE = ("epci", "region", "departement", "epci_type")


@par_base(show_spinner=False, max_entries=128)
def _tableau(key: tuple[int, int], tid: str, ids: tuple[str, ...]) -> pd.DataFrame:
    terr = territoire.cached(key, tid)
    lignes = _lignes(key, [tid, *ids], niveau.cached).drop(columns=list(COLONNES_TERRITOIRE))
    classes = _lignes(key, list(lignes["id"]), niveau_classe.cached)["id"]
    refs = [r["id"] for r in comparaison.references(terr)]
    ref_lignes = _lignes(key, refs, niveau.cached).drop(columns=list(COLONNES_TERRITOIRE))
    rural = _lignes(key, [*lignes["id"], *refs], _pairs_base.cached)
    return comparaison.tableau_depuis(terr, lignes, classes, ref_lignes if refs else None, rural)


def tableau(terr: geography.Territoire, ids: list[str]) -> pd.DataFrame:
    """Territory + peers (ranked) + région and France (``comparaison.tableau``), assembled from the cached
    level-wide tables: no query for a territory never served (``benchmarks/pages.py``)."""
    return _tableau(terr.id, tuple(ids))


# Outlines are shared, never copied (``ressource``: read-only by every caller; a cache_data read unpickled the
# nested coordinate lists at every call, 3 % of the server's time under load).
@par_base(ressource=True, show_spinner=False, max_entries=16)
def _polygones(key: tuple[int, int], level: str, codes: tuple[str, ...] | None, national: bool) -> pd.DataFrame:
    frame = maps.contours(con(), level, list(codes) if codes is not None else None, national=national)
    if national:
        dom = dict(named_query("territoires_niveau_dom", niveau=level)[["code", "dom"]].values)
        frame = maps.insets_dom(frame, dom)
    return frame


def polygones(level: str, codes: list[str] | None, national: bool = False) -> pd.DataFrame:
    """(code, polygon) rows, overseas insets moved next to the mainland on national maps."""
    return _polygones(level, tuple(codes) if codes is not None else None, national)


@par_base(ressource=True, show_spinner=False, max_entries=16)
def _polygones_json(key: tuple[int, int], level: str, codes: tuple[str, ...] | None, national: bool) -> pd.DataFrame:
    if national or codes is None:  # overseas insets are moved in Python (maps.insets_dom)
        return maps.polygons_json(_polygones.cached(key, level, codes, national))
    return maps.contours_json(con(), level, list(codes))  # cut out by DuckDB: 35 → 9 ms for a département


def polygones_json(level: str, codes: list[str] | None, national: bool = False) -> pd.DataFrame:
    """(code, polygon_json): polygons serialised once per level (the heavy part of a map payload)."""
    return _polygones_json(level, tuple(codes) if codes is not None else None, national)


@par_base(show_spinner=False, max_entries=8)
def _bounds(key: tuple[int, int], level: str, codes: tuple[str, ...]) -> tuple[float, float, float, float]:
    return maps.bounds(con(), level, list(codes))


@par_base(show_spinner=False, max_entries=64)
def carte_unites(key: tuple[int, int], tid: str, indicator: str) -> tuple[str, list[float], tuple, pd.DataFrame]:
    """(records, breaks, bounds, outline) of the panorama map of the territory's units."""
    terr = territoire.cached(key, tid)
    level, frame, outline = _unites.cached(key, tid)
    national = terr.type == "france"
    codes = None if national else tuple(frame["code"])
    polys = _polygones_json.cached(key, level, codes, national)
    values = tooltip_columns(frame, indicator).assign(t_label=html.escape(indicator_label(indicator)))
    records, breaks = maps.choropleth_records(
        polys, values, indicator, ["t_nom", "t_label", "t_valeur", "t_emp", "t_pop"]
    )
    bounds = maps.NATIONAL_BOUNDS if national else _bounds.cached(key, level, tuple(frame["code"]))
    outline_frame = _polygones.cached(key, level, tuple(outline), False) if outline else pd.DataFrame()
    return records, breaks, bounds, outline_frame


# ---------------------------------------------------------------------------------------------- comparaisons


@par_base(show_spinner=False, max_entries=64)
def options_pairs(key: tuple[int, int], tid: str) -> dict[str, str]:
    """Peer candidates offered in the multiselect (id → label): the whole level, except for communes."""
    terr = territoire(tid)
    frame = comparaison.points_nuage(niveau(terr.type), terr, [])
    frame = frame[frame["id"] != tid].sort_values("nom")
    if terr.type == "commune":
        labels = frame["nom"] + " (" + frame["code"] + ")"
    elif terr.type == "departement":
        labels = frame["nom"] + " (" + frame["code"] + ")"
    else:
        labels = frame["nom"]
    return dict(zip(frame["id"], labels, strict=True))


@par_base(show_spinner=False, max_entries=256)
def noms(key: tuple[int, int], ids: tuple[str, ...]) -> dict[str, str]:
    """Names of territories by id."""
    found = named_query("territoires_par_ids", ids=list(ids))
    return dict(zip(found["id"], found["nom"], strict=True))


@par_base(ressource=True, show_spinner=False, max_entries=32)
def points(key: tuple[int, int], type_: str, indicator: str) -> pd.DataFrame:
    """Scatter-plot points of a level with their French labels (shared, not copied: never mutate)."""
    return charts.etiquettes_nuage(niveau(type_), indicator)


@par_base(show_spinner=False, max_entries=32)
def carte_nationale(key: tuple[int, int], level: str, indicator: str) -> tuple[str, list[float]]:
    """(records, breaks) of the national choropleth of a level."""
    values = tooltip_columns(niveau(level), indicator).assign(t_label=html.escape(indicator_label(indicator)))
    polys = polygones_json(level, None, national=True)
    return maps.choropleth_records(polys, values, indicator, ["t_nom", "t_label", "t_valeur", "t_emp", "t_pop"])


@par_base(show_spinner=False, max_entries=128)
def contours_selection(key: tuple[int, int], tid: str, selection: tuple[str, ...]) -> tuple[str, list[str], list[str]]:
    """(map level, codes of the territory itself, codes of its peers) to outline on the national map."""
    terr = territoire(tid)
    level = comparaison.niveau_carte(terr)
    focus = comparaison.codes_carte(terr, [], con())
    peers = [c for c in comparaison.codes_carte(terr, list(selection), con()) if c not in focus]
    return level, focus, peers


# ---------------------------------------------------------------------------------------------- initiative map


@par_base(show_spinner=False, max_entries=32)
def carte_fond(key: tuple[int, int], territoire_id: str) -> tuple[list, object]:
    terr = territoire(territoire_id)
    return carte.fond_de_carte(con(), terr), carte.vue_initiale(con(), terr)


@par_base(ressource=True, show_spinner=False, max_entries=32)
def carte_etablissements(
    key: tuple[int, int], territoire_id: str, f: carte.Filtres, vue: str
) -> tuple[str, pd.DataFrame, list[str], int]:
    """Establishments drawn on the map (``f``: establishment filters, see ``Filtres.pour_etablissements``); the
    selection's totals come from the page's cached ones (one query less for a new territory). Shared, not
    copied (read only when another layer or initiative filter asks for a new map): never mutate it."""
    resume = _resume.cached(key, territoire_id, f)
    return carte.donnees_etablissements(con(), territoire(territoire_id), f, vue, PERIMETRE_CARTE, resume=resume)


@par_base(show_spinner=False, max_entries=128)
def _comptes(key: tuple[int, int], territoire_id: str, f: carte.Filtres) -> pd.DataFrame:
    return carte.comptes_etablissements(con(), territoire_id, f, PERIMETRE_CARTE)


@par_base(show_spinner=False, max_entries=128)
def _resume(key: tuple[int, int], territoire_id: str, f: carte.Filtres) -> dict[str, float]:
    return carte.resume_etablissements(con(), territoire_id, f, PERIMETRE_CARTE)


@par_base(show_spinner=False, max_entries=64)
def _initiatives(key: tuple[int, int], territoire_id: str) -> pd.DataFrame:
    return carte.initiatives_territoire(con(), territoire_id)


@par_base(show_spinner=False, max_entries=64)
def _liste(key: tuple[int, int], territoire_id: str, f: carte.Filtres) -> pd.DataFrame:
    return carte.liste_etablissements(con(), territoire_id, f, PERIMETRE_CARTE, limite=carte.LISTE_MAX)


def carte_comptes(territoire_id: str, f: carte.Filtres) -> pd.DataFrame:
    return _comptes(territoire_id, f.pour_etablissements())


def carte_resume(territoire_id: str, f: carte.Filtres) -> dict[str, float]:
    return _resume(territoire_id, f.pour_etablissements())


def carte_initiatives(territoire_id: str) -> pd.DataFrame:
    """All initiatives of the territory (unfiltered; filtering is cheap pandas)."""
    return _initiatives(territoire_id).copy()


def carte_liste(territoire_id: str, f: carte.Filtres) -> pd.DataFrame:
    return _liste(territoire_id, f.pour_etablissements()).copy()


# ---------------------------------------------------------------------------------------------- benchmark


@par_base(show_spinner=False, max_entries=4)
def benchmark_catalogue(key: tuple[int, int]) -> pd.DataFrame:
    """The whole catalogue (one row per entry, list columns as Python lists), cached per database file."""
    return benchmark_db.lire_catalogue(con())


@par_base(show_spinner=False, max_entries=4)
def benchmark_entrees(key: tuple[int, int]) -> dict[str, dict[str, Any]]:
    """Nested entries by id (for the one-page fiche and the comparison)."""
    return {e["id"]: e for e in benchmark_db.entrees_depuis_frame(benchmark_catalogue.cached(key))}


@par_base(show_spinner=False, max_entries=4)
def boite_a_outils(key: tuple[int, int]) -> pd.DataFrame:
    return benchmark_db.lire_boite_a_outils(con())


@st.cache_data(show_spinner=False, ttl=30, max_entries=8)
def _feuilles(lieu: str, identity: tuple[int, ...] | None) -> list[dict[str, Any]]:
    from esscore.roadmap import read_roadmap
    from esscore.store import default_roadmap_files

    if identity is not None:
        store = RoadmapStore(lieu)
        docs = [store.get(ident) for ident in store.list_roadmaps()["id"]]
        if docs:
            return docs
    return [read_roadmap(p) for p in default_roadmap_files()]


def feuilles_de_route() -> list[dict[str, Any]]:
    """Roadmaps of the editing store; the shipped examples when the store does not exist yet or is empty.

    Read-only on purpose: the benchmark page never creates nor seeds the store (the roadmap page does).
    Cached for 30 s per store and state of its change log (``RoadmapStore.jeton``: an edit from any server shows
    up at once).
    """
    lieu = config.store_location()
    return _feuilles(str(lieu), RoadmapStore(lieu).jeton())


# ---------------------------------------------------------------------------------------------- roadmaps, COPIL


@st.cache_resource(show_spinner=False, max_entries=4)
def _magasin(chemin: str) -> RoadmapStore:
    store = RoadmapStore(chemin)
    store.seed_if_empty()
    return store


def magasin() -> RoadmapStore:
    """The editable store (``ESS_STORE``: SQLite file or PostgreSQL URL), seeded with the two example roadmaps on
    first use."""
    return _magasin(str(config.store_location()))


@par_base(show_spinner=False, max_entries=4)
def catalogue_feuilles(key: tuple[int, int]) -> pd.DataFrame:
    """The benchmark catalogue as the roadmap page reads it (database version with imports, else the shipped
    file); raises ImportError or EssError when it cannot be read."""
    from esscore import benchmark
    from esscore.copil import charger_catalogue

    return benchmark.catalogue_frame(charger_catalogue(con()))


Pairs = tuple[str, ...] | None  # peers chosen on the Comparaisons page (ids), None = the suggested ones


@par_base(show_spinner=False, max_entries=8, ttl=6 * 3600)
def copil_donnees(
    key: tuple[int, int], territoire_id: str, doc_json: str | None, jour: str, pairs: Pairs = None
) -> Any:
    """The deck's gathered figures (``copil.DonneesCopil``) of a territory with a roadmap (JSON, None = none) on a
    day (ISO date), among ``pairs``."""
    from esscore import copil  # heavy (python-pptx, reportlab, vl-convert): only when a deck is asked for

    doc = json.loads(doc_json) if doc_json else None
    choisis = list(pairs) if pairs is not None else None
    return copil.donnees_copil(con(), territoire(territoire_id), doc, date.fromisoformat(jour), pairs=choisis)


@par_base(show_spinner=False, max_entries=8, ttl=6 * 3600)
def copil_pptx(key: tuple[int, int], territoire_id: str, doc_json: str | None, jour: str, pairs: Pairs = None) -> bytes:
    """The COPIL deck (PPTX) drawn from ``copil_donnees``, cached per territory, peers, roadmap, day and database."""
    from esscore import copil

    return copil.dessiner_copil(copil_donnees.cached(key, territoire_id, doc_json, jour, pairs))


@par_base(show_spinner=False, max_entries=4, ttl=6 * 3600)
def copil_pdf(key: tuple[int, int], territoire_id: str, doc_json: str | None, jour: str, pairs: Pairs = None) -> bytes:
    """The same deck as a PDF made of text (fonts embedded, selectable and searchable), drawn with reportlab."""
    from esscore import copil

    return copil.pdf_depuis_pptx(copil_pptx.cached(key, territoire_id, doc_json, jour, pairs))


# ---------------------------------------------------------------------------------------------- évolution (issue 19)


@par_base(show_spinner=False, max_entries=128)
def _evolution_series(key: tuple[int, int], ids: tuple[str, ...], perimetre: str) -> pd.DataFrame:
    return evolution_mod.series(con(), list(ids), perimetre)


def evolution_series(ids: list[str], perimetre: str = "statistique") -> pd.DataFrame:
    """Headline figures of territories over the vintages kept (``evolution.series``), one query per set of ids."""
    return _evolution_series(tuple(ids), perimetre).copy()


@par_base(show_spinner=False, max_entries=128)
def _evolution_mouvements(key: tuple[int, int], territoire_id: str, perimetre: str) -> pd.DataFrame:
    return evolution_mod.mouvements(con(), territoire_id, perimetre)


def evolution_mouvements(terr: geography.Territoire, perimetre: str = "statistique") -> pd.DataFrame:
    """ESS establishments created and closed each year in the territory, by family and sector."""
    return _evolution_mouvements(terr.id, perimetre).copy()


@par_base(show_spinner=False, max_entries=4)
def millesimes(key: tuple[int, int]) -> pd.DataFrame:
    """The vintages of the database (``millesimes.liste``)."""
    return millesimes_mod.liste(con())


@par_base(show_spinner=False, max_entries=4)
def datation_fermetures(key: tuple[int, int]) -> dict[str, int]:
    """Closed ESS establishments by where their closure year comes from (stock, historical file)."""
    return evolution_mod.datation(con())
