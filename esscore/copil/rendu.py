"""Layout of a finished deck in points, shared by the PDF (reportlab) and the preview images (Pillow).

Why one layout for both: the PDF's text must be real text (selectable, searchable), the preview images are
what the tests and reviewers look at, and the overflow check must measure what both draw. ``disposer`` walks
the PPTX with python-pptx and turns every shape into drawing primitives (rectangles, lines, pictures, text
placed at its baseline); text is wrapped with the metrics of the TrueType font the slides name (Arial, or
Liberation Sans, its metric-compatible free twin shipped by Debian: ``polices``), and a text box or table
cell whose wrapped text needs more height than its shape is reported in ``Page.debordements``.

Native charts are drawn from the data embedded in the PPTX (categories, values, colours, labels), the way
PowerPoint lays out a horizontal bar chart or a line chart (the « Évolution » slide: value axis with its
gridlines, one polyline per series, legend underneath); the map stays a picture.
"""

from __future__ import annotations

import io
import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from pptx import Presentation
from pptx.enum.chart import XL_CHART_TYPE
from pptx.enum.dml import MSO_FILL
from pptx.enum.shapes import MSO_SHAPE, MSO_SHAPE_TYPE
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN

from esscore.copil.gabarit import TAILLE_CORPS
from esscore.copil.polices import Rgb, Style, affichable, largeur

EMU_PAR_PT = 12700
INTERLIGNE = 1.2  # line height / font size (PowerPoint's single spacing for Arial is about 1.15)
ASCENDANTE = 0.95  # baseline below the top of a line, in font sizes
NOIR_TEXTE = (31, 41, 55)
BLEU_DEFAUT = (46, 109, 180)
TOLERANCE_PT = 1.0  # rounding slack before a text is said to overflow


@dataclass
class Texte:
    """A piece of text placed at its baseline (``x``, ``y`` from the slide's top-left corner, in points)."""

    x: float
    y: float
    texte: str
    style: Style


@dataclass
class Rect:
    x: float
    y: float
    w: float
    h: float
    fond: Rgb | None
    contour: Rgb | None = None
    arrondi: bool = False


@dataclass
class Trait:
    x1: float
    y1: float
    x2: float
    y2: float
    couleur: Rgb
    epaisseur: float


@dataclass
class Image:
    x: float
    y: float
    w: float
    h: float
    donnees: bytes


@dataclass
class Page:
    """One slide as primitives, in drawing order, with its title (PDF outline) and overflow reports."""

    largeur: float
    hauteur: float
    titre: str
    elements: list[Any] = field(default_factory=list)
    debordements: list[str] = field(default_factory=list)


# ---------------------------------------------------------------------------------------------- text


def _rgb(objet: Any, defaut: Rgb) -> Rgb:
    try:
        rgb = objet.color.rgb if hasattr(objet, "color") else objet.fore_color.rgb
    except (AttributeError, TypeError):
        return defaut
    return (rgb[0], rgb[1], rgb[2]) if rgb is not None else defaut


def _style(font: Any, defaut: Style) -> Style:
    taille = font.size.pt if font.size is not None else defaut.taille
    gras = defaut.gras if font.bold is None else bool(font.bold)
    italique = defaut.italique if font.italic is None else bool(font.italic)
    return Style(gras, italique, taille, _rgb(font, defaut.couleur))


@dataclass
class _Ligne:
    morceaux: list[tuple[str, Style]]
    hauteur: float
    alignement: Any = None


def _couper(tf: Any, utile: float, defaut: Style) -> tuple[list[_Ligne], bool]:
    """Word-wrap a text frame in ``utile`` points; True when one word alone is wider than the box."""
    lignes: list[_Ligne] = []
    trop_large = False
    espace = 0.0  # space after the previous paragraph
    for k, p in enumerate(tf.paragraphs):
        if k:
            lignes.append(_Ligne([], espace))
        mots: list[tuple[str, Style]] = []
        hauteur = 0.0
        for run in p.runs:
            style = _style(run.font, defaut)
            hauteur = max(hauteur, style.taille * INTERLIGNE)
            for i, morceau in enumerate(run.text.split(" ")):
                mots.append((affichable(morceau if i == 0 else " " + morceau, style), style))
        hauteur = hauteur or defaut.taille * INTERLIGNE
        courante: list[tuple[str, Style]] = []
        courant = 0.0
        for mot, style in mots:
            w = largeur(mot, style)
            if courante and courant + w > utile and mot.startswith(" "):
                lignes.append(_Ligne(courante, hauteur, p.alignment))
                mot = mot[1:]
                w = largeur(mot, style)
                courante, courant = [], 0.0
            courante.append((mot, style))
            courant += w
            trop_large = trop_large or (len(courante) == 1 and w > utile + TOLERANCE_PT)
        lignes.append(_Ligne(courante, hauteur, p.alignment))
        espace = p.space_after.pt if p.space_after is not None else 0.0
    return lignes, trop_large


def _fusionner(morceaux: list[tuple[str, Style]]) -> list[tuple[str, Style]]:
    """Consecutive words of the same style joined with their spaces (a line is drawn as few pieces as it has
    styles, so that text extraction and selection see words and spaces, not one word per line)."""
    out: list[tuple[str, Style]] = []
    for texte, style in morceaux:
        if out and out[-1][1] == style:
            out[-1] = (out[-1][0] + texte, style)
        else:
            out.append((texte, style))
    return out


def texte_cadre(
    page: Page, tf: Any, boite: tuple[float, float, float, float], ancre: Any, quoi: str, defaut: Style
) -> None:
    """Lay a text frame out inside ``boite`` (x, y, w, h in points); report it when it does not fit."""
    x, y, w, h = boite
    ml, mr, mt, mb = (float(getattr(tf, f"margin_{c}")) / EMU_PAR_PT for c in ("left", "right", "top", "bottom"))
    lignes, trop_large = _couper(tf, max(w - ml - mr, 1.0), defaut)
    total = sum(ligne.hauteur for ligne in lignes)
    if ancre == MSO_ANCHOR.MIDDLE:
        haut = y + (h - total) / 2
    elif ancre == MSO_ANCHOR.BOTTOM:
        haut = y + h - mb - total
    else:
        haut = y + mt
    for ligne in lignes:
        lw = sum(largeur(m, s) for m, s in ligne.morceaux)
        gauche = x + ml
        if ligne.alignement == PP_ALIGN.CENTER:
            gauche = x + (w - lw) / 2
        elif ligne.alignement == PP_ALIGN.RIGHT:
            gauche = x + w - mr - lw
        base = haut + ligne.hauteur / INTERLIGNE * ASCENDANTE
        for texte, style in _fusionner(ligne.morceaux):  # one piece per style: words stay words in the PDF
            if texte.strip():
                page.elements.append(Texte(gauche, base, texte, style))
            gauche += largeur(texte, style)
        haut += ligne.hauteur
    besoin = total + mt + mb
    if besoin > h + TOLERANCE_PT or trop_large:
        raison = "un mot plus large que la zone" if trop_large else f"texte de {besoin:.0f} pt pour {h:.0f} pt"
        page.debordements.append(f"{quoi} : {raison}")


# ---------------------------------------------------------------------------------------------- shapes


def _boite(shp: Any) -> tuple[float, float, float, float]:
    return tuple(float(v) / EMU_PAR_PT for v in (shp.left, shp.top, shp.width, shp.height))  # type: ignore[return-value]


def _forme(page: Page, shp: Any, n: int, defaut: Style) -> None:
    """Filled shape (rectangle, rounded or not) with its text, if any."""
    x, y, w, h = _boite(shp)
    fond = _rgb(shp.fill, NOIR_TEXTE) if shp.fill.type == MSO_FILL.SOLID else None
    arrondi = shp.auto_shape_type == MSO_SHAPE.ROUNDED_RECTANGLE
    page.elements.append(Rect(x, y, w, h, fond, None, arrondi))
    if shp.has_text_frame and shp.text_frame.text.strip():
        tf = shp.text_frame
        texte_cadre(page, tf, (x, y, w, h), tf.vertical_anchor, f"diapositive {n}, « {shp.name} »", defaut)


def _tableau(page: Page, shp: Any, n: int, defaut: Style) -> None:
    x0, y, _, _ = _boite(shp)
    table = shp.table
    for i, row in enumerate(table.rows):
        rh = float(row.height) / EMU_PAR_PT
        x = x0
        for j, col in enumerate(table.columns):
            cw = float(col.width) / EMU_PAR_PT
            cell = table.cell(i, j)
            fond = _rgb(cell.fill, (255, 255, 255)) if cell.fill.type == MSO_FILL.SOLID else None
            page.elements.append(Rect(x, y, cw, rh, fond, (203, 213, 224)))
            quoi = f"diapositive {n}, tableau ligne {i + 1} colonne {j + 1}"
            texte_cadre(page, _Cellule(cell), (x, y, cw, rh), cell.vertical_anchor, quoi, defaut)
            x += cw
        y += rh


class _Cellule:
    """A table cell seen as a text frame (its margins live on the cell, not on its text frame)."""

    def __init__(self, cell: Any) -> None:
        self.paragraphs = cell.text_frame.paragraphs
        self.margin_left, self.margin_right = cell.margin_left, cell.margin_right
        self.margin_top, self.margin_bottom = cell.margin_top, cell.margin_bottom


def disposer(pptx: bytes) -> list[Page]:
    """Every slide of the deck as drawing primitives in points, with its overflow reports."""
    prs = Presentation(io.BytesIO(pptx))
    l_pt, h_pt = prs.slide_width / EMU_PAR_PT, prs.slide_height / EMU_PAR_PT
    defaut = Style(False, False, TAILLE_CORPS, NOIR_TEXTE)
    pages = []
    for n, slide in enumerate(prs.slides, start=1):
        titre = next((s.text_frame.text for s in slide.shapes if s.name == "Titre" and s.has_text_frame), "")
        page = Page(l_pt, h_pt, titre)
        for shp in slide.shapes:
            _dessiner_forme(page, shp, n, defaut)
        pages.append(page)
    return pages


def _dessiner_forme(page: Page, shp: Any, n: int, defaut: Style) -> None:
    if shp.shape_type == MSO_SHAPE_TYPE.PICTURE:
        page.elements.append(Image(*_boite(shp), shp.image.blob))
    elif getattr(shp, "has_chart", False) and shp.has_chart:
        graphique(page, shp.chart, _boite(shp), defaut)
    elif getattr(shp, "has_table", False) and shp.has_table:
        _tableau(page, shp, n, defaut)
    elif shp.shape_type == MSO_SHAPE_TYPE.LINE:
        pt = [float(v) / EMU_PAR_PT for v in (shp.begin_x, shp.begin_y, shp.end_x, shp.end_y)]
        epaisseur = shp.line.width.pt if shp.line.width else 1.0
        page.elements.append(Trait(*pt, _rgb(shp.line, NOIR_TEXTE), epaisseur))
    elif shp.shape_type == MSO_SHAPE_TYPE.AUTO_SHAPE:
        _forme(page, shp, n, defaut)
    elif getattr(shp, "has_text_frame", False) and shp.text_frame.text.strip():
        tf = shp.text_frame
        texte_cadre(page, tf, _boite(shp), tf.vertical_anchor, f"diapositive {n}, « {shp.name} »", defaut)


# ---------------------------------------------------------------------------------------------- charts


@dataclass
class _Segment:
    valeur: float
    couleur: Rgb
    etiquette: str
    dedans: bool  # label inside the segment (stacked bars) or after the bar's end


def _segments(chart: Any) -> Iterator[list[_Segment]]:
    """Per category, the bar's segments (one per series) with colour and label."""
    plot = chart.plots[0]
    empile = chart.chart_type == XL_CHART_TYPE.BAR_STACKED
    series = list(plot.series)
    for i in range(len(plot.categories)):
        segments = []
        for serie in series:
            v = serie.values[i]
            if v is None:
                continue
            couleur = _rgb(serie.format.fill, BLEU_DEFAUT) if serie.format.fill.type == MSO_FILL.SOLID else BLEU_DEFAUT
            point = serie.points[i]
            if point.format.fill.type == MSO_FILL.SOLID:
                couleur = _rgb(point.format.fill, couleur)
            if point.data_label.has_text_frame:
                etiquette = point.data_label.text_frame.text
            else:
                etiquette = f"{v:.0f}" if plot.has_data_labels else ""
            segments.append(_Segment(float(v), couleur, etiquette, empile))
        yield segments


def graphique(page: Page, chart: Any, boite: tuple[float, float, float, float], defaut: Style) -> None:
    """A horizontal bar chart (clustered or stacked) as PowerPoint lays it out: category labels on the left,
    first category on top, bars scaled on the value axis' maximum, labels at the bar's end or inside; a line
    chart by ``courbes``."""
    if chart.chart_type in COURBES:
        courbes(page, chart, boite, defaut)
        return
    x, y, w, h = boite
    taille = chart.font.size.pt if chart.font.size is not None else defaut.taille
    style = Style(False, False, taille, NOIR_TEXTE)
    categories = [affichable(str(c), style) for c in chart.plots[0].categories]
    if not categories:
        return
    colonne = min(0.42 * w, max(largeur(c, style) for c in categories) + 8)
    rangs = list(_segments(chart))
    maxi = chart.value_axis.maximum_scale or max(sum(s.valeur for s in r) for r in rangs) or 1.0
    ecart = chart.plots[0].gap_width / 100
    pas = h / len(categories)
    epaisseur = pas / (1 + ecart)
    x_barres, l_barres = x + colonne + 4, max(w - colonne - 12, 1.0)
    for k, (categorie, segments) in enumerate(zip(categories, rangs, strict=True)):
        haut = y + k * pas + (pas - epaisseur) / 2
        _etiquette_categorie(page, categorie, (x, y + k * pas, colonne, pas), style)
        gauche = x_barres
        for seg in segments:
            long = seg.valeur / maxi * l_barres
            page.elements.append(Rect(gauche, haut, long, epaisseur, seg.couleur))
            if seg.etiquette and seg.dedans:
                blanc = Style(True, False, taille, (255, 255, 255))
                lw = largeur(seg.etiquette, blanc)
                if lw < long:
                    page.elements.append(Texte(gauche + (long - lw) / 2, haut + epaisseur / 2 + taille * 0.35,
                                               seg.etiquette, blanc))  # fmt: skip
            elif seg.etiquette:
                page.elements.append(Texte(gauche + long + 4, haut + epaisseur / 2 + taille * 0.35,
                                           affichable(seg.etiquette, style), style))  # fmt: skip
            gauche += long
    page.elements.append(Trait(x_barres, y, x_barres, y + h, (74, 85, 104), 0.75))


def _etiquette_categorie(page: Page, texte: str, boite: tuple[float, float, float, float], style: Style) -> None:
    """A category name right-aligned beside its bar, on two lines when it is too long for one."""
    x, y, w, h = boite
    mots, lignes = texte.split(" "), [""]
    for mot in mots:
        essai = f"{lignes[-1]} {mot}".strip()
        if lignes[-1] and largeur(essai, style) > w - 6:
            lignes.append(mot)
        else:
            lignes[-1] = essai
    hauteur = style.taille * INTERLIGNE
    haut = y + (h - hauteur * len(lignes)) / 2
    for ligne in lignes:
        page.elements.append(Texte(x + w - 6 - largeur(ligne, style), haut + style.taille * ASCENDANTE, ligne, style))
        haut += hauteur


# ---------------------------------------------------------------------------------------------- line charts

COURBES = frozenset((XL_CHART_TYPE.LINE, XL_CHART_TYPE.LINE_MARKERS))
GRILLE = (229, 231, 235)
MARQUEUR_PT = 6.0


@dataclass
class _Serie:
    nom: str
    valeurs: list[float | None]
    couleur: Rgb
    epaisseur: float


def _series(chart: Any) -> list[_Serie]:
    """Each line's name, values (None: no point), colour and width, as the PPTX stores them."""
    out = []
    for serie in chart.plots[0].series:
        ligne = serie.format.line
        epaisseur = ligne.width.pt if ligne.width else 2.25
        out.append(_Serie(str(serie.name), list(serie.values), _rgb(ligne, BLEU_DEFAUT), epaisseur))
    return out


def graduations(mini: float, maxi: float, entiers: bool = True) -> list[float]:
    """The value axis' ticks, as PowerPoint picks them: a round step (1, 2 or 5 × 10^n) giving about five
    intervals, from the multiple below the smallest value to the one above the largest."""
    if maxi <= mini:
        mini, maxi = mini - 1, maxi + 1
    brut = (maxi - mini) / 5
    puissance = 10 ** math.floor(math.log10(brut))
    pas = next(k * puissance for k in (1, 2, 5, 10) if k * puissance >= brut)
    pas = max(pas, 1.0) if entiers else pas
    bas, haut = math.floor(mini / pas) * pas, math.ceil(maxi / pas) * pas
    return [bas + k * pas for k in range(round((haut - bas) / pas) + 1)]


def _legende(page: Page, series: list[_Serie], x: float, y: float, w: float, style: Style) -> float:
    """The legend under the plot, entries centred on as many rows as needed; returns its height."""
    entrees = [(s, affichable(s.nom, style)) for s in series]
    rangs: list[list[tuple[_Serie, str, float]]] = [[]]
    for serie, nom in entrees:
        lw = 24 + largeur(nom, style) + 14
        if rangs[-1] and sum(e[2] for e in rangs[-1]) + lw > w:
            rangs.append([])
        rangs[-1].append((serie, nom, lw))
    hauteur = style.taille * INTERLIGNE
    for k, rang in enumerate(rangs):
        gauche = x + (w - sum(e[2] for e in rang)) / 2
        base = y + k * hauteur + style.taille * ASCENDANTE
        for serie, nom, lw in rang:
            milieu = base - style.taille * 0.35
            page.elements.append(Trait(gauche, milieu, gauche + 20, milieu, serie.couleur, min(serie.epaisseur, 3)))
            page.elements.append(Texte(gauche + 24, base, nom, style))
            gauche += lw
    return hauteur * len(rangs)


def courbes(page: Page, chart: Any, boite: tuple[float, float, float, float], defaut: Style) -> None:
    """A line chart as PowerPoint lays it out: value axis on the left with its gridlines, categories under the
    plot (each at the middle of its slot), one polyline of vector segments per series with square markers (a
    missing value breaks the line), legend at the bottom."""
    x, y, w, h = boite
    taille = chart.font.size.pt if chart.font.size is not None else defaut.taille
    style = Style(False, False, taille, NOIR_TEXTE)
    axe = chart.value_axis
    style_axe = Style(False, False, axe.tick_labels.font.size.pt if axe.tick_labels.font.size else taille, NOIR_TEXTE)
    categories = [affichable(str(c), style) for c in chart.plots[0].categories]
    series = _series(chart)
    valeurs = [v for s in series for v in s.valeurs if v is not None]
    if not categories or not valeurs:
        return
    ticks = graduations(min(valeurs), max(valeurs))
    mini, maxi = axe.minimum_scale or ticks[0], axe.maximum_scale or ticks[-1]
    legende = _legende(page, series, x, y + h - taille * INTERLIGNE, w, style) if chart.has_legend else 0.0
    if legende > taille * INTERLIGNE:  # several rows: drawn again higher (the first pass measured them)
        del page.elements[-2 * len(series) :]
        _legende(page, series, x, y + h - legende, w, style)
    etiquettes = [f"{t:.0f}" for t in ticks]
    gauche = x + max(largeur(e, style_axe) for e in etiquettes) + 8
    droite, haut = x + w - 6, y + 6
    bas = y + h - legende - style.taille * INTERLIGNE - 6

    def hauteur_de(v: float) -> float:
        return bas - (v - mini) / ((maxi - mini) or 1.0) * (bas - haut)

    for t, e in zip(ticks, etiquettes, strict=True):
        yt = hauteur_de(t)
        page.elements.append(Trait(gauche, yt, droite, yt, GRILLE, 0.75))
        page.elements.append(Texte(gauche - 6 - largeur(e, style_axe), yt + style_axe.taille * 0.35, e, style_axe))
    pas = (droite - gauche) / len(categories)
    for k, c in enumerate(categories):
        centre = gauche + (k + 0.5) * pas
        page.elements.append(Texte(centre - largeur(c, style) / 2, bas + 4 + taille * ASCENDANTE, c, style))
    page.elements.append(Trait(gauche, bas, droite, bas, (74, 85, 104), 0.75))
    for serie in series:
        points = [None if v is None else (gauche + (k + 0.5) * pas, hauteur_de(v)) for k, v in enumerate(serie.valeurs)]
        for a, b in zip(points, points[1:], strict=False):
            if a is not None and b is not None:
                page.elements.append(Trait(*a, *b, serie.couleur, serie.epaisseur))
        for pt in filter(None, points):
            m = MARQUEUR_PT
            page.elements.append(Rect(pt[0] - m / 2, pt[1] - m / 2, m, m, serie.couleur))
