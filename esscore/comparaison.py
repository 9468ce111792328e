"""Comparisons: peer suggestion (population and rurality), side-by-side tables with ranks, the sub-units
of a territory (map and table of the panorama) and the national level to map.

Pure functions taking an open DuckDB connection and returning DataFrames, shared by the pages, the
benchmarks and the tests (the pages add caching only).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import NamedTuple

import duckdb
import numpy as np
import pandas as pd

from esscore import ess
from esscore.db import query
from esscore.errors import TerritoireInconnu
from esscore.geography import FRANCE_ID, TYPE_LABELS, Territoire, parse_id
from esscore.indicators import COMPLET, INDICATEURS, SECRET, apply_secret, couverture, familles_pour_1000, indicateurs
from esscore.labels import fmt_value
from esscore.phrases import rang_ordinal

MAX_PAIRS = 8
VILLE = 10_000  # inhabitants: the région's towns shown with a commune's own département
# From this population a commune has no peer of its size near it: its peers come from all of France, like a
# métropole's (EPCI legal type ME), instead of suburbs of its own département twenty times smaller.
GRANDE_VILLE = 100_000
# National map level matching the territory (35 000 communes would be too heavy: EPCI instead).
NIVEAU_CARTE = {"commune": "epci", "epci": "epci", "departement": "departement", "region": "region",
                "france": "region"}  # fmt: skip
# Sub-units shown on the panorama map and table: communes up to the département, EPCI for a région,
# départements for France.
NIVEAU_UNITES = {"commune": "commune", "epci": "commune", "departement": "commune", "region": "epci",
                 "france": "departement"}  # fmt: skip
COLONNES_RATIOS = ("employeurs_pour_1000_hab", "etablissements_pour_1000_hab")


def pairs_suggeres(con: duckdb.DuckDBPyConnection, territoire: Territoire, n: int = MAX_PAIRS) -> pd.DataFrame:
    """Suggested peers: same level, similar population and rurality, same zone and région first (big cities
    and métropoles: all of France). The one peer rule of the pages, the deck and the CLI."""
    if territoire.type == "france":
        return pairs_depuis(pd.DataFrame(), territoire, n)
    return pairs_depuis(query(con, "pairs_base", type=territoire.type), territoire, n)


def pairs_depuis(base: pd.DataFrame, territoire: Territoire, n: int = MAX_PAIRS) -> pd.DataFrame:
    """Peers from the level-wide table of ``pairs_base.sql`` (kept in a cache by the pages).

    Same level (EPCI: same legal type; communes: same département or région, all of France from
    ``GRANDE_VILLE`` inhabitants). Score = gap in population (log scale) + twice the gap in the share of
    inhabitants of communes under 2 000 inhabitants. Same zone (metropolitan / overseas) first, then
    candidates scoring under ln 2, same région first (not for a big city or a métropole: its peers are the
    nearest in size wherever they are), best score first. Written for users in methode.md (« Comparaisons »).
    """
    columns = ["id", "type", "code", "nom", "population", "part_pop_petites_communes", "meme_region", "score"]
    mine = base[base["id"] == territoire.id] if len(base) else base
    if mine.empty:
        return pd.DataFrame(columns=columns)
    me = mine.iloc[0]
    cand = base[base["id"] != territoire.id]
    national = comparaison_nationale(territoire.type, me["population"], me["epci_type"])
    if territoire.type == "epci":
        cand = cand[cand["epci_type"] == me["epci_type"]]
    if territoire.type == "commune" and not national:
        cand = cand[(cand["departement"] == me["departement"]) | (cand["region"] == me["region"])]
    population = pd.to_numeric(cand["population"]).clip(lower=1)
    rural = pd.to_numeric(cand["part_pop_petites_communes"]).fillna(0.0)
    my_rural = float(me["part_pop_petites_communes"]) if pd.notna(me["part_pop_petites_communes"]) else 0.0
    out = cand.assign(
        score=(np.log(population) - math.log(max(float(me["population"]), 1))).abs() + 2 * (rural - my_rural).abs(),
        meme_region=cand["region"].eq(me["region"]) if pd.notna(me["region"]) else False,
        _autre_zone=cand["zone"].fillna("").ne(me["zone"] if isinstance(me["zone"], str) else ""),
    )
    out["_loin"] = out["score"] > math.log(2)
    out["_autre_region"] = False if national else ~out["meme_region"].astype(bool)
    out = out.sort_values(["_autre_zone", "_loin", "_autre_region", "score", "code"], kind="stable")
    return out.head(n)[columns].reset_index(drop=True)


def comparaison_nationale(type_: str, population: object, epci_type: object = None) -> bool:
    """True for a commune of ``GRANDE_VILLE`` inhabitants or more and for a métropole: peers from all of
    France, nearest in size first, whatever their région."""
    if type_ == "epci":
        return epci_type == "ME"
    try:
        return type_ == "commune" and float(population) >= GRANDE_VILLE  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False


def parse_pairs(
    con: duckdb.DuckDBPyConnection, territoire: Territoire, raw: str | None, limit: int = MAX_PAIRS
) -> tuple[list[str], list[str]]:
    """Peer ids from the URL (``TYPE:CODE,…``): valid ones (same level, known, deduplicated) and French
    messages for the others."""
    valides: list[str] = []
    erreurs: list[str] = []
    for item in (raw or "").split(","):
        if not item.strip():
            continue
        try:
            kind, code = parse_id(item)
        except TerritoireInconnu as err:
            erreurs.append(str(err))
            continue
        pid = f"{kind}:{code}"
        if kind != territoire.type:
            attendu = TYPE_LABELS[territoire.type].lower()
            erreurs.append(f"« {pid} » ignoré : les pairs doivent être du même niveau que le territoire ({attendu}).")
        elif pid != territoire.id and pid not in valides:
            valides.append(pid)
    if valides:
        connus = set(query(con, "territoires_par_ids", ids=valides)["id"])
        erreurs += [f"« {p} » ignoré : territoire inconnu (millésime 2026)." for p in valides if p not in connus]
        valides = [p for p in valides if p in connus]
    if len(valides) > limit:
        erreurs.append(f"Au plus {limit} pairs : les suivants sont ignorés ({', '.join(valides[limit:])}).")
        valides = valides[:limit]
    return valides, erreurs


def references(territoire: Territoire) -> list[dict]:
    """Région and France for a territory (France alone for a région; none for France), with their role; never
    the territory itself under another level (see ``plus_grand``: an overseas département's région)."""
    refs = [p for p in territoire.parents if p["type"] in ("region", "france")]
    refs = [p for p in refs if plus_grand(p["population"], territoire.population)]
    return [{"id": f"{p['type']}:{p['code']}", "role": p["type"], **p} for p in refs]


def plus_grand(population_parent: object, population: object) -> bool:
    """True when a parent holds more inhabitants than the territory: a parent with as many is the same
    territory under another level (the commune and the département of Paris, an overseas département and its
    région). Against itself a share reads « 100,0 % du total », a gap « ±0 », a rank « 1er sur 1 »: references
    (tables, ratio chart) and the Panorama's cards and sentences keep only parents for which this is true."""
    try:
        return float(population_parent) > float(population)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return True


def references_distinctes(chiffres: pd.DataFrame) -> pd.DataFrame:
    """The parents' rows of a frame « territory first, then its parents » (``indicators.indicateurs`` of
    ``[territoire, *parents]``) that are larger territories (``plus_grand``): those to compare it with."""
    if chiffres.empty:
        return chiffres
    moi = chiffres.iloc[0]["population"]
    refs = chiffres.iloc[1:]
    return refs[[plus_grand(p, moi) for p in refs["population"]]]


class Rang(NamedTuple):
    """A territory's place for one indicator: 1 = highest; equal values share the best place (``ex_aequo``).

    ``total``: the territories ranked (a figure known and diffused); ``ensemble``: the territories compared,
    ranked or not, the one count a sentence gives (« Parmi les 34 969 communes… », the number of communes
    everywhere else too); 0 when unknown (then ``total``).
    """

    position: int
    total: int
    ex_aequo: bool = False
    ensemble: int = 0


def _valeurs(frame: pd.DataFrame, indicator: str) -> pd.Series:
    """The ranked values: secret (« s ») and missing figures are not ranked."""
    return pd.to_numeric(frame[indicator].where(frame[indicator] != SECRET), errors="coerce")


def rang(frame: pd.DataFrame, territoire_id: str, indicator: str) -> Rang | None:
    """The one rank rule of the product (pages, deck, CLI): highest first, ties share a rank (« 3e ex æquo »).

    None when the territory's figure is secret or missing, when fewer than two figures are ranked, when all
    ranked figures are equal (a rank among identical values says nothing) and for a tie at zero (« 5e ex
    æquo » among territories without any ESS says nothing either). A territory appearing twice is counted
    once: it is never ranked against itself.
    """
    if not frame["id"].is_unique:
        frame = frame.drop_duplicates("id")
    values = _valeurs(frame, indicator)
    mine = values[frame["id"] == territoire_id]
    return _rang(values.dropna().tolist(), None if mine.empty else mine.iloc[0], len(frame))


def _rang(ranked: list[float], moi: object, ensemble: int) -> Rang | None:
    """``rang`` once the values are read: ``ranked`` the figures ranked (none missing), ``moi`` the territory's
    (None or NaN: not ranked), ``ensemble`` the territories counted. Plain Python: ``avec_rangs`` calls it for
    every row and indicator of a table (pandas took 1 ms a call)."""
    if moi is None or pd.isna(moi) or len(ranked) < 2 or len(set(ranked)) == 1:  # type: ignore[arg-type]
        return None
    moi = float(moi)  # type: ignore[arg-type]
    ex_aequo = sum(1 for v in ranked if v == moi) > 1
    if moi == 0 and ex_aequo:
        return None
    return Rang(sum(1 for v in ranked if v > moi) + 1, len(ranked), ex_aequo, ensemble)


def couverts(frame: pd.DataFrame, etats: Mapping[str, str]) -> pd.DataFrame:
    """The rows a rank may count when a partial SIRENE extract is loaded: the territories it covers wholly
    (``etats``: ``indicators.couverture``; a territory absent is complete). A région or an EPCI reaching beyond the
    extract counts only part of its ESS, one outside it only zeros: ranked, they would lift the territory for
    nothing (« rang parmi les territoires couverts »). The frame unchanged for a national stock."""
    return frame[[etats.get(i, COMPLET) == COMPLET for i in frame["id"]]]


def avec_rangs(frame: pd.DataFrame, indicators: list[str] | None = None) -> pd.DataFrame:
    """Adds ``rang_<indicator>`` (the ``Rang`` of each row, or None) for every indicator."""
    out = frame.copy()
    uniques = out if out["id"].is_unique else out.drop_duplicates("id")  # as ``rang`` counts them
    for ind in indicators or list(INDICATEURS):
        values = _valeurs(uniques, ind)
        par_id = dict(zip(uniques["id"], values, strict=True))
        ranked = values.dropna().tolist()
        out[f"rang_{ind}"] = [_rang(ranked, par_id.get(i), len(uniques)) for i in out["id"]]
    return out


def tableau(
    con: duckdb.DuckDBPyConnection, territoire: Territoire, pairs: list[str], perimetre: str = "statistique"
) -> pd.DataFrame:
    """The territory, its peers (ranked) and its references (région, France; not ranked), one row each.

    Columns: id, type, code, nom, population, role (territoire / pair / region / france), the indicators,
    ``part_pop_petites_communes`` and ``rang_<indicator>``. Read from the database; the pages assemble the same
    table from their cached level-wide tables (``esscore.ui.cache.tableau``) with ``tableau_depuis``.
    """
    ids = [territoire.id, *pairs]
    refs = [r["id"] for r in references(territoire)]
    lignes = indicateurs(con, ids, perimetre)
    classes = couverts(lignes, couverture(con, ids))["id"]
    ref_lignes = indicateurs(con, refs, perimetre) if refs else None
    rural = query(con, "ruralite_territoires", ids=[*lignes["id"], *refs])
    return tableau_depuis(territoire, lignes, classes, ref_lignes, rural)


def tableau_depuis(
    territoire: Territoire,
    lignes: pd.DataFrame,
    classes: pd.Series,
    ref_lignes: pd.DataFrame | None,
    rural: pd.DataFrame,
) -> pd.DataFrame:
    """``tableau`` once read: ``lignes`` the territory and its peers (``indicateurs``, in that order), ``classes``
    the ids among them a rank counts (``couverts``: all for a national stock), ``ref_lignes`` the région and
    France (``references``) or None, ``rural`` the share of inhabitants in small communes by id."""
    rangs = avec_rangs(lignes[lignes["id"].isin(classes)])  # ranked among the territory and its peers only
    frame = lignes.merge(rangs[["id", *(c for c in rangs if c.startswith("rang_"))]], on="id", how="left")
    frame["role"] = ["territoire" if i == territoire.id else "pair" for i in frame["id"]]
    if ref_lignes is not None:
        frame = pd.concat([frame, ref_lignes.assign(role=ref_lignes["type"])], ignore_index=True)
    return frame.merge(rural[["id", "part_pop_petites_communes"]], on="id", how="left")


def tableau_affiche(frame: pd.DataFrame, indicators: list[str] | None = None) -> pd.DataFrame:
    """French display version of ``tableau``: « 4,5 (2e) », « s » kept, references labelled."""
    inds = indicators or list(INDICATEURS)
    rows = []
    for _, row in frame.iterrows():
        label = row["nom"] if row["role"] in ("territoire", "pair") else _reference_label(row)
        out = {"Territoire": label, "Population": fmt_value("population", row["population"])}
        for ind in inds:
            text = fmt_value(ind, row[ind])
            r = row.get(f"rang_{ind}")
            if row["role"] in ("territoire", "pair") and isinstance(r, Rang):
                text += f" ({rang_ordinal(r)})"
            out[INDICATEURS[ind]] = text
        part = row.get("part_pop_petites_communes")
        out["Population en communes < 2 000 hab."] = fmt_value("part_emploi_prive", part) if _num(part) else "–"
        rows.append(out)
    return pd.DataFrame(rows)


def _reference_label(row: pd.Series) -> str:
    """« Région Nouvelle-Aquitaine (référence) », « France (référence) »."""
    prefix = "" if row["type"] == "france" else f"{TYPE_LABELS[row['type']]} "
    return f"{prefix}{row['nom']} (référence)"


def _num(value: object) -> bool:
    return isinstance(value, int | float) and not math.isnan(float(value))


def niveau(con: duckdb.DuckDBPyConnection, type_: str, perimetre: str = "statistique") -> pd.DataFrame:
    """Every territory of a level with its indicators (``indicateurs_niveau``), secrecy applied."""
    return apply_secret(query(con, "indicateurs_niveau", type=type_, perimetre=perimetre))


def niveau_classe(con: duckdb.DuckDBPyConnection, type_: str, niveau_frame: pd.DataFrame | None = None) -> pd.DataFrame:
    """The territories of a level a rank counts (« Parmi les 1 254 EPCI… », the rank among peers): all of them, or
    with a partial SIRENE extract those it covers wholly (``couverts``). ``niveau_frame``: ``niveau`` already read."""
    frame = niveau(con, type_) if niveau_frame is None else niveau_frame
    return couverts(frame, couverture(con, list(frame["id"])))


def points_nuage(niveau_frame: pd.DataFrame, territoire: Territoire, selection: list[str]) -> pd.DataFrame:
    """Territories drawn on the population × indicator scatter (and offered as peers): the whole level,
    except for communes: those of the same département and the région's towns of 10 000 inhabitants or
    more, for a big city the cities of ``GRANDE_VILLE`` inhabitants or more of all of France (where its
    suggested peers are), plus the selection (35 000 points would weigh on the browser and say little)."""
    if territoire.type != "commune":
        return niveau_frame
    parents = {p["type"]: p["code"] for p in territoire.parents}
    population = pd.to_numeric(niveau_frame["population"])
    near = niveau_frame["departement"].eq(parents.get("departement"))
    towns = niveau_frame["region"].eq(parents.get("region")) & (population >= VILLE)
    keep = near | towns | niveau_frame["id"].isin([territoire.id, *selection])
    if comparaison_nationale(territoire.type, territoire.population):
        keep |= population >= GRANDE_VILLE
    return niveau_frame[keep]


def niveau_carte(territoire: Territoire) -> str:
    return NIVEAU_CARTE[territoire.type]


def codes_carte(territoire: Territoire, selection: list[str], con: duckdb.DuckDBPyConnection) -> list[str]:
    """Codes to outline on the national map: the selection itself, or the EPCI of selected communes."""
    ids = [territoire.id, *selection]
    level = niveau_carte(territoire)
    if territoire.type == "france":
        return []
    if territoire.type == level:
        return [i.split(":", 1)[1] for i in ids]
    found = query(con, "epci_des_territoires", ids=ids)
    return sorted({str(c) for c in found["epci"].dropna()})


def unites(
    con: duckdb.DuckDBPyConnection,
    territoire: Territoire,
    perimetre: str = "statistique",
    niveau_frame: pd.DataFrame | None = None,
) -> tuple[str, pd.DataFrame, list[str]]:
    """Sub-units of the panorama map/table: (level, indicators per unit, codes to outline).

    A commune is shown among the communes of its EPCI (outlined); an EPCI or a département by its
    communes; a région by its EPCI; France by its départements. Most employers first. ``niveau_frame``: the
    level of the units already read (``niveau``; the pages' cached table), else read here.
    """
    level = NIVEAU_UNITES[territoire.type]
    frame = niveau(con, level, perimetre) if niveau_frame is None else niveau_frame
    outline: list[str] = []
    if territoire.type == "commune":
        epci = next((p["code"] for p in territoire.parents if p["type"] == "epci"), None)
        dedans = frame["epci"].eq(epci) if epci else frame["code"].eq(territoire.code)
        outline = [territoire.code]
    elif territoire.type == "france":
        dedans = pd.Series(True, index=frame.index)
    else:
        dedans = frame[territoire.type].eq(territoire.code)  # the units' epci / departement / region column
    ordre = ["etablissements_employeurs", "population", "code"]
    choisies = frame[dedans].drop(columns="epci_type").sort_values(ordre, ascending=[False, False, True], kind="stable")
    return level, choisies.reset_index(drop=True), outline


def ratios_ids(territoire: Territoire) -> list[str]:
    """The territory, then its région and France: the series of the per-family ratio chart."""
    return [territoire.id] + [r["id"] for r in references(territoire) if r["id"] != territoire.id]


def ratios_familles(
    con: duckdb.DuckDBPyConnection, territoire: Territoire, perimetre: str = "statistique"
) -> pd.DataFrame:
    """Per-1 000-inhabitant ratios by family for the territory, its région and France (zeros filled)."""
    return assembler_ratios(territoire, familles_pour_1000(con, ratios_ids(territoire), perimetre))


def assembler_ratios(territoire: Territoire, found: pd.DataFrame) -> pd.DataFrame:
    """Complete grid territory × family from ``familles_pour_1000`` rows (families absent → 0), with roles."""
    refs = [r for r in references(territoire) if r["id"] != territoire.id]
    ids = ratios_ids(territoire)
    noms = {territoire.id: territoire.nom, **{r["id"]: r["nom"] for r in refs}}
    roles = {territoire.id: "territoire", **{r["id"]: r["role"] for r in refs}}
    if territoire.id == FRANCE_ID:
        roles[FRANCE_ID] = "territoire"
    grid = pd.MultiIndex.from_product([ids, list(ess.FAMILLES)], names=["id", "famille"]).to_frame(index=False)
    columns = ["id", "famille", *COLONNES_RATIOS]
    out = grid.merge(found[columns] if len(found) else pd.DataFrame(columns=columns), on=["id", "famille"], how="left")
    for col in COLONNES_RATIOS:
        out[col] = pd.to_numeric(out[col]).fillna(0.0)
    out["nom"] = out["id"].map(noms)
    out["role"] = out["id"].map(roles)
    return out
