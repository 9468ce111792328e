"""Shared page furniture: territory picker (state in the URL), demo banner, source footers."""

from __future__ import annotations

import streamlit as st
from streamlit.errors import StreamlitPageNotFoundError

from esscore.errors import EssError
from esscore.geography import FRANCE_ID, TYPE_LABELS, Territoire
from esscore.text import texte_litteral
from esscore.ui import cache

DEFAULT_TERRITOIRE = "epci:200041317"
DEMO_TEXT = (
    "**Données de démonstration** — les établissements affichés sont fictifs, générés à partir de la "
    "géographie réelle et calibrés sur des ordres de grandeur publiés. Chargez les fichiers SIRENE réels "
    "avec `esscore ingest sirene` pour des chiffres réels."
)


def alerte(texte: object, nature: str = "error", icon: str | None = None) -> None:
    """Show a message box (``nature``: error, warning, info or success) whose text is shown exactly as written.

    For every message that is, or quotes, something from outside: a validation error (``str(err)`` names
    the file and quotes the faulty value), a URL parameter, a file or editor name. Never interpreted as
    Markdown (no link, image, heading, LaTeX…): see ``esscore.text.texte_litteral``.
    """
    boites = {"error": st.error, "warning": st.warning, "info": st.info, "success": st.success}
    boites.get(nature, st.error)(texte_litteral(texte), icon=icon)


NON_SIMULE_TEXT = (
    "**{nom} : chiffres non disponibles (nd).** La démonstration ne simule pas ce territoire : l'INSEE n'y publie "
    "aucune part de l'ESS, et un chiffre tiré de la moyenne nationale serait inventé. Chargez les fichiers SIRENE "
    "réels (`esscore ingest sirene`) pour en obtenir."
)


def demo_banner(terr: Territoire | None = None) -> bool:
    """Say loudly, on every page that shows ESS figures, when they are synthetic. True when the demonstration
    does not simulate ``terr`` at all (Mayotte): the page then says « nd » and shows no figure rather than zeros."""
    if not cache.is_demo():
        return False
    st.warning(DEMO_TEXT, icon="🧪")
    deps = tuple(d for d in cache.meta().get("demo_sans_donnees", "").split(",") if d)
    if terr is None or not deps or terr.id not in set(cache.named_query("territoires_non_simules", deps=deps)["id"]):
        return False
    st.info(NON_SIMULE_TEXT.format(nom=texte_litteral(terr.nom)), icon="ℹ️")
    return True


def current_territoire_id() -> str:
    """Territory from the URL, else from the session, else the default."""
    from_url = st.query_params.get("territoire")
    if from_url:
        return str(from_url)
    return str(st.session_state.get("territoire", DEFAULT_TERRITOIRE))


def territory_picker(key: str = "picker") -> Territoire | None:
    """Search box + result list in the sidebar; keeps ``?territoire=TYPE:CODE`` in the URL.

    Returns None (after showing a French message) when the URL carries an invalid identifier.
    """
    raw = current_territoire_id()
    try:
        terr = cache.territoire(raw)
    except EssError as err:
        alerte(f"{err} Choisissez un territoire dans la barre latérale.")
        terr = None
    with st.sidebar:
        st.markdown("**Territoire**")
        if terr is not None:
            st.caption(f"{TYPE_LABELS[terr.type]} · {texte_litteral(terr.libelle)}")
        text = st.text_input("Rechercher une commune, un EPCI, un département…", key=f"{key}_q",
                             placeholder="ex. Niort, Roumois, 79, Bretagne")  # fmt: skip
        if text:
            found = cache.search(text)
            if found.empty:
                st.caption("Aucun territoire trouvé.")
            else:
                libelles = found["libelle"].map(texte_litteral) + " · " + found["type"].map(TYPE_LABELS)
                options = dict(zip(libelles, found["id"], strict=True))  # radio options are Markdown
                choice = st.radio("Résultats", list(options), key=f"{key}_r", label_visibility="collapsed")
                if choice and options[choice] != (terr.id if terr else None):
                    if st.button("Afficher ce territoire", key=f"{key}_go", type="primary"):
                        _select(options[choice])
        if terr is not None and terr.parents:
            st.caption("Remonter :")
            for p in terr.parents:
                pid = f"{p['type']}:{p['code']}"
                if st.button(f"{TYPE_LABELS[p['type']]} · {texte_litteral(p['nom'])}", key=f"{key}_p_{pid}"):
                    _select(pid)
    if terr is not None:
        st.session_state["territoire"] = terr.id
        if st.query_params.get("territoire") != terr.id:
            st.query_params["territoire"] = terr.id
        if terr.alias_de:
            alerte(f"Le code demandé est {terr.alias_de} ; il est rattaché à {terr.libelle}.", "info")
    return terr


def page_link(url_path: str, titre: str) -> None:
    """Link to a registered page keeping the territory; a plain link when the page runs alone (tests)."""
    terr = st.session_state.get("territoire")
    try:
        st.page_link(f"pages/{url_path.replace('-', '_')}.py", label=f"**{titre}**",
                     query_params={"territoire": terr} if terr else None)  # fmt: skip
    except StreamlitPageNotFoundError:
        st.markdown(f"[**{titre}**](/{url_path})")


def _select(territoire_id: str) -> None:
    st.session_state["territoire"] = territoire_id
    st.query_params["territoire"] = territoire_id
    st.rerun()


def source_caption(text: str) -> None:
    """« Source : … (millésime …) » under a figure, in one consistent style."""
    st.caption(f"Source : {text}")


__all__ = ["FRANCE_ID", "alerte", "demo_banner", "territory_picker", "source_caption", "current_territoire_id"]
