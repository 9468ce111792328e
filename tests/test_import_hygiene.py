"""The core must stay usable without Streamlit (CLI, build, exports on a server), and the CLI start light."""

import argparse
import subprocess
import sys

from esscore import commands
from esscore.cli import parser


def test_esscore_does_not_import_streamlit() -> None:
    code = (
        "import sys, importlib, pkgutil, esscore\n"
        "mods = [m.name for m in pkgutil.walk_packages(esscore.__path__, 'esscore.') if '.ui' not in m.name]\n"
        "[importlib.import_module(m) for m in mods]\n"
        "assert 'streamlit' not in sys.modules, [m for m in sys.modules if m.startswith('streamlit')][:3]\n"
        "print(len(mods))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stderr
    assert int(out.stdout.strip()) >= 5


def test_cli_parser_imports_nothing_heavy() -> None:
    """« esscore --help » and the parser of every command: no pandas, numpy, duckdb, pyarrow (issue 12)."""
    code = (
        "import sys\n"
        "from esscore.cli import parser\n"
        "parser()\n"
        "print(sorted(m for m in ('pandas', 'numpy', 'duckdb', 'pyarrow') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]", out.stdout


def test_every_cli_handler_exists() -> None:
    """Handlers are bound lazily (``lambda args: _module().cmd_x(args)``): check each name resolves."""

    def feuilles(p: argparse.ArgumentParser):
        subs = [a for a in p._actions if isinstance(a, argparse._SubParsersAction)]
        if not subs:
            yield p
        for a in subs:
            for sp in a.choices.values():
                yield from feuilles(sp)

    vus = 0
    for p in feuilles(parser()):
        func = p._defaults["func"]
        if func.__name__ == "<lambda>":
            chargeur, nom = func.__code__.co_names
            assert callable(getattr(getattr(commands, chargeur)(), nom)), (p.prog, nom)
            vus += 1
    assert vus >= 9
