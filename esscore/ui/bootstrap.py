"""First call of every page: go through app.py's navigation, keep the territory in the address.

Streamlit decides once per process whether the app uses the legacy ``pages/`` discovery
(``PagesManager.uses_pages_directory``: true while a ``pages/`` folder sits next to app.py and no session
has called ``st.navigation`` yet). In that mode, the very first run of a fresh server does not run app.py: it
names the pages after the files of ``pages/`` (``pages/donnees.py`` → ``/donnees``), runs the file matching
the requested URL alone (no page config, no database check, file names in the sidebar), and shows
« Page not found » over app.py when no file has the URL's name. Hence two rules, checked by
tests/test_url.py: every URL registered in app.py is the legacy name of a file of ``pages/`` (the page's
own file, or an alias such as ``pages/feuille-de-route.py`` when the file name differs from the URL), and
every such file calls ``page_setup()`` first. In legacy mode it switches the process to ``st.navigation``
and reruns: app.py then runs and serves the requested page, with its query string.
"""

from __future__ import annotations

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

from esscore.ui import layout


def page_setup() -> None:
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()
    layout.garder_territoire()
