"""One figure, one path: the same territory gets the same peers, ranks and digits in the pages, the COPIL
deck and the CLI (issue « One figure, one path »).

Five territories of every level. For each: the CLI JSON carries the unrounded figures the deck computed;
the CLI table, the deck's key-figure slide, the Panorama cards and the Comparaisons table print the same
digits (rounded once, by ``labels.fmt_value``); the deck's ranks are the ranks of the Comparaisons table,
written the same way (« 2e ex æquo »), among the same peers; the deck's speaker notes say the Panorama's
« En bref » sentences.
"""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from esscore import comparaison, copil, geography
from esscore.cli import main
from esscore.copil import notes
from esscore.copil.donnees import rang_parmi_pairs
from esscore.labels import fmt_value, indicator_label
from esscore.phrases import rang_ordinal
from esscore.text import texte_litteral

ROOT = Path(__file__).resolve().parent.parent
TERRITOIRES = ("departement:79", "epci:200041317", "commune:79191", "region:75", "commune:75056")
JOUR = date(2026, 12, 1)


def _cli_json(db: Path, terr: str, capsys: pytest.CaptureFixture[str]) -> dict:
    assert main(["panorama", "--territoire", terr, "--db", str(db), "--format", "json"]) == 0
    return json.loads(capsys.readouterr().out)


def _page(nom: str, terr: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "pages" / f"{nom}.py"), default_timeout=60)
    at.query_params["territoire"] = terr
    return at.run()


@pytest.mark.parametrize("terr_id", TERRITOIRES)
def test_same_digits_and_ranks_in_deck_cli_and_pages(
    terr_id: str, con, db_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    terr = geography.get(con, terr_id)
    d = copil.donnees_copil(con, terr, None, JOUR)
    moi = d.comparaison.iloc[0]
    texte_deck = copil.resume_texte(copil.dessiner_copil(d))

    # The deck's peers are the pages' suggested peers.
    assert list(d.pairs["id"]) == list(comparaison.pairs_suggeres(con, terr)["id"])

    # CLI JSON: the very figures of the deck, unrounded.
    data = _cli_json(db_env, terr.id, capsys)
    for col, _ in copil.CARTES_CHIFFRES:
        attendu = moi[col]
        assert data[col] == (attendu if attendu == "s" else pytest.approx(float(attendu), rel=0, abs=0))

    # CLI table: the same digits as the deck.
    assert main(["panorama", "--territoire", terr.id, "--db", str(db_env), "--format", "table"]) == 0
    table = capsys.readouterr().out
    for col in ("etablissements", "etablissements_employeurs", "salaries_estimes", "part_emploi_prive"):
        assert fmt_value(col, moi[col]) in table, (col, fmt_value(col, moi[col]))
        assert fmt_value(col, moi[col]) in texte_deck

    # Deck ranks = ranks of the Comparaisons table (same peers, same rule, same words).
    cmp = _page("comparaisons", terr.id)
    assert not cmp.exception
    # the side-by-side table is two HTML tables (rates, then counts) whose headers and cells are literal Markdown
    affiche = {c: v for t in cmp.table if "Territoire" in t.value.columns for c, v in t.value.iloc[0].items()}
    for col, _ in copil.CARTES_CHIFFRES:
        rang = rang_parmi_pairs(d, col)
        cellule = str(affiche[texte_litteral(indicator_label(col))])
        assert cellule.startswith(texte_litteral(fmt_value(col, moi[col]))), (col, cellule)
        if rang is None:
            assert not re.search(r"\\\(\d", cellule), (col, cellule)
        else:
            assert texte_litteral(f"({rang_ordinal(rang)})") in cellule, (col, cellule)
            assert f"Rang : {rang_ordinal(rang)} sur {rang.total}" in texte_deck

    # Panorama cards: the same digits.
    pano = _page("panorama", terr.id)
    assert not pano.exception
    valeurs = {m.value for m in pano.metric}
    for col in ("etablissements_employeurs", "salaries_estimes", "part_emploi_prive"):
        assert fmt_value(col, moi[col]) in valeurs, (col, valeurs)

    # Speaker notes of the deck's first slide: the Panorama's « En bref », sentence for sentence (the page adds
    # where to see the peers).
    page = "\n".join(m.value for m in pano.markdown)
    suffixe = f"{notes.CONTEXTE_SUGGERES} (voir Comparaisons)"
    for phrase in notes.synthese(d):
        assert texte_litteral(phrase.replace(notes.CONTEXTE_SUGGERES, suffixe)) in page, phrase
        assert phrase in texte_deck


def test_json_figures_are_never_rounded() -> None:
    """Rounding 0,151 49 to four digits for the JSON then to one for the table printed 15,2 % (page: 15,1 %)."""
    from esscore.indicators import _clean

    assert _clean(0.15149) == 0.15149
    assert fmt_value("part_emploi_prive", _clean(0.15149)) == fmt_value("part_emploi_prive", 0.15149)


@pytest.mark.parametrize("terr_id", (*TERRITOIRES, "france:FR"))
def test_page_table_from_level_tables_is_the_database_table(terr_id: str, con, db_env: Path) -> None:
    """The Comparaisons table the pages assemble from their cached level-wide tables (no query for a new
    territory) is, row for row and figure for figure, ``comparaison.tableau`` read from the database."""
    from esscore.ui import cache

    terr = geography.get(con, terr_id)
    pairs = list(comparaison.pairs_suggeres(con, terr)["id"])
    lu = comparaison.tableau(con, terr, pairs)
    assemble = cache.tableau(cache.territoire(terr_id), pairs)
    assert list(assemble.columns) == list(lu.columns)
    pd.testing.assert_frame_equal(assemble, lu, check_dtype=False)
