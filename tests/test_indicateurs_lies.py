"""Roadmap indicators bound to a figure of the base (issue 15, item 7): read at each build and page load, written
by « données », never typed, never a secret figure."""

from __future__ import annotations

import copy
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from esscore import evolution, indicators, labels
from esscore import indicateurs_lies as L
from esscore.avancement import indicators_frame
from esscore.errors import DonneesInvalides
from esscore.roadmap import find_action, validate_roadmap
from esscore.store import AUTEUR_DONNEES, AUTEUR_SYSTEME, RoadmapStore

ROOT = Path(__file__).resolve().parent.parent
FIX = ROOT / "tests" / "fixtures"
NIORT = "epci:200041317"
DEUX_SEVRES = "departement:79"  # complementary secrecy in the fixture base (its employees would reveal a commune's)


def feuille(territoire: str | None, ident: str = "liee", donnees: tuple[str, ...] = ("salaries_estimes",)) -> dict:
    """A small roadmap whose action A.1.1 has one typed indicator and one bound indicator per figure."""
    inds = [{"code": "T1", "libelle": "Saisi", "valeurs": [{"date": "2025-01-01", "valeur": 3}]}]
    inds += [{"code": f"D{n}", "libelle": d, "donnee": d} for n, d in enumerate(donnees, start=1)]
    action = {"code": "A.1.1", "titre": "Observer", "indicateurs": inds}
    axes = [{"code": "A", "titre": "Axe", "axes_operationnels": [{"code": "A.1", "titre": "Op", "actions": [action]}]}]
    return validate_roadmap({"id": ident, "titre": "Liée", "territoire": territoire, "axes": axes}, "test")


@pytest.fixture()
def store(tmp_path: Path) -> RoadmapStore:
    s = RoadmapStore(tmp_path / "edition.sqlite")
    s.init()
    return s


def indicateur(store: RoadmapStore, ident: str, code: str) -> dict:
    act = find_action(store.get(ident), "A.1.1") or {}
    return next(i for i in act["indicateurs"] if i["code"] == code)


def test_refresh_writes_the_value_and_a_journal_line_then_nothing(con, store: RoadmapStore) -> None:
    store.import_roadmap(feuille(NIORT, donnees=("salaries_estimes", "part_emploi_prive")), "Service ESS")
    m = L.millesime_base(con)
    assert m is not None and m.date == "2025-11-30" and m.texte == "effectifs 2023, stock Sirene au 30 novembre 2025"
    assert L.a_rafraichir(store.get("liee"), m)
    rapport = L.rafraichir(con, store)
    assert len(rapport.changements) == 2 and rapport.sans_valeur == []
    ligne = indicators.indicateurs(con, [NIORT]).iloc[0]
    for code, donnee in (("D1", "salaries_estimes"), ("D2", "part_emploi_prive")):
        ind = indicateur(store, "liee", code)
        attendu = labels.arrondi(donnee, ligne[donnee])  # the Panorama's figure, rounded as displayed (17.9 %)
        assert ind["valeurs"] == [{"date": "2025-11-30", "valeur": attendu}]
        assert ind["lecture"] == {"millesime": m.texte, "date": "2025-11-30", "demonstration": False, "motif": None}
    journal = store.changelog("liee")
    lignes = journal[journal["auteur"] == AUTEUR_DONNEES]
    assert sorted(lignes["champ"]) == ["indicateur D1 (2025-11-30)", "indicateur D2 (2025-11-30)"]
    d1 = lignes[lignes["champ"] == "indicateur D1 (2025-11-30)"].iloc[0]
    assert (d1["action_code"], d1["ancienne_valeur"], d1["nouvelle_valeur"]) == ("A.1.1", None, "122")
    assert indicateur(store, "liee", "T1")["valeurs"] == [{"date": "2025-01-01", "valeur": 3}]  # typed: untouched
    assert not L.a_rafraichir(store.get("liee"), m)
    avant = (store.get_versioned("liee"), len(store.changelog()))
    assert L.rafraichir(con, store).changements == []  # same base: nothing written, no new version
    assert (store.get_versioned("liee"), len(store.changelog())) == avant


def test_secret_figure_is_never_written_and_the_reason_is_kept(con, store: RoadmapStore) -> None:
    assert indicators.indicateurs(con, [DEUX_SEVRES]).iloc[0]["salaries_estimes"] == indicators.SECRET
    store.import_roadmap(feuille(DEUX_SEVRES, donnees=("salaries_estimes", "etablissements_employeurs")), "Paul")
    rapport = L.rafraichir(con, store)
    secret = indicateur(store, "liee", "D1")
    assert secret["valeurs"] == [] and secret["lecture"]["motif"] == L.MOTIF_SECRET
    assert rapport.sans_valeur == [f"liee · A.1.1 · D1 : {L.MOTIF_SECRET}"]
    assert indicateur(store, "liee", "D2")["valeurs"][0]["valeur"] == 6  # employers: not secret
    journal = store.changelog("liee")
    lecture = journal[journal["champ"] == "indicateur D1 (lecture des données)"].iloc[0]
    assert lecture["auteur"] == AUTEUR_DONNEES and lecture["ancienne_valeur"] is None
    assert lecture["nouvelle_valeur"].startswith("secret statistique") and "2025" in lecture["nouvelle_valeur"]
    assert "indicateur D1 (2025-11-30)" not in set(journal["champ"])  # no value line: nothing recorded
    assert indicators.SECRET not in set(journal["nouvelle_valeur"].dropna())
    assert L.rafraichir(con, store).changements == []


def test_a_value_left_by_a_former_build_of_the_same_vintage_is_removed_when_now_secret(con, store) -> None:
    doc = feuille(DEUX_SEVRES)
    doc["axes"][0]["axes_operationnels"][0]["actions"][0]["indicateurs"][1]["valeurs"] = [
        {"date": "2025-11-30", "valeur": 999}
    ]
    store.import_roadmap(doc, "Paul")
    L.rafraichir(con, store)
    assert indicateur(store, "liee", "D1")["valeurs"] == []
    ligne = store.changelog("liee").iloc[0]
    assert (ligne["auteur"], ligne["ancienne_valeur"]) == (AUTEUR_DONNEES, "999") and pd.isna(ligne["nouvelle_valeur"])


def test_roadmap_without_territory_or_unknown_one_records_why(con, store: RoadmapStore) -> None:
    store.import_roadmap(feuille(None, "sans"), "Paul")
    store.import_roadmap(feuille("commune:99999", "inconnu"), "Paul")  # well-formed, absent from the base
    L.rafraichir(con, store)
    assert indicateur(store, "sans", "D1")["lecture"]["motif"] == L.MOTIF_SANS_TERRITOIRE
    assert indicateur(store, "inconnu", "D1")["lecture"]["motif"] == L.MOTIF_ABSENT
    assert L.rafraichir(con, store).changements == []


def test_another_vintage_asks_for_a_new_reading_and_keeps_the_history(con, store: RoadmapStore) -> None:
    store.import_roadmap(feuille(NIORT), "Service ESS")
    L.rafraichir(con, store)
    m = L.millesime_base(con)
    autre = L.millesime({"ess": "sirene", "date_stock": "2026-05-31", "annee_effectifs": "2024", "demo": "true"})
    assert autre is not None and autre.demonstration and autre.texte.startswith("effectifs 2024, stock Sirene au 31")
    assert L.a_rafraichir(store.get("liee"), autre) and not L.a_rafraichir(store.get("liee"), m)
    lus = L.lectures(store.get("liee"), {NIORT: {"salaries_estimes": 130.4}}, autre)
    store.enregistrer_lectures("liee", lus)
    valeurs = indicateur(store, "liee", "D1")["valeurs"]
    assert valeurs == [{"date": "2025-11-30", "valeur": 122}, {"date": "2026-05-31", "valeur": 130}]
    assert L.millesime({"ess": "aucune"}) is None and L.millesime({"ess": "demo"}) is None
    assert not L.a_rafraichir(store.get("liee"), None)  # a base without ESS figures asks for nothing


def test_earlier_vintages_give_the_series_of_a_bound_indicator(db_millesimes: Path, store: RoadmapStore) -> None:
    """Issue 19: an indicator bound to a figure with a series gets one dated value per vintage kept in the base,
    each the figure the Évolution page shows for it; its reading stays the current vintage's."""
    store.import_roadmap(feuille(NIORT, donnees=("etablissements", "salaries_pour_1000_hab")), "Service ESS")
    with duckdb.connect(str(db_millesimes), read_only=True) as con:
        rapport = L.rafraichir(con, store)
        serie = evolution.serie(con, NIORT, "etablissements")
        m = L.millesime_base(con)
    assert m is not None and len(serie) == 2
    paires = zip(serie["millesime"], serie["valeur"], strict=True)
    attendu = [{"date": str(d)[:10], "valeur": int(v)} for d, v in paires]
    assert attendu[0]["date"] == "2024-11-30" and attendu[0]["valeur"] != attendu[1]["valeur"]
    assert indicateur(store, "liee", "D1")["valeurs"] == attendu
    assert indicateur(store, "liee", "D1")["lecture"]["date"] == m.date == "2025-11-30"
    assert [v["date"] for v in indicateur(store, "liee", "D2")["valeurs"]] == ["2025-11-30"]  # no series: current only
    assert len(rapport.changements) == 3  # two dated values of D1, one of D2
    with duckdb.connect(str(db_millesimes), read_only=True) as con:
        assert L.rafraichir(con, store).changements == []  # idempotent, history included


def test_a_reading_for_an_indicator_rebound_since_is_skipped(con, store: RoadmapStore) -> None:
    store.import_roadmap(feuille(NIORT), "Service ESS")
    lus = L.lectures(store.get("liee"), {NIORT: {"salaries_estimes": 50}}, L.millesime_base(con))
    doc = copy.deepcopy(store.get("liee"))
    doc["axes"][0]["axes_operationnels"][0]["actions"][0]["indicateurs"][1]["donnee"] = "etablissements"
    store.import_roadmap(doc, "Service ESS")  # re-bound between the reading and the write
    assert store.enregistrer_lectures("liee", lus) == []


def test_a_bound_indicator_cannot_be_typed(store: RoadmapStore) -> None:
    store.import_roadmap(feuille(NIORT), "Service ESS")
    with pytest.raises(DonneesInvalides, match="lié à la donnée « salaries_estimes ».*ne se saisit pas"):
        store.add_indicator_value("liee", "A.1.1", "D1", "2025-06-30", 5, "Paul")
    store.add_indicator_value("liee", "A.1.1", "T1", "2025-06-30", 5, "Paul")  # the typed one still can


def test_frame_carries_the_binding_and_its_reading(con, store: RoadmapStore) -> None:
    store.import_roadmap(feuille(NIORT), "Service ESS")
    L.rafraichir(con, store)
    ind = indicators_frame(store.get("liee")).set_index("indicateur_code")
    assert ind.loc["D1", "donnee"] == "salaries_estimes" and ind.loc["D1", "valeur"] == 122
    assert ind.loc["D1", "millesime"].startswith("effectifs 2023") and not ind.loc["D1", "demonstration"]
    assert pd.isna(ind.loc["T1", "donnee"]) and pd.isna(ind.loc["T1", "millesime"])


def test_example_roadmap_binds_product_figures(con, store: RoadmapStore) -> None:
    store.seed_if_empty()
    L.rafraichir(con, store)
    niort = store.get("niort-2023-2026")
    lies = {i["donnee"]: i for a in niort["axes"] for o in a["axes_operationnels"] for x in o["actions"]
            for i in x["indicateurs"] if i.get("donnee")}  # fmt: skip
    assert {"salaries_estimes", "employeurs_pour_1000_hab", "part_emploi_prive"} <= set(lies)
    assert all(i["valeurs"] and i["lecture"]["date"] == "2025-11-30" for i in lies.values())
    assert (store.changelog("cotentin-2014")["auteur"] == AUTEUR_SYSTEME).all()  # no figure bound there


# ------------------------------------------------------------------ after « esscore build » / « ingest sirene »


def test_after_build_only_the_application_base_feeds_an_existing_store(
    db_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ESS_STORE", str(tmp_path / "edition.sqlite"))
    messages: list[str] = []
    monkeypatch.setenv("ESS_DB", str(db_file))
    assert L.apres_construction(db_file, messages.append) is None  # no store yet: a build creates none
    assert not (tmp_path / "edition.sqlite").exists()
    store = RoadmapStore()
    store.import_roadmap(feuille(NIORT), "Service ESS")
    monkeypatch.setenv("ESS_DB", str(tmp_path / "autre.duckdb"))
    assert L.apres_construction(db_file, messages.append) is None  # a base the application does not read
    monkeypatch.setenv("ESS_DB", str(db_file))
    rapport = L.apres_construction(db_file, messages.append)
    assert rapport is not None and len(rapport.changements) == 1
    assert messages == ["… indicateurs des feuilles de route liés aux données : 1 changement(s)"]
    assert indicateur(store, "liee", "D1")["valeurs"][0]["valeur"] == 122


def test_build_refreshes_the_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """« esscore build » and « esscore ingest sirene » (which goes through build) end with the refresh."""
    from esscore.build import build

    base, magasin = tmp_path / "ess.duckdb", tmp_path / "edition.sqlite"
    monkeypatch.setenv("ESS_DB", str(base))
    monkeypatch.setenv("ESS_STORE", str(magasin))
    RoadmapStore(magasin).import_roadmap(feuille(NIORT), "Service ESS")
    messages: list[str] = []
    sirene = (FIX / "sirene" / "StockEtablissement_utf8.csv", FIX / "sirene" / "StockUniteLegale_utf8.csv")
    build(base, progress=messages.append, sirene=sirene)
    assert "… indicateurs des feuilles de route liés aux données : 1 changement(s)" in messages
    journal = RoadmapStore(magasin).changelog("liee")
    assert journal.iloc[0]["auteur"] == AUTEUR_DONNEES and journal.iloc[0]["nouvelle_valeur"] == "122"
    with duckdb.connect(str(base), read_only=True) as con:  # the statistics base holds no roadmap
        assert not con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name LIKE '%feuille%'").fetchone()[0]
