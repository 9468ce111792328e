"""Initiatives layer: readers (CSV, GeoJSON, GoGoCarto), category mapping, validation, seed list."""

from __future__ import annotations

import json
import math
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd
import pytest
import shapely

from esscore import config
from esscore import initiatives as ini
from esscore.errors import DonneesInvalides
from esscore.sources import ANCIENS_CODES
from tests.ecrivains import cli

FIX = Path(__file__).parent / "fixtures" / "initiatives"
SEEDS = set(ANCIENS_CODES.values())  # the five source documents, by their registry id (data/sources.toml)

# Real 2026 codes, names and postal codes; centroids rounded; outlines are squares of ±0.02°.
COMMUNES = [
    ("79191", "Niort", "79000", -0.460, 46.328),
    ("79109", "Échiré", "79410", -0.431, 46.390),
    ("79216", "Prahecq", "79230", -0.358, 46.265),
    ("79170", "Mauzé-sur-le-Mignon", "79210", -0.643, 46.191),
    ("97411", "Saint-Denis", "97400;97417;97490", 55.447, -20.943),
]


def communes(contours: bool = True) -> pd.DataFrame:
    df = pd.DataFrame(COMMUNES, columns=["code", "nom", "codes_postaux", "lon", "lat"])
    if contours:
        df["geometry_wkb"] = [
            shapely.box(x - 0.02, y - 0.02, x + 0.02, y + 0.02).wkb for x, y in zip(df.lon, df.lat, strict=True)
        ]
    return df


def importer(nom: str, **kwargs: bool) -> tuple[pd.DataFrame, list[str]]:
    return ini.validate_initiatives(ini.read_initiatives(FIX / nom), communes(), nom, **kwargs)


@pytest.mark.parametrize(
    ("labels", "statut", "themes"),
    [
        (["Gestion des ressources et déchets"], None, ["économie circulaire"]),
        (["AGRICULTURE ET ALIMENTATION DURABLES"], None, ["alimentation durable"]),
        (["Mobilité responsable"], None, ["mobilité"]),
        (["Recyclerie"], None, ["économie circulaire"]),
        (["ressourcerie"], None, ["économie circulaire"]),
        (["Repair Cafe"], None, ["économie circulaire"]),
        (["SCOP"], "SCOP", []),
        (["Scic"], "SCIC", []),
        (["Association"], "association", []),
        (["Association", "Chantier d'insertion"], "structure IAE", ["insertion"]),
        (["Coopérative", "SCIC"], "SCIC", []),
        (["Coopérative d'activité et d'emploi"], "CAE", []),
        (["Épicerie solidaire"], None, ["alimentation durable", "action sociale"]),
        (["tourisme", "Culture"], None, ["tourisme", "culture"]),
        (["Économie sociale et solidaire", "", None, "zzz"], None, []),
    ],
)
def test_map_categories(labels: list[str], statut: str | None, themes: list[str]) -> None:
    assert ini.map_categories(labels) == (statut, themes)


def test_constantes_coherentes() -> None:
    assert set(ini.STATUT_VERS_FAMILLE) == set(ini.STATUTS)
    assert set(ini.STATUT_VERS_FAMILLE.values()) <= set(ini.FAMILLES)
    assert len(ini.THEMATIQUES) == 18


def test_csv_valide_place_les_points() -> None:
    df, messages = importer("valide.csv")
    assert messages == []
    lignes = df.set_index("id")
    assert list(df.columns) == list(ini.COLONNES)
    # coordinates without commune → point-in-polygon
    assert lignes.loc["t-1", "commune_code"] == "79191"
    assert lignes.loc["t-1", "commune_nom"] == "Niort"
    assert lignes.loc["t-1", "precision"] == "adresse"
    assert lignes.loc["t-1", "site_web"] == "https://www.exemple.org"
    assert lignes.loc["t-1", "thematiques"] == ["économie circulaire", "insertion"]
    assert lignes.loc["t-1", "famille"] == "Associations"
    assert lignes.loc["t-1", "source"] == "valide.csv"
    # commune code only → centroid, precision « commune »
    assert (lignes.loc["t-2", "lon"], lignes.loc["t-2", "lat"]) == (-0.431, 46.390)
    assert lignes.loc["t-2", "precision"] == "commune"
    assert lignes.loc["t-2", "source"] == "essai"
    assert lignes.loc["t-2", "description"] == "Services, conciergerie"
    # postal code + name only
    assert lignes.loc["t-3", "commune_code"] == "79216"
    assert lignes.loc["t-3", "statut"] == "autre"
    assert lignes.loc["t-3", "thematiques"] == ["alimentation durable", "action sociale"]


def test_csv_point_virgule_bom_virgule_decimale() -> None:
    enregistrements = ini.read_initiatives(FIX / "bom_point_virgule.csv")
    assert [r["nom"] for r in enregistrements] == ["Ressourcerie des Deux Rives", "Café associatif"]
    premier = enregistrements[0]
    assert (premier["lon"], premier["lat"]) == (-0.461, 46.329)
    assert premier["description"] == "Collecte; tri et revente"
    assert premier["statut"] == "association"
    assert premier["thematiques"] == ["économie circulaire"]
    df, messages = ini.validate_initiatives(enregistrements, communes(), "bom_point_virgule.csv")
    assert messages == []
    assert df["commune_code"].tolist() == ["79191", "79170"]
    assert df["precision"].tolist() == ["adresse", "commune"]


def test_csv_tabulation(tmp_path: Path) -> None:
    fichier = tmp_path / "tab.tsv"
    fichier.write_text("titre\tinsee\nMaison de quartier\t79191\n", encoding="utf-8")
    df, _ = ini.validate_initiatives(ini.read_initiatives(fichier), communes(), fichier.name)
    assert df.loc[0, "nom"] == "Maison de quartier"
    assert df.loc[0, "commune_code"] == "79191"


def test_latin1_refuse_avec_message_clair(tmp_path: Path) -> None:
    fichier = tmp_path / "excel.csv"
    fichier.write_bytes("nom;commune\nCafé;Niort\n".encode("latin-1"))
    with pytest.raises(DonneesInvalides, match=r"excel\.csv.*ligne 2.*enregistrez-le en UTF-8"):
        ini.read_initiatives(fichier)


def test_csv_mal_forme_nomme_la_ligne(tmp_path: Path) -> None:
    fichier = tmp_path / "casse.csv"
    fichier.write_text('nom,commune_code\nA,79191\n"B non fermé,79191\n', encoding="utf-8")
    with pytest.raises(DonneesInvalides, match=r"casse\.csv.*ligne \d"):
        ini.read_initiatives(fichier)


def test_csv_sans_colonne_nom(tmp_path: Path) -> None:
    fichier = tmp_path / "sans_nom.csv"
    fichier.write_text("libelle,commune_code\nA,79191\n", encoding="utf-8")
    with pytest.raises(DonneesInvalides, match="aucune colonne de nom"):
        ini.read_initiatives(fichier)


def test_geojson(tmp_path: Path) -> None:
    with pytest.raises(DonneesInvalides, match=r"entité 3 \(« Zone d'activité »\).*Polygon"):
        importer("initiatives.geojson")
    df, messages = importer("initiatives.geojson", garder_valides=True)
    assert len(messages) == 1
    lignes = df.set_index("nom")
    repair = lignes.loc["Repair café de Prahecq"]
    assert (repair["id"], repair["commune_code"], repair["precision"]) == ("g-1", "79216", "adresse")
    assert repair["thematiques"] == ["économie circulaire"]
    assert repair["site_web"] == "https://repair.example"
    jardin = lignes.loc["Jardin partagé du Butor"]  # overseas point accepted
    assert (jardin["commune_code"], jardin["statut"], jardin["thematiques"]) == (
        "97411",
        "association",
        ["agriculture"],
    )


def test_gogofull() -> None:
    enregistrements = ini.read_initiatives(FIX / "gogofull.json")
    assert all("email" not in r and "telephone" not in r for r in enregistrements)
    df, messages = ini.validate_initiatives(enregistrements, communes(), "gogofull.json")
    assert messages == []
    lignes = df.set_index("id")
    velo = lignes.loc["abc1"]
    assert (velo["nom"], velo["commune_code"], velo["code_postal"]) == ("Vélo solidaire", "79191", "79000")
    assert (velo["statut"], velo["thematiques"]) == ("association", ["mobilité"])
    assert velo["source"] == "gogofull.json"
    assert velo["source_detail"] == "sourceKey : carteco"
    coop = lignes.loc["abc2"]
    assert (coop["nom"], coop["statut"], coop["famille"]) == ("Coop du coin", "SCIC", "Coopératives")
    assert coop["thematiques"] == ["alimentation durable"]
    assert (coop["lon"], coop["lat"], coop["commune_code"]) == (-0.43, 46.39, "79109")
    sans = lignes.loc["abc3"]  # no position: placed at the commune found by postal code + name
    assert (sans["commune_code"], sans["precision"]) == ("79216", "commune")
    assert sans["thematiques"] == ["économie circulaire"]
    assert "contact@velo.example" not in json.dumps(ini.to_geojson(df), ensure_ascii=False)


@pytest.mark.parametrize("enveloppe", ["liste", "elements", "features"])
def test_gogo_enveloppes(tmp_path: Path, enveloppe: str) -> None:
    elements = [{"nom": "Amap du bourg", "latitude": 46.33, "long": -0.46, "taxonomy": "AMAP,Agriculture"}]
    contenu = elements if enveloppe == "liste" else {enveloppe: elements}
    fichier = tmp_path / "export.json"
    fichier.write_text(json.dumps(contenu), encoding="utf-8")
    df, _ = ini.validate_initiatives(ini.read_initiatives(fichier), communes(), fichier.name)
    assert df.loc[0, "thematiques"] == ["alimentation durable", "agriculture"]
    assert df.loc[0, "commune_code"] == "79191"


def test_gogocompact_refuse() -> None:
    with pytest.raises(DonneesInvalides, match=r"gogocompact\.json.*gogocompact.*ontology=gogofull"):
        ini.read_initiatives(FIX / "gogocompact.json")


def test_json_mal_forme(tmp_path: Path) -> None:
    fichier = tmp_path / "casse.json"
    fichier.write_text('{"data": [\n{"name": "A",}\n]}', encoding="utf-8")
    with pytest.raises(DonneesInvalides, match=r"casse\.json.*ligne 2"):
        ini.read_initiatives(fichier)


def test_taille_maximale(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ini, "TAILLE_MAX_OCTETS", 10)
    fichier = tmp_path / "gros.csv"
    fichier.write_text("nom,commune_code\nA,79191\n", encoding="utf-8")
    with pytest.raises(DonneesInvalides, match="gros.csv.*limite"):
        ini.read_initiatives(fichier)


def test_textes_hostiles_gardes_litteralement() -> None:
    df, messages = importer("hostile.csv")
    assert df["nom"].tolist() == ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>"]
    assert df.loc[0, "description"] == "<img src=x onerror=alert(1)>"
    assert df["site_web"].tolist() == ["", ""]  # javascript: and attribute injection dropped
    assert len(messages) == 2 and all("site web" in m for m in messages)


def test_controles_et_longueurs(tmp_path: Path) -> None:
    fichier = tmp_path / "long.json"
    element = {
        "name": "Nom\x07avec\x1bcontrôles\u202e et\tespaces" + "x" * 300,
        "description": "d" * 5000,
        "commune_code": "79191",
    }
    fichier.write_text(json.dumps([element]), encoding="utf-8")
    df, messages = ini.validate_initiatives(ini.read_initiatives(fichier), communes(), fichier.name)
    nom = df.loc[0, "nom"]
    assert nom.startswith("Nomaveccontrôles et espaces")
    assert len(nom) == 200 and len(df.loc[0, "description"]) == 2000
    assert sum("tronqué" in m for m in messages) == 2


def test_erreurs_tout_ou_rien() -> None:
    with pytest.raises(DonneesInvalides) as exc:
        importer("erreurs.csv")
    message = str(exc.value)
    assert "« erreurs.csv » : 4 erreur(s), aucune initiative importée" in message
    assert "ligne 3 (« Trop au nord »)" in message and "hors de France" in message
    assert "ligne 4 (sans nom)" in message and "« nom »" in message
    assert "ligne 5 (« Code inconnu »)" in message and "« 99999 » inconnu" in message
    assert "ligne 6 (« Lon pas un nombre »)" in message and "« abc » n'est pas un nombre" in message
    df, messages = importer("erreurs.csv", garder_valides=True)
    assert df["nom"].tolist() == ["Valide"]
    assert len(messages) == 4


def test_erreurs_plafonnees_a_20() -> None:
    enregistrements = [{"nom": f"N{i}", "lat": 95, "lon": 0} for i in range(25)]
    with pytest.raises(DonneesInvalides) as exc:
        ini.validate_initiatives(enregistrements, communes(), "lot.json")
    message = str(exc.value)
    assert message.count("\n- ") == 20 and "… et 5 autre(s) erreur(s)" in message


@pytest.mark.parametrize(
    ("lon", "lat", "attendu"),
    [
        (float("nan"), 46.3, "non finie"),
        (-0.46, float("inf"), "non finie"),
        (-0.46, None, "« lat » manquant"),
        (46.33, -0.46, "inversées"),
        (-74.0, 40.7, "hors de France"),
    ],
)
def test_coordonnees_invalides(lon: float, lat: float | None, attendu: str) -> None:
    with pytest.raises(DonneesInvalides, match=attendu):
        ini.validate_initiatives([{"nom": "X", "lon": lon, "lat": lat}], communes(), "x.json")


def test_sans_position_ni_commune() -> None:
    with pytest.raises(DonneesInvalides, match="position manquante.*commune introuvable"):
        ini.validate_initiatives([{"nom": "X", "commune_nom": "Atlantide"}], communes(), "x.json")


def test_centroide_le_plus_proche_sans_contours() -> None:
    sans = communes(contours=False)
    df, _ = ini.validate_initiatives([{"nom": "Près d'Échiré", "lon": -0.40, "lat": 46.42}], sans, "x")
    assert df.loc[0, "commune_code"] == "79109"
    with pytest.raises(DonneesInvalides, match="aucune commune connue"):
        ini.validate_initiatives([{"nom": "Loin", "lon": 2.35, "lat": 48.85}], sans, "x")


def test_doublons() -> None:
    df, messages = importer("doublons.json")
    assert sorted(zip(df["nom"], df["commune_code"], df["precision"], strict=True)) == [
        ("Repair Café Niort", "79191", "adresse"),
        ("Repair café Niort", "79109", "adresse"),
        ("atelier", "79191", "adresse"),
    ]
    assert len(messages) == 1 and "3 doublon(s) écarté(s)" in messages[0]
    assert df["id"].is_unique


def test_ids_generes_stables_et_uniques() -> None:
    enregistrements = [
        {"nom": "A", "commune_code": "79191", "id": "x"},
        {"nom": "B", "commune_code": "79191", "id": "x"},
        {"nom": "C", "commune_code": "79109"},
    ]
    df, messages = ini.validate_initiatives(enregistrements, communes(), "ids.json")
    assert df["id"].tolist()[:2] == ["x", "x-2"] and any("renommé" in m for m in messages)
    df2, _ = ini.validate_initiatives(enregistrements, communes(), "ids.json")
    assert df2.loc[2, "id"] == df.loc[2, "id"] and df.loc[2, "id"].startswith("c-")


def test_to_geojson() -> None:
    df, _ = importer("valide.csv")
    collection = ini.to_geojson(df, exclude_ids=["t-2"])
    json.dumps(collection, allow_nan=False)
    assert collection["type"] == "FeatureCollection"
    assert [f["id"] for f in collection["features"]] == ["t-1", "t-3"]
    premier = collection["features"][0]
    assert premier["geometry"] == {"type": "Point", "coordinates": [-0.455, 46.33]}
    assert premier["properties"]["thematiques"] == ["économie circulaire", "insertion"]


def test_graines_valides_contre_les_vraies_communes() -> None:
    enregistrements = ini.load_seed_initiatives()
    communes_seed = pd.read_csv(FIX / "communes_seed.csv", dtype={"code": str, "codes_postaux": str})
    df, messages = ini.validate_initiatives(enregistrements, communes_seed, "initiatives.csv")
    assert messages == []
    assert len(df) == len(enregistrements) >= 50
    assert df["id"].is_unique
    assert set(df["statut"]) <= set(ini.STATUTS)
    assert set(df["famille"]) <= set(ini.FAMILLES)
    assert all(set(t) <= set(ini.THEMATIQUES) for t in df["thematiques"])
    assert set(df["source"]) == SEEDS
    assert set(df["precision"]) == {"commune"}
    assert all(math.isfinite(x) for x in [*df["lon"], *df["lat"]])
    assert not df.apply(lambda r: any("@" in str(v) for v in r), axis=1).any()  # no e-mails
    niort = set(df.loc[df["source"] == "niort-feuille-de-route-2023-2026", "nom"])
    assert {"Cirque en Scène", "Soli'Niort", "Emmaüs Prahecq", "La Conciergerie d'Échiré"} <= niort


def test_fichier_graines_brut() -> None:
    """The committed seed CSV itself follows the documented schema (comma, UTF-8, fixed columns)."""
    brut = pd.read_csv(config.INITIATIVES_SEED, dtype=str, keep_default_na=False)
    attendues = [c for c in ini.COLONNES if c != "code_postal"]
    assert list(brut.columns) == attendues
    assert (brut["precision"] == "commune").all()
    assert brut["lon"].str.fullmatch(r"-?\d+\.\d{3}").all() and brut["lat"].str.fullmatch(r"-?\d+\.\d{3}").all()


def test_noyau_sans_streamlit() -> None:
    code = "import sys, esscore.initiatives; assert 'streamlit' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


# ---------------------------------------------------------------------------------------------
# Saved imports never erase each other (issue 17, F2): runs the real command on a small data/ folder
# ---------------------------------------------------------------------------------------------


def _initiatives(data: Path) -> pd.DataFrame:
    with duckdb.connect(str(data / "ess.duckdb"), read_only=True) as con:
        return con.execute("SELECT id, nom, source FROM initiatives").df()


def test_csv_puis_geojson_du_meme_nom_gardent_tout(petit_data: Path, tmp_path: Path) -> None:
    csv_x = tmp_path / "x.csv"
    csv_x.write_text("nom,commune_code\nAtelier du CSV,79191\nÉpicerie du CSV,79049\n", "utf-8")
    geo_x = tmp_path / "x.geojson"
    shutil.copy(FIX / "initiatives.geojson", geo_x)
    assert cli(petit_data, "import", "initiatives", str(csv_x)).returncode == 0
    sortie = cli(petit_data, "import", "initiatives", str(geo_x), "--garder-valides")
    assert sortie.returncode == 0, sortie.stderr
    imports = sorted(p.name for p in (petit_data / "initiatives" / "imports").iterdir())
    assert imports == ["x-csv.csv", "x-geojson.csv"]
    sources = _initiatives(petit_data)["source"].value_counts().to_dict()
    assert sources["x.csv"] == 2 and sources["x.geojson"] == 1  # the CSV rows are still there


def test_identifiants_qui_se_recouvrent_sont_tous_gardes(petit_data: Path, tmp_path: Path) -> None:
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    a.write_text("id,nom,commune_code\n1,Ressourcerie A,79191\n2,Épicerie A,79049\n", "utf-8")
    b.write_text("id,nom,lat,lon\n1,Jardin B,46.32,-0.46\n2,Garage B,46.31,-0.47\n", "utf-8")
    assert cli(petit_data, "import", "initiatives", str(a)).returncode == 0
    assert cli(petit_data, "import", "initiatives", str(b)).returncode == 0
    table = _initiatives(petit_data)
    assert {"Ressourcerie A", "Épicerie A", "Jardin B", "Garage B"} <= set(table["nom"])
    assert {"a-csv/1", "a-csv/2", "b-csv/1", "b-csv/2"} <= set(table["id"])


def test_reimport_du_meme_nom_le_dit(petit_data: Path, tmp_path: Path) -> None:
    x = tmp_path / "x.csv"
    x.write_text("nom,commune_code\nAtelier,79191\nÉpicerie,79049\n", "utf-8")
    assert cli(petit_data, "import", "initiatives", str(x)).returncode == 0
    x.write_text("nom,commune_code\nAtelier,79191\n", "utf-8")
    sortie = cli(petit_data, "import", "initiatives", str(x))
    assert sortie.returncode == 0
    assert "existait déjà (2 initiative(s))" in sortie.stderr and "remplace" in sortie.stderr
