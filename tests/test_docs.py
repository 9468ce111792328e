"""The README documents every CLI command and every source of the registry (datasette's habit)."""

from __future__ import annotations

import tomllib
from pathlib import Path

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
