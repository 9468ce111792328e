"""Make a sub-page URL opened first on a fresh server go through app.py's navigation.

Streamlit decides once per process whether the app uses the legacy ``pages/`` discovery: until some
session has called ``st.navigation``, a first visit to ``/donnees`` runs ``pages/donnees.py`` alone
(no page config, no database check, file names in the sidebar). Every page calls ``page_setup()``
first: in that legacy mode it switches the process to ``st.navigation`` and reruns, so app.py runs
and serves the requested page.
"""

from __future__ import annotations

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager


def page_setup() -> None:
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()
