"""CLI sub-commands contributed by domain modules.

Each module ``esscore.commands.<name>`` defines ``register(sub, import_sub)`` adding its parsers:
``sub`` is the top-level sub-parser set (``esscore <cmd>``), ``import_sub`` the one of ``esscore import <kind>``.
Handlers return an exit code and raise ``EssError`` for user errors (printed in French by ``esscore.cli``).
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil


def register_all(sub: argparse._SubParsersAction, import_sub: argparse._SubParsersAction) -> None:
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        module.register(sub, import_sub)
