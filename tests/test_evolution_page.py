"""The Évolution page run headless (AppTest): state in the URL (territory, indicator, mode, peers), automatic
sentences, downloads, one vintage only, and the demonstration label (issue 19)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent
NIORT = "epci:200041317"
POITIERS = "epci:200069854"


def run_page(params: dict[str, str]) -> AppTest:
    at = AppTest.from_file(str(ROOT / "pages" / "evolution.py"), default_timeout=120)
    for key, value in params.items():
        at.query_params[key] = value
    return at.run()


def _param(at: AppTest, key: str) -> str:
    value = at.query_params[key]
    return value[0] if isinstance(value, list) else value


def _texte(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption] + [i.value for i in at.info]
    return "\n".join(str(p) for p in parts).replace("\\", "")


def _spec(at: AppTest, k: int = 0) -> dict:
    """A chart's specification (Streamlit sends its data apart: the figures are tested on esscore.evolution)."""
    return json.loads(at.get("vega_lite_chart")[k].proto.spec)


def _noms(spec: dict) -> list[str]:
    """The territories drawn, in the legend's order."""
    return spec["encoding"]["color"]["scale"]["domain"]


@pytest.fixture()
def env_millesimes(db_millesimes: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ESS_DB", str(db_millesimes))
    return db_millesimes


def test_epci_series_sentences_and_downloads(env_millesimes: Path) -> None:
    at = run_page({"territoire": NIORT})
    assert not at.exception, at.exception
    assert at.title[0].value == "Évolution de l'ESS"
    texte = _texte(at)
    # 69 → 122 salariés (tests/test_millesimes.py), France 218,5 → 271,5
    assert "Depuis 2024, +76,8\u202f% de salariés estimés dans l'ESS dans la CA du Niortais (de 69 à 122)" in texte
    assert "contre +24,3\u202f% pour la France" in texte
    assert "2 millésimes du répertoire Sirene" in texte and "Source :" in texte
    assert _param(at, "indicateur") == "salaries_estimes" and _param(at, "mode") == "indice"
    assert _param(at, "pairs")  # the suggested peers, written for the link to be sent
    series, mouvements = _spec(at, 0), _spec(at, 1)
    assert series["title"]["subtitle"] == "Base 100 au premier millésime"
    assert series["encoding"]["y"]["axis"]["title"] == "Indice (100 en 2024)"
    assert _noms(series)[0] == "CA du Niortais" and "France" in _noms(series)  # the région's figures are secret
    assert mouvements["title"]["text"] == "Établissements de l'ESS créés et fermés chaque année"
    libelles = [b.proto.label for b in at.get("download_button")]
    assert libelles.count("Données (CSV)") == 2 and "Tableur (xlsx)" in libelles and "Image (PNG)" in libelles
    assert not at.warning  # real data: no demonstration banner


def test_url_state_indicator_mode_and_peers(env_millesimes: Path) -> None:
    at = run_page({"territoire": NIORT, "indicateur": "etablissements_employeurs", "mode": "absolu",
                   "pairs": POITIERS})  # fmt: skip
    assert not at.exception, at.exception
    assert at.selectbox(key="evo_indicateur").value == "etablissements_employeurs"
    assert at.radio(key="evo_mode").value == "absolu"
    assert at.multiselect(key=f"evo_pairs_{NIORT}").value == [POITIERS]
    assert _param(at, "pairs") == POITIERS and _param(at, "mode") == "absolu"
    spec = _spec(at)
    assert spec["title"]["subtitle"] == "Valeurs de chaque millésime"
    assert len(_noms(spec)) == 2 and _noms(spec)[0] == "CA du Niortais"  # a count in values: no parent drawn
    assert "établissements employeurs de l'ESS dans la CA du Niortais (de 6 à 6)" in _texte(at)
    at.radio(key="evo_mode").set_value("indice").run()
    assert _param(at, "mode") == "indice"
    assert len(_noms(_spec(at))) == 4  # the territory, its département, France (the région is secret), the peer


def test_bad_url_values_get_french_notices(env_millesimes: Path) -> None:
    at = run_page({"territoire": NIORT, "indicateur": "bidon", "mode": "zzz", "pairs": "commune:79191"})
    assert not at.exception, at.exception
    avis = " ".join(w.value for w in at.warning)
    assert "« indicateur »" in avis and "« mode »" in avis and "« pairs »" in avis
    assert _param(at, "indicateur") == "salaries_estimes" and _param(at, "mode") == "indice"


def test_one_vintage_only_says_so(db_env: Path) -> None:
    at = run_page({"territoire": NIORT})
    assert not at.exception, at.exception
    assert any("Un seul millésime Sirene" in i.value for i in at.info)
    assert len(at.get("vega_lite_chart")) == 1  # creations and closures still shown


def test_demonstration_series_are_labelled(base_nationale: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ESS_DB", str(base_nationale))
    at = run_page({"territoire": NIORT, "pairs": ""})
    assert not at.exception, at.exception
    assert any("Données de démonstration" in w.value for w in at.warning)
    texte = _texte(at)
    assert "Séries de **démonstration**" in texte and "Depuis 2015, " in texte
    assert "Créations et fermetures de **démonstration**" in texte
    assert "11 millésimes du répertoire Sirene" in texte
    assert "pour la région Nouvelle-Aquitaine et" in texte and "pour la France." in texte
