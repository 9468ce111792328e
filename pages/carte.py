"""Carte des initiatives : établissements ESS (SIRENE) et initiatives recensées, filtres gardés dans l'URL."""

import streamlit as st

from esscore import carte
from esscore.labels import fmt_int
from esscore.ui import cache, layout
from esscore.ui import carte as ui
from esscore.ui.bootstrap import page_setup
from esscore.ui.copil import diaporama

page_setup()
st.title("Carte des initiatives")
layout.demo_banner()
terr = layout.territory_picker()
etat, emplacements = ui.filtres()
if terr is None:
    st.stop()

montrer_etab = etat.couche != carte.COUCHE_INIT
montrer_init = etat.couche != carte.COUCHE_ETAB
resume = cache.carte_resume(terr.id, etat.filtres) if montrer_etab else None
toutes = cache.carte_initiatives(terr.id)
selection_init = carte.filtrer_initiatives(toutes, etat.filtres) if montrer_init else None
ui.afficher_comptes(
    emplacements,
    cache.carte_comptes(terr.id, etat.filtres) if montrer_etab else None,
    carte.comptes_initiatives(toutes, etat.filtres) if montrer_init else None,
)

colonnes = st.columns(3)
if resume is not None:
    colonnes[0].metric("Établissements ESS sélectionnés", fmt_int(resume["etablissements"]))
    colonnes[1].metric("dont employeurs", fmt_int(resume["employeurs"]))
if selection_init is not None:
    colonnes[2].metric("Initiatives recensées", fmt_int(len(selection_init)))

resultat = ui.la_carte(terr, etat)
for note in resultat.notes:
    st.info(note)
# One key for every territory and filter: the browser keeps its WebGL context (shaders compiled once);
# layer ids carry a fingerprint of their data, so a click selection never outlives what it pointed at.
evenement = st.pydeck_chart(resultat.deck, height=560, key="carte", on_select="rerun", selection_mode="single-object")
if code_commune := ui.commune_choisie(evenement, [couche.id for couche in resultat.deck.layers]):
    ui.proposer_zoom(code_commune)
if resultat.note_sans_position():
    st.caption(resultat.note_sans_position())
ui.legende(resultat.vue, etat.couche)
ui.sources(etat.couche)

nom = ui.nom_fichier(terr.id)
onglets = st.tabs([t for t, montrer in (("Établissements", montrer_etab), ("Initiatives", montrer_init)) if montrer])
if montrer_etab and resume is not None:
    with onglets[0]:
        ui.tableau_etablissements(cache.carte_liste(terr.id, etat.filtres), resume["etablissements"], etat.filtres)
        ui.exports_etablissements(terr.id, etat.filtres, nom)
if selection_init is not None:
    with onglets[-1]:
        ui.tableau_initiatives(selection_init, etat.filtres)
        ui.exports_initiatives(selection_init, nom)
diaporama(terr)
