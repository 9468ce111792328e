"""SIRENE ingestion on tiny fixtures in the exact stock formats; figures hand-computed from
tests/fixtures/sirene/fabriquer.py (see the comments next to each expectation)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import duckdb
import pytest

from esscore import geography, indicators
from esscore.build import build, ingest_sirene
from esscore.errors import DonneesInvalides

SIRENE = Path(__file__).parent / "fixtures" / "sirene"
CSV = (SIRENE / "StockEtablissement_utf8.csv", SIRENE / "StockUniteLegale_utf8.csv")
PARQUET = (SIRENE / "StockEtablissement_utf8.parquet", SIRENE / "StockUniteLegale_utf8.parquet")
ZIP = (SIRENE / "StockEtablissement_utf8.zip", SIRENE / "StockUniteLegale_utf8.zip")


def _panorama(db: Path, territoire: str, perimetre: str = "statistique") -> dict:
    with duckdb.connect(str(db), read_only=True) as con:
        return indicators.panorama(con, geography.get(con, territoire), perimetre)


def test_can_statistical_perimeter(db_file: Path) -> None:
    pano = _panorama(db_file, "epci:200041317")
    # ESS, active, in the CAN: Alpha ×4 (Niort 12, Niort NN, déléguée Priaires→Val-du-Mignon, Niort 00),
    # SCOP Beta (Chauray), Mutuelle Gamma, SAS ESS Epsilon, association P. Closed, abroad, unknown code: out.
    assert pano["etablissements"] == 8
    assert pano["etablissements_employeurs"] == 7  # all but the NN/N establishment
    assert pano["salaries_estimes"] == 123.5  # 34.5 + 7.5 (empty flag, band 03) + 74.5 + 1.5 + 4 + 1.5 + 0
    # private employers: the ESS ones + SAS 374.5 + foreign 4 + syndicat 7.5 + EI 1.5; GIP and commune are public
    assert pano["part_emploi_prive"] == pytest.approx(123.5 / 511, abs=1e-4)
    assert pano["etablissements_pour_1000_hab"] == pytest.approx(8 / 123389 * 1000, abs=1e-4)
    familles = {f["famille"]: f for f in pano["familles"]}
    assert set(familles) == {"Associations", "Coopératives", "Mutuelles", "Sociétés commerciales de l'ESS"}
    assert familles["Associations"]["etablissements"] == 5
    assert familles["Coopératives"]["salaries_estimes"] == "s"  # one establishment: secret, never 0


def test_legal_perimeter_keeps_excluded_activities(db_file: Path) -> None:
    pano = _panorama(db_file, "epci:200041317", "legal")
    assert pano["etablissements"] == 9  # + syndicat (94.20Z)
    assert pano["salaries_estimes"] == 131.0


def test_public_and_foreign_bodies_never_ess_and_arrondissements_roll_up(db_file: Path) -> None:
    with duckdb.connect(str(db_file), read_only=True) as con:
        sirens = {r[0] for r in con.execute("SELECT DISTINCT siren FROM etablissements_ess").fetchall()}
        paris = con.execute(
            "SELECT commune, code_commune_source FROM etablissements_ess WHERE siren='990000004'"
        ).fetchall()
        report = dict(con.execute("SELECT cle, valeur FROM ingestion_rapport").fetchall())
        p_row = con.execute("SELECT nom, lon, lat FROM etablissements_ess WHERE siren = '990000009'").fetchall()
        located = con.execute("SELECT lon, lat FROM etablissements_ess WHERE siret = '99000000100011'").fetchall()
    assert {"990000006", "990000007", "990000008", "990000011", "990000012"}.isdisjoint(sirens)
    assert paris == [("75056", "75112")]
    assert report["ess_a_l_etranger"] == "1" and report["ess_code_commune_inconnu"] == "1"
    assert "79999" in report["codes_inconnus_exemples"]
    assert p_row == [(None, None, None)]
    lon, lat = located[0]
    assert -0.6 < lon < -0.3 and 46.2 < lat < 46.5  # Lambert-93 → WGS84 near Niort


def test_each_establishment_counted_once(db_file: Path) -> None:
    with duckdb.connect(str(db_file), read_only=True) as con:
        rows, distinct = con.execute("SELECT count(*), count(DISTINCT siret) FROM etablissements_ess").fetchall()[0]
        dup_codes = con.execute("SELECT count(*) - count(DISTINCT code) FROM code_commune_2026").fetchall()[0][0]
    assert rows == distinct and dup_codes == 0


def test_secrecy_on_single_employer_commune(db_file: Path) -> None:
    pano = _panorama(db_file, "commune:79081")  # Chauray: SCOP Beta only
    assert pano["etablissements_employeurs"] == 1 and pano["salaries_estimes"] == "s"
    assert pano["part_emploi_prive"] == "s"
    niort = _panorama(db_file, "commune:79191")
    assert niort["salaries_estimes"] == 114.5 and niort["secret"] is False


@pytest.mark.parametrize("files", [PARQUET, ZIP], ids=["parquet", "zip"])
def test_formats_give_identical_figures(tmp_path: Path, db_file: Path, files: tuple[Path, Path]) -> None:
    db = tmp_path / "ess.duckdb"
    build(db, progress=lambda _m: None, sirene=files)
    assert _panorama(db, "epci:200041317") == _panorama(db_file, "epci:200041317") | {
        "millesime": _panorama(db, "epci:200041317")["millesime"]
    }


def test_cli_panorama_and_etablissements(db_env: Path) -> None:
    run = [sys.executable, "-m", "esscore.cli"]
    out = subprocess.run([*run, "panorama", "--territoire", "epci:200041317", "--format", "json"],
                         capture_output=True, text=True, check=True)  # fmt: skip
    data = json.loads(out.stdout)
    for key in ("territoire", "demo", "source", "millesime", "etablissements", "etablissements_employeurs",
                "salaries_estimes", "part_emploi_prive", "etablissements_pour_1000_hab", "familles", "secteurs",
                "tranches", "communes", "comparaison", "chiffres_publies"):  # fmt: skip
        assert key in data
    assert [c["type"] for c in data["comparaison"]] == ["departement", "region", "france"]
    csv_out = subprocess.run([*run, "etablissements", "--territoire", "epci:200041317"],
                             capture_output=True, text=True, check=True).stdout  # fmt: skip
    assert "SCOP BETA" in csv_out and "[non diffusible]" in csv_out and "99000000900017" not in csv_out
    geo = json.loads(subprocess.run([*run, "etablissements", "--territoire", "commune:79191", "--format", "geojson"],
                                    capture_output=True, text=True, check=True).stdout)  # fmt: skip
    hidden = [f for f in geo["features"] if f["properties"]["nom"] == "[non diffusible]"]
    assert hidden and all(f["geometry"] is None and f["properties"]["siret"] is None for f in hidden)


def _bad(tmp_path: Path, name: str, content: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    return path


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("missing_column", "trancheEffectifsEtablissement"),
        ("swapped", "Inversez"),
        ("latin1", "UTF-8"),
        ("truncated_parquet", "tronqué"),
        ("truncated_zip", "tronqué"),
        ("empty", "vide"),
        ("bomb", "anormal"),
    ],
)
def test_bad_input_leaves_database_byte_identical(tmp_path: Path, db_file: Path, case: str, expected: str) -> None:
    db = tmp_path / "ess.duckdb"
    shutil.copy(db_file, db)
    before = db.read_bytes()
    etab, ul = CSV
    header = etab.read_text("utf-8").splitlines()
    if case == "missing_column":
        cols = header[0].split(",")
        idx = cols.index("trancheEffectifsEtablissement")
        lines = [",".join(c for i, c in enumerate(line.split(",")) if i != idx) for line in header[:3]]
        etab = _bad(tmp_path, "etab.csv", ("\n".join(lines) + "\n").encode())
    elif case == "swapped":
        etab, ul = ul, etab
    elif case == "latin1":
        etab = _bad(tmp_path, "etab.csv", etab.read_text("utf-8").replace("ÉCOLES", "ÉCOLES\u00e9").encode("latin-1"))
    elif case == "truncated_parquet":
        etab = _bad(tmp_path, "etab.parquet", PARQUET[0].read_bytes()[:3000])
    elif case == "truncated_zip":
        etab = _bad(tmp_path, "etab.zip", ZIP[0].read_bytes()[:500])
    elif case == "empty":
        etab = _bad(tmp_path, "etab.csv", b"")
    elif case == "bomb":
        etab = tmp_path / "bomb.zip"
        with zipfile.ZipFile(etab, "w", zipfile.ZIP_DEFLATED) as zf:
            zf.writestr("StockEtablissement_utf8.csv", header[0] + "\n" + "\n" * 30_000_000)
    with pytest.raises(DonneesInvalides) as err:
        ingest_sirene(etab, ul, db, progress=lambda _m: None)
    assert expected in str(err.value)
    assert db.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_cli_bad_input_exit_code(tmp_path: Path, db_env: Path) -> None:
    bad = _bad(tmp_path, "etab.csv", b"")
    out = subprocess.run([sys.executable, "-m", "esscore.cli", "ingest", "sirene", "--etablissements", str(bad),
                          "--unites-legales", str(CSV[1]), "--db", str(tmp_path / "x.duckdb")],
                         capture_output=True, text=True)  # fmt: skip
    assert out.returncode == 2 and "vide" in out.stderr and "Traceback" not in out.stderr
    assert not (tmp_path / "x.duckdb").exists()
