"""Roadmap indicators fed by the base: an indicator bound to a figure (``donnee: salaries_estimes``…) is read,
never typed.

Why here and not in the store: the value is the figure of ``esscore.indicators`` for the roadmap's territory
(statistical perimeter, secrecy applied: the one the Panorama shows), rounded once by ``labels.arrondi`` as every
export is, and dated by the base's vintage (the SIRENE stock date of its ``meta`` table). ``rafraichir`` writes
what changed into the store, each change on a change-log line by « données »; a figure under statistical secrecy
(« s ») or missing is never written as a value: nothing is recorded and the reading says why (``motif``).

Called at the end of ``esscore build`` / ``esscore ingest sirene`` (``apres_construction``) and by the roadmap page
when a roadmap's readings are older than the base it reads (``a_rafraichir``: a comparison of dicts, no query).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from esscore import config, indicators, labels
from esscore.db import connect_snapshot, query
from esscore.errors import EssError
from esscore.evolution import INDICATEURS_EVOLUTION, series
from esscore.roadmap import iter_indicateurs_lies, valider_mesure
from esscore.store import RoadmapStore

PERIMETRE = "statistique"  # the pages' figures (Panorama, Comparaisons, deck)
MOTIF_SECRET = "secret statistique : le chiffre n'est pas publié, aucune valeur enregistrée"
MOTIF_ABSENT = "chiffre non disponible dans la base pour ce territoire, aucune valeur enregistrée"
MOTIF_SANS_TERRITOIRE = "feuille de route sans territoire : rattachez-la à un territoire (champ territoire)"


@dataclass(frozen=True)
class Millesime:
    """The vintage of the base's ESS figures: the date given to read values, and how it is cited."""

    date: str  # ISO date of the SIRENE stock (demonstration included)
    texte: str  # « effectifs 2023, stock Sirene au 30 novembre 2025 » (labels.millesime_sirene)
    demonstration: bool

    def lecture(self, motif: str | None = None) -> dict[str, Any]:
        """What an indicator records of its last reading (``lecture`` field of the roadmap format)."""
        return {"millesime": self.texte, "date": self.date, "demonstration": self.demonstration, "motif": motif}


@dataclass
class Rapport:
    """What one refresh did: change-log lines written, and the readings that recorded no value (and why)."""

    changements: list[str] = field(default_factory=list)
    sans_valeur: list[str] = field(default_factory=list)


def millesime(meta: Mapping[str, str]) -> Millesime | None:
    """The vintage from the base's ``meta`` table; None when the base holds no ESS figure or no stock date."""
    date = meta.get("date_stock") or ""
    if meta.get("ess") in (None, "", "aucune") or len(date) < 10:
        return None
    texte = labels.millesime_sirene(date, meta.get("annee_effectifs") or None)
    return Millesime(date[:10], texte, meta.get("demo") == "true")


def millesime_base(con: duckdb.DuckDBPyConnection) -> Millesime | None:
    frame = query(con, "meta")
    return millesime(dict(zip(frame["cle"], frame["valeur"], strict=True)))


def a_rafraichir(doc: Mapping[str, Any], m: Millesime | None) -> bool:
    """True when a bound indicator of ``doc`` was never read, or read from another vintage than ``m``."""
    if m is None:
        return False
    return any(not _meme_millesime(ind, m) for _, ind in iter_indicateurs_lies(doc))


def _meme_millesime(ind: Mapping[str, Any], m: Millesime) -> bool:
    lu = ind.get("lecture") or {}
    return (lu.get("millesime"), lu.get("date"), lu.get("demonstration")) == (m.texte, m.date, m.demonstration)


def _valeur(ligne: Mapping[str, Any] | None, donnee: str) -> tuple[float | int | None, str | None]:
    """(value rounded as displayed, None) or (None, why nothing is recorded) for one figure of one territory."""
    if ligne is None:
        return None, MOTIF_ABSENT
    brute = ligne.get(donnee)
    if brute == indicators.SECRET:
        return None, MOTIF_SECRET
    nombre = labels.arrondi(donnee, brute)
    return (None, MOTIF_ABSENT) if nombre is None else (nombre, None)


def lectures(
    doc: Mapping[str, Any],
    chiffres: Mapping[str, Mapping[str, Any]],
    m: Millesime,
    anciens: pd.DataFrame | None = None,
) -> list[dict[str, Any]]:
    """The readings of ``doc``'s bound indicators (``RoadmapStore.enregistrer_lectures``), from ``chiffres``: the
    territory's row of ``indicators.indicateurs`` by territory id; then, for a figure with a series, one reading
    per earlier vintage kept in the base (``anciens``: ``evolution.series`` of the territories), marked
    ``historique`` (a dated value only: the indicator's ``lecture`` stays the current vintage's)."""
    territoire = doc.get("territoire")
    out = []
    for act, ind in iter_indicateurs_lies(doc):
        if territoire:
            valeur, motif = _valeur(chiffres.get(str(territoire)), str(ind["donnee"]))
        else:
            valeur, motif = None, MOTIF_SANS_TERRITOIRE
        commun = {"action": act["code"], "indicateur": ind["code"], "donnee": ind["donnee"]}
        if territoire and anciens is not None:
            out += _lectures_anciennes(commun, anciens[anciens["id"] == str(territoire)], m)
        out.append({**commun, "valeur": _mesure(m.date, valeur, str(ind["code"])), "lecture": m.lecture(motif)})
    return out


def _mesure(date: str, valeur: float | int | None, code: str) -> float | int | None:
    """The roadmap's own rules for a value (finite, bounded; 3.0 stored as 3)."""
    return None if valeur is None else valider_mesure(date, valeur, f"indicateur {code}")[1]


def _lectures_anciennes(commun: dict[str, Any], serie: pd.DataFrame, m: Millesime) -> list[dict[str, Any]]:
    """One ``historique`` reading per earlier vintage of the territory's series (``evolution.series`` rows), for
    a figure the vintages keep (``evolution.INDICATEURS_EVOLUTION``); oldest first."""
    donnee = str(commun["donnee"])
    if donnee not in INDICATEURS_EVOLUTION:
        return []
    out = []
    for ligne in serie.to_dict("records"):
        date = str(ligne["millesime"])[:10]
        if date >= m.date:
            continue
        valeur, motif = _valeur(ligne, donnee)
        ancien = Millesime(date, labels.millesime_sirene(date, ligne.get("annee_effectifs")), bool(ligne["demo"]))
        out.append({**commun, "valeur": _mesure(date, valeur, str(commun["indicateur"])),
                    "lecture": ancien.lecture(motif), "historique": True})  # fmt: skip
    return out


def rafraichir(con: duckdb.DuckDBPyConnection, store: RoadmapStore, feuilles: Iterable[str] | None = None) -> Rapport:
    """Read every bound indicator of the store's roadmaps (or of ``feuilles``) from the base ``con`` and write what
    changed, by « données ». Idempotent: a second call on the same base writes nothing."""
    rapport = Rapport()
    m = millesime_base(con)
    if m is None or not indicators.has_ess_data(con):
        return rapport
    ids = list(feuilles) if feuilles is not None else list(store.list_roadmaps()["id"])
    docs = [d for d in (store.get(i) for i in ids) if any(True for _ in iter_indicateurs_lies(d))]
    territoires = sorted({str(d["territoire"]) for d in docs if d.get("territoire")})
    frame = indicators.indicateurs(con, territoires, PERIMETRE) if territoires else None
    chiffres = {} if frame is None else {r["id"]: r for r in frame.to_dict("records")}
    anciens = series(con, territoires, PERIMETRE)  # the vintages kept: one query for every roadmap
    for doc in docs:
        lus = lectures(doc, chiffres, m, anciens)
        rapport.changements += [f"{doc['id']} · {c}" for c in store.enregistrer_lectures(str(doc["id"]), lus)]
        rapport.sans_valeur += [f"{doc['id']} · {lu['action']} · {lu['indicateur']} : {lu['lecture']['motif']}"
                                for lu in lus if lu["valeur"] is None and not lu.get("historique")]  # fmt: skip
    return rapport


def apres_construction(db: str | Path, progress: Callable[[str], None] = print) -> Rapport | None:
    """After ``esscore build`` / ``ingest sirene``: refresh the deployment's store from the base just built.

    Only when ``db`` is the application's base (``ESS_DB``, else data/ess.duckdb) and the store exists: a base
    built elsewhere (a test, a trial) must not feed the roadmaps of the one the application reads, and the store
    is created by the application, not by a build. A store that cannot be reached does not undo the build: the
    roadmap page refreshes the readings at its next load.
    """
    if Path(db).resolve() != config.db_path().resolve():
        return None
    try:
        store = RoadmapStore()
        if not store.existe():
            return None
        with connect_snapshot(Path(db)) as con:  # the file just swapped in, not an older instance
            rapport = rafraichir(con, store)
    except (EssError, duckdb.Error) as err:
        progress(f"Note : indicateurs liés aux données non mis à jour ({err}) ; la page les relira.")
        return None
    progress(
        f"… indicateurs des feuilles de route liés aux données : {len(rapport.changements)} changement(s)"
        + (f", {len(rapport.sans_valeur)} sans valeur (secret ou non disponible)" if rapport.sans_valeur else "")
    )
    return rapport
