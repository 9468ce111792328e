"""First visit of each page URL on a freshly started server: the right page, no « Page not found », no notice.

Until a session has called ``st.navigation``, Streamlit runs in its legacy ``pages/`` mode (see
``esscore.ui.bootstrap``): a URL missing from the file names of ``pages/`` gets its « Page not found » dialog.
Each case starts its own server (``fresh_streamlit_server``), never warmed up, and opens one URL first.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.browser import body_text, open_page, page_errors
from tests.test_hostile import registered_pages

pytestmark = pytest.mark.browser

PAGES = registered_pages()
# The address each page is opened with, as a link sent to an official would carry it; a page not listed gets
# ``?territoire=epci:200041317`` when it shows a territory (its own picker), else no parameter.
PARAMS: dict[str, dict[str, str]] = {
    "accueil": {"territoire": "commune:79191"},
    "panorama": {"territoire": "commune:79191"},
    "donnees": {},
    "benchmark": {},
}
# Streamlit's texts when a URL is not found or the legacy navigation is shown (file names as page names).
NOTICES = ("Page not found", "You have requested page", "no corresponding file")


def parametres(cible) -> dict[str, str]:
    defaut = {"territoire": "epci:200041317"} if cible.uses_picker else {}
    return PARAMS.get(cible.url_path, defaut)


@pytest.mark.parametrize("cible", PAGES, ids=lambda p: p.url_path)
def test_first_visit_on_a_fresh_server(cible, page, fresh_streamlit_server) -> None:
    params = parametres(cible)
    open_page(page, fresh_streamlit_server, cible.url, params)
    text = body_text(page)
    assert not [n for n in NOTICES if n in text], f"/{cible.url} ouvert en premier : avis affiché\n{text[:1500]}"
    assert page.locator('[role="dialog"]').count() == 0, f"/{cible.url} : une boîte de dialogue est ouverte"
    assert page.locator('[data-testid="stException"]').count() == 0, text[:1500]
    assert page_errors(page) == []
    nav = page.locator('[data-testid="stSidebarNav"]')
    assert nav.get_by_text("Feuille de route", exact=True).count() == 1, "navigation d'app.py absente"
    assert nav.get_by_text(re.compile(r"^(app|feuille[_ -]de[_ -]route)$")).count() == 0, "noms de fichiers affichés"
    assert page.locator("h1").count() >= 1
    adresse = urlsplit(page.url)
    assert adresse.path.rstrip("/") == f"/{cible.url}".rstrip("/")
    for nom, valeur in params.items():
        assert parse_qs(adresse.query).get(nom) == [valeur], f"{nom} perdu : {page.url}"
