"""Tests of the benchmark catalogue: shipped data checked against the seed texts, validation, import, search."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
import yaml

from esscore import benchmark as bm
from esscore.errors import DonneesInvalides, EssError
from esscore.sources import ANCIENS_CODES, citation, registre
from esscore.text import texte_litteral

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT / "data" / "benchmark" / "catalogue.yaml"
BOITE = ROOT / "data" / "benchmark" / "boite_a_outils.yaml"
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "benchmark"
SEEDS = Path(__file__).resolve().parent / "fixtures" / "seeds"
# The seed documents' test copies keep their former file names; the data name them by registry id.
SEED_FILES = tuple(ANCIENS_CODES)
DOCUMENTS = tuple(ANCIENS_CODES.values())


@pytest.fixture(scope="module")
def catalogue() -> list[dict]:
    return bm.load_catalogue(CATALOGUE)


@pytest.fixture(scope="module")
def by_id(catalogue: list[dict]) -> dict[str, dict]:
    return {entry["id"]: entry for entry in catalogue}


@pytest.fixture(scope="module")
def frame(catalogue: list[dict]) -> pd.DataFrame:
    return bm.catalogue_frame(catalogue)


def seed_text(name: str) -> str:
    return (SEEDS / name).read_text(encoding="utf-8")


# ------------------------------------------------------------------------------------------ shipped data


def test_catalogue_loads_validates_and_is_large_enough(catalogue: list[dict]) -> None:
    assert len(catalogue) >= 30
    ids = [entry["id"] for entry in catalogue]
    assert len(ids) == len(set(ids))
    assert list(catalogue[0]) == list(bm.ENTRY_KEYS)


def test_default_path_follows_data_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    target = tmp_path / "benchmark" / "catalogue.yaml"
    target.parent.mkdir()
    target.write_text(CATALOGUE.read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.setattr(bm.config, "DATA_DIR", tmp_path)
    assert len(bm.load_catalogue()) == len(bm.load_catalogue(CATALOGUE))


def test_every_lever_is_used(catalogue: list[dict]) -> None:
    used = {lev for entry in catalogue for lev in entry["leviers"]}
    assert used == set(bm.LEVIERS)
    assert len(bm.LEVIERS) == 8


def test_every_seed_file_is_a_source(catalogue: list[dict]) -> None:
    documents = {entry["source"]["document"] for entry in catalogue}
    assert set(DOCUMENTS) <= documents
    fichiers = {ident: code for code, ident in ANCIENS_CODES.items()}
    for document in documents:
        assert document in registre(), document  # cited in full: title, producer, date, address
        assert (SEEDS / fichiers[document]).is_file(), document


def test_every_benchmarked_collectivity_is_present(by_id: dict[str, dict]) -> None:
    expected = {
        "lyon-fondation-innovation-sociale",
        "nantes-ess-nantes-factory",
        "nantes-prix-innovation-sociale",
        "la-rochelle-aap-acteurs-transition",
        "grand-poitiers-aap-territoire-ess",
        "grenoble-artis-hotels-activites",
        "mel-spaser",
        "nantes-metropole-politique-ess",
        "toulouse-metropole-politique-ess",
        "rennes-metropole-politique-ess",
        "niort-feuille-de-route-ess-2023-2026",
        "niort-cress-diagnostic-2021",
        "roumois-seine-cress-economie-circulaire",
        "ressol-pole-ess-centre-manche",
        "region-bretagne-poles-ess",
        "region-npdc-plde-volet-ess",
        "ptce-eco-bouquetot",
        "ptce-eco-pertica",
        "pays-du-mans-diagnostic-partage",
        "pays-ancenis-cotess",
        "club-collectivites-pdl-ess",
    }
    assert expected <= set(by_id)


# (entry id, montants key, value read from the seed, seed file, exact text of the seed)
AMOUNTS = [
    ("lyon-fondation-innovation-sociale", "budget_total_eur", 1_000_000, 2, "enveloppe de 1M€"),
    ("lyon-fondation-innovation-sociale", "montant_par_projet_max_eur", 100_000, 2, "montant maximum de 100 000 €"),
    ("nantes-ess-nantes-factory", "budget_annuel_eur", 900_000, 2, "900 000€ par an"),
    ("nantes-ess-nantes-factory", "nombre_projets", 14, 2, "au minimum à 14 projets"),
    ("nantes-prix-innovation-sociale", "montant_par_projet_max_eur", 20_000, 2, "s'élève à 20 000 €"),
    ("grand-poitiers-aap-territoire-ess", "budget_total_eur", 21_000, 2, "21 000 € maximum"),
    ("grand-poitiers-aap-territoire-ess", "montant_par_projet_max_eur", 7_000, 2, "7 000€ par coup de coeur"),
    ("grand-poitiers-aap-territoire-ess", "nombre_laureats", 3, 2, "Ce sont 3 coups de coeur"),
    ("grenoble-artis-hotels-activites", "budget_total_eur", 6_000_000, 2, "la Métropole a investi 6M€"),
    ("mel-spaser", "heures_insertion", 300_000, 2, "soit 300 000h/an"),
    ("toulouse-impact-aap", "budget_total_eur", 220_000, 2, "ce sont 220K€ de financement"),
    ("toulouse-impact-aap", "nombre_projets", 15, 2, "dans 15 projets environ"),
    ("rennes-metropole-politique-ess", "budget_annuel_eur", 300_000, 2, "budget de fonctionnement de 300K€"),
    ("rennes-prix-eco-motiv", "budget_total_eur", 130_000, 2, "enveloppe de 130K€"),
    ("nantes-fonds-nantes-en-transition", "montant_par_projet_max_eur", 45_000, 2, "jusqu'à 45K€/projet"),
    ("nantes-metropole-politique-ess", "nombre_projets", 25, 2, "l'émergence de 25 projets par an"),
    ("niort-cress-diagnostic-2021", "budget_total_eur", 10_000, 0, "réalisé pour un coût de 10 000 €"),
    ("region-bretagne-poles-ess", "nombre_structures", 15, 3, "A fin 2014, 15 territoires"),
    ("etat-aap-ptce-2013", "nombre_laureats", 21, 3, "21 initiatives ont été retenues"),
    ("etat-bpi-fonds-innovation-sociale", "budget_total_eur", 40_000_000, 3, "hauteur de 40 millions d'euros"),
]


@pytest.mark.parametrize(("entry_id", "key", "expected", "seed", "snippet"), AMOUNTS)
def test_amounts_are_exactly_those_of_the_seeds(
    by_id: dict[str, dict], entry_id: str, key: str, expected: int, seed: int, snippet: str
) -> None:
    entry = by_id[entry_id]
    assert entry["montants"][key] == expected
    assert entry["source"]["document"] == DOCUMENTS[seed]
    assert snippet in seed_text(SEED_FILES[seed])


def test_amount_sample_is_large_and_varied() -> None:
    assert len(AMOUNTS) >= 8
    assert len({row[0] for row in AMOUNTS}) >= 8


def test_no_email_and_no_personal_name_in_catalogue() -> None:
    raw = CATALOGUE.read_text(encoding="utf-8") + BOITE.read_text(encoding="utf-8")
    assert "@" not in raw
    people = ("Laurence", "PARC", "COPPEY", "Veland", "Dutertre", "Rolland", "BALOGE", "MONTUZET", "MOREAU")
    for name in (*people, "Magnan", "Vincent Martin"):
        assert re.search(rf"\b{name}\b", raw) is None, name


def test_territory_codes_and_regions(by_id: dict[str, dict], catalogue: list[dict]) -> None:
    assert by_id["niort-feuille-de-route-ess-2023-2026"]["collectivite"]["code"] == "epci:200041317"
    assert by_id["nantes-ess-nantes-factory"]["collectivite"]["code"] == "epci:244400404"
    assert by_id["mel-spaser"]["collectivite"]["region"] == "32"
    for entry in catalogue:
        coll = entry["collectivite"]
        assert coll["region"] is None or coll["region"] in bm.REGIONS
        if coll["type"] == "pays":
            assert coll["code"] is None


def test_thematiques_use_the_common_vocabulary(catalogue: list[dict]) -> None:
    used = {theme for entry in catalogue for theme in entry["thematiques"]}
    assert used <= set(bm.THEMATIQUES), used - set(bm.THEMATIQUES)


def test_boite_a_outils_links_existing_entries(by_id: dict[str, dict]) -> None:
    df = bm.load_boite_a_outils(BOITE)
    assert list(df.columns) == ["axe", "orientation", "action", "exemple", "entrees"]
    assert set(df["axe"]) == {"Promouvoir l'ESS", "Développer l'ESS"}
    linked = [ident for ids in df["entrees"] for ident in ids]
    assert linked and set(linked) <= set(by_id)
    assert (df["entrees"].map(len) > 0).sum() >= 20


def test_shipped_file_is_in_canonical_form(catalogue: list[dict]) -> None:
    assert CATALOGUE.read_text(encoding="utf-8") == bm.dump_catalogue_yaml(catalogue)


# ------------------------------------------------------------------------------------------ frame, search


def test_frame_has_display_and_list_columns(frame: pd.DataFrame, catalogue: list[dict]) -> None:
    assert len(frame) == len(catalogue)
    row = frame.set_index("id").loc["nantes-ess-nantes-factory"]
    assert row["leviers"] == ["Financement", "Accompagnement", "Coopération & filières"]
    assert row["leviers_texte"] == "Financement ; Accompagnement ; Coopération & filières"
    assert row["montant_principal_eur"] == 900_000
    assert row["region_nom"] == "Pays de la Loire"
    assert "economie circulaire" in row["texte_recherche"]
    assert bm.catalogue_frame([]).columns.tolist() == list(bm.FRAME_COLUMNS)


def test_montant_principal_fallbacks() -> None:
    base = {"id": "x", "collectivite": {"nom": "X", "type": "commune"}, "titre": "T", "leviers": ["Financement"]}
    entries = [
        {**base, "id": "a", "montants": {"budget_total_eur": 5, "budget_annuel_eur": 3}},
        {**base, "id": "b", "montants": {"budget_annuel_eur": 3, "montant_par_projet_max_eur": 2}},
        {**base, "id": "c", "montants": {"montant_par_projet_max_eur": 2}},
        {**base, "id": "d", "montants": {"nombre_projets": 4}},
    ]
    values = bm.catalogue_frame(entries)["montant_principal_eur"].tolist()
    assert values[:3] == [5, 3, 2] and pd.isna(values[3])


def test_accent_insensitive_search(frame: pd.DataFrame) -> None:
    tagged = {row.id for row in frame.itertuples() if "économie circulaire" in row.thematiques}
    assert tagged
    found = set(bm.filter_catalogue(frame, texte="economie circulaire")["id"])
    assert tagged <= found
    assert found == set(bm.filter_catalogue(frame, texte="  ÉCONOMIE   Circulaire ")["id"])
    assert set(bm.filter_catalogue(frame, thematiques=["economie circulaire"])["id"]) == tagged
    both = bm.filter_catalogue(frame, texte="nantes factory")
    assert "nantes-ess-nantes-factory" in set(both["id"])
    assert bm.filter_catalogue(frame, texte="nantes grenoble").empty


def test_filters_combine(frame: pd.DataFrame) -> None:
    commande = bm.filter_catalogue(frame, leviers=["Commande publique"])
    assert "mel-spaser" in set(commande["id"])
    assert all("Commande publique" in levs for levs in commande["leviers"])
    pays = bm.filter_catalogue(frame, types=["pays"], regions=["28"])
    assert not pays.empty and set(pays["collectivite_type"]) == {"pays"} and set(pays["region"]) == {"28"}
    big = bm.filter_catalogue(frame, montant_min=1_000_000)
    assert {"grenoble-artis-hotels-activites", "lyon-fondation-innovation-sociale"} <= set(big["id"])
    assert (big["montant_principal_eur"] >= 1_000_000).all()
    small = bm.filter_catalogue(frame, montant_max=25_000)
    assert set(small["id"]) >= {"nantes-prix-innovation-sociale", "grand-poitiers-aap-territoire-ess"}
    assert bm.filter_catalogue(frame, annee=2017)["id"].tolist() == [
        "nantes-ess-nantes-factory",
        "nantes-prix-innovation-sociale",
    ]
    assert len(bm.filter_catalogue(frame)) == len(frame)
    empty = bm.catalogue_frame([])
    assert bm.filter_catalogue(empty, leviers=["Financement"], montant_min=1, annee=2020, texte="x").empty
    assert len(bm.filter_catalogue(frame, leviers=[], texte="")) == len(frame)


# ------------------------------------------------------------------------------------------ fiche


# ASCII punctuation: every character CommonMark lets a backslash make literal.
_PONCTUATION = r"[!-/:-@\[-`{-~]"


def ponctuation_non_echappee(markdown: str) -> list[str]:
    """ASCII punctuation of ``markdown`` that no backslash makes literal ([] for ``texte_litteral``'s output)."""
    return re.findall(_PONCTUATION, re.sub(r"\\" + _PONCTUATION, "", markdown))


def test_texte_litteral_the_one_markdown_escaper() -> None:
    """Fiches, roadmaps, names, file names and error messages all go through ``texte_litteral``."""
    text = "Titre\n=====\n  - puce\n1. un\n> cité\n<script>*gras* _it_ [lien](x) `code` $x$ ~~barré~~ :red[r] a|b"
    escaped = texte_litteral(text)
    lignes = escaped.split("  \n")  # every line break is a hard break, inside one paragraph
    assert lignes[:5] == ["Titre", "\\=\\=\\=\\=\\=", "\\- puce", "1\\. un", "\\> cité"]
    assert lignes[5] == (
        "\\<script\\>\\*gras\\* \\_it\\_ \\[lien\\]\\(x\\) \\`code\\` \\$x\\$ \\~\\~barré\\~\\~ \\:red\\[r\\] a\\|b"
    )
    assert ponctuation_non_echappee(escaped) == [] and ponctuation_non_echappee("a \\* b [c]") == ["[", "]"]
    # GFM links bare URLs and e-mails after escapes are resolved: a word joiner (U+2060, invisible) splits them
    assert texte_litteral("https://exemple.org") == "https\\:\u2060\\/\\/exemple\\.org"
    assert texte_litteral("WWW.x.fr a@b.fr") == "WWW\u2060\\.x\\.fr a\\@\u2060b\\.fr"
    assert texte_litteral("a\\b") == "a\\\\b" and texte_litteral(None) == "" and texte_litteral(12) == "12"
    assert texte_litteral("a\x00b\u202ec\r\td") == "abc d"  # control and bidi characters dropped


def test_fiche_markdown(by_id: dict[str, dict]) -> None:
    fiche = bm.fiche_markdown(by_id["mel-spaser"])
    assert fiche.startswith("### SPASER")
    assert "Heures d'insertion : 300\u202f000\u00a0h" in fiche
    assert "**Leviers :** Commande publique" in fiche
    source = citation(
        "niort-feuille-de-route-2023-2026", "Benchmark — fiche SPASER (Métropole Européenne de Lille)", markdown=True
    )
    assert fiche.rstrip().endswith(f"*Source : {source}*")
    assert "[Feuille de route Économie sociale et solidaire" in source and "](https://www.niortagglo.fr/)" in source
    hostile = dict(by_id["mel-spaser"], titre="<img src=x> [clic](javascript:x)", description="# *pirate*\n=====")
    hostile["partenaires"] = ["- puce", "~~barré~~ $x^2$"]
    out = bm.fiche_markdown(hostile)
    assert "\\<img" in out and re.search(r"(?<!\\)[<>]", out) is None
    corps = out.removesuffix(f"*Source : {source}*\n")  # the one link: the registry's address of the document
    assert corps != out and re.search(r"(?<!\\)\]\(", corps) is None and "\n# " not in out
    assert "\n\\# \\*pirate\\*  \n\\=\\=\\=\\=\\=\n" in out  # no heading, no setext underline
    assert f"**Partenaires :** {texte_litteral('- puce, ~~barré~~ $x^2$')}\n" in out


# ------------------------------------------------------------------------------------------ import, merge, save


def test_read_valid_yaml_and_csv() -> None:
    yaml_entries = bm.read_import_file(FIXTURES / "valide.yaml")
    assert [e["id"] for e in yaml_entries] == ["demo-aap-transition", "demo-observatoire"]
    assert yaml_entries[1]["annees"] == [] and yaml_entries[1]["contact"] is None
    csv_entries = bm.read_import_file(FIXTURES / "valide.csv")
    first, second = csv_entries
    assert first["leviers"] == ["Observation & évaluation", "Sensibilisation & valorisation"]
    assert first["annees"] == [2023, 2024]
    assert first["montants"] == {"budget_annuel_eur": 10_000}
    assert first["description"] == "Description mise à jour, avec une virgule."
    assert first["collectivite"]["code"] is None and first["contact"] is None
    assert second["montants"] == {"budget_annuel_eur": 150_000.5, "nombre_projets": 3, "autre": "Trois sites"}
    assert second["collectivite"]["region"] == "84"
    assert second["contact"] == {"role": "Chef de projet ESS", "organisation": "Métropole fictive"}


def test_read_semicolon_csv(tmp_path: Path) -> None:
    path = tmp_path / "import.csv"
    path.write_text(
        "id;titre;collectivite.nom;collectivite.type;leviers;source.document\n"
        'demo-pv;Titre;Commune;commune;"Financement;Accompagnement";doc.pdf\n',
        encoding="utf-8",
    )
    assert bm.read_import_file(path)[0]["leviers"] == ["Financement", "Accompagnement"]


def test_merge_adds_and_updates() -> None:
    existing = bm.read_import_file(FIXTURES / "valide.yaml")
    new = bm.read_import_file(FIXTURES / "valide.csv")
    merged, added, updated = bm.merge_entries(existing, new)
    assert (added, updated) == (1, 1)
    assert [e["id"] for e in merged] == ["demo-aap-transition", "demo-observatoire", "demo-foncier"]
    assert merged[1]["titre"] == "Observatoire fictif (mis à jour)"
    assert existing[1]["titre"] == "Observatoire fictif"
    again, added, updated = bm.merge_entries(merged, new)
    assert (added, updated) == (0, 0) and again == merged


def _error_message(path: Path) -> str:
    with pytest.raises(DonneesInvalides) as info:
        bm.read_import_file(path)
    return str(info.value)


def test_unknown_lever_is_refused_with_allowed_list() -> None:
    message = _error_message(FIXTURES / "levier_inconnu.yaml")
    assert "levier_inconnu.yaml" in message and "demo-levier" in message
    assert "« leviers »" in message and "Subventions magiques" in message
    assert all(lev in message for lev in bm.LEVIERS)


def test_missing_source_is_refused() -> None:
    message = _error_message(FIXTURES / "source_manquante.yaml")
    assert "demo-sans-source" in message and "source" in message


def test_bad_amounts_are_all_reported() -> None:
    message = _error_message(FIXTURES / "montant_invalide.yaml")
    assert "demo-montants" in message
    for key in ("budget_total_eur", "budget_annuel_eur", "nombre_projets", "heures_insertion"):
        assert f"montants.{key}" in message
    assert "4 erreur(s)" in message


def test_duplicate_id_is_refused() -> None:
    message = _error_message(FIXTURES / "id_double.yaml")
    assert "demo-double" in message and "n° 2" in message and "double" in message


def test_all_errors_reported_together() -> None:
    message = _error_message(FIXTURES / "erreurs_multiples.yaml")
    for fragment in (
        "collectivite.nom",
        "collectivite.type",
        "collectivite.code",
        "« titre »",
        "liste attendue",
        "« annees »",
        "source.date",
        "adresse e-mail",
        "entrée n° 2",
        "« id » manquant",
    ):
        assert fragment in message, fragment


def test_error_list_is_capped() -> None:
    entries = [{"id": f"e-{i}", "titre": "T", "leviers": ["Inconnu"]} for i in range(30)]
    with pytest.raises(DonneesInvalides) as info:
        bm.validate_entries(entries, "gros.yaml")
    lines = str(info.value).splitlines()
    assert len(lines) <= bm.MAX_ERREURS_AFFICHEES + 3
    assert "autre(s) erreur(s)" in str(info.value)


def test_non_utf8_csv_is_refused() -> None:
    message = _error_message(FIXTURES / "latin1.csv")
    assert "latin1.csv" in message and "UTF-8" in message and "Réenregistrez-le en UTF-8" in message


def test_other_malformed_files(tmp_path: Path) -> None:
    big = tmp_path / "gros.yaml"
    big.write_bytes(b"#" * (bm.MAX_IMPORT_BYTES + 1))
    assert "5 Mo" in _error_message(big)
    broken = tmp_path / "casse.yaml"
    broken.write_text("- id: a\n  titre: [non fermé\n", encoding="utf-8")
    assert "YAML valide" in _error_message(broken)
    not_list = tmp_path / "dict.yaml"
    not_list.write_text("id: a\n", encoding="utf-8")
    assert "liste" in _error_message(not_list)
    other = tmp_path / "notes.txt"
    other.write_text("x", encoding="utf-8")
    assert ".csv" in _error_message(other)
    unknown_col = tmp_path / "col.csv"
    unknown_col.write_text("id,titre,couleur\n", encoding="utf-8")
    assert "couleur" in _error_message(unknown_col)
    with pytest.raises(EssError):
        bm.read_import_file(tmp_path / "absent.yaml")


def test_save_catalogue_is_atomic_and_round_trips(tmp_path: Path) -> None:
    entries = bm.read_import_file(FIXTURES / "valide.yaml")
    path = bm.save_catalogue(entries, tmp_path / "catalogue.yaml")
    assert bm.load_catalogue(path) == entries
    text = path.read_text(encoding="utf-8")
    assert "économie circulaire" in text and "\\u" not in text  # allow_unicode: readable accents
    assert yaml.safe_load(text)[0]["collectivite"]["region"] == "75"
    before = path.read_bytes()
    bad = [dict(entries[0], leviers=["Inconnu"])]
    with pytest.raises(DonneesInvalides):
        bm.save_catalogue(bad, path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["catalogue.yaml"]


def test_validation_normalises_without_mutating() -> None:
    raw = [
        {
            "id": "demo-norm",
            "collectivite": {"nom": " Commune ", "type": "commune", "region": 75},
            "titre": " Titre ",
            "leviers": ["financement", "COOPERATION & FILIERES", "Financement"],
            "source": {"document": "doc.pdf", "date": 2024},
        }
    ]
    (entry,) = bm.validate_entries(raw, "x.yaml")
    assert entry["leviers"] == ["Financement", "Coopération & filières"]
    assert list(entry) == list(bm.ENTRY_KEYS)
    assert entry["collectivite"]["nom"] == "Commune" and entry["collectivite"]["region"] == "75"
    assert entry["source"]["date"] == "2024" and entry["montants"] == {}
    assert raw[0]["titre"] == " Titre "


def test_core_does_not_import_streamlit() -> None:
    source = (ROOT / "esscore" / "benchmark.py").read_text(encoding="utf-8")
    assert not re.search(r"^\s*(import|from)\s+(streamlit|duckdb)", source, re.MULTILINE)


def test_control_characters_in_a_fiche_are_refused(by_id: dict[str, dict]) -> None:
    fiche = dict(by_id["mel-spaser"], description="Texte\x00caché \u202eesrever")
    with pytest.raises(DonneesInvalides, match=r"« description » contient un caractère invisible.*U\+0000"):
        bm.validate_entries([fiche], "piege.yaml")
