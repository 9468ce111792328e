"""Every page in French, within the screen and accessible (issue 16; RGAA 4.1, i.e. WCAG 2.1 AA), in Chromium.

Each visit, at 1 440 × 900, fails on:
- an English word of Streamlit's own (``ANGLAIS``: visible text, and the names read by screen readers) or a dialog;
- an empty grid (Streamlit draws « empty » in it) or a « None » cell: a French message must replace them;
- a table or a chart wider than the page (a table scrolled sideways hides its last columns);
- an axe-core violation of impact « critical » or « serious » (axe-core ships in ``axe-playwright-python``: no
  network), and a page language other than French.
Every page is visited for one territory, Panorama and Comparaisons (the pages that change most with the level) for
the five levels; tables and charts are measured again at 1 280 × 720. The territory picker and the map filters are
then used with the keyboard alone. One server for the suite (``streamlit_server``), about two minutes and a half.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest

from tests import browser as B

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.browser

TERRITOIRES = ("commune:79191", "epci:200041317", "departement:79", "region:75", "france")
# "": Accueil, at /
PAGES = ("", "panorama", "comparaisons", "evolution", "carte", "donnees", "benchmark", "feuille-de-route")
# Streamlit's English (frontend of 1.67) and argparse's: none may reach a user. Matched as whole words, with case.
ANGLAIS = (
    "Select all", "empty", "None", "Page not found", "Running", "usage:", "Show more", "Show less", "View more",
    "Press Enter", "Fullscreen", "Download as CSV", "Skip to main content", "No results", "Clear all", "Search",
    "Close", "Stop", "Connecting", "Please wait", "Show/hide columns", "show this help message",
)  # fmt: skip
IMPACTS_BLOQUANTS = ("critical", "serious")
AXE_REGLES = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}

# Visible text and accessible names (aria-label, title) of the page, outside hidden parts and icon ligatures
# (Material icons are words such as « search » drawn by a font, marked aria-hidden).
_TEXTES_JS = """
() => {
  const textes = [];
  const cache = (el) => el.closest('[aria-hidden="true"], [hidden]') !== null;
  const marche = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (marche.nextNode()) {
    const n = marche.currentNode, el = n.parentElement;
    if (!el || cache(el) || ['SCRIPT', 'STYLE', 'NOSCRIPT'].includes(el.tagName)) continue;
    if (!el.getClientRects().length) continue;
    if (n.data.trim()) textes.push(n.data.trim());
  }
  for (const el of document.querySelectorAll('[aria-label], [title], [placeholder]')) {
    if (cache(el) || el.tagName === 'CANVAS') continue;
    for (const a of ['aria-label', 'title', 'placeholder']) if (el.getAttribute(a)) textes.push(el.getAttribute(a));
  }
  return textes;
}
"""
# What a reader cannot see: an empty grid (Streamlit draws « empty » on its canvas) or a « None » cell, read from
# the grid's accessible table; every table, grid or chart wider than its place on the page.
_GRILLES_JS = """
() => {
  const fautes = [];
  for (const grille of document.querySelectorAll('[data-testid="stDataFrame"] table[role="grid"]')) {
    const lignes = grille.querySelectorAll('tbody tr');
    const cellules = [...grille.querySelectorAll('tbody td')].map(td => td.textContent.trim());
    const titres = [...grille.querySelectorAll('th')].map(th => th.textContent.trim()).join(' | ');
    if (lignes.length === 1 && cellules.every(c => c === '')) fautes.push(`grille vide affichée (${titres})`);
    if (cellules.includes('None')) fautes.push(`cellule « None » (${titres})`);
  }
  return fautes;
}
"""
_LARGEURS_JS = """
() => {
  const fautes = [];
  const visible = (el) => el.getClientRects().length > 0 && el.clientWidth > 0;
  for (const el of document.querySelectorAll('[data-testid="stDataFrame"]')) {
    const defil = el.querySelector('.dvn-scroller');
    if (visible(el) && defil && defil.scrollWidth > defil.clientWidth + 1) {
      fautes.push(`grille défilant de côté (${defil.scrollWidth} px pour ${defil.clientWidth}) : `
                  + [...el.querySelectorAll('th')].map(th => th.textContent.trim()).join(' | '));
    }
  }
  for (const el of document.querySelectorAll('[data-testid="stTable"]')) {
    const trop = [el, ...el.querySelectorAll('*')].filter(e => e.scrollWidth > e.clientWidth + 1
      && ['auto', 'scroll'].includes(getComputedStyle(e).overflowX));
    if (visible(el) && trop.length) fautes.push(`tableau défilant de côté : ${el.innerText.slice(0, 80)}`);
  }
  for (const el of document.querySelectorAll('[data-testid="stVegaLiteChart"]')) {
    const dessin = el.querySelector('canvas, svg');
    if (!visible(el) || !dessin) continue;
    const depasse = dessin.getBoundingClientRect().right - el.getBoundingClientRect().right;
    if (depasse > 1) fautes.push(`graphique coupé de ${Math.round(depasse)} px : ${el.getAttribute('aria-label')}`);
  }
  return fautes;
}
"""


def ouvrir(page: Page, base_url: str, chemin: str, params: dict[str, str]) -> None:
    """Open a page and wait until it is drawn in full (lazily loaded tables and charts included) and its French
    script has run (``blocs.page_en_francais``; if it never does, ``fautes`` says so)."""
    B.open_page(page, base_url, chemin, params)
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stSkeleton\"]')", timeout=30_000)
    attendre(page, "() => document.documentElement.lang === 'fr'")


def attendre(page: Page, condition: str, timeout_ms: int = 5_000) -> None:
    """Wait for ``condition`` (JavaScript) at most ``timeout_ms``, without failing: the checks that follow say
    what is wrong if it never comes true."""
    from playwright.sync_api import TimeoutError as Delai

    try:
        page.wait_for_function(condition, timeout=timeout_ms)
    except Delai:
        pass


def mots_anglais(page: Page) -> list[str]:
    textes = page.evaluate(_TEXTES_JS)
    motifs = [(mot, re.compile(rf"(?<![\w-]){re.escape(mot)}(?![\w-])")) for mot in ANGLAIS]
    return sorted({f"{mot} (« {t[:60]} »)" for t in textes for mot, motif in motifs if motif.search(t)})


def violations_axe(page: Page) -> list[str]:
    """axe-core's violations of impact critical or serious, one line each (rule, impact, first elements)."""
    from axe_playwright_python.sync_playwright import Axe

    resultat = Axe().run(page, options=AXE_REGLES).response
    return [
        f"{v['id']} ({v['impact']}) : {v['help']} — {[n['target'] for n in v['nodes'][:3]]}"
        for v in resultat["violations"]
        if v["impact"] in IMPACTS_BLOQUANTS
    ]


def fautes(page: Page) -> list[str]:
    """Everything this module refuses on the page shown (empty when the page is right)."""
    trouvees = [f"mot anglais : {m}" for m in mots_anglais(page)]
    trouvees += [f"boîte de dialogue : {d}" for d in page.locator('[role="dialog"]:visible').all_inner_texts()]
    trouvees += page.evaluate(_GRILLES_JS) + page.evaluate(_LARGEURS_JS)
    langue = page.evaluate("() => document.documentElement.lang")
    if langue != "fr":
        trouvees.append(f"langue de la page : « {langue} » au lieu de « fr »")
    return trouvees + violations_axe(page)


VISITES = [(chemin, "epci:200041317") for chemin in PAGES] + [
    (chemin, t) for t in TERRITOIRES if t != "epci:200041317" for chemin in ("panorama", "comparaisons")
]


@pytest.mark.parametrize(("chemin", "territoire"), VISITES, ids=[f"{c or 'accueil'}-{t}" for c, t in VISITES])
def test_page_francaise_et_accessible(page: Page, streamlit_server: str, chemin: str, territoire: str) -> None:
    """At 1 440 × 900 every check of ``fautes``; then the same page on a 1 280 × 720 laptop: every table and
    chart still fits (grids and charts follow the width of the window; they are given 3 s to)."""
    page.set_viewport_size({"width": 1440, "height": 900})
    ouvrir(page, streamlit_server, chemin, {"territoire": territoire})
    trouvees = fautes(page)
    page.set_viewport_size({"width": 1280, "height": 720})
    attendre(page, f"() => ({_LARGEURS_JS})().length === 0", 3_000)
    trouvees += [f"à 1 280 px : {faute}" for faute in page.evaluate(_LARGEURS_JS)]
    if trouvees:
        B.screenshot(page, f"accessibilite-{chemin or 'accueil'}-{territoire.replace(':', '_')}")
    assert not trouvees, "\n".join(trouvees)


def test_recherche_sans_resultat_en_francais(page: Page, streamlit_server: str) -> None:
    """The map search of the placeholder's own example (« recyclerie »), with nothing to find here: a French
    sentence naming the word, never an empty grid (« empty »)."""
    ouvrir(page, streamlit_server, "carte", {"territoire": "commune:79191", "q": "recyclerie zzz"})
    texte = B.body_text(page)
    assert "Aucun établissement dont le nom contient « recyclerie zzz »" in texte.replace("\u202f", " ")
    assert not page.evaluate(_GRILLES_JS)
    assert not mots_anglais(page)


def test_choix_du_territoire_au_clavier(page: Page, streamlit_server: str) -> None:
    """The territory picker with the keys only: Tab to the search box, type, Enter; the arrows pick a result,
    Tab reaches « Afficher ce territoire », Entrée opens it (the URL follows)."""
    page.set_viewport_size({"width": 1440, "height": 900})
    ouvrir(page, streamlit_server, "panorama", {"territoire": "epci:200041317"})
    champ = page.get_by_label("Rechercher une commune, un EPCI, un département…")
    atteindre(page, champ)
    page.keyboard.type("Chauray")
    B.run_and_wait(page, lambda: page.keyboard.press("Enter"))
    resultats = page.get_by_role("radiogroup")
    atteindre(page, resultats.get_by_role("radio").first)
    page.keyboard.press("Space")  # the first result is chosen
    bouton = page.get_by_role("button", name="Afficher ce territoire")
    atteindre(page, bouton)
    B.run_and_wait(page, lambda: page.keyboard.press("Enter"))
    page.wait_for_url(re.compile(r"territoire=commune(%3A|:)79081"), timeout=B.DEFAULT_TIMEOUT_MS)
    assert "Chauray (79081)" in B.body_text(page)


def test_filtres_de_la_carte_au_clavier(page: Page, streamlit_server: str) -> None:
    """A map filter with the keys only: Tab to « Famille », type the start of a family, Enter selects it,
    Escape closes the list; the URL and the map follow, and the list offers no « Select all »."""
    page.set_viewport_size({"width": 1440, "height": 900})
    ouvrir(page, streamlit_server, "carte", {"territoire": "epci:200041317"})
    champ = page.locator('[data-testid="stMultiSelect"]').filter(has_text="Famille").locator("input")
    atteindre(page, champ)
    page.keyboard.type("Coop")
    assert "Select all" not in page.locator('[role="listbox"]').inner_text()
    B.run_and_wait(page, lambda: page.keyboard.press("Enter"))
    page.keyboard.press("Escape")
    page.wait_for_url(re.compile(r"famille=Coop"), timeout=B.DEFAULT_TIMEOUT_MS)
    assert "Coopératives" in page.locator('[data-testid="stMultiSelect"]').filter(has_text="Famille").inner_text()
    assert not mots_anglais(page)


def atteindre(page: Page, cible, essais: int = 80) -> None:  # noqa: ANN001 - a Playwright Locator
    """Press Tab until ``cible`` has the keyboard focus (fails if it is not reachable in ``essais`` presses)."""
    cible.wait_for(state="visible", timeout=B.DEFAULT_TIMEOUT_MS)
    for _ in range(essais):
        if cible.evaluate("el => el === document.activeElement"):
            return
        page.keyboard.press("Tab")
    pytest.fail(f"élément jamais atteint au clavier en {essais} tabulations : {cible}")
