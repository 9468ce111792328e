"""Vintages kept across ingestions and rebuilds, « esscore millesimes », creations and closures (stock and
historical file), and the demonstration series calibrated on the published national changes (issue 19).

Hand-computed figures come from the rows of tests/fixtures/sirene/fabriquer.py (stock of 30 November 2025) and
tests/fixtures/sirene_2024/fabriquer.py (stock of 30 November 2024); their comments say what differs.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from esscore import demo_millesimes, evolution, millesimes
from esscore.build import build
from esscore.cli import main
from esscore.errors import DonneesInvalides, EssError

ROOT = Path(__file__).resolve().parent.parent
HISTORIQUE = ROOT / "tests" / "fixtures" / "sirene_2024" / "StockEtablissementHistorique_utf8.csv"
NIORT = "epci:200041317"
SERIE = ["millesime", "annee_effectifs", "etablissements", "etablissements_employeurs", "salaries_estimes",
         "salaries_prives"]  # fmt: skip


def _series(db: Path, ids: list[str], perimetre: str = "statistique") -> pd.DataFrame:
    with duckdb.connect(str(db), read_only=True) as con:
        return evolution.series(con, ids, perimetre)


def _copie(db: Path, tmp_path: Path) -> Path:
    cible = tmp_path / "ess.duckdb"
    shutil.copyfile(db, cible)
    return cible


def test_two_stocks_give_a_two_point_series_with_hand_computed_differences(db_millesimes: Path) -> None:
    frame = _series(db_millesimes, [NIORT, "france:FR"])
    niort = frame[frame["id"] == NIORT].set_index("millesime")
    assert list(niort.index) == ["2024-11-30", "2025-11-30"]
    assert list(niort["annee_effectifs"]) == [2022, 2023]
    # 2024 → 2025 in the CA du Niortais: + the SCOP's 00015 (« 03 », 7.5) and the association's non-employer 00029,
    # − 00037 closed (« 11 », 14.5), 00011 from « 11 » (14.5) to « 12 » (34.5), the mutual from « 12 » (34.5) to
    # « 21 » (74.5): +1 establishment, as many employers, 69 → 122 salariés.
    assert niort.loc["2024-11-30", ["etablissements", "etablissements_employeurs", "salaries_estimes"]].tolist() == [
        6, 6, 69.0]  # fmt: skip
    ecarts = niort.loc["2025-11-30", SERIE[2:]] - niort.loc["2024-11-30", SERIE[2:]]
    assert ecarts.tolist() == [1, 0, 53.0, 53.0]  # the ESS salariés are private employment too
    assert niort["part_emploi_prive"].tolist() == pytest.approx([69 / 450.5, 122 / 503.5])
    variation = evolution.variation(frame, NIORT, "salaries_estimes", "2024-11-30", "2025-11-30")
    assert variation == pytest.approx({"debut": 69.0, "fin": 122.0, "ecart": 53.0, "taux": 53 / 69})
    france = frame[frame["id"] == "france:FR"].set_index("millesime")  # + the foundation in Paris, unchanged
    assert (france["salaries_estimes"] - niort["salaries_estimes"]).tolist() == [149.5, 149.5]


def test_the_vintages_are_listed_with_the_current_one(db_millesimes: Path) -> None:
    with duckdb.connect(str(db_millesimes), read_only=True) as con:
        liste = millesimes.liste(con)
    assert liste["millesime"].tolist() == ["2024-11-30", "2025-11-30"]
    assert liste["courant"].tolist() == [False, True]
    assert not liste["demo"].any()
    assert liste["libelle"].tolist() == ["effectifs 2022, stock Sirene au 30 novembre 2024",
                                         "effectifs 2023, stock Sirene au 30 novembre 2025"]  # fmt: skip
    assert liste["salaries_estimes"].tolist() == [218.5, 271.5]  # France, statistical perimeter
    assert set(liste["couverture"]) == {"France entière"}


def test_a_rebuild_keeps_the_vintages(db_millesimes: Path, tmp_path: Path) -> None:
    copie = _copie(db_millesimes, tmp_path)
    build(copie, progress=lambda _m: None)  # no SIRENE file: the real data and its vintages are carried
    apres = _series(copie, [NIORT, "france:FR", "commune:79191"])
    avant = _series(db_millesimes, [NIORT, "france:FR", "commune:79191"])
    pd.testing.assert_frame_equal(apres, avant)
    assert apres["millesime"].nunique() == 2
    with duckdb.connect(str(copie), read_only=True) as con:  # creations and closures are kept too
        par_an = evolution.mouvements(con, NIORT).groupby("annee")[["creations", "fermetures"]].sum()
    assert par_an.to_dict("index") == {2005: {"creations": 8, "fermetures": 0}, 2020: {"creations": 0, "fermetures": 1}}


def test_cli_lists_and_removes_a_vintage(db_millesimes: Path, tmp_path: Path, capsys) -> None:
    copie = str(_copie(db_millesimes, tmp_path))
    assert main(["millesimes", "--db", copie, "--format", "json"]) == 0
    donnees = json.loads(capsys.readouterr().out)["millesimes"]
    assert [(m["millesime"], m["courant"], m["annee_effectifs"]) for m in donnees] == [
        ("2024-11-30", False, 2022), ("2025-11-30", True, 2023)]  # fmt: skip
    assert main(["millesimes", "--db", copie]) == 0
    assert "2024-11-30" in capsys.readouterr().out
    assert main(["millesimes", "--db", copie, "--supprimer", "2025-11-30"]) == 2  # the figures the pages show
    assert "ne peut pas être supprimé" in capsys.readouterr().err
    assert main(["millesimes", "--db", copie, "--supprimer", "2023-01-01"]) == 2
    assert "« 2023-01-01 » absent" in capsys.readouterr().err
    assert main(["millesimes", "--db", copie, "--supprimer", "2024-11-30"]) == 0
    assert "supprimé" in capsys.readouterr().out
    assert _series(Path(copie), [NIORT])["millesime"].tolist() == ["2025-11-30"]
    build(copie, progress=lambda _m: None)  # a rebuild does not bring it back
    assert _series(Path(copie), [NIORT])["millesime"].tolist() == ["2025-11-30"]


def test_creations_and_closures_match_a_hand_count(db_millesime_2024: Path) -> None:
    with duckdb.connect(str(db_millesime_2024), read_only=True) as con:
        detail = evolution.mouvements(con, NIORT)
        legal = evolution.mouvements(con, NIORT, "legal")
        france = evolution.mouvements(con, "france:FR")
    par_an = detail.groupby("annee")[["creations", "fermetures"]].sum()
    # Active and closed ESS establishments of the CA du Niortais by year of creation; closed ones by the start of
    # their stock period: the association's 00086 (2022) and the SCOP's 00023 (2023).
    assert par_an["creations"][par_an["creations"] > 0].to_dict() == {2015: 1, 2018: 1, 2019: 1, 2021: 2, 2023: 2,
                                                                      2024: 1}  # fmt: skip
    assert par_an["fermetures"][par_an["fermetures"] > 0].to_dict() == {2022: 1, 2023: 1}
    fermes = detail[detail["fermetures"] > 0].set_index("annee")["famille"].to_dict()
    assert fermes == {2022: "Associations", 2023: "Coopératives"}
    # Legal perimeter: + the union (activity outside the statistical perimeter) and the ESS commercial company.
    en_plus = legal.groupby("annee")[["creations", "fermetures"]].sum() - par_an.reindex(
        legal["annee"].unique(), fill_value=0
    )  # fmt: skip
    assert en_plus[(en_plus != 0).any(axis=1)].to_dict("index") == {
        2016: {"creations": 1, "fermetures": 0}, 2021: {"creations": 0, "fermetures": 1},
        2022: {"creations": 2, "fermetures": 0},
    }  # fmt: skip
    assert france["creations"].sum() == detail["creations"].sum() + 1  # + the foundation in Paris (2023)
    annees = evolution.par_annee(detail, 2024, n=4)
    assert annees.to_dict("list") == {"annee": [2021, 2022, 2023, 2024], "creations": [2, 0, 2, 1],
                                      "fermetures": [0, 1, 1, 0], "solde": [2, -1, 1, 1]}  # fmt: skip


def test_creations_follow_the_rules_of_the_ess_establishments(db_millesime_2024: Path) -> None:
    """The open establishments counted by year of creation are exactly the ESS establishments of the base, family by
    family and sector by sector (the classification rules of the ingestion, applied to the closed rows too)."""
    with duckdb.connect(str(db_millesime_2024), read_only=True) as con:
        ess = con.execute("SELECT famille, secteur, count(*) AS n FROM etablissements_ess WHERE commune IS NOT NULL "
                          "GROUP BY ALL").df()  # fmt: skip
        mouv = evolution.mouvements(con, "france:FR", "legal")
        fermes = con.execute("SELECT famille, secteur, count(*) AS n FROM fermes_ess GROUP BY ALL").df()
    creees = mouv.groupby(["famille", "secteur"])["creations"].sum()
    ouverts = creees.sub(fermes.set_index(["famille", "secteur"])["n"], fill_value=0)
    attendus = ess.set_index(["famille", "secteur"])["n"]
    assert ouverts[ouverts > 0].sort_index().to_dict() == attendus.sort_index().to_dict()


def test_the_historical_file_dates_the_closures_exactly(db_millesime_2024: Path, tmp_path: Path, capsys) -> None:
    copie = _copie(db_millesime_2024, tmp_path)
    assert main(["mouvements", "--historique", str(HISTORIQUE), "--db", str(copie)]) == 0
    assert "2 établissement(s)" in capsys.readouterr().err
    with duckdb.connect(str(copie), read_only=True) as con:
        detail = evolution.mouvements(con, NIORT)
        assert evolution.datation(con) == {"historique": 2, "stock": 1}  # the union's 00024 is not in the file
    fermetures = detail.groupby("annee")["fermetures"].sum()
    # the SCOP's 00023: closed 2021-09-01 (change of state), its stock period starts 2023-03-15 (employer flag)
    assert fermetures[fermetures > 0].to_dict() == {2021: 1, 2022: 1}
    assert detail.groupby("annee")["creations"].sum().sum() == 8  # creations unchanged
    assert main(["mouvements", "--territoire", NIORT, "--db", str(copie), "--format", "json", "--annees", "5"]) == 0
    sortie = json.loads(capsys.readouterr().out)
    assert [a["annee"] for a in sortie["annees"]] == [2020, 2021, 2022, 2023, 2024]
    assert [a["fermetures"] for a in sortie["annees"]] == [0, 1, 1, 0, 0]


def test_a_historical_file_without_its_columns_is_refused_in_french(db_millesime_2024: Path, tmp_path: Path) -> None:
    mauvais = tmp_path / "historique.csv"
    mauvais.write_text("siret,dateDebut\n99000000100086,2022-06-01\n", encoding="utf-8")
    copie = _copie(db_millesime_2024, tmp_path)
    avant = copie.read_bytes()
    with pytest.raises(DonneesInvalides, match="etatAdministratifEtablissement, changementEtatAdministratif"):
        millesimes.charger_historique(mauvais, copie, progress=lambda _m: None)
    assert copie.read_bytes() == avant
    with pytest.raises(EssError, match="introuvable"):
        millesimes.charger_historique(tmp_path / "absent.csv", copie, progress=lambda _m: None)


def test_the_trend_file_is_checked(tmp_path: Path) -> None:
    evol = demo_millesimes.lire_evolutions()
    assert set(evol["nature"]) <= set(demo_millesimes.NATURES) and evol["id"].is_unique
    assert evol["source"].str.len().gt(10).all() and evol["adresse"].str.startswith("http").all()
    faux = tmp_path / "evolutions.csv"
    faux.write_text(demo_millesimes.FICHIER_EVOLUTIONS.read_text("utf-8").replace(",publié,", ",inventé,", 1), "utf-8")
    with pytest.raises(DonneesInvalides, match=r"ligne \d+ .*« inventé »"):
        demo_millesimes.lire_evolutions(faux)


def test_demo_series_follow_the_published_national_changes(base_nationale: Path) -> None:
    """The demonstration's eleven yearly vintages: France changes each year as published (ESS employment and
    employer establishments, data/reference/evolutions_ess_demonstration.csv), the share near the 2013 figure."""
    frame = _series(base_nationale, ["france:FR", "departement:79", "departement:93"])
    france = frame[frame["id"] == "france:FR"].set_index("annee_effectifs")
    assert list(france.index) == list(range(2013, 2024)) and frame["demo"].all()
    evol = demo_millesimes.lire_evolutions()
    nationales = evol[(evol["famille"] == "") & (evol["secteur"] == "")].set_index(["serie", "annee"])["evolution"]
    for annee in range(2014, 2024):
        for col, serie in (("salaries_estimes", "salaries"), ("etablissements_employeurs", "employeurs")):
            taux = france.loc[annee, col] / france.loc[annee - 1, col] - 1
            assert taux == pytest.approx(nationales[(serie, annee)], abs=0.002), (col, annee)
    controle = evol.set_index("serie").loc["controle_part_prive", "evolution"]
    assert france.loc[2013, "part_emploi_prive"] == pytest.approx(controle, abs=0.005)  # 13,9 % in 2013
    departements = frame[frame["id"] != "france:FR"].pivot(index="annee_effectifs", columns="id",
                                                          values="salaries_estimes")  # fmt: skip
    croissance = departements.iloc[-1] / departements.iloc[0]
    assert croissance.nunique() == 2  # each département its own fictitious drift


def test_the_chart_indexes_each_territory_to_its_first_vintage(db_millesimes: Path) -> None:
    frame = _series(db_millesimes, [NIORT, "france:FR"]).assign(role=lambda f: f["id"].map({NIORT: "territoire"}))
    base = evolution.millesime_base(frame, NIORT, "salaries_estimes")
    spec = evolution.graphique_series(frame, "salaries_estimes", "indice", NIORT, base)
    valeurs = {(v["nom"], v["millesime"]): round(v["valeur"], 1) for v in spec["data"]["values"]}
    assert valeurs == {("CA du Niortais", "2024"): 100.0, ("CA du Niortais", "2025"): 176.8,
                       ("France", "2024"): 100.0, ("France", "2025"): 124.3}  # fmt: skip
    export = evolution.tableau(frame, "salaries_estimes", "indice", base)
    assert "Indice : Salariés estimés de l'ESS (base 100 en 2024)" in export.columns


def test_the_copil_deck_has_an_evolution_slide(db_millesimes: Path) -> None:
    import io
    from datetime import date

    from pptx import Presentation
    from pptx.enum.chart import XL_CHART_TYPE

    from esscore import copil

    with duckdb.connect(str(db_millesimes), read_only=True) as con:
        deck = copil.build_copil(con, NIORT, None, date(2026, 11, 23), catalogue=[])
    prs = Presentation(io.BytesIO(deck))
    slide = next(s for s in prs.slides if any(f.name == "Titre" and f.text_frame.text.startswith("Évolution")
                                              for f in s.shapes))  # fmt: skip
    chart = next(f.chart for f in slide.shapes if getattr(f, "has_chart", False) and f.has_chart)
    assert chart.chart_type == XL_CHART_TYPE.LINE_MARKERS
    assert list(chart.plots[0].categories) == ["2024", "2025"]
    assert [round(v, 1) for v in chart.plots[0].series[0].values] == [100.0, 176.8]
    notes = slide.notes_slide.notes_text_frame.text
    assert "Depuis 2024, +76,8\u202f% de salariés estimés dans l'ESS dans la CA du Niortais" in notes
    assert "Source :" in notes


def test_a_partial_extract_records_only_the_territories_it_covers(tmp_path: Path) -> None:
    """Stock files of two départements, not declared national: France, the régions and the EPCI reaching beyond
    them get no figure in that vintage (never a partial total shown as complete), the départements do."""
    stock = ROOT / "tests" / "fixtures" / "sirene_2024"
    db = tmp_path / "ess.duckdb"
    fichiers = (stock / "StockEtablissement_utf8.csv", stock / "StockUniteLegale_utf8.csv")
    build(db, progress=lambda _m: None, sirene=fichiers)
    frame = _series(db, ["france:FR", "region:75", "departement:79", NIORT]).set_index("id")
    assert frame.loc[["france:FR", "region:75"], "etablissements"].isna().all()
    assert frame.loc["departement:79", "etablissements"] == 6 and frame.loc[NIORT, "etablissements"] == 6
    with duckdb.connect(str(db), read_only=True) as con:
        assert millesimes.liste(con)["couverture"].tolist() == ["départements 75,79"]
