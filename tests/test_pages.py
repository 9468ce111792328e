"""Every page registered in app.py, run headless with AppTest."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from esscore.text import texte_litteral

ROOT = Path(__file__).resolve().parent.parent


def run_page(name: str, params: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "pages" / f"{name}.py"), default_timeout=60)
    for key, value in (params or {}).items():
        at.query_params[key] = value
    return at.run()


def test_app_shell_registers_every_page_file(db_env: Path) -> None:
    text = (ROOT / "app.py").read_text("utf-8")
    for page in (ROOT / "pages").glob("*.py"):
        if "-" in page.stem:
            continue  # first-visit stand-in file, checked by tests/test_url.py
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
    # the registry as an HTML table (esscore.ui.donnees.sources) or, page not yet switched to it, as a grid
    table = next(t.value for t in [*at.table, *at.dataframe] if "Producteur" in t.value.columns)
    lignes = "Lignes" if "Lignes" in table.columns else "lignes"
    assert {"Source", "Producteur", "Millésime", "Licence", lignes} <= set(table.columns)
    assert table[lignes].map(lambda n: str(n) not in ("", "–", "nan", "0")).all()
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


def _bloc(script, **kwargs) -> AppTest:  # noqa: ANN001 - a function run as a Streamlit script
    """Run one rendering function of esscore.ui headless (``AppTest.from_function``)."""
    return AppTest.from_function(script, kwargs=kwargs, default_timeout=60).run()


def test_sources_registry_fits_the_page_in_french() -> None:
    """Données & sources: the registry in an HTML table of five columns (it wraps, never cut), its details in an
    expander; row counts and dates the French way; the build date in words."""

    def script() -> None:
        import pandas as pd

        from esscore.ui import donnees

        frame = pd.DataFrame({
            "Source": ["Découpage administratif 2026", "Registre"], "Producteur": ["Etalab", "ESS Territoires"],
            "Millésime": ["2026", "2026"], "Licence": ["Licence Ouverte", "Licence Ouverte"], "lignes": [34969, None],
            "Paquet / fichier": ["npm", None], "Accès": ["2026-11-23", None], "url": ["https://x.fr", None],
            "Note": [None, "à jour"],
        })  # fmt: skip
        donnees.sources(frame)
        donnees.rapport(pd.DataFrame({"Élément": ["Durée (s)", "Date du stock", "Départements"],
                                      "Valeur": ["16.3", "2025-11-30", "01,02,2A"]}))  # fmt: skip
        import streamlit as st

        st.caption(donnees.construction({"date_construction": "2025-12-05T05:02:31", "version": "0.1.0"}))

    at = _bloc(script)
    assert not at.exception, at.exception
    principal, details, rapport = (t.value for t in at.table)
    assert list(principal.columns) == ["Source", "Producteur", "Millésime", "Licence", "Lignes"]
    assert list(principal["Lignes"]) == ["34\u202f969", "–"]  # never « None » or « nan »
    assert list(details["Accès"]) == ["23 novembre 2026", "–"] and "None" not in details.to_string()
    assert list(rapport["Valeur"]) == [texte_litteral(v) for v in ("16,3", "30 novembre 2025", "01, 02, 2A")]
    assert at.caption[-1].value == "Base construite le 5 décembre 2025 à 5 h 02 · ESS Territoires 0\\.1\\.0"


def test_map_lists_say_when_nothing_matches_and_never_none() -> None:
    """The map's lists: a French sentence naming the search instead of an empty grid (« empty »), a website
    left blank is « – », never « None »; five columns, the others in an expander."""

    def script() -> None:
        import pandas as pd

        from esscore import carte
        from esscore.ui import carte as ui

        vide = pd.DataFrame(columns=["nom", "siret", "famille", "secteur", "taille", "tranche_effectifs", "commune",
                                     "code_commune"])  # fmt: skip
        ui.tableau_etablissements(vide, 0, carte.Filtres(texte="recyclerie"))
        initiatives = pd.DataFrame({
            "nom": ["A", "B"], "statut": ["association", "SCOP"], "famille": ["Associations", "Coopératives"],
            "thematiques": [["culture"], []], "commune_nom": ["Niort", "Niort"], "site_web": [None, "https://b.fr"],
            "source": [{"titre": "Liste"}, {"titre": "Liste"}],
        })  # fmt: skip
        ui.tableau_initiatives(initiatives, carte.Filtres())

    at = _bloc(script)
    assert not at.exception, at.exception
    assert at.info[0].value.startswith("Aucun établissement dont le nom contient «\u202frecyclerie\u202f»")
    liste = at.dataframe[0]
    assert list(liste.value.columns) == ["Nom", "Statut", "Famille", "Commune", "Site web"]
    assert liste.proto.placeholder == "–" and liste.value["Site web"].isna().tolist() == [True, False]
