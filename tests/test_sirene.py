"""SIRENE ingestion on tiny fixtures in the exact stock formats; figures hand-computed from
tests/fixtures/sirene/fabriquer.py (see the comments next to each expectation)."""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import duckdb
import pytest
from pyproj import CRS, Transformer

from esscore import ess, geography, indicators
from esscore.build import build, ingest_sirene, load_geography
from esscore.errors import DonneesInvalides
from esscore.ingest.sirene import EMPRISES, load_sirene
from esscore.sirene_schema import ETABLISSEMENT_COLUMNS, UNITE_LEGALE_COLUMNS
from tests.ecrivains import geographie_reduite

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
    # SCOP Beta (Chauray), Mutuelle Gamma, association P. Closed, abroad, unknown code: out. SAS ESS Epsilon, a
    # commercial company of the ESS, is outside INSEE's statistical perimeter (legal perimeter only).
    assert pano["etablissements"] == 7
    assert pano["etablissements_employeurs"] == 6  # all but the NN/N establishment
    assert pano["salaries_estimes"] == 122.0  # 34.5 + 7.5 (empty flag, band 03) + 74.5 + 4 + 1.5 + 0
    # private employers outside the excluded activities: the ESS ones + SAS ESS 1.5 + SAS 374.5 + foreign 4 + EI
    # 1.5; the syndicat (94.20Z) is an excluded activity on both sides; GIP and commune are public
    assert pano["part_emploi_prive"] == pytest.approx(122 / 503.5, abs=1e-4)
    assert pano["etablissements_pour_1000_hab"] == pytest.approx(7 / 123389 * 1000, abs=1e-4)
    familles = {f["famille"]: f for f in pano["familles"]}
    assert set(familles) == {"Associations", "Coopératives", "Mutuelles"}
    assert familles["Associations"]["etablissements"] == 5
    assert familles["Coopératives"]["salaries_estimes"] == "s"  # one establishment: secret, never 0


def test_legal_perimeter_keeps_excluded_activities(db_file: Path) -> None:
    pano = _panorama(db_file, "epci:200041317", "legal")
    assert pano["etablissements"] == 9  # + syndicat (94.20Z) + SAS ESS Epsilon
    # Published « s »: légal − statistique (122, shown) would give the 9 salariés of those two establishments
    # (complementary secrecy, esscore.secret). The figure itself, as built:
    assert pano["salaries_estimes"] == "s" and pano["part_emploi_prive"] == "s"
    with duckdb.connect(str(db_file), read_only=True) as con:
        salaries, part = con.execute("SELECT salaries_estimes, part_emploi_prive FROM indicateurs "
                                     "WHERE id = 'epci:200041317' AND perimetre = 'legal'").fetchone()  # fmt: skip
    assert salaries == 131.0
    # the same activities on both sides: the syndicat's 7.5 salariés join the private denominator too
    assert part == pytest.approx(131 / 511, abs=1e-4)


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
    assert niort["salaries_estimes"] == 113 and niort["secret"] is False  # 114.5 - SAS ESS Epsilon (légal only)


@pytest.mark.parametrize("files", [PARQUET, ZIP], ids=["parquet", "zip"])
def test_formats_give_identical_figures(tmp_path: Path, db_file: Path, files: tuple[Path, Path]) -> None:
    db = tmp_path / "ess.duckdb"
    build(db, progress=lambda _m: None, sirene=files, couverture="nationale")  # as db_file (tests/conftest.py)
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


# ------------------------------------------------------------------ audit issue 17 (F11): duplicates, positions


def _lignes(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _ecrire(path: Path, columns: tuple[str, ...], rows: list[dict[str, str]]) -> Path:
    """CSV exactly like the INSEE stock (and tests/fixtures/sirene/fabriquer.py): header, commas, minimal quotes."""
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns, quoting=csv.QUOTE_MINIMAL)
        writer.writeheader()
        writer.writerows(rows)
    return path


def _doubler(tmp_path: Path, source: Path) -> Path:
    """The stock file with every line twice (a download appended to itself), same format as ``source``."""
    target = tmp_path / f"double_{source.name}"
    if source.suffix == ".csv":
        lines = source.read_text("utf-8").splitlines()
        target.write_text("\n".join([lines[0], *lines[1:], *lines[1:]]) + "\n", "utf-8")
    else:  # parquet, keeping the published column types
        src = str(source).replace("'", "''")
        with duckdb.connect() as con:
            con.execute(f"""COPY (SELECT * FROM read_parquet('{src}') UNION ALL SELECT * FROM read_parquet('{src}'))
                            TO '{target}' (FORMAT parquet)""")  # fmt: skip
    return target


def _rapport(db: Path) -> dict[str, str]:
    with duckdb.connect(str(db), read_only=True) as con:
        return dict(con.execute("SELECT cle, valeur FROM ingestion_rapport").fetchall())


@pytest.fixture(scope="module")
def geo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The communes of the fixture files (Deux-Sèvres, Paris) and of the overseas cases, nothing else:
    an ingestion then takes a fraction of a second instead of a full build."""
    return geographie_reduite(tmp_path_factory.mktemp("geo") / "geographie", ("79", "75", "974", "973"))


def _ingerer(db: Path, geo: Path, fichiers: tuple[Path, Path], progress=lambda _m: None) -> Path:  # noqa: ANN001
    """The real ingestion (``load_sirene``) on a small geography, without the rest of the build."""
    with duckdb.connect(str(db)) as con:
        load_geography(con, geo)
        load_sirene(con, *fichiers, progress=progress)
    return db


FIGURES = """SELECT (SELECT count(*) FROM etablissements_ess), (SELECT sum(salaries) FROM etablissements_ess),
                    (SELECT sum(employeurs) FROM emploi_prive), (SELECT sum(salaries) FROM emploi_prive)"""


def _figures(db: Path) -> tuple:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(FIGURES).fetchall()[0]


@pytest.mark.parametrize("files", [CSV, PARQUET], ids=["csv", "parquet"])
def test_duplicated_siret_counted_once(tmp_path: Path, db_file: Path, geo: Path, files: tuple[Path, Path]) -> None:
    """Audit F11: every establishment twice in the stock gave twice the establishments. 17 of the 18
    fixture lines are active (the closed one is never read), so 17 duplicated lines are dropped."""
    db = _ingerer(tmp_path / "ess.duckdb", geo, (_doubler(tmp_path, files[0]), files[1]))
    assert _figures(db) == _figures(db_file) == (12, 283.5, 12, 660.5)
    rapport = _rapport(db)
    assert rapport["siret_en_double"] == "17" and rapport["siren_en_double"] == "0"
    assert rapport["etablissements_ess_actifs"] == "12"
    assert _rapport(db_file)["siret_en_double"] == "0"


@pytest.mark.parametrize("files", [CSV, PARQUET], ids=["csv", "parquet"])
def test_duplicated_siren_counted_once(tmp_path: Path, db_file: Path, geo: Path, files: tuple[Path, Path]) -> None:
    """A legal unit twice doubled each of its establishments through the join. 10 units of the fixture are
    kept (ESS candidates, public bodies, the foreign body flagged ESS): 10 duplicated lines dropped."""
    db = _ingerer(tmp_path / "ess.duckdb", geo, (files[0], _doubler(tmp_path, files[1])))
    assert _figures(db) == _figures(db_file)
    rapport = _rapport(db)
    assert rapport["siren_en_double"] == "10" and rapport["siret_en_double"] == "0"


@pytest.mark.parametrize("ordre", ["ancienne_d_abord", "recente_d_abord"])
def test_duplicate_kept_is_deterministic(tmp_path: Path, geo: Path, ordre: str) -> None:
    """Whatever the line order: the active line wins, then the latest ``dateDernierTraitement…``."""
    etab, ul = _lignes(CSV[0]), _lignes(CSV[1])
    beta = next(r for r in etab if r["siret"] == "99000000200015")
    date = "dateDernierTraitementEtablissement"
    recente = beta | {"trancheEffectifsEtablissement": "11", date: "2025-12-01T08:00:00"}
    fermee = beta | {"etatAdministratifEtablissement": "F", date: "2025-12-02T08:00:00"}  # the active line wins
    scop = next(r for r in ul if r["siren"] == "990000002")
    scop_fermee = scop | {"etatAdministratifUniteLegale": "C", "denominationUniteLegale": "SCOP BETA CESSEE",
                          "dateDernierTraitementUniteLegale": "2025-12-02T08:00:00"}  # fmt: skip
    extra_etab, extra_ul = [recente, fermee], [scop_fermee]
    if ordre == "recente_d_abord":
        etab, ul = [*extra_etab, *etab], [*extra_ul, *ul]
    else:
        etab, ul = [*etab, *extra_etab], [*ul, *extra_ul]
    fichiers = (_ecrire(tmp_path / "e.csv", ETABLISSEMENT_COLUMNS, etab),
                _ecrire(tmp_path / "u.csv", UNITE_LEGALE_COLUMNS, ul))  # fmt: skip
    db = _ingerer(tmp_path / "ess.duckdb", geo, fichiers)
    with duckdb.connect(str(db), read_only=True) as con:
        kept = con.execute("SELECT tranche, salaries, nom FROM etablissements_ess WHERE siret = '99000000200015'")
        assert kept.fetchall() == [("11", 14.5, "SCOP BETA")]
    rapport = _rapport(db)
    assert rapport["siret_en_double"] == "1" and rapport["siren_en_double"] == "1"


def test_cli_reports_duplicates(tmp_path: Path) -> None:
    out = subprocess.run([sys.executable, "-m", "esscore.cli", "ingest", "sirene",
                          "--etablissements", str(_doubler(tmp_path, CSV[0])),
                          "--unites-legales", str(_doubler(tmp_path, CSV[1])), "--db", str(tmp_path / "x.duckdb")],
                         capture_output=True, text=True, check=True)  # fmt: skip
    assert "17 ligne(s) en double (même SIRET)" in out.stderr
    assert "10 ligne(s) en double (même SIREN)" in out.stderr
    assert "siret_en_double : 17" in out.stderr and "siren_en_double : 10" in out.stderr


def _utm(epsg: int, lon: float, lat: float) -> tuple[str, str]:
    x, y = Transformer.from_crs(4326, epsg, always_xy=True).transform(lon, lat)
    return f"{x:.1f}", f"{y:.1f}"


def test_absurd_coordinates_lose_their_position_not_their_count(tmp_path: Path, geo: Path) -> None:
    """Audit F11: x = -1e308 in Lambert-93 was projected to latitude -90 and kept. Each position is now
    checked against its territory's extent in the CRS INSEE uses there; a bad one is removed, reported,
    and the establishment stays counted in its commune."""
    rows = _lignes(CSV[0])
    bad = {  # siret: (x, y)
        "99000000100011": ("-1e308", "6588100"),  # finite but absurd: was (-121.0, -90.0)
        "99000000100029": ("0", "0"),  # origin of Lambert-93: off the coast of Gabon
        "99000000200015": ("NaN", "inf"),
        "99000000300013": ("abc", "6589000.0"),
        "99000000500011": ("431000.0", ""),  # half a coordinate
    }
    cx, cy = "coordonneeLambertAbscisseEtablissement", "coordonneeLambertOrdonneeEtablissement"
    for row in rows:
        if row["siret"] in bad:
            row[cx], row[cy] = bad[row["siret"]]
    delta = next(r for r in rows if r["siret"] == "99000000400012")

    def ajout(nic: str, commune: str, xy: tuple[str, str]) -> dict[str, str]:
        return delta | {"nic": nic, "siret": "990000004" + nic, "codeCommuneEtablissement": commune,
                        cx: xy[0], cy: xy[1]}  # fmt: skip

    rows += [
        ajout("00020", "97411", _utm(2975, 55.45, -20.88)),  # Saint-Denis de La Réunion, UTM 40S: kept
        ajout("00038", "97411", ("431500.5", "6588000.2")),  # Niort's Lambert-93 read as UTM 40S: lat -30.8
        ajout("00046", "97311", _utm(2972, -54.03, 5.49)),  # Saint-Laurent-du-Maroni, west of UTM 22N's 54° W
    ]
    messages: list[str] = []
    fichiers = (_ecrire(tmp_path / "e.csv", ETABLISSEMENT_COLUMNS, rows), CSV[1])
    db = _ingerer(tmp_path / "ess.duckdb", geo, fichiers, messages.append)
    with duckdb.connect(str(db), read_only=True) as con:
        query = "SELECT siret, commune, x, y, lon, lat FROM etablissements_ess"
        got = {r[0]: r[1:] for r in con.execute(query).fetchall()}
    assert len(got) == 12 + 3  # every establishment kept
    removed = [*bad, "99000000400038"]
    assert all(got[s][1:] == (None, None, None, None) and got[s][0] for s in removed), {s: got[s] for s in removed}
    assert _rapport(db)["ess_position_hors_emprise"] == str(len(removed)) == "6"
    assert any("6 position(s) illisible(s) ou hors du territoire" in m for m in messages)
    lon, lat = got["99000000400020"][3:]
    assert lon == pytest.approx(55.45, abs=1e-5) and lat == pytest.approx(-20.88, abs=1e-5)
    lon, lat = got["99000000400046"][3:]
    assert lon == pytest.approx(-54.03, abs=1e-5) and lat == pytest.approx(5.49, abs=1e-5)
    assert got["99000000400012"][3:] == pytest.approx((2.386909, 48.838479))  # Paris, untouched
    boxes = [b[:4] for b in EMPRISES.values()]
    for commune, _x, _y, lon, lat in got.values():
        assert (lon is None) == (lat is None)
        if lon is not None:
            assert any(w <= lon <= e and s <= lat <= n for w, s, e, n in boxes), (commune, lon, lat)
    with duckdb.connect(str(db), read_only=True) as con:
        epci = indicators.indicateurs(con, ["epci:200041317"]).iloc[0]
    assert epci["etablissements"] == 7 and epci["salaries_estimes"] == 122  # counts unchanged


def test_extents_are_the_epsg_areas_of_use(db_file: Path) -> None:
    """EMPRISES are the EPSG areas of use of each CRS's datum; every département has one."""
    for epsg, (west, south, east, north, _label) in EMPRISES.items():
        area = CRS.from_epsg(epsg).geodetic_crs.area_of_use
        assert (west, south, east, north) == pytest.approx(area.bounds, abs=0.011), epsg
    with duckdb.connect(str(db_file), read_only=True) as con:
        deps = [r[0] for r in con.execute("SELECT DISTINCT departement FROM communes").fetchall()]
    assert {ess.epsg_for_departement(d) for d in deps} <= set(EMPRISES)


@pytest.mark.parametrize("argument", ["--etablissements", "--unites-legales"])
def test_folder_given_as_file(tmp_path: Path, db_file: Path, argument: str) -> None:
    """Audit F11: a folder gave « Erreur inattendue (IsADirectoryError) »."""
    db = tmp_path / "ess.duckdb"
    shutil.copy(db_file, db)
    before = db.read_bytes()
    dossier = tmp_path / "telechargements"
    dossier.mkdir()
    etab, ul = (dossier, CSV[1]) if argument == "--etablissements" else (CSV[0], dossier)
    with pytest.raises(DonneesInvalides, match=f"est un dossier : donnez le chemin du fichier .*\\({argument}\\)"):
        ingest_sirene(etab, ul, db, progress=lambda _m: None)
    assert db.read_bytes() == before
    out = subprocess.run([sys.executable, "-m", "esscore.cli", "ingest", "sirene", "--etablissements", str(etab),
                          "--unites-legales", str(ul), "--db", str(db)], capture_output=True, text=True)  # fmt: skip
    assert out.returncode == 2 and "Erreur inattendue" not in out.stderr and "Traceback" not in out.stderr
    assert "est un dossier" in out.stderr and argument in out.stderr
    assert db.read_bytes() == before
    with pytest.raises(DonneesInvalides, match=f"introuvable : « .*absent.csv ».*|\\({argument}\\) introuvable"):
        ingest_sirene(*((tmp_path / "absent.csv", ul) if etab == dossier else (etab, tmp_path / "absent.csv")), db)


def test_temp_folders_are_ess_prefixed_and_removed(tmp_path: Path, geo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A killed ingestion may leave only ``ess-*`` folders in the system temp dir (swept at start-up);
    a finished one leaves none, and DuckDB can still spill after the zip folder is gone."""
    systmp = tmp_path / "systmp"
    systmp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(systmp))
    seen: set[str] = set()
    con = duckdb.connect()
    load_geography(con, geo)
    load_sirene(con, ZIP[0], ZIP[1], progress=lambda _m: seen.update(p.name for p in systmp.iterdir()))
    assert seen and all(name.startswith("ess-") for name in seen), seen
    spill = Path(con.execute("SELECT current_setting('temp_directory')").fetchall()[0][0])
    assert spill.parent == systmp and spill.name.startswith("ess-")
    con.execute("SET memory_limit = '64MB'; SET threads = 1")
    con.execute("CREATE TABLE gros AS SELECT md5(range::VARCHAR) AS h FROM range(2000000) ORDER BY h")
    con.close()
    assert list(systmp.iterdir()) == []
