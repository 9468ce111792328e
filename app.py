"""ESS Territoires — entry point: page configuration, page registry and navigation (no data code)."""

from pathlib import Path

import streamlit as st

from esscore.ui.blocs import page_en_francais
from esscore.ui.data import ensure_database

PAGES_DIR = Path(__file__).parent / "pages"

st.set_page_config(page_title="ESS Territoires", page_icon="🤝", layout="wide")
page_en_francais()  # <html lang="fr"> and Streamlit's own texts in French (esscore.ui.blocs)
ensure_database()

PAGES = {
    "Observer": [
        # The default page is served at « / » only (its own URL would say « Page not found »), so the
        # home page takes that role and every named page keeps a working URL.
        st.Page(PAGES_DIR / "accueil.py", title="Accueil", icon="🏠", url_path="accueil", default=True),
        st.Page(PAGES_DIR / "panorama.py", title="Panorama", icon="📊", url_path="panorama"),
        st.Page(PAGES_DIR / "comparaisons.py", title="Comparaisons", icon="⚖️", url_path="comparaisons"),
        st.Page(PAGES_DIR / "evolution.py", title="Évolution", icon="📈", url_path="evolution"),
        st.Page(PAGES_DIR / "carte.py", title="Carte des initiatives", icon="🗺️", url_path="carte"),
        st.Page(PAGES_DIR / "donnees.py", title="Données & sources", icon="📚", url_path="donnees"),
    ],
    "S'inspirer": [
        st.Page(PAGES_DIR / "benchmark.py", title="Benchmark des politiques", icon="💡", url_path="benchmark"),
    ],
    "Piloter": [
        st.Page(PAGES_DIR / "feuille_de_route.py", title="Feuille de route", icon="🧭", url_path="feuille-de-route"),
    ],
}

# Not registered, on purpose: pages/feuille-de-route.py, the stand-in that answers /feuille-de-route on the very
# first request of a fresh server, before any session has reached st.navigation (esscore/ui/bootstrap.py); it
# switches to this navigation at once, so it never appears in the sidebar (tests/test_browser_premiere_visite.py).
st.navigation(PAGES).run()
