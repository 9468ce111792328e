"""Données & sources: every source with producer, vintage, licence, row counts and build date."""

import streamlit as st

from esscore.exports import Metadonnees
from esscore.sources import citation
from esscore.ui import blocs, cache, layout, textes
from esscore.ui.bootstrap import page_setup

page_setup()
st.title("Données & sources")
layout.demo_banner()
meta = cache.meta()
st.caption(f"Base construite le {meta.get('date_construction', '?').replace('T', ' à ')} "
           f"· ESS Territoires {meta.get('version', '')}")  # fmt: skip

sources = cache.named_query("sources_liste")
st.subheader("Sources")
st.dataframe(
    sources,
    hide_index=True,
    use_container_width=True,
    column_config={
        "url": st.column_config.LinkColumn("Adresse"),
        "lignes": st.column_config.NumberColumn("Lignes", format="localized"),
    },
)
registre = Metadonnees(source="Registre des sources de la base ESS Territoires", demo=cache.metadonnees().demo)
blocs.telechargements("Télécharger le registre des sources", sources, "sources", "dl_sources", registre)
with st.expander("Références complètes (titre — producteur — date — adresse)"):
    citations = cache.named_query("sources_citations").to_dict("records")
    st.markdown("\n".join(f"- {citation(ligne, markdown=True)}" for ligne in citations))

st.subheader("Méthode ESS")
st.markdown(textes.read("methode"))
rapport = cache.named_query("ingestion_rapport_liste")
if not rapport.empty:
    st.subheader("Rapport d'ingestion SIRENE")
    st.caption("Comptes de la dernière ingestion : rien n'est écarté sans être compté ici.")
    st.dataframe(rapport, hide_index=True)

st.subheader("Géographie")
st.markdown(textes.read("geographie"))
st.dataframe(cache.named_query("geographie_comptes"), hide_index=True)
