"""Published reference figures (data/reference/chiffres_publies.csv): shape, identifiers, key values."""

from __future__ import annotations

import re

import duckdb
import pandas as pd
import pytest

from esscore.config import ROOT

PATH = ROOT / "data" / "reference" / "chiffres_publies.csv"
GEO = ROOT / "data" / "geographie"
COLUMNS = ["id", "territoire", "perimetre", "indicateur", "valeur", "unite", "annee", "libelle", "source_document",
           "source_detail", "qualificatif"]  # fmt: skip
TERRITOIRE = re.compile(r"(france:FR|region:\d{2}|departement:(\d{2}|2[AB]|97\d)|epci:\d{9}|commune:[0-9AB]{5})")


@pytest.fixture(scope="module")
def chiffres() -> pd.DataFrame:
    frame = pd.read_csv(PATH, dtype=str, keep_default_na=False)
    frame["v"] = pd.to_numeric(frame["valeur"].replace("", None))
    return frame


def one(chiffres: pd.DataFrame, territoire: str, indicateur: str, annee: int, perimetre: str = "") -> float:
    sel = chiffres[
        (chiffres["territoire"] == territoire) & (chiffres["indicateur"] == indicateur)
        & (chiffres["annee"] == str(annee)) & (chiffres["perimetre"] == perimetre)
    ]  # fmt: skip
    assert len(sel) == 1, (territoire, indicateur, annee, perimetre)
    return float(sel["v"].iloc[0])


def test_columns_ids_and_types(chiffres: pd.DataFrame) -> None:
    assert list(chiffres.columns[: len(COLUMNS)]) == COLUMNS
    assert chiffres["id"].is_unique
    assert chiffres["id"].str.fullmatch(r"[a-z0-9-]+").all()
    for col in ("territoire", "indicateur", "unite", "annee", "libelle", "source_document", "source_detail"):
        assert (chiffres[col] != "").all(), col
    assert chiffres["indicateur"].str.fullmatch(r"[a-z0-9_]+").all()
    assert chiffres["annee"].astype(int).between(2008, 2026).all()
    missing = chiffres["v"].isna()
    assert (chiffres.loc[missing, "qualificatif"] == "non disponible").all()
    parts = chiffres[(chiffres["unite"] == "part") & ~missing]
    assert parts["v"].between(0, 1).all()
    # The database build reads the file with type detection: numbers must come out numeric.
    types = dict(
        duckdb.sql(f"DESCRIBE SELECT * FROM read_csv('{PATH}', header=true, all_varchar=false)").fetchall()[i][:2]
        for i in range(len(chiffres.columns) - 1)
    )
    assert types["valeur"] == "DOUBLE" and types["annee"] == "BIGINT"


def test_territory_ids_are_type_code(chiffres: pd.DataFrame) -> None:
    bad = chiffres.loc[~chiffres["territoire"].map(lambda t: bool(TERRITOIRE.fullmatch(t))), "territoire"]
    assert bad.empty, sorted(set(bad))


@pytest.mark.skipif(not (GEO / "epci.parquet").exists(), reason="géographie absente")
def test_territory_ids_exist_in_2026_geography(chiffres: pd.DataFrame) -> None:
    known = {"france:FR"}
    for kind, name in (("epci", "epci"), ("departement", "departements"), ("region", "regions")):
        known |= {f"{kind}:{c}" for c in pd.read_parquet(GEO / f"{name}.parquet")["code"]}
    assert set(chiffres["territoire"]) <= known, sorted(set(chiffres["territoire"]) - known)


def test_niort_agglo_roadmap_figures(chiffres: pd.DataFrame) -> None:
    can = "epci:200041317"
    assert one(chiffres, can, "etablissements_employeurs", 2023) == 545
    assert one(chiffres, can, "salaries", 2023) == 12300
    assert one(chiffres, can, "part_emploi_prive", 2023) == 0.26
    assert one(chiffres, can, "etablissements_pour_1000_hab", 2023) == 4.5
    assert one(chiffres, can, "communes_avec_ess", 2023) == 31
    assert one(chiffres, can, "benevoles", 2023) == 29000
    assert one(chiffres, can, "part_commune_principale", 2023, "Niort, commune principale de l'agglomération") == 0.70
    assert one(chiffres, can, "structures", 2021) == 560
    assert one(chiffres, "region:75", "etablissements_employeurs", 2021) == 22576
    plus = chiffres[(chiffres["territoire"] == can) & (chiffres["indicateur"] == "salaries")]
    assert set(plus["qualificatif"]) == {"plus de"}


def test_cotentin_and_basse_normandie_figures(chiffres: pd.DataFrame) -> None:
    pays = "Pays du Cotentin (hors CU, périmètre 2014)"
    assert one(chiffres, "departement:50", "etablissements_employeurs", 2014, pays) == 360
    assert one(chiffres, "departement:50", "salaries", 2014, pays) == 3636
    assert one(chiffres, "departement:50", "etp", 2014, pays) == 3158
    assert one(chiffres, "departement:50", "masse_salariale_eur", 2014, pays) == 85_400_000
    assert one(chiffres, "departement:50", "part_salaries_action_sociale", 2014, pays) == 0.38
    assert one(chiffres, "departement:50", "part_salaries_cooperatives", 2014, pays) == 0.30
    assert one(chiffres, "region:28", "part_emploi_salarie", 2014, "ex-Basse-Normandie") == 0.128
    fr_2014 = chiffres[(chiffres["territoire"] == "france:FR") & (chiffres["annee"] == "2014")
                       & (chiffres["indicateur"] == "part_emploi_salarie")]  # fmt: skip
    assert sorted(fr_2014["v"]) == [0.103, 0.105]  # CRESS report and INSEE ITDD


def test_national_reference_figures(chiffres: pd.DataFrame) -> None:
    assert one(chiffres, "france:FR", "salaries", 2013) == 2370301
    assert one(chiffres, "france:FR", "etablissements_employeurs", 2013) == 221325
    assert one(chiffres, "france:FR", "salaries", 2013, "Associations") == 1849717
    assert one(chiffres, "france:FR", "etablissements_employeurs", 2022) == 213000
    avise = chiffres[chiffres["annee"] == "2022"]
    assert (avise["source_detail"] == "https://avise.org/comprendre-ess/economie-sociale-solidaire-ess-contexte").all()


def test_insee_2014_table_is_complete(chiffres: pd.DataFrame) -> None:
    insee = chiffres[chiffres["id"].str.startswith("insee-itdd-")]
    for annee in ("2014", "2008"):
        year = insee[insee["annee"] == annee]
        regions = year[year["territoire"].str.startswith("region:")]
        deps = year[year["territoire"].str.startswith("departement:")]
        assert len(regions) == 18 and regions["territoire"].is_unique  # 13 metro + 5 DOM (Mayotte nd)
        assert len(deps) == 101 and deps["territoire"].is_unique
        assert (year["territoire"] == "france:FR").sum() == 1
    assert one(chiffres, "region:11", "part_emploi_salarie", 2014) == 0.071
    assert one(chiffres, "departement:48", "part_emploi_salarie", 2014) == 0.2787
    assert one(chiffres, "departement:79", "part_emploi_salarie", 2008) == 0.1654
    assert pd.isna(one(chiffres, "region:06", "part_emploi_salarie", 2014))
