"""Territory model on the real 2026 geography shipped in data/geographie/."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from esscore import geography
from esscore.errors import TerritoireInconnu


def test_reference_counts(con) -> None:
    counts = dict(con.execute("SELECT type, count(*) FROM territoires GROUP BY type").fetchall())
    assert counts == {"commune": 34969, "epci": 1255, "departement": 101, "region": 18, "france": 1}
    kinds = dict(con.execute("SELECT type, count(*) FROM passage_communes GROUP BY type").fetchall())
    assert kinds == {"commune-actuelle": 34969, "commune-deleguee": 2105, "commune-associee": 471,
                     "arrondissement-municipal": 45}  # fmt: skip
    types = dict(con.execute("SELECT type, count(*) FROM epci GROUP BY type").fetchall())
    assert set(types) == {"CC", "CA", "CU", "ME"}


def test_niort_agglomeration(con) -> None:
    terr = geography.get(con, "epci:200041317")
    assert terr.nom == "CA du Niortais"
    data = geography.as_dict(con, terr)
    assert list(data) == ["type", "code", "nom", "population", "parents", "communes"]
    assert len(data["communes"]) == 40
    assert data["communes"][0]["nom"] == "Niort"
    assert terr.population == 123389
    assert [p["code"] for p in terr.parents] == ["79", "75", "FR"]


def test_commune_parents_and_alias(con) -> None:
    niort = geography.get(con, "commune:79191")
    assert [p["type"] for p in niort.parents] == ["epci", "departement", "region", "france"]
    paris12 = geography.get(con, "commune:75112")
    assert (paris12.code, paris12.nom) == ("75056", "Paris")
    assert "arrondissement municipal" in paris12.alias_de
    assert geography.get(con, "departement:2A").nom == "Corse-du-Sud"
    assert geography.get(con, "departement:974").parents[0]["code"] == "04"
    assert geography.get(con, "france").population > 66_000_000


@pytest.mark.parametrize(
    "raw",
    ["", "epci", "pays:12", "epci:12", "commune:99999", "region:99", "departement:20", "commune:<script>"],
)
def test_bad_identifiers_raise_french_error(con, raw: str) -> None:
    with pytest.raises(TerritoireInconnu) as err:
        geography.get(con, raw)
    assert any(word in str(err.value) for word in ("inconnu", "invalide", "mal formé"))


@pytest.mark.parametrize(
    ("text", "expected"),
    [("niort", "epci:200041317"), ("roumois", "epci:200066405"), ("cotentin", "epci:200067205"),
     ("NIORTAIS", "epci:200041317"), ("bretagne", "region:53"), ("79191", "commune:79191"),
     ("saint etienne metropole", "epci:244200770")],
)  # fmt: skip
def test_search_finds_right_territory_first(con, text: str, expected: str) -> None:
    assert geography.search(con, text).iloc[0]["id"] == expected


def test_search_is_accent_insensitive(con) -> None:
    ids = set(geography.search(con, "saint etienne").head(10)["id"])
    assert "commune:42218" in ids
    assert geography.search(con, "   ").empty


@pytest.mark.parametrize(
    ("text", "expected"),
    [("st denis", "commune:93066"), ("st denis", "commune:97411"), ("ST-DENIS", "commune:93066"),
     ("ste foy les lyon", "commune:69202"), ("chalon s/ saone", "commune:71076"), ("Chalon s/Saône", "commune:71076"),
     ("79000", "commune:79191"), ("79", "departement:79"), ("Deux-Sèvres", "departement:79"),
     ("deux sevres", "departement:79"), ("tolouse", "commune:31555"), ("bordaux", "commune:33063"),
     ("nirot", "commune:79191"), ("montpelier", "commune:34172"), ("epci:200041317", "epci:200041317")],
)  # fmt: skip
def test_search_forgives(con, text: str, expected: str) -> None:
    """Abbreviations (st, ste, s/), postcodes, département numbers and names, one typo, identifiers."""
    assert expected in set(geography.search(con, text, limit=15)["id"])


@pytest.mark.parametrize(
    ("text", "alias", "commune"),
    [("Paris 12", "75112", "75056"), ("paris 12e", "75112", "75056"), ("Lyon 3e", "69383", "69123"),
     ("Marseille 1er", "13201", "13055"), ("75112", "75112", "75056"),
     ("Cherbourg-Octeville", "50129", "50129")],
)  # fmt: skip
def test_search_resolves_arrondissements_and_old_communes_with_their_note(
    con, text: str, alias: str, commune: str
) -> None:
    first = geography.search(con, text).iloc[0]
    assert (first["id"], first["code"]) == (f"commune:{alias}", commune)
    assert "»" in first["note"] and "→" in first["libelle"]
    terr = geography.get(con, first["id"])  # what the picker opens
    assert terr.code == commune
    if alias != commune:
        assert terr.alias_de and alias in terr.alias_de


def test_search_ranking(con) -> None:
    """Codes first; exact and prefix names before typos; EPCI before communes; larger populations first."""
    niort = list(geography.search(con, "niort")["id"])
    assert niort[:2] == ["epci:200041317", "commune:79191"]
    found = geography.search(con, "saint denis", limit=30)
    exact = found[found["nom"] == "Saint-Denis"]
    assert list(exact["code"][:2]) == ["97411", "93066"]  # the larger one first
    assert exact["population"].is_monotonic_decreasing
    typo = list(geography.search(con, "tolouse")["id"])
    assert typo.index("epci:243100518") < typo.index("commune:31555")  # the métropole, then its town
    postcode = geography.search(con, "79000")
    assert postcode.iloc[0]["id"] == "commune:79191" and postcode.iloc[0]["note"] == "code postal 79000"
    for text in ("paris", "paris 1", "a", "saint", "sartilly"):
        ids = geography.search(con, text)["id"]
        assert ids.is_unique, text


def test_search_words_spell_abbreviations_out() -> None:
    assert geography.mots_recherche("St-Denis") == ["saint", "denis"]
    assert geography.mots_recherche("Ste Foy") == ["sainte", "foy"]
    assert geography.mots_recherche("st") == ["st"]  # alone, maybe the start of Strasbourg
    assert geography.mots_recherche("Chalon s/ Saône") == ["chalon", "sur", "saone"]
    assert geography.mots_recherche("Paris 12ème") == ["paris", "12"]
    assert geography.mots_recherche("Marseille 1er") == ["marseille", "1"]


def test_contours_cover_every_metro_commune(con) -> None:
    missing = con.execute("""
        SELECT count(*) FROM communes c LEFT JOIN contours_communes g USING (code)
        WHERE g.code IS NULL AND c.zone <> 'com'""").fetchall()[0][0]
    assert missing == 4  # the four restored Cantal communes (see rapport_rapprochement.json)
    sizes = con.execute("SELECT sum(length(geojson_national)) FROM contours_epci").fetchall()[0][0]
    assert sizes < 3_000_000


def test_cli_territoire_json(db_env) -> None:
    out = subprocess.run([sys.executable, "-m", "esscore.cli", "territoire", "epci:200041317", "--format", "json"],
                         capture_output=True, text=True, check=True)  # fmt: skip
    data = json.loads(out.stdout)
    assert data["nom"] == "CA du Niortais" and len(data["communes"]) == 40
    bad = subprocess.run([sys.executable, "-m", "esscore.cli", "territoire", "epci:000000000"],
                         capture_output=True, text=True)  # fmt: skip
    assert bad.returncode == 2 and "Traceback" not in bad.stderr and "inconnu" in bad.stderr


def test_build_failure_leaves_database_untouched(db_file, tmp_path, monkeypatch) -> None:
    from esscore import build as build_mod

    target = tmp_path / "ess.duckdb"
    target.write_bytes(db_file.read_bytes())
    before = target.read_bytes()

    def boom(con) -> None:
        raise build_mod.EssError("échec simulé")

    monkeypatch.setattr(build_mod, "check_geography", boom)
    with pytest.raises(build_mod.EssError):
        build_mod.build(target, progress=lambda _m: None)
    assert target.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["ess.duckdb"]
