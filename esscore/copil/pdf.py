"""Preview images and PDF of a finished deck, both drawn from one layout (``rendu.disposer``).

The PDF is text: every word is drawn in an embedded TrueType font (selectable, searchable, read by screen
readers), charts are vector bars or lines drawn from the data embedded in the PPTX, only the map is a picture. No
LibreOffice is needed: reportlab writes it in well under a second. ``apercu`` draws the same primitives with
Pillow as PNG images for review and reports the text boxes and table cells whose wrapped text does not fit
(the tests' overflow check); ``resume_texte`` gives the deck's text, charts and notes for review.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import cache
from typing import Any

from PIL import Image as PilImage
from PIL import ImageDraw, ImageFont
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE
from pptx.util import Emu
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

from esscore.copil.polices import fichiers_polices, largeur, nom_police
from esscore.copil.rendu import Image, Page, Rect, Texte, Trait, disposer


@dataclass
class Apercu:
    """Slide images plus the text boxes whose wrapped text does not fit (to catch overflow in tests)."""

    images: list[Any]
    debordements: list[str]


@cache
def _police_pil(gras: bool, italique: bool, taille_px: int) -> Any:
    return ImageFont.truetype(fichiers_polices()[(gras, italique)], max(1, taille_px))


def _image(page: Page, largeur_px: int) -> Any:
    """One slide drawn with Pillow at ``largeur_px`` pixels wide."""
    k = largeur_px / page.largeur
    img = PilImage.new("RGB", (largeur_px, round(page.hauteur * k)), "white")
    draw = ImageDraw.Draw(img)
    for e in page.elements:
        if isinstance(e, Rect):
            boite = [e.x * k, e.y * k, (e.x + e.w) * k, (e.y + e.h) * k]
            if e.arrondi:
                draw.rounded_rectangle(boite, radius=round(0.08 * min(e.w, e.h) * k), fill=e.fond, outline=e.contour)
            else:
                draw.rectangle(boite, fill=e.fond, outline=e.contour)
        elif isinstance(e, Trait):
            epaisseur = max(1, round(e.epaisseur * k))
            draw.line([(e.x1 * k, e.y1 * k), (e.x2 * k, e.y2 * k)], fill=e.couleur, width=epaisseur)
        elif isinstance(e, Image):
            pic = PilImage.open(io.BytesIO(e.donnees)).convert("RGB")
            img.paste(pic.resize((max(1, round(e.w * k)), max(1, round(e.h * k)))), (round(e.x * k), round(e.y * k)))
        elif isinstance(e, Texte):
            police = _police_pil(e.style.gras, e.style.italique, round(e.style.taille * k))
            draw.text((e.x * k, e.y * k), e.texte, font=police, fill=e.style.couleur, anchor="ls")
    return img


def apercu(pptx: bytes, largeur_px: int = 1600) -> Apercu:
    """Every slide as a Pillow image (the PDF's layout), and the texts that overflow their box."""
    pages = disposer(pptx)
    return Apercu([_image(p, largeur_px) for p in pages], [d for p in pages for d in p.debordements])


def debordements(pptx: bytes) -> list[str]:
    """The text boxes and table cells whose wrapped text does not fit, without drawing anything."""
    return [d for p in disposer(pptx) for d in p.debordements]


def _pdf_page(c: Canvas, page: Page) -> None:
    """Draw a slide's primitives; pieces of text that follow each other on a line go in one text object (one
    line of text for copy, search and screen readers, whatever its styles)."""
    ligne: Any = None
    fin = (0.0, 0.0)  # where the current text object's cursor stands (x, baseline)
    for e in page.elements:
        if not isinstance(e, Texte):
            if ligne is not None:
                c.drawText(ligne)
                ligne = None
            _pdf_element(c, e, page.hauteur)
            continue
        if ligne is None or abs(e.y - fin[1]) > 0.01 or abs(e.x - fin[0]) > 0.5:
            if ligne is not None:
                c.drawText(ligne)
            ligne = c.beginText(e.x, page.hauteur - e.y)
        ligne.setFont(nom_police(e.style.gras, e.style.italique), e.style.taille)
        ligne.setFillColorRGB(*(v / 255 for v in e.style.couleur))
        ligne.textOut(e.texte)
        fin = (e.x + largeur(e.texte, e.style), e.y)
    if ligne is not None:
        c.drawText(ligne)


def _pdf_element(c: Canvas, e: Any, hauteur: float) -> None:
    """Draw one shape on the PDF page (reportlab's origin is the bottom-left corner)."""
    if isinstance(e, Rect):
        if e.fond is not None:
            c.setFillColorRGB(*(v / 255 for v in e.fond))
        if e.contour is not None:
            c.setStrokeColorRGB(*(v / 255 for v in e.contour))
            c.setLineWidth(0.5)
        remplir, tracer = int(e.fond is not None), int(e.contour is not None)
        if e.arrondi:
            c.roundRect(e.x, hauteur - e.y - e.h, e.w, e.h, 0.08 * min(e.w, e.h), stroke=tracer, fill=remplir)
        else:
            c.rect(e.x, hauteur - e.y - e.h, e.w, e.h, stroke=tracer, fill=remplir)
    elif isinstance(e, Trait):
        c.setStrokeColorRGB(*(v / 255 for v in e.couleur))
        c.setLineWidth(e.epaisseur)
        c.line(e.x1, hauteur - e.y1, e.x2, hauteur - e.y2)
    elif isinstance(e, Image):
        c.drawImage(ImageReader(io.BytesIO(e.donnees)), e.x, hauteur - e.y - e.h, e.w, e.h)


def pdf_depuis_pptx(pptx: bytes) -> bytes:
    """A PDF of the deck, one page per slide, made of text (fonts embedded), vector shapes and the map picture;
    its outline lists the slide titles, its metadata carry the deck's title and French language."""
    pages = disposer(pptx)
    proprietes = Presentation(io.BytesIO(pptx)).core_properties
    buf = io.BytesIO()
    c = Canvas(buf, pagesize=(pages[0].largeur, pages[0].hauteur), invariant=1, lang="fr-FR")
    c.setTitle(proprietes.title or "Comité de pilotage ESS")
    c.setAuthor(proprietes.author or "ESS Territoires")
    c.setCreator("ESS Territoires (esscore)")
    for n, page in enumerate(pages, start=1):
        _pdf_page(c, page)
        if page.titre:
            c.bookmarkPage(f"diapositive-{n}")
            c.addOutlineEntry(f"{n}. {page.titre}", f"diapositive-{n}", level=0)
        c.showPage()
    c.save()
    return buf.getvalue()


def nombre_diapositives(pptx: bytes) -> int:
    return len(Presentation(io.BytesIO(pptx)).slides)


def resume_texte(pptx: bytes) -> str:
    """Plain-text summary of the deck (titles, texts, tables, charts' data, pictures, speaker notes) for review
    next to the previews."""
    prs = Presentation(io.BytesIO(pptx))
    out = []
    for n, slide in enumerate(prs.slides, start=1):
        out.append(f"=== Diapositive {n} ===")
        for shp in slide.shapes:
            if shp.shape_type == MSO_SHAPE_TYPE.PICTURE:
                out.append(f"[image « {shp.name} » {Emu(shp.width).inches:.1f} × {Emu(shp.height).inches:.1f} in]")
            elif getattr(shp, "has_chart", False) and shp.has_chart:
                out.append(_resume_graphique(shp))
            elif getattr(shp, "has_table", False) and shp.has_table:
                for row in shp.table.rows:
                    out.append(" | ".join(c.text for c in row.cells))
            elif getattr(shp, "has_text_frame", False) and shp.text_frame.text.strip():
                out.append(shp.text_frame.text)
        if slide.has_notes_slide and slide.notes_slide.notes_text_frame.text.strip():
            out.append("[notes] " + slide.notes_slide.notes_text_frame.text.replace("\n", "\n[notes] "))
    return "\n".join(out) + "\n"


def _resume_graphique(shp: Any) -> str:
    """« [graphique « nom » : catégorie = étiquette ; …] », labels as drawn (else the series' values)."""
    plot = shp.chart.plots[0]
    parties = []
    for i, categorie in enumerate(plot.categories):
        valeurs = []
        for serie in plot.series:
            point = serie.points[i]
            if point.data_label.has_text_frame:
                valeurs.append(point.data_label.text_frame.text)
            elif serie.values[i] is not None:
                valeurs.append(f"{serie.name} {serie.values[i]:g}" if len(plot.series) > 1 else f"{serie.values[i]:g}")
        parties.append(f"{categorie} = {', '.join(valeurs) or '–'}")
    return f"[graphique « {shp.name} » : {' ; '.join(parties)}]"
