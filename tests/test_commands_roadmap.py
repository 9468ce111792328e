"""``esscore import roadmap`` and ``esscore roadmap list|journal|backup``: validation first, logged writes."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from esscore.cli import main
from esscore.store import AUTEUR_SYSTEME, RoadmapStore

FIX = Path(__file__).resolve().parent / "fixtures" / "roadmap"


@pytest.fixture()
def store_path(tmp_path: Path) -> Path:
    return tmp_path / "magasin" / "edition.sqlite"


def run(*args: str) -> int:
    return main(list(args))


def test_import_valid_yaml_seeds_examples_and_logs_author(store_path: Path, capsys) -> None:
    assert (
        run("import", "roadmap", str(FIX / "valide.yaml"), "--auteur", "Service ESS", "--store", str(store_path)) == 0
    )
    assert "Feuille de route « test-valide » importée : 6 action(s)" in capsys.readouterr().out
    store = RoadmapStore(store_path)
    assert set(store.list_roadmaps()["id"]) == {"test-valide", "niort-2023-2026", "cotentin-2014"}
    log = store.changelog("test-valide")
    assert list(log["auteur"]) == ["Service ESS"] and log.iloc[0]["champ"] == "import"
    assert (store.changelog("niort-2023-2026")["auteur"] == AUTEUR_SYSTEME).all()


def test_reimport_replaces_and_default_author_is_the_command_line(store_path: Path, capsys) -> None:
    run("import", "roadmap", str(FIX / "valide.csv"), "--store", str(store_path))
    assert run("import", "roadmap", str(FIX / "valide.csv"), "--store", str(store_path)) == 0
    assert "« test-csv » remplacée" in capsys.readouterr().out
    log = RoadmapStore(store_path).changelog("test-csv")
    assert len(log) == 2 and log.iloc[0]["ancienne_valeur"].endswith("(remplacée)")
    assert log.iloc[0]["auteur"].startswith("ligne de commande")


@pytest.mark.parametrize(
    ("fichier", "message"),
    [
        ("invalide.yaml", "7 erreur(s)"),
        ("invalide.csv", "Feuille de route invalide « invalide.csv »"),
        ("latin1.csv", "« latin1.csv » n'est pas encodé en UTF-8"),
        ("syntaxe.yaml", "« syntaxe.yaml » n'est pas un YAML valide (ligne 5"),
    ],
)
def test_invalid_files_are_refused_whole(store_path: Path, capsys, fichier: str, message: str) -> None:
    assert run("import", "roadmap", str(FIX / fichier), "--store", str(store_path)) == 2
    err = capsys.readouterr().err
    assert err.startswith("Erreur : ") and message in err and "Traceback" not in err
    assert not store_path.exists()  # nothing written, not even the seeding


def test_malformed_territory_is_refused(store_path: Path, tmp_path: Path, capsys) -> None:
    fichier = tmp_path / "mauvais.yaml"
    texte = (FIX / "valide.yaml").read_text("utf-8").replace("territoire: epci:200041317", "territoire: ville:12")
    fichier.write_text(texte, "utf-8")
    assert run("import", "roadmap", str(fichier), "--store", str(store_path)) == 2
    assert "champ « territoire » : Type de territoire inconnu" in capsys.readouterr().err


def test_list_journal_and_backup(store_path: Path, tmp_path: Path, capsys) -> None:
    run("import", "roadmap", str(FIX / "valide.yaml"), "--auteur", "Service ESS", "--store", str(store_path))
    capsys.readouterr()
    assert run("roadmap", "list", "--store", str(store_path)) == 0
    table = capsys.readouterr().out
    assert "test-valide" in table and "exemple" in table
    assert run("roadmap", "list", "--format", "json", "--store", str(store_path)) == 0
    feuilles = {f["id"]: f for f in json.loads(capsys.readouterr().out)}
    assert feuilles["test-valide"]["nb_actions"] == 6 and feuilles["niort-2023-2026"]["exemple"] is True
    assert run("roadmap", "journal", "test-valide", "--format", "json", "--store", str(store_path)) == 0
    assert json.loads(capsys.readouterr().out)[0]["auteur"] == "Service ESS"
    assert run("roadmap", "journal", "inconnue", "--store", str(store_path)) == 2
    assert "introuvable" in capsys.readouterr().err
    dest = tmp_path / "sauvegardes" / "edition-2026-11-23.sqlite"
    assert run("roadmap", "backup", str(dest), "--store", str(store_path)) == 0
    with sqlite3.connect(dest) as con:
        assert con.execute("SELECT count(*) FROM feuilles_de_route").fetchone()[0] == 3
        assert con.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    assert run("roadmap", "backup", str(dest), "--store", str(tmp_path / "absent.sqlite")) == 2
    assert "Rien à sauvegarder" in capsys.readouterr().err


def test_list_and_journal_tables_neutralise_terminal_escapes(store_path: Path, tmp_path: Path, capsys) -> None:
    """Imports refuse control characters in texts, but a store written by an older version (or by hand) may
    hold ESC or bidi characters: the terminal tables still show them as « � »."""
    import json
    import sqlite3

    assert (
        run("import", "roadmap", str(FIX / "valide.yaml"), "--auteur", "\x1b[2JService", "--store", str(store_path))
        == 0
    )
    with sqlite3.connect(store_path) as con:
        (doc_json,) = con.execute("SELECT doc_json FROM feuilles_de_route WHERE id = 'test-valide'").fetchone()
        doc = json.loads(doc_json) | {"titre": "\x1b[31mRouge\x1b]0;titre\x07 \u202eesrever"}
        con.execute("UPDATE feuilles_de_route SET doc_json = ? WHERE id = 'test-valide'", (json.dumps(doc),))
    capsys.readouterr()
    assert run("roadmap", "list", "--store", str(store_path)) == 0
    assert run("roadmap", "journal", "--store", str(store_path)) == 0
    sortie = capsys.readouterr().out
    assert "test-valide" in sortie and "�[31mRouge" in sortie
    assert not any(c in sortie for c in "\x1b\x07\u202e")
