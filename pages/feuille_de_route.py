"""Suivi de la feuille de route: progress by axis, actions, timeline, indicators, levers, log, COPIL deck."""

from datetime import date

import streamlit as st

from esscore.avancement import actions_frame, indicators_frame, progress_by_axis
from esscore.errors import EssError
from esscore.ui import auth, cache, copil, layout
from esscore.ui import feuille_de_route as fdr
from esscore.ui.bootstrap import page_setup

page_setup()
st.title("Suivi de la feuille de route")
try:
    store = cache.magasin()
    feuilles = store.list_roadmaps()
except (EssError, OSError) as err:
    layout.alerte(f"Magasin d'édition inaccessible : {err} Vérifiez la variable ESS_STORE et les droits d'écriture.")
    st.stop()

terr = layout.territory_picker()
droits = auth.droits()
auth.panneau_edition(droits)
fdr.afficher_flash()
if terr is None:
    st.stop()
feuille_id = fdr.choisir_feuille(feuilles, terr, droits.edition)  # its own, a parent's (labelled), or none
if feuille_id is None:
    st.markdown("#### Diaporama COPIL, sans feuille de route")
    copil.boutons_copil(terr.id, "", key="fdr_copil")
    st.stop()

doc, version = fdr.lire_feuille(feuille_id)  # the version each save carries (no silent lost update)
today = date.today()
actions = actions_frame(doc, today)
avancement = progress_by_axis(actions)
indicateurs = indicators_frame(doc)
fdr.entete(doc)

noms = ["Avancement", "Actions", "Calendrier", "Indicateurs", "Leviers & benchmark", "Journal", "COPIL"]
if droits.edition:
    noms.append("✏️ Mise à jour")
onglets = st.tabs(noms)
with onglets[0]:
    fdr.resume(actions, avancement)
with onglets[1]:
    fdr.table_actions(actions)
    st.markdown("#### Détail d'une action")
    fdr.detail_action(doc, actions)
with onglets[2]:
    fdr.calendrier(actions, today)
with onglets[3]:
    fdr.indicateurs_vue(indicateurs)
with onglets[4]:
    fdr.leviers_benchmark(actions, doc.get("territoire"))
with onglets[5]:
    fdr.journal(feuille_id)
with onglets[6]:
    fdr.legende_copil(doc, terr)  # the deck of the roadmap shown: its territory's, with this roadmap
    copil.boutons_copil(doc.get("territoire") or terr.id, feuille_id, key="fdr_copil")
if droits.edition:
    with onglets[7]:
        fdr.formulaires_edition(doc, actions, indicateurs, version)
