"""The benchmark catalogue in the database: build loader, reading back, comparison with a territory.

Why a table and not the YAML read by each page: the catalogue (``data/benchmark/catalogue.yaml``) and the
local additions (``data/benchmark/ajouts.yaml``, written by ``esscore import benchmark``) are validated
once, at build time, so the app and the CLI only ever read clean rows; a rebuild reloads both files, so an
import is never lost. The flat table keeps every field, and ``entree_depuis_ligne`` rebuilds the nested
entry (for the one-page fiche and the JSON output). Pure code: no Streamlit.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from esscore import benchmark as bm
from esscore import config
from esscore.db import query
from esscore.errors import DonneesInvalides, EssError
from esscore.roadmap import iter_actions
from esscore.sources import citation, identifiant, ligne_locale

LIST_COLUMNS: tuple[str, ...] = ("leviers", "thematiques", "partenaires")
TABLE_COLUMNS: tuple[str, ...] = ("ordre", *bm.FRAME_COLUMNS, "origine")
BOITE_COLUMNS: tuple[str, ...] = ("ordre", "axe", "orientation", "action", "exemple", "entrees")

# Levels that compare with a territory of each type (a Pays is an inter-communal project territory).
NIVEAUX_COMPARABLES: dict[str, tuple[str, ...]] = {
    "commune": ("commune",),
    "epci": ("epci", "pays"),
    "departement": ("departement",),
    "region": ("region",),
}
RAPPORT_TAILLE_MIN = 0.33
RAPPORT_TAILLE_MAX = 3.0
# The fixed part of the benchmark's row in the ``sources`` table (``sources.ligne_locale`` adds the rest).
PROVENANCE = {
    "id": "benchmark",
    "titre": "Benchmark des politiques ESS d'autres collectivités et boîte à outils « Pays et ESS »",
    "licence": "Licence Ouverte / Etalab 2.0 (fiches rédigées par le projet à partir de documents publics)",
    "note": "Textes reformulés ; chiffres repris des documents sources, cités fiche par fiche.",
}


def ajouts_path() -> Path:
    """Local additions saved by ``esscore import benchmark`` (read at call time so tests can redirect)."""
    return Path(config.DATA_DIR) / "benchmark" / "ajouts.yaml"


def lire_entrees(catalogue: Path | None = None, ajouts: Path | None = None) -> tuple[list[dict], set[str]]:
    """Shipped catalogue merged with the local additions (same id: the addition wins); also the added ids."""
    base = bm.load_catalogue(catalogue)
    chemin = Path(ajouts) if ajouts is not None else ajouts_path()
    if not chemin.exists():
        return base, set()
    try:
        extra = bm.load_catalogue(chemin)
    except DonneesInvalides as err:
        raise DonneesInvalides(
            f"{err}\nFichier concerné : {chemin}. Corrigez-le, ou retirez-en les entrées fautives puis "
            "réimportez-les avec « esscore import benchmark »."
        ) from None
    merged, _, _ = bm.merge_entries(base, extra)
    return merged, {entry["id"] for entry in extra}


def _millesime(entries: Sequence[Mapping[str, Any]]) -> str:
    years = sorted({str(e["source"]["date"])[:4] for e in entries if (e.get("source") or {}).get("date")})
    if not years:
        return "non daté"
    span = years[0] if years[0] == years[-1] else f"{years[0]}–{years[-1]}"
    return f"documents de {span}"


def load_into_db(con: duckdb.DuckDBPyConnection, remplacements: dict[Path, Path] | None = None) -> dict[str, Any]:
    """Create ``benchmark`` and ``boite_a_outils`` from ``data/benchmark``; return the provenance row.

    ``remplacements`` may map ``ajouts.yaml`` to the pending file of an import being committed."""
    ajouts = (remplacements or {}).get(ajouts_path(), ajouts_path())
    entries, ajoutes = lire_entrees(ajouts=ajouts)
    frame = bm.catalogue_frame(entries)
    frame.insert(0, "ordre", range(1, len(frame) + 1))
    frame["origine"] = ["ajout" if ident in ajoutes else "catalogue" for ident in frame["id"]]
    for col in (*LIST_COLUMNS, "annees"):
        frame[col] = [list(v) for v in frame[col]]
    casts = {col: "VARCHAR[]" for col in LIST_COLUMNS} | {"annees": "INTEGER[]", "ordre": "INTEGER"}
    select = ", ".join(f"CAST({c} AS {casts[c]}) AS {c}" if c in casts else c for c in TABLE_COLUMNS)
    con.register("benchmark_df", frame)
    try:
        con.execute(f"CREATE OR REPLACE TABLE benchmark AS SELECT {select} FROM benchmark_df")
    finally:
        con.unregister("benchmark_df")

    boite = bm.load_boite_a_outils()
    boite.insert(0, "ordre", range(1, len(boite) + 1))
    boite["entrees"] = [list(v) for v in boite["entrees"]]
    con.register("boite_df", boite)
    try:
        con.execute(
            "CREATE OR REPLACE TABLE boite_a_outils AS SELECT CAST(ordre AS INTEGER) AS ordre, axe, orientation, "
            "action, exemple, CAST(entrees AS VARCHAR[]) AS entrees FROM boite_df"
        )
    finally:
        con.unregister("boite_df")

    fichiers = [bm.default_catalogue_path(), bm.default_boite_a_outils_path()]
    if ajouts.exists():
        fichiers.append(ajouts_path())
    return ligne_locale(
        PROVENANCE,
        producteur="ESS Territoires d'après les documents publics du registre des sources"
        + (f" ; {len(ajoutes)} fiche(s) ajoutée(s) localement" if ajoutes else ""),
        millesime=_millesime(entries),
        fichiers=fichiers,
        lignes=len(frame),
    )


def _as_list(value: object) -> list[Any]:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return []
    return list(value)  # type: ignore[call-overload]


def _clean(value: object) -> Any:
    """NaN / NA → None, so rebuilt entries compare equal to the validated ones."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    return value


def lire_catalogue(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The ``benchmark`` table (plus the population of each collectivité found in ``territoires``)."""
    try:
        frame = query(con, "benchmark_liste")
    except duckdb.CatalogException as err:
        raise EssError(
            "Le catalogue du benchmark est absent de la base : reconstruisez-la avec « esscore build »."
        ) from err
    for col in (*LIST_COLUMNS, "annees"):
        frame[col] = [_as_list(v) for v in frame[col]]
    frame["annees"] = [[int(y) for y in years] for years in frame["annees"]]
    return frame


def lire_boite_a_outils(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The Cotentin toolbox, one row per example, in file order."""
    try:
        frame = query(con, "benchmark_boite_a_outils")
    except duckdb.CatalogException as err:
        raise EssError("La boîte à outils est absente de la base : reconstruisez-la avec « esscore build ».") from err
    frame["entrees"] = [_as_list(v) for v in frame["entrees"]]
    return frame


def entree_depuis_ligne(row: Mapping[str, Any]) -> dict[str, Any]:
    """The nested catalogue entry (schema of ``data/benchmark/README.md``) from one flat row."""
    montants: dict[str, Any] = {}
    for key in bm.MONTANT_KEYS:
        value = _clean(row.get(key))
        if value is not None:
            montants[key] = int(value) if float(value).is_integer() else float(value)
    if _clean(row.get("montants_autre")):
        montants[bm.MONTANT_AUTRE] = row["montants_autre"]
    contact = {k: _clean(row.get(f"contact_{k}")) for k in bm.CONTACT_KEYS}
    # text fields are their column as is; list fields, their list; the nested ones are rebuilt below
    entry = {key: _clean(row.get(key)) for key in bm.ENTRY_KEYS}
    entry |= {key: _as_list(row.get(key)) for key in bm.LIST_FIELDS}
    entry |= {
        "id": row["id"],
        # flat columns collectivite_nom, collectivite_type…, but « region » alone
        "collectivite": {k: _clean(row.get(k if k == "region" else f"collectivite_{k}")) for k in bm.COLLECTIVITE_KEYS},
        "annees": [int(y) for y in entry["annees"]],
        "montants": montants,
        "source": {k: _clean(row.get(f"source_{k}")) for k in bm.SOURCE_KEYS},
        "contact": contact if any(contact.values()) else None,
    }
    # a database built before the sources registry still names documents by their seed-file name
    entry["source"]["document"] = identifiant(entry["source"]["document"])
    return {key: entry[key] for key in bm.ENTRY_KEYS}


def entrees_depuis_frame(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [entree_depuis_ligne(row) for row in frame.to_dict("records")]


JSON_KEYS: tuple[str, ...] = ("id", "collectivite", "titre", "leviers", "annees", "montants", "thematiques", "source",
                              "citation")  # fmt: skip


def entrees_json(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Entries for ``esscore benchmark --format json`` (the keys a script needs to reuse them), each with the
    full citation of its source document (« titre — producteur — date — adresse »)."""
    out = []
    for entry in entrees_depuis_frame(frame):
        src = entry.get("source") or {}
        entry["citation"] = citation(src.get("document"), src.get("section"), src.get("date"))
        out.append({k: entry[k] for k in JSON_KEYS})
    return out


# ------------------------------------------------------------------------------- comparison with a territory


def comparer_au_territoire(
    frame: pd.DataFrame, territoire_id: str, territoire_type: str, population: float | None
) -> pd.DataFrame:
    """Add ``meme_niveau``, ``rapport_taille``, ``taille_proche``, ``chez_vous`` and ``comparable`` columns.

    Comparable = same level (an EPCI compares with EPCI and Pays) and, when the collectivité's population
    is known (column ``population_collectivite``), between 0.33 and 3 times the territory's. The
    territory's own entries are flagged ``chez_vous`` and never counted as comparable.
    """
    out = frame.copy()
    niveaux = NIVEAUX_COMPARABLES.get(territoire_type, ())
    out["chez_vous"] = out["collectivite_code"].eq(territoire_id).fillna(False).astype(bool)
    out["meme_niveau"] = out["collectivite_type"].isin(niveaux)
    pop = pd.to_numeric(out.get("population_collectivite"), errors="coerce")
    if population and population > 0 and pop is not None:
        out["rapport_taille"] = pop / float(population)
    else:
        out["rapport_taille"] = float("nan")
    ratio = out["rapport_taille"]
    out["taille_proche"] = ratio.between(RAPPORT_TAILLE_MIN, RAPPORT_TAILLE_MAX).where(ratio.notna(), None)
    taille_ok = ratio.isna() | ratio.between(RAPPORT_TAILLE_MIN, RAPPORT_TAILLE_MAX)
    out["comparable"] = (out["meme_niveau"] & taille_ok & ~out["chez_vous"]).astype(bool)
    return out


def feuilles_du_territoire(docs: Iterable[Mapping[str, Any]], territoire_id: str) -> list[Mapping[str, Any]]:
    """Roadmaps (documents of ``esscore.roadmap``) whose ``territoire`` is this territory."""
    return [doc for doc in docs if doc.get("territoire") == territoire_id]


def leviers_utilises(docs: Iterable[Mapping[str, Any]]) -> set[str]:
    """Levers of the actions of these roadmaps (canonical names of ``LEVIERS``)."""
    canonical = {bm.normaliser_texte(lev): lev for lev in bm.LEVIERS}
    used: set[str] = set()
    for doc in docs:
        for _, _, action in iter_actions(doc):
            lev = action.get("levier")
            if isinstance(lev, str) and lev.strip():
                used.add(canonical.get(bm.normaliser_texte(lev), lev.strip()))
    return used


def leviers_manquants(docs: Iterable[Mapping[str, Any]]) -> list[str]:
    """Levers of the catalogue that none of these roadmaps' actions uses yet, in display order."""
    used = leviers_utilises(docs)
    return [lev for lev in bm.LEVIERS if lev not in used]
