"""Exports for a French spreadsheet (issue 13, item 7): CSV (« ; », decimal comma, BOM), xlsx, GeoJSON metadata.

Every table leaves through ``esscore.exports``: French headers, numbers rounded as displayed, « oui »/« non »,
secrecy in its own column (never « s » in a number column), source, millésime, périmètre and demonstration.
The page tests collect every download a page offers (``telechargements``) and open each file as a
technician would: ``pandas.read_csv(…, sep=";", decimal=",", encoding="utf-8-sig")`` and openpyxl.
"""

from __future__ import annotations

import codecs
import io
import json
import shutil
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import duckdb
import pandas as pd
import pytest
import streamlit
from openpyxl import load_workbook
from streamlit.delta_generator import DeltaGenerator
from streamlit.testing.v1 import AppTest

from esscore import exports, geography, indicators
from esscore.cli import main
from esscore.exports import COLONNE_DEMO, COLONNE_SECRET, Metadonnees
from esscore.labels import arrondi, fmt_pct, fmt_value

ROOT = Path(__file__).resolve().parent.parent
NIORT = "epci:200041317"
PART = "Part de l'ESS dans l'emploi privé (%)"
SALARIES = "Salariés estimés de l'ESS"


def lire_csv(contenu: bytes) -> pd.DataFrame:
    """A CSV export read the way the issue says a French Excel user's tools read it."""
    return pd.read_csv(io.BytesIO(contenu), sep=";", decimal=",", encoding="utf-8-sig", dtype={"SIRET": str})


def meta_de(con: duckdb.DuckDBPyConnection) -> Metadonnees:
    return Metadonnees.de_la_base(indicators.source_info(con), "statistique")


def colonnes_nombres(table: pd.DataFrame) -> list[str]:
    """Columns of an export that hold ESS figures (a header from ``exports.ENTETES`` of an indicator)."""
    noms = {exports.entete(c) for c in exports.NUMERIQUES}
    return [c for c in table.columns if c in noms]


@pytest.fixture()
def base_demo(db_file: Path, tmp_path: Path) -> Path:
    """The fixture database with its SIRENE source flagged as demonstration data (what ``esscore build``
    records for the generated dataset)."""
    chemin = tmp_path / "demo.duckdb"
    shutil.copy(db_file, chemin)
    with duckdb.connect(str(chemin)) as con:
        con.execute("UPDATE sources SET demo = true WHERE id = 'sirene'")
        con.execute("UPDATE meta SET valeur = 'true' WHERE cle = 'demo'")
    return chemin


# ---------------------------------------------------------------------------------------------- CSV


def test_csv_chiffres_cles_open_in_french_excel(con) -> None:
    terr = geography.get(con, NIORT)
    heads = indicators.indicateurs(con, [terr.id] + [f"{p['type']}:{p['code']}" for p in terr.parents])
    contenu = exports.csv_bytes(heads, meta_de(con))
    assert contenu.startswith(codecs.BOM_UTF8)
    assert contenu.decode("utf-8-sig").splitlines()[0].count(";") >= 10  # « ; » between cells
    table = lire_csv(contenu)
    attendues = {"Nom", "Niveau", "Population", SALARIES, PART, "Établissements employeurs pour 1 000 habitants",
                 COLONNE_SECRET, "Source", "Millésime", "Périmètre de l'ESS", COLONNE_DEMO}  # fmt: skip
    assert attendues <= set(table.columns)
    assert not [c for c in table.columns if "_" in c]  # no internal name (max_salaries, secret…) left
    assert table["Niveau"].iloc[0] == "EPCI" and table["Périmètre de l'ESS"].eq("statistique").all()
    assert table[COLONNE_DEMO].eq("non").all() and table["Source"].iloc[0] == indicators.source_info(con)["source"]
    # rounded once, like the page shows them: « 24,2 % » is 24.2 in the sheet, counts are whole
    for brut, exporte in zip(heads["part_emploi_prive"], table[PART], strict=True):
        if brut != indicators.SECRET:
            assert exporte == arrondi("part_emploi_prive", brut)
            assert fmt_value("part_emploi_prive", brut) == fmt_pct(exporte / 100)
    assert pd.api.types.is_integer_dtype(table["Population"])


def test_secret_figures_are_empty_cells_with_their_own_status(con) -> None:
    familles = indicators.repartition(con, NIORT, "famille")
    assert familles["secret"].any()  # the fixture has secret families
    table = lire_csv(exports.csv_bytes(familles, meta_de(con)))
    for col in colonnes_nombres(table):
        assert pd.api.types.is_numeric_dtype(table[col]), col  # never « s » in a number column
    secret = table[COLONNE_SECRET].ne("non")
    assert table.loc[secret, SALARIES].isna().all() and table.loc[~secret, SALARIES].notna().all()
    assert set(table[COLONNE_SECRET]) <= {"non", "oui", "oui (primaire)", "oui (complémentaire)"}
    if "secret_motif" in familles:  # the secrecy status says why, from the indicator frame's own motive
        paires = zip(familles["secret"], familles["secret_motif"], strict=True)
        motifs = [f"oui ({m})" if s else "non" for s, m in paires]
        assert table[COLONNE_SECRET].tolist() == motifs
    assert table["Famille de l'ESS"].tolist() == familles["famille"].tolist()


def test_secret_motif_says_why() -> None:
    frame = pd.DataFrame({
        "famille": ["A", "B", "C"], "salaries_estimes": [12.4, "s", "s"], "secret": [False, True, True],
        "secret_motif": [None, "primaire", "complémentaire"],
    })  # fmt: skip
    table = exports.tableau_export(frame)
    assert table[COLONNE_SECRET].tolist() == ["non", "oui (primaire)", "oui (complémentaire)"]
    assert table[SALARIES].tolist()[0] == 12 and table[SALARIES].isna().tolist() == [False, True, True]
    sans_drapeau = exports.tableau_export(pd.DataFrame({"nom": ["x", "y"], "salaries_estimes": ["s", 3.0]}))
    assert sans_drapeau[COLONNE_SECRET].tolist() == ["oui", "non"]  # « s » alone is enough to say it


def test_rounding_booleans_and_formulas() -> None:
    frame = pd.DataFrame({
        "nom": ["=HYPERLINK(\"http://x\")", "Atelier"], "employeur": [True, False],
        "part_emploi_prive": [0.17855975200707166, 0.05], "employeurs_pour_1000_hab": [4.3358, 0.04],
        "salaries_estimes": [7373.4, 0.0], "lon": [-0.485997, None], "montant": [1500000.0, None],
    })  # fmt: skip
    texte = exports.csv_texte(frame)
    table = pd.read_csv(io.StringIO(texte), sep=";", decimal=",")
    assert table["Employeur"].tolist() == ["oui", "non"]
    assert table[PART].tolist() == [17.9, 5.0]
    assert table["Établissements employeurs pour 1 000 habitants"].tolist() == [4.3, 0.0]
    assert table[SALARIES].tolist() == [7373, 0] and table["Longitude"].iloc[0] == -0.485997
    assert ";1500000\n" in texte and "0,17855" not in texte and "True" not in texte
    assert table["Nom"].iloc[0].startswith("'=")  # neutralised: a spreadsheet shows it, never runs it
    assert COLONNE_SECRET not in table and COLONNE_DEMO not in table  # no secrecy, no metadata asked


def test_published_estimates_rounded_by_their_unit() -> None:
    frame = pd.DataFrame({"estimation": [540.4, 0.17856, 4.33, "s"],
                          "estimation_unite": ["nombre", "part", "ratio", "nombre"]})  # fmt: skip
    table = exports.tableau_export(frame)
    assert table["Estimation ESS Territoires"].tolist()[:3] == [540, 17.9, 4.3]
    assert table["Unité de l'estimation"].tolist() == ["nombre", "%", "pour 1 000 habitants", "nombre"]
    assert pd.isna(table["Estimation ESS Territoires"].iloc[3]) and table[COLONNE_SECRET].iloc[3] == "oui"


def test_metadata_columns_follow_source_info() -> None:
    info = {"source": "INSEE, Sirene", "millesime": "stock au 2025-11-30", "demo": True, "citation": "…",
            "annee_effectifs": 2023}  # fmt: skip
    meta = Metadonnees.de_la_base(info, "legal")
    table = exports.tableau_export(pd.DataFrame({"nom": ["x"], "perimetre": ["legal"]}), meta)
    assert table.columns.tolist() == ["Nom", "Source", "Millésime", "Année des effectifs", "Périmètre de l'ESS",
                                      COLONNE_DEMO]  # fmt: skip
    assert table.iloc[0].tolist() == ["x", "INSEE, Sirene", "stock au 2025-11-30", 2023, "légal", "oui"]


# ---------------------------------------------------------------------------------------------- xlsx


def test_xlsx_has_numbers_formats_and_a_sources_sheet(con) -> None:
    communes = indicators.communes_du_territoire(con, geography.get(con, NIORT))
    quand = datetime(2026, 3, 2, 9, 30)
    classeur = load_workbook(io.BytesIO(exports.xlsx_bytes(communes, meta_de(con), date_export=quand)))
    assert classeur.sheetnames == ["Données", "Sources"]
    feuille = classeur["Données"]
    entetes = [c.value for c in feuille[1]]
    assert feuille.freeze_panes == "A2" and all(c.font.b for c in feuille[1])
    assert PART in entetes and COLONNE_DEMO in entetes and "max_salaries" not in entetes
    part = feuille.cell(row=2, column=entetes.index(PART) + 1)
    population = feuille.cell(row=2, column=entetes.index("Population") + 1)
    assert isinstance(population.value, int) and population.number_format == "#,##0"
    assert part.value is None or (isinstance(part.value, float) and part.number_format == "#,##0.0")
    valeurs = [r[entetes.index(SALARIES)] for r in feuille.iter_rows(min_row=2, values_only=True)]
    assert indicators.SECRET not in valeurs and all(v is None or isinstance(v, int) for v in valeurs)
    assert feuille.column_dimensions["A"].width >= len("Identifiant")
    sources = dict(classeur["Sources"].iter_rows(min_row=2, values_only=True))
    assert sources["Source"] == indicators.source_info(con)["source"]
    assert sources["Données de démonstration"] == "non" and sources["Périmètre de l'ESS"] == "statistique"
    assert "moins de 3 établissements employeurs" in sources["Secret statistique"]
    assert sources["Date d'export"] == "02/03/2026 à 09:30" and sources["Millésime"]


def test_xlsx_keeps_text_as_text() -> None:
    frame = pd.DataFrame({"nom": ["=1+1", "bip\x07"], "siret": ["01234567890123", None]})
    feuille = load_workbook(io.BytesIO(exports.xlsx_bytes(frame)))["Données"]
    assert feuille["A2"].value == "=1+1" and feuille["A2"].data_type == "s"  # a text, not a formula
    assert feuille["A3"].value == "bip" and feuille["B2"].value == "01234567890123"  # leading zero kept


# ---------------------------------------------------------------------------------------------- CLI and GeoJSON


def test_cli_etablissements_csv_geojson_xlsx(db_file: Path, tmp_path: Path, capsysbinary) -> None:
    base = ["etablissements", "--territoire", NIORT, "--db", str(db_file)]
    assert main(base) == 0
    sortie = capsysbinary.readouterr().out
    table = lire_csv(sortie)
    assert sortie.startswith(codecs.BOM_UTF8)
    assert {"Nom", "SIRET", "Famille de l'ESS", "Employeur", "Commune", "Longitude", "Source", "Millésime",
            "Périmètre de l'ESS", COLONNE_DEMO} <= set(table.columns)  # fmt: skip
    assert set(table["Employeur"]) <= {"oui", "non"} and table[COLONNE_DEMO].eq("non").all()
    assert "SCOP BETA" in set(table["Nom"]) and "99000000900017" not in set(table["SIRET"].dropna())

    assert main([*base, "--format", "geojson"]) == 0
    geo = json.loads(capsysbinary.readouterr().out)
    assert geo["type"] == "FeatureCollection" and len(geo["features"]) == len(table)
    meta = geo["metadata"]
    assert {"source", "millesime", "perimetre", "demonstration", "date_export"} <= set(meta)
    assert meta["demonstration"] is False and meta["perimetre"] == "statistique"

    assert main([*base, "--format", "xlsx"]) == 2
    assert "--sortie" in capsysbinary.readouterr().err.decode("utf-8")
    fichier = tmp_path / "etab.xlsx"
    assert main([*base, "--format", "xlsx", "--sortie", str(fichier)]) == 0
    classeur = load_workbook(fichier)
    assert classeur.sheetnames == ["Établissements", "Sources"]
    assert classeur["Établissements"].max_row == len(table) + 1


def test_demo_data_say_so_everywhere(base_demo: Path, capsysbinary) -> None:
    base = ["etablissements", "--territoire", NIORT, "--db", str(base_demo)]
    assert main(base) == 0
    assert lire_csv(capsysbinary.readouterr().out)[COLONNE_DEMO].eq("oui").all()
    assert main([*base, "--format", "geojson"]) == 0
    assert json.loads(capsysbinary.readouterr().out)["metadata"]["demonstration"] is True


# ---------------------------------------------------------------------------------------------- pages


@pytest.fixture()
def telechargements(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, object]]:
    """Every (label, data) a page passes to ``download_button`` (data: bytes, or the callable run on click)."""
    vus: list[tuple[str, object]] = []
    original = DeltaGenerator.download_button

    def espion(self: DeltaGenerator, label: str, data: object, *args: object, **kwargs: object) -> bool:
        vus.append((label, data))
        return original(self, label, data, *args, **kwargs)

    monkeypatch.setattr(DeltaGenerator, "download_button", espion)
    monkeypatch.setattr(streamlit, "download_button", lambda *a, **k: espion(streamlit._main, *a, **k))
    return vus


def contenu(data: object) -> bytes:
    produit = data() if isinstance(data, Callable) else data
    return produit if isinstance(produit, bytes) else str(produit).encode("utf-8")


def fichiers_de(page: str, params: dict[str, str], vus: list[tuple[str, object]]) -> dict[str, list[bytes]]:
    at = AppTest.from_file(str(ROOT / "pages" / f"{page}.py"), default_timeout=120)
    for cle, valeur in params.items():
        at.query_params[cle] = valeur
    at.run()
    assert not at.exception, at.exception
    sortie: dict[str, list[bytes]] = {}
    for label, data in vus:
        if "(CSV)" in label or "(xlsx)" in label:
            sortie.setdefault(label, []).append(contenu(data))
    vus.clear()
    return sortie


def verifier(label: str, donnees: bytes, demo: str | None) -> None:
    """A CSV opens with the French settings (numbers as numbers), an xlsx has its « Sources » sheet."""
    if "(CSV)" in label:
        assert donnees.startswith(codecs.BOM_UTF8), label
        table = lire_csv(donnees)
        assert COLONNE_DEMO in table, label
        assert demo is None or table[COLONNE_DEMO].eq(demo).all(), label
        for col in colonnes_nombres(table):
            assert pd.api.types.is_numeric_dtype(table[col]), (label, col)
    else:
        classeur = load_workbook(io.BytesIO(donnees))
        assert classeur.sheetnames[-1] == "Sources", label
        assert COLONNE_DEMO in [c.value for c in classeur.worksheets[0][1]], label
        sources = dict(classeur["Sources"].iter_rows(min_row=2, values_only=True))
        assert demo is None or sources["Données de démonstration"].startswith(demo), label


@pytest.mark.parametrize(
    ("page", "attendus"),
    [
        ("panorama", {"Données (CSV)", "Tableur (xlsx)", "Chiffres clés (CSV)", "Chiffres clés (xlsx)",
                      "Tableau des communes (CSV)", "Tableau des communes (xlsx)"}),
        ("comparaisons", {"Données (CSV)", "Tableur (xlsx)", "Tableau de comparaison (CSV)",
                          "Tableau de comparaison (xlsx)"}),
        ("carte", {"Établissements (CSV)", "Établissements (xlsx)", "Initiatives (CSV)", "Initiatives (xlsx)"}),
    ],
)  # fmt: skip
def test_page_exports_on_demo_data(
    page: str, attendus: set[str], base_demo: Path, monkeypatch: pytest.MonkeyPatch, telechargements
) -> None:
    monkeypatch.setenv("ESS_DB", str(base_demo))
    fichiers = fichiers_de(page, {"territoire": NIORT}, telechargements)
    assert attendus <= set(fichiers), set(fichiers)
    for label, liste in fichiers.items():
        for donnees in liste:
            # initiatives come from their own catalogue: not demonstration data
            verifier(label, donnees, None if label.startswith("Initiatives") else "oui")


def test_carte_geojson_has_metadata(base_demo: Path, monkeypatch: pytest.MonkeyPatch, telechargements) -> None:
    monkeypatch.setenv("ESS_DB", str(base_demo))
    AppTest.from_file(str(ROOT / "pages" / "carte.py"), default_timeout=120).run()
    geo = {label: json.loads(contenu(data)) for label, data in telechargements if "(GeoJSON)" in label}
    assert geo["Établissements (GeoJSON)"]["metadata"]["demonstration"] is True
    assert geo["Établissements (GeoJSON)"]["metadata"]["perimetre"] == "statistique"
    assert "metadata" in geo["Initiatives (GeoJSON)"]


def test_benchmark_and_sources_registry_exports(db_env: Path, telechargements) -> None:
    fichiers = fichiers_de("benchmark", {}, telechargements)
    assert {"Liste (CSV)", "Liste (xlsx)"} <= set(fichiers)
    liste = lire_csv(fichiers["Liste (CSV)"][0])
    assert {"Identifiant", "Titre", "Montant principal (€)", COLONNE_DEMO} <= set(liste.columns)
    assert pd.api.types.is_numeric_dtype(liste["Montant principal (€)"])
    for label, contenus in fichiers.items():
        verifier(label, contenus[0], "non")
    registre = fichiers_de("donnees", {}, telechargements)
    verifier("Télécharger le registre des sources (CSV)", registre["Télécharger le registre des sources (CSV)"][0],
             "non")  # fmt: skip
    verifier("(xlsx)", registre["Télécharger le registre des sources (xlsx)"][0], "non")
    table = lire_csv(registre["Télécharger le registre des sources (CSV)"][0])
    assert {"Source", "Producteur", "Millésime", "Lignes", "Adresse"} <= set(table.columns)


def test_roadmap_journal_export(db_env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, telechargements) -> None:
    from esscore.roadmap import read_roadmap
    from esscore.store import RoadmapStore

    chemin = tmp_path / "edition.sqlite"
    monkeypatch.setenv("ESS_STORE", str(chemin))
    store = RoadmapStore(chemin)
    store.seed_if_empty()
    store.import_roadmap(read_roadmap(ROOT / "tests" / "fixtures" / "roadmap" / "valide.yaml"), "Import de test")
    fichiers = fichiers_de("feuille_de_route", {"feuille": "test-valide"}, telechargements)
    journal = lire_csv(fichiers["Télécharger le journal (CSV)"][0])
    assert {"Date (UTC)", "Auteur", "Action", "Source", COLONNE_DEMO} <= set(journal.columns) and len(journal)
    assert "test-valide" in journal["Source"].iloc[0]
    verifier("(xlsx)", fichiers["Télécharger le journal (xlsx)"][0], "non")
