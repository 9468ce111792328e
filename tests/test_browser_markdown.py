"""User text shown as typed in Chromium: no Markdown from a benchmark fiche or a roadmap action is ever rendered.

A fiche imported by the CLI (``HOSTILE`` of tests/test_benchmark_page.py) and a roadmap stored in the editing
store carry a setext heading, a bullet, a bare URL, a strikethrough, a remote image, a link, a Streamlit colour
directive and LaTeX (``MARKDOWN_PIEGE``). On every page that shows them: no heading, list item, link, struck
text, image or formula made of them, and the characters themselves visible. The indicator's unit carries a line
break, a backslash and U+2028, which once made its Vega chart fail (« Expression parse error »).

Both are served by ``hostile_server`` (tests/conftest.py; data: ``tests.browser.build_hostile_db`` and
``build_hostile_store``), next to the payload names of tests/test_browser_hostile.py.
"""

from __future__ import annotations

import pytest

from tests.browser import body_text, open_page, page_errors, screenshot
from tests.test_benchmark_page import HOSTILE_TITRE

pytestmark = pytest.mark.browser

# What must read exactly as typed (each one would otherwise become markup, or vanish into it).
VISIBLES = ("=====", "- puce", "https://exemple.org", "~~barré~~", "![img](http://127.0.0.1:9/x.png)",
            "[Cliquez ici](http://exemple.org)", ":red[rouge]", "$x^2$")  # fmt: skip

# Everything Markdown could have made of the hostile texts, in the whole document (sidebar included).
_RENDU_JS = """
() => {
  const texte = (sel) => [...document.querySelectorAll(sel)].map(e => e.textContent.trim());
  return {
    titres: texte('h1, h2, h3, h4, h5, h6'),
    puces: texte('li'),
    liens: [...document.querySelectorAll('a[href]')].map(a => a.getAttribute('href')),
    barres: texte('del, s, strike'),
    images: [...document.querySelectorAll('img')].map(i => i.getAttribute('src') || ''),
    formules: document.querySelectorAll('.katex, .katex-display, math').length,
  };
}
"""


def requetes_vers_le_port_9(pg) -> list[str]:
    """Requests the page makes to the hostile image's address (a rendered image would load it)."""
    vues: list[str] = []
    pg.on("request", lambda req: vues.append(req.url) if "127.0.0.1:9/" in req.url else None)
    return vues


def assert_rien_interprete(pg, visibles: tuple[str, ...] = VISIBLES) -> None:
    """No markup made of the hostile texts anywhere in the page, and their characters visible as typed."""
    rendu = pg.evaluate(_RENDU_JS)
    assert [t for t in rendu["titres"] if t.endswith("Titre") or "Pas un titre" in t or "puce" in t] == [], rendu
    # a list item made of them would start with the text after « - » (the app's own lists quote them later on)
    assert [t for t in rendu["puces"] if t.startswith(("puce", "[Cliquez", "Cliquez", "~~", "barré"))] == [], rendu
    assert [h for h in rendu["liens"] if any(m in h for m in ("exemple.", "javascript", "127.0.0.1:9"))] == []
    assert rendu["barres"] == [] and rendu["formules"] == 0, rendu
    assert [s for s in rendu["images"] if "127.0.0.1:9" in s or s == "x"] == [], rendu["images"]
    texte = body_text(pg).replace("\u2060", "")  # the invisible word joiner that keeps URLs from linking
    absents = [v for v in visibles if v not in texte]
    assert absents == [], f"texte non affiché tel quel : {absents}"
    assert "Traceback" not in texte and page_errors(pg) == []


def test_benchmark_fiche_shows_markdown_as_typed(page, hostile_server) -> None:
    requetes = requetes_vers_le_port_9(page)
    open_page(page, hostile_server, "benchmark", {"fiche": "test-hostile"})
    page.locator('[data-testid="stMarkdownContainer"]', has_text="Pas un titre").first.wait_for()
    screenshot(page, "markdown-benchmark-fiche")
    assert_rien_interprete(page, (*VISIBLES, "# Pas un titre", "`code`", "<img src=x onerror=alert(1)>"))
    assert HOSTILE_TITRE in body_text(page).replace("\u2060", "")
    assert requetes == []


def test_benchmark_cards_and_comparison_show_markdown_as_typed(page, hostile_server) -> None:
    requetes = requetes_vers_le_port_9(page)
    open_page(page, hostile_server, "benchmark", {"q": "piege"})
    # a card shows the description cut at 180 characters, on one line
    assert_rien_interprete(
        page,
        (
            "# Pas un titre $x$ et `code`",
            "===== - puce https://exemple.org ~~barré~~",
            "![img](http://127.0.0.1:9/x.png) [Cliquez ici](http://exemple.org)",
        ),
    )
    assert HOSTILE_TITRE in body_text(page).replace("\u2060", "")
    open_page(page, hostile_server, "benchmark", {"compare": "test-hostile,lyon-fondation-innovation-sociale"})
    page.locator('[data-testid="stTable"]').first.wait_for()
    assert_rien_interprete(page)  # st.table renders Markdown in every cell
    assert requetes == []


def test_roadmap_action_shows_markdown_as_typed(page, hostile_server) -> None:
    requetes = requetes_vers_le_port_9(page)
    open_page(page, hostile_server, "feuille-de-route", {"feuille": "test-valide"})
    assert_rien_interprete(page)  # the roadmap's note, under its title
    page.get_by_role("tab", name="Actions").click()
    page.get_by_text("Partenaires :").first.wait_for()
    screenshot(page, "markdown-feuille-de-route")
    assert_rien_interprete(page)  # the action's title, description, objectives and partners
    assert "- puce, [Cliquez ici](http://exemple.org), ~~barré~~" in body_text(page).replace("\u2060", "")
    assert requetes == []


def test_indicator_chart_with_a_hostile_unit_draws(page, hostile_server) -> None:
    open_page(page, hostile_server, "feuille-de-route", {"feuille": "test-valide"})
    page.get_by_role("tab", name="Indicateurs").click()
    graphique = page.locator('[data-testid="stVegaLiteChart"] >> visible=true').first
    graphique.wait_for()
    graphique.locator("svg, canvas").first.wait_for()
    erreurs = [e.text for e in getattr(page, "errors", []) if "parse" in e.text.lower() or "expression" in e.text]
    assert erreurs == [] and "parse error" not in body_text(page).lower()
    assert page_errors(page) == []
