"""The README documents every CLI command and every source of the registry (datasette's habit)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from esscore.cli import parser

ROOT = Path(__file__).resolve().parent.parent


def _commands() -> list[str]:
    sub = next(a for a in parser()._actions if a.dest == "command")
    names = []
    for name, p in sub.choices.items():
        nested = [a for a in p._actions if getattr(a, "choices", None) and isinstance(a.choices, dict)]
        if nested or name == "import":
            names += [f"{name} {n}" for n in (nested[0].choices if nested else {})]
        else:
            names.append(name)
    return names


def test_readme_documents_every_command() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    missing = [c for c in _commands() if f"esscore {c}" not in readme]
    assert not missing, f"commandes non documentées dans README.md : {missing}"


def test_readme_starts_with_the_two_commands_and_the_test_command() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    assert readme.index("pip install -e .") < readme.index("streamlit run app.py") < readme.index("python -m pytest")
    assert "python -m pytest" in (ROOT / ".ci" / "run").read_text("utf-8")


def test_every_data_file_has_provenance() -> None:
    registry = tomllib.loads((ROOT / "data" / "sources.toml").read_text("utf-8"))
    declared = {f for s in registry["source"] for f in s.get("fichiers", [])}
    for required in ("id", "titre", "producteur", "licence", "millesime", "date_acces"):
        assert all(required in s for s in registry["source"]), required
    shipped = {str(p.relative_to(ROOT)) for p in (ROOT / "data" / "geographie").glob("*.parquet")}
    assert shipped <= declared, shipped - declared


ANGLAIS_ARGPARSE = ("usage:", "show this help", "positional arguments", "error:", "invalid", "required", "choose from",
                    "unrecognized", "expected")  # fmt: skip


def anglais(texte: str) -> list[str]:
    return [mot for mot in ANGLAIS_ARGPARSE if re.search(rf"(?<!\w){re.escape(mot)}(?!\w)", texte)]


def test_cli_help_and_usage_errors_are_in_french(capsys: pytest.CaptureFixture[str]) -> None:
    """argparse speaks English by itself (« usage: », « show this help message and exit », « error: the following
    arguments are required »): every help page and usage error of the CLI is French."""
    from esscore.cli import main

    for commande in [[], *(c.split() for c in _commands())]:
        with pytest.raises(SystemExit) as sortie:
            main([*commande, "--help"])
        aide = capsys.readouterr().out
        assert sortie.value.code == 0 and aide.startswith("utilisation : esscore"), commande
        assert "-h, --help" in aide and "afficher cette aide et quitter" in aide, commande
        assert not anglais(aide), (commande, aide)
    for argv, attendu in (
        (["panorama"], "arguments obligatoires manquants : --territoire"),
        (["panorama", "--territoire", "x", "--format", "bad"], "argument --format : choix invalide : 'bad'"),
        (["import"], "arguments obligatoires manquants : COMMANDE"),
        (["inconnue"], "argument COMMANDE : choix invalide : 'inconnue' (valeurs possibles : 'build'"),
        (["territoire", "x", "--limit", "dix"], "argument --limit : valeur invalide (type int) : 'dix'"),
        (["build", "--en-trop"], "arguments non reconnus : --en-trop"),
    ):
        with pytest.raises(SystemExit) as sortie:
            main(argv)
        erreur = capsys.readouterr().err
        assert sortie.value.code == 2 and erreur.startswith("utilisation : esscore"), argv
        assert attendu in erreur and "esscore" in erreur and " : erreur : " in erreur, erreur
        assert not anglais(erreur), erreur
