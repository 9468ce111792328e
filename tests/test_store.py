"""The editable SQLite store: logged edits, validation before writing, concurrency and backup."""

from __future__ import annotations

import sqlite3
import threading
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from esscore.avancement import actions_frame, indicators_frame
from esscore.errors import DonneesInvalides, EssError
from esscore.roadmap import read_roadmap
from esscore.store import AUTEUR_SYSTEME, RoadmapStore, clean_author

FIX = Path(__file__).parent / "fixtures" / "roadmap"


@pytest.fixture()
def store(tmp_path: Path) -> RoadmapStore:
    s = RoadmapStore(tmp_path / "sous-dossier" / "edition.sqlite")
    s.init()
    s.import_roadmap(read_roadmap(FIX / "valide.yaml"), "Service ESS")
    return s


def _dump(path: Path) -> list[str]:
    with sqlite3.connect(path) as con:
        return list(con.iterdump())


def _bytes(path: Path) -> bytes:
    # every call closes its connection, so SQLite has checkpointed the WAL into the main file by now
    return path.read_bytes()


def test_init_creates_parent_dir_wal_and_tables(tmp_path: Path) -> None:
    s = RoadmapStore(tmp_path / "a" / "b" / "store.sqlite")
    s.init()
    s.init()  # idempotent
    with sqlite3.connect(s.path) as con:
        assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"feuilles_de_route", "changements"} <= tables
    assert s.list_roadmaps().empty
    assert s.changelog().empty


def test_store_path_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ESS_STORE", str(tmp_path / "env.sqlite"))
    assert RoadmapStore().path == tmp_path / "env.sqlite"


def test_seed_if_empty_loads_examples_once(tmp_path: Path) -> None:
    s = RoadmapStore(tmp_path / "s.sqlite")
    assert s.seed_if_empty() == 2
    assert s.seed_if_empty() == 0
    lst = s.list_roadmaps().set_index("id")
    assert list(lst.index) == ["cotentin-2014", "niort-2023-2026"]
    assert lst["exemple"].all()
    assert lst.loc["cotentin-2014", "nb_actions"] == 5
    assert lst.loc["niort-2023-2026", "nb_actions"] == 29
    log = s.changelog()
    assert len(log) == 2 and set(log["auteur"]) == {AUTEUR_SYSTEME}


def test_get_returns_a_copy_and_unknown_id_is_a_clear_error(store: RoadmapStore) -> None:
    doc = store.get("test-valide")
    doc["titre"] = "modifié localement"
    assert store.get("test-valide")["titre"] == "Feuille de route de test"
    with pytest.raises(EssError, match="« inconnue » introuvable.*test-valide"):
        store.get("inconnue")


def test_set_status_is_logged_with_author_and_date(store: RoadmapStore) -> None:
    avant = datetime.now(UTC).replace(microsecond=0)
    assert store.set_status("test-valide", "A.1.2", "réalisée", "  Marie\x00 (service\tESS)\n ") is True
    df = actions_frame(store.get("test-valide"), date(2026, 1, 1)).set_index("action_code")
    assert df.loc["A.1.2", "etat"] == "réalisée"
    log = store.changelog("test-valide")
    dernier = log.iloc[0]
    assert dernier["auteur"] == "Marie (service ESS)"
    assert dernier["action_code"] == "A.1.2"
    assert dernier["champ"] == "statut"
    assert (dernier["ancienne_valeur"], dernier["nouvelle_valeur"]) == ("en cours", "réalisée")
    quand = datetime.fromisoformat(dernier["horodatage"])
    assert quand.tzinfo is not None and quand >= avant
    # same status again: nothing written, nothing logged
    assert store.set_status("test-valide", "A.1.2", "réalisée", "Marie") is False
    assert len(store.changelog("test-valide")) == len(log)


def test_invalid_status_leaves_store_unchanged(store: RoadmapStore) -> None:
    lignes, octets = _dump(store.path), _bytes(store.path)
    with pytest.raises(DonneesInvalides, match="« terminée » inconnu"):
        store.set_status("test-valide", "A.1.2", "terminée", "Marie")
    with pytest.raises(DonneesInvalides, match="action « Z.9 » introuvable"):
        store.set_status("test-valide", "Z.9", "réalisée", "Marie")
    with pytest.raises(DonneesInvalides, match="Auteur"):
        store.set_status("test-valide", "A.1.2", "réalisée", " \x07 ")
    with pytest.raises(EssError, match="introuvable"):
        store.set_status("absente", "A.1.2", "réalisée", "Marie")
    assert _dump(store.path) == lignes
    assert _bytes(store.path) == octets


def test_add_indicator_value_logged_and_replaces_same_date(store: RoadmapStore) -> None:
    store.add_indicator_value("test-valide", "A.1.1", "I2", "2025-03-31", "1 500,5", "Paul")
    store.add_indicator_value("test-valide", "A.1.1", "I2", date(2025, 3, 31), 1600, "Paul")
    store.add_indicator_value("test-valide", "A.1.1", "I2", "2025-01-31", 100, "Paul")
    ind = indicators_frame(store.get("test-valide"))
    i2 = ind[ind["indicateur_code"] == "I2"]
    assert i2["date"].dt.strftime("%Y-%m-%d").tolist() == ["2025-01-31", "2025-03-31"]
    assert i2["valeur"].tolist() == [100.0, 1600.0]
    log = store.changelog("test-valide")
    assert log.iloc[1]["champ"] == "indicateur I2 (2025-03-31)"
    assert (log.iloc[1]["ancienne_valeur"], log.iloc[1]["nouvelle_valeur"]) == ("1500.5", "1600")


def test_invalid_indicator_value_leaves_store_unchanged(store: RoadmapStore) -> None:
    lignes = _dump(store.path)
    for args, motif in (
        (("A.1.1", "I9", "2025-01-01", 1), "indicateur inconnu.*I1, I2"),
        (("A.1.1", "I1", "31/01/2025", 1), "« date »"),
        (("A.1.1", "I1", "2025-01-01", "beaucoup"), "« valeur »"),
        (("A.1.1", "I1", "2025-01-01", float("nan")), "« valeur »"),
        (("A.1.1", "I1", "2025-01-01", True), "« valeur »"),
        (("Z.1", "I1", "2025-01-01", 1), "introuvable"),
    ):
        with pytest.raises(DonneesInvalides, match=motif):
            store.add_indicator_value("test-valide", *args, auteur="Paul")
    assert _dump(store.path) == lignes


def test_import_replaces_atomically_and_invalid_import_changes_nothing(store: RoadmapStore) -> None:
    doc = store.get("test-valide")
    doc["titre"] = "Nouvelle version"
    store.import_roadmap(doc, "Service ESS", fichier="v2.yaml")
    assert store.get("test-valide")["titre"] == "Nouvelle version"
    assert store.changelog("test-valide").iloc[0]["ancienne_valeur"].endswith("(remplacée)")
    lignes = _dump(store.path)
    doc["axes"][0]["axes_operationnels"][0]["actions"][0]["statut"] = "finie"
    with pytest.raises(DonneesInvalides, match="(?s)v3.yaml.*« finie » inconnu"):
        store.import_roadmap(doc, "Service ESS", fichier="v3.yaml")
    assert _dump(store.path) == lignes


def test_concurrent_writes_are_all_recorded(store: RoadmapStore) -> None:
    erreurs: list[BaseException] = []
    depart = threading.Barrier(2)

    def editeur(nom: str, action: str) -> None:
        try:
            depart.wait()
            for i in range(50):
                statut = ("en cours", "réalisée")[i % 2]
                RoadmapStore(store.path).set_status("test-valide", action, statut, nom)
        except BaseException as exc:  # noqa: BLE001 - reported below
            erreurs.append(exc)

    fils = [
        threading.Thread(target=editeur, args=("Alice", "A.1.3")),
        threading.Thread(target=editeur, args=("Bob", "B.1.1")),
    ]
    for f in fils:
        f.start()
    for f in fils:
        f.join()
    assert not erreurs, erreurs
    log = store.changelog("test-valide")
    assert (log["auteur"] == "Alice").sum() == 50
    assert (log["auteur"] == "Bob").sum() == 50
    # no lost update: each thread's last write is in the document
    df = actions_frame(store.get("test-valide"), date(2026, 1, 1)).set_index("action_code")
    assert df.loc["A.1.3", "statut"] == "réalisée" and df.loc["B.1.1", "statut"] == "réalisée"


def test_backup_is_a_complete_standalone_copy(store: RoadmapStore, tmp_path: Path) -> None:
    store.set_status("test-valide", "A.1.3", "en cours", "Marie")
    dest = store.backup(tmp_path / "sauvegardes" / "edition-2026-11-23.sqlite")
    assert dest.is_file()
    assert not [p for p in dest.parent.iterdir() if p.name.endswith(".tmp")]
    with sqlite3.connect(dest) as con:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert con.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    copie = RoadmapStore(dest)
    assert copie.get("test-valide") == store.get("test-valide")
    assert copie.changelog().equals(store.changelog())
    assert copie.list_roadmaps()["id"].tolist() == ["test-valide"]


def test_clean_author() -> None:
    assert clean_author("a" * 300) == "a" * 100
    assert clean_author("Jean\u202e\u200bDupont") == "Jean Dupont"
    with pytest.raises(DonneesInvalides):
        clean_author("")
    with pytest.raises(DonneesInvalides):
        clean_author(None)
