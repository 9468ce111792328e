"""Accueil : the landing page at « / » — the chosen territory in brief and where to go next."""

import streamlit as st

from esscore.ui import layout
from esscore.ui import panorama as ui
from esscore.ui.bootstrap import page_setup

page_setup()
st.title("ESS Territoires")
st.markdown(
    "L'économie sociale et solidaire (associations, coopératives, mutuelles, fondations, sociétés commerciales "
    "de l'ESS) de votre territoire : chiffres clés, comparaisons, carte des acteurs, politiques d'autres "
    "collectivités et suivi de votre feuille de route."
)
terr = layout.territory_picker()
if terr is None:
    st.stop()
layout.demo_banner()
if ui.has_ess():
    ui.entete(terr)
    ui.cartes_chiffres(terr)
    ui.synthese(terr)
else:
    st.info("La base ne contient pas encore de données ESS : lancez « esscore build » ou « esscore ingest sirene ».")

st.subheader("Aller plus loin")
cols = st.columns(3)
liens = [
    ("pages/panorama.py", "Panorama", "Familles, secteurs, tailles, communes et chiffres publiés du territoire."),
    ("pages/comparaisons.py", "Comparaisons", "Le territoire face à ses pairs, à sa région et à la France."),
    ("pages/carte.py", "Carte des initiatives", "Établissements de l'ESS et initiatives recensées, filtrables."),
    ("pages/benchmark.py", "Benchmark des politiques", "Ce qu'ont fait d'autres collectivités, levier par levier."),
    ("pages/feuille_de_route.py", "Feuille de route", "Avancement des actions, indicateurs et diaporama COPIL."),
    ("pages/donnees.py", "Données & sources", "Sources, millésimes, licences et méthode de calcul."),
]
for i, (page, titre, texte) in enumerate(liens):
    with cols[i % 3].container(border=True):
        st.page_link(page, label=f"**{titre}**")
        st.caption(texte)
