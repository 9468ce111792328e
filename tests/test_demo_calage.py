"""The national demonstration meets every calibration target of data/reference/cibles_demonstration.csv, within
its tolerance, read through the product's own functions; and stays plausible below the département."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from esscore import config, geography, indicators
from esscore.demo import PRIVATE_SHARE_FACTOR

CIBLES = pd.read_csv(config.CIBLES_DEMO_FILE, dtype=str)


@pytest.fixture(scope="module")
def con(base_nationale: Path):
    connexion = duckdb.connect(str(base_nationale), read_only=True)
    yield connexion
    connexion.close()


def _valeur(con: duckdb.DuckDBPyConnection, cible: pd.Series) -> float:
    """Our figure for one target row, computed by the functions the pages and the CLI use."""
    territoire, indicateur = cible["territoire"], cible["indicateur"]
    if isinstance(cible["famille"], str):
        frame = indicators.repartition(con, territoire, "famille").set_index("famille")
        return float(frame.at[cible["famille"], indicateur])
    if isinstance(cible["secteur"], str):
        frame = indicators.repartition(con, territoire, "secteur").set_index("secteur")
        return float(frame.at[cible["secteur"], indicateur])
    if " sans commune:" in territoire:
        epci, _, commune = territoire.removeprefix("epci:").partition(" sans commune:")
        colonne = {"etablissements_employeurs": "count(*)", "salaries_estimes": "sum(e.salaries)"}[indicateur]
        return float(con.execute(
            f"SELECT {colonne} FROM etablissements_ess e JOIN communes c ON c.code = e.commune "
            "WHERE c.epci = ? AND e.commune <> ? AND e.employeur AND NOT e.hors_statistique", [epci, commune],
        ).fetchall()[0][0])  # fmt: skip
    if indicateur == "part_commune_principale":
        terr = geography.get(con, territoire)
        return float(indicators.concentration(indicators.communes_du_territoire(con, terr))[indicateur])
    return float(indicators.indicateurs(con, [territoire]).iloc[0][indicateur])


@pytest.mark.parametrize("cle", CIBLES[CIBLES["valeur"].notna()]["id"].tolist())
def test_every_target_is_met(con: duckdb.DuckDBPyConnection, cle: str) -> None:
    cible = CIBLES.set_index("id").loc[cle].copy()
    cible["id"] = cle
    attendu, tolerance = float(cible["valeur"]), float(cible["tolerance"])
    assert _valeur(con, cible) == pytest.approx(attendu, rel=tolerance), cle


@pytest.mark.parametrize("niveau", ["departement", "region"])
def test_every_published_insee_share_is_met(con: duckdb.DuckDBPyConnection, niveau: str) -> None:
    """Each département and région with an INSEE 2014 share: 1,266 × that share, ±10 %; Mayotte (nothing
    published) is not simulated at all."""
    insee = pd.read_csv(config.INSEE_PARTS_FILE, dtype={"code": str})
    insee = insee[(insee["niveau"] == niveau)].set_index("code")["part_ess_emploi_salarie_pct_2014"]
    ids = [f"{niveau}:{code}" for code in insee.index]
    ours = indicators.indicateurs(con, ids).set_index("code")["part_emploi_prive"]
    insee = insee[insee.index.isin(ours.index)]  # not « P » (France de province) and other aggregates
    assert len(insee) >= (95 if niveau == "departement" else 13)
    for code, pct in insee.items():
        if pd.isna(pct):
            assert pd.isna(pd.to_numeric(ours.get(code), errors="coerce")), code  # « nd », not invented
            continue
        assert float(ours[code]) == pytest.approx(pct * PRIVATE_SHARE_FACTOR / 100, rel=0.10), code


def test_large_towns_and_sectors_stay_plausible(con: duckdb.DuckDBPyConnection) -> None:
    villes = con.execute(
        "SELECT nom, part_emploi_prive FROM indicateurs WHERE perimetre = 'statistique' AND type = 'commune' "
        "AND population > 50000"
    ).df()
    hors = villes[(villes["part_emploi_prive"] < 0.05) | (villes["part_emploi_prive"] > 0.25)]
    assert len(villes) > 100 and hors.empty, hors
    secteurs = indicators.repartition(con, "france:FR", "secteur")
    parts = pd.to_numeric(secteurs["part_ess_secteur"], errors="coerce")
    assert (parts < 0.999).all(), secteurs[["secteur", "part_ess_secteur"]]


def test_cli_panorama_of_the_niort_agglomeration(base_nationale: Path) -> None:
    env = {**os.environ, "ESS_DB": str(base_nationale)}
    sortie = subprocess.run(
        [sys.executable, "-m", "esscore.cli", "panorama", "--territoire", "epci:200041317", "--format", "json"],
        capture_output=True, text=True, check=True, env=env,
    ).stdout  # fmt: skip
    data = json.loads(sortie)
    assert data["demo"] is True
    assert data["etablissements_employeurs"] == pytest.approx(545, rel=0.10)
    assert data["salaries_estimes"] == pytest.approx(12_300, rel=0.10)
    assert data["part_emploi_prive"] == pytest.approx(0.26, rel=0.10)


def test_mayotte_is_not_simulated_and_says_nd(base_nationale: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """INSEE publishes nothing for Mayotte: no invented figure, the page says « nd » and shows no card."""
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("ESS_DB", str(base_nationale))
    for territoire in ("departement:976", "commune:97611"):
        at = AppTest.from_file(str(config.ROOT / "pages" / "panorama.py"), default_timeout=60)
        at.query_params["territoire"] = territoire
        at.run()
        assert not at.exception
        assert any("non disponibles (nd)" in i.value for i in at.info) and not at.metric, territoire
    with duckdb.connect(str(base_nationale), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM etablissements_ess WHERE commune LIKE '976%'").fetchall()[0][0] == 0
