"""Données & sources: every source with producer, vintage, licence, row counts and build date."""

import streamlit as st

from esscore.exports import Metadonnees
from esscore.sources import citation
from esscore.ui import blocs, cache, layout, textes
from esscore.ui import donnees as ui
from esscore.ui.bootstrap import page_setup

page_setup()
st.title("Données & sources")
layout.demo_banner()
meta = cache.meta()
st.caption(ui.construction(meta))

sources = cache.named_query("sources_liste")
st.subheader("Sources")
ui.sources(sources)
registre = Metadonnees(source="Registre des sources de la base ESS Territoires", demo=cache.metadonnees().demo)
blocs.telechargements("Télécharger le registre des sources", sources, "sources", "dl_sources", registre)
with st.expander("Références complètes (titre — producteur — date — adresse)"):
    citations = cache.named_query("sources_citations").to_dict("records")
    st.markdown("\n".join(f"- {citation(ligne, markdown=True)}" for ligne in citations))

st.subheader("Méthode ESS")
st.markdown(textes.read("methode"))
ui.rapport(cache.named_query("ingestion_rapport_liste"))

st.subheader("Géographie")
st.markdown(textes.read("geographie"))
ui.geographie(cache.named_query("geographie_comptes"))
