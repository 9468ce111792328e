"""Benchmark in the database, its CLI (list, import) and its page (AppTest): URL state, search, compare."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

import esscore.build  # noqa: F401 - imported before DATA_DIR is redirected (its geography paths stay real)
from esscore import benchmark as bm
from esscore import benchmark_db, config
from esscore.cli import main
from esscore.roadmap import read_roadmap
from esscore.text import texte_litteral

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data" / "benchmark"
FIXTURES = ROOT / "tests" / "fixtures" / "benchmark"
NIORT = "epci:200041317"
# Markdown that must show exactly as typed wherever user text is displayed (issue 17, F4): a setext heading,
# a bullet, a bare URL, a strikethrough, a remote image, a link, a Streamlit colour directive, LaTeX.
MARKDOWN_PIEGE = (
    "Titre\n=====\n- puce\nhttps://exemple.org ~~barré~~\n![img](http://127.0.0.1:9/x.png)\n"
    "[Cliquez ici](http://exemple.org) :red[rouge] $x^2$"
)
HOSTILE_TITRE = "Titre [lien](https://exemple.invalid) <script>alert(1)</script> **gras**"
HOSTILE_DESCRIPTION = "# Pas un titre\n$x$ et `code` et <img src=x onerror=alert(1)>\n" + MARKDOWN_PIEGE
HOSTILE = f"""
- id: test-hostile
  collectivite: {{nom: "Ville <b>piège</b>", type: commune, code: "commune:79191", region: "75"}}
  titre: {json.dumps(HOSTILE_TITRE)}
  leviers: [Commande publique]
  description: {json.dumps(HOSTILE_DESCRIPTION, ensure_ascii=False)}
  resultats: {json.dumps(MARKDOWN_PIEGE, ensure_ascii=False)}
  partenaires: ["- puce", "[Cliquez ici](http://exemple.org)", "~~barré~~"]
  annees: [2024]
  montants: {{budget_total_eur: 123456}}
  thematiques: [économie circulaire]
  source: {{document: "note [interne](javascript:alert(1))", date: "2024"}}
"""


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def copie_donnees(target: Path) -> Path:
    """``target`` holding a private copy of data/benchmark (the repository's files are never written by tests)."""
    (target / "benchmark").mkdir(parents=True, exist_ok=True)
    for name in ("catalogue.yaml", "boite_a_outils.yaml"):
        shutil.copy(DATA / name, target / "benchmark" / name)
    return target


def importer_fiche_hostile(db: Path, dossier: Path) -> Path:
    """``db`` with the HOSTILE entry imported as a user would (``esscore import benchmark``), the local additions
    file written under ``dossier``; also used by the browser tests (tests/test_browser_markdown.py)."""
    source = dossier / "hostile.yaml"
    source.write_text(HOSTILE, encoding="utf-8")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(config, "DATA_DIR", copie_donnees(dossier / "data"))
        assert main(["import", "benchmark", str(source), "--db", str(db)]) == 0
    return db


@pytest.fixture()
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of data/benchmark (the repository's files are never written by tests)."""
    target = copie_donnees(tmp_path / "data")
    monkeypatch.setattr(config, "DATA_DIR", target)
    return target


@pytest.fixture()
def db_copy(db_file: Path, tmp_path: Path) -> Path:
    target = tmp_path / "ess.duckdb"
    shutil.copy(db_file, target)
    return target


@pytest.fixture()
def no_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No editing store: the page falls back to the shipped example roadmaps (read-only)."""
    path = tmp_path / "absent.sqlite"
    monkeypatch.setenv("ESS_STORE", str(path))
    return path


# --------------------------------------------------------------------------------------------- database


def test_build_loads_catalogue_and_toolbox(con) -> None:
    shipped = bm.load_catalogue(DATA / "catalogue.yaml")
    frame = benchmark_db.lire_catalogue(con)
    assert list(frame["id"]) == [e["id"] for e in shipped]
    assert benchmark_db.entrees_depuis_frame(frame) == shipped  # nothing lost between YAML and table
    types = dict(con.execute("SELECT column_name, column_type FROM (DESCRIBE benchmark)").fetchall())
    assert types["leviers"] == "VARCHAR[]" and types["thematiques"] == "VARCHAR[]" and types["annees"] == "INTEGER[]"
    assert set(frame["origine"]) == {"catalogue"}
    boite = benchmark_db.lire_boite_a_outils(con)
    assert len(boite) == len(bm.load_boite_a_outils(DATA / "boite_a_outils.yaml")) > 20
    source = con.execute("SELECT producteur, lignes, demo FROM sources WHERE id = 'benchmark'").fetchone()
    assert source == ("ESS Territoires d'après les documents publics du registre des sources", len(shipped), False)
    lyon = frame.set_index("id").loc["lyon-fondation-innovation-sociale"]
    assert lyon["population_collectivite"] > 1_000_000  # joined from territoires through collectivite.code


def test_additions_replace_same_id_and_add_new(data_dir: Path) -> None:
    base = bm.load_catalogue(DATA / "catalogue.yaml")
    changed = dict(base[0], titre="Titre remplacé localement")
    new = bm.load_catalogue(FIXTURES / "valide.yaml")
    bm.save_catalogue([changed, *new], benchmark_db.ajouts_path())
    entries, added = benchmark_db.lire_entrees()
    assert len(entries) == len(base) + len(new)
    assert entries[0]["titre"] == "Titre remplacé localement"  # same position, new content
    assert added == {base[0]["id"], *(e["id"] for e in new)}


def test_broken_additions_file_is_named(data_dir: Path) -> None:
    benchmark_db.ajouts_path().write_text("- id: x\n  titre: sans le reste\n", encoding="utf-8")
    with pytest.raises(bm.DonneesInvalides, match="ajouts.yaml"):
        benchmark_db.lire_entrees()


def _frame(rows: list[tuple]) -> pd.DataFrame:
    cols = ["id", "collectivite_type", "collectivite_code", "population_collectivite"]
    return pd.DataFrame(rows, columns=cols)


def test_comparable_collectivities() -> None:
    frame = _frame([
        ("meme-taille", "epci", "epci:1", 200_000),
        ("trop-grande", "epci", "epci:2", 700_000),
        ("limite-basse", "epci", "epci:3", 33_000),
        ("pays", "pays", None, None),
        ("region", "region", "region:75", 6e6),
        ("chez-moi", "epci", NIORT, 100_000),
    ])  # fmt: skip
    out = benchmark_db.comparer_au_territoire(frame, NIORT, "epci", 100_000).set_index("id")
    assert out["comparable"].to_dict() == {"meme-taille": True, "trop-grande": False, "limite-basse": True,
                                           "pays": True, "region": False, "chez-moi": False}  # fmt: skip
    assert out.loc["chez-moi", "chez_vous"] and out.loc["meme-taille", "rapport_taille"] == 2.0
    assert out.loc["pays", "taille_proche"] is None
    commune = benchmark_db.comparer_au_territoire(frame, "commune:79191", "commune", 60_000)
    assert not commune["comparable"].any()


def test_levers_the_roadmap_does_not_use_yet() -> None:
    niort = read_roadmap(ROOT / "data" / "feuilles_de_route" / "niort-2023-2026.yaml")
    docs = benchmark_db.feuilles_du_territoire([niort], NIORT)
    assert docs == [niort]
    used = benchmark_db.leviers_utilises(docs)
    assert used and used <= set(bm.LEVIERS)
    assert benchmark_db.leviers_manquants(docs) == [lev for lev in bm.LEVIERS if lev not in used]
    assert benchmark_db.feuilles_du_territoire([niort], "epci:200046977") == []
    assert benchmark_db.leviers_manquants([]) == list(bm.LEVIERS)


# -------------------------------------------------------------------------------------------------- CLI


@pytest.mark.parametrize(
    ("fichier", "entree", "champ"),
    [
        ("levier_inconnu.yaml", "demo-levier", "leviers"),
        ("source_manquante.yaml", "demo-sans-source", "source"),
        ("montant_invalide.yaml", "demo-montants", "montants.budget_total_eur"),
    ],
)
def test_bad_import_is_refused_and_changes_nothing(
    fichier: str, entree: str, champ: str, data_dir: Path, db_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before_db, before_cat = sha(db_copy), sha(data_dir / "benchmark" / "catalogue.yaml")
    code = main(["import", "benchmark", str(FIXTURES / fichier), "--db", str(db_copy)])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("Erreur : ") and "Traceback" not in err
    assert fichier in err and f"« {entree} »" in err and f"« {champ}" in err
    assert sha(db_copy) == before_db
    assert sha(data_dir / "benchmark" / "catalogue.yaml") == before_cat
    assert not benchmark_db.ajouts_path().exists()


def test_bad_import_keeps_previous_additions(data_dir: Path, db_copy: Path) -> None:
    assert main(["import", "benchmark", str(FIXTURES / "valide.yaml"), "--db", str(db_copy)]) == 0
    before = sha(benchmark_db.ajouts_path()), sha(db_copy)
    assert main(["import", "benchmark", str(FIXTURES / "erreurs_multiples.yaml"), "--db", str(db_copy)]) == 2
    assert (sha(benchmark_db.ajouts_path()), sha(db_copy)) == before


def test_import_adds_then_updates_and_survives_a_rebuild(
    data_dir: Path, db_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shipped = len(bm.load_catalogue(DATA / "catalogue.yaml"))
    assert main(["import", "benchmark", str(FIXTURES / "valide.yaml"), "--db", str(db_copy)]) == 0
    assert capsys.readouterr().out.strip() == "2 ajoutée(s), 0 mise(s) à jour"
    assert main(["import", "benchmark", str(FIXTURES / "valide.yaml"), "--db", str(db_copy)]) == 0
    assert capsys.readouterr().out.strip() == "0 ajoutée(s), 0 mise(s) à jour"
    assert main(["import", "benchmark", str(FIXTURES / "valide.csv"), "--db", str(db_copy)]) == 0
    assert capsys.readouterr().out.strip() == "1 ajoutée(s), 1 mise(s) à jour"
    assert sha(data_dir / "benchmark" / "catalogue.yaml") == sha(DATA / "catalogue.yaml")  # shipped file untouched
    assert main(["build", "--db", str(db_copy)]) == 0  # a later build reloads the saved additions
    capsys.readouterr()
    assert main(["benchmark", "--db", str(db_copy), "--format", "json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert len(listed) == shipped + 3
    by_id = {e["id"]: e for e in listed}
    assert by_id["demo-observatoire"]["titre"] == "Observatoire fictif (mis à jour)"
    import duckdb

    with duckdb.connect(str(db_copy), read_only=True) as con:
        assert con.execute("SELECT meta.valeur FROM meta WHERE cle = 'ess'").fetchone()[0] == "sirene"
        assert con.execute("SELECT count(*) FROM benchmark WHERE origine = 'ajout'").fetchone()[0] == 3


def test_cli_lists_with_filters(db_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    frame = bm.catalogue_frame(bm.load_catalogue(DATA / "catalogue.yaml"))
    expected = bm.filter_catalogue(frame, leviers=["Financement"], types=["epci"])
    args = ["benchmark", "--db", str(db_file), "--levier", "financement", "--type", "epci", "--format", "json"]
    assert main(args) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [e["id"] for e in listed] == list(expected["id"])
    assert list(listed[0]) == list(benchmark_db.JSON_KEYS)
    assert set(listed[0]["source"]) == {"document", "section", "date"}
    assert main(["benchmark", "--db", str(db_file), "--texte", "ÉCONOMIE circulaire"]) == 0
    out = capsys.readouterr().out
    n = len(bm.filter_catalogue(frame, texte="economie circulaire"))
    assert out.startswith(f"{n} fiche(s) sur {len(frame)}")
    assert main(["benchmark", "--db", str(db_file), "--levier", "Magie"]) == 2
    assert "Levier inconnu « Magie »" in capsys.readouterr().err


# ------------------------------------------------------------------------------------------------- page


def run_page(params: dict[str, str | list[str]] | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "pages" / "benchmark.py"), default_timeout=60)
    for key, value in (params or {}).items():
        at.query_params[key] = value
    return at.run()


def qp(at: AppTest, key: str) -> list[str]:
    """A query parameter as a list (AppTest gives a string for one value, a list for several)."""
    value = at.query_params[key]
    return value if isinstance(value, list) else [value]


def count_text(at: AppTest) -> str:
    return next(m.value for m in at.markdown if "fiche(s) sur" in m.value)


def card_ids(at: AppTest) -> list[str]:
    return [b.key.removeprefix("bm_voir_") for b in at.button if b.key and b.key.startswith("bm_voir_")]


@pytest.fixture(scope="module")
def shipped_frame() -> pd.DataFrame:
    return bm.catalogue_frame(bm.load_catalogue(DATA / "catalogue.yaml"))


def test_page_lists_every_entry(db_env: Path, no_store: Path, shipped_frame: pd.DataFrame) -> None:
    at = run_page()
    assert not at.exception
    assert at.title[0].value == "Benchmark des politiques ESS"
    assert count_text(at) == f"### {len(shipped_frame)} fiche(s) sur {len(shipped_frame)}"
    assert card_ids(at) == list(shipped_frame["id"])[:18]  # first page of cards
    assert any(c.value.startswith("Source : ") for c in at.caption)
    assert dict(at.query_params) == {}


def test_search_economie_circulaire_without_accents(db_env: Path, no_store: Path, shipped_frame) -> None:
    expected = bm.filter_catalogue(shipped_frame, texte="économie circulaire")
    assert 3 <= len(expected) < len(shipped_frame)
    at = run_page({"q": "economie circulaire"})
    assert not at.exception
    assert at.text_input(key="bm_q").value == "economie circulaire"
    assert count_text(at).startswith(f"### {len(expected)} fiche(s)")
    assert set(card_ids(at)) == set(expected["id"])
    at.text_input(key="bm_q").set_value("ÉCONOMIE CIRCULAIRE réemploi").run()
    narrower = bm.filter_catalogue(shipped_frame, texte="economie circulaire reemploi")
    assert count_text(at).startswith(f"### {len(narrower)} fiche(s)")
    assert qp(at, "q") == ["ÉCONOMIE CIRCULAIRE réemploi"]


def test_filters_are_read_from_and_written_to_the_url(db_env: Path, no_store: Path, shipped_frame) -> None:
    params = {"levier": ["Financement", "Inconnu"], "type": "epci", "region": "52", "min": "20000"}
    at = run_page(params)
    assert not at.exception
    expected = bm.filter_catalogue(shipped_frame, leviers=["Financement"], types=["epci"], regions=["52"],
                                   montant_min=20000)  # fmt: skip
    assert count_text(at).startswith(f"### {len(expected)} fiche(s)")
    assert at.multiselect(key="bm_levier").value == ["Financement"]  # unknown lever dropped
    assert qp(at, "levier") == ["Financement"] and qp(at, "type") == ["epci"]
    at.multiselect(key="bm_levier").select("Commande publique").run()
    assert qp(at, "levier") == ["Financement", "Commande publique"]
    at.selectbox(key="bm_annee").set_value(2023).run()
    assert qp(at, "annee") == ["2023"]
    at.button[[b.label for b in at.button].index("Effacer les filtres")].click().run()
    assert count_text(at) == f"### {len(shipped_frame)} fiche(s) sur {len(shipped_frame)}"
    assert "levier" not in at.query_params and "annee" not in at.query_params


def test_compare_two_entries(db_env: Path, no_store: Path) -> None:
    at = run_page({"levier": "Financement"})
    first, second = card_ids(at)[:2]
    at.button(key=f"bm_cmp_{first}").click().run()
    at.button(key=f"bm_cmp_{second}").click().run()
    assert qp(at, "compare") == [f"{first},{second}"]
    at.session_state["bm_vue"] = "Comparer"
    at.run()
    assert not at.exception
    table = at.table[0].value
    assert table.shape[1] == 2
    assert {"Collectivité", "Leviers", "Source"} <= set(table.index)
    assert qp(at, "vue") == ["comparer"]
    # the same URL reopens the same comparison
    again = run_page({"compare": f"{first},{second}", "vue": "comparer"})
    assert again.table[0].value.equals(table)


def test_fiche_from_url_with_markdown_download(db_env: Path, no_store: Path) -> None:
    at = run_page({"fiche": "grand-poitiers-aap-territoire-ess"})
    assert not at.exception
    assert at.selectbox(key="bm_fiche").value == "grand-poitiers-aap-territoire-ess"
    fiche = next(m.value for m in at.markdown if m.value.startswith("### Appel à projets"))
    assert "21\u202f000\u00a0€" in fiche and "*Source : [Feuille de route Économie sociale et solidaire" in fiche
    assert "](https://www.niortagglo.fr/) (Benchmark — fiche AAP Territoire" in fiche  # the document, not its file
    assert [b for b in at.get("download_button") if "Markdown" in b.proto.label]


def test_amounts_chart_in_french(db_env: Path, no_store: Path) -> None:
    at = run_page({"vue": "montants"})
    assert not at.exception
    spec = json.loads(at.get("vega_lite_chart")[0].proto.spec)
    assert spec["config"]["locale"]["number"]["thousands"] == "\u202f"
    from esscore.ui.benchmark import donnees_montants, graphique_montants

    frame = bm.catalogue_frame(bm.load_catalogue(DATA / "catalogue.yaml"))
    chart_data = donnees_montants(frame)
    assert chart_data["montant"].is_monotonic_decreasing
    assert chart_data["libelle"].is_unique
    assert "1\u202f000\u202f000\u00a0€" in set(chart_data["montant_texte"])
    assert graphique_montants(frame.iloc[0:0]) is None
    layer = graphique_montants(frame, log=True).to_dict()["layer"][0]["encoding"]
    assert layer["x"]["scale"]["type"] == "log" and "x2" in layer


def test_for_my_territory_with_a_roadmap(db_env: Path, no_store: Path) -> None:
    at = run_page({"territoire": NIORT, "vue": "territoire"})
    assert not at.exception
    text = "\n".join(m.value for m in at.markdown)
    assert "fiche(s) de collectivités comparables" in text
    assert "Leviers que votre feuille de route n'utilise pas encore" in text
    niort = read_roadmap(ROOT / "data" / "feuilles_de_route" / "niort-2023-2026.yaml")
    for lev in benchmark_db.leviers_manquants([niort]):
        assert f":blue-badge[{lev}]" in text
    assert not [i for i in at.info if "Aucune feuille de route" in i.value]


def test_for_my_territory_without_a_roadmap(db_env: Path, no_store: Path) -> None:
    at = run_page({"territoire": "epci:200046977", "vue": "territoire"})
    assert not at.exception
    assert [i for i in at.info if "Aucune feuille de route n'est enregistrée pour ce territoire" in i.value]


def test_for_my_territory_reads_the_editing_store(db_env: Path, tmp_path: Path, monkeypatch) -> None:
    from esscore.store import RoadmapStore

    path = tmp_path / "edition.sqlite"
    monkeypatch.setenv("ESS_STORE", str(path))
    niort = read_roadmap(ROOT / "data" / "feuilles_de_route" / "niort-2023-2026.yaml")
    RoadmapStore(path).seed_if_empty([{**niort, "territoire": "epci:200046977"}])
    at = run_page({"territoire": "epci:200046977", "vue": "territoire"})
    assert not [i for i in at.info if "Aucune feuille de route" in i.value]
    assert any("Leviers que votre" in m.value for m in at.markdown)


def test_toolbox_links_open_the_fiche(db_env: Path, no_store: Path) -> None:
    at = run_page({"vue": "outils"})
    assert not at.exception
    links = [b for b in at.button if b.key and b.key.startswith("bm_bao_")]
    assert len(links) > 20
    target = links[0].key.split("_", 4)[4]
    links[0].click().run()
    assert qp(at, "fiche") == [target] and qp(at, "vue") == ["detail"]
    assert at.selectbox(key="bm_fiche").value == target


def test_bad_url_values_are_ignored(db_env: Path, no_store: Path, shipped_frame) -> None:
    at = run_page({"fiche": "nexiste-pas", "compare": "a,b,<script>", "annee": "abc", "min": "-5", "vue": "x"})
    assert not at.exception
    assert count_text(at) == f"### {len(shipped_frame)} fiche(s) sur {len(shipped_frame)}"
    assert {"fiche", "compare", "annee", "min", "vue"}.isdisjoint(at.query_params)


@pytest.fixture()
def hostile_db(tmp_path: Path, db_file: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    db = tmp_path / "hostile.duckdb"
    shutil.copy(db_file, db)
    importer_fiche_hostile(db, tmp_path)
    monkeypatch.setenv("ESS_DB", str(db))
    return db


def test_imported_text_is_escaped_everywhere(hostile_db: Path, no_store: Path) -> None:
    at = run_page({"q": "piege"})
    assert not at.exception
    assert card_ids(at) == ["test-hostile"]
    shown = "\n".join(m.value for m in at.markdown) + "\n".join(c.value for c in at.caption)
    assert texte_litteral(HOSTILE_TITRE) in shown and "\\[lien\\]\\(https\\:\u2060\\/\\/exemple\\.invalid\\)" in shown
    assert "<script>" not in shown.replace("\\<script\\>", "") and "](" not in shown.replace("\\](", "")
    assert texte_litteral("Ville <b>piège</b>") in shown and texte_litteral("note [interne](javascript:") in shown
    assert ":gray-badge[Ajout local]" in shown
    cmp = run_page({"compare": "test-hostile,lyon-fondation-innovation-sociale", "vue": "comparer"})
    table = cmp.table[0].value
    assert texte_litteral(HOSTILE_TITRE) in table.columns  # st.table renders Markdown, headers included
    assert table.iloc[:, 0]["Collectivité"] == texte_litteral("Ville <b>piège</b>")
    assert table.iloc[:, 0]["Résultats"] == texte_litteral(MARKDOWN_PIEGE)
    detail = run_page({"fiche": "test-hostile"})
    fiche = "\n".join(m.value for m in detail.markdown)
    assert texte_litteral(HOSTILE_DESCRIPTION) in fiche and texte_litteral(MARKDOWN_PIEGE) in fiche
    assert texte_litteral("- puce, [Cliquez ici](http://exemple.org), ~~barré~~") in fiche


def test_choose_my_territory_sets_it_in_the_url(db_env: Path, no_store: Path) -> None:
    at = run_page({"vue": "territoire"})
    assert not at.exception
    at.button[[b.label for b in at.button].index("Choisir mon territoire")].click().run()
    assert qp(at, "territoire") == [NIORT] and qp(at, "vue") == ["territoire"]
    assert any("fiche(s) de collectivités comparables" in m.value for m in at.markdown)


def test_comparison_and_fiche_survive_a_tab_change(db_env: Path, no_store: Path) -> None:
    pair = "lyon-fondation-innovation-sociale,nantes-ess-nantes-factory"
    at = run_page({"compare": pair, "fiche": "lyon-fondation-innovation-sociale", "vue": "comparer"})
    for vue in ("Fiches", "Montants", "Fiche détaillée", "Fiches", "Comparer"):
        at.session_state["bm_vue"] = vue
        at.run()
    assert not at.exception
    assert qp(at, "compare") == [pair] and qp(at, "fiche") == ["lyon-fondation-innovation-sociale"]
    assert at.table[0].value.shape[1] == 2
