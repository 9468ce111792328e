"""The ingestion report of the Données page: every line in French, never an internal key (issue 16)."""

from __future__ import annotations

import re

from esscore.db import query


def test_every_report_line_has_a_french_label(con) -> None:
    cles = {cle for (cle,) in con.execute("SELECT cle FROM ingestion_rapport").fetchall()}
    assert {"perimetre", "disposition", "perimetre_complet", "departements_couverts"} <= cles
    liste = query(con, "ingestion_rapport_liste")
    assert len(liste) == len(cles)
    internes = [e for e in liste["Élément"] if re.fullmatch(r"[a-z0-9_]+", str(e))]
    assert internes == [], f"clés sans libellé français dans esscore/sql/ingestion_rapport_liste.sql : {internes}"
