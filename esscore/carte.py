"""Initiative map, drawing side: view choice, server-side aggregation into points, bubbles or hexagons,
initiatives' counts, and the pydeck builder. Every database read (filters, queries, outlines) is in
:mod:`esscore.carte_donnees`; this module only turns its rows into layers.

Why server-side aggregation: pydeck ships every point to the browser as JSON (~220 bytes each), and a
département or national view holds tens of thousands of establishments. Above :data:`POINTS_MAX`
located points the map shows one bubble per commune, or hexagons (binned by DuckDB without H3, drawn
here with pandas), so a view stays well under 2 MB whatever the territory. Sizes and colours are
columns computed here, never deck.gl expressions (the browser refuses function calls in them).

Why dedicated tooltip columns and a *text* tooltip: names come from outside (SIRENE, GoGoCarto exports)
and must show as typed, ``<script>`` included. Streamlit 1.67 already HTML-escapes the values it puts in
an ``html`` tooltip, so escaping them here too showed « &lt;img… » to users (checked in Chromium); a
``text`` tooltip is set by deck.gl with ``innerText`` and cannot turn any value into markup, whatever the
Streamlit version. Each layer carries the same ``titre``/``ligne1..3`` columns, cleaned here (one line,
capped). Non-diffusible establishments never carry a name or a position: they are counted, listed as
« [non diffusible] », and placed only through their commune.
"""

from __future__ import annotations

import hashlib
import math
import re
from dataclasses import dataclass, field
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import pydeck as pdk

from esscore import carte_donnees, ess, maps
from esscore import initiatives as ini
from esscore.geography import Territoire
from esscore.indicators import is_secret
from esscore.labels import fmt_dec, fmt_int
from esscore.sources import citation
from esscore.text import normalize

# The map's database reads live in esscore.carte_donnees; re-exported here because the page, the tests and
# the benchmarks call them as ``carte.X``.
Filtres = carte_donnees.Filtres
POINTS_MAX, LISTE_MAX = carte_donnees.POINTS_MAX, carte_donnees.LISTE_MAX
COLONNES_INITIATIVES = carte_donnees.COLONNES_INITIATIVES
comptes_etablissements = carte_donnees.comptes_etablissements
resume_etablissements = carte_donnees.resume_etablissements
points_etablissements = carte_donnees.points_etablissements
communes_etablissements = carte_donnees.communes_etablissements
cellules_hexagones = carte_donnees.cellules_hexagones
liste_etablissements = carte_donnees.liste_etablissements
initiatives_territoire = carte_donnees.initiatives_territoire
emprise = carte_donnees.emprise
contours_fond = carte_donnees.contours_fond

COMMUNES_MAX = 6000  # commune bubbles up to this many communes, hexagons beyond (national view)
HEX_COLONNES = 70  # hexagons across the width of the territory
NON_DIFFUSIBLE = "[non diffusible]"

COUCHE_TOUT, COUCHE_ETAB, COUCHE_INIT = "Tout", "Établissements", "Initiatives"
COUCHES: tuple[str, ...] = (COUCHE_TOUT, COUCHE_ETAB, COUCHE_INIT)
VUE_AUTO, VUE_POINTS, VUE_COMMUNES, VUE_HEX = "Automatique", "Points", "Communes", "Hexagones"
VUES: tuple[str, ...] = (VUE_AUTO, VUE_POINTS, VUE_COMMUNES, VUE_HEX)

FAMILLES: tuple[str, ...] = (*ess.FAMILLES, "Autres")
# Okabe-Ito hues (distinguishable with the common colour-vision deficiencies), darkened where needed so that every
# point stands out at 3:1 at least from the light map (#F2F2F2: 3.4:1 to 4.6:1; 3.8:1 to 5.2:1 on white), the
# contrast WCAG 2.1 AA asks of graphical objects (1.4.11). Okabe-Ito's sky blue gave way to a purple, told apart
# from the associations' blue once darkened.
COULEURS_FAMILLES: dict[str, tuple[int, int, int]] = {
    "Associations": (0, 114, 178),
    "Coopératives": (174, 120, 0),
    "Mutuelles": (0, 148, 108),
    "Fondations": (196, 99, 152),
    "Autres organismes privés à but non lucratif": (117, 85, 170),
    "Sociétés commerciales de l'ESS": (213, 94, 0),
    "Autres": (110, 110, 110),
}
COULEUR_INITIATIVE_CONTOUR = (20, 20, 20)
# A *text* tooltip: deck.gl sets it with innerText, so no name can ever become markup (see module docstring).
INFOBULLE = "{t}\n{l1}\n{l2}\n{l3}"
INFOBULLE_STYLE = {
    "text": INFOBULLE,
    "style": {"backgroundColor": "#1f2937", "color": "white", "fontSize": "13px", "whiteSpace": "pre-line"},
}
INFOBULLE_LONGUEUR_MAX = 80  # SIRENE names rarely exceed it; keeps a 5 000-point view under 2 MB
COLONNES_INFOBULLE = ("titre", "ligne1", "ligne2", "ligne3")
# Short keys in the JSON sent to the browser (× 5 000 points, every byte counts).
CLES_JSON = {"titre": "t", "ligne1": "l1", "ligne2": "l2", "ligne3": "l3", "couleur": "c"}
RAYON_MIN_PX, RAYON_POINT_MAX_PX, RAYON_BULLE_MAX_PX = 3.0, 22.0, 34.0


# ---------------------------------------------------------------------------------------------
# Tooltip text
# ---------------------------------------------------------------------------------------------


# Characters that need the slow path: controls, invisible/bidi marks, line separators, braces.
_A_NETTOYER = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff{}]|\s\s")


def texte_infobulle(valeur: object) -> str:
    """One tooltip line: one line of plain text, capped, braces made inert.

    Streamlit fills ``{champ}`` placeholders one after the other, so a ``{ligne1}`` inside a name would
    capture the next value: braces are swapped for their full-width look-alikes (display only).
    """
    if valeur is None or (isinstance(valeur, float) and math.isnan(valeur)):
        return ""
    texte = str(valeur)
    if len(texte) <= INFOBULLE_LONGUEUR_MAX and not _A_NETTOYER.search(texte) and texte == texte.strip():
        return texte  # fast path: already one clean line (almost every name)
    texte, tronque = ini.nettoyer_texte(texte, INFOBULLE_LONGUEUR_MAX)
    return texte.replace("{", "\uff5b").replace("}", "\uff5d") + ("…" if tronque else "")


def entier(valeur: float) -> str:
    """French integer (« 12 345 », narrow no-break space as babel's fr_FR), fast enough for thousands of rows."""
    return f"{round(float(valeur)):,}".replace(",", "\u202f")


def en_objets(frame: pd.DataFrame) -> pd.DataFrame:
    """Text columns as plain Python objects, same values. Why: query results hold Arrow-backed text, where each
    operation (concatenation, mask, per-family selection) goes through pyarrow at a fixed cost that dominated
    small maps (a 32-establishment commune: 13 ms in pyarrow ``take`` alone, before this)."""
    texte = [c for c in frame.columns if pd.api.types.is_string_dtype(frame[c].dtype) and frame[c].dtype != object]
    return frame.astype({c: object for c in texte}) if texte else frame


def _colonnes_infobulle(frame: pd.DataFrame) -> pd.DataFrame:
    for col in COLONNES_INFOBULLE:
        # to_numpy(object) first: iterating an Arrow-backed column boxes each value slowly (~1 µs a value)
        frame[col] = [texte_infobulle(v) for v in frame[col].to_numpy(dtype=object)] if col in frame else ""
    return frame


# ---------------------------------------------------------------------------------------------
# Initiatives (layer 2)
# ---------------------------------------------------------------------------------------------


def filtrer_initiatives(df: pd.DataFrame, f: Filtres, sauf: str | None = None) -> pd.DataFrame:
    """Apply the filters (all but facet ``sauf``); sector and size filters do not apply to initiatives."""
    masque = pd.Series(True, index=df.index)
    if f.familles and sauf != "famille":
        masque &= df["famille"].isin(f.familles)
    if f.statuts and sauf != "statut":
        masque &= df["statut"].isin(f.statuts)
    if f.thematiques and sauf != "thematique":
        voulues = set(f.thematiques)
        masque &= np.array([bool(voulues & set(t)) for t in df["thematiques"]], dtype=bool)
    if f.texte_norm:
        cible = (df["nom"].fillna("") + " " + df["description"].fillna("")).map(normalize)
        masque &= cible.str.contains(f.texte_norm, regex=False)
    return df[masque]


def comptes_initiatives(df: pd.DataFrame, f: Filtres) -> pd.DataFrame:
    """(facette, categorie, nombre) for famille, statut and thématique, GoGoCarto style."""
    morceaux = []
    for facette, colonne in (("famille", "famille"), ("statut", "statut"), ("thematique", "thematiques")):
        sel = filtrer_initiatives(df, f, sauf=facette)
        valeurs = sel[colonne].explode() if colonne == "thematiques" else sel[colonne]
        comptes = valeurs.dropna().value_counts()
        morceaux.append(pd.DataFrame({"facette": facette, "categorie": comptes.index, "nombre": comptes.to_numpy()}))
    sortie = pd.concat(morceaux, ignore_index=True)
    return sortie.sort_values(["facette", "nombre", "categorie"], ascending=[True, False, True], ignore_index=True)


def _disperser(lon: pd.Series, lat: pd.Series, pas_deg: float = 0.0022) -> tuple[np.ndarray, np.ndarray]:
    """Spread initiatives sharing one point (commune centre) on a small sunflower, ~250 m apart."""
    x, y = lon.to_numpy(dtype=float).copy(), lat.to_numpy(dtype=float).copy()
    vus: dict[tuple[float, float], int] = {}
    for i, cle in enumerate(zip(np.round(x, 4), np.round(y, 4), strict=True)):
        k = vus.get(cle, 0)
        vus[cle] = k + 1
        if k:
            angle = math.radians(137.508 * k)
            rayon = pas_deg * math.sqrt(k)
            x[i] += rayon * math.cos(angle) / max(math.cos(math.radians(y[i])), 0.2)
            y[i] += rayon * math.sin(angle)
    return x, y


def points_initiatives(df: pd.DataFrame) -> pd.DataFrame:
    """Map rows of initiatives: position (spread when shared), family, plain-text tooltip columns."""
    sortie = pd.DataFrame(index=df.index)
    if df.empty:
        return pd.DataFrame(columns=["lon", "lat", "famille", *COLONNES_INFOBULLE])
    x, y = _disperser(df["lon"], df["lat"])
    sortie["lon"], sortie["lat"] = np.round(x, 5), np.round(y, 5)
    sortie["famille"] = df["famille"].fillna("Autres").where(df["famille"].isin(FAMILLES), "Autres")
    sortie["titre"] = df["nom"]
    sortie["ligne1"] = "Initiative · " + df["statut"].fillna("autre") + " · " + df["famille"].fillna("Autres")
    approx = np.where(df["precision"] == "commune", " (position : centre de la commune)", "")
    sortie["ligne2"] = df["commune_nom"].fillna("") + approx
    sortie["ligne3"] = [", ".join(t) for t in df["thematiques"]]
    return _colonnes_infobulle(sortie)


# ---------------------------------------------------------------------------------------------
# View choice and aggregation
# ---------------------------------------------------------------------------------------------


def choisir_vue(demandee: str, localises: int, communes: int, type_territoire: str = "epci") -> tuple[str, str | None]:
    """Points when few enough, else commune bubbles, else hexagons; returns (vue, French note or None).

    A big EPCI or commune (Paris, Lyon) gets hexagons rather than a handful of huge commune bubbles.
    """
    if localises <= POINTS_MAX:
        auto = VUE_POINTS
    elif type_territoire in ("commune", "epci") or communes > COMMUNES_MAX:
        auto = VUE_HEX
    else:
        auto = VUE_COMMUNES
    if demandee == VUE_POINTS and localises > POINTS_MAX:
        return auto, (
            f"Trop d'établissements pour les afficher un par un ({fmt_int(localises)} > {fmt_int(POINTS_MAX)}) : "
            "vue agrégée. Choisissez un EPCI ou affinez les filtres pour voir chaque établissement."
        )
    if demandee == VUE_COMMUNES and communes > COMMUNES_MAX:
        return VUE_HEX, f"Trop de communes ({fmt_int(communes)}) : vue par hexagones."
    if demandee in (VUE_POINTS, VUE_COMMUNES, VUE_HEX):
        return demandee, None
    return auto, None


def rayons(valeurs: pd.Series, rmin: float, rmax: float, reference: float | None = None) -> pd.Series:
    """Pixel radius with area proportional to the value: ``rmin + (rmax - rmin) * sqrt(v / reference)``."""
    v = pd.to_numeric(valeurs, errors="coerce").fillna(0).clip(lower=0)
    ref = reference if reference is not None else (float(v.max()) if len(v) else 0.0)
    if ref <= 0:
        return pd.Series(rmin, index=v.index)
    return (rmin + (rmax - rmin) * np.sqrt((v / ref).clip(upper=1.0))).round(1)


def points_etablissements_carte(points: pd.DataFrame) -> pd.DataFrame:
    """Map rows of individual establishments: size from estimated employees, plain-text tooltips."""
    if points.empty:
        return pd.DataFrame(columns=["lon", "lat", "r", "famille", *COLONNES_INFOBULLE])
    points = en_objets(points)
    sortie = pd.DataFrame(
        {
            "lon": points["lon"].astype(float).round(5),
            "lat": points["lat"].astype(float).round(5),
            # A 1 000-employee establishment gets the largest dot; sqrt keeps areas proportional.
            "r": rayons(points["salaries"], RAYON_MIN_PX, RAYON_POINT_MAX_PX, reference=1000.0),
            "famille": points["famille"],
            "titre": points["nom"],
            "ligne1": points["famille"].fillna("") + " · " + points["secteur"].fillna(""),
            "ligne2": points["commune"].fillna("") + " (" + points["code_commune"].fillna("") + ")",
            "ligne3": "Effectif : " + points["tranche"].fillna("non renseigné"),
        }
    )
    return _colonnes_infobulle(sortie)


def _ligne_comptes(etablissements: float, employeurs: float) -> str:
    n, e = int(etablissements), int(employeurs)
    return f"{entier(n)} établissement{'s' if n > 1 else ''} ESS, dont {entier(e)} employeur{'s' if e > 1 else ''}"


def _ligne_salaries(employeurs: float, salaries: float, max_salaries: float) -> tuple[str, bool]:
    if is_secret(employeurs, salaries, max_salaries):
        return "Salariés estimés : s (secret statistique)", True
    return f"Salariés estimés : {entier(salaries)}", False


def rayon_bulle_max(n: int) -> float:
    """Largest bubble: 34 px for a few hundred communes, smaller when thousands share the screen."""
    return float(min(RAYON_BULLE_MAX_PX, max(8.0, RAYON_BULLE_MAX_PX * math.sqrt(300 / max(n, 1)))))


def bulles_communes(communes: pd.DataFrame) -> pd.DataFrame:
    """Commune bubbles: area ∝ estimated employees (secret cells drawn at the minimum size)."""
    if communes.empty:
        return pd.DataFrame(columns=["lon", "lat", "r", "famille", *COLONNES_INFOBULLE])
    lignes = [
        _ligne_salaries(e, s, m)
        for e, s, m in zip(communes["employeurs"], communes["salaries"], communes["max_salaries"], strict=True)
    ]
    secret = pd.Series([s for _, s in lignes], index=communes.index)
    visibles = communes["salaries"].where(~secret, 0)
    sortie = pd.DataFrame(
        {
            "lon": communes["lon"].astype(float).round(5),
            "lat": communes["lat"].astype(float).round(5),
            "r": rayons(visibles, RAYON_MIN_PX, rayon_bulle_max(len(communes))),
            "famille": communes["famille"],
            "code": communes["code"],  # lets a click on the bubble open the commune's EPCI
            "titre": communes["nom"] + " (" + communes["code"] + ")",
            "ligne1": [
                _ligne_comptes(n, e) for n, e in zip(communes["etablissements"], communes["employeurs"], strict=True)
            ],
            "ligne2": [t for t, _ in lignes],
            "ligne3": "Famille principale : " + communes["famille"].fillna(""),
        }
    )
    return _colonnes_infobulle(sortie)


_R_TERRE = 6378137.0


def _mercator(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    lat = np.clip(lat, -85.0, 85.0)
    return np.radians(lon) * _R_TERRE, np.log(np.tan(np.pi / 4 + np.radians(lat) / 2)) * _R_TERRE


def _mercator_inverse(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return np.degrees(x / _R_TERRE), np.degrees(2 * np.arctan(np.exp(y / _R_TERRE)) - np.pi / 2)


def taille_hexagone(emprise: tuple[float, float, float, float], colonnes: int = HEX_COLONNES) -> float:
    """Hexagon circumradius in Web Mercator metres: ``colonnes`` hexagons across the territory."""
    x0, _ = _mercator(np.array([emprise[0]]), np.array([emprise[1]]))
    x1, _ = _mercator(np.array([emprise[2]]), np.array([emprise[3]]))
    return max(float(x1[0] - x0[0]) / (1.5 * colonnes), 300.0)


def centres_hexagones(q: np.ndarray, r: np.ndarray, taille: float) -> tuple[np.ndarray, np.ndarray]:
    """Axial (q, r) → lon/lat of the hexagon centres."""
    x = taille * 1.5 * q.astype(float)
    y = taille * math.sqrt(3) * (r.astype(float) + q.astype(float) / 2)
    return _mercator_inverse(x, y)


def hexagones(cellules: pd.DataFrame, taille: float) -> pd.DataFrame:
    """Hexagons to draw: lon/lat ring, counts, colour by count, dominant family, tooltip columns.

    ``cellules`` holds one row per hexagon and family (see :func:`cellules_hexagones`); the secrecy
    rule applies to the employee estimate of each hexagon.
    """
    if cellules.empty:
        return pd.DataFrame(columns=["polygon", "etablissements", "famille", "couleur", *COLONNES_INFOBULLE])
    agg = cellules.groupby(["q", "r"], sort=True).agg(
        etablissements=("etablissements", "sum"),
        employeurs=("employeurs", "sum"),
        salaries=("salaries", "sum"),
        max_salaries=("max_salaries", "max"),
    )
    dominante = (
        cellules.sort_values(["q", "r", "etablissements", "famille"], ascending=[True, True, False, True])
        .drop_duplicates(["q", "r"]).set_index(["q", "r"])["famille"]
    )  # fmt: skip
    agg = agg.join(dominante).reset_index()
    centre_x = taille * 1.5 * agg["q"].to_numpy(float)
    centre_y = taille * math.sqrt(3) * (agg["r"].to_numpy(float) + agg["q"].to_numpy(float) / 2)
    angles = np.radians(np.arange(0, 360, 60))
    lon, lat = _mercator_inverse(
        centre_x[:, None] + taille * np.cos(angles)[None, :], centre_y[:, None] + taille * np.sin(angles)[None, :]
    )
    agg["polygon"] = np.round(np.stack([lon, lat], axis=2), 4).tolist()
    couleurs, _ = maps.color_scale(agg["etablissements"])
    agg["couleur"] = couleurs
    _, lat_centre = _mercator_inverse(np.array([0.0]), np.array([float(np.median(centre_y))]))
    largeur_km = 2 * taille * math.cos(math.radians(float(lat_centre[0]))) / 1000
    lignes = [
        _ligne_salaries(e, s, m)
        for e, s, m in zip(agg["employeurs"], agg["salaries"], agg["max_salaries"], strict=True)
    ]
    agg["titre"] = (
        f"Hexagone d'environ {fmt_dec(largeur_km, 1) if largeur_km < 10 else fmt_int(largeur_km)} km de large"
    )
    agg["ligne1"] = [_ligne_comptes(n, e) for n, e in zip(agg["etablissements"], agg["employeurs"], strict=True)]
    agg["ligne2"] = [t for t, _ in lignes]
    agg["ligne3"] = "Famille principale : " + agg["famille"].fillna("")
    return _colonnes_infobulle(agg[["polygon", "etablissements", "famille", "couleur", *COLONNES_INFOBULLE]].copy())


# ---------------------------------------------------------------------------------------------
# Basemap and deck
# ---------------------------------------------------------------------------------------------


# Line colour and width of each basemap layer (``carte_donnees.contours_fond``), by territory type.
GRIS_CLAIR, GRIS, FONCE = (200, 200, 200), (150, 150, 150), (60, 60, 60)
STYLES_FOND: dict[str, dict[str, tuple[tuple[int, int, int], float]]] = {
    "france": {"fond-departements": (GRIS, 0.6), "fond-regions": (FONCE, 1.2)},
    "region": {"fond-epci": (GRIS_CLAIR, 0.5), "fond-departements": (GRIS, 1), "fond-territoire": (FONCE, 2)},
    "departement": {"fond-epci": (GRIS, 0.7), "fond-territoire": (FONCE, 2)},
    "epci": {"fond-communes": (GRIS_CLAIR, 0.7), "fond-epci": (GRIS, 1.2)},
    "commune": {"fond-communes": (GRIS_CLAIR, 0.7), "fond-epci": (GRIS, 1.2), "fond-territoire": (FONCE, 2)},
}


def fond_de_carte(con: duckdb.DuckDBPyConnection, terr: Territoire) -> list[pdk.Layer]:
    """Our own basemap: outlines one level below the territory, and the territory's outline on top."""
    styles = STYLES_FOND[terr.type]
    return [
        maps.outline_layer(contours, layer_id, *styles[layer_id])
        for layer_id, contours in contours_fond(con, terr).items()
    ]


def empreinte(frame: pd.DataFrame | str) -> str:
    """Short fingerprint of a layer's data (a frame, or its JSON text), appended to its id.

    Why: the map keeps one Streamlit key (one WebGL context: re-creating it recompiles every shader, ~1 s
    in a software-rendered browser), and Streamlit re-applies a click selection by (layer id, row index).
    A new id for new data drops a selection made on other data instead of pointing it at another row.
    """
    if isinstance(frame, str):  # JSON text: rows in order, so a reordering changes it too
        return hashlib.blake2b(frame.encode("utf-8"), digest_size=4).hexdigest()
    listes = [c for c in frame.columns if len(frame) and isinstance(frame[c].iloc[0], list | np.ndarray)]
    hachable = frame.assign(**{c: frame[c].map(str) for c in listes}) if listes else frame
    lignes = pd.util.hash_pandas_object(hachable, index=False).to_numpy()
    return hashlib.blake2b(lignes.tobytes(), digest_size=4).hexdigest()  # order matters: selections are by row


def donnees_json(frame: pd.DataFrame) -> str:
    """A layer's rows as the JSON deck.gl reads (one object per row), written by pandas in C: the same values as
    pydeck's row-by-row ``to_dict`` + ``json.dumps`` (4 ms instead of 20 for the 2 470 points of an EPCI); pandas
    writes « / » as « \\/ », the same string once parsed."""
    return frame.to_json(orient="records", force_ascii=False)  # 10 decimals: values are rounded to 5


def couche_json(type_: str, donnees: pd.DataFrame, prefixe: str, brutes: dict[str, str], **props: Any) -> pdk.Layer:
    """A layer whose data is written once as JSON (``donnees_json``) and spliced into the deck's JSON by
    ``maps.CompactDeck.to_json`` (``brutes``: token → JSON text); its id ends with the data's fingerprint."""
    texte = donnees_json(donnees)
    ident = f"{prefixe}-{empreinte(texte)}"
    brutes[f"__ess_donnees_{ident}__"] = texte
    return pdk.Layer(type_, data=f"__ess_donnees_{ident}__", id=ident, **props)


def _couches_par_famille(frame: pd.DataFrame, prefixe: str, brutes: dict[str, str], **style: Any) -> list[pdk.Layer]:
    """One ScatterplotLayer per family: the colour is a constant, not a column (smaller payload)."""
    couches = []
    colonnes = ["lon", "lat", *(c for c in ("r", "code") if c in frame), *COLONNES_INFOBULLE]
    tableau = en_objets(frame[colonnes]).rename(columns=CLES_JSON)
    familles = frame["famille"].to_numpy(dtype=object)
    for i, famille in enumerate(FAMILLES):
        masque = familles == famille
        if not masque.any():
            continue
        couleur = list(COULEURS_FAMILLES[famille])
        donnees = tableau[masque]
        couches.append(
            couche_json(
                "ScatterplotLayer",
                donnees,
                f"{prefixe}-{i}",
                brutes,
                get_position=["lon", "lat"],
                get_fill_color=[*couleur, style.get("alpha", 200)],
                get_line_color=list(style.get("contour", (255, 255, 255))),
                get_radius="r" if "r" in frame else style.get("rayon", 6),
                radius_units="'pixels'",  # quoted: pydeck turns bare strings into expressions,
                stroked=True,
                line_width_units="'pixels'",
                get_line_width=style.get("epaisseur", 0.5),
                pickable=True,
                auto_highlight=True,
            )
        )
    return couches


@dataclass
class Carte:
    """What the page shows: the deck, the view actually used, and notes for the user."""

    deck: maps.CompactDeck
    vue: str
    notes: list[str] = field(default_factory=list)
    elements: int = 0  # drawn objects (points, bubbles or hexagons, plus initiatives)
    sans_position: int = 0  # establishments counted but not drawn (non-diffusible or not located)

    def note_sans_position(self) -> str | None:
        """French caption for the establishments the point view cannot draw."""
        n = self.sans_position
        if not n:
            return None
        s = "s" if n > 1 else ""
        return (
            f"{fmt_int(n)} établissement{s} sans position publique ({NON_DIFFUSIBLE} ou non géolocalisé{s}) : "
            f"compté{s} et listé{s} dans le tableau, absent{s} de la carte."
        )


def construire_deck(
    fond: list[pdk.Layer],
    vue: str,
    donnees: pd.DataFrame | None,
    initiatives: pd.DataFrame | None,
    view: pdk.ViewState,
) -> maps.CompactDeck:
    """Basemap + establishments (points, bubbles or hexagons) + initiatives, one plain-text tooltip."""
    couches = list(fond)
    brutes: dict[str, str] = {}  # layers' data written once as JSON text (``couche_json``)
    if donnees is not None and not donnees.empty:
        if vue == VUE_HEX:
            hexagones = donnees[["polygon", "couleur", *COLONNES_INFOBULLE]].rename(columns=CLES_JSON)
            couches.append(
                couche_json(
                    "PolygonLayer",
                    hexagones,
                    "etablissements-hexagones",
                    brutes,
                    get_polygon="polygon",
                    get_fill_color="c",
                    get_line_color=[255, 255, 255],
                    line_width_min_pixels=0.5,
                    filled=True,
                    stroked=True,
                    opacity=0.8,
                    pickable=True,
                    auto_highlight=True,
                )
            )
        else:
            prefixe = "etablissements-communes" if vue == VUE_COMMUNES else "etablissements-points"
            couches += _couches_par_famille(donnees, prefixe, brutes, alpha=170 if vue == VUE_COMMUNES else 200)
    if initiatives is not None and not initiatives.empty:
        couches += _couches_par_famille(
            initiatives, "initiatives", brutes, alpha=255, contour=COULEUR_INITIATIVE_CONTOUR, epaisseur=2, rayon=7
        )
    deck = maps.deck(couches, view, tooltip=INFOBULLE_STYLE)
    deck.__dict__["_raw"] = brutes  # spliced in by CompactDeck.to_json
    return deck


def donnees_etablissements(
    con: duckdb.DuckDBPyConnection,
    terr: Territoire,
    f: Filtres,
    vue_demandee: str = VUE_AUTO,
    perimetre: str = "statistique",
    resume: dict[str, float] | None = None,
) -> tuple[str, pd.DataFrame, list[str], int]:
    """(view used, map rows, notes, establishments without a public position) for layer 1; ``resume``: the
    selection's totals (``resume_etablissements``) when the caller already has them."""
    if resume is None:
        resume = resume_etablissements(con, terr.id, f, perimetre)
    vue, note = choisir_vue(vue_demandee, int(resume["localises"]), int(resume["communes"]), terr.type)
    notes = [note] if note else []
    absents = 0
    if vue == VUE_POINTS:
        donnees = points_etablissements_carte(points_etablissements(con, terr.id, f, perimetre))
        absents = int(resume["non_diffusibles"] + resume["sans_position"])
    elif vue == VUE_COMMUNES:
        donnees = bulles_communes(communes_etablissements(con, terr.id, f, perimetre))
    else:
        taille = taille_hexagone(emprise(con, terr))
        donnees = hexagones(cellules_hexagones(con, terr.id, f, taille, perimetre), taille)
    return vue, donnees, notes, absents


def vue_initiale(con: duckdb.DuckDBPyConnection, terr: Territoire) -> pdk.ViewState:
    """Centre and zoom framing the territory in a ~700 × 560 px map."""
    return maps.view_for_bounds(emprise(con, terr), width_px=700, height_px=560)


def assembler(
    fond: list[pdk.Layer],
    view: pdk.ViewState,
    etablissements: tuple[str, pd.DataFrame, list[str], int] | None,
    initiatives: pd.DataFrame | None,
) -> Carte:
    """Deck and notes from already computed parts (the app caches each part on its own key)."""
    vue, etab, notes, absents = etablissements if etablissements is not None else (VUE_POINTS, None, [], 0)
    init = points_initiatives(initiatives) if initiatives is not None else None
    deck = construire_deck(fond, vue, etab, init, view)
    elements = (0 if etab is None else len(etab)) + (0 if init is None else len(init))
    return Carte(deck=deck, vue=vue, notes=list(notes), elements=elements, sans_position=absents)


def carte(
    con: duckdb.DuckDBPyConnection,
    terr: Territoire,
    f: Filtres,
    couche: str = COUCHE_TOUT,
    vue_demandee: str = VUE_AUTO,
    perimetre: str = "statistique",
) -> Carte:
    """The whole map of a territory for the given filters and layer choice."""
    etab = donnees_etablissements(con, terr, f, vue_demandee, perimetre) if couche != COUCHE_INIT else None
    init = filtrer_initiatives(initiatives_territoire(con, terr.id), f) if couche != COUCHE_ETAB else None
    return assembler(fond_de_carte(con, terr), vue_initiale(con, terr), etab, init)


def taille_json(deck: pdk.Deck) -> int:
    """Bytes of the map payload (what Streamlit sends to the browser)."""
    return len(deck.to_json().encode("utf-8"))


# ---------------------------------------------------------------------------------------------
# Table and exports
# ---------------------------------------------------------------------------------------------


def table_etablissements(liste: pd.DataFrame) -> pd.DataFrame:
    """On-screen table: French headers, no coordinates."""
    return liste.rename(
        columns={
            "nom": "Nom",
            "siret": "SIRET",
            "famille": "Famille",
            "secteur": "Secteur",
            "taille": "Taille",
            "tranche_effectifs": "Effectif",
            "commune": "Commune",
            "code_commune": "Code commune",
        }
    )[["Nom", "Famille", "Secteur", "Effectif", "Commune", "Code commune", "SIRET"]]


def table_initiatives(df: pd.DataFrame) -> pd.DataFrame:
    sortie = pd.DataFrame(
        {
            "Nom": df["nom"],
            "Statut": df["statut"],
            "Famille": df["famille"],
            "Thématiques": [", ".join(t) for t in df["thematiques"]],
            "Commune": df["commune_nom"],
            "Site web": df["site_web"],
            "Source": [citation(src) for src in df["source"]],
        }
    )
    return sortie.reset_index(drop=True)


def export_initiatives(df: pd.DataFrame) -> pd.DataFrame:
    """Flat initiatives for CSV (thématiques joined with « ; »)."""
    sortie = df[list(COLONNES_INITIATIVES)].copy()
    sortie["thematiques"] = [";".join(t) for t in sortie["thematiques"]]
    return sortie.reset_index(drop=True)


def geojson_initiatives(df: pd.DataFrame) -> dict[str, Any]:
    return ini.to_geojson(df[list(COLONNES_INITIATIVES)])
