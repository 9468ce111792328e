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
    """Search that forgives: name (accents, abbreviations, one typo), code, postcode, département number or
    name, old commune or arrondissement (« Paris 12 »). Rules and order: recherche_territoires.sql.

    Columns: ``id`` (the identifier to open: for an arrondissement or a commune déléguée, its own code, which
    ``get`` resolves to the 2026 commune with a note), type, code, nom and population of the territory shown,
    ``libelle`` (« Paris 12e Arrondissement → Paris (75056) », « Niort (79191), code postal 79000 ») and
    ``note`` (why an alias or a postcode matched; empty otherwise).
    """
    mots = mots_recherche(text)
    if not mots:
        return pd.DataFrame(columns=["id", "type", "code", "nom", "population", "libelle", "note"])
    brut = text.strip().upper()[:24]
    try:
        ident: str | None = ":".join(parse_id(brut)) if ":" in brut else None
    except TerritoireInconnu:
        ident = None
    cle = max(mots, key=lambda mot: (mot not in _MOTS_COURANTS, len(mot)))  # the rarest-looking word filters most
    return query(con, "recherche_territoires", q=" ".join(mots), mots=mots, cle=cle, code=brut, ident=ident,
                 cp=brut if _CODE_POSTAL.match(brut) else None, limit=limit)  # fmt: skip


# Abbreviations typed for words the official names spell out (« St-Denis », « Ste-Foy »), read as such when
# another word follows: « st » alone may be the start of Strasbourg.
_ABREVIATIONS = {"st": "saint", "ste": "sainte", "sts": "saints", "stes": "saintes"}
_SOUS = re.compile(r"\bs\s*/\s*s\b", re.IGNORECASE)  # « s/s » : sous
_SUR = re.compile(r"\bs\s*/", re.IGNORECASE)  # « s/ » : sur
_ORDINAL = re.compile(r"^(\d{1,2})(?:e|er|re|eme|ieme|ere)$")  # « 12e », « 1er », « 3ème » : the number
_CODE_POSTAL = re.compile(r"^\d{5}$")
# Words of thousands of names: a poor first filter (``cle`` of recherche_territoires.sql).
_MOTS_COURANTS = frozenset({"saint", "sainte", "saints", "saintes", "sur", "sous", "les", "la", "le", "de", "du",
                            "des", "en", "et", "l", "d", "aux", "communaute", "communes", "agglomeration",
                            "metropole"})  # fmt: skip


def mots_recherche(text: str) -> list[str]:
    """The query's words as the names spell them: « St-Denis » → [saint, denis], « Paris 12e » → [paris, 12],
    « Chalon s/ Saône » → [chalon, sur, saone]."""
    text = _SUR.sub(" sur ", _SOUS.sub(" sous ", (text or "")[:80]))
    mots = [_ORDINAL.sub(r"\1", mot) for mot in normalize(text).split()[:12]]
    return [_ABREVIATIONS.get(mot, mot) if i < len(mots) - 1 else mot for i, mot in enumerate(mots)]


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
