"""Long French texts of the pages, kept as Markdown files in ``esscore/ui/textes/``."""

from functools import cache
from importlib import resources


@cache
def read(name: str) -> str:
    return resources.files("esscore.ui").joinpath("textes", f"{name}.md").read_text("utf-8")
