"""Territory model: ``TYPE:CODE`` identifiers, lookup, name search, parents, members and peers.

Every function takes an open DuckDB connection and returns plain data or DataFrames, so the
CLI, the pages and the exports share one implementation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import duckdb
import pandas as pd

from esscore.db import query
from esscore.errors import TerritoireInconnu
from esscore.text import normalize

TYPES = ("commune", "epci", "departement", "region", "france")
TYPE_LABELS = {
    "commune": "Commune",
    "epci": "EPCI",
    "departement": "Département",
    "region": "Région",
    "france": "France",
}
FRANCE_ID = "france:FR"
_CODE_PATTERNS = {
    "commune": re.compile(r"^(\d[\dAB]\d{3})$"),
    "epci": re.compile(r"^(\d{9})$"),
    "departement": re.compile(r"^(\d{2,3}|2A|2B)$"),
    "region": re.compile(r"^(\d{2})$"),
}


@dataclass(frozen=True)
class Territoire:
    """One territory with its resolved parents (nearest first, France last)."""

    type: str
    code: str
    nom: str
    population: int
    parents: list[dict] = field(default_factory=list)
    alias_de: str | None = None  # set when the requested code was an old/delegated/arrondissement code

    @property
    def id(self) -> str:
        return f"{self.type}:{self.code}"

    @property
    def libelle(self) -> str:
        return self.nom if self.type in ("france", "region", "epci") else f"{self.nom} ({self.code})"


def parse_id(raw: str | None) -> tuple[str, str]:
    """Split and check ``TYPE:CODE``; raise a French error explaining the expected syntax."""
    text = (raw or "").strip()
    if text.lower() in ("france", "france:fr", "fr"):
        return ("france", "FR")
    if ":" not in text:
        raise TerritoireInconnu(
            f"Identifiant de territoire invalide : « {_short(text)} ». Format attendu TYPE:CODE, "
            "par exemple commune:79191, epci:200041317, departement:79, region:75 ou france."
        )
    kind, code = (part.strip() for part in text.split(":", 1))
    kind = kind.lower()
    if kind not in TYPES:
        raise TerritoireInconnu(
            f"Type de territoire inconnu : « {_short(kind)} ». Types possibles : {', '.join(TYPES)}."
        )
    code = code.upper()
    if kind == "france":
        return ("france", "FR")
    if not _CODE_PATTERNS[kind].match(code):
        raise TerritoireInconnu(f"Code {TYPE_LABELS[kind].lower()} mal formé : « {_short(code)} ».")
    return (kind, code)


def _short(text: str, limit: int = 60) -> str:
    text = "".join(ch for ch in text if ch.isprintable())
    return text if len(text) <= limit else text[:limit] + "…"


def get(con: duckdb.DuckDBPyConnection, raw: str) -> Territoire:
    """Resolve an identifier (old or delegated commune codes map to their 2026 commune)."""
    kind, code = parse_id(raw)
    alias = None
    if kind == "commune":
        found = query(con, "commune_alias", code=code)
        if found.empty:
            raise TerritoireInconnu(f"Commune inconnue dans le code officiel géographique 2026 : {code}.")
        row = found.iloc[0]
        if row["code_commune"] != code:
            alias = f"{row['type_source']} « {row['nom_source']} » ({code})"
            code = str(row["code_commune"])
    rows = query(con, "territoire", type=kind, code=code)
    if rows.empty:
        raise TerritoireInconnu(f"Territoire inconnu : {kind}:{code}. Vérifiez le code (millésime 2026).")
    row = rows.iloc[0]
    parents = _parents(con, row)
    return Territoire(kind, code, str(row["nom"]), int(row["population"]), parents, alias)


def _parents(con: duckdb.DuckDBPyConnection, row: pd.Series) -> list[dict]:
    ids = []
    if row["type"] == "commune" and isinstance(row["epci"], str):
        ids.append(f"epci:{row['epci']}")
    if row["type"] in ("commune", "epci") and isinstance(row["departement"], str):
        ids.append(f"departement:{row['departement']}")
    if row["type"] in ("commune", "epci", "departement") and isinstance(row["region"], str):
        ids.append(f"region:{row['region']}")
    if row["type"] != "france":
        ids.append(FRANCE_ID)
    found = query(con, "territoires_par_ids", ids=ids)
    order = {i: n for n, i in enumerate(ids)}
    found = found.sort_values("id", key=lambda s: s.map(order))
    return [
        {"type": r.type, "code": r.code, "nom": r.nom, "population": int(r.population)}
        for r in found.itertuples(index=False)
    ]


def member_communes(con: duckdb.DuckDBPyConnection, territoire: Territoire) -> pd.DataFrame:
    """Communes of a territory (code, nom, population), most populated first."""
    return query(con, "communes_membres", type=territoire.type, code=territoire.code)


def search(con: duckdb.DuckDBPyConnection, text: str, limit: int = 20) -> pd.DataFrame:
    """Accent-insensitive search by name or code; EPCI before communes among word-prefix matches."""
    norm = normalize(text)[:80]
    if not norm:
        return pd.DataFrame(columns=["id", "type", "code", "nom", "population", "libelle"])
    words = norm.split()
    return query(con, "recherche_territoires", q=norm, code=text.strip().upper()[:12], words=words, limit=limit)


def as_dict(con: duckdb.DuckDBPyConnection, territoire: Territoire) -> dict:
    """The CLI/JSON view: exactly type, code, nom, population, parents, communes."""
    communes = member_communes(con, territoire)
    return {
        "type": territoire.type,
        "code": territoire.code,
        "nom": territoire.nom,
        "population": territoire.population,
        "parents": territoire.parents,
        "communes": [{"code": r.code, "nom": r.nom, "population": int(r.population)} for r in communes.itertuples()],
    }
