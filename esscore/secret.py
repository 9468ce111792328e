"""Statistical secrecy of the published figures: the primary rule and the complementary (secondary) suppression.

Primary rule: an employee figure (salariés estimés and the shares and ratios built on it) reads « s » when it rests
on fewer than 3 employer establishments or when one establishment holds more than 85 % of it.

Complementary rule: published figures that add up to a published total form a group (families, sectors or size
classes of a territory; communes of an EPCI, a département, a région or France; départements of a région or of
France; régions of France; statistical perimeter + legal-only part = legal perimeter). A group with exactly one
unknown figure gives it away by subtraction, so the smallest figure of the group that is not hidden yet and not
known anyway (at least one employer, a nonzero estimate) is hidden too, again until no group holds exactly one
unknown; when no figure can be hidden, the total is. Method and sources: esscore/ui/textes/methode.md, docs/sources.md.

One code for one territory and for the whole country: the functions work group-wise on DataFrames (groupby), so a
page (``repartitions`` on one territory's rows), the build (``territoires``: every headline figure, written to the
``secret_territoires`` table) and the tests' national scan run the same rules.
"""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd

from esscore import ess
from esscore.db import query

SECRET = "s"
SEUIL_ETABLISSEMENTS = 3
SEUIL_DOMINANCE = 0.85
PRIMAIRE, COMPLEMENTAIRE = "primaire", "complémentaire"
PERIMETRES = ("statistique", "legal")
# Figures resting on employee estimates are the ones subject to secrecy.
SECRET_SENSIBLES = ("salaries_estimes", "part_emploi_prive", "salaries_pour_1000_hab", "part_ess_secteur")
# Size table: a class's counts give its employees away (one establishment « 10 à 49 salariés » is one employee
# figure, and n establishments bound the class's estimate), so a hidden class hides its counts as well.
COMPTES = ("etablissements", "etablissements_employeurs")
VALEURS = ("etablissements", "etablissements_employeurs", "salaries_estimes", "max_salaries")
AXES = ("famille", "secteur", "taille")
# Size classes whose estimate is 0 by construction (every band's midpoint is 0: non-employers, « 0 salarié au 31
# décembre », headcount not given): their employee figure is known, so it is never hidden and protects nothing.
TAILLES_SANS_SALARIE: frozenset[str] = frozenset(
    {c for *_, c in ess.tranches_table()} - {c for _, _, milieu, c in ess.tranches_table() if milieu > 0}
)


def is_secret(employeurs: float, salaries: float, max_salaries: float) -> bool:
    """Primary rule for one figure (``primaire`` row by row, for callers looping over a few rows)."""
    e, s, m = (float("nan") if x is None else float(x) for x in (employeurs, salaries, max_salaries))
    avec = s > 0
    return bool((e < SEUIL_ETABLISSEMENTS and (e > 0 or avec)) or (avec and m > SEUIL_DOMINANCE * s))


def primaire(
    frame: pd.DataFrame,
    employeurs: str = "etablissements_employeurs",
    salaries: str = "salaries_estimes",
    maximum: str = "max_salaries",
) -> pd.Series:
    """Primary rule, row by row (vectorised). Without employees (estimate 0 or missing), 1 or 2 employers still
    make the figure secret: the 0 rests on them."""
    e = pd.to_numeric(frame[employeurs], errors="coerce")
    s = pd.to_numeric(frame[salaries], errors="coerce")
    m = pd.to_numeric(frame[maximum], errors="coerce")
    avec = s.gt(0)
    secret = (e.lt(SEUIL_ETABLISSEMENTS) & (e.gt(0) | avec)) | (avec & m.gt(SEUIL_DOMINANCE * s))
    return secret.fillna(False).astype(bool)  # an unknown figure (NULL: not simulated) hides nothing


def complementaire(
    cellules: pd.DataFrame,
    groupe: list[str],
    masque: pd.Series,
    inconnu: pd.Series,
    eligible: pd.Series,
    total_masque: pd.Series | None = None,
    valeur: str = "salaries_estimes",
    departage: list[str] | None = None,
    cellule: str | None = None,
) -> tuple[pd.Series, pd.Series]:
    """The complementary rule, group by group: returns (hidden cells, rows of the groups whose total must be hidden).

    Rows sharing ``groupe`` add up to their group's total. The group's unknowns are its hidden cells whose value is
    not known anyway (``inconnu``) plus the total when it is hidden (``total_masque``, the same on every row of the
    group). One unknown alone is found by subtraction: the smallest ``eligible`` cell not hidden yet (by ``valeur``,
    ties by ``departage``) is hidden too, until no group has exactly one unknown. A group left with one hidden cell
    and no eligible cell needs its total hidden, which the caller does (the total belongs to another table).
    ``cellule``: key of a cell published in several groups (a commune in its EPCI, its département…): hidden in one,
    it is hidden in all.
    """
    masque = masque.astype(bool).copy()
    inconnu = inconnu.astype(bool)
    eligible = eligible.astype(bool) & inconnu
    total = pd.Series(0, index=cellules.index) if total_masque is None else total_masque.astype(bool).astype(int)
    codes = cellules.groupby(groupe, dropna=False, sort=False).ngroup()
    rangs = pd.to_numeric(cellules[valeur], errors="coerce").fillna(0.0)
    ordre = pd.DataFrame({"_code": codes, "_valeur": rangs}).join(cellules[departage or []])
    while True:
        inconnues = (masque & inconnu).astype(int).groupby(codes).transform("sum") + total
        candidats = inconnues.eq(1) & eligible & ~masque
        if not candidats.any():
            return masque, inconnues.eq(1) & total.eq(0)
        tri = ["_valeur", *(departage or [])]
        choix = ordre.loc[candidats].sort_values(tri, kind="stable").drop_duplicates("_code").index
        masque.loc[choix] = True
        if cellule is not None:
            masque = masque.groupby(cellules[cellule], sort=False).transform("any")


def afficher(frame: pd.DataFrame, colonnes: tuple[str, ...] = SECRET_SENSIBLES) -> pd.DataFrame:
    """« s » in ``colonnes`` (object columns) on the rows flagged ``secret``."""
    out = frame.copy()
    for col in colonnes:
        if col in out:
            out[col] = out[col].astype(object).where(~out["secret"].astype(bool), SECRET)
    return out


def motifs(primaires: pd.Series, masque: pd.Series) -> pd.Series:
    """« primaire », « complémentaire » or None: why each figure is hidden (for the tables and exports)."""
    out = pd.Series(None, index=masque.index, dtype=object)
    out[masque.astype(bool)] = COMPLEMENTAIRE
    out[primaires.astype(bool)] = PRIMAIRE
    return out


def masquer_indicateurs(frame: pd.DataFrame, employeurs: str = "etablissements_employeurs") -> pd.DataFrame:
    """Headline figures (rows of ``indicateurs``): primary rule, plus the complementary flags computed at build time
    for every territory (``secret_motif`` joined from ``secret_territoires`` by the queries); « s » written."""
    out = frame.copy()
    prim = primaire(out, employeurs)
    stocke = out["secret_motif"] if "secret_motif" in out else pd.Series(None, index=out.index, dtype=object)
    out["secret"] = prim | stocke.notna()
    motif = motifs(prim, out["secret"])
    garde = stocke.notna() & ~prim
    motif[garde] = stocke[garde]
    out["secret_motif"] = motif
    return afficher(out)


def repartitions(frame: pd.DataFrame, totaux: pd.DataFrame | None = None) -> pd.DataFrame:
    """The breakdown tables of one or many territories (rows of ``repartitions.sql``), both perimeters, secrecy
    decided group by group: one group per territory, axis and perimeter. Values stay numeric (``afficher``).

    ``totaux``: (id, perimetre) of the hidden headline figures, the totals of the groups. The legal cell of a
    category is its statistical cell + its legal-only part (``ecart_*``): when exactly one of these two is secret,
    the legal cell is hidden as well (one perimeter minus the other would give it). Returns one row per published
    cell: id, axe, categorie, perimetre, the values, ``secret``, ``secret_motif``, ``connu`` (value known without
    the table), ``ecart_secret`` (the legal-only part is secret) and ``total_a_masquer`` (the group's total must be).
    """
    f = frame.reset_index(drop=True)
    cles = f[["id", "axe", "categorie"]]
    zero = f["axe"].eq("taille") & f["categorie"].isin(TAILLES_SANS_SALARIE)
    stat = cles.join(f[list(VALEURS)])
    ecart = cles.join(pd.DataFrame({v: f[f"ecart_{v}"] for v in VALEURS}))
    legal = stat.copy()
    for col in VALEURS[:3]:
        legal[col] = stat[col] + ecart[col]
    legal["max_salaries"] = np.maximum(stat["max_salaries"], ecart["max_salaries"])
    ecart_secret = primaire(ecart) & ecart["etablissements_employeurs"].gt(0) & ~zero
    s = _masquer(stat, zero, _totaux(f, totaux, "statistique"))
    # A legal figure equal to a shown statistical one (no legal-only employer: the counts, shown in both perimeters,
    # tell) protects nothing; size classes excepted, whose counts are hidden with them.
    connu_par_stat = ~s["secret"] & ecart["etablissements_employeurs"].eq(0) & ~f["axe"].eq("taille")
    lg = _masquer(legal, zero, _totaux(f, totaux, "legal"), s["secret"] ^ ecart_secret, ~connu_par_stat)
    return pd.concat(
        [
            s.assign(perimetre="statistique", ecart_secret=ecart_secret)[stat["etablissements"].gt(0)],
            lg.assign(perimetre="legal", ecart_secret=ecart_secret)[legal["etablissements"].gt(0)],
        ],
        ignore_index=True,
    )


def _totaux(frame: pd.DataFrame, totaux: pd.DataFrame | None, perimetre: str) -> pd.Series:
    """Rows of ``frame`` whose territory's headline figure is hidden in ``perimetre``."""
    if totaux is None or totaux.empty:
        return pd.Series(False, index=frame.index)
    return frame["id"].isin(set(totaux.loc[totaux["perimetre"].eq(perimetre), "id"]))


def _masquer(
    cellules: pd.DataFrame,
    zero: pd.Series,
    total_masque: pd.Series,
    initial: pd.Series | None = None,
    permis: pd.Series | None = None,
) -> pd.DataFrame:
    """One perimeter of ``repartitions``: primary rule, then the complementary rule on the employee figures and, in
    the size table, on the counts (hidden with their class; any class holding establishments protects them; the
    headline counts are never hidden), in turn until stable. ``initial``: cells hidden beforehand; ``permis``: cells
    allowed as complements."""
    connu = cellules["etablissements_employeurs"].eq(0) | zero
    prim = primaire(cellules) & ~connu
    masque = prim | (False if initial is None else initial)
    permis = pd.Series(True, index=cellules.index) if permis is None else permis
    eligible = ~connu & cellules["salaries_estimes"].gt(0) & permis
    groupe, departage = ["id", "axe"], ["categorie"]
    taille = cellules["axe"].eq("taille")
    t = cellules[taille]
    comptes = t["etablissements"].gt(0)
    while True:
        masque, total = complementaire(cellules, groupe, masque, ~connu, eligible, total_masque, departage=departage)
        if t.empty:
            break
        m, _ = complementaire(t, groupe, masque[taille], comptes, comptes, valeur="etablissements", departage=departage)
        if m.equals(masque[taille]):
            break
        masque[taille] = m
    return cellules.assign(secret=masque, secret_motif=motifs(prim, masque), connu=connu, total_a_masquer=total)


def territoires(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Build time: every hidden headline figure (id, perimetre, secret_motif), all territories at once.

    Headline figures are cells of several groups (a commune's in its EPCI, département, région and France) and the
    totals of the breakdowns: the rules run over all of them until nothing changes (a total hidden because of a
    breakdown is a cell of its parents' groups; a hidden total needs a hidden cell in its breakdowns).
    """
    nat = query(con, "repartitions", ids=None)
    cells = _cellules_territoires(query(con, "secret_indicateurs"), nat)
    position = pd.Index(cells["cle"])
    liens = _liens(query(con, "secret_groupes"), cells, position)
    prim = primaire(cells).to_numpy()
    publie = cells["perimetre"].isin(PERIMETRES).to_numpy()
    masque = prim.copy()
    while True:
        rep = repartitions(nat, cells.loc[masque & publie, ["id", "perimetre"]])
        plein = rep[rep["total_a_masquer"]]
        nouveau = masque.copy()
        nouveau[position.get_indexer((plein["id"] + "|" + plein["perimetre"]).unique())] = True
        nouveau = _groupes(liens, nouveau)
        if (nouveau == masque).all():
            break
        masque = nouveau
    garde = masque & publie
    motif = motifs(pd.Series(prim), pd.Series(masque)).to_numpy()
    return cells.loc[garde, ["id", "perimetre"]].assign(secret_motif=motif[garde]).reset_index(drop=True)


def _cellules_territoires(indicateurs: pd.DataFrame, nat: pd.DataFrame) -> pd.DataFrame:
    """Headline cells, keyed « id|perimetre » (``cle``): the two published perimeters and, as perimeter « ecart »,
    the legal-only part (legal = statistique + ecart), summed from the family breakdown."""
    fam = nat[nat["axe"].eq("famille")]
    ecart = fam.groupby("id", as_index=False).agg(
        etablissements_employeurs=("ecart_etablissements_employeurs", "sum"),
        salaries_estimes=("ecart_salaries_estimes", "sum"),
        max_salaries=("ecart_max_salaries", "max"),
    )
    cells = pd.concat([indicateurs, ecart.assign(perimetre="ecart")], ignore_index=True)
    cells["cle"] = cells["id"] + "|" + cells["perimetre"]
    # A figure without employees is known from the size table (every employer in a class estimated at 0).
    cells["inconnu"] = cells["etablissements_employeurs"].gt(0) & cells["salaries_estimes"].gt(0)
    return cells


def _liens(groupes: pd.DataFrame, cells: pd.DataFrame, position: pd.Index) -> pd.DataFrame:
    """One row per (group, member cell) of the headline figures: the members of ``secret_groupes.sql`` in each
    perimeter, and the perimeter group (statistique + ecart = legal) whose members are never picked as complements
    (the legal figure is hidden rather than the statistical one). Cells are positions in ``cells`` (``i_*``)."""
    parts = [
        pd.DataFrame({"groupe": groupes["groupe"] + "|" + groupes["niveau"] + "|" + p,
                      "cle": groupes["membre"] + "|" + p, "total": groupes["groupe"] + "|" + p, "permis": True})
        for p in PERIMETRES
    ]  # fmt: skip
    ids = cells.loc[cells["perimetre"].eq("statistique"), "id"]
    for p in ("statistique", "ecart"):
        parts.append(pd.DataFrame({"groupe": ids + "|perimetre", "cle": ids + "|" + p, "total": ids + "|legal",
                                   "permis": False}))  # fmt: skip
    liens = pd.concat(parts, ignore_index=True)
    liens["i_cle"] = position.get_indexer(liens["cle"])
    liens["i_total"] = position.get_indexer(liens["total"])
    liens = liens[liens["i_cle"].ge(0) & liens["i_total"].ge(0)].reset_index(drop=True)
    liens["i_groupe"] = pd.factorize(liens["groupe"])[0]
    liens["salaries_estimes"] = cells["salaries_estimes"].to_numpy()[liens["i_cle"]]
    liens["inconnu"] = cells["inconnu"].to_numpy()[liens["i_cle"]]
    # A legal figure whose legal-only part has no employee is the statistical one: known while that one is shown.
    legal = liens["cle"].str.endswith("|legal")
    liens["i_stat"] = position.get_indexer(liens["cle"].str.replace(r"\|legal$", "|statistique", regex=True))
    i_ecart = position.get_indexer(liens["cle"].str.replace(r"\|legal$", "|ecart", regex=True))
    ecart_inconnu = np.where(i_ecart >= 0, cells["inconnu"].to_numpy()[i_ecart], False)
    liens["ecart_vide"] = legal.to_numpy() & ~ecart_inconnu
    return liens.drop(columns=["groupe", "cle", "total"])


def _groupes(liens: pd.DataFrame, masque: np.ndarray) -> np.ndarray:
    """Complementary rule on the headline groups until stable; ``masque``: hidden cells, by position."""
    while True:
        connu_par_stat = liens["ecart_vide"].to_numpy() & ~masque[liens["i_stat"].to_numpy()]
        eligible = liens["inconnu"] & liens["permis"] & ~connu_par_stat
        m, a_masquer = complementaire(
            liens, ["i_groupe"], pd.Series(masque[liens["i_cle"].to_numpy()], index=liens.index), liens["inconnu"],
            eligible, pd.Series(masque[liens["i_total"].to_numpy()], index=liens.index), departage=["i_cle"],
            cellule="i_cle",
        )  # fmt: skip
        nouveau = masque.copy()
        nouveau[liens.loc[m, "i_cle"].to_numpy()] = True
        nouveau[liens.loc[a_masquer, "i_total"].to_numpy()] = True
        if (nouveau == masque).all():
            return masque
        masque = nouveau
