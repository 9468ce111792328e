"""The COPIL deck: one PowerPoint file (16:9) a steering committee can project without touching it.

Why a pure builder: the CLI (``esscore export copil``), the pages' download buttons and the benchmark script
share it, and tests open its output with python-pptx. It gathers plain data first (``donnees_copil``), then
draws the slides (``dessiner_copil``): charts and the map are Altair specs rendered offline to PNG with
vl-convert, never a web service. Every text is at least 14 pt and every title at least 28 pt, so the deck
stays readable on a projector; when the ESS figures are synthetic, every slide says so.

A PDF of the same slides is produced without LibreOffice: ``apercu`` redraws each slide of the PPTX with
Pillow (already a dependency of Streamlit), and ``pdf_depuis_pptx`` stacks those images into a PDF. The
text of that PDF is an image (not selectable); the PPTX stays the reference document.

One module per layer, each importing only those above it:

- ``formats``: French display of values and texts (no drawing);
- ``donnees``: gathering the figures (``DonneesCopil``), peers, ranks, map polygons, roadmap, fiches (no pptx);
- ``graphiques``: the Altair charts and map, rendered to PNG by vl-convert;
- ``gabarit``: the python-pptx toolkit (the look, ``Diapo``, ``Deck``);
- ``diapos``: what each slide says, ``dessiner_copil`` and ``build_copil``;
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
from esscore.copil.graphiques import (
    COULEURS_ETATS,
    PALETTE_CARTE,
    classes_carte,
    graphique_avancement,
    graphique_barres,
    graphique_carte,
    png,
    seuils,
)
from esscore.copil.pdf import Apercu, apercu, nombre_diapositives, pdf_depuis_pptx, resume_texte

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
    "graphique_avancement",
    "graphique_barres",
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
    "nombre_diapositives",
    "pdf_depuis_pptx",
    "resume_texte",
]
