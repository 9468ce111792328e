"""Preview and PDF of a deck without LibreOffice: ``apercu`` redraws each slide of the PPTX with Pillow
(already a dependency of Streamlit), ``pdf_depuis_pptx`` stacks those images into a PDF.

The text of that PDF is an image (not selectable); the PPTX stays the reference document. ``apercu`` also
reports text boxes whose wrapped text does not fit, which the tests use to catch overflow;
``resume_texte`` gives the deck's text for review next to the previews.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw, ImageFont
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.util import Emu

from esscore.copil.gabarit import LARGEUR_IN, TAILLE_CORPS

POLICES_SYSTEME = (
    "/usr/share/fonts/truetype/liberation/LiberationSans-{style}.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans{style_dv}.ttf",
)


@cache
def _police(taille_px: int, gras: bool, italique: bool) -> Any:
    style = {(False, False): "Regular", (True, False): "Bold", (False, True): "Italic", (True, True): "BoldItalic"}
    style_dv = {(False, False): "", (True, False): "-Bold", (False, True): "-Oblique", (True, True): "-BoldOblique"}
    for modele in POLICES_SYSTEME:
        chemin = Path(modele.format(style=style[(gras, italique)], style_dv=style_dv[(gras, italique)]))
        if chemin.exists():
            return ImageFont.truetype(str(chemin), taille_px)
    return ImageFont.load_default(size=taille_px)


@dataclass
class Apercu:
    """Slide images plus the text boxes whose wrapped text does not fit (to catch overflow in tests)."""

    images: list[Any]
    debordements: list[str]


def _couleur_run(run: Any, defaut: tuple[int, int, int]) -> tuple[int, int, int]:
    try:
        rgb = run.font.color.rgb
    except AttributeError:
        return defaut
    return (rgb[0], rgb[1], rgb[2]) if rgb is not None else defaut


def _dessiner_texte(
    img: Any,
    tf: Any,
    box: tuple[float, float, float, float],
    px_pt: float,
    marges: tuple[float, float, float, float],
    ancre: Any = None,
) -> tuple[float, bool]:
    """Word-wrap and draw a text frame inside ``box`` (pixels).

    Returns the height the text needs and whether a single word is wider than the box (both mean overflow).
    """
    draw = ImageDraw.Draw(img)
    x0, y0, w, h = box
    ml, mr, mt, mb = marges
    largeur = max(w - ml - mr, 1)
    lignes: list[tuple[list[tuple[str, Any, tuple[int, int, int]]], float, Any]] = []
    for p in tf.paragraphs:
        mots: list[tuple[str, Any, tuple[int, int, int]]] = []
        hauteur = 0.0
        for run in p.runs:
            pt = run.font.size.pt if run.font.size is not None else TAILLE_CORPS
            police = _police(max(1, round(pt * px_pt)), bool(run.font.bold), bool(run.font.italic))
            hauteur = max(hauteur, pt * px_pt * 1.2)
            for i, morceau in enumerate(run.text.split(" ")):
                mots.append((morceau if i == 0 else " " + morceau, police, _couleur_run(run, (31, 41, 55))))
        if not mots:
            hauteur = TAILLE_CORPS * px_pt * 1.2
        courante: list[tuple[str, Any, tuple[int, int, int]]] = []
        courant_w = 0.0
        for mot, police, couleur in mots:
            mw = draw.textlength(mot, font=police)
            if courante and courant_w + mw > largeur:
                lignes.append((courante, hauteur, p.alignment))
                mot = mot.lstrip(" ")
                mw = draw.textlength(mot, font=police)
                courante, courant_w = [], 0.0
            courante.append((mot, police, couleur))
            courant_w += mw
        lignes.append((courante, hauteur, p.alignment))
        espace = p.space_after.pt * px_pt if p.space_after is not None else 0
        lignes.append(([], espace, None))
    total = sum(hh for _, hh, _ in lignes[:-1])
    y = y0 + mt
    trop_large = False
    if ancre is None:
        ancre = tf.vertical_anchor
    if ancre == MSO_ANCHOR.MIDDLE:
        y = y0 + (h - total) / 2
    for morceaux, hh, align in lignes:
        lw = sum(draw.textlength(m, font=f) for m, f, _ in morceaux)
        trop_large = trop_large or lw > largeur + 2
        x = x0 + ml
        if align == PP_ALIGN.CENTER:
            x = x0 + (w - lw) / 2
        elif align == PP_ALIGN.RIGHT:
            x = x0 + w - mr - lw
        for mot, police, couleur in morceaux:
            draw.text((x, y + hh * 0.1), mot, font=police, fill=couleur)
            x += draw.textlength(mot, font=police)
        y += hh
    return total + mt + mb, trop_large


def apercu(pptx: bytes, largeur_px: int = 1600) -> Apercu:
    """Redraw every slide with Pillow: pictures, filled shapes, text boxes and tables (what this deck uses)."""
    prs = Presentation(io.BytesIO(pptx))
    px_emu = largeur_px / prs.slide_width
    hauteur_px = round(prs.slide_height * px_emu)
    px_pt = px_emu * 12700  # EMU per point
    images, debordements = [], []

    def px(v: Any) -> float:
        return float(v) * px_emu

    for n, slide in enumerate(prs.slides, start=1):
        img = Image.new("RGB", (largeur_px, hauteur_px), "white")
        draw = ImageDraw.Draw(img)
        for shp in slide.shapes:
            x, y, w, h = px(shp.left), px(shp.top), px(shp.width), px(shp.height)
            if shp.shape_type == MSO_SHAPE_TYPE.PICTURE:
                pic = Image.open(io.BytesIO(shp.image.blob)).convert("RGB")
                img.paste(pic.resize((max(1, round(w)), max(1, round(h)))), (round(x), round(y)))
                continue
            if shp.shape_type == MSO_SHAPE_TYPE.LINE or getattr(shp, "shape_type", None) is None:
                try:
                    rgb = shp.line.color.rgb
                    draw.line([(x, y), (x + w, y + h)], fill=(rgb[0], rgb[1], rgb[2]), width=3)
                except AttributeError:
                    pass
                continue
            if shp.has_table if hasattr(shp, "has_table") else False:
                _dessiner_table(img, shp, x, y, px_emu, px_pt, n, debordements)
                continue
            if shp.shape_type == MSO_SHAPE_TYPE.AUTO_SHAPE:
                try:
                    rgb = shp.fill.fore_color.rgb
                    draw.rounded_rectangle([x, y, x + w, y + h], radius=12, fill=(rgb[0], rgb[1], rgb[2]))
                except (AttributeError, TypeError):
                    pass
            if getattr(shp, "has_text_frame", False) and shp.text_frame.text.strip():
                tf = shp.text_frame
                marges = (px(tf.margin_left), px(tf.margin_right), px(tf.margin_top), px(tf.margin_bottom))
                besoin, trop_large = _dessiner_texte(img, tf, (x, y, w, h), px_pt, marges)
                if besoin > h + 2 or trop_large:
                    debordements.append(f"diapositive {n}, « {shp.name} » : texte de {besoin:.0f} px pour {h:.0f} px")
        images.append(img)
    return Apercu(images, debordements)


def _dessiner_table(
    img: Any, shp: Any, x0: float, y0: float, px_emu: float, px_pt: float, n: int, debordements: list[str]
) -> None:
    draw = ImageDraw.Draw(img)
    table = shp.table
    y = y0
    for i, row in enumerate(table.rows):
        x = x0
        rh = float(row.height) * px_emu
        for j, col in enumerate(table.columns):
            cw = float(col.width) * px_emu
            cell = table.cell(i, j)
            try:
                rgb = cell.fill.fore_color.rgb
                draw.rectangle([x, y, x + cw, y + rh], fill=(rgb[0], rgb[1], rgb[2]), outline=(203, 213, 224))
            except (AttributeError, TypeError):
                draw.rectangle([x, y, x + cw, y + rh], outline=(203, 213, 224))
            marges = tuple(
                float(getattr(cell, m)) * px_emu for m in ("margin_left", "margin_right", "margin_top", "margin_bottom")
            )
            besoin, trop_large = _dessiner_texte(
                img,
                cell.text_frame,
                (x, y, cw, rh),
                px_pt,
                marges,  # type: ignore[arg-type]
                ancre=cell.vertical_anchor,
            )
            if besoin > rh + 2 or trop_large:
                debordements.append(f"diapositive {n}, tableau ligne {i + 1} colonne {j + 1} : texte trop long")
            x += cw
        y += rh


def pdf_depuis_pptx(pptx: bytes, largeur_px: int = 1600) -> bytes:
    """A PDF with one page per slide (images of the slides, drawn by ``apercu``)."""
    images = apercu(pptx, largeur_px).images
    buf = io.BytesIO()
    images[0].save(buf, "PDF", save_all=True, append_images=images[1:], resolution=largeur_px / LARGEUR_IN)
    return buf.getvalue()


def nombre_diapositives(pptx: bytes) -> int:
    return len(Presentation(io.BytesIO(pptx)).slides)


def resume_texte(pptx: bytes) -> str:
    """Plain-text summary of the deck (titles, texts, tables, pictures) for review next to the previews."""
    prs = Presentation(io.BytesIO(pptx))
    out = []
    for n, slide in enumerate(prs.slides, start=1):
        out.append(f"=== Diapositive {n} ===")
        for shp in slide.shapes:
            if shp.shape_type == MSO_SHAPE_TYPE.PICTURE:
                out.append(f"[image « {shp.name} » {Emu(shp.width).inches:.1f} × {Emu(shp.height).inches:.1f} in]")
            elif getattr(shp, "has_table", False) and shp.has_table:
                for row in shp.table.rows:
                    out.append(" | ".join(c.text for c in row.cells))
            elif getattr(shp, "has_text_frame", False) and shp.text_frame.text.strip():
                out.append(shp.text_frame.text)
    return "\n".join(out) + "\n"
