"""ESS indicators for every territory, with statistical secrecy and published figures kept apart.

The ingestion precomputes a commune-level cube (``ess_cube``) and one row per territory, level and
perimeter (``indicateurs``); breakdowns for one territory are summed from the cube on demand.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import duckdb
import pandas as pd

from esscore import ess, publies
from esscore.db import construire, query
from esscore.geography import Territoire
from esscore.secret import COMPTES, SECRET, SECRET_SENSIBLES, afficher, masquer_indicateurs, repartitions, territoires

# Re-exported from esscore.secret: the map, the labels and users' scripts import them from here.
from esscore.secret import SEUIL_DOMINANCE as SEUIL_DOMINANCE
from esscore.secret import SEUIL_ETABLISSEMENTS as SEUIL_ETABLISSEMENTS
from esscore.secret import is_secret as is_secret
from esscore.sources import citation

INDICATEURS: dict[str, str] = {
    "etablissements": "Établissements de l'ESS",
    "etablissements_employeurs": "Établissements employeurs de l'ESS",
    "salaries_estimes": "Salariés estimés de l'ESS",
    "part_emploi_prive": "Part de l'ESS dans l'emploi privé",
    "etablissements_pour_1000_hab": "Établissements de l'ESS pour 1 000 habitants",
    "employeurs_pour_1000_hab": "Établissements employeurs pour 1 000 habitants",
    "salaries_pour_1000_hab": "Salariés estimés pour 1 000 habitants",
}
# Build DDL run after the ESS establishments are loaded, in this order (esscore/sql/construction/<name>.sql).
CONSTRUCTION = (
    "commune_territoires",
    "departements_couverts",
    "territoires_partiels",
    "ess_cube",
    "indicateurs",
    "etablissements_selection",
    "etablissements_diffusion",
    "secret_territoires",
    "repartitions_communes",
)
# Coverage of a territory by the SIRENE data loaded (``couverture``): complete, partial (some of its communes lie in
# a département a partial extract does not cover) or outside the extract (none covered: its zeros mean nothing).
COMPLET, PARTIEL, HORS_EXTRAIT = "complet", "partiel", "hors extrait"


def build_indicator_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Commune→territory membership, cube, per-territory indicator table, the map's filter macro, then the hidden
    headline figures (``secret_territoires``: computed in pandas by ``esscore.secret.territoires`` from the tables
    built before it, for every territory at once), then the communes' breakdown cells (``repartitions_communes``,
    likewise)."""
    for name in CONSTRUCTION:
        if name == "secret_territoires":
            con.register("secret_calcul", territoires(con))
        if name == "repartitions_communes":
            con.register("cellules_calcul", _cellules_communes(con))
        construire(con, name)
    con.unregister("secret_calcul")
    con.unregister("cellules_calcul")


def _cellules_communes(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """``cellules_repartition`` of every commune with its row order (``rang``), computed once at build (about
    1 s for 35 000 communes) and stored (``repartitions_communes``): a page then reads a commune's cells (a few
    milliseconds) instead of computing them and their secrecy for it alone (30 to 40 ms, issue 18). Other
    levels are computed level-wide by the app (``esscore.ui.cache``); a commune without any ESS establishment
    has no row, as when computed."""
    cellules = _calculer_cellules(con, list(query(con, "communes_ids")["id"]))
    return cellules.assign(rang=range(len(cellules)))


def apply_secret(frame: pd.DataFrame, employeurs: str = "etablissements_employeurs") -> pd.DataFrame:
    """Headline figures: employee-based figures hidden by the primary or the complementary rule become « s »
    (object columns); adds ``secret`` (hidden for any reason) and ``secret_motif`` (« primaire » /
    « complémentaire »). The rules: ``esscore.secret``."""
    return masquer_indicateurs(frame, employeurs)


def indicateurs(con: duckdb.DuckDBPyConnection, ids: list[str], perimetre: str = "statistique") -> pd.DataFrame:
    """Headline indicators for several territories, in the order of ``ids`` (secrecy applied)."""
    frame = query(con, "indicateurs_territoires", ids=ids, perimetre=perimetre)
    order = {i: n for n, i in enumerate(ids)}
    frame = frame.sort_values("id", key=lambda s: s.map(order)).reset_index(drop=True)
    return apply_secret(frame)


def cellules_repartition(con: duckdb.DuckDBPyConnection, territoire_id: str | list[str]) -> pd.DataFrame:
    """The three breakdowns of a territory (or of several, rows keyed by ``id``: the decision is taken group by
    group, the same for one or many) in both perimeters, secrecy decided (``esscore.secret.repartitions``): what
    ``repartition`` slices, computed once when a page shows the three axes."""
    ids = [territoire_id] if isinstance(territoire_id, str) else list(territoire_id)
    if (
        ids
        and all(i.startswith("commune:") for i in ids)
        and query(con, "table_existe", nom="repartitions_communes")["n"].iloc[0]
    ):
        lues = query(con, "repartitions_communes_lues", ids=ids)  # stored by the build: the same cells
        if not lues.empty:  # (no ESS at all: computed, for the exact types of an empty table)
            return lues.assign(secret_motif=lues["secret_motif"].astype(object).where(lues["secret_motif"].notna()))
    return _calculer_cellules(con, ids)


def _calculer_cellules(con: duckdb.DuckDBPyConnection, ids: list[str]) -> pd.DataFrame:
    return repartitions(query(con, "repartitions", ids=ids), query(con, "secret_totaux", ids=ids))


def repartition(
    con: duckdb.DuckDBPyConnection,
    territoire_id: str,
    axe: str,
    perimetre: str = "statistique",
    cellules: pd.DataFrame | None = None,
    parts: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Breakdown by ``famille``, ``secteur`` or ``taille`` (with secrecy, and the ESS share by sector).

    Secrecy is decided on the territory's three tables in both perimeters (``esscore.secret.repartitions``, the
    code the build runs on every territory at once); a hidden size class hides its counts too (``COMPTES``).
    ``cellules``: ``cellules_repartition`` of the territory when the caller already has it; ``parts``: its
    ``parts_secteur`` likewise (sector axis).
    """
    if axe not in ("famille", "secteur", "taille"):
        raise ValueError(axe)
    if cellules is None:
        cellules = cellules_repartition(con, territoire_id)
    frame = cellules[cellules["axe"].eq(axe) & cellules["perimetre"].eq(perimetre)].rename(columns={"categorie": axe})
    frame = frame[[axe, "etablissements", "etablissements_employeurs", "salaries_estimes", "max_salaries", "secret",
                   "secret_motif"]]  # fmt: skip
    if axe == "secteur":
        part = parts_secteur(con, [territoire_id], perimetre) if parts is None else parts
        frame = frame.merge(part[["secteur", "part_ess_secteur"]], on="secteur", how="left")
    order = {"famille": ess.FAMILLES, "secteur": ess.SECTEURS, "taille": ess.ORDRE_TAILLES}[axe]
    frame = frame.sort_values(axe, key=lambda s: s.map({v: i for i, v in enumerate(order)})).reset_index(drop=True)
    return afficher(frame, SECRET_SENSIBLES + (COMPTES if axe == "taille" else ()))


def parts_secteur(con: duckdb.DuckDBPyConnection, ids: list[str], perimetre: str = "statistique") -> pd.DataFrame:
    """ESS share of each sector's private employment (``part_ess_secteur``), one row per territory id and sector."""
    return query(con, "repartition_secteur", ids=ids, perimetre=perimetre)


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


def couverture(con: duckdb.DuckDBPyConnection, ids: list[str]) -> dict[str, str]:
    """Coverage of each territory by the SIRENE data (``COMPLET``, ``PARTIEL``, ``HORS_EXTRAIT``): a sirene.fr export
    or a geolocated file of one département gives that département's figures, not its région's or France's."""
    if not _has_table(con, "territoires_partiels"):
        return dict.fromkeys(ids, COMPLET)
    return couverture_depuis(query(con, "territoires_partiels", ids=list(ids)), ids)


def couverture_depuis(frame: pd.DataFrame, ids: list[str]) -> dict[str, str]:
    """``couverture`` from the rows of ``territoires_partiels.sql`` (the pages read them through their cache)."""
    partiels = dict(zip(frame["id"], frame["couverture"], strict=True)) if len(frame) else {}
    return {i: partiels.get(i, COMPLET) for i in ids}


def perimetre_donnees(con: duckdb.DuckDBPyConnection) -> dict:
    """What the SIRENE data covers: ``complet`` (every département) and ``departements_couverts`` (codes, or None
    when complete), read from the build (``departements_couverts``, written by the ingestion)."""
    if not _has_table(con, "departements_couverts"):
        return {"complet": True, "departements_couverts": None, "noms": []}
    return perimetre_depuis(query(con, "perimetre_donnees"))


def perimetre_depuis(frame: pd.DataFrame) -> dict:
    """``perimetre_donnees`` from the rows of ``perimetre_donnees.sql``; ``noms``: « Deux-Sèvres (79) »."""
    couverts = frame[frame["couvert"].astype(bool)]
    if len(couverts) == len(frame):
        return {"complet": True, "departements_couverts": None, "noms": []}
    noms = [f"{nom} ({code})" for code, nom in zip(couverts["code"], couverts["nom"], strict=True)]
    return {"complet": False, "departements_couverts": list(couverts["code"]), "noms": noms}


def texte_perimetre(perimetre: dict) -> str | None:
    """What every export and the deck say of a partial extract (``perimetre_donnees``), None when it is complete:
    « extrait Sirene des départements Deux-Sèvres (79) ; … »."""
    if perimetre["complet"]:
        return None
    return (f"extrait Sirene des départements {', '.join(perimetre['noms'])} ; chiffres des territoires qui en "
            "débordent (région, France…) partiels, de ceux hors de l'extrait non significatifs")  # fmt: skip


def nom_marque(nom: str, etat: str) -> str:
    """A territory's name as shown beside figures the data cannot give in full: « France — partiel »."""
    return nom if etat == COMPLET else f"{nom} — {etat}"


def noms_marques(noms: Iterable[str], ids: list[str], partiels: pd.DataFrame) -> list[str]:
    """``nom_marque`` of each row of a table (``partiels``: the rows of ``territoires_partiels.sql`` for ``ids``)."""
    etats = couverture_depuis(partiels, ids)
    return [nom_marque(nom, etats[i]) for nom, i in zip(noms, ids, strict=True)]


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
    """Source of the ESS establishments loaded (demo or real SIRENE): ``source`` cites it without its date
    (« titre — producteur — adresse »), ``citation`` with it, ``millesime`` is the vintage alone; with a partial
    extract, ``perimetre_donnees`` says which départements it covers (``texte_perimetre``: exports and deck)."""
    frame = query(con, "source", ids=["sirene", "demo-sirene"])
    if frame.empty:
        return {"source": None, "millesime": None, "demo": False, "citation": None}
    ligne = frame.iloc[0].to_dict()
    info = {"source": citation(ligne, avec_date=False), "millesime": ligne["millesime"], "demo": bool(ligne["demo"]),
            "citation": citation(ligne)}  # fmt: skip
    perimetre = texte_perimetre(perimetre_donnees(con))
    return {**info, "perimetre_donnees": perimetre} if perimetre else info


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
    pub = publies.apparier(chiffres_publies(con, territoire.id), main, fam, sect, concentration(coms))
    couv = couverture(con, ids)
    return {
        "territoire": {"type": territoire.type, "code": territoire.code, "nom": territoire.nom,
                       "population": territoire.population},
        "demo": info["demo"],
        "source": info["source"],
        "millesime": info["millesime"],
        "perimetre": perimetre,
        # a partial extract (one département): the figures of territories reaching beyond it are partial
        "perimetre_complet": couv[territoire.id] == COMPLET,
        "couverture": couv[territoire.id],
        "departements_couverts": perimetre_donnees(con)["departements_couverts"],
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
             "perimetre_complet": couv[r["id"]] == COMPLET, "couverture": couv[r["id"]],
             **{k: _clean(r[k]) for k in HEADLINE}}
            for _, r in heads.iloc[1:].iterrows()
        ],
        # each published figure with our estimate of the same scope, or none and why (esscore.publies)
        "chiffres_publies": [{**r, "comparable": bool(r["comparable"])} for r in _records(pub, list(pub.columns))],
    }  # fmt: skip


def etablissements(
    con: duckdb.DuckDBPyConnection, territoire: Territoire, famille: str | None = None, perimetre: str = "statistique"
) -> pd.DataFrame:
    """ESS structures of a territory; non-diffusible rows keep their figures but lose name and position."""
    return query(con, "etablissements_territoire", type=territoire.type, code=territoire.code,
                 famille=famille, perimetre=perimetre)  # fmt: skip
