"""The state in the address: every page URL served on a fresh server, every parameter checked with a French
notice (``layout.parametre_url``), the territory kept from page to page."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.source_util import page_icon_and_name
from streamlit.testing.v1 import AppTest

from tests.test_hostile import registered_pages

ROOT = Path(__file__).resolve().parent.parent
NIORT_AGGLO = "epci:200041317"
NIORT = "commune:79191"


@pytest.fixture()
def env(db_env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ESS_STORE", str(tmp_path / "edition.sqlite"))
    return db_env


def run_page(name: str, params: dict[str, str | list[str]]) -> AppTest:
    at = AppTest.from_file(str(ROOT / "pages" / f"{name}.py"), default_timeout=60)
    for key, value in params.items():
        at.query_params[key] = value
    return at.run()


def notices(at: AppTest, parametre: str) -> list[str]:
    """Messages naming the URL parameter ``parametre`` (shown literal: Markdown escapes removed)."""
    textes = [re.sub(r"\\(.)", r"\1", str(m.value)) for m in [*at.warning, *at.error]]
    return [t for t in textes if f"Paramètre « {parametre} » de l'adresse" in t]


# ------------------------------------------------------------------ first visit on a fresh server


def test_every_page_url_has_a_file_of_its_name_in_pages() -> None:
    """Until a session has called st.navigation, Streamlit names pages after the files of pages/ (the same
    function, ``page_icon_and_name``): a URL registered in app.py without a file of its name gets « Page not
    found » on the first visit of a fresh server (esscore/ui/bootstrap.py)."""
    noms = {page_icon_and_name(p)[1]: p for p in (ROOT / "pages").glob("*.py")}
    for page in registered_pages():
        if not page.default:  # "/" runs app.py in the legacy mode too
            assert page.url_path in noms, f"/{page.url_path} : aucun fichier pages/ de ce nom (alias à créer)"
            assert "page_setup()" in noms[page.url_path].read_text("utf-8")


def test_aliases_only_hand_over_to_app_py() -> None:
    """A file of pages/ not registered in app.py exists for the legacy first run only: it does nothing else."""
    enregistres = {p.file for p in registered_pages()}
    alias = [p for p in (ROOT / "pages").glob("*.py") if p.name not in enregistres]
    assert [p.name for p in alias] == ["feuille-de-route.py"]
    for p in alias:
        code = [ligne for ligne in re.sub(r'"""(.|\n)*?"""', "", p.read_text("utf-8")).splitlines() if ligne.strip()]
        assert code == ["from esscore.ui.bootstrap import page_setup", "page_setup()"], p.name


# ------------------------------------------------------------------ the helper


def _script_parametres() -> None:
    import streamlit as st

    from esscore.ui import layout

    st.session_state["un"] = layout.parametre_url("couleur", ("rouge", "vert"), "vert")
    st.session_state["plusieurs"] = layout.parametre_url(
        "formes", {"rond": "Rond", "carre": "Carré"}, ["rond"], plusieurs=True, separateur=",", maximum=2
    )
    st.session_state["norme"] = layout.parametre_url("mot", ("Économie",), normaliser=str.casefold)
    st.session_state["vide"] = layout.parametre_url("liste", ("a",), ["a"], plusieurs=True)
    st.session_state["texte"] = layout.parametre_url("q", layout.texte_libre(5), "")


def test_parametre_url_keeps_accepted_values_and_names_the_others() -> None:
    at = AppTest.from_function(_script_parametres)
    at.query_params.update(couleur="bleu", formes=["carre,Bidon", "rond,carre"], mot="économie", liste="", q="abcdefgh")
    at.run()
    assert not at.exception
    assert at.session_state["un"] == "vert"  # refused: the default
    assert at.session_state["plusieurs"] == ["carre", "rond"]  # deduplicated, at most 2
    assert at.session_state["norme"] == "Économie"
    assert at.session_state["vide"] == []  # present but empty: not the default
    (couleur,) = notices(at, "couleur")
    assert "« bleu »" in couleur and "Valeurs admises : rouge, vert." in couleur
    (formes,) = notices(at, "formes")
    assert "« Bidon »" in formes and "carre (Carré)" in formes
    assert not notices(at, "mot") and not notices(at, "liste")
    assert at.session_state["texte"] == "abcde"  # cut, as the text field would, and said
    (texte,) = notices(at, "q")
    assert "valeur corrigée : « abcdefgh » — 8 caractères, coupée à 5" in texte


def test_parametre_url_absent_gives_the_default_silently() -> None:
    at = AppTest.from_function(_script_parametres).run()
    assert at.session_state["un"] == "vert" and at.session_state["plusieurs"] == ["rond"]
    assert at.session_state["vide"] == ["a"]
    assert not at.warning


# ------------------------------------------------------------------ each page


def test_carte_unknown_filter_value_is_named(env: Path) -> None:
    at = run_page("carte", {"territoire": NIORT_AGGLO, "famille": ["Bidon", "Associations"], "vue": "Satellite"})
    assert not at.exception
    (famille,) = notices(at, "famille")
    assert "« Bidon »" in famille and "Associations, Coopératives" in famille
    (vue,) = notices(at, "vue")
    assert "Automatique, Points, Communes, Hexagones" in vue
    assert at.multiselect(key="famille").value == ["Associations"]


def test_comparaisons_pairs_and_indicator_are_checked(env: Path) -> None:
    params = {"territoire": NIORT, "pairs": f"{NIORT_AGGLO},commune:79048,{NIORT},commune:99999", "indicateur": "x"}
    at = run_page("comparaisons", params)
    assert not at.exception
    (pairs,) = notices(at, "pairs")
    assert f"« {NIORT_AGGLO} » — pas du même niveau que le territoire (commune)" in pairs
    assert f"« {NIORT} » — c'est le territoire étudié" in pairs and "« commune:99999 »" in pairs
    assert "identifiants de territoires de même niveau (commune)" in pairs
    (indicateur,) = notices(at, "indicateur")
    assert "employeurs_pour_1000_hab (" in indicateur
    assert at.query_params["pairs"] == "commune:79048"


def test_benchmark_unknown_values_are_named(env: Path) -> None:
    at = run_page("benchmark", {"levier": ["financement", "Bidon"], "annee": "1800", "min": "beaucoup"})
    assert not at.exception
    (levier,) = notices(at, "levier")
    assert "« Bidon »" in levier and "Commande publique" in levier
    assert notices(at, "annee") and notices(at, "min")
    assert at.session_state["bm_levier"] == ["Financement"]  # accents and case forgiven


@pytest.mark.parametrize("page", ["panorama", "carte", "comparaisons"])
def test_unknown_territory_names_the_parameter(page: str, env: Path) -> None:
    at = run_page(page, {"territoire": "epci:999999999"})
    assert not at.exception
    (message,) = notices(at, "territoire")
    assert "inconnu" in message and "TYPE:CODE" in message
    assert at.error, "un territoire refusé arrête la page (aucun chiffre d'un autre territoire)"


# ------------------------------------------------------------------ the territory kept from page to page


@pytest.mark.parametrize("page", ["benchmark", "donnees", "carte", "feuille_de_route"])
def test_territory_kept_when_a_page_is_opened_without_it(page: str, env: Path) -> None:
    """The sidebar's links carry no parameter: the page puts the session's territory back in the address."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params["territoire"] = NIORT
    at.run()
    assert at.session_state["territoire"] == NIORT
    at.query_params.clear()
    at.switch_page(f"pages/{page}.py").run()
    assert not at.exception
    assert at.query_params["territoire"] == NIORT
    if page == "benchmark":  # shown with the territory (« Pour mon territoire »), not without one
        assert any("Niort" in str(c.value) for c in at.sidebar.caption)


# ------------------------------------------------------------------ in a browser


SIDEBAR_LINKS = {  # link text → the page's path
    "Benchmark des politiques": "benchmark", "Données & sources": "donnees", "Comparaisons": "comparaisons",
    "Carte des initiatives": "carte", "Feuille de route": "feuille-de-route", "Panorama": "panorama", "Accueil": "",
}  # fmt: skip


@pytest.mark.browser
def test_sidebar_links_keep_the_territory(page, streamlit_server) -> None:
    from urllib.parse import parse_qs, urlsplit

    from tests.browser import open_page, wait_ready

    open_page(page, streamlit_server, "panorama", {"territoire": NIORT})
    for titre, chemin in SIDEBAR_LINKS.items():
        page.locator('[data-testid="stSidebarNav"] a', has_text=titre).first.click()
        # the page's own address, then the territory put back by page_setup (a run may already be going on)
        page.wait_for_function(
            f"() => location.pathname.replace(/\\/$/, '') === '/{chemin}'.replace(/\\/$/, '') "
            f"&& new URLSearchParams(location.search).get('territoire') === '{NIORT}'"
        )
        wait_ready(page)
        assert parse_qs(urlsplit(page.url).query).get("territoire") == [NIORT], f"{titre} : {page.url}"
        if chemin == "benchmark":  # the page shows the territory, not the catalogue alone
            assert page.locator('[data-testid="stSidebar"]').get_by_text("Niort", exact=False).count() >= 1


@pytest.mark.browser
def test_unknown_filter_value_is_said_in_the_browser(page, streamlit_server) -> None:
    """A value a bound widget drops (Streamlit corrects the address): the notice still names it."""
    from tests.browser import body_text, open_page

    open_page(page, streamlit_server, "carte", {"territoire": NIORT_AGGLO, "famille": "Bidon"})
    texte = body_text(page)
    assert "Paramètre « famille » de l'adresse" in texte and "« Bidon »" in texte, texte[:2000]
    assert "Associations, Coopératives" in texte
