"""Panorama : les chiffres clés de l'ESS d'un territoire, sa position, ses familles, secteurs et communes."""

import streamlit as st

from esscore.ui import blocs, cache, layout
from esscore.ui import panorama as ui
from esscore.ui.bootstrap import page_setup
from esscore.ui.copil import diaporama

page_setup()
st.title("Panorama de l'ESS")
terr = layout.territory_picker()
if terr is None:
    st.stop()
if layout.demo_banner(terr):
    st.stop()
if not cache.has_ess():
    st.error("La base ne contient pas encore de données ESS : lancez « esscore build » ou « esscore ingest sirene ».")
    st.stop()

blocs.entete(terr)
ui.cartes_chiffres(terr)
ui.synthese(terr)
diaporama(terr)  # with the peers chosen on Comparaisons (URL or session), else the suggested ones
ui.chiffres_publies(terr)
ui.familles(terr)
ui.secteurs_tailles(terr)
ui.carte(terr)
ui.tableau_chiffres(terr)
