"""Accueil : the landing page at « / » — the chosen territory in brief and where to go next."""

import streamlit as st

from esscore.ui import blocs, cache, layout
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
if cache.has_ess():
    blocs.entete(terr)
    ui.cartes_chiffres(terr)
    ui.synthese(terr)
else:
    st.info("La base ne contient pas encore de données ESS : lancez « esscore build » ou « esscore ingest sirene ».")

st.subheader("Aller plus loin")
cols = st.columns(3)
liens = [
    ("panorama", "Panorama", "Familles, secteurs, tailles, communes et chiffres publiés du territoire."),
    ("comparaisons", "Comparaisons", "Le territoire face à ses pairs, à sa région et à la France."),
    ("carte", "Carte des initiatives", "Établissements de l'ESS et initiatives recensées, filtrables."),
    ("benchmark", "Benchmark des politiques", "Ce qu'ont fait d'autres collectivités, levier par levier."),
    ("feuille-de-route", "Feuille de route", "Avancement des actions, indicateurs et diaporama COPIL."),
    ("donnees", "Données & sources", "Sources, millésimes, licences et méthode de calcul."),
]
for i, (url, titre, texte) in enumerate(liens):
    with cols[i % 3].container(border=True):
        layout.page_link(url, titre)
        st.caption(texte)
