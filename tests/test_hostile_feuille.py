"""Hostile roadmaps (security audit, issue 17): refused quickly, in French, naming file and field, store untouched.

Every refusal goes through the real command (``esscore.cli.main``): exit code 2, a message starting with
« Erreur : », and the SQLite store (``--store``) byte-identical afterwards. Small hostile files live in
``tests/fixtures/hostile/`` (written by ``fabriquer.py``); the alias bombs are built here.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
import tracemalloc
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

from esscore import copil, roadmap
from esscore.avancement import actions_frame, indicators_frame
from esscore.cli import main
from esscore.copil import diapos
from esscore.copil.formats import atteinte, mesure
from esscore.store import RoadmapStore

HERE = Path(__file__).resolve().parent
HOSTILE = HERE / "fixtures" / "hostile"
VALIDE = HERE / "fixtures" / "roadmap" / "valide.yaml"
FAMILLE = "👩\u200d👩\u200d👧\u200d👦"  # one grapheme, seven code points (four emoji joined by ZWJ)


@pytest.fixture()
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A seeded store, and no statistics database unless a test passes ``--db``."""
    monkeypatch.setenv("ESS_DB", str(tmp_path / "pas-de-base.duckdb"))
    chemin = tmp_path / "magasin" / "edition.sqlite"
    assert main(["roadmap", "list", "--store", str(chemin)]) == 0
    return chemin


def _octets(store: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(store.parent.iterdir())}


def refuse(store: Path, capsys: pytest.CaptureFixture[str], fichier: Path, *options: str) -> str:
    """Run the import, check exit code 2 and an unchanged store; return stderr."""
    avant = _octets(store)
    capsys.readouterr()
    assert main(["import", "roadmap", str(fichier), "--store", str(store), *options]) == 2
    err = capsys.readouterr().err
    assert err.startswith("Erreur : ") and "Traceback" not in err
    assert _octets(store) == avant, "le magasin a été modifié par un import refusé"
    return err


def _bombe(niveaux: int) -> str:
    """Like fabriquer._alias_bomb: ``niveaux`` levels of nine references (9**niveaux strings expanded)."""
    lignes = ['  - &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    noms = "abcdefghijklmnop"
    for i in range(1, niveaux):
        lignes.append(f"  - &{noms[i]} [" + ", ".join([f"*{noms[i - 1]}"] * 9) + "]")
    return "id: bombe\ntitre: Bombe\nnote:\n" + "\n".join(lignes) + f"\naxes: *{noms[niveaux - 1]}\n"


# ------------------------------------------------------------------ F1: alias bomb


@pytest.mark.parametrize("niveaux", [6, 9])
def test_alias_bomb_is_refused_before_expansion(
    niveaux: int, store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fichier = tmp_path / f"bombe{niveaux}.yaml"
    fichier.write_text(_bombe(niveaux), "utf-8")
    assert fichier.stat().st_size <= 520  # the audit's 511-byte file
    tracemalloc.start()
    try:
        err = refuse(store, capsys, fichier)
        _, pic = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert pic < 100 * 1024 * 1024, f"{pic / 1e6:.0f} Mo alloués pour refuser la bombe"
    assert f"bombe{niveaux}.yaml" in err and "alias" in err
    assert len(err) < 500, err


def test_alias_bomb_refused_from_the_cli_without_loading_pandas(tmp_path: Path) -> None:
    """Issue 17 acceptance: the refusal costs a cold start of the CLI, not pandas, numpy and duckdb (~110 MB).

    A fresh interpreter, as an administrator's shell: modules already imported by this test process would hide
    a heavy import. Asserts on modules, not on seconds or megabytes (measured figures: ``esscore.commands``).
    """
    fichier = tmp_path / "bombe.yaml"
    fichier.write_text(_bombe(9), "utf-8")
    assert fichier.stat().st_size <= 520  # the audit's 511-byte file
    magasin = tmp_path / "magasin" / "edition.sqlite"
    code = (
        "import sys; from esscore.cli import main; "
        "rc = main(['import', 'roadmap', sys.argv[1], '--store', sys.argv[2]]); "
        "print(sorted(m for m in ('pandas', 'numpy', 'duckdb') if m in sys.modules)); sys.exit(rc)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(fichier), str(magasin)], capture_output=True, text=True, check=False
    )
    assert out.returncode == 2, out.stderr
    assert out.stderr.startswith("Erreur : ") and "bombe.yaml" in out.stderr and "alias" in out.stderr
    assert "Traceback" not in out.stderr
    assert out.stdout.strip() == "[]", f"modules lourds importés pour refuser la bombe : {out.stdout.strip()}"
    assert not magasin.parent.exists()  # refused before the store is even opened


def test_alias_bomb_fixture_and_page_reader(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(roadmap.DonneesInvalides) as exc:
        roadmap.read_roadmap(HOSTILE / "feuille_alias_bombe.yaml")
    assert "feuille_alias_bombe.yaml" in str(exc.value) and "alias" in str(exc.value)
    assert len(str(exc.value)) < 500


# ------------------------------------------------------------------ one fixture per hostile case


@pytest.mark.parametrize(
    ("fichier", "attendus"),
    [
        ("feuille_alias_bombe.yaml", ("alias",)),
        ("feuille_nombre_1e308.yaml", ("action A.1.1", "« budget_eur »", "hors limites", "1 000 milliards")),
        ("feuille_infini.yaml", ("indicateur I1", "« cible »", "nombre fini")),
        ("feuille_cles_dupliquees.yaml", ("« statut »", "deux fois", "ligne 28")),
        ("feuille_colonnes_dupliquees.csv", ("« statut »", "en double")),
        ("feuille_url_javascript.yaml", ("source", "« url »", "https://")),
        ("feuille_echappements.yaml", ("action A.1.1", "« statut »", "U+001B")),
    ],
)
def test_hostile_roadmap_is_refused_by_the_cli(
    fichier: str, attendus: tuple[str, ...], store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    err = refuse(store, capsys, HOSTILE / fichier)
    assert fichier in err
    for attendu in attendus:
        assert attendu in err, f"« {attendu} » absent de : {err}"
    assert len(err) < 2000


def test_terminal_escapes_from_the_file_never_reach_stderr(
    store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """F12: ESC[31m and U+202E (right-to-left override) in a refused value are shown as « � »."""
    err = refuse(store, capsys, HOSTILE / "feuille_echappements.yaml")
    assert "\x1b" not in err and "\u202e" not in err
    piege = tmp_path / "date.yaml"  # a date is quoted back in the message, not refused as text
    piege.write_text(VALIDE.read_text("utf-8").replace("debut: 2024-01-01", 'debut: "\\e[31m2024\\e[0m"', 1))
    err = refuse(store, capsys, piege)
    assert "\x1b" not in err and "�[31m2024�[0m" in err


def test_raw_escape_in_a_csv_cell_never_reaches_stderr(
    store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    texte = (HERE / "fixtures" / "roadmap" / "valide.csv").read_text("utf-8")
    fichier = tmp_path / "couleurs.csv"
    fichier.write_text(texte.replace(",en cours,", ",\x1b[2J\x1b]0;pwned\x07\u2066en cours,", 1), "utf-8")
    err = refuse(store, capsys, fichier)
    assert "couleurs.csv" in err and "« statut »" in err
    assert not any(c in err for c in "\x1b\x07\u2066")


# ------------------------------------------------------------------ F13: territory and links


def test_nonexistent_territory_is_refused_with_the_database(
    store: Path, tmp_path: Path, db_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fichier = tmp_path / "fantome.yaml"
    fichier.write_text(VALIDE.read_text("utf-8").replace("epci:200041317", "epci:000000000"), "utf-8")
    err = refuse(store, capsys, fichier, "--db", str(db_file))
    assert "fantome.yaml" in err and "« territoire »" in err and "epci:000000000" in err
    # the real territory passes, and without a database only the form is checked (with a note)
    assert main(["import", "roadmap", str(VALIDE), "--store", str(store), "--db", str(db_file)]) == 0
    capsys.readouterr()
    assert main(["import", "roadmap", str(fichier), "--store", str(store)]) == 0
    assert "existence du territoire non vérifiée" in capsys.readouterr().err


def test_page_import_path_checks_the_territory(db_file: Path) -> None:
    """``verifier_territoire`` with the lookup the page passes (``data.territoire`` wraps ``geography.get``)."""
    from esscore import geography
    from esscore.db import connect

    doc = roadmap.read_roadmap(VALIDE)
    con = connect(db_file)
    try:
        roadmap.verifier_territoire(doc, "valide.yaml", lambda t: geography.get(con, t))
        with pytest.raises(roadmap.FeuilleDeRouteInvalide, match="(?s)fantome.yaml.*territoire.*epci:000000000"):
            roadmap.verifier_territoire(
                {**doc, "territoire": "epci:000000000"}, "fantome.yaml", lambda t: geography.get(con, t)
            )
    finally:
        con.close()


# ------------------------------------------------------------------ F9: numbers and the COPIL deck


def test_copil_indicator_slide_survives_absurd_stored_values() -> None:
    """A document stored before the bound (or edited elsewhere) may hold 1e308 or infinity: no InvalidOperation."""
    doc = roadmap.read_roadmap(VALIDE)
    ind = doc["axes"][0]["axes_operationnels"][0]["actions"][0]["indicateurs"][0]
    ind["cible"], ind["valeurs"][-1]["valeur"] = 1e308, math.inf
    ind2 = doc["axes"][0]["axes_operationnels"][0]["actions"][0]["indicateurs"][1]
    ind2["valeur_initiale"], ind2["cible"], ind2["valeurs"] = 0, 1e-9, [{"date": "2025-01-01", "valeur": 1e12}]
    deck = copil.Deck(False, "pied de page")
    diapos._diapo_indicateurs(deck, SimpleNamespace(feuille=doc, indicateurs_suivi=indicators_frame(doc)))
    texte = copil.resume_texte(deck.terminer())
    assert "hors échelle" in texte and "> 10 000 %" in texte


@pytest.mark.parametrize(
    ("val", "init", "cible", "attendu"),
    [
        (5, 0, 10, "50 %"),
        (5, 10, 10, "–"),  # target equal to the start: no rate
        (1e308, -1e308, 1e308, "–"),  # overflow to infinity
        (math.inf, 0, 1, "–"),
        (1e12, 0, 1e-9, "> 10 000 %"),
        (None, 0, 10, "–"),
    ],
)
def test_copil_attainment_never_raises(val, init, cible, attendu: str) -> None:
    assert atteinte(val, init, cible).replace("\u202f", " ").replace("\xa0", " ") == attendu


def test_copil_measure_formatting_bounds() -> None:
    assert mesure(None) == "–" and mesure(math.nan) == "–"
    assert mesure(1e308) == mesure(-math.inf) == "hors échelle"
    assert mesure(1e12).replace("\u202f", " ") == "1 000 000 000 000"
    assert mesure(12.5) == "12,5"


# ------------------------------------------------------------------ journal JSON, emoji


def test_journal_json_is_strict_and_nan_is_null(
    store: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    vrai = RoadmapStore.changelog

    def avec_nan(self: RoadmapStore, feuille_id: str | None = None) -> pd.DataFrame:
        frame = vrai(self, feuille_id).astype(object)
        frame.loc[frame.index[0], "ancienne_valeur"] = float("nan")
        frame.loc[frame.index[0], "action_code"] = pd.NaT
        return frame

    monkeypatch.setattr(RoadmapStore, "changelog", avec_nan)
    capsys.readouterr()
    assert main(["roadmap", "journal", "--format", "json", "--store", str(store)]) == 0
    sortie = capsys.readouterr().out

    def refuser(constante: str) -> None:
        raise AssertionError(f"JSON invalide : {constante}")

    lignes = json.loads(sortie, parse_constant=refuser)
    assert lignes[0]["ancienne_valeur"] is None and lignes[0]["action_code"] is None


def test_zwj_emoji_titles_survive_import_store_and_display(
    store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    titre = "x" * 57 + FAMILLE + " familles"  # the list view cuts at 60 characters: inside the emoji
    action = f"Accueillir les familles {FAMILLE} 🏳️‍🌈"
    texte = (
        VALIDE.read_text("utf-8")
        .replace("titre: Feuille de route de test", f'titre: "{titre}"', 1)
        .replace("titre: Action réalisée", f'titre: "{action}"', 1)
    )
    fichier = tmp_path / f"familles {FAMILLE}.yaml"
    fichier.write_text(texte, "utf-8")
    assert main(["import", "roadmap", str(fichier), "--store", str(store)]) == 0
    doc = RoadmapStore(store).get("test-valide")
    assert doc["titre"] == titre
    assert roadmap.find_action(doc, "A.1.1")["titre"] == action
    assert actions_frame(doc, pd.Timestamp("2026-01-01").date()).iloc[0]["action_titre"] == action
    capsys.readouterr()
    assert main(["roadmap", "list", "--store", str(store)]) == 0
    ligne = next(li for li in capsys.readouterr().out.splitlines() if "test-valide" in li)
    assert "x" * 57 + "…" in ligne and "\u200d" not in ligne and "👩" not in ligne  # cut before, never inside
    court = tmp_path / "court.yaml"
    court.write_text(texte.replace(f'titre: "{titre}"', f'titre: "Familles {FAMILLE}"', 1), "utf-8")
    assert main(["import", "roadmap", str(court), "--store", str(store)]) == 0
    capsys.readouterr()
    assert main(["roadmap", "list", "--store", str(store)]) == 0
    assert f"Familles {FAMILLE}" in capsys.readouterr().out


@pytest.mark.parametrize("caractere", ["\x00", "\x1b", "\u202e", "\u2028", "\x7f"])
def test_control_characters_in_free_text_are_refused_with_the_field(caractere: str) -> None:
    """Kept, they would reorder or hide text on pages, terminals and slides (a NUL breaks python-pptx)."""
    doc = roadmap.load_roadmap_file(VALIDE)
    doc["titre"] = f"Feuille{caractere}piégée"
    with pytest.raises(
        roadmap.FeuilleDeRouteInvalide, match=rf"« titre » contient un caractère invisible.*U\+{ord(caractere):04X}"
    ):
        roadmap.validate_roadmap(doc, "piege.yaml")
    doc["titre"] = "Titre sur\ndeux lignes\tet tabulé 👩‍👩‍👧‍👦"
    assert roadmap.validate_roadmap(doc, "ok.yaml")["titre"].startswith("Titre sur")
