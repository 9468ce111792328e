"""Demonstration series of vintages: one stock a year for the ten years before the final demonstration vintage,
derived from it by documented per-year factors, and flagged as demonstration everywhere.

Why derived rather than generated again: ten more demonstration stocks would cost minutes, and even writing ten
vintages' rows (3 million) seconds; factors cost nothing to store and the figures are derived when read. The result
is deterministic, and the national trends are the published ones. The yearly changes and their sources are in
``data/reference/evolutions_ess_demonstration.csv`` (``nature``: publié, dérivé of a published figure, or hypothèse
of the project); they are national figures of ESS France and the Observatoire national de l'ESS (URSSAF data).

Method, for the vintage of stock year ``S`` (headcount bands of year ``E = S - 2``, like the final one: stock 2025,
bands 2023), its figures are the final ones divided by the cumulative change from year ``E`` to the final bands' year:

* salariés of a family and sector: the national change of ESS employment, plus the family's own change where one is
  published (its gap to the national one), plus the sector's where one is published, less one constant per year so
  that the national change, weighted by the final vintage's salariés, is exactly the published one;
* establishments and employers: the national change of ESS employer establishments (no family detail is published;
  non-employers are assumed to follow);
* private-employment denominator: ``1 - PART_ESS_PRIVE`` × the change outside the ESS + ``PART_ESS_PRIVE`` × the
  ESS change;
* a fictitious drift per département (région rows: per région; France: none), between ``-DERIVE_MAX`` and
  ``+DERIVE_MAX`` a year, from DuckDB's hash of its code, so that territories do not all follow the national curve.

Only the factors are stored (table ``millesimes_demo``, about 9 000 rows): the reads derive each earlier vintage's
figures from the final vintage's (esscore/sql/evolution_series.sql: counts rounded after adding a draw fixed per
cell), so the demonstration build writes no more than one vintage's rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path

import duckdb
import pandas as pd

from esscore.config import EVOLUTIONS_DEMO_FILE, SHIPPED_DATA_DIR
from esscore.db import query, sql
from esscore.errors import DonneesInvalides
from esscore.labels import millesime_sirene

#: Published yearly changes the demonstration series follow (one row per year, series, family or sector).
FICHIER_EVOLUTIONS = EVOLUTIONS_DEMO_FILE
ANNEES_AVANT = 10  # earlier vintages: with the final one, yearly stocks 2015 to 2025
PART_ESS_PRIVE = 0.14  # ESS share of private employment (ESS France, « 14 % de l'emploi privé »)
DERIVE_MAX = 0.004  # fictitious drift of a département, a year
SERIES = ("salaries", "employeurs", "prive_hors_ess")
NATURES = ("publié", "dérivé", "hypothèse")
METHODE = "démonstration : dérivé du millésime {final} par des évolutions annuelles publiées"


def lire_evolutions(chemin: Path = FICHIER_EVOLUTIONS) -> pd.DataFrame:
    """The yearly changes, checked (series, nature, number); a French message names the faulty row."""
    frame = pd.read_csv(chemin, dtype={"famille": str, "secteur": str}, keep_default_na=False)
    for n, ligne in enumerate(frame.to_dict("records"), start=2):
        if ligne["serie"] not in (*SERIES, "controle_part_prive") or ligne["nature"] not in NATURES:
            connues = f"{', '.join(SERIES)} ; {', '.join(NATURES)}"
            raise DonneesInvalides(f"{chemin.name}, ligne {n} : série « {ligne['serie']} » ou nature "
                                   f"« {ligne['nature']} » inconnue ({connues}).")  # fmt: skip
        if not isinstance(ligne["evolution"], float | int):
            raise DonneesInvalides(f"{chemin.name}, ligne {n} : « evolution » doit être un nombre (0.006 = +0,6 %).")
    return frame


def _national(evol: pd.DataFrame, serie: str, annee: int) -> float:
    """The national change of a series a year (0 when the file has none: the series then stays flat)."""
    nationales = (evol["famille"] == "") & (evol["secteur"] == "")
    lignes = evol[(evol["serie"] == serie) & (evol["annee"] == annee) & nationales]
    return float(lignes["evolution"].iloc[0]) if len(lignes) else 0.0


def taux_salaries(evol: pd.DataFrame, poids: pd.DataFrame, annee: int) -> pd.Series:
    """Change of the salariés of each (famille, secteur) row of ``poids`` in ``annee``: national change, gaps of the
    published families and sectors, less the constant that keeps the weighted national change (weights: ``poids``'
    salariés) equal to the published one."""
    nat = _national(evol, "salaries", annee)
    an = evol[(evol["serie"] == "salaries") & (evol["annee"] == annee)]
    ecart_famille = dict(zip(an["famille"], an["evolution"] - nat, strict=True))
    ecart_secteur = dict(zip(an["secteur"], an["evolution"] - nat, strict=True))
    brut = (nat + poids["famille"].map(lambda f: ecart_famille.get(f, 0.0) if f else 0.0)
            + poids["secteur"].map(lambda s: ecart_secteur.get(s, 0.0) if s else 0.0))  # fmt: skip
    total = float(poids["salaries"].sum())
    correction = float((brut * poids["salaries"]).sum()) / total - nat if total else 0.0
    return brut - correction


def facteurs(evol: pd.DataFrame, poids: pd.DataFrame, annee_finale: int, n: int = ANNEES_AVANT) -> pd.DataFrame:
    """Cumulative factors from each earlier vintage ``k`` (1 to ``n`` years before) to the final one, per (famille,
    secteur): ``f_salaries``, ``f_comptes`` (establishments, employers) and ``f_prive`` (denominator)."""
    lignes = []
    f_sal = pd.Series(1.0, index=poids.index)
    f_cpt = f_prv = 1.0
    for k in range(1, n + 1):
        annee = annee_finale - k + 1  # the change of this year separates vintage k from vintage k - 1
        r_sal = taux_salaries(evol, poids, annee)
        f_sal = f_sal * (1 + r_sal)
        f_cpt *= 1 + _national(evol, "employeurs", annee)
        nat = _national(evol, "salaries", annee)
        f_prv *= 1 + (1 - PART_ESS_PRIVE) * _national(evol, "prive_hors_ess", annee) + PART_ESS_PRIVE * nat
        lignes.append(poids[["famille", "secteur"]].assign(k=k, f_salaries=f_sal.values, f_comptes=f_cpt,
                                                          f_prive=f_prv))  # fmt: skip
    return pd.concat(lignes, ignore_index=True)


def _date(finale: str, k: int) -> str:
    """The stock date ``k`` years before ``finale`` (same day; 28 February for a 29th in a common year)."""
    jour = dt.date.fromisoformat(finale)
    try:
        return jour.replace(year=jour.year - k).isoformat()
    except ValueError:
        return jour.replace(year=jour.year - k, day=28).isoformat()


def generer(con: duckdb.DuckDBPyConnection, finale: Mapping[str, object], progress=print) -> dict:
    """Record the earlier demonstration vintages of the final one (``finale``: its row of ``millesimes``): their rows
    of ``millesimes`` and their cumulative factors (``millesimes_demo``), from which the reads derive their figures
    (esscore/sql/evolution_series.sql). Returns the provenance row of the series."""
    from esscore.millesimes import ajouter_millesime  # esscore.millesimes imports this module when it runs

    progress(f"… millésimes de démonstration : {ANNEES_AVANT} années dérivées du stock de démonstration")
    final = str(finale["millesime"])
    annee_eff = int(finale["annee_effectifs"] or int(final[:4]) - 2)  # type: ignore[call-overload]
    evol = lire_evolutions()
    table = facteurs(evol, query(con, "demo_millesimes_poids", final=final), annee_eff)
    table = table.assign(millesime=table["k"].map(lambda k: _date(final, k)), finale=final, derive_max=DERIVE_MAX)
    con.register("demo_facteurs", table)
    try:
        con.execute(sql("demo_millesimes_facteurs"))
    finally:
        con.unregister("demo_facteurs")
    for k in range(1, ANNEES_AVANT + 1):
        date = _date(final, k)
        ajouter_millesime(con, {"millesime": date, "annee": int(date[:4]), "annee_effectifs": annee_eff - k,
                                "demo": True, "libelle": millesime_sirene(date, annee_eff - k),
                                "methode": METHODE.format(final=final), "couverture": "France entière",
                                "date_ajout": finale["date_ajout"]})  # fmt: skip
    return source(annee_eff, len(evol))


def source(annee_effectifs: int, lignes: int) -> dict:
    """Provenance row (table ``sources``) of the demonstration series."""
    premiere = annee_effectifs - ANNEES_AVANT
    return {
        "id": "demo-millesimes",
        "titre": "Données de démonstration : millésimes antérieurs dérivés du stock de démonstration",
        "producteur": "ESS Territoires (esscore.demo_millesimes), d'après les évolutions annuelles publiées par "
                      "ESS France et l'Observatoire national de l'ESS",
        "url": None,
        "licence": "Licence Ouverte / Etalab 2.0",
        "millesime": f"effectifs {premiere} à {annee_effectifs - 1}",
        "fichiers": str(FICHIER_EVOLUTIONS.relative_to(SHIPPED_DATA_DIR.parent)),
        "lignes": lignes,
        "demo": True,
        "note": "Chiffres fictifs : chaque millésime antérieur est le millésime final divisé par les évolutions "
                "annuelles cumulées (nationales, par famille et par secteur quand elles sont publiées), avec un "
                "écart fictif par département. Méthode : esscore/demo_millesimes.py.",
    }  # fmt: skip
