"""Statistical secrecy (esscore.secret): the complementary rule on small frames, on the fixture database, and a
scan of every territory of the national demonstration: no hidden figure may be found by subtraction.

The scan (``audit``) reads what the product publishes: the headline figures as ``comparaison.niveau`` gives them
(the pages' level tables), the breakdowns as ``secret.repartitions`` decides them for every territory at once from
``repartitions.sql`` (the code ``indicators.repartition`` runs for one territory, checked on a sample).
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest

from esscore import comparaison, indicators, secret
from esscore.db import connect, query

NIVEAUX = ("commune", "epci", "departement", "region", "france")
COLONNES = ("categorie", "etablissements_employeurs", "salaries_estimes", "max_salaries")


def _cellules(lignes: list[tuple], axe: str = "famille", ident: str = "commune:1") -> pd.DataFrame:
    """Rows of ``repartitions.sql`` for one territory: (categorie, employers, employees, largest[, legal-only
    employers, employees, largest]); every employer is an establishment, non-employers added by the caller."""
    rows = []
    for ligne in lignes:
        cat, e, s, m, *ecart = ligne
        ee, es, em = ecart or (0, 0.0, 0.0)
        rows.append({"id": ident, "axe": axe, "categorie": cat, "etablissements": max(e, 1),
                     "etablissements_employeurs": e, "salaries_estimes": s, "max_salaries": m,
                     "ecart_etablissements": ee, "ecart_etablissements_employeurs": ee, "ecart_salaries_estimes": es,
                     "ecart_max_salaries": em})  # fmt: skip
    return pd.DataFrame(rows)


def _table(rep: pd.DataFrame, perimetre: str = "statistique") -> pd.DataFrame:
    return rep[rep["perimetre"].eq(perimetre)].set_index("categorie")


def _motifs(table: pd.DataFrame) -> dict[str, str | None]:
    return {k: (v if isinstance(v, str) else None) for k, v in table["secret_motif"].items()}


# ---------------------------------------------------------------- the rule on small frames


def test_one_hidden_family_gets_a_second_the_next_smallest() -> None:
    # Niort by family in an earlier demonstration: 7 373 − 6 059,5 − 715 − 346 − 178 gave the hidden 74,5.
    cells = _cellules([("Associations", 400, 6059.5, 374.5), ("Coopératives", 40, 715.0, 74.5),
                       ("Mutuelles", 20, 346.0, 74.5), ("Fondations", 9, 178.0, 34.5),
                       ("Sociétés commerciales de l'ESS", 1, 74.5, 74.5)])  # fmt: skip
    table = _table(secret.repartitions(cells))
    assert _motifs(table) == {
        "Associations": None, "Coopératives": None, "Mutuelles": None, "Fondations": "complémentaire",
        "Sociétés commerciales de l'ESS": "primaire",
    }  # fmt: skip
    shown = table.loc[~table["secret"], "salaries_estimes"].sum()
    assert 7373 - shown == 178 + 74.5  # two hidden figures: their sum, never one of them
    assert not table["total_a_masquer"].any()


def test_cells_without_employer_never_protect() -> None:
    # The smallest figure is a family without employer: 0, known from its count; the complement is the next one.
    cells = _cellules([("Associations", 1, 34.5, 34.5), ("Coopératives", 0, 0.0, 0.0), ("Mutuelles", 10, 100.0, 14.5),
                       ("Fondations", 5, 50.0, 14.5)])  # fmt: skip
    table = _table(secret.repartitions(cells))
    assert list(table.index[table["secret"]]) == ["Associations", "Fondations"]
    assert table.loc["Coopératives", "connu"] and not table.loc["Coopératives", "secret"]


def test_total_hidden_when_no_cell_can_be_and_hidden_total_needs_a_hidden_cell() -> None:
    seule = _cellules([("Associations", 2, 49.0, 34.5), ("Coopératives", 0, 0.0, 0.0)])
    assert _table(secret.repartitions(seule))["total_a_masquer"].all()
    totaux = pd.DataFrame({"id": ["commune:1"], "perimetre": ["statistique"]})
    assert not _table(secret.repartitions(seule, totaux))["total_a_masquer"].any()  # already hidden: done
    # A hidden total (hidden in another table) with every cell shown would be their sum: the smallest is hidden.
    pleine = _cellules([("Associations", 30, 300.0, 34.5), ("Mutuelles", 10, 100.0, 14.5)])
    table = _table(secret.repartitions(pleine, totaux))
    assert _motifs(table) == {"Associations": None, "Mutuelles": "complémentaire"}


def test_size_class_hides_its_counts_and_zero_classes_neither_hide_nor_protect() -> None:
    cells = _cellules([("Non employeur", 0, 0.0, 0.0), ("0 salarié au 31 décembre", 2, 0.0, 0.0),
                       ("1 à 9 salariés", 6, 20.0, 7.5), ("10 à 49 salariés", 1, 14.5, 14.5),
                       ("50 à 249 salariés", 4, 400.0, 149.5)], axe="taille")  # fmt: skip
    table = _table(secret.repartitions(cells))
    assert _motifs(table) == {
        "Non employeur": None, "0 salarié au 31 décembre": None, "1 à 9 salariés": "complémentaire",
        "10 à 49 salariés": "primaire", "50 à 249 salariés": None,
    }  # fmt: skip
    shown = secret.afficher(table.reset_index(), secret.SECRET_SENSIBLES + secret.COMPTES).set_index("categorie")
    assert list(shown.loc["10 à 49 salariés", ["etablissements", "etablissements_employeurs", "salaries_estimes"]]) == [
        "s", "s", "s",
    ]  # fmt: skip
    assert shown.loc["0 salarié au 31 décembre", "salaries_estimes"] == 0


def test_legal_cell_follows_its_secret_legal_only_part() -> None:
    # Associations: one union (94.20Z) outside the statistical perimeter, 7,5 employees: légal − statistique would
    # give it. Mutuelles: nothing outside, its legal figure is the statistical one, shown: it cannot protect.
    cells = _cellules([("Associations", 10, 100.0, 14.5, 1, 7.5, 7.5), ("Mutuelles", 5, 50.0, 14.5)])
    rep = secret.repartitions(cells)
    assert not _table(rep)["secret"].any()
    legal = _table(rep, "legal")
    assert _motifs(legal) == {"Associations": "complémentaire", "Mutuelles": None}
    assert legal["total_a_masquer"].all()  # the legal total is hidden instead


def test_shared_cell_hidden_in_one_group_is_hidden_in_all() -> None:
    # Commune b belongs to both groups: picked in G1, it leaves G2 with one hidden figure, so d goes too.
    cells = pd.DataFrame({"groupe": ["G1", "G1", "G1", "G2", "G2", "G2"], "cle": ["a", "b", "c", "b", "d", "e"],
                          "salaries_estimes": [5.0, 10.0, 50.0, 10.0, 20.0, 30.0]})  # fmt: skip
    tous = pd.Series(True, index=cells.index)
    masque, total = secret.complementaire(cells, ["groupe"], cells["cle"].eq("a"), tous, tous, departage=["cle"],
                                          cellule="cle")  # fmt: skip
    assert sorted(set(cells.loc[masque, "cle"])) == ["a", "b", "d"] and not total.any()


def test_vectorised_primary_rule_is_the_scalar_one() -> None:
    cas = [(0, 0.0, 0.0), (1, 0.0, 0.0), (2, 3.0, 1.5), (3, 30.0, 14.5), (3, 20.0, 17.5), (5, None, None)]
    frame = pd.DataFrame(cas, columns=["etablissements_employeurs", "salaries_estimes", "max_salaries"])
    assert list(secret.primaire(frame)) == [indicators.is_secret(*c) for c in cas] == [
        False, True, True, False, True, False,
    ]  # fmt: skip


# ---------------------------------------------------------------- the published tables


def _publies(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every headline figure as the pages publish it (level tables), with its raw values: id, perimetre, secret,
    inconnu (an employee figure not known anyway: employers and a nonzero estimate)."""
    brut = query(con, "secret_indicateurs")
    pub = pd.concat([comparaison.niveau(con, n, p)[["id", "perimetre", "secret"]] for n in NIVEAUX
                     for p in secret.PERIMETRES])  # fmt: skip
    out = brut.merge(pub, on=["id", "perimetre"], validate="one_to_one")
    out["inconnu"] = out["etablissements_employeurs"].gt(0) & out["salaries_estimes"].gt(0)
    return out


def _exposes(frame: pd.DataFrame, groupe: list[str], caches: pd.Series, total: pd.Series) -> int:
    """Groups with exactly one hidden figure and a shown total: that figure is the total minus the others."""
    g = pd.DataFrame({"n": caches.astype(int), "t": total.astype(bool)}).groupby([frame[c] for c in groupe])
    agg = g.agg(n=("n", "sum"), t=("t", "max"))
    return int((agg["n"].eq(1) & ~agg["t"]).sum())


def audit(con: duckdb.DuckDBPyConnection, avant: bool = False) -> dict[str, int]:
    """Groups of every territory where a hidden figure is one subtraction away, by table kind; ``avant``: with the
    primary rule alone (the product before the complementary rule), for comparison."""
    nat = query(con, "repartitions", ids=None)
    tetes = query(con, "secret_indicateurs") if avant else _publies(con)
    if avant:
        tetes["secret"] = secret.primaire(tetes)
        tetes["inconnu"] = tetes["etablissements_employeurs"].gt(0) & tetes["salaries_estimes"].gt(0)
    rep = secret.repartitions(nat, tetes.loc[tetes["secret"], ["id", "perimetre"]])
    if avant:
        rep["secret"] = secret.primaire(rep) & ~rep["connu"]
    else:
        assert not rep["total_a_masquer"].any()
    rep = rep.merge(tetes[["id", "perimetre", "secret"]].rename(columns={"secret": "total"}), on=["id", "perimetre"])
    out = {}
    for axe in secret.AXES:
        r = rep[rep["axe"].eq(axe)]
        out[axe] = _exposes(r, ["id", "perimetre"], r["secret"] & ~r["connu"], r["total"])
    t = rep[rep["axe"].eq("taille")]
    autres = t["etablissements"].gt(0).groupby([t["id"], t["perimetre"]]).transform("sum").gt(1)
    out["taille (nombres)"] = _exposes(t, ["id", "perimetre"], t["secret"] & t["etablissements"].gt(0), ~autres)
    out.update(_audit_territoires(con, tetes, nat, avant))
    out["statistique/légal par catégorie"] = _audit_categories(rep)
    return out


def _audit_territoires(con: duckdb.DuckDBPyConnection, tetes: pd.DataFrame, nat: pd.DataFrame, avant: bool) -> dict:
    """Headline groups: members of a territory (communes, départements, régions) and statistique + écart = légal."""
    groupes = query(con, "secret_groupes")
    out: dict[str, int] = {}
    for p in secret.PERIMETRES:
        t = tetes[tetes["perimetre"].eq(p)].set_index("id")
        caches = groupes["membre"].map(t["secret"] & t["inconnu"]).fillna(False)
        out[f"membres ({p})"] = _exposes(groupes, ["groupe", "niveau"], caches, groupes["groupe"].map(t["secret"]))
    fam = nat[nat["axe"].eq("famille")].groupby("id")
    ecart = pd.DataFrame({"etablissements_employeurs": fam["ecart_etablissements_employeurs"].sum(),
                          "salaries_estimes": fam["ecart_salaries_estimes"].sum(),
                          "max_salaries": fam["ecart_max_salaries"].max()})  # fmt: skip
    ecart_cache = secret.primaire(ecart) & ecart["salaries_estimes"].gt(0)
    stat = tetes[tetes["perimetre"].eq("statistique")].set_index("id")
    legal = tetes[tetes["perimetre"].eq("legal")].set_index("id")["secret"]
    n = (stat["secret"] & stat["inconnu"]).astype(int) + ecart_cache.reindex(stat.index, fill_value=False).astype(int)
    out["statistique/légal"] = int((n.eq(1) & ~legal.reindex(stat.index)).sum())
    return out


def _audit_categories(rep: pd.DataFrame) -> int:
    """A category's legal figure = its statistical figure + its legal-only part: never exactly one of these hidden
    while the legal figure is shown."""
    cle = ["id", "axe", "categorie"]
    stat = rep[rep["perimetre"].eq("statistique")].set_index(cle)
    legal = rep[rep["perimetre"].eq("legal")].set_index(cle)
    stat_cache = (stat["secret"] & ~stat["connu"]).reindex(legal.index, fill_value=False)
    return int(((stat_cache.astype(int) + legal["ecart_secret"].astype(int)).eq(1) & ~legal["secret"]).sum())


def test_fixture_database_no_figure_one_subtraction_away(con) -> None:
    avant, apres = audit(con, avant=True), audit(con)
    assert sum(avant.values()) > 0  # the fixture has such groups (France − régions, Niort légal − statistique)
    assert apres == dict.fromkeys(apres, 0)


def test_fixture_france_by_region_and_niort_legal(con) -> None:
    # Before: France − the one région shown gave Île-de-France's hidden figure (one fondation).
    regions = comparaison.niveau(con, "region")
    france = indicators.indicateurs(con, ["france:FR"]).iloc[0]
    assert not france["secret"]
    avec = regions[regions["etablissements_employeurs"].gt(0)]
    assert avec["secret"].sum() >= 2 and set(avec["secret_motif"].dropna()) <= {"primaire", "complémentaire"}
    # Niort: légal − statistique = two establishments outside the statistical perimeter: the legal figure goes.
    stat = indicators.indicateurs(con, ["commune:79191"]).iloc[0]
    legal = indicators.indicateurs(con, ["commune:79191"], "legal").iloc[0]
    assert not stat["secret"] and legal["salaries_estimes"] == "s" and legal["secret_motif"] == "complémentaire"


def test_national_scan_finds_no_figure_one_subtraction_away(base_nationale: Path) -> None:
    con = connect(base_nationale)
    try:
        avant, apres = audit(con, avant=True), audit(con)
        assert avant["famille"] > 0 and avant["membres (statistique)"] > 0  # the scan sees what it looks for
        assert apres == dict.fromkeys(apres, 0), apres
        _pages_comme_le_calcul_national(con)
    finally:
        con.close()


def _pages_comme_le_calcul_national(con: duckdb.DuckDBPyConnection) -> None:
    """``indicators.repartition`` (one territory, as the pages, the deck and the CLI read it) hides the cells the
    national computation hides: a sample of territories with complementary cells in each table."""
    tetes = _publies(con)
    rep = secret.repartitions(query(con, "repartitions", ids=None), tetes.loc[tetes["secret"], ["id", "perimetre"]])
    comp = rep[rep["secret_motif"].eq(secret.COMPLEMENTAIRE) & rep["perimetre"].eq("statistique")]
    echantillon = comp.drop_duplicates("axe")[["id", "axe"]]
    assert len(echantillon) == 3
    for ident, axe in echantillon.itertuples(index=False):
        page = indicators.repartition(con, ident, axe).set_index(axe)
        national = rep[rep["id"].eq(ident) & rep["axe"].eq(axe) & rep["perimetre"].eq("statistique")]
        assert _motifs(page) == _motifs(national.set_index("categorie"))


@pytest.mark.parametrize("niveau", NIVEAUX)
def test_headline_tables_carry_the_reason(con, niveau: str) -> None:
    frame = comparaison.niveau(con, niveau)
    assert frame["secret"].eq(frame["secret_motif"].notna()).all()
    assert set(frame["secret_motif"].dropna()) <= {secret.PRIMAIRE, secret.COMPLEMENTAIRE}
    assert (frame.loc[frame["secret"], "salaries_estimes"] == secret.SECRET).all()


def test_communes_cells_stored_at_build_are_the_computed_ones(con) -> None:
    """``repartitions_communes`` (written by the build, read by the pages for a commune) holds exactly what
    ``cellules_repartition`` computes for the same communes, one by one or together, secrecy included."""
    ids = [i for (i,) in con.execute("SELECT DISTINCT id FROM repartitions_communes ORDER BY id").fetchall()]
    assert len(ids) >= 3
    for i in ids:
        lues = indicators.cellules_repartition(con, i)
        assert not lues.empty
        pd.testing.assert_frame_equal(lues, indicators._calculer_cellules(con, [i]))
    pd.testing.assert_frame_equal(indicators.cellules_repartition(con, ids), indicators._calculer_cellules(con, ids))
    vide = con.execute("SELECT id FROM territoires WHERE type = 'commune' AND id NOT IN (SELECT id FROM "
                       "repartitions_communes) LIMIT 1").fetchone()  # fmt: skip
    if vide:  # a commune without ESS: no stored row, computed as before (same empty table)
        pd.testing.assert_frame_equal(indicators.cellules_repartition(con, vide[0]),
                                      indicators._calculer_cellules(con, [vide[0]]))  # fmt: skip
