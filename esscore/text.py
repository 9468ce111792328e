"""Text normalisation shared by search, de-duplication and the build."""

from __future__ import annotations

import re
import unicodedata

# Bidi overrides and isolates can reorder what a terminal or a page shows (« Trojan Source »).
_BIDI = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")


def sans_controles(texte: str, garder: str = "", remplacement: str = "") -> str:
    """``texte`` without control characters (C0, DEL, C1, line/paragraph separators) nor bidi controls.

    Keeps the characters listed in ``garder`` (e.g. ``"\\n\\t"``) and every joiner used by emoji.
    """
    sortie = []
    for ch in texte:
        if ch in garder:
            sortie.append(ch)
        elif ch in _BIDI or ch in "\u2028\u2029" or unicodedata.category(ch) == "Cc":
            sortie.append(remplacement)
        else:
            sortie.append(ch)
    return "".join(sortie)


_SEP = re.compile(r"[\s\-'’_/.,;:()]+")


def normalize(text: str | None) -> str:
    """Lowercase, accent-free, punctuation as single spaces: « Saint-Étienne » → « saint etienne »."""
    if not text:
        return ""
    text = str(text).replace("œ", "oe").replace("Œ", "OE").replace("æ", "ae").replace("Æ", "AE")
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return _SEP.sub(" ", text.lower()).strip()


# ASCII punctuation: CommonMark lets every one of these be backslash-escaped, which makes it literal.
_MD_PONCTUATION = re.compile(r"([!-/:-@\[-`{-~])")
_ESPACES_DEBUT = re.compile(r"^[ \t]+", re.MULTILINE)
# GFM (remark-gfm, Streamlit's renderer) turns bare URLs and e-mail addresses into links by searching the
# *text*, after backslash escapes are resolved: « https\:\/\/x\.fr » still became a link (seen in Chromium).
# A word joiner (U+2060: invisible, no line break) inside « :// », after « www » and after « @ » leaves
# nothing for that search to find.
_AUTOLIEN = re.compile(r"(?<=:)(?=//)|(?<=www)(?=\.)|(?<=@)", re.IGNORECASE)
_JOINT = "\u2060"


def texte_litteral(texte: object) -> str:
    """User text made literal for Streamlit Markdown: shown exactly as typed, never interpreted.

    The one escaper for every user-supplied text (names, descriptions, file names, error messages quoting
    a value) that reaches ``st.markdown``, ``st.error``, captions, labels or Markdown exports. Every ASCII
    punctuation character is backslash-escaped (no heading « === », bullet « - », link, image, table,
    emphasis, strikethrough, LaTeX « $ » or Streamlit « :couleur[…] » directive can form), a word joiner
    (U+2060, invisible) splits « :// », « www. » and « @ » so that no bare URL or e-mail becomes a link,
    leading spaces are dropped (no indented code block), line breaks become hard breaks and control or
    bidi characters disappear. ``None`` gives « ».
    """
    if texte is None:
        return ""
    propre = sans_controles(str(texte), garder="\n\t").replace("\t", " ")
    propre = _AUTOLIEN.sub(_JOINT, _ESPACES_DEBUT.sub("", propre))
    echappe = _MD_PONCTUATION.sub(r"\\\1", propre)
    return "  \n".join(ligne.rstrip() for ligne in echappe.split("\n"))


def pour_terminal(texte: str) -> str:
    """Text safe to print on a terminal: no escape sequence, no bidi control (newlines and tabs kept)."""
    return sans_controles(texte, garder="\n\t", remplacement="�")
