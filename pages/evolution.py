"""Évolution : les chiffres de l'ESS d'un territoire au fil des millésimes Sirene, face à ses parents et à ses pairs,
et les créations et fermetures d'établissements (tout l'état est dans l'URL)."""

import streamlit as st

from esscore.ui import blocs, cache, layout
from esscore.ui import evolution as ui
from esscore.ui.bootstrap import page_setup

page_setup()
st.title("Évolution de l'ESS")
terr = layout.territory_picker()
if terr is None:
    st.stop()
if layout.demo_banner(terr):
    st.stop()
if not cache.has_ess():
    st.error("La base ne contient pas encore de données ESS : lancez « esscore build » ou « esscore ingest sirene ».")
    st.stop()

blocs.entete(terr)
pairs, indicateur, mode = ui.etat(terr)
ui.courbes(terr, pairs, indicateur, mode)
ui.mouvements(terr)
