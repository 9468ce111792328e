"""Initiative map: filters and counts, aggregation, escaping, exports, initiatives table and import, page."""

from __future__ import annotations

import csv
import io
import json
import math
import random
import re
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from esscore import carte as C
from esscore import exports, geography, maps
from esscore import initiatives as ini

ROOT = Path(__file__).resolve().parent.parent
FIX_INI = ROOT / "tests" / "fixtures" / "initiatives"
NIORT_AGGLO = "epci:200041317"
HOSTILE_ETAB = "<img src=x onerror=alert(1)>"
HOSTILE_INIT = "<script>alert('carte')</script>"


# ---------------------------------------------------------------------------------------------- helpers


def base_synthetique(source: Path, cible: Path, n: int, epci: str = "200041317", graine: int = 42) -> Path:
    """Copy ``source`` and add ``n`` fictitious, located ESS establishments in the communes of ``epci``.

    Also adds one establishment and one initiative with hostile names (HTML/JS) in Niort. Shared by the
    browser tests and ``benchmarks/carte.py`` (EPCI view with 5 000 points).
    """
    shutil.copyfile(source, cible)
    rnd = random.Random(graine)
    con = duckdb.connect(str(cible))
    try:
        communes = con.execute(
            "SELECT code, lon, lat FROM communes WHERE epci = $e AND lon IS NOT NULL ORDER BY code", {"e": epci}
        ).fetchall()
        tranches = con.execute("SELECT tranche, taille, milieu FROM tranches ORDER BY tranche").fetchall()
        familles = [("Associations", "9220", 0.8), ("Coopératives", "5458", 0.1), ("Mutuelles", "8210", 0.05),
                    ("Fondations", "9300", 0.03), ("Sociétés commerciales de l'ESS", "5710", 0.02)]  # fmt: skip
        lignes = []
        for i in range(n):
            code, lon, lat = rnd.choice(communes)
            famille, cj, _ = rnd.choices(familles, weights=[f[2] for f in familles])[0]
            tranche, taille, milieu = rnd.choice(tranches[:9])
            nd = rnd.random() < 0.01
            lignes.append({
                "siret": f"88{i:012d}", "siren": f"88{i:07d}", "famille": famille, "cj": cj, "ape": "88.99B",
                "secteur": rnd.choice(["Action sociale", "Sports et loisirs", "Enseignement", "Commerce"]),
                "hors_statistique": False, "tranche": tranche, "taille": taille, "employeur": tranche != "00",
                "salaries": milieu, "commune": code, "code_commune_source": code, "diffusion": "P" if nd else "O",
                "non_diffusible": nd, "nom": None if nd else f"Structure synthétique n°{i}",
                "lon": None if nd else lon + rnd.uniform(-0.02, 0.02),
                "lat": None if nd else lat + rnd.uniform(-0.015, 0.015),
            })  # fmt: skip
        niort = con.execute("SELECT lon, lat FROM communes WHERE code = '79191'").fetchall()[0]
        lignes.append({
            "siret": "77700000000001", "siren": "777000000", "famille": "Associations", "cj": "9220",
            "ape": "88.99B", "secteur": "Action sociale", "hors_statistique": False, "tranche": "53",
            "taille": "250 salariés et plus", "employeur": True, "salaries": 12000.0, "commune": "79191",
            "code_commune_source": "79191", "diffusion": "O", "non_diffusible": False, "nom": HOSTILE_ETAB,
            "lon": niort[0] + 0.05, "lat": niort[1] - 0.03,
        })  # fmt: skip
        con.register("synth_df", pd.DataFrame(lignes))
        con.execute("INSERT INTO etablissements_ess BY NAME SELECT * FROM synth_df")
        con.unregister("synth_df")
        con.execute(
            "INSERT INTO initiatives (id, nom, description, statut, famille, thematiques, commune_code, commune_nom, "
            "lon, lat, precision, source) VALUES ('hostile-1', $nom, '<b>gras</b> {titre}', 'association', "
            "'Associations', ['culture'], '79191', 'Niort', $lon, $lat, 'adresse', 'test')",
            {"nom": HOSTILE_INIT, "lon": niort[0] - 0.05, "lat": niort[1] + 0.03},
        )
        con.execute("CHECKPOINT")
    finally:
        con.close()
    return cible


@pytest.fixture(scope="module")
def db_hostile(db_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return base_synthetique(db_file, tmp_path_factory.mktemp("carte") / "hostile.duckdb", n=300)


@pytest.fixture()
def con_hostile(db_hostile: Path):
    connection = duckdb.connect(str(db_hostile), read_only=True)
    yield connection
    connection.close()


# ---------------------------------------------------------------------------------------------- pure helpers


def test_texte_infobulle_is_one_plain_line() -> None:
    assert C.texte_infobulle("<script>alert('x')</script>") == "<script>alert('x')</script>"  # shown as typed
    assert C.texte_infobulle("a\nb\u202ec") == "a bc"
    assert C.texte_infobulle("{ligne1}") == "\uff5bligne1\uff5d"
    assert C.texte_infobulle("x" * 300) == "x" * C.INFOBULLE_LONGUEUR_MAX + "…"
    assert C.texte_infobulle(None) == "" and C.texte_infobulle(float("nan")) == ""


def test_filtres_sql_normalises_the_search() -> None:
    params = C.Filtres(familles=("Coopératives",), texte="  Éco-Lieu  ").sql()
    assert params == {"familles": ["Coopératives"], "secteurs": [], "tailles": [], "employeurs": False,
                      "texte": "eco lieu"}  # fmt: skip


@pytest.mark.parametrize(
    ("demandee", "localises", "communes", "type_", "attendu"),
    [
        (C.VUE_AUTO, 10, 3, "epci", C.VUE_POINTS),
        (C.VUE_AUTO, C.POINTS_MAX, 40, "epci", C.VUE_POINTS),
        (C.VUE_AUTO, C.POINTS_MAX + 1, 40, "epci", C.VUE_HEX),
        (C.VUE_AUTO, 40_000, 3_000, "region", C.VUE_COMMUNES),
        (C.VUE_AUTO, 400_000, 28_000, "france", C.VUE_HEX),
        (C.VUE_POINTS, 400_000, 28_000, "france", C.VUE_HEX),
        (C.VUE_COMMUNES, 10, 3, "epci", C.VUE_COMMUNES),
        (C.VUE_HEX, 10, 3, "epci", C.VUE_HEX),
    ],
)
def test_choisir_vue(demandee: str, localises: int, communes: int, type_: str, attendu: str) -> None:
    vue, note = C.choisir_vue(demandee, localises, communes, type_)
    assert vue == attendu
    assert (note is not None) == (demandee == C.VUE_POINTS and attendu != C.VUE_POINTS)


def test_rayons_area_proportional() -> None:
    r = C.rayons(pd.Series([0, 25, 100, 400]), 2.0, 22.0, reference=100.0)
    assert list(r) == [2.0, 12.0, 22.0, 22.0]
    assert list(C.rayons(pd.Series([0.0, 0.0]), 3.0, 9.0)) == [3.0, 3.0]


def _hex_le_plus_proche(lon: float, lat: float, taille: float) -> tuple[int, int]:
    """Reference binning: the nearest hexagon centre, by brute force over the axial parallelogram."""
    x = math.radians(lon) * 6378137.0
    y = math.log(math.tan(math.pi / 4 + math.radians(lat) / 2)) * 6378137.0
    qf, rf = (2 / 3 * x) / taille, (-x / 3 + math.sqrt(3) / 3 * y) / taille
    candidats = [(q, r) for q in (math.floor(qf), math.ceil(qf)) for r in (math.floor(rf), math.ceil(rf))]

    def distance(c: tuple[int, int]) -> float:
        cx, cy = taille * 1.5 * c[0], taille * math.sqrt(3) * (c[1] + c[0] / 2)
        return (cx - x) ** 2 + (cy - y) ** 2

    return min(candidats, key=distance)


def test_hexagones_binned_by_sql_match_nearest_centre(con_hostile) -> None:
    terr = geography.get(con_hostile, NIORT_AGGLO)
    taille = C.taille_hexagone(C.emprise(con_hostile, terr), colonnes=25)
    cellules = C.cellules_hexagones(con_hostile, NIORT_AGGLO, C.Filtres(), taille)
    assert (
        cellules["etablissements"].sum()
        == C.resume_etablissements(con_hostile, NIORT_AGGLO, C.Filtres())["etablissements"]
    )
    positions = con_hostile.execute(
        "SELECT coalesce(CASE WHEN NOT e.non_diffusible THEN e.lon END, c.lon), "
        "coalesce(CASE WHEN NOT e.non_diffusible THEN e.lat END, c.lat) FROM etablissements_ess e "
        "JOIN communes c ON c.code = e.commune WHERE c.epci = '200041317' AND NOT e.hors_statistique"
    ).fetchall()
    attendu: dict[tuple[int, int], int] = {}
    for lon, lat in positions:
        cle = _hex_le_plus_proche(lon, lat, taille)
        attendu[cle] = attendu.get(cle, 0) + 1
    obtenu = cellules.groupby(["q", "r"])["etablissements"].sum().to_dict()
    assert obtenu == attendu

    hexa = C.hexagones(cellules, taille)
    assert len(hexa) == len(attendu) and hexa["etablissements"].sum() == sum(attendu.values())
    assert all(len(p) == 6 for p in hexa["polygon"])
    assert set(hexa["famille"]) <= set(C.FAMILLES)
    assert all(t.startswith("Hexagone d'environ") for t in hexa["titre"])
    assert C.hexagones(cellules.iloc[0:0], taille).empty


def test_neutraliser_formules() -> None:
    frame = pd.DataFrame({"nom": ["=HYPERLINK(1)", "Normal", "+33", None], "n": [1, 2, 3, 4]})
    sortie = exports.sans_formules(frame)
    assert list(sortie["nom"][:3]) == ["'=HYPERLINK(1)", "Normal", "'+33"] and pd.isna(sortie["nom"][3])
    assert list(sortie["n"]) == [1, 2, 3, 4]


# ---------------------------------------------------------------------------------------------- queries


def test_comptes_gogocarto_semantics(con) -> None:
    tout = C.comptes_etablissements(con, NIORT_AGGLO, C.Filtres())
    coop = C.comptes_etablissements(con, NIORT_AGGLO, C.Filtres(familles=("Coopératives",)))
    par = {f: dict(zip(g["categorie"], g["nombre"], strict=True)) for f, g in tout.groupby("facette")}
    par_coop = {f: dict(zip(g["categorie"], g["nombre"], strict=True)) for f, g in coop.groupby("facette")}
    assert par_coop["famille"] == par["famille"]  # own facet ignores its own filter
    assert par_coop["secteur"] == {"Industrie et construction": 1}
    resume = C.resume_etablissements(con, NIORT_AGGLO, C.Filtres())
    assert sum(par["famille"].values()) == resume["etablissements"]
    assert resume["non_diffusibles"] == 1
    assert resume["localises"] + resume["non_diffusibles"] + resume["sans_position"] == resume["etablissements"]


def test_one_filter_macro_stored_in_the_file_and_seen_by_the_app(db_file: Path, con) -> None:
    """The six map queries share one filter, the ``etablissements_selection`` macro created at build time (the list
    through ``etablissements_diffusion``, which masks non-diffusible rows); the app's connection
    (``connect_snapshot``: a fresh database attaching the file) re-exports both on every cursor."""
    from esscore.db import connect_snapshot

    for path in sorted((ROOT / "esscore" / "sql").glob("carte_etablissements_*.sql")):
        texte = path.read_text("utf-8")
        appel = "($territoire, $perimetre, $familles, $secteurs, $tailles, $employeurs, $texte)"
        assert f"FROM etablissements_selection{appel}" in texte or f"FROM etablissements_diffusion{appel}" in texte
        assert "non_diffusible THEN" not in texte, path.name  # one mask: etablissements_diffusion
        assert "list_contains" not in texte and "regexp_replace" not in texte, path.name  # no pasted filter
    f = C.Filtres(familles=("Associations", "Coopératives"), tailles=("0 salarié au 31 décembre",), texte="a")
    snapshot = connect_snapshot(db_file)
    try:
        for g in (C.Filtres(), f):
            assert C.resume_etablissements(snapshot.cursor(), NIORT_AGGLO, g) == C.resume_etablissements(
                con, NIORT_AGGLO, g
            )
            for lire in (C.comptes_etablissements, C.points_etablissements, C.communes_etablissements,
                         C.liste_etablissements):  # fmt: skip
                pd.testing.assert_frame_equal(lire(snapshot.cursor(), NIORT_AGGLO, g), lire(con, NIORT_AGGLO, g))
            pd.testing.assert_frame_equal(
                C.cellules_hexagones(snapshot.cursor(), NIORT_AGGLO, g, 2000.0),
                C.cellules_hexagones(con, NIORT_AGGLO, g, 2000.0),
            )
    finally:
        snapshot.close()


@pytest.mark.parametrize("macro", ["etablissements_selection", "etablissements_diffusion"])
def test_a_file_built_before_the_filter_macro_counts_as_incomplete(db_file: Path, tmp_path: Path, macro: str) -> None:
    """Without a macro the map could not query (or, with an older list query, could show masked names): the app
    and ``esscore build --si-necessaire`` rebuild."""
    from esscore.build import tables_manquantes
    from esscore.db import connect_snapshot

    ancien = tmp_path / "ancien.duckdb"
    shutil.copyfile(db_file, ancien)
    with duckdb.connect(str(ancien)) as ecriture:
        ecriture.execute(f"DROP MACRO TABLE {macro}")
    with duckdb.connect(str(ancien), read_only=True) as lecture:
        assert tables_manquantes(lecture) == [macro]
    snapshot = connect_snapshot(ancien)
    try:
        assert macro in tables_manquantes(snapshot.cursor())  # with any macro that calls it
    finally:
        snapshot.close()


def test_text_search_ignores_accents_and_never_matches_non_diffusible(con) -> None:
    assert C.resume_etablissements(con, NIORT_AGGLO, C.Filtres(texte="scop bêta"))["etablissements"] == 1
    assert C.resume_etablissements(con, NIORT_AGGLO, C.Filtres(texte="[non diffusible]"))["etablissements"] == 0


def test_non_diffusible_never_exposed(con) -> None:
    liste = C.liste_etablissements(con, NIORT_AGGLO, C.Filtres(), limite=None)
    nd = liste[liste["nom"] == C.NON_DIFFUSIBLE]
    assert len(nd) == 1
    assert nd["siret"].isna().all() and nd["lon"].isna().all() and nd["lat"].isna().all()
    points = C.points_etablissements(con, NIORT_AGGLO, C.Filtres())
    assert points["nom"].notna().all() and "99000000900017" not in set(points["siret"])
    geo = json.loads(json.dumps(__import__("esscore.exports", fromlist=["x"]).geojson_etablissements(liste)))
    sans_geo = [f for f in geo["features"] if f["properties"]["nom"] == C.NON_DIFFUSIBLE]
    assert sans_geo and all(f["geometry"] is None and f["properties"]["siret"] is None for f in sans_geo)


def test_communes_bubbles_count_everything_and_keep_secret(con) -> None:
    communes = C.communes_etablissements(con, NIORT_AGGLO, C.Filtres())
    assert communes["etablissements"].sum() == C.resume_etablissements(con, NIORT_AGGLO, C.Filtres())["etablissements"]
    bulles = C.bulles_communes(communes)
    assert all("secret statistique" in t or "Salariés estimés" in t for t in bulles["ligne2"])
    chauray = bulles[bulles["titre"].str.startswith("Chauray")].iloc[0]
    assert "s (secret statistique)" in chauray["ligne2"] and chauray["r"] == C.RAYON_MIN_PX


def test_carte_every_level_small_payload(con) -> None:
    for tid in ("commune:79191", NIORT_AGGLO, "departement:79", "region:75", "france:FR"):
        resultat = C.carte(con, geography.get(con, tid), C.Filtres())
        assert C.taille_json(resultat.deck) < 2_000_000
        spec = json.loads(resultat.deck.to_json())
        # no tile server: a blank local style (never None: Streamlit would fetch Carto's basemap instead)
        assert spec["mapStyle"] == [maps.FOND_VIERGE] and "http" not in json.dumps(spec["mapStyle"])
        assert any(layer["id"].startswith("fond-") for layer in spec["layers"])
        assert '"@@=pixels"' not in resultat.deck.to_json()  # a bare "pixels" becomes an expression


def test_worst_case_point_view_stays_under_2_mb(con) -> None:
    """5 000 points with names at the tooltip cap, accents everywhere, over a région's basemap."""
    terr = geography.get(con, "region:75")
    nom = "Société coopérative d'intérêt collectif « Économie sociale » " * 3
    points = pd.DataFrame({
        "siret": [f"{i:014d}" for i in range(C.POINTS_MAX)], "nom": [f"{nom}{i}" for i in range(C.POINTS_MAX)],
        "famille": "Sociétés commerciales de l'ESS", "secteur": "Activités financières et d'assurance",
        "taille": "250 salariés et plus", "tranche": "2 000 à 4 999 salariés", "employeur": True, "salaries": 3499.5,
        "code_commune": "79191", "commune": "Saint-Symphorien-de-Thénézay-sur-Charente", "lon": -0.4598765,
        "lat": 46.3234567,
    })  # fmt: skip
    deck = C.construire_deck(
        C.fond_de_carte(con, terr), C.VUE_POINTS, C.points_etablissements_carte(points), None, C.vue_initiale(con, terr)
    )
    assert C.taille_json(deck) < 2_000_000


def test_hostile_names_only_in_text_tooltips(con_hostile) -> None:
    terr = geography.get(con_hostile, NIORT_AGGLO)
    resultat = C.carte(con_hostile, terr, C.Filtres())
    spec = json.loads(resultat.deck.to_json())
    assert "html" not in resultat.deck._tooltip and resultat.deck._tooltip["text"] == C.INFOBULLE
    couches = {layer["id"]: layer.get("data", []) for layer in spec["layers"]}
    titres = [p["t"] for nom, data in couches.items() if not nom.startswith("fond-") for p in data]
    assert HOSTILE_ETAB in titres and HOSTILE_INIT in titres
    assert resultat.vue == C.VUE_POINTS


def test_initiatives_filters_and_counts(con_hostile) -> None:
    toutes = C.initiatives_territoire(con_hostile, NIORT_AGGLO)
    assert len(toutes) > 10 and all(isinstance(t, list) for t in toutes["thematiques"])
    culture = C.filtrer_initiatives(toutes, C.Filtres(thematiques=("culture",)))
    assert len(culture) >= 2 and all("culture" in t for t in culture["thematiques"])
    comptes = C.comptes_initiatives(toutes, C.Filtres(thematiques=("culture",)))
    themes = dict(comptes.loc[comptes["facette"] == "thematique", ["categorie", "nombre"]].to_numpy())
    assert themes["culture"] == len(culture) and themes["économie circulaire"] > 0  # own facet unfiltered
    assert C.filtrer_initiatives(toutes, C.Filtres(texte="alert")).shape[0] == 1
    pts = C.points_initiatives(toutes)
    assert len({(x, y) for x, y in zip(pts["lon"], pts["lat"], strict=True)}) == len(pts)  # spread


def test_exports_initiatives_roundtrip(con_hostile) -> None:
    toutes = C.initiatives_territoire(con_hostile, NIORT_AGGLO)
    lignes = list(csv.DictReader(io.StringIO(exports.csv_texte(C.export_initiatives(toutes))), delimiter=";"))
    assert any(r["Nom"] == HOSTILE_INIT for r in lignes) and len(lignes) == len(toutes)
    geo = C.geojson_initiatives(toutes)
    assert len(geo["features"]) == len(toutes)


# ---------------------------------------------------------------------------------------------- initiatives table


def test_initiatives_table_built_from_seed(con) -> None:
    cols = con.execute("DESCRIBE initiatives").df().set_index("column_name")["column_type"].to_dict()
    assert cols["thematiques"] == "VARCHAR[]" and list(cols)[:3] == ["id", "nom", "description"]
    n = con.execute("SELECT count(*) FROM initiatives").fetchall()[0][0]
    assert n == len(ini.load_seed_initiatives())
    assert con.execute("SELECT lignes FROM sources WHERE id = 'initiatives'").fetchall()[0][0] == n


def test_import_command_saves_file_and_rebuilds(petit_data: Path) -> None:
    """The real command on a small data/ folder (tests/ecrivains.py): refusal changes nothing, accepted
    files are saved under their name and rebuilt into the database, SIRENE data kept."""
    from tests.ecrivains import cli

    db, imports = petit_data / "ess.duckdb", petit_data / "initiatives" / "imports"
    avant = db.read_bytes()
    sortie = cli(petit_data, "import", "initiatives", str(FIX_INI / "erreurs.csv"))
    assert sortie.returncode == 2
    assert "aucune initiative importée" in sortie.stderr and "ligne 3" in sortie.stderr
    assert "hors de France" in sortie.stderr
    assert not imports.exists() and db.read_bytes() == avant  # nothing half-done

    assert cli(petit_data, "import", "initiatives", str(FIX_INI / "hostile.csv")).returncode == 0
    assert (imports / "hostile-csv.csv").exists()
    with duckdb.connect(str(db), read_only=True) as con:
        noms = {r[0] for r in con.execute("SELECT nom FROM initiatives WHERE source = 'hostile.csv'").fetchall()}
        assert noms == {"<script>alert(1)</script>", "<img src=x onerror=alert(1)>"}
        assert con.execute("SELECT count(*) FROM etablissements_ess").fetchall()[0][0] == 12  # SIRENE kept

    sortie = cli(petit_data, "import", "initiatives", str(FIX_INI / "erreurs.csv"), "--garder-valides")
    assert sortie.returncode == 0
    assert "1 initiative(s) importée(s)" in sortie.stdout and "Avertissement" in sortie.stderr
    gogo = cli(petit_data, "import", "initiatives", str(FIX_INI / "gogofull.json"), "--nom", "Carteco 79")
    assert gogo.returncode == 0 and (imports / "carteco-79.csv").exists()
    seed = len(ini.load_seed_initiatives())
    with duckdb.connect(str(db), read_only=True) as con:
        sources = dict(con.execute("SELECT source, count(*) FROM initiatives GROUP BY ALL").fetchall())
        assert sources["hostile.csv"] == 2 and sources["erreurs.csv"] == 1 and sources["gogofull.json"] == 3
        assert sum(sources.values()) == seed + 6
        fichiers = con.execute("SELECT fichiers FROM sources WHERE id = 'initiatives'").fetchall()[0][0]
        assert "carteco-79.csv" in fichiers


def test_import_restores_previous_file_when_rebuild_fails(db_file: Path, tmp_path: Path, monkeypatch) -> None:
    from esscore import build as build_mod
    from esscore import initiatives_db
    from esscore.commands import initiatives as cmd

    db = tmp_path / "ess.duckdb"
    shutil.copyfile(db_file, db)
    monkeypatch.setattr(initiatives_db, "imports_dir", lambda: tmp_path / "imports")
    avant = db.read_bytes()

    def panne(*args, **kwargs):
        raise RuntimeError("disque plein")

    monkeypatch.setattr(build_mod, "_build", panne)
    with pytest.raises(RuntimeError):
        cmd.importer(FIX_INI / "hostile.csv", str(db))
    assert list((tmp_path / "imports").iterdir()) == [] and db.read_bytes() == avant  # no pending file left


# ---------------------------------------------------------------------------------------------- page (AppTest)


def run_carte(params: dict[str, object]) -> AppTest:
    at = AppTest.from_file(str(ROOT / "pages" / "carte.py"), default_timeout=60)
    for key, value in params.items():
        at.query_params[key] = value
    return at.run()


def _deck(at: AppTest) -> dict:
    return json.loads(at.get("deck_gl_json_chart")[0].proto.json)


def test_page_defaults_to_url_territory(db_env: Path) -> None:
    at = run_carte({"territoire": NIORT_AGGLO})
    assert not at.exception
    assert at.title[0].value == "Carte des initiatives"
    metriques = {m.label: m.value for m in at.metric}
    assert metriques["Établissements ESS sélectionnés"] == "7"  # the SAS ESS is outside the statistical perimeter
    layers = [layer["id"] for layer in _deck(at)["layers"]]
    assert "fond-communes" in layers and any(i.startswith("etablissements-points") for i in layers)
    assert any(i.startswith("initiatives") for i in layers)
    assert any(c.value.startswith("Source :") for c in at.caption)
    assert len(at.get("download_button")) == 6  # CSV, xlsx and GeoJSON of each layer


def test_page_filters_come_from_url_and_bad_values_are_dropped(db_env: Path) -> None:
    at = run_carte({"territoire": NIORT_AGGLO, "famille": ["Coopératives", "<script>"], "couche": "Établissements"})
    assert not at.exception
    assert at.multiselect(key="famille").value == ["Coopératives"]
    assert {m.label: m.value for m in at.metric}["Établissements ESS sélectionnés"] == "1"
    assert not any(layer["id"].startswith("initiatives") for layer in _deck(at)["layers"])
    at.multiselect(key="famille").set_value([]).run()
    assert {m.label: m.value for m in at.metric}["Établissements ESS sélectionnés"] == "7"


def test_page_view_and_search_in_url(db_env: Path) -> None:
    at = run_carte({"territoire": "departement:79", "vue": "Communes", "q": "<b>aide"})
    assert not at.exception
    layers = [layer["id"] for layer in _deck(at)["layers"]]
    assert any(i.startswith("etablissements-communes") for i in layers)
    assert at.text_input(key="q").value == "<b>aide"


def test_page_bad_territory_shows_french_error(db_env: Path) -> None:
    at = run_carte({"territoire": "<script>alert(1)</script>"})
    assert not at.exception
    assert at.error and "Identifiant de territoire invalide" in at.error[0].value


def test_page_hostile_names_render_as_text(db_hostile: Path, monkeypatch) -> None:
    monkeypatch.setenv("ESS_DB", str(db_hostile))
    at = run_carte({"territoire": NIORT_AGGLO, "q": "alert"})
    assert not at.exception
    tables = [d.value for d in at.dataframe]  # each list, then its « Toutes les colonnes » expander
    assert HOSTILE_ETAB in set(tables[0]["Nom"]) and HOSTILE_INIT in set(tables[2]["Nom"])
    proto = at.get("deck_gl_json_chart")[0].proto
    assert json.loads(proto.tooltip)["text"] == C.INFOBULLE and "html" not in json.loads(proto.tooltip)
    assert HOSTILE_ETAB in proto.json


def test_commune_choisie_validates_browser_selection() -> None:
    from esscore.ui.carte import commune_choisie

    couches = {"etablissements-communes-0-aa", "etablissements-communes-2-bb", "etablissements-points-0-cc"}

    def choix(couche: str, code: str) -> str | None:
        return commune_choisie({"selection": {"objects": {couche: [{"code": code}]}}}, couches)

    assert choix("etablissements-communes-0-aa", "79191") == "79191"
    assert choix("etablissements-communes-2-bb", "2A004") == "2A004"
    assert choix("etablissements-communes-0-aa", "<script>") is None
    assert choix("etablissements-points-0-cc", "79191") is None
    assert choix("etablissements-communes-0-zz", "79191") is None  # a click on a previous map
    assert commune_choisie({"selection": {"objects": {}}}, couches) is None and commune_choisie(None, couches) is None


def test_layer_ids_follow_their_data() -> None:
    """Same data → same id (the browser keeps its layers); other data → new id (a click selection is dropped)."""
    frame = pd.DataFrame({"lon": [-0.46, -0.45], "lat": [46.32, 46.33], "t": ["A", "B"], "c": [[1, 2, 3], [4, 5, 6]]})
    assert C.empreinte(frame) == C.empreinte(frame.copy())
    assert re.fullmatch(r"[0-9a-f]{8}", C.empreinte(frame))
    assert C.empreinte(frame) != C.empreinte(frame.iloc[::-1])  # same rows, other order: indices differ
    assert C.empreinte(frame) != C.empreinte(frame.assign(t=["A", "C"]))
    assert C.empreinte(frame) != C.empreinte(frame.assign(c=[[1, 2, 3], [4, 5, 7]]))
