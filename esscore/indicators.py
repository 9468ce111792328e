"""ESS indicators for every territory, with statistical secrecy and published figures kept apart.

The ingestion precomputes a commune-level cube (``ess_cube``) and one row per territory, level and
perimeter (``indicateurs``); breakdowns for one territory are summed from the cube on demand.
"""

from __future__ import annotations

import math

import duckdb
import pandas as pd

from esscore import ess
from esscore.db import construire, query
from esscore.geography import Territoire

SECRET = "s"
SEUIL_ETABLISSEMENTS = 3
SEUIL_DOMINANCE = 0.85
INDICATEURS: dict[str, str] = {
    "etablissements": "Établissements de l'ESS",
    "etablissements_employeurs": "Établissements employeurs de l'ESS",
    "salaries_estimes": "Salariés estimés de l'ESS",
    "part_emploi_prive": "Part de l'ESS dans l'emploi privé",
    "etablissements_pour_1000_hab": "Établissements de l'ESS pour 1 000 habitants",
    "employeurs_pour_1000_hab": "Établissements employeurs pour 1 000 habitants",
    "salaries_pour_1000_hab": "Salariés estimés pour 1 000 habitants",
}
# Figures resting on employee estimates are the ones subject to secrecy.
SECRET_SENSIBLES = ("salaries_estimes", "part_emploi_prive", "salaries_pour_1000_hab", "part_ess_secteur")


# Build DDL run after the ESS establishments are loaded, in this order (esscore/sql/construction/<name>.sql).
CONSTRUCTION = ("commune_territoires", "ess_cube", "indicateurs", "etablissements_selection")


def build_indicator_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Commune→territory membership, cube, per-territory indicator table and the map's filter macro."""
    for name in CONSTRUCTION:
        construire(con, name)


def is_secret(employeurs: float, salaries: float, max_salaries: float) -> bool:
    """Secrecy rule: fewer than 3 employer establishments, or one above 85 % of the total."""
    if salaries is None or (isinstance(salaries, float) and math.isnan(salaries)) or salaries <= 0:
        return bool(employeurs) and employeurs < SEUIL_ETABLISSEMENTS
    return employeurs < SEUIL_ETABLISSEMENTS or max_salaries > SEUIL_DOMINANCE * salaries


def apply_secret(frame: pd.DataFrame, employeurs: str = "etablissements_employeurs") -> pd.DataFrame:
    """Replace secret employee-based figures with « s » (object columns) and add a ``secret`` flag."""
    out = frame.copy()
    flags = [
        is_secret(e, s, m)
        for e, s, m in zip(out[employeurs], out["salaries_estimes"], out["max_salaries"], strict=True)
    ]
    out["secret"] = flags
    for col in SECRET_SENSIBLES:
        if col in out:
            out[col] = out[col].astype(object).where(~out["secret"], SECRET)
    return out


def indicateurs(con: duckdb.DuckDBPyConnection, ids: list[str], perimetre: str = "statistique") -> pd.DataFrame:
    """Headline indicators for several territories, in the order of ``ids`` (secrecy applied)."""
    frame = query(con, "indicateurs_territoires", ids=ids, perimetre=perimetre)
    order = {i: n for n, i in enumerate(ids)}
    frame = frame.sort_values("id", key=lambda s: s.map(order)).reset_index(drop=True)
    return apply_secret(frame)


def repartition(
    con: duckdb.DuckDBPyConnection, territoire_id: str, axe: str, perimetre: str = "statistique"
) -> pd.DataFrame:
    """Breakdown by ``famille``, ``secteur`` or ``taille`` (with secrecy, and the ESS share by sector)."""
    if axe not in ("famille", "secteur", "taille"):
        raise ValueError(axe)
    frame = query(con, f"repartition_{axe}", id=territoire_id, perimetre=perimetre)
    order = {"famille": ess.FAMILLES, "secteur": ess.SECTEURS, "taille": ess.ORDRE_TAILLES}[axe]
    frame = frame.sort_values(axe, key=lambda s: s.map({v: i for i, v in enumerate(order)})).reset_index(drop=True)
    return apply_secret(frame)


def familles_pour_1000(con: duckdb.DuckDBPyConnection, ids: list[str], perimetre: str = "statistique") -> pd.DataFrame:
    """Employer establishments per 1 000 inhabitants by family, for a territory and its references."""
    return query(con, "familles_pour_1000", ids=ids, perimetre=perimetre)


def communes_du_territoire(
    con: duckdb.DuckDBPyConnection, territoire: Territoire, perimetre: str = "statistique"
) -> pd.DataFrame:
    """One row per member commune with its indicators (for the map and the sortable table)."""
    return apply_secret(
        query(con, "indicateurs_communes", type=territoire.type, code=territoire.code, perimetre=perimetre)
    )


def concentration(communes: pd.DataFrame) -> dict:
    """Share of the main commune and communes with at least one ESS employer (out of N)."""
    total = communes["etablissements_employeurs"].sum()
    if communes.empty:
        return {
            "commune_principale": None,
            "part_commune_principale": None,
            "communes_avec_employeur": 0,
            "communes": 0,
        }
    top = communes.sort_values("etablissements_employeurs", ascending=False).iloc[0]
    return {
        "commune_principale": top["nom"],
        "part_commune_principale": float(top["etablissements_employeurs"] / total) if total else None,
        "communes_avec_employeur": int((communes["etablissements_employeurs"] > 0).sum()),
        "communes": int(len(communes)),
    }


def chiffres_publies(con: duckdb.DuckDBPyConnection, territoire_id: str) -> pd.DataFrame:
    """Published figures for a territory (never mixed with our estimates)."""
    if not _has_table(con, "chiffres_publies"):
        return pd.DataFrame()
    return query(con, "chiffres_publies_territoire", id=territoire_id)


def _has_table(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    return bool(query(con, "table_existe", nom=name)["n"].iloc[0])


def has_ess_data(con: duckdb.DuckDBPyConnection) -> bool:
    return _has_table(con, "indicateurs")


HEADLINE = ("etablissements", "etablissements_employeurs", "salaries_estimes", "part_emploi_prive",
            "etablissements_pour_1000_hab", "employeurs_pour_1000_hab", "salaries_pour_1000_hab")  # fmt: skip


def _clean(value: object) -> object:
    """JSON-friendly scalar: numpy → Python, NaN → None, « s » kept. Never rounded: a figure is rounded
    once, when it is displayed (``labels.fmt_value``), so that the CLI table, the pages and the deck
    print the same digits as the JSON's full-precision value."""
    if value is None or value == SECRET:
        return value
    if isinstance(value, float | int) or hasattr(value, "item"):
        number = float(value)
        if math.isnan(number):
            return None
        return int(number) if number.is_integer() and abs(number) < 1e15 else number
    return value


def _records(frame: pd.DataFrame, columns: list[str]) -> list[dict]:
    return [{c: _clean(row[c]) for c in columns} for _, row in frame.iterrows()]


def source_info(con: duckdb.DuckDBPyConnection) -> dict:
    """Source label and vintage of the ESS establishments loaded (demo or real SIRENE)."""
    frame = query(con, "source", ids=["sirene", "demo-sirene"])
    if frame.empty:
        return {"source": None, "millesime": None, "demo": False}
    titre, producteur, millesime, demo = frame.iloc[0][["titre", "producteur", "millesime", "demo"]]
    return {"source": f"{producteur}, {titre}", "millesime": millesime, "demo": bool(demo)}


def panorama(con: duckdb.DuckDBPyConnection, territoire: Territoire, perimetre: str = "statistique") -> dict:
    """Everything the panorama shows, as plain data (the CLI JSON contract)."""
    ids = [territoire.id] + [f"{p['type']}:{p['code']}" for p in territoire.parents]
    heads = indicateurs(con, ids, perimetre)
    main = heads.iloc[0]
    info = source_info(con)
    fam = repartition(con, territoire.id, "famille", perimetre)
    sect = repartition(con, territoire.id, "secteur", perimetre)
    tail = repartition(con, territoire.id, "taille", perimetre)
    coms = communes_du_territoire(con, territoire, perimetre)
    base = ["etablissements", "etablissements_employeurs", "salaries_estimes"]
    pub = chiffres_publies(con, territoire.id)
    return {
        "territoire": {"type": territoire.type, "code": territoire.code, "nom": territoire.nom,
                       "population": territoire.population},
        "demo": info["demo"],
        "source": info["source"],
        "millesime": info["millesime"],
        "perimetre": perimetre,
        **{k: _clean(main[k]) for k in HEADLINE},
        "secret": bool(main["secret"]),
        "familles": _records(fam, ["famille", *base]),
        "secteurs": _records(sect, ["secteur", *base, "part_ess_secteur"]),
        "tranches": _records(tail, ["taille", *base]),
        "communes": _records(coms.rename(columns={"code": "code_commune"}),
                             ["code_commune", "nom", "population", *base, "etablissements_pour_1000_hab"]),
        "concentration": {k: _clean(v) for k, v in concentration(coms).items()},
        "comparaison": [
            {"type": r["type"], "code": r["code"], "nom": r["nom"], "population": _clean(r["population"]),
             **{k: _clean(r[k]) for k in HEADLINE}}
            for _, r in heads.iloc[1:].iterrows()
        ],
        "chiffres_publies": [] if pub.empty else _records(pub, list(pub.columns)),
    }  # fmt: skip


def etablissements(
    con: duckdb.DuckDBPyConnection, territoire: Territoire, famille: str | None = None, perimetre: str = "statistique"
) -> pd.DataFrame:
    """ESS structures of a territory; non-diffusible rows keep their figures but lose name and position."""
    return query(con, "etablissements_territoire", type=territoire.type, code=territoire.code,
                 famille=famille, perimetre=perimetre)  # fmt: skip
