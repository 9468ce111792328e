"""Benchmark: what other collectivités do for the ESS — filters, cards, fiche, comparison, amounts, toolbox."""

import streamlit as st

from esscore.errors import EssError
from esscore.ui import benchmark as ub
from esscore.ui import cache, layout
from esscore.ui.bootstrap import page_setup

page_setup()
st.title("Benchmark des politiques ESS")
st.caption(
    "Ce que d'autres collectivités font pour l'économie sociale et solidaire : financement, commande publique, "
    "foncier, accompagnement, coopération… Fiches rédigées d'après des documents publics, source citée sur "
    "chacune ; votre collectivité peut en ajouter (« esscore import benchmark »)."
)

try:
    catalogue = cache.benchmark_catalogue()
except EssError as err:
    layout.alerte(err)
    st.stop()

opts = ub.options(catalogue)
ub.lire_url(opts)
ub.nettoyer_etat(opts)
terr = layout.territory_picker("bm_terr") if st.query_params.get("territoire") else None
ub.filtres(opts)
st.text_input("Rechercher", key="bm_q", placeholder="ex. économie circulaire, appel à projets, Nantes, tiers-lieu",
              help="Sans accents ni majuscules : tous les mots doivent figurer dans la fiche.")  # fmt: skip

annotated = ub.avec_territoire(catalogue, terr)
found = ub.filtrer(annotated)
if terr is not None:
    found = found.sort_values(["chez_vous", "comparable"], ascending=False, kind="stable")

count, csv_col, xlsx_col, md_col = st.columns([3, 1, 1, 1], vertical_alignment="center")
count.markdown(f"### {len(found)} fiche(s) sur {len(catalogue)}")
with csv_col:
    ub.bouton_telechargement("Liste (CSV)", ub.export_csv(found), "benchmark.csv", "text/csv",
                             key="bm_dl_csv")  # fmt: skip
with xlsx_col:
    ub.bouton_telechargement("Liste (xlsx)", ub.export_xlsx(found), "benchmark.xlsx", ub.XLSX_MIME,
                             key="bm_dl_xlsx")  # fmt: skip
with md_col:
    ub.bouton_telechargement("Fiches (Markdown)", ub.fiches_markdown(found["id"], cache.benchmark_entrees()),
                             "benchmark-fiches.md", "text/markdown", key="bm_dl_md")  # fmt: skip

tabs = st.tabs(list(ub.VUES.values()), key="bm_vue", on_change="rerun")
fiches, detail, comparer, montants, territoire, outils = tabs
if fiches.open:
    with fiches:
        if found.empty:
            st.info("Aucune fiche ne correspond : élargissez les filtres ou la recherche.")
        else:
            ub.cartes(found)
if detail.open:
    with detail:
        ub.vue_detail(catalogue, annotated)
if comparer.open:
    with comparer:
        ub.vue_comparer(catalogue)
if montants.open:
    with montants:
        ub.vue_montants(found)
if territoire.open:
    with territoire:
        ub.vue_territoire(terr, annotated)
if outils.open:
    with outils:
        st.markdown(
            "Orientations et actions relevées auprès d'une vingtaine de Pays par la CRESS Basse-Normandie "
            "pour le Pays du Cotentin ; chaque exemple renvoie aux fiches du catalogue qui l'illustrent."
        )
        st.caption(ub.source_boite())
        ub.boite(cache.boite_a_outils(), dict(zip(catalogue["id"], catalogue["titre"], strict=True)))

ub.ecrire_url()
