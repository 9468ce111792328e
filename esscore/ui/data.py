"""Database check at start-up: build it on first start, rebuild one left by an older version.

The cached reads (connection, queries, territories) live in ``esscore.ui.cache``.
"""

from __future__ import annotations

import streamlit as st

from esscore.build import build, read_meta
from esscore.config import db_path
from esscore.text import texte_litteral
from esscore.ui import cache


def ensure_database() -> None:
    """Build the database on first start, or rebuild one left by an older version, with a progress message.

    A file holding real SIRENE data is never rebuilt here (the app would not know how to keep it): the
    page says which command does it.
    """
    target = db_path()
    cache.balayage(str(target))
    titre = "Première ouverture : construction de la base de données…"
    if target.exists():
        manquantes = cache.tables_absentes(target)
        if not manquantes:
            return
        if read_meta(target).get("ess") == "sirene":
            st.error(
                f"La base {texte_litteral(target.name)} vient d'une version antérieure de l'application "
                f"(tables absentes : {', '.join(manquantes)}). "
                "Reconstruisez-la avec « esscore build » : les données SIRENE "
                "qu'elle contient sont conservées."
            )
            st.stop()
        titre = "Base construite par une version antérieure de l'application : reconstruction…"
    with st.status(titre, expanded=True) as status:
        build(target, progress=status.write)
        status.update(label="Base de données prête.", state="complete", expanded=False)
