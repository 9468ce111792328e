"""Positions of the demonstration establishments: inside their commune's outline, spread like addresses.

Why: the first demonstration jittered every point in a disc around the commune centre, which showed on the map
as perfect discs (Paris as a hexagon of points, Saint-Denis de La Réunion as a round blot): visibly fake. Here
each point is drawn inside the commune polygon (the shipped outlines, ``data/geographie/contours_communes``,
projected in the département's CRS like SIRENE's coordinates), from a mixture that resembles addresses: about
half near the centre (the town centre, exponential in distance, so denser in the middle), the rest anywhere in
the commune (villages, hamlets, activity zones). A draw that falls outside the outline is drawn again; after a
few rounds what is left takes a point on the polygon's surface, so no point is ever outside its commune.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer

PART_CENTRE = 0.55  # share of the points drawn around the centre
ECHELLE_CENTRE = 0.35  # mean distance to the centre, in equivalent radii (sqrt(area / pi))
TOURS = 25


def polygones(codes: np.ndarray, epsg: np.ndarray, contours: pd.DataFrame | None) -> np.ndarray:
    """One projected (multi)polygon per commune code, ``None`` where no outline is given; ``contours``: code,
    geojson (WGS84, as in the shipped file). Each commune is projected in its own CRS (``epsg``, per commune)."""
    out = np.full(len(codes), None, dtype=object)
    if contours is None or contours.empty:
        return out
    par_code = dict(zip(contours["code"].astype(str), contours["geojson"], strict=True))
    textes = np.array([par_code.get(c) for c in codes], dtype=object)
    presents = np.flatnonzero(pd.notna(textes))
    geoms = shapely.from_geojson(textes[presents], on_invalid="ignore")  # object array: no fixed-width copy
    for code in np.unique(epsg[presents]):
        sel = epsg[presents] == code
        tr = Transformer.from_crs(4326, int(code), always_xy=True)
        projetes = shapely.transform(geoms[sel], lambda xy, tr=tr: np.column_stack(tr.transform(xy[:, 0], xy[:, 1])))
        out[presents[sel]] = projetes
    valides = np.array([g is not None and not shapely.is_empty(g) for g in out])
    out[~valides] = None
    shapely.prepare(out[valides])
    return out


def tirer(
    rng: np.random.Generator, polys: np.ndarray, centre_x: np.ndarray, centre_y: np.ndarray, idx: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """One point per entry of ``idx`` (commune indexes, all with a polygon), inside ``polys[idx]``."""
    n = len(idx)
    x, y = np.full(n, np.nan), np.full(n, np.nan)
    geoms = polys[idx]
    xmin, ymin, xmax, ymax = shapely.bounds(geoms).T
    rayon = np.sqrt(shapely.area(geoms) / np.pi)
    cx = np.where(np.isfinite(centre_x[idx]), centre_x[idx], (xmin + xmax) / 2)
    cy = np.where(np.isfinite(centre_y[idx]), centre_y[idx], (ymin + ymax) / 2)
    centre = rng.random(n) < PART_CENTRE
    reste = np.arange(n)
    for _ in range(TOURS):
        if not len(reste):
            break
        k = len(reste)
        theta = rng.random(k) * 2 * np.pi
        r = rng.exponential(ECHELLE_CENTRE, k) * rayon[reste]
        ux, uy = rng.random(k), rng.random(k)
        px = np.where(centre[reste], cx[reste] + r * np.cos(theta), xmin[reste] + ux * (xmax[reste] - xmin[reste]))
        py = np.where(centre[reste], cy[reste] + r * np.sin(theta), ymin[reste] + uy * (ymax[reste] - ymin[reste]))
        dedans = shapely.contains_xy(geoms[reste], px, py)
        x[reste[dedans]], y[reste[dedans]] = px[dedans], py[dedans]
        reste = reste[~dedans]
    if len(reste):
        surface = shapely.point_on_surface(geoms[reste])
        x[reste], y[reste] = shapely.get_x(surface), shapely.get_y(surface)
    return x, y
