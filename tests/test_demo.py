"""Demonstration SIRENE generator: format, determinism, quirks of the real files, calibration."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
from pyproj import Transformer

from esscore import config, demo
from esscore.config import ROOT
from esscore.errors import DonneesInvalides
from esscore.sirene_schema import ETABLISSEMENT_COLUMNS, UNITE_LEGALE_COLUMNS

# 30 real communes in three régions (Île-de-France, Nouvelle-Aquitaine, La Réunion); 2026 populations,
# point-on-surface centroids. Bessines has no centroid on purpose (coordinates must then stay empty).
COMMUNES = [
    ("16015", "Angoulême", 41908, "16", "75", 0.14653, 45.6454),
    ("17300", "La Rochelle", 79851, "17", "75", -1.17658, 46.1621),
    ("19272", "Tulle", 13401, "19", "75", 1.76709, 45.26855),
    ("23096", "Guéret", 12955, "23", "75", 1.86584, 46.15825),
    ("24322", "Périgueux", 29055, "24", "75", 0.71477, 45.19319),
    ("33063", "Bordeaux", 267991, "33", "75", -0.56065, 44.86257),
    ("40192", "Mont-de-Marsan", 31592, "40", "75", -0.48604, 43.89277),
    ("47001", "Agen", 32801, "47", "75", 0.62373, 44.20139),
    ("64445", "Pau", 80441, "64", "75", -0.33891, 43.32217),
    ("75056", "Paris", 2103778, "75", "11", 2.3201, 48.85727),
    ("77288", "Melun", 45995, "77", "11", 2.66429, 48.54358),
    ("78646", "Versailles", 84095, "78", "11", 2.11873, 48.80702),
    ("79003", "Aiffres", 5419, "79", "75", -0.41455, 46.28507),
    ("79034", "Bessines", 1903, "79", "75", float("nan"), float("nan")),
    ("79081", "Chauray", 7221, "79", "75", -0.38075, 46.35317),
    ("79109", "Échiré", 3549, "79", "75", -0.4308, 46.39009),
    ("79191", "Niort", 59854, "79", "75", -0.45988, 46.32824),
    ("79249", "Saint-Gelais", 2220, "79", "75", -0.37783, 46.37936),
    ("86194", "Poitiers", 89916, "86", "75", 0.36893, 46.5852),
    ("87085", "Limoges", 129937, "87", "75", 1.27716, 45.85846),
    ("91228", "Évry-Courcouronnes", 66919, "91", "11", 2.43475, 48.6285),
    ("92050", "Nanterre", 97783, "92", "11", 2.20242, 48.89746),
    ("93066", "Saint-Denis", 149077, "93", "11", 2.35636, 48.92648),
    ("94028", "Créteil", 93397, "94", "11", 2.45414, 48.78532),
    ("95127", "Cergy", 70906, "95", "11", 2.06144, 49.03784),
    ("97411", "Saint-Denis", 155634, "974", "04", 55.44746, -20.94335),
    ("97415", "Saint-Paul", 108088, "974", "04", 55.31041, -21.0372),
    ("97416", "Saint-Pierre", 85038, "974", "04", 55.46842, -21.3088),
    ("97418", "Sainte-Marie", 37093, "974", "04", 55.53588, -20.94498),
    ("97422", "Le Tampon", 82579, "974", "04", 55.5592, -21.22505),
]
# Rough bounding boxes of the départements (lon min, lon max, lat min, lat max).
BBOX = {
    "16": (-0.47, 0.95, 45.19, 46.14), "17": (-1.57, 0.01, 45.08, 46.38), "19": (1.22, 2.53, 44.92, 45.77),
    "23": (1.37, 2.61, 45.66, 46.46), "24": (-0.05, 1.45, 44.57, 45.72), "33": (-1.27, 0.32, 44.19, 45.58),
    "40": (-1.53, 0.14, 43.49, 44.54), "47": (-0.15, 1.08, 43.97, 44.77), "64": (-1.80, 0.03, 42.77, 43.60),
    "75": (2.22, 2.47, 48.81, 48.91), "77": (2.39, 3.56, 48.12, 49.12), "78": (1.44, 2.23, 48.43, 49.09),
    "79": (-0.91, 0.23, 45.96, 47.11), "86": (-0.11, 1.22, 46.04, 47.18), "87": (0.62, 1.91, 45.43, 46.41),
    "91": (1.91, 2.59, 48.28, 48.78), "92": (2.14, 2.34, 48.72, 48.96), "93": (2.28, 2.61, 48.80, 49.02),
    "94": (2.30, 2.62, 48.68, 48.87), "95": (1.60, 2.60, 48.90, 49.24), "974": (55.21, 55.84, -21.39, -20.87),
}  # fmt: skip
ETAB = "StockEtablissement_utf8.parquet"
UL = "StockUniteLegale_utf8.parquet"
TYPES = {
    "dateCreationEtablissement": "DATE", "dateDebut": "DATE", "dateCreationUniteLegale": "DATE",
    "anneeEffectifsEtablissement": "BIGINT", "nombrePeriodesEtablissement": "BIGINT",
    "anneeEffectifsUniteLegale": "BIGINT", "nombrePeriodesUniteLegale": "BIGINT", "anneeCategorieEntreprise": "BIGINT",
    "etablissementSiege": "BOOLEAN", "unitePurgeeUniteLegale": "BOOLEAN",
    "dateDernierTraitementEtablissement": "TIMESTAMP", "dateDernierTraitementUniteLegale": "TIMESTAMP",
    "categorieJuridiqueUniteLegale": "BIGINT",
}  # fmt: skip
NATIONAL = ROOT / "data" / "geographie" / "communes.parquet"


def communes_fixture() -> pd.DataFrame:
    return pd.DataFrame(COMMUNES, columns=["code", "nom", "population", "departement", "region", "lon", "lat"])


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("demo")
    counts = demo.generate_demo(communes_fixture(), out)
    return out, counts


@pytest.fixture(scope="module")
def con(generated: tuple[Path, dict]) -> duckdb.DuckDBPyConnection:
    out, _ = generated
    c = duckdb.connect()
    c.execute(f"CREATE VIEW e AS SELECT * FROM read_parquet('{out / ETAB}')")
    c.execute(f"CREATE VIEW u AS SELECT * FROM read_parquet('{out / UL}')")
    return c


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_same_seed_same_bytes(generated: tuple[Path, dict], tmp_path: Path) -> None:
    out, counts = generated
    again = demo.generate_demo(communes_fixture().sample(frac=1, random_state=3), tmp_path / "a")
    assert again == counts
    for name in (ETAB, UL):
        assert sha(out / name) == sha(tmp_path / "a" / name)
    demo.generate_demo(communes_fixture(), tmp_path / "b", seed=7)
    assert sha(out / ETAB) != sha(tmp_path / "b" / ETAB)


def test_columns_in_order_with_parquet_types(con: duckdb.DuckDBPyConnection) -> None:
    for view, expected in (("e", ETABLISSEMENT_COLUMNS), ("u", UNITE_LEGALE_COLUMNS)):
        described = con.execute(f"DESCRIBE SELECT * FROM {view}").fetchall()
        assert [r[0] for r in described] == list(expected)
        for name, kind, *_ in described:
            assert kind == TYPES.get(name, "VARCHAR"), name


def test_identifiers_are_fictitious_unique_and_luhn_valid(con: duckdb.DuckDBPyConnection) -> None:
    sirets = [r[0] for r in con.execute("SELECT siret FROM e").fetchall()]
    sirens = [r[0] for r in con.execute("SELECT siren FROM u").fetchall()]
    assert len(set(sirets)) == len(sirets) and len(set(sirens)) == len(sirens)
    assert all(re.fullmatch(r"99\d{7}", s) and luhn_ok(s) for s in sirens)
    assert all(re.fullmatch(r"99\d{12}", s) and luhn_ok(s) for s in sirets)
    orphans = con.execute("SELECT count(*) FROM e ANTI JOIN u USING (siren)").fetchall()[0][0]
    assert orphans == 0
    # Each legal unit's nicSiege points to its head office, sorted files like INSEE's.
    bad = con.execute("""
        SELECT count(*) FROM u JOIN e ON e.siren = u.siren AND e.nic = u.nicSiegeUniteLegale
        WHERE NOT e.etablissementSiege
    """).fetchall()[0][0]
    assert bad == 0
    assert sirets == sorted(sirets)


def luhn_ok(number: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(number)):
        d = int(ch) * (2 if i % 2 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


def test_paris_uses_arrondissement_codes(con: duckdb.DuckDBPyConnection) -> None:
    codes = dict(con.execute("SELECT codeCommuneEtablissement, count(*) FROM e GROUP BY 1").fetchall())
    assert "75056" not in codes
    arr = {c for c in codes if c and c.startswith("751")}
    assert arr <= {f"751{i:02d}" for i in range(1, 21)} and len(arr) == 20
    cp = con.execute("""
        SELECT DISTINCT codePostalEtablissement FROM e WHERE codeCommuneEtablissement = '75115'
    """).fetchall()
    assert cp == [("75015",)]


def test_coordinates_project_back_into_their_departement(con: duckdb.DuckDBPyConnection) -> None:
    df = con.execute("""
        SELECT codeCommuneEtablissement AS code, coordonneeLambertAbscisseEtablissement AS x,
               coordonneeLambertOrdonneeEtablissement AS y
        FROM e WHERE coordonneeLambertAbscisseEtablissement IS NOT NULL
          AND coordonneeLambertAbscisseEtablissement <> '[ND]'
    """).df()
    assert df["x"].str.fullmatch(r"\d+\.\d").all() and df["y"].str.fullmatch(r"\d+\.\d").all()
    df["dep"] = np.where(df["code"].str.startswith("97"), df["code"].str[:3], df["code"].str[:2])
    assert set(df["dep"]) == set(BBOX) - set()
    for dep, grp in df.groupby("dep"):
        epsg = 2975 if dep == "974" else 2154
        lon, lat = Transformer.from_crs(epsg, 4326, always_xy=True).transform(
            grp["x"].astype(float).to_numpy(), grp["y"].astype(float).to_numpy()
        )
        x0, x1, y0, y1 = BBOX[dep]
        assert ((lon > x0) & (lon < x1) & (lat > y0) & (lat < y1)).all(), dep
    # Bessines has no centroid: its establishments have no coordinates.
    empty = con.execute("""
        SELECT count(*) FILTER (WHERE coordonneeLambertAbscisseEtablissement IS NULL), count(*)
        FROM e WHERE codeCommuneEtablissement = '79034' AND statutDiffusionEtablissement = 'O'
    """).fetchall()[0]
    assert empty[0] == empty[1] > 0


def test_partially_diffusible_rows_are_masked(con: duckdb.DuckDBPyConnection) -> None:
    p = con.execute("""
        SELECT coordonneeLambertAbscisseEtablissement, coordonneeLambertOrdonneeEtablissement,
               libelleVoieEtablissement, codeCommuneEtablissement, activitePrincipaleEtablissement
        FROM e WHERE statutDiffusionEtablissement = 'P' AND codeCommuneEtablissement <> '79034'
    """).fetchall()
    known = {c for c, *_ in COMMUNES} | {f"751{i:02d}" for i in range(1, 21)}
    p = [row for row in p if row[3] in known]  # unknown commune codes have no coordinates at all
    assert len(p) > 0
    for x, y, voie, code, ape in p:
        assert x == y == "[ND]" and voie in ("[ND]", None)
        assert code and ape  # commune and APE stay usable
    assert con.execute("SELECT count(*) FROM e WHERE statutDiffusionEtablissement = 'O' AND "
                       "coordonneeLambertAbscisseEtablissement = '[ND]'").fetchall()[0][0] == 0  # fmt: skip
    names = con.execute("""
        SELECT categorieJuridiqueUniteLegale, denominationUniteLegale, nomUniteLegale, prenom1UniteLegale
        FROM u WHERE statutDiffusionUniteLegale = 'P'
    """).fetchall()
    assert any(cj == 1000 for cj, *_ in names) and any(cj // 100 == 92 for cj, *_ in names)
    for cj, denomination, nom, prenom in names:
        if cj == 1000:
            assert nom == prenom == "[ND]" and denomination is None
        else:
            assert denomination == "[ND]"
    share = con.execute("""
        SELECT avg((statutDiffusionUniteLegale = 'P')::INT) FROM u WHERE categorieJuridiqueUniteLegale // 100 = 92
    """).fetchall()[0][0]
    assert 0.002 < share < 0.03


def test_every_rule_is_exercised(con: duckdb.DuckDBPyConnection, generated: tuple[Path, dict]) -> None:
    _, counts = generated
    one = lambda sql: con.execute(sql).fetchall()[0][0]  # noqa: E731
    assert (
        one("SELECT count(*) FROM e WHERE etatAdministratifEtablissement = 'F'") == counts["etablissements_fermes"] > 0
    )
    assert one("SELECT count(*) FROM u WHERE etatAdministratifUniteLegale = 'C'") > 0
    abroad = con.execute("""
        SELECT codePaysEtrangerEtablissement, codePostalEtablissement FROM e WHERE codeCommuneEtablissement IS NULL
    """).fetchall()
    assert len(abroad) >= 3 and all(re.fullmatch(r"99\d{3}", p) and cp is None for p, cp in abroad)
    codes = {r[0] for r in con.execute("SELECT DISTINCT codeCommuneEtablissement FROM e").fetchall()} - {None}
    known = {c for c, *_ in COMMUNES} | {f"751{i:02d}" for i in range(1, 21)}
    assert 1 <= len(codes - known) <= counts["etablissements_commune_inconnue"]
    assert (
        one("""SELECT count(*) FROM e WHERE activitePrincipaleEtablissement IN
                  ('94.11Z', '94.12Z', '94.20Z', '94.91Z', '94.92Z', '84.13Z')
                  AND siren IN (SELECT siren FROM u WHERE categorieJuridiqueUniteLegale // 100 = 92)""")
        > 0
    )
    assert (
        one("""SELECT count(*) FROM e JOIN u USING (siren) WHERE categorieJuridiqueUniteLegale // 1000 = 7
                  AND activitePrincipaleEtablissement = '84.11Z'""")
        > 0
    )
    # Employer fallback: empty caractereEmployeur with a band; non-employers with stale bands.
    assert one("SELECT count(*) FROM e WHERE caractereEmployeurEtablissement IS NULL "
               "AND trancheEffectifsEtablissement NOT IN ('NN', '00')") > 0  # fmt: skip
    assert one("SELECT count(*) FROM e WHERE caractereEmployeurEtablissement = 'N' "
               "AND trancheEffectifsEtablissement = '01'") > 0  # fmt: skip
    # Sociétés commerciales de l'ESS: flagged commercial forms; flagged public/foreign oddities exist nationally.
    assert (
        one("""SELECT count(*) FROM u WHERE economieSocialeSolidaireUniteLegale = 'O'
                  AND categorieJuridiqueUniteLegale IN (5710, 5720, 5499, 5498, 5599, 5699)""")
        > 0
    )
    fake = "denominationUniteLegale LIKE '%démo%' OR denominationUniteLegale LIKE '%fictive%'"
    assert one(f"SELECT count(*) FROM u WHERE NOT ({fake}) AND denominationUniteLegale <> '[ND]'") == 0
    rna = [r[0] for r in con.execute("SELECT identifiantAssociationUniteLegale FROM u WHERE "
                                      "identifiantAssociationUniteLegale IS NOT NULL").fetchall()]  # fmt: skip
    assert rna and all(re.fullmatch(r"W[0-9AB]{3}\d{6}", r) for r in rna)


def test_csv_variant_matches_parquet(generated: tuple[Path, dict], tmp_path: Path) -> None:
    out, counts = generated
    assert demo.generate_demo(communes_fixture(), tmp_path, fmt="csv") == counts
    etab, ul = tmp_path / "StockEtablissement_utf8.csv", tmp_path / "StockUniteLegale_utf8.csv"
    assert etab.read_text("utf-8").splitlines()[0] == ",".join(ETABLISSEMENT_COLUMNS)
    head = pd.read_csv(ul, dtype=str, nrows=2000, keep_default_na=False)
    assert list(head.columns) == list(UNITE_LEGALE_COLUMNS)
    rows = pd.read_csv(etab, dtype=str, nrows=2000, keep_default_na=False)
    assert set(rows["etablissementSiege"]) <= {"true", "false"}
    assert rows["dateDernierTraitementEtablissement"].str.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d").all()
    assert rows["dateCreationEtablissement"].str.fullmatch(r"\d{4}-\d\d-\d\d").all()
    assert demo.summary_stats(etab, ul) == demo.summary_stats(out / ETAB, out / UL)


def test_fixture_aggregates_follow_the_rules(generated: tuple[Path, dict]) -> None:
    out, counts = generated
    stats = demo.summary_stats(out / ETAB, out / UL)
    extra = counts["etablissements_etranger"] + counts["etablissements_commune_inconnue"]
    assert stats["etablissements_ess_employeurs"] == counts["etablissements_ess_employeurs"] + extra
    assert stats["salaries_ess"] > 0 and 0.05 < stats["part_emploi_prive"] < 0.25
    # Département shares follow the INSEE 2014 values times the private-share factor.
    insee = pd.read_csv(config.INSEE_PARTS_FILE, dtype={"code": str})
    ref = insee[insee["niveau"] == "departement"].set_index("code")["part_ess_emploi_salarie_pct_2014"]
    for dep, v in stats["par_departement"].items():
        assert v["salaries_ess"] / v["salaries_prives"] == pytest.approx(
            ref[dep] * demo.PRIVATE_SHARE_FACTOR / 100, abs=0.01
        ), dep


def test_invalid_input_is_explained(tmp_path: Path) -> None:
    with pytest.raises(DonneesInvalides, match="population"):
        demo.generate_demo(communes_fixture().drop(columns="population"), tmp_path)
    with pytest.raises(DonneesInvalides, match="parquet, csv"):
        demo.generate_demo(communes_fixture(), tmp_path, fmt="xlsx")


@pytest.mark.skipif(not NATIONAL.exists(), reason="data/geographie/communes.parquet absent")
def test_national_calibration(tmp_path: Path) -> None:
    communes = pd.read_parquet(NATIONAL)
    counts = demo.generate_demo(communes, tmp_path)
    assert 800_000 <= counts["etablissements"] <= 1_000_000
    s = demo.summary_stats(tmp_path / ETAB, tmp_path / UL)
    assert s["etablissements_ess_employeurs"] == pytest.approx(210_000, rel=0.10)
    assert s["salaries_ess"] == pytest.approx(2_600_000, rel=0.10)
    assert 0.13 <= s["part_emploi_prive"] <= 0.145
    fam = s["par_famille"]
    assert 0.74 <= fam["associations"]["part_salaries"] <= 0.82
    assert 0.76 <= fam["associations"]["part_etablissements"] <= 0.84
    assert 0.10 <= fam["cooperatives"]["part_salaries"] <= 0.14
    assert 0.035 <= fam["mutuelles"]["part_salaries"] <= 0.065
    assert 0.035 <= fam["fondations"]["part_salaries"] <= 0.055
    assert 100 <= fam["societes_commerciales"]["etablissements_employeurs"] <= 1000
    assert 0.70 <= s["part_etablissements_moins_10"] <= 0.80
    assert 0.12 <= s["part_salaries_moins_10"] <= 0.19
    # Regional private shares close to 1.266 x the INSEE 2014 share of salaried jobs.
    dep_reg = communes.drop_duplicates("departement").set_index("departement")["region"]
    by_reg: dict[str, list[float]] = {}
    for dep, v in s["par_departement"].items():
        acc = by_reg.setdefault(dep_reg[dep], [0.0, 0.0])
        acc[0] += v["salaries_ess"]
        acc[1] += v["salaries_prives"]
    insee = pd.read_csv(config.INSEE_PARTS_FILE, dtype={"code": str})
    ref = insee[insee["niveau"] == "region"].dropna().set_index("code")["part_ess_emploi_salarie_pct_2014"]
    for reg in ("11", "24", "27", "28", "32", "44", "52", "53", "75", "76", "84", "93", "94"):
        ess, prive = by_reg[reg]
        assert ess / prive == pytest.approx(ref[reg] * demo.PRIVATE_SHARE_FACTOR / 100, abs=0.015), reg


def test_ess_points_lie_inside_their_commune_not_in_a_disc(tmp_path: Path) -> None:
    """Positions are drawn inside the shipped outline of each commune (Paris and Saint-Denis de La Réunion
    included), spread like addresses, not in a disc around the centre."""
    import shapely

    from esscore import demo_positions

    communes = communes_fixture()
    contours = duckdb.sql(
        f"SELECT code, geojson FROM read_parquet('{ROOT / 'data' / 'geographie' / 'contours_communes.parquet'}') "
        "WHERE list_contains($codes, code)",
        params={"codes": communes["code"].tolist()},
    ).df()
    demo.generate_demo(communes, tmp_path, contours=contours)
    points = duckdb.sql(f"""
        SELECT codeCommuneEtablissement AS code, TRY_CAST(coordonneeLambertAbscisseEtablissement AS DOUBLE) AS x,
               TRY_CAST(coordonneeLambertOrdonneeEtablissement AS DOUBLE) AS y
        FROM read_parquet('{tmp_path / ETAB}') e JOIN read_parquet('{tmp_path / UL}') u USING (siren)
        WHERE u.categorieJuridiqueUniteLegale IN (9210, 9220, 9221, 9222, 9223, 9230, 9240, 9260, 9300)
          AND x IS NOT NULL AND e.etatAdministratifEtablissement = 'A'  -- the ingestion reads active ones
    """).df()
    ville = points["code"].str[:2].map({"75": "75056"}).fillna(points["code"])  # Paris rows carry arrondissements
    epsg = np.where(communes["departement"] == "974", 2975, 2154)
    polys = dict(
        zip(communes["code"], demo_positions.polygones(communes["code"].to_numpy(), epsg, contours), strict=True)
    )
    geoms = np.array([polys[c] for c in ville], dtype=object)
    dedans = shapely.dwithin(geoms, shapely.points(points["x"], points["y"]), 1.0)  # text keeps one decimal
    assert len(points) > 1000 and dedans.all(), points[~dedans].head()
    for code in ("75056", "97411"):  # not a disc: the farthest points reach where the outline goes
        pts = points[ville == code]
        d = np.hypot(pts["x"] - pts["x"].median(), pts["y"] - pts["y"].median())
        angle = np.degrees(np.arctan2(pts["y"] - pts["y"].median(), pts["x"] - pts["x"].median())) // 45
        loin = pd.Series(d.to_numpy()).groupby(angle.to_numpy()).quantile(0.98)
        assert loin.max() / loin.min() > 1.5, (code, loin.to_dict())  # a disc would give ~1 in every direction
