"""/feuille-de-route opened first on a freshly started server: hands over to app.py's navigation.

Not a page of the app (never registered in app.py): until a session has called ``st.navigation``, Streamlit
names the pages after the files of ``pages/`` (see ``esscore.ui.bootstrap``). The page's file is
``feuille_de_route.py`` and its URL ``feuille-de-route`` (both fixed): this file gives that first run a
page of the URL's name, so Streamlit finds it instead of showing « Page not found »; ``page_setup()`` then
switches to app.py, which serves ``pages/feuille_de_route.py``.
"""

from esscore.ui.bootstrap import page_setup

page_setup()
