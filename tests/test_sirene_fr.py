"""The files people download (issue 19, item 4): the sirene.fr « fichier personnalisé » (one joined CSV), the
geolocated per-département files, and what a partial extract may and may not say.

Fixtures: tests/fixtures/sirene_fr/ (written by its fabriquer.py from the rows of the stock fixtures, so that the
same establishments give the same figures whatever file they come in).
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from esscore import comparaison, geography, indicators
from esscore.build import build, ingest_sirene, load_geography, read_meta
from esscore.cli import main
from esscore.errors import DonneesInvalides, EssError
from esscore.ingest import dispositions
from esscore.ingest.sirene import load_sirene
from esscore.sirene_schema import GEO_SIRENE_COLUMNS, SIRENE_FR_COLUMNS
from esscore.text import texte_litteral
from tests.ecrivains import geographie_reduite

ROOT = Path(__file__).resolve().parent.parent
STOCK = ROOT / "tests" / "fixtures" / "sirene"
UL = STOCK / "StockUniteLegale_utf8.csv"
FR = ROOT / "tests" / "fixtures" / "sirene_fr"
EXPORT = FR / "sirene_fr_export.csv"
GEO = FR / "geo_siret_79.csv"
NIORT = "epci:200041317"
TERRITOIRES = (NIORT, "commune:79191", "commune:79081", "departement:79", "region:75", "commune:75056",
               "departement:75", "region:11", "france:FR")  # fmt: skip
SILENCE = {"progress": lambda _m: None}


def _lignes(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh))


def _ecrire(path: Path, lignes: list[list[str]], separateur: str = ",", bom: bool = False) -> Path:
    buf = io.StringIO()
    csv.writer(buf, delimiter=separateur, lineterminator="\n").writerows(lignes)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + buf.getvalue().encode("utf-8"))
    return path


def _colonnes(path: Path, garder: list[str], cible: Path) -> Path:
    """The file with only the columns ``garder`` (a user's subset of the sirene.fr variables)."""
    lignes = _lignes(path)
    idx = [lignes[0].index(c) for c in garder]
    return _ecrire(cible, [[ligne[i] for i in idx] for ligne in lignes])


@pytest.fixture(scope="module")
def geo_reduite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return geographie_reduite(tmp_path_factory.mktemp("geo") / "geographie", ("79", "75"))


def _charger(geo: Path, *fichiers: Path) -> tuple[duckdb.DuckDBPyConnection, dict]:
    """The real ingestion on a small geography (a fraction of a second): connection and report."""
    con = duckdb.connect()
    load_geography(con, geo)
    return con, load_sirene(con, *fichiers, **SILENCE)


FIGURES = """SELECT (SELECT count(*) FROM etablissements_ess), (SELECT sum(salaries) FROM etablissements_ess),
                    (SELECT count(*) FROM etablissements_ess WHERE employeur),
                    (SELECT sum(employeurs) FROM emploi_prive), (SELECT sum(salaries) FROM emploi_prive)"""


def _chiffres(con: duckdb.DuckDBPyConnection) -> tuple:
    return (con.execute(FIGURES).fetchall()[0],
            con.execute("SELECT * FROM indicateurs ORDER BY id, perimetre").fetchall())  # fmt: skip


@pytest.fixture(scope="module")
def base_sirene_fr(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database loaded by the CLI from the joined export alone (« --fichier-sirene-fr »), real geography."""
    db = tmp_path_factory.mktemp("sirene_fr") / "ess.duckdb"
    assert main(["ingest", "sirene", "--fichier-sirene-fr", str(EXPORT), "--db", str(db)]) == 0
    return db


@pytest.fixture(scope="module")
def base_extrait(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database loaded from the geolocated file of one département (79) and the legal-units stock."""
    db = tmp_path_factory.mktemp("extrait") / "ess.duckdb"
    ingest_sirene(GEO, UL, db, **SILENCE)
    return db


# ------------------------------------------------------------------------------------------ sirene.fr export


def test_fixture_has_the_real_82_column_header() -> None:
    entete = _lignes(EXPORT)[0]
    assert tuple(entete) == SIRENE_FR_COLUMNS and len(entete) == 82
    assert dispositions.disposition(set(entete)) == "joint"
    assert dispositions.disposition(set(_lignes(GEO)[0])) == "etablissements"
    assert dispositions.geolocalise(set(_lignes(GEO)[0])) and tuple(_lignes(GEO)[0]) == GEO_SIRENE_COLUMNS


def _sans_source(data: dict) -> dict:
    """A panorama without what names the file or its coverage (the sirene.fr export is a partial extract)."""
    retirer = {"source", "millesime", "perimetre_complet", "couverture", "departements_couverts"}
    out = {k: v for k, v in data.items() if k not in retirer}
    out["comparaison"] = [{k: v for k, v in c.items() if k not in retirer} for c in data["comparaison"]]
    return out


def test_sirene_fr_export_gives_the_figures_of_the_stock_pair(base_sirene_fr: Path, db_file: Path) -> None:
    with duckdb.connect(str(base_sirene_fr), read_only=True) as fr, duckdb.connect(str(db_file), read_only=True) as st:
        for perimetre in ("statistique", "legal"):
            assert indicators.indicateurs(fr, list(TERRITOIRES), perimetre).equals(
                indicators.indicateurs(st, list(TERRITOIRES), perimetre)
            )
        for tid in (NIORT, "commune:75056", "france:FR"):
            for axe in ("famille", "secteur", "taille"):
                assert indicators.repartition(fr, tid, axe).equals(indicators.repartition(st, tid, axe)), (tid, axe)
            assert _sans_source(indicators.panorama(fr, geography.get(fr, tid))) == _sans_source(
                indicators.panorama(st, geography.get(st, tid))
            )
            terr_fr, terr_st = geography.get(fr, tid), geography.get(st, tid)
            assert indicators.etablissements(fr, terr_fr).equals(indicators.etablissements(st, terr_st))
        rapport = dict(fr.execute("SELECT cle, valeur FROM ingestion_rapport").fetchall())
        source = fr.execute("SELECT titre, paquet FROM sources WHERE id = 'sirene'").fetchall()[0]
    # one line per establishment: a legal unit with several establishments is not a duplicated SIREN
    assert rapport["siren_en_double"] == "0" and rapport["siret_en_double"] == "0"
    assert rapport["disposition"].startswith("fichier personnalisé sirene.fr")
    assert "sirene.fr" in source[0] and source[1] == EXPORT.name


def test_same_file_twice_still_works(geo_reduite: Path) -> None:
    """The undocumented way of earlier versions: the joined file as both stock files."""
    deux_fois, rapport = _charger(geo_reduite, EXPORT, EXPORT)
    option, _ = _charger(geo_reduite, EXPORT)
    stock, _ = _charger(geo_reduite, STOCK / "StockEtablissement_utf8.csv", UL)
    assert _chiffres(deux_fois) == _chiffres(option) == _chiffres(stock)
    assert rapport["siren_en_double"] == 0


def test_spreadsheet_resave_and_column_subset_read_the_same(geo_reduite: Path, tmp_path: Path) -> None:
    """Semicolons and a BOM (a re-save in a spreadsheet), or only some of the variables chosen on sirene.fr."""
    reference, _ = _charger(geo_reduite, EXPORT)
    point_virgule = _ecrire(tmp_path / "export.csv", _lignes(EXPORT), ";", bom=True)
    tabulation = _ecrire(tmp_path / "export.tsv", _lignes(EXPORT), "\t")
    variables = [c for c in SIRENE_FR_COLUMNS if c.startswith(("siren", "siret", "statut", "tranche", "annee",
                                                                "codeCommune", "etat", "activite", "nomenclature",
                                                                "caractere", "categorieJ", "economie", "denomination",
                                                                "coordonnee", "dateDernier"))]  # fmt: skip
    sous_ensemble = _colonnes(EXPORT, variables, tmp_path / "variables.csv")
    assert len(variables) < 76
    for fichier in (point_virgule, tabulation, sous_ensemble):
        con, _ = _charger(geo_reduite, fichier)
        assert _chiffres(con) == _chiffres(reference), fichier.name


@pytest.mark.parametrize(
    "absentes",
    [("categorieJuridiqueUniteLegale",), ("caractereEmployeurEtablissement", "economieSocialeSolidaireUniteLegale")],
)
def test_missing_variables_are_named_in_french(geo_reduite: Path, tmp_path: Path, absentes: tuple[str, ...]) -> None:
    fichier = _colonnes(EXPORT, [c for c in SIRENE_FR_COLUMNS if c not in absentes], tmp_path / "liste.csv")
    with pytest.raises(DonneesInvalides) as err:
        _charger(geo_reduite, fichier)
    message = str(err.value)
    assert "liste.csv" in message and f"{len(absentes)} variable(s) obligatoire(s) absente(s)" in message
    assert all(c in message for c in absentes)
    assert "Catégorie juridique de l'unité légale" in message if "categorieJuridiqueUniteLegale" in absentes else (
        "Caractère employeur de l'établissement" in message)  # fmt: skip
    assert "sirene.fr" in message and "cochez" in message


def test_wrong_file_for_the_option_says_which_option(geo_reduite: Path, tmp_path: Path) -> None:
    with pytest.raises(DonneesInvalides, match="--etablissements"):
        _charger(geo_reduite, GEO)  # a geolocated establishments file has no legal-unit column
    latin1 = tmp_path / "latin1.csv"
    latin1.write_bytes(EXPORT.read_text("utf-8").replace("ÉCOLES", "ÉCOLES é").encode("latin-1"))
    with pytest.raises(DonneesInvalides, match="UTF-8"):
        _charger(geo_reduite, latin1)


def test_export_filtered_on_the_ess_is_flagged(geo_reduite: Path, tmp_path: Path) -> None:
    """Without the other private employers the ESS share of private employment would read 100 %: said."""
    lignes = _lignes(EXPORT)
    familles = {"990000001", "990000002", "990000003", "990000004", "990000005", "990000009", "990000010"}
    ess = _ecrire(tmp_path / "ess.csv", [lignes[0], *(ligne for ligne in lignes[1:] if ligne[0] in familles)])
    messages: list[str] = []
    con = duckdb.connect()
    load_geography(con, geo_reduite)
    rapport = load_sirene(con, ess, progress=messages.append)
    assert rapport["employeurs_prives_hors_ess"] == 0
    assert any("aucun employeur privé hors de l'ESS" in m for m in messages)
    _, complet = _charger(geo_reduite, EXPORT)
    assert complet["employeurs_prives_hors_ess"] > 0


def test_cli_options_mix_is_refused_in_french(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "ess.duckdb"
    assert main(["ingest", "sirene", "--fichier-sirene-fr", str(EXPORT), "--etablissements", str(GEO),
                 "--db", str(db)]) == 2  # fmt: skip
    assert "pas les deux" in capsys.readouterr().err
    assert main(["ingest", "sirene", "--etablissements", str(GEO), "--db", str(db)]) == 2
    assert "--unites-legales" in capsys.readouterr().err
    assert main(["ingest", "sirene", "--fichier-sirene-fr", str(tmp_path / "absent.csv"), "--db", str(db)]) == 2
    assert "--fichier-sirene-fr" in capsys.readouterr().err
    assert not db.exists()
    with pytest.raises(EssError):
        ingest_sirene(None, None, db, **SILENCE)


# ------------------------------------------------------------------------------------------ geolocated files


def _positions(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[float, float]]:
    lignes = con.execute("SELECT siret, lon, lat FROM etablissements_ess WHERE lon IS NOT NULL").fetchall()
    return {s: (lon, lat) for s, lon, lat in lignes}


def _attendues() -> dict[str, tuple[float, float]]:
    """The file's own positions of the ESS establishments that have a commune (Rome's is outside its territory)."""
    lignes = [dict(zip(_lignes(GEO)[0], ligne, strict=True)) for ligne in _lignes(GEO)[1:]]
    ess = {"990000001", "990000002", "990000003", "990000005"}
    return {r["siret"]: (float(r["longitude"]), float(r["latitude"])) for r in lignes
            if r["longitude"] and r["siren"] in ess and r["etatAdministratifEtablissement"] == "A"
            and r["codeCommuneEtablissement"] not in ("79999",) and float(r["longitude"]) < 10}  # fmt: skip


def test_geolocated_file_positions_are_used_as_given(geo_reduite: Path, tmp_path: Path) -> None:
    con, rapport = _charger(geo_reduite, GEO, UL)
    attendues = _attendues()
    assert len(attendues) == 5 and _positions(con) == attendues
    assert rapport["positions_wgs84_du_fichier"] == 5 and rapport["ess_position_hors_emprise"] == 1  # Rome
    assert rapport["disposition"].startswith("fichier géolocalisé")
    # gzipped as published (geo_siret_79.csv.gz): the same
    gz = tmp_path / "geo_siret_79.csv.gz"
    gz.write_bytes(gzip.compress(GEO.read_bytes()))
    con, _ = _charger(geo_reduite, gz, UL)
    assert _positions(con) == attendues
    # with Lambert-93 columns on every line (a point in Paris): the file's WGS84 position wins where it has one,
    # the Lambert-93 one is converted where it has none
    lignes = _lignes(GEO)
    lambert = [[*lignes[0], "coordonneeLambertAbscisseEtablissement", "coordonneeLambertOrdonneeEtablissement"]]
    lambert += [[*ligne, "655000.0", "6860000.0"] for ligne in lignes[1:]]
    con, _ = _charger(geo_reduite, _ecrire(tmp_path / "avec_lambert.csv", lambert), UL)
    positions = _positions(con)
    assert {s: positions[s] for s in attendues} == attendues
    autres = {s: p for s, p in positions.items() if s not in attendues}
    assert set(autres) == {"99000000100078", "99000001000016"}  # ESS, active, no position in the file
    assert all(p == pytest.approx((2.3869, 48.8385), abs=1e-4) for p in autres.values())


# ------------------------------------------------------------------------------------------ partial perimeter


def test_extract_of_one_departement_is_recorded(base_extrait: Path) -> None:
    meta = read_meta(base_extrait)
    assert meta["perimetre_complet"] == "non" and meta["departements_couverts"] == "79"
    with duckdb.connect(str(base_extrait), read_only=True) as con:
        assert indicators.perimetre_donnees(con) == {"complet": False, "departements_couverts": ["79"],
                                                     "noms": ["Deux-Sèvres (79)"]}  # fmt: skip
        etats = indicators.couverture(con, ["departement:79", NIORT, "commune:79191", "region:75", "france:FR",
                                            "departement:75", "commune:75056", "epci:200054781"])  # fmt: skip
    assert etats == {"departement:79": "complet", NIORT: "complet", "commune:79191": "complet", "region:75": "partiel",
                     "france:FR": "partiel", "departement:75": "hors extrait", "commune:75056": "hors extrait",
                     "epci:200054781": "hors extrait"}  # fmt: skip


def test_national_data_is_complete(db_file: Path, base_sirene_fr: Path) -> None:
    with duckdb.connect(str(db_file), read_only=True) as con:
        assert indicators.perimetre_donnees(con)["complet"]
        assert set(indicators.couverture(con, ["france:FR", "region:75"]).values()) == {"complet"}
    with duckdb.connect(str(base_sirene_fr), read_only=True) as con:  # 79 and Paris: the Grand Paris straddles
        assert indicators.couverture(con, ["commune:75056", "epci:200054781", "region:11"]) == {
            "commune:75056": "complet", "epci:200054781": "partiel", "region:11": "partiel"}  # fmt: skip


def test_cli_json_and_table_mark_partial_figures(base_extrait: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["panorama", "--territoire", NIORT, "--db", str(base_extrait), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["perimetre_complet"] is True and data["departements_couverts"] == ["79"]
    refs = {c["type"]: (c["perimetre_complet"], c["couverture"]) for c in data["comparaison"]}
    assert refs == {"departement": (True, "complet"), "region": (False, "partiel"), "france": (False, "partiel")}
    assert main(["panorama", "--territoire", "france", "--db", str(base_extrait), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["perimetre_complet"] is False
    assert main(["panorama", "--territoire", NIORT, "--db", str(base_extrait), "--format", "table"]) == 0
    table = capsys.readouterr().out
    assert "France — partiel" in table and "Nouvelle-Aquitaine — partiel" in table and "Deux-Sèvres —" not in table


def _page(nom: str, territoire: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "pages" / f"{nom}.py"), default_timeout=90)
    at.query_params["territoire"] = territoire
    return at.run()


def _tableaux(at: AppTest) -> list[str]:
    """Every header and cell of the page's tables (HTML tables and grids), Markdown escapes removed."""
    textes = []
    for element in [*at.table, *at.dataframe]:
        frame = element.value
        textes += [str(c) for c in frame.columns] + [str(v) for v in frame.to_numpy().ravel()]
    return [re.sub(r"\\(.)", r"\1", t) for t in textes]


def test_pages_mark_partial_references(base_extrait: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ESS_DB", str(base_extrait))
    pano = _page("panorama", NIORT)
    assert not pano.exception
    bandeau = " ".join(w.value for w in pano.warning)
    assert "Extrait partiel" in bandeau and texte_litteral("Deux-Sèvres (79)") in bandeau  # shown literally
    assert "sont partiels" not in bandeau  # the CA du Niortais itself is complete
    cellules = _tableaux(pano)  # « Chiffres clés et territoires de référence »: one column per territory
    assert any(c.endswith("Nouvelle-Aquitaine — partiel") for c in cellules)
    assert "France — partiel" in cellules and not any("Deux-Sèvres —" in c or "Niortais —" in c for c in cellules)
    # national ranks among the territories the extract covers wholly, as in the deck (comparaison.niveau_classe)
    with duckdb.connect(str(base_extrait), read_only=True) as con:
        n_couverts = len(comparaison.niveau_classe(con, "epci"))
    parmi = texte_litteral(f"Parmi les {n_couverts} EPCI du périmètre de l'extrait Sirene, ")
    assert any(parmi in m.value for m in pano.markdown) and not any("EPCI de France" in m.value for m in pano.markdown)
    cmp = _page("comparaisons", NIORT)
    assert not cmp.exception
    assert any(parmi in m.value for m in cmp.markdown)
    cellules = _tableaux(cmp)
    assert "CA du Niortais" in cellules and "CA du Niortais — partiel" not in cellules
    assert {"Région Nouvelle-Aquitaine (référence) — partiel", "France (référence) — partiel"} <= set(cellules)
    france = _page("panorama", "france")
    assert "Les chiffres de France sont partiels." in " ".join(w.value for w in france.warning)
    # outside the extract: « nd », no zeros
    paris = _page("panorama", "departement:75")
    assert not paris.exception and not paris.metric
    assert any("chiffres non disponibles (nd)" in i.value for i in paris.info)


def test_national_pages_have_no_partial_banner(db_env: Path) -> None:
    pano = _page("panorama", NIORT)
    assert not pano.exception and not any("Extrait partiel" in w.value for w in pano.warning)


def test_rebuild_keeps_the_recorded_perimeter(base_extrait: Path, tmp_path: Path) -> None:
    db = tmp_path / "ess.duckdb"
    shutil.copy(base_extrait, db)
    build(db, **SILENCE)  # keeps the real SIRENE data, and what it covers
    assert read_meta(db)["departements_couverts"] == "79"
    with duckdb.connect(str(db), read_only=True) as con:
        assert indicators.couverture(con, ["france:FR", "departement:79"]) == {
            "france:FR": "partiel", "departement:79": "complet"}  # fmt: skip


# ------------------------------------------------------------------------------------------ deck and exports


def _deck(con: duckdb.DuckDBPyConnection, territoire: str) -> tuple:
    from datetime import date

    from esscore import copil

    donnees = copil.donnees_copil(con, territoire, None, date(2026, 3, 2), catalogue=[])
    return donnees, copil.dessiner_copil(donnees)


def _diapos(deck: bytes) -> dict[str, tuple[str, str]]:
    """Each slide's title → (every text of its shapes, tables and charts' categories; its notes)."""
    from pptx import Presentation

    out = {}
    for slide in Presentation(io.BytesIO(deck)).slides:
        textes = []
        for f in slide.shapes:
            if getattr(f, "has_table", False) and f.has_table:
                textes += [c.text for row in f.table.rows for c in row.cells]
            elif getattr(f, "has_chart", False) and f.has_chart:
                plot = f.chart.plots[0]
                textes += [str(c) for c in plot.categories]
                textes += [p.data_label.text_frame.text for p in plot.series[0].points if p.data_label.has_text_frame]
            elif f.has_text_frame:
                textes.append(f.text_frame.text)
        titre = next((f.text_frame.text for f in slide.shapes if f.name == "Titre"), "")
        out[titre] = ("\n".join(textes), slide.notes_slide.notes_text_frame.text)
    return out


def test_deck_marks_partial_references_and_ranks_among_covered(base_extrait: Path) -> None:
    from esscore import comparaison
    from esscore.copil import debordements
    from esscore.copil.donnees import rang_parmi_pairs
    from esscore.phrases import rang_ordinal

    with duckdb.connect(str(base_extrait), read_only=True) as con:
        d, deck = _deck(con, NIORT)
        couverts_epci = con.execute("SELECT count(*) FROM territoires WHERE type = 'epci' AND id NOT IN "
                                    "(SELECT id FROM territoires_partiels)").fetchone()[0]  # fmt: skip
        niveau = comparaison.niveau(con, "epci")
    etats = {i: d.etat(i) for i in d.pairs["id"]}
    hors = [n for i, n in zip(d.pairs["id"], d.pairs["nom"], strict=True) if etats[i] == "hors extrait"]
    assert hors and "complet" in etats.values()  # the suggested peers straddle the extract
    # ranks: among the territories the extract covers wholly, never the zeros of those outside it
    national = d.rangs_nationaux["employeurs_pour_1000_hab"]
    assert national.ensemble == couverts_epci < len(niveau)
    assert rang_parmi_pairs(d, "etablissements").ensemble == 1 + list(etats.values()).count("complet")
    with duckdb.connect(str(base_extrait), read_only=True) as con:  # the Comparaisons table: the same rule
        table = comparaison.tableau(con, geography.get(con, NIORT), list(d.pairs["id"])).set_index("id")
    assert table.loc[NIORT, "rang_etablissements"] == rang_parmi_pairs(d, "etablissements")
    assert all(pd.isna(table.loc[i, "rang_etablissements"]) for i, e in etats.items() if e != "complet")
    diapos = _diapos(deck)
    tableau, _ = diapos["Tableau de comparaison"]
    assert "Nouvelle-Aquitaine — partiel" in tableau and "France — partiel" in tableau
    assert "CA du Niortais —" not in tableau and "Deux-Sèvres —" not in tableau
    assert "Médiane des pairs couverts" in tableau
    face, notes_face = diapos["Face aux territoires comparables"]
    assert all(f"{nom} — hors extrait" in notes_face for nom in hors) and "— hors extrait" in face and "nd" in face
    assert "du périmètre de l'extrait Sirene, la CA du Niortais est au" in notes_face
    assert "EPCI de France" not in notes_face and "moyenne régionale" not in notes_face  # partial: not compared
    cartes, _ = diapos["Chiffres clés — CA du Niortais"]
    rang = rang_parmi_pairs(d, "etablissements")
    assert f"Rang : {rang_ordinal(rang)} sur {rang.total} couverts" in cartes and "Médiane des pairs couverts" in cartes
    # every slide says the data is an extract; the « Sources et méthode » slide says which départements, in full
    for titre, (texte, _) in diapos.items():
        assert "extrait Sirene : dép. 79" in texte, titre
    perimetre = indicators.texte_perimetre(d.perimetre)
    assert "Deux-Sèvres (79)" in perimetre and perimetre in diapos["Sources et méthode"][0].replace("\n", " ")
    assert "Extrait partiel de la base Sirene" in diapos["Comité de pilotage ESS"][0]
    assert debordements(deck) == []


def test_france_deck_is_marked_partial(base_extrait: Path, db_file: Path) -> None:
    with duckdb.connect(str(base_extrait), read_only=True) as con:
        d, deck = _deck(con, "france:FR")
    diapos = _diapos(deck)
    assert "Chiffres clés — France — partiel" in diapos
    assert "Les chiffres de France sont partiels." in diapos["Comité de pilotage ESS"][0]
    publies = diapos["Chiffres publiés, estimés au même périmètre"][0]
    assert "— partiel" in publies  # our estimate beside a published national total: a fraction, said so
    # the départements outside the extract are drawn « sans donnée », not as zeros
    valeurs = {f["properties"]["code"]: f["properties"]["valeur"] for f in d.communes_carte["features"]}
    assert valeurs["75"] is None and valeurs["79"] is not None
    with duckdb.connect(str(db_file), read_only=True) as con:  # a national stock: nothing of the kind
        assert "perimetre_donnees" not in indicators.source_info(con)
        assert set(indicators.couverture(con, ["france:FR", "region:75"]).values()) == {"complet"}


def test_exports_carry_the_perimeter_of_a_partial_extract(base_extrait: Path, db_file: Path) -> None:
    from openpyxl import load_workbook

    from esscore import exports

    with duckdb.connect(str(base_extrait), read_only=True) as con:
        meta = exports.Metadonnees.de_la_base(indicators.source_info(con), "statistique")
        frame = indicators.indicateurs(con, [NIORT, "france:FR"])
        etabs = indicators.etablissements(con, geography.get(con, NIORT))
    attendu = indicators.texte_perimetre({"complet": False, "noms": ["Deux-Sèvres (79)"]})
    assert meta.perimetre_donnees == attendu and "hors de l'extrait non significatifs" in attendu
    table = exports.tableau_export(frame, meta)
    assert table[exports.COLONNE_PERIMETRE_DONNEES].tolist() == [attendu, attendu]
    assert attendu in exports.csv_texte(frame, meta)
    classeur = load_workbook(io.BytesIO(exports.xlsx_bytes(frame, meta)))
    assert dict(classeur["Sources"].iter_rows(min_row=2, values_only=True))["Périmètre des données"] == attendu
    assert exports.geojson_etablissements(etabs, meta)["metadata"]["perimetre_donnees"] == attendu
    assert exports.metadonnees_publies(meta).perimetre_donnees == attendu
    with duckdb.connect(str(db_file), read_only=True) as con:
        national = exports.Metadonnees.de_la_base(indicators.source_info(con), "statistique")
    assert national.perimetre_donnees is None
    assert exports.COLONNE_PERIMETRE_DONNEES not in exports.tableau_export(frame, national)
    assert "perimetre_donnees" not in exports.geojson_etablissements(etabs, national)["metadata"]
