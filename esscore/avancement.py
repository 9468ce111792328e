"""Progress of a roadmap as DataFrames: actions with their state, progress by axis, indicators, timeline.

What the roadmap page and the COPIL deck draw, from a validated document (``esscore.roadmap``, which stays
free of pandas so that importing a file never loads it). ``today`` is always passed in, so "en retard" is
reproducible.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

import pandas as pd

from esscore.roadmap import (
    CHAMPS_PLACE,
    CHAMPS_SUIVI,
    CHAMPS_TEXTE_ACTION,
    ETATS,
    etat_action,
    iter_actions,
    parse_date,
    parse_nombre,
)

ACTION_COLUMNS: tuple[str, ...] = (
    "feuille_id",
    *CHAMPS_PLACE,
    "description",
    *CHAMPS_SUIVI,
    "etat",
    "en_retard",
    *CHAMPS_TEXTE_ACTION,
    "nb_indicateurs",
)
INDICATOR_COLUMNS: tuple[str, ...] = (
    "feuille_id",
    "axe_code",
    "action_code",
    "action_titre",
    "indicateur_code",
    "libelle",
    "unite",
    "valeur_initiale",
    "cible",
    "date",
    "valeur",
    "donnee",  # the figure of the base the indicator is bound to (esscore.indicateurs_lies), else None
    "millesime",  # its last reading: the base's vintage, whether demonstration data, why no value (motif)
    "demonstration",
    "motif",
)
TIMELINE_COLUMNS: tuple[str, ...] = (
    "axe_code",
    "axe_op_code",
    "action_code",
    "action_titre",
    "libelle",
    "debut",
    "fin",
    "statut",
    "etat",
)


def _ts(val: Any) -> pd.Timestamp | None:
    d = parse_date(val)
    return pd.Timestamp(d) if d else None


def _nombre_lu(val: Any) -> float | None:
    """A number of a stored document for the frames: an unreadable one (infinity, text) is shown as missing."""
    try:
        return parse_nombre(val)
    except ValueError:
        return None


def actions_frame(doc: Mapping[str, Any], today: date) -> pd.DataFrame:
    """One row per action with its axis and operational-axis labels and the computed ``etat``."""
    rows = []
    for axe, op, act in iter_actions(doc):
        fin = parse_date(act.get("fin"))
        statut = act.get("statut") or "prévue"
        etat = etat_action(statut, fin, today)
        rows.append(
            {
                "feuille_id": doc.get("id"),
                "axe_code": axe.get("code"),
                "axe_titre": axe.get("titre"),
                "axe_op_code": op.get("code"),
                "axe_op_titre": op.get("titre"),
                "action_code": act.get("code"),
                "action_titre": act.get("titre"),
                "description": act.get("description"),
                "pilote": act.get("pilote"),
                "elu_referent": act.get("elu_referent"),
                "partenaires": "; ".join(act.get("partenaires") or []),
                "levier": act.get("levier"),
                "budget_eur": _nombre_lu(act.get("budget_eur")),
                "debut": _ts(act.get("debut")),
                "fin": _ts(act.get("fin")),
                "statut": statut,
                "etat": etat,
                "en_retard": etat == "en retard",
                "public": act.get("public"),
                "objectifs": act.get("objectifs"),
                "moyens": act.get("moyens"),
                "nb_indicateurs": len(act.get("indicateurs") or []),
            }
        )
    df = pd.DataFrame(rows, columns=list(ACTION_COLUMNS))
    df["budget_eur"] = df["budget_eur"].astype("float64")
    df["debut"] = pd.to_datetime(df["debut"])
    df["fin"] = pd.to_datetime(df["fin"])
    df["en_retard"] = df["en_retard"].astype(bool)
    df["nb_indicateurs"] = df["nb_indicateurs"].astype("int64")
    return df


def progress_by_axis(actions_df: pd.DataFrame) -> pd.DataFrame:
    """Counts per state for each strategic axis, in document order.

    ``taux_realisation`` = réalisées / (total − abandonnées), NaN when no action is left to count: an
    abandoned action should neither lower nor raise the rate.
    """
    colonnes = ["axe", "axe_titre", *ETATS, "total", "taux_realisation"]
    if actions_df.empty:
        return pd.DataFrame(columns=colonnes)
    ordre = list(dict.fromkeys(actions_df["axe_code"]))
    comptes = pd.crosstab(actions_df["axe_code"], actions_df["etat"]).reindex(
        index=ordre, columns=list(ETATS), fill_value=0
    )
    titres = actions_df.drop_duplicates("axe_code").set_index("axe_code")["axe_titre"]
    out = comptes.astype("int64").reset_index().rename(columns={"axe_code": "axe"})
    out.columns.name = None
    out.insert(1, "axe_titre", out["axe"].map(titres))
    out["total"] = out[list(ETATS)].sum(axis=1).astype("int64")
    base = (out["total"] - out["abandonnée"]).astype("float64")
    out["taux_realisation"] = (out["réalisée"] / base.where(base > 0)).astype("float64")
    return out[colonnes]


def indicators_frame(doc: Mapping[str, Any]) -> pd.DataFrame:
    """One row per dated indicator value; an indicator without values gets one row with a null date. A bound
    indicator carries its figure (``donnee``) and its last reading (``millesime``, ``demonstration``, ``motif``)."""
    rows = []
    for axe, _, act in iter_actions(doc):
        for ind in act.get("indicateurs") or []:
            lecture = ind.get("lecture") or {}
            base = {
                "feuille_id": doc.get("id"),
                "axe_code": axe.get("code"),
                "action_code": act.get("code"),
                "action_titre": act.get("titre"),
                "indicateur_code": ind.get("code"),
                "libelle": ind.get("libelle"),
                "unite": ind.get("unite"),
                "valeur_initiale": _nombre_lu(ind.get("valeur_initiale")),
                "cible": _nombre_lu(ind.get("cible")),
                "donnee": ind.get("donnee"),
                "millesime": lecture.get("millesime"),
                "demonstration": bool(lecture.get("demonstration")),
                "motif": lecture.get("motif"),
            }
            valeurs = ind.get("valeurs") or []
            if not valeurs:
                rows.append({**base, "date": None, "valeur": None})
            for v in sorted(valeurs, key=lambda v: str(v.get("date"))):
                rows.append({**base, "date": _ts(v.get("date")), "valeur": _nombre_lu(v.get("valeur"))})
    df = pd.DataFrame(rows, columns=list(INDICATOR_COLUMNS))
    for col in ("valeur_initiale", "cible", "valeur"):
        df[col] = df[col].astype("float64")
    df["date"] = pd.to_datetime(df["date"])
    df["demonstration"] = df["demonstration"].astype(bool)
    return df


def timeline_frame(actions_df: pd.DataFrame) -> pd.DataFrame:
    """Actions that have both a start and an end date, ordered for a Gantt chart (axis, then start)."""
    if actions_df.empty:
        return pd.DataFrame(columns=list(TIMELINE_COLUMNS))
    df = actions_df[actions_df["debut"].notna() & actions_df["fin"].notna()].copy()
    df["libelle"] = df["action_code"].astype(str) + " – " + df["action_titre"].astype(str)
    df["_ordre"] = range(len(df))
    df = df.sort_values(["axe_code", "debut", "_ordre"], kind="stable")
    return df[list(TIMELINE_COLUMNS)].reset_index(drop=True)
