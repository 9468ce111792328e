"""Comparaisons : le territoire et ses pairs, indicateur par indicateur (tout l'état est dans l'URL)."""

import streamlit as st

from esscore.ui import blocs, cache, layout
from esscore.ui import comparaison as ui
from esscore.ui.bootstrap import page_setup
from esscore.ui.copil import diaporama

page_setup()
st.title("Comparaisons")
terr = layout.territory_picker()
if terr is None:
    st.stop()
if layout.demo_banner(terr):
    st.stop()
if not cache.has_ess():
    st.error("La base ne contient pas encore de données ESS : lancez « esscore build » ou « esscore ingest sirene ».")
    st.stop()

blocs.entete(terr)
if terr.type == "france":
    st.info("La France n'a pas de territoire de même niveau à qui se comparer : choisissez une région, un "
            "département, un EPCI ou une commune dans la barre latérale. La carte montre les régions.")  # fmt: skip
    indicator = ui.choix_indicateur()
    ui.carte_nationale(terr, [], indicator)
    st.stop()

pairs, indicator = ui.etat(terr)
ui.phrase(terr, pairs, indicator)
diaporama(terr, pairs)
ui.graphiques(terr, pairs, indicator)
ui.carte_nationale(terr, pairs, indicator)
ui.tableau(terr, cache.tableau(terr, pairs), pairs)
