"""The deck's python-pptx toolkit: the look (16:9 geometry, fonts, colours), ``Diapo`` (one slide with its
title, demo badge, text boxes, pictures, native charts, tables, source line, speaker notes) and ``Deck`` (the
presentation, its properties and its footer).

Every text is at least 14 pt (``TAILLE_MIN``) and every title at least 28 pt, so the deck stays readable
on a projector; what each slide says is in ``diapos``.
"""

from __future__ import annotations

import io
import struct
from collections.abc import Sequence
from typing import Any

from pptx import Presentation
from pptx.chart.data import CategoryChartData
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE, XL_LABEL_POSITION
from pptx.enum.shapes import MSO_SHAPE
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.util import Inches, Pt

from esscore.copil import polices
from esscore.copil.polices import Style, ajuster

LARGEUR_IN = 13.333
HAUTEUR_IN = 7.5
MARGE_IN = 0.5
POLICE = "Arial"
TAILLE_TITRE = 32
TAILLE_TITRE_MIN = 28
TAILLE_MIN = 14
TAILLE_CORPS = 18
TAILLE_GRAPHIQUE = 16  # chart labels and categories
DEMO_MENTION = "Données de démonstration"

BLEU = RGBColor(0x1F, 0x3A, 0x5F)
VERT = RGBColor(0x2C, 0x7A, 0x4B)
GRIS = RGBColor(0x4A, 0x55, 0x68)
GRIS_CLAIR = RGBColor(0xED, 0xF2, 0xF7)
ROUGE = RGBColor(0xB9, 0x1C, 0x1C)
BLANC = RGBColor(0xFF, 0xFF, 0xFF)
NOIR = RGBColor(0x1F, 0x29, 0x37)


def _rgb(couleur: RGBColor | str) -> RGBColor:
    return couleur if isinstance(couleur, RGBColor) else RGBColor.from_string(couleur.lstrip("#"))


def _police(cibles: Any, taille: int, couleur: RGBColor) -> None:
    """The deck's font on runs (a list) or on a chart element having a ``font`` (tick labels)."""
    for cible in cibles if isinstance(cibles, list | tuple) else [cibles]:
        cible.font.name = POLICE
        cible.font.size = Pt(taille)
        cible.font.color.rgb = couleur


class Diapo:
    """One slide on the blank layout (no placeholders, so none can stay empty) with our furniture."""

    def __init__(self, deck: Deck, titre: str | None) -> None:
        self.deck = deck
        self.slide = deck.prs.slides.add_slide(deck.prs.slide_layouts[6])
        self.titre = titre
        if titre:
            largeur = LARGEUR_IN - 2 * MARGE_IN - (3.4 if deck.demo else 0)
            # measured with the font's metrics: a title too long at 32 pt drops to 28 pt (the projector minimum),
            # and is cut with « … » only if it does not fit one line even then
            largeur_pt = (largeur - 0.1) * 72
            tient = polices.largeur(titre, Style(True, False, TAILLE_TITRE)) <= largeur_pt
            taille = TAILLE_TITRE if tient else TAILLE_TITRE_MIN
            titre = ajuster(titre, Style(True, False, taille), largeur_pt, 1)
            self.texte(
                MARGE_IN,
                0.3,
                largeur,
                0.9,
                [titre],
                taille=taille,
                gras=True,
                couleur=BLEU,
                ancre=MSO_ANCHOR.MIDDLE,
                nom="Titre",
            )
            ligne = self.slide.shapes.add_connector(
                1, Inches(MARGE_IN), Inches(1.22), Inches(LARGEUR_IN - MARGE_IN), Inches(1.22)
            )
            ligne.line.color.rgb = VERT
            ligne.line.width = Pt(2)
        if deck.demo:
            self.badge_demo()

    def texte(
        self,
        x: float,
        y: float,
        w: float,
        h: float,
        paragraphes: Sequence[str | Sequence[tuple[str, dict]]],
        taille: int = TAILLE_CORPS,
        gras: bool = False,
        couleur: RGBColor = NOIR,
        align: Any = PP_ALIGN.LEFT,
        ancre: Any = MSO_ANCHOR.TOP,
        italique: bool = False,
        espace_apres: int = 6,
        nom: str | None = None,
    ) -> Any:
        """A text box; a paragraph is a string or a list of (text, {taille, gras, couleur, italique}) runs."""
        box = self.slide.shapes.add_textbox(Inches(x), Inches(y), Inches(w), Inches(h))
        if nom:
            box.name = nom
        tf = box.text_frame
        tf.word_wrap = True
        tf.vertical_anchor = ancre
        for marge in ("margin_left", "margin_right"):
            setattr(tf, marge, Inches(0.05))
        for i, para in enumerate(paragraphes):
            p = tf.paragraphs[0] if i == 0 else tf.add_paragraph()
            p.alignment = align
            p.space_after = Pt(espace_apres)
            runs = [(para, {})] if isinstance(para, str) else list(para)
            for texte, opts in runs:
                run = p.add_run()
                run.text = texte
                f = run.font
                f.name = POLICE
                f.size = Pt(max(TAILLE_MIN, opts.get("taille", taille)))
                f.bold = opts.get("gras", gras)
                f.italic = opts.get("italique", italique)
                f.color.rgb = _rgb(opts.get("couleur", couleur))
        return box

    def rectangle(self, x: float, y: float, w: float, h: float, fond: RGBColor, arrondi: bool = True) -> Any:
        forme = MSO_SHAPE.ROUNDED_RECTANGLE if arrondi else MSO_SHAPE.RECTANGLE
        shp = self.slide.shapes.add_shape(forme, Inches(x), Inches(y), Inches(w), Inches(h))
        shp.fill.solid()
        shp.fill.fore_color.rgb = fond
        shp.line.fill.background()
        shp.shadow.inherit = False
        return shp

    def badge_demo(self) -> None:
        x = LARGEUR_IN - MARGE_IN - 3.3
        shp = self.rectangle(x, 0.42, 3.3, 0.6, ROUGE)
        shp.name = "Mention démonstration"
        tf = shp.text_frame
        tf.word_wrap = True
        tf.vertical_anchor = MSO_ANCHOR.MIDDLE
        p = tf.paragraphs[0]
        p.alignment = PP_ALIGN.CENTER
        run = p.add_run()
        run.text = DEMO_MENTION
        run.font.name = POLICE
        run.font.size = Pt(16)
        run.font.bold = True
        run.font.color.rgb = BLANC

    def image(self, donnees: bytes, x: float, y: float, w: float, h: float, nom: str) -> Any:
        """Place a PNG inside the box, keeping its aspect ratio, centred horizontally."""
        pw, ph = taille_png(donnees)
        ratio = min(w / pw, h / ph)
        iw, ih = pw * ratio, ph * ratio
        pic = self.slide.shapes.add_picture(
            io.BytesIO(donnees), Inches(x + (w - iw) / 2), Inches(y), Inches(iw), Inches(ih)
        )
        pic.name = nom
        return pic

    def barres(
        self,
        boite: tuple[float, float, float, float],
        categories: Sequence[str],
        valeurs: Sequence[float],
        etiquettes: Sequence[str],
        couleurs: Sequence[RGBColor | str],
        nom: str,
    ) -> Any:
        """A native horizontal bar chart (its data embedded, editable in PowerPoint), first category on top.

        Each bar has its own colour and ends with its label written by the caller (``labels`` formats, the
        pages' French digits) rather than a number format, which PowerPoint would render in the viewer's locale.
        """
        donnees = CategoryChartData()
        donnees.categories = list(categories)
        donnees.add_series(nom, [float(v) for v in valeurs])
        forme = self._graphique(XL_CHART_TYPE.BAR_CLUSTERED, boite, donnees, nom)
        chart = forme.chart
        plot = chart.plots[0]
        plot.gap_width = 45
        plot.vary_by_categories = False
        chart.value_axis.minimum_scale = 0
        chart.value_axis.maximum_scale = (max((float(v) for v in valeurs), default=0.0) or 1.0) * 1.4  # label room
        for point, couleur, etiquette in zip(plot.series[0].points, couleurs, etiquettes, strict=True):
            point.format.fill.solid()
            point.format.fill.fore_color.rgb = _rgb(couleur)
            point.data_label.position = XL_LABEL_POSITION.OUTSIDE_END
            point.data_label.text_frame.text = etiquette
            _police(point.data_label.text_frame.paragraphs[0].runs, TAILLE_GRAPHIQUE, NOIR)
        return forme

    def barres_empilees(
        self,
        boite: tuple[float, float, float, float],
        categories: Sequence[str],
        series: Sequence[tuple[str, Sequence[float], RGBColor | str]],
        nom: str,
    ) -> Any:
        """Native stacked horizontal bars, one (name, values, colour) series per segment kind; counts are
        written inside their segment, and an empty segment is left out rather than labelled « 0 »."""
        donnees = CategoryChartData(number_format="0")
        donnees.categories = list(categories)
        for nom_serie, valeurs, _ in series:
            donnees.add_series(nom_serie, [float(v) if v else None for v in valeurs])
        forme = self._graphique(XL_CHART_TYPE.BAR_STACKED, boite, donnees, nom)
        chart = forme.chart
        plot = chart.plots[0]
        plot.gap_width = 50
        plot.overlap = 100
        totaux = [sum(float(v or 0) for v in valeurs) for valeurs in zip(*(s[1] for s in series), strict=True)]
        chart.value_axis.minimum_scale = 0
        chart.value_axis.maximum_scale = max(totaux, default=0.0) or 1.0
        plot.has_data_labels = True
        etiquettes = plot.data_labels
        etiquettes.number_format, etiquettes.number_format_is_linked = "0", False
        etiquettes.position = XL_LABEL_POSITION.CENTER
        etiquettes.font.size, etiquettes.font.bold, etiquettes.font.color.rgb = Pt(TAILLE_GRAPHIQUE), True, BLANC
        for serie, (_, _, couleur) in zip(plot.series, series, strict=True):
            serie.format.fill.solid()
            serie.format.fill.fore_color.rgb = _rgb(couleur)
        return forme

    def _graphique(
        self, genre: Any, boite: tuple[float, float, float, float], donnees: CategoryChartData, nom: str
    ) -> Any:
        """A chart frame with the deck's look: no title nor legend (the slide says both), value axis hidden
        (bars carry their labels), categories read top to bottom at the projector's minimum size."""
        x, y, w, h = boite
        forme = self.slide.shapes.add_chart(genre, Inches(x), Inches(y), Inches(w), Inches(h), donnees)
        forme.name = nom
        chart = forme.chart
        chart.has_title = False
        chart.has_legend = False
        chart.font.name = POLICE
        chart.font.size = Pt(TAILLE_GRAPHIQUE)
        chart.font.color.rgb = NOIR
        chart.value_axis.visible = False
        chart.value_axis.has_major_gridlines = False
        axe = chart.category_axis
        axe.reverse_order = True
        axe.has_major_gridlines = False
        axe.format.line.color.rgb = GRIS
        _police(axe.tick_labels, TAILLE_GRAPHIQUE, NOIR)
        return forme

    def notes(self, lignes: Sequence[str]) -> None:
        """Speaker notes: the slide's automatic sentences and its sources, one paragraph each."""
        texte = "\n".join(ligne for ligne in lignes if ligne)
        if texte:
            self.slide.notes_slide.notes_text_frame.text = texte

    def source(self, texte: str) -> None:
        """The source line under the slide: two lines at most, cut with « … » (the notes cite it in full)."""
        largeur_pt = (LARGEUR_IN - 2 * MARGE_IN - 0.1) * 72
        self.texte(
            MARGE_IN,
            6.22,
            LARGEUR_IN - 2 * MARGE_IN,
            0.7,
            [ajuster(f"Source : {texte}", Style(False, True, TAILLE_MIN), largeur_pt, 2)],
            taille=TAILLE_MIN,
            couleur=GRIS,
            italique=True,
            nom="Source",
        )

    def tableau(
        self,
        x: float,
        y: float,
        largeurs: Sequence[float],
        entete: Sequence[str],
        lignes: Sequence[Sequence[str]],
        hauteur_ligne: float = 0.5,
        taille: int = TAILLE_MIN,
        alignements: Sequence[Any] | None = None,
        gras_premiere_ligne: bool = False,
        taille_entete: int = TAILLE_MIN,
    ) -> Any:
        """A plain table: dark header, zebra rows, every cell at ``taille`` pt."""
        n_lignes, n_cols = len(lignes) + 1, len(entete)
        forme = self.slide.shapes.add_table(
            n_lignes, n_cols, Inches(x), Inches(y), Inches(sum(largeurs)), Inches(hauteur_ligne * n_lignes)
        )
        forme.name = "Tableau"
        table = forme.table
        for j, w in enumerate(largeurs):
            table.columns[j].width = Inches(w)
        for i in range(n_lignes):
            table.rows[i].height = Inches(hauteur_ligne)
        aligns = list(alignements or [PP_ALIGN.LEFT] * n_cols)
        for i, ligne in enumerate([list(entete), *[list(r) for r in lignes]]):
            for j, valeur in enumerate(ligne):
                cell = table.cell(i, j)
                cell.fill.solid()
                cell.fill.fore_color.rgb = BLEU if i == 0 else (GRIS_CLAIR if i % 2 == 0 else BLANC)
                cell.vertical_anchor = MSO_ANCHOR.MIDDLE
                for marge in ("margin_left", "margin_right"):
                    setattr(cell, marge, Inches(0.08))
                for marge in ("margin_top", "margin_bottom"):
                    setattr(cell, marge, Inches(0.03))
                tf = cell.text_frame
                tf.word_wrap = True
                p = tf.paragraphs[0]
                p.alignment = PP_ALIGN.LEFT if i == 0 and j == 0 else aligns[j]
                run = p.add_run()
                run.text = str(valeur)
                run.font.name = POLICE
                run.font.size = Pt(taille_entete if i == 0 else taille)
                run.font.bold = i == 0 or (gras_premiere_ligne and i == 1)
                run.font.color.rgb = BLANC if i == 0 else NOIR
        return forme


class Deck:
    """The presentation (16:9) and the footer added once the slide count is known."""

    def __init__(self, demo: bool, pied: str, titre: str = "Comité de pilotage ESS") -> None:
        self.prs = Presentation()
        self.prs.slide_width = Inches(LARGEUR_IN)
        self.prs.slide_height = Inches(HAUTEUR_IN)
        proprietes = self.prs.core_properties  # shown by PowerPoint, carried into the PDF's metadata
        proprietes.title, proprietes.author, proprietes.language = titre, "ESS Territoires", "fr-FR"
        self.demo = demo
        self.pied = pied

    def diapo(self, titre: str | None) -> Diapo:
        return Diapo(self, titre)

    def terminer(self) -> bytes:
        n = len(self.prs.slides)
        for i, slide in enumerate(self.prs.slides, start=1):
            d = Diapo.__new__(Diapo)
            d.deck, d.slide, d.titre = self, slide, None
            d.texte(MARGE_IN, 6.95, 10.5, 0.45, [self.pied], taille=TAILLE_MIN, couleur=GRIS, nom="Pied de page")
            d.texte(
                LARGEUR_IN - MARGE_IN - 1.5,
                6.95,
                1.5,
                0.45,
                [f"{i} / {n}"],
                taille=TAILLE_MIN,
                couleur=GRIS,
                align=PP_ALIGN.RIGHT,
                nom="Numéro",
            )
        buf = io.BytesIO()
        self.prs.save(buf)
        return buf.getvalue()


def taille_png(donnees: bytes) -> tuple[int, int]:
    """Width and height of a PNG from its IHDR chunk (no image library needed)."""
    if donnees[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("pas un PNG")
    largeur, hauteur = struct.unpack(">II", donnees[16:24])
    return int(largeur), int(hauteur)
