"""How a territory's ESS evolves: series of its headline figures over the vintages kept (``esscore.millesimes``),
indexed or absolute, and the creations and closures of its ESS establishments.

Pure functions over an open connection (the page adds caching only; the deck, the CLI and the roadmap indicators
read the same functions). Secrecy: the primary rule of ``esscore.secret`` is applied vintage by vintage, and a
territory whose salariés are hidden today (primary or complementary rule) or at any vintage has its salariés and
its share hidden over the whole series (a series could otherwise give a hidden figure away by difference).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import duckdb
import numpy as np
import pandas as pd

from esscore import charts, comparaison, phrases
from esscore.db import query
from esscore.geography import Territoire
from esscore.indicators import SECRET
from esscore.labels import fmt_date, fmt_int, fmt_value, indicator_label
from esscore.secret import primaire

#: Indicators with a series, in the order of the page's selector.
INDICATEURS_EVOLUTION: tuple[str, ...] = ("salaries_estimes", "etablissements_employeurs", "etablissements",
                                          "part_emploi_prive")  # fmt: skip
MODES = ("indice", "absolu")
BASE_INDICE = 100.0
COLONNES = ["id", "type", "code", "nom", "population", "millesime", "annee", "annee_effectifs", "demo",
            "etablissements", "etablissements_employeurs", "salaries_estimes", "salaries_prives", "part_emploi_prive",
            "secret"]  # fmt: skip
ANNEES_MOUVEMENTS = 15  # years of creations and closures shown, up to the stock's year


def series(con: duckdb.DuckDBPyConnection, ids: list[str], perimetre: str = "statistique") -> pd.DataFrame:
    """Headline figures of the territories ``ids`` at every vintage of the same kind as the data loaded (real or
    demonstration), oldest first; « s » in the salariés and the share of a territory under secrecy (module doc)."""
    if not ids:
        return pd.DataFrame(columns=COLONNES)
    frame = query(con, "evolution_series", ids=list(ids), perimetre=perimetre)
    if frame.empty:
        return pd.DataFrame(columns=COLONNES)
    masque = primaire(frame) | frame["secret_courant"].notna()
    frame["secret"] = masque.groupby(frame["id"]).transform("any").astype(bool)
    for col in ("salaries_estimes", "part_emploi_prive"):
        frame[col] = frame[col].astype(object).where(~frame["secret"], SECRET)
    order = {i: n for n, i in enumerate(ids)}
    frame = frame.sort_values(["id", "millesime"], key=lambda s: s.map(order) if s.name == "id" else s)
    return frame[COLONNES].reset_index(drop=True)


def roles(terr: Territoire, pairs: list[str]) -> dict[str, str]:
    """Each id of the view and its role: ``territoire``, the parent's type (``epci``, ``departement``, ``region``,
    ``france``) or ``pair``; in this order (the legend's)."""
    out = {terr.id: "territoire"}
    for parent in terr.parents:
        out.setdefault(f"{parent['type']}:{parent['code']}", parent["type"])
    for pid in pairs:
        out.setdefault(pid, "pair")
    return out


def comparees(frame: pd.DataFrame, role_par_id: dict[str, str], indicateur: str, mode: str) -> pd.DataFrame:
    """The rows the chart draws, with their ``role``: every territory in « indice » mode or for the share; in
    « absolu » mode a count leaves the parents out (a département's count would crush an EPCI's line)."""
    out = frame.assign(role=frame["id"].map(role_par_id))
    if mode == "absolu" and indicateur != "part_emploi_prive":
        out = out[out["role"].isin(["territoire", "pair"])]
    return out.reset_index(drop=True)


def variations(frame: pd.DataFrame, indicateur: str, debut: str, fin: str) -> pd.DataFrame:
    """Each territory's change between two vintages (``id``, ``taux``; for a share, ``taux`` is the gap), for ranks."""
    ids = list(dict.fromkeys(frame["id"]))
    changes = [variation(frame, i, indicateur, debut, fin) for i in ids]
    cle = "ecart" if indicateur == "part_emploi_prive" else "taux"
    return pd.DataFrame({"id": ids, "taux": [c.get(cle) if c else None for c in changes]})


def pour_copil(con: duckdb.DuckDBPyConnection, terr: Territoire) -> pd.DataFrame | None:
    """The deck's « Évolution » slide: the territory, its région and France over the vintages, with their ``role``;
    None with fewer than two vintages (nothing to show yet)."""
    ids = [terr.id, *(f"{p['type']}:{p['code']}" for p in terr.parents if p["type"] in ("region", "france"))]
    frame = series(con, list(dict.fromkeys(ids)))
    if frame["millesime"].nunique() < 2:
        return None
    return frame.assign(role=frame["id"].map(roles(terr, [])))


def indicateur_copil(frame: pd.DataFrame, territoire_id: str) -> str:
    """The slide's indicator: the estimated salariés, or the employers when the territory's salariés are secret."""
    secret = bool(frame.loc[frame["id"] == territoire_id, "secret"].any())
    return "etablissements_employeurs" if secret else "salaries_estimes"


def serie(
    con: duckdb.DuckDBPyConnection, territoire_id: str, indicateur: str, perimetre: str = "statistique"
) -> pd.DataFrame:
    """One indicator of one territory over the vintages: ``millesime`` (date of the stock), ``annee``,
    ``annee_effectifs``, ``valeur`` (« s » under secrecy), ``demo``. For the roadmap indicators bound to a figure:
    the value a vintage gives is their measure at that date."""
    if indicateur not in INDICATEURS_EVOLUTION:
        raise ValueError(f"indicateur sans série : {indicateur} (possibles : {', '.join(INDICATEURS_EVOLUTION)})")
    frame = series(con, [territoire_id], perimetre)
    return frame[["millesime", "annee", "annee_effectifs", "demo"]].assign(valeur=frame[indicateur].values)


def _nombre(valeur: object) -> float | None:
    if valeur is None or valeur == SECRET or isinstance(valeur, str):
        return None
    try:
        nombre = float(valeur)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if math.isnan(nombre) else nombre


def millesime_base(frame: pd.DataFrame, territoire_id: str, indicateur: str) -> str | None:
    """The vintage the index starts from: the territory's first one with a nonzero figure."""
    propre = frame[frame["id"] == territoire_id]
    for millesime, valeur in zip(propre["millesime"], propre[indicateur], strict=True):
        nombre = _nombre(valeur)
        if nombre:
            return str(millesime)
    return None


def indices(frame: pd.DataFrame, indicateur: str, base: str | None) -> pd.Series:
    """Each row's figure as an index, 100 at the ``base`` vintage of its own territory (NaN without a base figure)."""
    valeurs = frame[indicateur].map(_nombre).astype(float)
    reference = valeurs.where(frame["millesime"] == base).groupby(frame["id"]).transform("max")
    return (BASE_INDICE * valeurs / reference.replace(0, np.nan)).astype(float)


def variation(frame: pd.DataFrame, territoire_id: str, indicateur: str, debut: str, fin: str) -> dict | None:
    """Change of a territory's figure between two vintages: ``debut``/``fin`` values, ``ecart`` (difference) and
    ``taux`` (relative change; for a share, the gap in points is ``ecart``). None when either figure is missing."""
    propre = frame[frame["id"] == territoire_id].set_index("millesime")[indicateur]
    if debut not in propre.index or fin not in propre.index:
        return None
    a, b = _nombre(propre[debut]), _nombre(propre[fin])
    if a is None or b is None:
        return None
    return {"debut": a, "fin": b, "ecart": b - a, "taux": (b - a) / a if a else None}


def phrases_evolution(frame: pd.DataFrame, terr: Territoire, indicateur: str, pairs: Sequence[str] = ()) -> list[str]:
    """The automatic sentences of a series, for the page and the deck: « Depuis 2015, +4,2 % de salariés estimés dans
    l'ESS dans la CA du Niortais…, contre … pour la région … et … pour la France. » (first to last vintage of
    ``frame``), and the rank of the change among the territory and its ``pairs`` when there are any."""
    millesimes = sorted(set(frame["millesime"]))
    debut, fin = millesimes[0], millesimes[-1]
    propre = variation(frame, terr.id, indicateur, debut, fin)
    secret = indicateur in ("salaries_estimes", "part_emploi_prive") and bool(
        frame.loc[frame["id"] == terr.id, "secret"].any()
    )
    parents = [(p["type"], p["nom"], p["code"], f"{p['type']}:{p['code']}") for p in terr.parents
               if p["type"] in ("region", "france") and f"{p['type']}:{p['code']}" != terr.id]  # fmt: skip
    refs = [(t, n, c, variation(frame, i, indicateur, debut, fin)) for t, n, c, i in parents]
    textes = [phrases.phrase_evolution(indicateur, terr.type, terr.nom, terr.code, libelles(frame)[debut], propre,
                                       refs, secret)]  # fmt: skip
    if pairs and not secret:
        rang = comparaison.rang(variations(frame[frame["id"].isin([terr.id, *pairs])], indicateur, debut, fin),
                                terr.id, "taux")  # fmt: skip
        hausse = bool(propre) and (propre.get("taux") or propre.get("ecart") or 0) > 0
        textes.append(phrases.phrase_rang_evolution(terr.type, terr.nom, terr.code, rang, hausse))
    return [t for t in textes if t]


def libelles(frame: pd.DataFrame) -> dict[str, str]:
    """How each vintage is named on a chart: its year, or its date when two vintages share a year."""
    millesimes = sorted(set(frame["millesime"]))
    annees = [m[:4] for m in millesimes]
    return {m: (a if annees.count(a) == 1 else fmt_date(m)) for m, a in zip(millesimes, annees, strict=True)}


# ---------------------------------------------------------------------------------------------- creations, closures


def mouvements(con: duckdb.DuckDBPyConnection, territoire_id: str, perimetre: str = "statistique") -> pd.DataFrame:
    """ESS establishments created and closed each year in a territory, by family and sector (``annee``,
    ``famille``, ``secteur``, ``creations``, ``fermetures``)."""
    return query(con, "mouvements_territoire", id=territoire_id, perimetre=perimetre)


def par_annee(detail: pd.DataFrame, derniere: int | None = None, n: int = ANNEES_MOUVEMENTS) -> pd.DataFrame:
    """Creations, closures and net balance (``solde``) per year, the ``n`` years up to ``derniere`` (every year of
    the span, zeros included)."""
    if derniere is None:
        derniere = int(detail["annee"].max()) if len(detail) else 0
    annees = pd.DataFrame({"annee": range(derniere - n + 1, derniere + 1)})
    sommes = detail.groupby("annee", as_index=False)[["creations", "fermetures"]].sum() if len(detail) else None
    out = annees.assign(creations=0, fermetures=0) if sommes is None else annees.merge(sommes, on="annee", how="left")
    out[["creations", "fermetures"]] = out[["creations", "fermetures"]].fillna(0).astype(int)
    return out.assign(solde=out["creations"] - out["fermetures"])


def datation(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Closed ESS establishments by where their closure year comes from: ``stock`` or ``historique``."""
    frame = query(con, "mouvements_datation")
    return {str(k): int(v) for k, v in zip(frame["source_date"], frame["n"], strict=True)}


# ---------------------------------------------------------------------------------------------- charts

COULEURS_MOUVEMENTS = {"Créations": "#2C7A4B", "Fermetures": "#B91C1C"}
# Lines by role: the territory in the pages' green, its parents in the reference colours of esscore.charts, peers grey.
COULEURS_ROLES = {"territoire": charts.ROLE_COLORS["territoire"], "epci": "#0E7490", **charts.RULE_COLORS,
                  "pair": "#9CA3AF"}  # fmt: skip


def graphique_series(frame: pd.DataFrame, indicateur: str, mode: str, territoire_id: str, base: str | None) -> dict:
    """Lines of the territories of ``frame`` (``nom``, ``role``, ``millesime``, the indicator), the territory in
    bold; ``mode`` « indice » (100 at ``base``) or « absolu ». A Vega-Lite specification (``esscore.charts``)."""
    noms = libelles(frame)
    valeurs = indices(frame, indicateur, base) if mode == "indice" else frame[indicateur].map(_nombre).astype(float)
    data = pd.DataFrame({
        "nom": _noms_distincts(frame).map(charts.texte_graphique).values, "role": frame["role"].values,
        "date": pd.to_datetime(frame["millesime"]).dt.strftime("%Y-%m-%d").values,
        "millesime": frame["millesime"].map(noms).values, "valeur": valeurs.values,
        "etiquette": [_etiquette(indicateur, mode, v, b) for v, b in zip(valeurs, frame[indicateur], strict=True)],
        "epaisseur": np.where(frame["id"] == territoire_id, 4, 2),
    }).dropna(subset=["valeur"])  # fmt: skip
    label = indicator_label(indicateur)
    titre_y = f"Indice (100 en {noms.get(base or '', '')})" if mode == "indice" else label
    axe_y = {"title": titre_y, "format": ",.0f"} if mode == "indice" or indicateur != "part_emploi_prive" else {
        "title": titre_y, "labelExpr": "format(datum.value * 100, ',.1f') + '\u202f%'"}  # fmt: skip
    ordre = list(dict.fromkeys(data["nom"]))
    couleurs = [COULEURS_ROLES.get(r, COULEURS_ROLES["pair"]) for r in dict(zip(data["nom"], data["role"],
                                                                                 strict=True)).values()]  # fmt: skip
    x = {"field": "date", "type": "temporal", "title": "Millésime (date du stock Sirene)",
         "axis": {"format": "%Y", "tickCount": {"interval": "year", "step": 1}}}  # fmt: skip
    return {
        "data": {"values": charts._values(data)}, "width": charts.WIDTH, "height": 340,
        "title": {"text": charts.texte_graphique(label), "anchor": "start", "fontSize": 17,
                  "subtitle": "Base 100 au premier millésime" if mode == "indice" else "Valeurs de chaque millésime",
                  "subtitleFontSize": 13, "subtitleColor": "#4B5563"},
        "mark": {"type": "line", "point": True},
        "encoding": {
            "x": x, "y": {"field": "valeur", "type": "quantitative", "axis": axe_y, "scale": {"zero": False}},
            "color": {"field": "nom", "type": "nominal", "title": None,
                      "scale": {"domain": ordre, "range": couleurs}, "legend": {"orient": "bottom", "columns": 3,
                                                                              "labelLimit": 260}},
            "strokeWidth": {"field": "epaisseur", "type": "quantitative", "legend": None, "scale": None},
            "tooltip": [{"field": "nom", "type": "nominal", "title": "Territoire"},
                        {"field": "millesime", "type": "nominal", "title": "Millésime"},
                        {"field": "etiquette", "type": "nominal", "title": label}],
        },
    }  # fmt: skip


def _noms_distincts(frame: pd.DataFrame) -> pd.Series:
    """Each row's territory name, with its code when two territories drawn share a name (one line each)."""
    par_id = frame.drop_duplicates("id").set_index("id")
    doubles = par_id["nom"].duplicated(keep=False)
    etiquettes = par_id["nom"].where(~doubles, par_id["nom"] + " (" + par_id["code"].astype(str) + ")")
    return frame["id"].map(etiquettes)


def _etiquette(indicateur: str, mode: str, valeur: float, brut: object) -> str:
    """Tooltip text: the figure itself, and the index in « indice » mode."""
    if brut == SECRET:
        return SECRET
    texte = fmt_value(indicateur, brut)
    if mode == "indice" and not math.isnan(valeur):
        texte += f" (indice {fmt_int(valeur)})"
    return texte


def graphique_mouvements(annees: pd.DataFrame, titre: str) -> dict:
    """Creations (up) and closures (down) per year as bars, the net balance as a line with points."""
    an = annees["annee"].astype(str)
    longues = pd.concat([
        pd.DataFrame({"annee": an, "mouvement": "Créations", "valeur": annees["creations"]}),
        pd.DataFrame({"annee": an, "mouvement": "Fermetures", "valeur": -annees["fermetures"]}),
    ], ignore_index=True)  # fmt: skip
    longues["etiquette"] = longues["valeur"].abs().map(fmt_int)
    solde = annees.assign(annee=annees["annee"].astype(str), etiquette=annees["solde"].map(_signe))
    x = {"field": "annee", "type": "ordinal", "title": None, "axis": {"labelAngle": 0}}
    return {
        "width": charts.WIDTH, "height": 300,
        "title": {"text": charts.texte_graphique(titre), "anchor": "start", "fontSize": 17,
                  "subtitle": "Créations au-dessus de l'axe, fermetures en dessous, solde en trait noir",
                  "subtitleFontSize": 13, "subtitleColor": "#4B5563"},
        "layer": [
            {"data": {"values": charts._values(longues)}, "mark": {"type": "bar"},
             "encoding": {"x": x, "y": {"field": "valeur", "type": "quantitative", "title": "Établissements",
                                        "axis": {"format": ",d"}},
                          "color": {"field": "mouvement", "type": "nominal", "title": None,
                                    "scale": {"domain": list(COULEURS_MOUVEMENTS),
                                              "range": list(COULEURS_MOUVEMENTS.values())},
                                    "legend": {"orient": "top"}},
                          "tooltip": [{"field": "annee", "type": "nominal", "title": "Année"},
                                      {"field": "mouvement", "type": "nominal", "title": "Mouvement"},
                                      {"field": "etiquette", "type": "nominal", "title": "Établissements"}]}},
            {"data": {"values": charts._values(solde[["annee", "solde", "etiquette"]])},
             "mark": {"type": "line", "point": True, "color": "#1F2937"},
             "encoding": {"x": x, "y": {"field": "solde", "type": "quantitative"},
                          "tooltip": [{"field": "annee", "type": "nominal", "title": "Année"},
                                      {"field": "etiquette", "type": "nominal", "title": "Solde"}]}},
        ],
    }  # fmt: skip


def _signe(valeur: object) -> str:
    """« +34 », « −12 », « 0 »: a balance with its sign."""
    nombre = _nombre(valeur) or 0.0
    return phrases.signe(fmt_int(nombre), nombre)


# ---------------------------------------------------------------------------------------------- exports


def tableau(frame: pd.DataFrame, indicateur: str, mode: str, base: str | None) -> pd.DataFrame:
    """The series as exported (CSV, xlsx): one row per territory and vintage, the figures, and the index when asked."""
    sortie = frame[["id", "type", "code", "nom", "millesime", "annee_effectifs", *_EXPORTEES, "secret"]].copy()
    sortie = sortie.rename(columns={"millesime": "date_stock"})
    if mode == "indice":
        colonne = f"Indice : {indicator_label(indicateur)} (base 100 en {libelles(frame).get(base or '', '')})"
        sortie[colonne] = indices(frame, indicateur, base).round(1).values  # one decimal, as on the chart
    return sortie


_EXPORTEES = ("etablissements", "etablissements_employeurs", "salaries_estimes", "part_emploi_prive")
