"""The deck's fonts and their metrics: which TrueType file draws each style, how wide a text is, what fits.

Why metrics at all: a text box of PowerPoint does not grow, so text that needs more lines than its box holds
spills over the next shape. The slides name Arial; Liberation Sans (Debian's fonts-liberation) has the same
advance widths, so measuring with it tells what PowerPoint will wrap. The same files are embedded in the PDF
(``pdf``) and drawn in the preview images, and ``rendu`` measures every box of a finished deck with them.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import reportlab
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from esscore.copil.formats import court

# Arial's metric twin first (Debian: fonts-liberation), then DejaVu (wider: conservative), then the Vera fonts
# reportlab ships.
POLICES = (
    ("/usr/share/fonts/truetype/liberation", ("LiberationSans-Regular", "LiberationSans-Bold",
                                              "LiberationSans-Italic", "LiberationSans-BoldItalic")),
    ("/usr/share/fonts/truetype/dejavu", ("DejaVuSans", "DejaVuSans-Bold", "DejaVuSans-Oblique",
                                          "DejaVuSans-BoldOblique")),
)  # fmt: skip
REMPLACEMENTS = {"\u202f": "\u00a0", "\u2009": " ", "\u2011": "-", "\u2713": "v"}  # glyphs some fonts lack

Rgb = tuple[int, int, int]


@dataclass(frozen=True)
class Style:
    gras: bool
    italique: bool
    taille: float  # points
    couleur: Rgb = (31, 41, 55)


@cache
def fichiers_polices() -> dict[tuple[bool, bool], str]:
    """TrueType file of each (bold, italic) style: the first complete family found."""
    styles = ((False, False), (True, False), (False, True), (True, True))
    for dossier, noms in POLICES:
        chemins = [Path(dossier) / f"{nom}.ttf" for nom in noms]
        if all(c.exists() for c in chemins):
            return {s: str(c) for s, c in zip(styles, chemins, strict=True)}
    vera = Path(reportlab.__file__).parent / "fonts"  # the Vera family ships with reportlab: always there
    fichiers = ("Vera.ttf", "VeraBd.ttf", "VeraIt.ttf", "VeraBI.ttf")
    return {s: str(vera / f) for s, f in zip(styles, fichiers, strict=True)}


@cache
def nom_police(gras: bool, italique: bool) -> str:
    """The reportlab name of a style's font, registered on first use (embedded, subset, in the PDF)."""
    nom = f"CopilPolice-{int(gras)}{int(italique)}"
    pdfmetrics.registerFont(TTFont(nom, fichiers_polices()[(gras, italique)]))
    return nom


@cache
def _glyphes(gras: bool, italique: bool) -> frozenset[int]:
    return frozenset(pdfmetrics.getFont(nom_police(gras, italique)).face.charToGlyph)


def affichable(texte: str, style: Style) -> str:
    """The text with the characters the font lacks replaced (narrow no-break space → no-break space…)."""
    glyphes = _glyphes(style.gras, style.italique)
    if all(ord(c) in glyphes for c in texte):
        return texte
    out = []
    for c in texte:
        c = REMPLACEMENTS.get(c, c)
        out.append(c if ord(c) in glyphes else (" " if c.isspace() or ord(c) < 32 else "?"))
    return "".join(out)


def largeur(texte: str, style: Style) -> float:
    """Advance width of a text in points, from the TrueType metrics."""
    return pdfmetrics.stringWidth(texte, nom_police(style.gras, style.italique), style.taille)


def nombre_lignes(texte: str, style: Style, largeur_pt: float) -> int:
    """Lines a paragraph takes once wrapped at spaces in ``largeur_pt`` (the rule of ``rendu``)."""
    lignes, courant = 1, 0.0
    for i, mot in enumerate(affichable(texte, style).split(" ")):
        w = largeur(mot if i == 0 else " " + mot, style)
        if i and courant + w > largeur_pt:
            lignes, courant = lignes + 1, largeur(mot, style)
        else:
            courant += w
    return lignes


def ajuster(texte: str, style: Style, largeur_pt: float, lignes_max: int) -> str:
    """The text, shortened at a word with « … » if needed, so that it takes at most ``lignes_max`` lines."""
    if nombre_lignes(texte, style, largeur_pt) <= lignes_max:
        return texte
    bas, haut = 1, len(texte)  # the longest cut that fits
    while bas < haut:
        milieu = (bas + haut + 1) // 2
        if nombre_lignes(court(texte, milieu), style, largeur_pt) <= lignes_max:
            bas = milieu
        else:
            haut = milieu - 1
    return court(texte, bas)
