"""The COPIL deck: one PowerPoint file (16:9) a steering committee can project without touching it.

Why a pure builder: the CLI (``esscore export copil``), the pages' download buttons and the benchmark script
share it, and tests open its output with python-pptx. It gathers plain data first (``donnees_copil``: the
peers are those chosen on the Comparaisons page when given, else ``comparaison.pairs_suggeres``), then draws
the slides (``dessiner_copil``): bar charts are native PowerPoint charts with their data embedded, only the
map is a picture (Altair rendered offline with vl-convert, never a web service). Each slide's speaker notes
carry the pages' automatic sentences (``esscore.phrases``) and its sources. Every text is at least 14 pt and
every title at least 28 pt, so the deck stays readable on a projector; cut lists say « + N autres »; when the
ESS figures are synthetic, every slide says so.

A PDF of the same slides is produced without LibreOffice: ``rendu`` lays every slide out in points with the
fonts' metrics, ``pdf_depuis_pptx`` draws that layout as text and vector shapes with reportlab (selectable,
searchable) and ``apercu`` as Pillow images, reporting any text that overflows its box.

One module per layer, each importing only those above it:

- ``formats``: French display of values and texts (no drawing);
- ``donnees``: gathering the figures (``DonneesCopil``), peers, ranks, map polygons, roadmap, fiches (no pptx);
- ``graphiques``: the map (Altair, rendered to PNG by vl-convert) and the charts' colours;
- ``gabarit``: the python-pptx toolkit (the look, ``Diapo`` with its native charts and notes, ``Deck``);
- ``notes``: the speaker notes of each slide (automatic sentences and sources);
- ``diapos``: what each slide says, ``dessiner_copil`` and ``build_copil``;
- ``rendu``: the layout of a finished deck in points (text wrapped with font metrics, charts from their data);
- ``pdf``: preview images, PDF and text summary of a finished deck.

``from esscore import copil`` gives the names below; helpers private to a layer are imported from it.
"""

from esscore.copil.diapos import CARTES_CHIFFRES, COLONNES_COMPARAISON, build_copil, dessiner_copil
from esscore.copil.donnees import (
    NB_FICHES,
    NB_PAIRS,
    DonneesCopil,
    FicheBenchmark,
    charger_catalogue,
    donnees_copil,
    feuille_du_territoire,
    fiches_pertinentes,
    poids_leviers,
)
from esscore.copil.formats import date_courte, date_longue, fmt
from esscore.copil.gabarit import DEMO_MENTION, Deck, Diapo, taille_png
from esscore.copil.graphiques import COULEURS_ETATS, PALETTE_CARTE, classes_carte, graphique_carte, png, seuils
from esscore.copil.pdf import Apercu, apercu, debordements, nombre_diapositives, pdf_depuis_pptx, resume_texte

__all__ = [
    # data
    "NB_FICHES",
    "NB_PAIRS",
    "DonneesCopil",
    "FicheBenchmark",
    "charger_catalogue",
    "donnees_copil",
    "feuille_du_territoire",
    "fiches_pertinentes",
    "poids_leviers",
    # charts
    "COULEURS_ETATS",
    "PALETTE_CARTE",
    "classes_carte",
    "graphique_carte",
    "png",
    "seuils",
    # slides
    "CARTES_CHIFFRES",
    "COLONNES_COMPARAISON",
    "DEMO_MENTION",
    "Deck",
    "Diapo",
    "build_copil",
    "date_courte",
    "date_longue",
    "dessiner_copil",
    "fmt",
    "taille_png",
    # preview and PDF
    "Apercu",
    "apercu",
    "debordements",
    "nombre_diapositives",
    "pdf_depuis_pptx",
    "resume_texte",
]
