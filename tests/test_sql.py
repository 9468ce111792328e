"""SQL lives in esscore/sql/: read-path modules hold none, and every file ships with the package."""

from __future__ import annotations

import ast
import re
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SQL_DIR = ROOT / "esscore" / "sql"
# Modules of the read path whose queries were moved to named files (issue 12); a new inline query fails here.
SANS_SQL = ("maps.py", "indicators.py", "carte.py", "carte_donnees.py", "ui/data.py", "ui/cache.py", "ui/carte.py")
MOT_SQL = re.compile(r"\b(SELECT|CREATE|INSERT|UPDATE|DELETE|ATTACH)\s", re.IGNORECASE)


def _chaines(path: Path) -> list[str]:
    """String literals of a module, docstrings excepted (they may name SQL to explain it)."""
    arbre = ast.parse(path.read_text("utf-8"))
    docstrings = {
        id(n.body[0].value)
        for n in ast.walk(arbre)
        if isinstance(n, ast.Module | ast.FunctionDef | ast.ClassDef)
        and n.body
        and isinstance(n.body[0], ast.Expr)
        and isinstance(n.body[0].value, ast.Constant)
    }
    return [
        n.value
        for n in ast.walk(arbre)
        if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in docstrings
    ]


@pytest.mark.parametrize("module", SANS_SQL)
def test_no_sql_string_in_read_path_modules(module: str) -> None:
    # f-strings are JoinedStr of Constants: their pieces are checked too
    trouve = [s for s in _chaines(ROOT / "esscore" / module) if MOT_SQL.search(s) and len(s) > 12]
    assert not trouve, f"SQL inline dans esscore/{module} : {trouve}"


def test_every_sql_file_ships_with_the_package() -> None:
    motifs = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"]["setuptools"]["package-data"]
    livres = {p for motif in motifs["esscore"] for p in (ROOT / "esscore").glob(motif)}  # setuptools' globbing
    fichiers = set(SQL_DIR.rglob("*.sql"))
    assert any(p.parent.name == "construction" for p in fichiers)
    oublies = sorted(p.relative_to(ROOT).as_posix() for p in fichiers - livres)
    assert not oublies, f"absents de [tool.setuptools.package-data] : {oublies}"


def test_build_files_are_run_by_the_build() -> None:
    from esscore.indicators import CONSTRUCTION

    assert sorted(CONSTRUCTION) == sorted(p.stem for p in (SQL_DIR / "construction").glob("*.sql"))
