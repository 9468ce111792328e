"""Readable provenance and like-for-like published figures (issue 13, items 5 and 6).

A document is cited by its title, publisher, date and public address (``esscore.sources.citation``), never by
the internal name of a seed file (« 002_<hash>.txt »): not on a page, not on a slide, not in a command's output,
not in an export. Files written with such a name are still read, as the registry id. Each published figure is
shown beside our estimate of the same scope (``esscore.publies.apparier``), or alone with the reason.
"""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from pptx import Presentation
from streamlit.testing.v1 import AppTest

from esscore import benchmark as bm
from esscore import carte, carte_donnees, copil, geography, indicators, publies
from esscore import initiatives as ini
from esscore.benchmark_db import entrees_json, lire_catalogue
from esscore.db import connect
from esscore.exports import csv_bytes
from esscore.roadmap import read_roadmap, validate_roadmap
from esscore.sources import ANCIENS_CODES, citation, registre
from esscore.text import texte_litteral
from esscore.ui import benchmark as ub

ROOT = Path(__file__).resolve().parent.parent
CODE = re.compile(r"\d{3}_[0-9a-f]{16}\.txt")
NIORT, MANCHE = "epci:200041317", "departement:50"
TERRITOIRES = (NIORT, MANCHE)
FEUILLES = ROOT / "data" / "feuilles_de_route"
JOUR = date(2026, 11, 23)
NIORT_DOC = "niort-feuille-de-route-2023-2026"


def sans_code(texte: str, ou: str) -> None:
    trouve = sorted(set(CODE.findall(texte)))
    assert not trouve, f"{ou} : nom interne de document {trouve}"


# ------------------------------------------------------------------------------------------------ registry


def test_every_source_document_is_in_the_registry_with_a_public_address() -> None:
    reg = registre()
    for code, ident in ANCIENS_CODES.items():
        assert CODE.fullmatch(code) and ident in reg, ident
        entree = reg[ident]
        for champ in ("titre", "producteur", "millesime", "url", "licence", "date_acces", "note"):
            assert entree.get(champ), (ident, champ)
        assert entree["url"].startswith("https://"), ident
        sans_code(json.dumps(entree, ensure_ascii=False), ident)


def test_citation_plain_and_markdown() -> None:
    texte = citation(NIORT_DOC, "diagnostic")
    assert texte == (
        "Feuille de route Économie sociale et solidaire et innovation sociale 2023-2026 (diagnostic) — "
        "Communauté d'Agglomération du Niortais (Niort Agglo) — 2023 — https://www.niortagglo.fr/"
    )
    ancien = next(code for code, ident in ANCIENS_CODES.items() if ident == NIORT_DOC)
    assert citation(ancien, "diagnostic") == texte == citation(f"Niort Agglo (seed {ancien})", "diagnostic")
    md = citation(NIORT_DOC, markdown=True)
    assert md.startswith("[Feuille de route Économie sociale et solidaire et innovation sociale 2023\\-2026]")
    assert "](https://www.niortagglo.fr/) — Communauté d\\'Agglomération du Niortais \\(Niort Agglo\\) — 2023" in md
    # any other source is cited as given, made literal in Markdown; a hostile address is not linked
    assert citation("Délibération.pdf", "annexe", "2026") == "Délibération.pdf (annexe) — 2026"
    hostile = citation("[x](javascript:y)", None, None, "javascript:alert(1)", markdown=True)
    assert "](" not in hostile.replace("\\]\\(", "") and "javascript\\:" in hostile
    assert citation(None) == "document non précisé"


# ----------------------------------------------------------------------------- old file names still accepted


def test_files_naming_a_document_by_its_former_file_name_still_load() -> None:
    ancien = next(code for code, ident in ANCIENS_CODES.items() if ident == NIORT_DOC)
    entree = dict(bm.load_catalogue()[0])
    entree["source"] = {"document": ancien, "section": "benchmark", "date": "2023"}
    assert bm.validate_entries([entree], "ancien.yaml")[0]["source"]["document"] == NIORT_DOC
    doc = read_roadmap(FEUILLES / "niort-2023-2026.yaml")
    doc["source"]["document"] = f"Niort Agglo — feuille de route 2023-2026 (seed {ancien})"
    assert validate_roadmap(doc, "ancienne.yaml")["source"]["document"] == NIORT_DOC
    communes = pd.read_csv(ROOT / "tests" / "fixtures" / "initiatives" / "communes_seed.csv",
                           dtype={"code": str, "codes_postaux": str})  # fmt: skip
    brut = {"id": "x-1", "nom": "Soli'Niort", "statut": "association", "commune_code": "79191", "source": ancien}
    df, _ = ini.validate_initiatives([brut], communes, "anciennes.csv")
    assert df.loc[0, "source"] == NIORT_DOC


# ------------------------------------------------------------------------------------------------ pages


def _noeuds(noeud: Any) -> Iterator[Any]:
    yield noeud
    for enfant in getattr(noeud, "children", {}).values():
        yield from _noeuds(enfant)


def texte_page(at: AppTest) -> str:
    """Everything the page shows: every element's message (labels, values, tables, charts) and its frames."""
    parts = []
    for noeud in _noeuds(at._tree):
        if (proto := getattr(noeud, "proto", None)) is not None:
            parts.append(str(proto))
        try:
            valeur = noeud.value
        except Exception:  # noqa: BLE001 - containers and some widgets have no value
            continue
        if isinstance(valeur, pd.DataFrame):
            parts.append(valeur.to_csv())
    return "\n".join(parts)


def lancer(page: str, params: dict[str, str]) -> AppTest:
    fichier = ROOT / ("app.py" if page == "accueil" else f"pages/{page}.py")
    at = AppTest.from_file(str(fichier), default_timeout=120)
    for cle, valeur in params.items():
        at.query_params[cle] = valeur
    at = at.run()
    assert not at.exception, (page, params, at.exception)
    return at


PAGES: list[tuple[str, dict[str, str]]] = [
    *((p, {"territoire": t}) for t in TERRITOIRES for p in ("accueil", "panorama", "comparaisons", "carte")),
    *(("benchmark", {"vue": v, "territoire": NIORT}) for v in ("fiches", "montants", "territoire", "outils")),
    ("benchmark", {"fiche": "mel-spaser"}),
    ("benchmark", {"compare": "mel-spaser,nantes-prix-ess"}),
    ("feuille_de_route", {"territoire": NIORT, "feuille": "niort-2023-2026"}),
    ("feuille_de_route", {"territoire": MANCHE, "feuille": "cotentin-2014"}),
    ("donnees", {}),
]


@pytest.fixture()
def app_env(db_env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ESS_STORE", str(tmp_path / "edition.sqlite"))  # seeded with the two example roadmaps
    return db_env


@pytest.mark.parametrize(("page", "params"), PAGES, ids=[f"{p}-{'-'.join(q.values())}" for p, q in PAGES])
def test_no_page_shows_a_seed_file_name(app_env: Path, page: str, params: dict[str, str]) -> None:
    sans_code(texte_page(lancer(page, params)), f"page {page} {params}")


def test_pages_cite_documents_in_full(app_env: Path) -> None:
    at = lancer("panorama", {"territoire": NIORT})
    # published figures: each row points to a numbered source, listed in full under the table (literal Markdown)
    sources = next(m.value for m in at.markdown if m.value.startswith("**Sources**"))
    niort = "Communauté d'Agglomération du Niortais (Niort Agglo) — 2023 — https://www.niortagglo.fr/"
    assert texte_litteral(niort) in sources
    at = lancer("donnees", {})
    textes = "\n".join(str(m.value) for m in at.markdown)
    for ident in ANCIENS_CODES.values():
        assert citation(ident, markdown=True) in textes, ident


# ------------------------------------------------------------------------------------- deck, CLI, exports


def _texte_pptx(octets: bytes) -> str:
    """Every text of every slide (text boxes and table cells), read with python-pptx."""
    out = []
    for diapo in Presentation(io.BytesIO(octets)).slides:
        for forme in diapo.shapes:
            if getattr(forme, "has_table", False) and forme.has_table:
                out += [c.text for row in forme.table.rows for c in row.cells]
            elif getattr(forme, "has_text_frame", False):
                out.append(forme.text_frame.text)
    return "\n".join(out)


@pytest.mark.parametrize(("territoire", "feuille"), [(NIORT, "niort-2023-2026.yaml"), (MANCHE, "cotentin-2014.yaml")])
def test_no_slide_shows_a_seed_file_name(db_file: Path, territoire: str, feuille: str) -> None:
    con = connect(db_file)
    try:
        deck = copil.build_copil(con, territoire, read_roadmap(FEUILLES / feuille), JOUR)
    finally:
        con.close()
    texte = _texte_pptx(deck)
    sans_code(texte, f"diaporama {territoire}")
    assert "Chiffres publiés, estimés au même périmètre" in texte
    if territoire == MANCHE:  # the rural Pays du Cotentin's figures, shown alone with the reason
        assert "pas d'estimation comparable" in texte and "ne couvre qu'une partie du territoire" in texte
    ident = NIORT_DOC if territoire == NIORT else "cress-basse-normandie-pays-du-cotentin-2014"
    assert registre()[ident]["titre"][:40] in texte


def _cli(db: Path, *args: str) -> str:
    sortie = subprocess.run([sys.executable, "-m", "esscore.cli", *args, "--db", str(db)], cwd=ROOT,
                            capture_output=True, timeout=180, check=False)  # fmt: skip
    assert sortie.returncode == 0, sortie.stderr.decode("utf-8", "replace")
    return sortie.stdout.decode("utf-8-sig")


@pytest.mark.parametrize(
    "args",
    [
        ("panorama", "--territoire", NIORT),
        ("panorama", "--territoire", NIORT, "--format", "json"),
        ("panorama", "--territoire", MANCHE, "--format", "json"),
        ("benchmark",),
        ("benchmark", "--format", "json"),
        ("etablissements", "--territoire", NIORT),
        ("etablissements", "--territoire", NIORT, "--format", "geojson"),
    ],
)
def test_no_command_output_shows_a_seed_file_name(db_file: Path, args: tuple[str, ...]) -> None:
    sortie = _cli(db_file, *args)
    sans_code(sortie, f"esscore {' '.join(args)}")
    if args == ("benchmark", "--format", "json"):
        fiche = next(f for f in json.loads(sortie) if f["id"] == "mel-spaser")
        assert fiche["source"]["document"] == NIORT_DOC and "https://www.niortagglo.fr/" in fiche["citation"]


def test_no_export_shows_a_seed_file_name(db_file: Path) -> None:
    con = connect(db_file)
    try:
        catalogue = lire_catalogue(con)
        terr = geography.get(con, NIORT)
        pub = publies.apparier(indicators.chiffres_publies(con, NIORT), indicators.indicateurs(con, [NIORT]).iloc[0])
        sources = con.execute("SELECT * FROM sources").df()
        initiatives = carte_donnees.initiatives_territoire(con, NIORT)
    finally:
        con.close()
    exports = {
        "benchmark.csv": ub.export_csv(catalogue),
        "benchmark-fiches.md": ub.fiches_markdown(catalogue["id"], {e["id"]: e for e in bm.load_catalogue()}),
        "benchmark.json": json.dumps(entrees_json(catalogue), ensure_ascii=False),
        "chiffres_publies.csv": csv_bytes(pub),
        "sources.csv": csv_bytes(sources),
        "initiatives.csv": csv_bytes(carte.export_initiatives(initiatives)),
        "initiatives.geojson": json.dumps(carte.geojson_initiatives(initiatives), ensure_ascii=False, default=str),
    }
    assert len(initiatives) and set(initiatives["source"]) & set(ANCIENS_CODES.values())
    for nom, contenu in exports.items():
        texte = contenu.decode("utf-8-sig") if isinstance(contenu, bytes) else str(contenu)
        sans_code(texte, f"export {nom} ({terr.nom})")


# ------------------------------------------------------------------------------------------- like for like


@pytest.fixture(scope="module")
def panoramas(db_file: Path) -> dict[str, dict]:
    con = connect(db_file)
    try:
        return {t: indicators.panorama(con, geography.get(con, t)) for t in ("france", MANCHE, NIORT)}
    finally:
        con.close()


def _chiffre(panorama: dict, ident: str) -> dict:
    return next(r for r in panorama["chiffres_publies"] if r["id"] == ident)


def test_family_figure_is_paired_with_the_family_estimate(panoramas: dict[str, dict]) -> None:
    france = panoramas["france"]
    mutuelles = _chiffre(france, "france-2022-mutuelles-salaries")
    assert mutuelles["valeur"] == 137738 and mutuelles["famille"] == "Mutuelles" and mutuelles["comparable"]
    estimation = next(f["salaries_estimes"] for f in france["familles"] if f["famille"] == "Mutuelles")
    assert mutuelles["estimation"] == estimation != france["salaries_estimes"]
    assert mutuelles["estimation_libelle"] == "salariés estimés de l'ESS (Mutuelles)"
    total = _chiffre(france, "france-2022-salaries")
    assert total["comparable"] and total["estimation"] == france["salaries_estimes"]


def test_subset_figure_is_shown_alone(panoramas: dict[str, dict]) -> None:
    scop = _chiffre(panoramas["france"], "france-2014-scop-salaries")
    assert scop["valeur"] == 42000 and not scop["comparable"] and scop["estimation"] is None
    assert scop["raison"].startswith("pas d'estimation comparable : sous-ensemble") and "SCOP" in scop["raison"]


def test_partial_territory_figures_are_not_paired_with_the_whole(panoramas: dict[str, dict]) -> None:
    manche = panoramas[MANCHE]
    cotentin = [r for r in manche["chiffres_publies"] if r["id"].startswith("cotentin-2014-")]
    assert {r["id"] for r in cotentin} >= {"cotentin-2014-etablissements", "cotentin-2014-salaries"}
    for r in cotentin:
        assert r["couverture"] == "partiel" and not r["comparable"] and r["estimation"] is None, r["id"]
        assert "ne couvre qu'une partie du territoire (Pays du Cotentin" in r["raison"]
    # the whole département's totals are never shown next to them
    totaux = {manche["etablissements_employeurs"], manche["salaries_estimes"]}
    assert not [r for r in manche["chiffres_publies"] if r["estimation"] in totaux and r["estimation"] is not None]


def test_json_records_keep_their_keys_and_add_the_pairing(panoramas: dict[str, dict]) -> None:
    anciennes = {"id", "territoire", "perimetre", "indicateur", "valeur", "unite", "annee", "libelle",
                 "source_document", "source_detail", "qualificatif", "note"}  # fmt: skip
    for panorama in panoramas.values():
        for r in panorama["chiffres_publies"]:
            assert anciennes | set(publies.COLONNES) <= set(r), r["id"]
            assert isinstance(r["comparable"], bool) and (r["raison"] is None) == r["comparable"]
    niort = panoramas[NIORT]
    employeurs = _chiffre(niort, "can-2023-etablissements")
    assert employeurs["comparable"] and employeurs["estimation"] == niort["etablissements_employeurs"]
    assert not _chiffre(niort, "can-2023-benevoles")["comparable"]
    assert _chiffre(niort, "can-2023-salaries")["citation"].endswith("— 2023 — https://www.niortagglo.fr/")


def test_pairing_rule_on_plain_frames() -> None:
    pub = pd.DataFrame({
        "id": ["mut", "asso-part", "scop", "pays", "etp", "secteur"],
        "indicateur": ["salaries", "part_salaries_famille", "salaries", "salaries", "etp", "salaries_action_sociale"],
        "perimetre": ["Mutuelles", "Associations", "SCOP", "Pays rural", None, None],
        "famille": ["Mutuelles", "Associations", "Coopératives", None, None, None],
        "secteur": [None, None, None, None, None, "Action sociale"],
        "sous_ensemble": [None, None, "SCOP", None, None, None],
        "couverture": ["entier", "entier", "entier", "partiel", "entier", "entier"],
        "source_document": [NIORT_DOC] * 6, "source_detail": ["diagnostic"] * 6,
    })  # fmt: skip
    familles = pd.DataFrame({"famille": ["Associations", "Mutuelles"], "etablissements_employeurs": [8, 2],
                             "salaries_estimes": [80.0, "s"]})  # fmt: skip
    secteurs = pd.DataFrame({"secteur": ["Action sociale"], "etablissements_employeurs": [3],
                             "salaries_estimes": [40.0]})  # fmt: skip
    out = publies.apparier(pub, {"salaries_estimes": 100.0}, familles, secteurs, {}).set_index("id")
    assert out.loc["mut", "comparable"] and out.loc["mut", "estimation"] == "s"  # the family's figure, secret
    assert out.loc["asso-part", "estimation"] == 0.8 and out.loc["asso-part", "estimation_unite"] == "part"
    assert out.loc["secteur", "estimation"] == 40.0
    for ident in ("scop", "pays", "etp"):
        assert not out.loc[ident, "comparable"] and out.loc[ident, "estimation"] is None, ident
        assert out.loc[ident, "raison"].startswith("pas d'estimation comparable : "), ident
    assert out.loc["pays", "citation"].startswith("Feuille de route Économie sociale et solidaire")
    # a database built before the scope columns never pairs a figure whose perimeter it cannot read
    ancien = publies.apparier(pub[["indicateur", "perimetre", "source_document"]], {"salaries_estimes": 100.0})
    assert not ancien["comparable"].iloc[0] and "esscore build" in ancien["raison"].iloc[0]
