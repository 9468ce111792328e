"""Gathering the deck's figures (``donnees_copil``): indicators against peers and parents, breakdowns, map
polygons, roadmap progress and the benchmark fiches chosen for the territory.

Plain data only (no python-pptx, no chart): tests and the benchmark look at ``DonneesCopil`` before any
drawing, and the slides (``diapos``) only read it.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import duckdb
import pandas as pd
import shapely

from esscore import benchmark, benchmark_db, geography, indicators, publies, roadmap
from esscore import comparaison as comparaison_mod
from esscore import evolution as evolution_mod
from esscore.avancement import actions_frame, indicators_frame, progress_by_axis
from esscore.db import query
from esscore.errors import EssError
from esscore.geography import TYPE_LABELS, Territoire

NB_FICHES = 3
NB_PAIRS = 8
# Indicators the speaker notes situate (the Panorama's « En bref » and the peers slide).
INDICATEURS_NOTES = ("employeurs_pour_1000_hab", "part_emploi_prive")


@dataclass
class FicheBenchmark:
    """A catalogue entry chosen for the deck, with the reason it was chosen (shown on the slide)."""

    entree: dict[str, Any]
    score: float
    raison: str


@dataclass
class DonneesCopil:
    """Everything the deck shows, gathered before any drawing (so tests and timings can look at it)."""

    territoire: Territoire
    today: date
    info: dict[str, Any]
    comparaison: pd.DataFrame  # territory first, then its parents (secret figures are « s »)
    pairs: pd.DataFrame  # peers' indicators
    familles: pd.DataFrame
    secteurs: pd.DataFrame
    communes_carte: dict[str, Any]  # {"features": [...], "titre": str, "niveau": str, "surligne": code | None}
    concentration: dict[str, Any]
    sources: pd.DataFrame
    feuille: dict[str, Any] | None = None
    actions: pd.DataFrame | None = None
    avancement: pd.DataFrame | None = None
    indicateurs_suivi: pd.DataFrame | None = None
    fiches: list[FicheBenchmark] = field(default_factory=list)
    publies: pd.DataFrame | None = None  # published figures with our estimate of the same scope (publies.apparier)
    pairs_choisis: bool = False  # peers chosen on the Comparaisons page (else the suggested ones)
    rangs_nationaux: dict[str, comparaison_mod.Rang | None] = field(default_factory=dict)  # among the whole level
    evolution: pd.DataFrame | None = None  # territory, région, France over the vintages (esscore.evolution.pour_copil)
    # a partial SIRENE extract (one département): what it covers (indicators.perimetre_donnees) and the coverage of
    # every territory the deck names (indicators.couverture; absent = complete)
    perimetre: dict[str, Any] = field(default_factory=lambda: {"complet": True, "departements_couverts": None})
    couverture: dict[str, str] = field(default_factory=dict)

    @property
    def demo(self) -> bool:
        return bool(self.info.get("demo"))

    @property
    def partiel(self) -> bool:
        """True when the SIRENE data loaded is an extract (some départements only)."""
        return not self.perimetre["complet"]

    def etat(self, territoire_id: str) -> str:
        """``indicators.COMPLET``, ``PARTIEL`` or ``HORS_EXTRAIT``: how much of the territory the data covers."""
        return self.couverture.get(territoire_id, indicators.COMPLET)

    def nom(self, territoire_id: str, nom: str) -> str:
        """The name as the pages show it beside figures the extract cannot give in full (« France — partiel »)."""
        return indicators.nom_marque(nom, self.etat(territoire_id))

    def pairs_couverts(self) -> pd.DataFrame:
        """The peers whose figures are whole (all of them for a national stock): medians and ranks count these."""
        return comparaison_mod.couverts(self.pairs, self.couverture)


def _territoire(con: duckdb.DuckDBPyConnection, territoire: Territoire | str) -> Territoire:
    return territoire if isinstance(territoire, Territoire) else geography.get(con, territoire)


def _region(terr: Territoire) -> str | None:
    if terr.type == "region":
        return terr.code
    return next((p["code"] for p in terr.parents if p["type"] == "region"), None)


def charger_catalogue(con: duckdb.DuckDBPyConnection | None = None) -> list[dict[str, Any]]:
    """The benchmark catalogue: the database's (shipped entries plus imports) when built, else the shipped file.

    Empty when neither is available: the deck then simply has no fiche slides.
    """
    if con is not None:
        try:
            return benchmark_db.entrees_depuis_frame(benchmark_db.lire_catalogue(con))
        except (EssError, duckdb.Error):
            pass
    try:
        return list(benchmark.load_catalogue())
    except (EssError, OSError):
        return []


def poids_leviers(doc: Mapping[str, Any] | None) -> dict[str, float]:
    """Share of the roadmap's actions using each lever (abandoned actions left out)."""
    if not doc:
        return {}
    leviers = [
        a.get("levier") for _, _, a in roadmap.iter_actions(doc) if a.get("levier") and a.get("statut") != "abandonnée"
    ]
    total = len(leviers)
    return {lev: n / total for lev, n in Counter(leviers).items()} if total else {}


def fiches_pertinentes(
    entrees: Sequence[Mapping[str, Any]],
    terr: Territoire,
    poids: Mapping[str, float],
    populations: Mapping[str, float],
    n: int = NB_FICHES,
) -> list[FicheBenchmark]:
    """The ``n`` catalogue entries closest to the territory: shared levers, same level, similar size, region.

    The territory's own entries are left out (a COPIL knows its own policy), and at most one entry per
    collectivity is kept so that the fiches show different approaches. Ties are broken by id (stable output).
    """
    region = _region(terr)
    notes: list[FicheBenchmark] = []
    for e in entrees:
        coll = e.get("collectivite") or {}
        if coll.get("code") and coll.get("code") == terr.id:
            continue
        communs = [lev for lev in e.get("leviers") or [] if lev in poids]
        meme_niveau = coll.get("type") == terr.type or (terr.type == "epci" and coll.get("type") == "pays")
        pop = populations.get(str(coll.get("code") or ""))
        taille = bool(pop) and terr.population > 0 and abs(math.log(pop) - math.log(terr.population)) < math.log(3)
        meme_region = region is not None and coll.get("region") == region
        score = 2 * sum(poids[lev] for lev in communs) + meme_niveau + taille + 0.5 * meme_region
        if score <= 0:
            continue
        raisons = []
        if communs:
            raisons.append("leviers communs avec la feuille de route : " + ", ".join(communs))
        if meme_niveau:
            raisons.append(f"même niveau ({TYPE_LABELS.get(terr.type, terr.type)})")
        if taille:
            raisons.append("population comparable")
        if meme_region:
            raisons.append("même région")
        notes.append(FicheBenchmark(dict(e), round(score, 6), " ; ".join(raisons)))
    notes.sort(key=lambda f: (-f.score, str(f.entree.get("id"))))
    choisies: list[FicheBenchmark] = []
    vues: set[str] = set()
    for f in notes:
        qui = str((f.entree.get("collectivite") or {}).get("nom") or f.entree.get("id"))
        if qui in vues:
            continue
        vues.add(qui)
        choisies.append(f)
        if len(choisies) == n:
            break
    return choisies


def _features(rows: Iterable[tuple[str, str]], valeurs: Mapping[str, Any], noms: Mapping[str, str]) -> list[dict]:
    """GeoJSON features for the map, lighter when there are many polygons.

    A region has thousands of communes: simplified to about 1/1500 of the map's extent (invisible once
    printed) and rounded to 1e-4 degree (about 10 m), the spec shrinks from ~3 MB and renders in about a second.
    """
    paires = [(code, texte) for code, texte in rows if isinstance(texte, str)]
    if not paires:
        return []
    geoms = shapely.from_geojson([t for _, t in paires])
    if len(paires) > 300:
        xmin, ymin, xmax, ymax = shapely.total_bounds(geoms)
        geoms = shapely.simplify(geoms, max(xmax - xmin, ymax - ymin) / 1500, preserve_topology=True)
    geoms = shapely.set_precision(geoms, 1e-4, mode="pointwise")
    out = []
    for (code, _), texte in zip(paires, shapely.to_geojson(geoms), strict=True):
        v = valeurs.get(code)
        v = None if v is None or (isinstance(v, float) and math.isnan(v)) else round(float(v), 4)
        out.append(
            {
                "type": "Feature",
                "geometry": json.loads(texte),
                "properties": {"code": code, "nom": noms.get(code, code), "valeur": v},
            }
        )
    return out


def _pour_1000(employeurs: Any, population: Any) -> float | None:
    try:
        e, p = float(employeurs), float(population)
    except (TypeError, ValueError):
        return None
    return 1000 * e / p if p > 0 else None


def _carte(con: duckdb.DuckDBPyConnection, terr: Territoire) -> dict[str, Any]:
    """Polygons coloured by ESS employers per 1 000 inhabitants.

    France is drawn by département (35 000 communes would make a 50 MB spec); a commune is drawn inside its
    EPCI (else its département), outlined, because a lone polygon says nothing.
    """
    if terr.type == "france":
        niveau = comparaison_mod.niveau(con, "departement")
        rows = query(con, "copil_contours_departements").itertuples(index=False)
        pour_1000 = map(_pour_1000, niveau["etablissements_employeurs"], niveau["population"])
        valeurs = _valeurs_couvertes(con, "departement", dict(zip(niveau["code"], pour_1000, strict=True)))
        noms = dict(zip(niveau["code"], niveau["nom"], strict=True))
        feats = _features(((r.code, r.geojson) for r in rows), valeurs, noms)
        return {"features": feats, "niveau": "départements", "surligne": None}
    cadre = terr
    if terr.type == "commune":
        parent = next((p for p in terr.parents if p["type"] in ("epci", "departement")), None)
        if parent is not None:
            cadre = Territoire(parent["type"], parent["code"], parent["nom"], parent["population"])
    coms = indicators.communes_du_territoire(con, cadre)
    codes = [str(c) for c in coms["code"]]
    valeurs = dict(zip(codes, map(_pour_1000, coms["etablissements_employeurs"], coms["population"]), strict=True))
    valeurs = _valeurs_couvertes(con, "commune", valeurs)
    rows = query(con, "copil_contours_communes", codes=codes).itertuples(index=False)
    feats = _features(((r.code, r.geojson) for r in rows), valeurs, dict(zip(codes, coms["nom"], strict=True)))
    surligne = terr.code if terr.type == "commune" else None
    return {"features": feats, "niveau": "communes", "surligne": surligne, "cadre": cadre.nom}


def _valeurs_couvertes(con: duckdb.DuckDBPyConnection, type_: str, valeurs: dict[str, Any]) -> dict[str, Any]:
    """The map's values without those of the units a partial extract does not cover wholly (drawn « sans donnée »
    rather than as zeros)."""
    etats = indicators.couverture(con, [f"{type_}:{code}" for code in valeurs])
    return {code: v if etats[f"{type_}:{code}"] == indicators.COMPLET else None for code, v in valeurs.items()}


def rangs_nationaux(con: duckdb.DuckDBPyConnection, terr: Territoire) -> dict[str, comparaison_mod.Rang | None]:
    """The territory's rank among every territory of its level (the pages' « Parmi les 1 254 EPCI… »), for the
    indicators the notes speak of; none for France. With a partial extract, among the territories it covers
    wholly only (``comparaison.couverts``): none when the territory itself is not."""
    if terr.type == "france":
        return {}
    niveau = comparaison_mod.niveau_classe(con, terr.type)
    return {col: comparaison_mod.rang(niveau, terr.id, col) for col in INDICATEURS_NOTES}


def donnees_copil(
    con: duckdb.DuckDBPyConnection,
    territoire: Territoire | str,
    feuille_doc: Mapping[str, Any] | None,
    today: date,
    catalogue: Sequence[Mapping[str, Any]] | None = None,
    pairs: Sequence[str] | None = None,
) -> DonneesCopil:
    """Gather the deck's figures: indicators vs peers and parents, breakdowns, map, roadmap, fiches.

    ``pairs``: the peers chosen on the Comparaisons page (ids, in their order; already checked by
    ``comparaison.parse_pairs``); None = the suggested peers (``comparaison.pairs_suggeres``), as the pages.
    """
    if not indicators.has_ess_data(con):
        raise EssError("La base ne contient pas de données ESS : lancez « esscore build » avant d'exporter un COPIL.")
    terr = _territoire(con, territoire)
    ids = [terr.id] + [f"{p['type']}:{p['code']}" for p in terr.parents]
    comparaison = indicators.indicateurs(con, ids)
    if pairs is None:
        pairs_ids = list(comparaison_mod.pairs_suggeres(con, terr, n=NB_PAIRS)["id"])  # the pages' peers
    else:
        pairs_ids = list(dict.fromkeys(p for p in pairs if p != terr.id))
    pairs_frame = indicators.indicateurs(con, pairs_ids) if pairs_ids else comparaison.iloc[0:0]
    coms = indicators.communes_du_territoire(con, terr) if terr.type != "france" else pd.DataFrame()
    conc = indicators.concentration(coms) if not coms.empty else {}
    familles = indicators.repartition(con, terr.id, "famille")
    secteurs = indicators.repartition(con, terr.id, "secteur")
    donnees = DonneesCopil(
        territoire=terr,
        today=today,
        info=indicators.source_info(con),
        comparaison=comparaison,
        pairs=pairs_frame,
        familles=familles,
        secteurs=secteurs,
        communes_carte=_carte(con, terr),
        concentration=conc,
        sources=query(con, "copil_sources"),
        publies=publies.apparier(
            indicators.chiffres_publies(con, terr.id), comparaison.iloc[0], familles, secteurs, conc
        ),  # fmt: skip
        pairs_choisis=pairs is not None,
        rangs_nationaux=rangs_nationaux(con, terr),
        evolution=evolution_mod.pour_copil(con, terr),  # None with a single vintage: no « Évolution » slide
        perimetre=indicators.perimetre_donnees(con),
    )
    donnees.couverture = indicators.couverture(con, list(dict.fromkeys([*comparaison["id"], *pairs_frame["id"]])))
    if feuille_doc is not None:
        doc = dict(feuille_doc)
        actions = actions_frame(doc, today)
        donnees.feuille = doc
        donnees.actions = actions
        donnees.avancement = progress_by_axis(actions)
        donnees.indicateurs_suivi = indicators_frame(doc)
    entrees = list(catalogue) if catalogue is not None else charger_catalogue(con)
    if entrees:
        codes = sorted({str((e.get("collectivite") or {}).get("code")) for e in entrees} - {"None", ""})
        pops = query(con, "territoires_par_ids", ids=codes)
        populations = dict(zip(pops["id"], pops["population"].astype(float), strict=True))
        donnees.fiches = fiches_pertinentes(entrees, terr, poids_leviers(feuille_doc), populations)
    return donnees


def mediane(frame: pd.DataFrame, col: str) -> float | None:
    """Median of a column (the peers' median on the cards and in the table), ``None`` when nothing is numeric."""
    if frame.empty or col not in frame:
        return None
    s = pd.to_numeric(frame[col], errors="coerce").dropna()
    return float(s.median()) if not s.empty else None


def rang_parmi_pairs(d: DonneesCopil, col: str) -> comparaison_mod.Rang | None:
    """The pages' rank rule, among the territory and its peers (the Comparaisons table's ranks); with a partial
    extract, among those it covers wholly (``comparaison.couverts``)."""
    classes = pd.concat([d.comparaison.iloc[[0]], d.pairs], ignore_index=True)
    return comparaison_mod.rang(comparaison_mod.couverts(classes, d.couverture), d.territoire.id, col)


def feuille_du_territoire(feuilles: pd.DataFrame, territoire_id: str) -> str | None:
    """The stored roadmap to show for a territory (``RoadmapStore.list_roadmaps()`` frame).

    A territory's own roadmap wins over an example; among equals, the most recently imported one.
    """
    if feuilles.empty:
        return None
    siennes = feuilles[feuilles["territoire"] == territoire_id]
    if siennes.empty:
        return None
    siennes = siennes.sort_values(["exemple", "imported_at", "id"], ascending=[True, False, True], kind="stable")
    return str(siennes.iloc[0]["id"])
