"""Panorama and Comparaisons pages run headless (AppTest) with URL parameters, for every level."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from esscore import publies
from esscore.sources import ANCIENS_CODES
from esscore.text import texte_litteral

ROOT = Path(__file__).resolve().parent.parent
NIORT = "epci:200041317"
# Former file name of the Niort roadmap document: still accepted, cited as the registry's document.
ANCIEN_NIORT = next(code for code, ident in ANCIENS_CODES.items() if ident == "niort-feuille-de-route-2023-2026")


def run_page(name: str, params: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "pages" / f"{name}.py"), default_timeout=90)
    for key, value in (params or {}).items():
        at.query_params[key] = value
    return at.run()


def _param(at: AppTest, key: str) -> str:
    value = at.query_params[key]
    return value[0] if isinstance(value, list) else value


def _text(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption] + [i.value for i in at.info]
    return "\n".join(str(p) for p in parts)


def test_panorama_epci(db_env: Path) -> None:
    at = run_page("panorama", {"territoire": NIORT})
    assert not at.exception
    assert at.title[0].value == "Panorama de l'ESS"
    assert [m.label for m in at.metric] == [
        "Établissements ESS", "Employeurs ESS", "Salariés estimés", "Part emploi privé",
        "Employeurs pour 1\u202f000 hab.",  # says what it counts; digits grouped by a narrow no-break space
    ]  # fmt: skip
    assert at.metric[4].proto.help == "Établissements employeurs pour 1\u202f000 habitants"
    text = _text(at)
    assert "la CA du Niortais" in text and "pour 1\u202f000 habitants" in text
    assert "Source :" in text
    assert texte_litteral("Deux-Sèvres") in text  # gaps to the département shown on the cards (names literal)
    labels = [b.proto.label for b in at.get("download_button")]
    assert "Image (PNG)" in labels and "Données (CSV)" in labels and "Chiffres clés (CSV)" in labels
    assert len(at.get("vega_lite_chart")) >= 6
    assert len(at.get("deck_gl_json_chart")) == 1


def test_panorama_shows_published_figures_next_to_the_estimate(db_env: Path) -> None:
    at = run_page("panorama", {"territoire": NIORT})
    expanders = [e.label for e in at.expander]
    if not any(label.startswith("Chiffres publiés") for label in expanders):
        pytest.skip("pas de fichier data/reference/chiffres_publies.csv dans cet arbre")
    table = next(t.value for t in at.table if "Chiffre publié" in t.value.columns)  # st.table: wraps, never cut
    assert "Estimation ESS Territoires" in table.columns and "Source" in table.columns
    assert table["Chiffre publié"].str.contains("545").any()
    assert set(table["Source"]) <= {str(i) for i in range(1, len(table) + 1)}  # a note number, listed below
    assert any(m.value.startswith("**Sources**") for m in at.markdown)


@pytest.mark.parametrize("territoire", ["commune:79139", "commune:75056", "departement:974", "region:75", "france"])
def test_panorama_every_level(db_env: Path, territoire: str) -> None:
    at = run_page("panorama", {"territoire": territoire})
    assert not at.exception, at.exception
    assert len(at.metric) == 5
    assert not at.error


@pytest.mark.parametrize("bad", ["zzz", "commune:99999", "epci:12", "<script>alert(1)</script>"])
def test_bad_territory_gives_a_french_message(db_env: Path, bad: str) -> None:
    for page in ("panorama", "comparaisons"):
        at = run_page(page, {"territoire": bad})
        assert not at.exception
        assert at.error and "territoire" in at.error[0].value.lower()
        assert not at.metric


def test_comparaisons_reads_and_rewrites_the_url(db_env: Path) -> None:
    params = {"territoire": NIORT, "pairs": "epci:200069854,epci:243500139", "indicateur": "salaries_pour_1000_hab"}
    at = run_page("comparaisons", params)
    assert not at.exception
    assert at.multiselect[0].value == ["epci:200069854", "epci:243500139"]
    assert at.selectbox[0].value == "salaries_pour_1000_hab"
    assert _param(at, "pairs") == "epci:200069854,epci:243500139"
    taux, effectifs = (t.value for t in at.table if "Territoire" in t.value.columns)  # rates, then counts
    assert list(taux["Territoire"])[:3] == ["CA du Niortais", "CU du Grand Poitiers", "Rennes Métropole"]
    assert list(effectifs["Territoire"]) == list(taux["Territoire"])
    assert len(taux.columns) <= 6 and len(effectifs.columns) <= 5  # narrow enough for a 1 280 px screen
    assert len(at.get("deck_gl_json_chart")) == 1
    # the user edits the selection and the indicator: the URL follows
    at.multiselect[0].set_value(["epci:200069854"]).run()
    at.selectbox[0].set_value("part_emploi_prive").run()
    assert not at.exception
    assert _param(at, "pairs") == "epci:200069854"
    assert _param(at, "indicateur") == "part_emploi_prive"


def test_comparaisons_suggests_peers_and_warns_on_bad_parameters(db_env: Path) -> None:
    at = run_page("comparaisons", {"territoire": NIORT, "pairs": "commune:79191,epci:999999999", "indicateur": "x"})
    assert not at.exception
    warnings = " ".join(w.value for w in at.warning)
    assert "même niveau" in warnings and "inconnu" in warnings and "« indicateur »" in warnings
    assert at.selectbox[0].value == "employeurs_pour_1000_hab"
    at = run_page("comparaisons", {"territoire": NIORT})
    assert len(at.multiselect[0].value) == 8  # suggested peers


@pytest.mark.parametrize("territoire", ["commune:79139", "commune:75056", "departement:974", "region:75", "france"])
def test_comparaisons_every_level(db_env: Path, territoire: str) -> None:
    at = run_page("comparaisons", {"territoire": territoire})
    assert not at.exception, at.exception
    assert not at.error
    assert len(at.get("deck_gl_json_chart")) == 1


def test_units_table_and_published_figures_helpers() -> None:
    from esscore.ui import panorama as ui

    frame = pd.DataFrame({
        "code": ["1", "2", "3"], "nom": ["A", "B", "C"], "population": [100, 200, 300],
        "etablissements": [3, 1, 0], "etablissements_employeurs": [3, 1, 0],
        "salaries_estimes": [12.0, "s", 0.0], "part_emploi_prive": [0.1234, "s", None],
        "employeurs_pour_1000_hab": [30.0, 5.0, 0.0],
    })  # fmt: skip
    table = ui.unites_tableau(frame, "commune")
    assert list(table["Commune"]) == ["A", "B", "C"]
    assert pd.isna(table.loc[1, "Salariés estimés"])  # secret → shown « s » by the placeholder
    assert table.loc[0, "Part de l'emploi privé (%)"] == 12.3
    assert table.loc[2, "Part de l'emploi privé (%)"] == 0.0  # no ESS job: 0 %, not secret
    assert ui.ecart("etablissements", 50, 200) == "25,0\u202f% du total"  # « % » never alone on a line
    assert ui.ecart("part_emploi_prive", 0.26, 0.15).startswith("+11,0")
    assert ui.ecart("employeurs_pour_1000_hab", 3.0, 4.5) == "−1,5"
    assert ui.ecart("salaries_estimes", "s", 10) == "10 au total"  # our share is secret, not the total
    assert ui.ecart("part_emploi_prive", "s", 0.1) == "s"
    pub = pd.DataFrame({
        "indicateur": ["etablissements_employeurs", "part_emploi_prive", "benevoles"],
        "valeur": [545, 0.26, 29000], "unite": ["établissements", "part", "bénévoles"], "annee": [2023] * 3,
        "libelle": ["Établissements employeurs", "Part de l'emploi privé", "Bénévoles"],
        "source_document": [ANCIEN_NIORT] * 2 + ["mon-diagnostic.pdf"], "source_detail": ["diagnostic"] * 3,
        "qualificatif": [None, None, "estimation"], "perimetre": [None] * 3, "note": [None] * 3,
    })  # fmt: skip
    principal = {"etablissements_employeurs": 540, "part_emploi_prive": 0.2171}
    shown = ui.publies_affiche(publies.apparier(pub, principal))
    assert list(shown["Chiffre publié"]) == ["545 établissements", "26\u202f%", "estimation 29\u202f000 bénévoles"]
    assert shown.loc[0, "Estimation ESS Territoires"] == "540 (établissements employeurs de l'ESS)"
    assert shown.loc[1, "Estimation ESS Territoires"].startswith("21,7")
    assert shown.loc[2, "Estimation ESS Territoires"].startswith("pas d'estimation comparable : le bénévolat")
    # a former seed-file name is cited as the registry's document; any other source as given
    assert shown.loc[0, "Source"].startswith("Feuille de route Économie sociale et solidaire et innovation sociale")
    assert shown.loc[0, "Source"].endswith("(diagnostic) — Communauté d'Agglomération du Niortais (Niort Agglo) — "
                                           "2023 — https://www.niortagglo.fr/")  # fmt: skip
    assert shown.loc[2, "Source"] == "mon-diagnostic.pdf (diagnostic)"


def test_comparaisons_reset_button_restores_the_suggestion(db_env: Path) -> None:
    at = run_page("comparaisons", {"territoire": NIORT, "pairs": "epci:243500139"})
    assert at.multiselect[0].value == ["epci:243500139"]
    at.button(key="cmp_reset").click().run()
    assert not at.exception and not at.warning
    assert len(at.multiselect[0].value) == 8
    assert _param(at, "pairs").count("epci:") == 8


def test_headline_cards_never_repeat_a_reference_and_say_what_they_count(db_env: Path) -> None:
    """Saint-Denis (La Réunion): the département and the région are one area, shown once under each card; the
    last card says what it counts; a missing gap is not written « (–) »."""
    at = run_page("panorama", {"territoire": "commune:97411"})
    assert not at.exception, at.exception
    cartes = [c.value for c in at.caption if "France" in c.value and "total" in c.value]
    assert cartes and all(c.count("La Réunion") == 1 for c in cartes), cartes
    assert at.metric[4].label == "Employeurs pour 1\u202f000 hab." and "(–)" not in _text(at)


def test_a_sentence_is_never_said_twice(db_env: Path) -> None:
    """Ambenay (27009), no ESS employer: « Aucun établissement employeur … » once, not twice (position and
    families said the same)."""
    at = run_page("panorama", {"territoire": "commune:27009"})
    bref = next(m.value for m in at.markdown if m.value.startswith("- ") and "Ambenay" in m.value)
    lignes = bref.split("\n")
    assert len(lignes) == len(set(lignes)) and sum("Aucun établissement employeur" in x for x in lignes) == 1


def test_key_figures_fit_the_page_as_a_table(db_env: Path) -> None:
    """« Chiffres clés »: one row per indicator, one column per territory (an HTML table that wraps, never cut);
    the units table shows the map's indicator and the main counts, every indicator in an expander."""
    at = run_page("panorama", {"territoire": NIORT})
    cles = next(t.value for t in at.table if "France" in t.value.columns)
    colonnes = ["Indicateur", "CA du Niortais", "Département · Deux\\-Sèvres", "Région · Nouvelle\\-Aquitaine"]
    colonnes.append("France")
    assert list(cles.columns) == colonnes  # cells and headers are literal Markdown (« \\- »)
    assert len(cles) == 8 and cles.iloc[0, 0] == "Population"
    unites = [df.value for df in at.dataframe if "Commune" in df.value.columns]
    assert list(unites[0].columns)[-1] == "Employeurs / 1\u202f000 hab." and len(unites[0].columns) == 6
    assert len(unites[1].columns) > len(unites[0].columns)  # the expander « Tous les indicateurs des communes »
    at.selectbox(key="panorama_indicateur_carte").set_value("part_emploi_prive").run()
    unites = [df.value for df in at.dataframe if "Commune" in df.value.columns]
    assert list(unites[0].columns)[-1] == "Part de l'emploi privé (%)"


def test_multiselects_offer_no_select_all(db_env: Path) -> None:
    """Streamlit's « Select all » entry is English (and an empty filter already means everything)."""
    at = run_page("comparaisons", {"territoire": NIORT})
    assert at.multiselect[0].proto.select_all == 0


def test_published_figures_table_numbers_its_sources() -> None:
    from esscore.ui import panorama as ui

    shown = pd.DataFrame({
        "Indicateur": ["A", "B", "C"], "Chiffre publié": ["1", "2", "3"], "Année": ["2023"] * 3,
        "Périmètre": ["territoire entier", "Associations", "territoire entier"], "Source": ["doc 1", "doc 2", "doc 1"],
        "Estimation ESS Territoires": ["x", "y", "z"], "Note": ["", "hors bénévoles", ""],
    })  # fmt: skip
    table, sources = ui.publies_tableau(shown)
    assert sources == ["doc 1", "doc 2"] and list(table["Source"]) == ["1", "2", "1"]
    assert list(table["Périmètre"]) == ["territoire entier", "Associations (hors bénévoles)", "territoire entier"]
    assert "Note" not in table.columns
