"""Text normalisation shared by search, de-duplication and the build."""

from __future__ import annotations

import re
import unicodedata

_SEP = re.compile(r"[\s\-'’_/.,;:()]+")


def normalize(text: str | None) -> str:
    """Lowercase, accent-free, punctuation as single spaces: « Saint-Étienne » → « saint etienne »."""
    if not text:
        return ""
    text = str(text).replace("œ", "oe").replace("Œ", "OE").replace("æ", "ae").replace("Æ", "AE")
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return _SEP.sub(" ", text.lower()).strip()
