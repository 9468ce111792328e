"""The editable store on both engines (SQLite file, PostgreSQL database: fixture ``store_url``): logged edits,
validation before writing, versions and conflicts, concurrency, schema migrations and backup."""

from __future__ import annotations

import json
import multiprocessing
import sqlite3
import sys
import threading
import types
from contextlib import closing
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from esscore import config
from esscore.avancement import actions_frame, indicators_frame
from esscore.cli import main
from esscore.errors import ConflitEdition, DonneesInvalides, EssError
from esscore.moteurs import moteur
from esscore.roadmap import find_action, read_roadmap
from esscore.store import AUTEUR_SYSTEME, MIGRATIONS, SCHEMA_VERSION, RoadmapStore, clean_author

FIX = Path(__file__).parent / "fixtures" / "roadmap"


@pytest.fixture()
def store(store_url: str) -> RoadmapStore:
    s = RoadmapStore(store_url)
    s.init()
    s.import_roadmap(read_roadmap(FIX / "valide.yaml"), "Service ESS")
    return s


def _dump(store: RoadmapStore) -> list[tuple[str, list[tuple]]]:
    """Every row of every table, through the store's own engine."""
    with store._connexion() as con:
        tables = sorted(store.moteur.tables(con))
        return [(t, sorted(tuple(r) for r in con.execute(f"SELECT * FROM {t}").fetchall())) for t in tables]


def _bytes(store: RoadmapStore) -> bytes:
    # every call closes its connection, so SQLite has checkpointed the WAL into the main file by now
    return store.path.read_bytes() if store.path else b"(PostgreSQL : pas de fichier)"


def test_init_creates_parent_dir_wal_and_tables(tmp_path: Path) -> None:
    s = RoadmapStore(tmp_path / "a" / "b" / "store.sqlite")
    s.init()
    s.init()  # idempotent
    with sqlite3.connect(s.path) as con:
        assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"feuilles_de_route", "changements", "schema_version"} <= tables
    assert s.list_roadmaps().empty
    assert s.changelog().empty


def test_store_path_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ESS_STORE", str(tmp_path / "env.sqlite"))
    assert RoadmapStore().path == tmp_path / "env.sqlite"


def test_seed_if_empty_loads_examples_once(store_url: str) -> None:
    s = RoadmapStore(store_url)
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
    lignes, octets = _dump(store), _bytes(store)
    with pytest.raises(DonneesInvalides, match="« terminée » inconnu"):
        store.set_status("test-valide", "A.1.2", "terminée", "Marie")
    with pytest.raises(DonneesInvalides, match="action « Z.9 » introuvable"):
        store.set_status("test-valide", "Z.9", "réalisée", "Marie")
    with pytest.raises(DonneesInvalides, match="Auteur"):
        store.set_status("test-valide", "A.1.2", "réalisée", " \x07 ")
    with pytest.raises(EssError, match="introuvable"):
        store.set_status("absente", "A.1.2", "réalisée", "Marie")
    assert _dump(store) == lignes
    assert _bytes(store) == octets


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
    lignes = _dump(store)
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
    assert _dump(store) == lignes


def test_import_replaces_atomically_and_invalid_import_changes_nothing(store: RoadmapStore) -> None:
    doc = store.get("test-valide")
    doc["titre"] = "Nouvelle version"
    store.import_roadmap(doc, "Service ESS", fichier="v2.yaml")
    assert store.get("test-valide")["titre"] == "Nouvelle version"
    assert store.changelog("test-valide").iloc[0]["ancienne_valeur"].endswith("(remplacée)")
    lignes = _dump(store)
    doc["axes"][0]["axes_operationnels"][0]["actions"][0]["statut"] = "finie"
    with pytest.raises(DonneesInvalides, match="(?s)v3.yaml.*« finie » inconnu"):
        store.import_roadmap(doc, "Service ESS", fichier="v3.yaml")
    assert _dump(store) == lignes


def test_concurrent_writes_are_all_recorded(store: RoadmapStore, store_url: str) -> None:
    erreurs: list[BaseException] = []
    depart = threading.Barrier(2)

    def editeur(nom: str, action: str) -> None:
        try:
            depart.wait()
            for i in range(50):
                statut = ("en cours", "réalisée")[i % 2]
                RoadmapStore(store_url).set_status("test-valide", action, statut, nom)
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


# ------------------------------------------------------------------ schema: versioned, migrated on start


def test_schema_version_recorded(store: RoadmapStore) -> None:
    with store._connexion() as con:
        assert con.execute("SELECT version FROM schema_version").fetchall() == [(SCHEMA_VERSION,)]
    assert store.list_roadmaps().loc[0, "version"] == 1
    assert store.list_roadmaps().loc[0, "fichier"] is None  # imported from a dict, not a file


def test_store_of_the_first_release_opens_and_migrates(store_url: str) -> None:
    """A store created by the first release (SQLite files in service: no schema_version table, no versions) is
    migrated on start, its roadmaps and change log kept, and then edited with version checks."""
    ancien = moteur(config.store_location(store_url))
    ancien.creer()
    doc = read_roadmap(FIX / "valide.yaml")
    with closing(ancien.ouvrir()) as con:
        for instruction in MIGRATIONS[0]:
            con.execute(instruction.format(id_auto=ancien.id_auto))
        con.execute("INSERT INTO feuilles_de_route VALUES (?, ?, ?)", ("test-valide", json.dumps(doc), "2025-01-01"))
        con.execute(
            "INSERT INTO changements (horodatage, auteur, feuille_id, action_code, champ, ancienne_valeur, "
            "nouvelle_valeur) VALUES ('2025-01-01T10:00:00+00:00', 'Ancien', 'test-valide', NULL, 'import', NULL, "
            "'6 action(s)')"
        )
    store = RoadmapStore(store_url)
    vu, version = store.get_versioned("test-valide")
    assert vu == doc and version == 1
    assert list(store.changelog()["auteur"]) == ["Ancien"]
    assert store.set_status("test-valide", "A.1.2", "réalisée", "Marie", version_vue=1) is True
    with pytest.raises(ConflitEdition, match="Marie a modifié l'action A.1.2"):
        store.set_status("test-valide", "A.1.2", "abandonnée", "Paul", version_vue=1)
    with store._connexion() as con:
        assert con.execute("SELECT version FROM schema_version").fetchone()[0] == SCHEMA_VERSION


def test_newer_schema_is_refused_in_french(store: RoadmapStore, store_url: str) -> None:
    with store._connexion() as con:
        con.execute("UPDATE schema_version SET version = 99")
    with pytest.raises(EssError, match="schéma n° 99, plus récent.*mettez l'application à jour"):
        RoadmapStore(store_url).list_roadmaps()


# ------------------------------------------------------------------ ESS_STORE: SQLite, PostgreSQL, nothing else


@pytest.mark.parametrize("url", ["mysql://x", "http://utilisateur:secret@exemple.fr/", "sqlite://", "MySQL://x/y"])
def test_other_url_schemes_are_refused_and_create_nothing(
    url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ESS_STORE", url)
    with pytest.raises(EssError, match=r"(?s)ESS_STORE.*n'est pas reconnu.*postgresql://.*Rien n'a été créé") as err:
        RoadmapStore()
    assert "secret" not in str(err.value)
    assert main(["roadmap", "list"]) == 2
    sortie = capsys.readouterr().err
    assert sortie.startswith("Erreur : Magasin d'édition (ESS_STORE)") and "chemin de fichier SQLite" in sortie
    assert main(["import", "roadmap", str(FIX / "valide.yaml"), "--store", url]) == 2
    assert "(--store)" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_store_locations(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ESS_STORE", f"sqlite:///{tmp_path}/a.sqlite")
    assert RoadmapStore().path == tmp_path / "a.sqlite"
    monkeypatch.setenv("ESS_STORE", "postgres://ess:motdepasse@db.exemple.fr:5432/ess")
    store = RoadmapStore()
    assert store.path is None and store.moteur.nom == "PostgreSQL"
    assert store.emplacement == "postgres://ess:***@db.exemple.fr:5432/ess"
    with pytest.raises(EssError, match="serveur PostgreSQL.*pas un fichier"):
        config.store_path()


def test_unreachable_postgresql_is_a_french_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.postgres import port_libre

    store = RoadmapStore(f"postgresql://ess:secret@127.0.0.1:{port_libre()}/ess")
    with pytest.raises(EssError, match=r"PostgreSQL postgresql://ess:\*\*\*@127.0.0.1:\d+/ess injoignable") as err:
        store.list_roadmaps()
    assert "secret" not in str(err.value)


# ------------------------------------------------------------------ versions and conflicts (no silent lost update)


def _statut(store: RoadmapStore, code: str) -> str:
    return str((find_action(store.get("test-valide"), code) or {})["statut"])


def test_second_editor_of_the_same_status_gets_a_conflict_then_reapplies(store: RoadmapStore) -> None:
    _, vue = store.get_versioned("test-valide")  # Alice and Bob both open the page
    assert store.set_status("test-valide", "A.1.2", "réalisée", "Alice", version_vue=vue) is True
    with pytest.raises(ConflitEdition) as err:
        store.set_status("test-valide", "A.1.2", "abandonnée", "Bob", version_vue=vue)
    conflit = err.value
    assert isinstance(conflit, EssError) and conflit.version == vue + 1
    [autre] = conflit.changements
    assert (autre["auteur"], autre["action_code"], autre["champ"]) == ("Alice", "A.1.2", "statut")
    assert (autre["ancienne_valeur"], autre["nouvelle_valeur"]) == ("en cours", "réalisée")
    message = str(conflit)
    assert "Alice a modifié l'action A.1.2 (statut) le " in message and "« en cours » → « réalisée »" in message
    assert "statut « abandonnée »" in message and "réappliquez-la" in message
    assert _statut(store, "A.1.2") == "réalisée"  # Bob's change was not written
    # Bob saw Alice's change in the message: he reapplies on top of it
    assert store.set_status("test-valide", "A.1.2", "abandonnée", "Bob", version_vue=conflit.version) is True
    assert _statut(store, "A.1.2") == "abandonnée"
    assert list(store.changelog("test-valide")["auteur"][:2]) == ["Bob", "Alice"]


def test_edits_of_other_actions_or_dates_do_not_conflict(store: RoadmapStore) -> None:
    _, vue = store.get_versioned("test-valide")
    store.set_status("test-valide", "A.1.2", "réalisée", "Alice", version_vue=vue)
    store.add_indicator_value("test-valide", "A.1.1", "I1", "2025-01-31", 10, "Alice", version_vue=vue)
    assert store.set_status("test-valide", "A.1.3", "réalisée", "Bob", version_vue=vue) is True  # other action
    store.add_indicator_value("test-valide", "A.1.1", "I1", "2025-02-28", 12, "Bob", version_vue=vue)  # other date
    # same status as the one asked for: nothing lost, nothing to refuse
    assert store.set_status("test-valide", "A.1.2", "réalisée", "Bob", version_vue=vue) is False
    with pytest.raises(ConflitEdition, match=r"Alice a modifié l'action A.1.1 \(indicateur I1 \(2025-01-31\)\)"):
        store.add_indicator_value("test-valide", "A.1.1", "I1", "2025-01-31", 11, "Bob", version_vue=vue)
    valeurs = find_action(store.get("test-valide"), "A.1.1")["indicateurs"][0]["valeurs"]
    assert {"date": "2025-01-31", "valeur": 10} in valeurs and {"date": "2025-02-28", "valeur": 12} in valeurs
    assert _statut(store, "A.1.2") == "réalisée" and _statut(store, "A.1.3") == "réalisée"


def test_reimport_conflicts_with_any_edit_seen_before(store: RoadmapStore) -> None:
    doc, vue = store.get_versioned("test-valide")
    store.import_roadmap(doc, "Service ESS", fichier="v2.yaml")
    assert store.list_roadmaps().set_index("id").loc["test-valide", "fichier"] == "v2.yaml"
    with pytest.raises(ConflitEdition, match="Service ESS a réimporté toute la feuille"):
        store.set_status("test-valide", "B.1.1", "réalisée", "Bob", version_vue=vue)


# two processes sharing one store (two Streamlit servers, or a server and a command): module-level functions, so
# that a « spawn » child (a fresh interpreter, as a second server is) can import them


def _editeur(url: str, nom: str, statut: str, lu: Any, ecrit: Any, attendre: bool, sortie: Any) -> None:
    store = RoadmapStore(url)
    _, vue = store.get_versioned("test-valide")
    lu.wait()  # both editors have read the same version
    if attendre:
        ecrit.wait()
    try:
        store.set_status("test-valide", "A.1.2", statut, nom, version_vue=vue)
        sortie.put((nom, "enregistré", None))
    except ConflitEdition as err:
        sortie.put((nom, "conflit", [c["auteur"] for c in err.changements]))
    finally:
        ecrit.set()


def test_two_processes_editing_the_same_action(
    store: RoadmapStore, store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a page run by AppTest earlier in this worker leaves its script as ``__main__``: a « spawn » child would run it
    monkeypatch.setitem(sys.modules, "__main__", types.ModuleType("__main__"))
    ctx = multiprocessing.get_context("spawn")
    lu, ecrit, sortie = ctx.Barrier(2), ctx.Event(), ctx.Queue()
    procs = [
        ctx.Process(target=_editeur, args=(store_url, "Alice", "réalisée", lu, ecrit, False, sortie)),
        ctx.Process(target=_editeur, args=(store_url, "Bob", "abandonnée", lu, ecrit, True, sortie)),
    ]
    for p in procs:
        p.start()
    resultats = {nom: (etat, autres) for nom, etat, autres in (sortie.get(timeout=120) for _ in procs)}
    for p in procs:
        p.join(timeout=60)
        assert p.exitcode == 0
    assert resultats == {"Alice": ("enregistré", None), "Bob": ("conflit", ["Alice"])}
    assert _statut(store, "A.1.2") == "réalisée"


# ------------------------------------------------------------------ command line, backup and copy on both engines


def test_cli_imports_lists_and_backs_up(store_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["import", "roadmap", str(FIX / "valide.yaml"), "--auteur", "Service ESS", "--store", store_url]) == 0
    sortie = capsys.readouterr().out
    assert "« test-valide » importée : 6 action(s), magasin " in sortie
    assert main(["roadmap", "list", "--format", "json", "--store", store_url]) == 0
    feuilles = {f["id"]: f for f in json.loads(capsys.readouterr().out)}
    assert feuilles["test-valide"]["fichier"] == "valide.yaml" and feuilles["test-valide"]["version"] == 1
    dest = tmp_path / "sauvegardes" / "edition.sqlite"
    assert main(["roadmap", "backup", str(dest), "--store", store_url]) == 0
    assert "Sauvegarde du magasin" in capsys.readouterr().out
    copie, source = RoadmapStore(dest), RoadmapStore(store_url)
    assert copie.list_roadmaps().equals(source.list_roadmaps())
    assert copie.changelog().equals(source.changelog())


def test_copy_moves_a_sqlite_store_with_its_history(store_url: str, tmp_path: Path) -> None:
    """Moving an installation's SQLite store onto PostgreSQL (or restoring a backup): versions, dates and the
    change log's numbers kept; the log goes on numbering after them."""
    source = RoadmapStore(tmp_path / "source.sqlite")
    source.import_roadmap(read_roadmap(FIX / "valide.yaml"), "Service ESS", fichier="valide.yaml")
    source.set_status("test-valide", "A.1.2", "réalisée", "Marie")
    cible = RoadmapStore(store_url)
    assert cible.copier_depuis(source) == 1
    assert cible.get_versioned("test-valide") == source.get_versioned("test-valide")
    assert cible.list_roadmaps().equals(source.list_roadmaps())
    assert cible.changelog().equals(source.changelog())
    with pytest.raises(EssError, match="déjà rempli"):
        cible.copier_depuis(source)
    cible.set_status("test-valide", "A.1.3", "réalisée", "Paul")
    assert list(cible.changelog()["id"]) == [3, 2, 1]


# ------------------------------------------------------------------ a territory's roadmap, readings of the base


def test_creating_a_roadmap_never_replaces_one(store: RoadmapStore) -> None:
    from esscore.roadmap import feuille_depuis_modele
    from esscore.store import modele_path

    doc = feuille_depuis_modele(read_roadmap(modele_path()), "departement:2A", "Corse-du-Sud")
    store.creer_feuille(doc, "Service ESS")
    assert store.get("ess-departement-2a")["territoire"] == "departement:2A"
    assert store.changelog("ess-departement-2a").iloc[0][["auteur", "champ"]].tolist() == ["Service ESS", "import"]
    lignes = _dump(store)
    for existante in (doc, store.get("test-valide")):
        with pytest.raises(EssError, match="déjà enregistrée : elle n'est pas remplacée"):
            store.creer_feuille(existante, "Quelqu'un d'autre")
    assert _dump(store) == lignes  # nothing written


def test_readings_of_the_base_are_logged_by_donnees(store: RoadmapStore) -> None:
    from esscore.store import AUTEUR_DONNEES

    doc = store.get("test-valide")
    find_action(doc, "A.1.1")["indicateurs"][1]["donnee"] = "salaries_estimes"
    store.import_roadmap(doc, "Service ESS")
    lecture = {"millesime": "effectifs 2023, stock Sirene au 30 novembre 2025", "date": "2025-11-30",
               "demonstration": False, "motif": None}  # fmt: skip
    lu = {"action": "A.1.1", "indicateur": "I2", "donnee": "salaries_estimes", "valeur": 122, "lecture": lecture}
    assert store.enregistrer_lectures("test-valide", [lu]) == ["A.1.1 · indicateur I2 (2025-11-30) : None → 122"]
    dernier = store.changelog("test-valide").iloc[0]
    assert (dernier["auteur"], dernier["nouvelle_valeur"]) == (AUTEUR_DONNEES, "122")
    lignes = _dump(store)
    assert store.enregistrer_lectures("test-valide", [lu]) == [] and _dump(store) == lignes
