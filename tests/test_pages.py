"""Every page registered in app.py, run headless with AppTest."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent


def run_page(name: str, params: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "pages" / f"{name}.py"), default_timeout=60)
    for key, value in (params or {}).items():
        at.query_params[key] = value
    return at.run()


def test_app_shell_registers_every_page_file(db_env: Path) -> None:
    text = (ROOT / "app.py").read_text("utf-8")
    for page in (ROOT / "pages").glob("*.py"):
        assert f'"{page.name}"' in text, f"{page.name} n'est pas enregistrée dans app.py"
        # a first visit to a sub-page URL must go through app.py (see esscore/ui/bootstrap.py)
        assert "page_setup()" in page.read_text("utf-8"), f"{page.name} doit appeler page_setup() en premier"
    assert not [p for p in (ROOT / "pages").iterdir() if p.suffix != ".py" and p.name != "__pycache__"]


def test_app_runs(db_env: Path) -> None:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    assert not at.exception


def test_donnees_lists_every_source(db_env: Path) -> None:
    at = run_page("donnees")
    assert not at.exception
    assert at.title[0].value == "Données & sources"
    table = at.dataframe[0].value
    assert {"Source", "Producteur", "Millésime", "Licence", "lignes"} <= set(table.columns)
    assert (table["lignes"].fillna(0) > 0).all()
    assert any(s.startswith("Découpage administratif 2026") for s in table["Source"])


def _home(params: dict[str, str]) -> AppTest:
    """The home page is the default page: run it through app.py so its page links resolve."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    for key, value in params.items():
        at.query_params[key] = value
    return at.run()


def test_accueil_shows_territory_and_links(db_env: Path) -> None:
    at = _home({"territoire": "epci:200041317"})
    assert not at.exception
    assert at.title[0].value == "ESS Territoires"
    texts = [str(m.value) for m in at.markdown] + [str(m.value) for m in at.subheader]
    assert "CA du Niortais" in " ".join(texts)
    assert len(at.get("page_link")) == 6


def test_accueil_bad_territoire_french_message(db_env: Path) -> None:
    at = _home({"territoire": "epci:999999999"})
    assert not at.exception
    assert any("inconnu" in e.value for e in at.error)
