"""Calibration of the demonstration below the département: sectors, named territories, large towns.

The generator (``esscore.demo``) draws every establishment per département at rates that meet the national and
département figures. These steps then move rows without changing any département's totals, so that what
officials know of their territory holds too (targets and sources: ``data/reference/cibles_demonstration.csv``):

- **sectors** (``caler_secteurs``): the private non-ESS employers of a sector are resized (their activity
  re-drawn among that sector's profiles, or moved to other sectors) so that the ESS share of the sector's
  private jobs meets the published share (ESS France: action sociale, sport, arts, enseignement, finance);
- **territories** (``caler_territoires``): for each territory with published figures (an EPCI, or an EPCI
  without one commune), the ESS employers placed there are chosen among the département's so that their
  number and their salariés meet the figures, the private employers so that the ESS share does; within the
  territory, the main commune receives the published part of the ESS employers;
- **large towns** (``caler_villes``): a commune of more than 50 000 inhabitants keeps an ESS share of its
  private jobs between 6 % and 24 % by exchanging private employers with the smaller communes of its
  département (of its territory when it belongs to one), then ESS employers when a few very large private
  establishments cannot move; a rule of plausibility: ESS weights of 5 to 25 % are what the observatories
  publish for large towns.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

VILLE_POPULATION = 50_000
PART_VILLE_MIN, PART_VILLE_MAX = 0.06, 0.24


@dataclass
class Lignes:
    """The rows the steps may move or re-draw, as views on the generator's arrays (edited in place)."""

    com: np.ndarray  # commune index of each row (edited)
    prof: np.ndarray  # activity profile of each row (edited)
    milieu: np.ndarray  # salariés counted for the row (band midpoint if an active employer, else 0)
    ess: np.ndarray  # ESS employer of the statistical perimeter, active, in France
    prive: np.ndarray  # non-ESS private employer that may move or change activity (companies, EI)
    prive_fixe: np.ndarray  # non-ESS private employer that stays (commercial companies of the ESS)
    societes: np.ndarray  # the private employers whose activity may be re-drawn (companies, not individuals)


@dataclass(frozen=True)
class Communes:
    """Per commune index: its département code and its population (read, never edited)."""

    dep: np.ndarray
    pop: np.ndarray


@dataclass(frozen=True)
class Territoire:
    """A territory with published figures: its communes (indexes, all in one département) and its targets."""

    communes: np.ndarray
    principale: int | None  # the commune of ``part_principale``
    employeurs: float
    salaries: float | None
    part_emploi_prive: float | None
    part_principale: float | None


def _prendre_somme(rng: np.random.Generator, lignes: np.ndarray, poids: np.ndarray, cible: float) -> np.ndarray:
    """Rows taken in random order whose weights add up to ``cible`` (to within 2): a row that would overshoot is
    passed over, so one large establishment never tips a small target."""
    pris: list[int] = []
    total = 0.0
    for i, w in zip(ordre := rng.permutation(lignes), poids[ordre], strict=True):
        if total >= cible - 2:
            break
        if total + w <= cible + 2:
            pris.append(int(i))
            total += float(w)
    return np.array(pris, dtype=np.int64)


def caler_secteurs(
    rng: np.random.Generator,
    l: Lignes,  # noqa: E741 - the rows, short on purpose in arithmetic-heavy code
    secteur_profil: np.ndarray,
    profils_secteur: dict[str, np.ndarray],
    parts: dict[str, float],
    general: np.ndarray,
) -> None:
    """Resize each targeted sector's private non-ESS jobs so that ESS jobs / (ESS + private) = ``parts[s]``.

    ``profils_secteur[s]``: private profiles of sector s (with their drawing weights' order irrelevant);
    ``general``: private profiles of sectors without a target, where surplus rows go.
    """
    cibles = set(parts)
    for secteur, part in parts.items():
        sec = secteur_profil[l.prof]
        ess_jobs = l.milieu[l.ess & (sec == secteur)].sum()
        voulu = ess_jobs * (1 - part) / part - l.milieu[l.prive_fixe & (sec == secteur)].sum()
        actuel = l.milieu[l.prive & (sec == secteur)].sum()
        if actuel > voulu:  # too many private jobs in the sector: some rows change to an untargeted activity
            lignes = _prendre_somme(rng, np.flatnonzero(l.societes & (sec == secteur)), l.milieu, actuel - voulu)
            l.prof[lignes] = rng.choice(general, len(lignes))
        elif actuel < voulu:
            hors = l.societes & ~np.isin(sec, list(cibles))
            lignes = _prendre_somme(rng, np.flatnonzero(hors), l.milieu, voulu - actuel)
            l.prof[lignes] = rng.choice(profils_secteur[secteur], len(lignes))


def caler_territoires(rng: np.random.Generator, lg: Lignes, communes: Communes, territoires: list[Territoire]) -> None:
    """Place in each territory the ESS and private employers that meet its figures (see the module docstring)."""
    dep, pop = communes.dep, communes.pop
    for t in territoires:
        d = dep[t.communes[0]]
        dans = np.isin(lg.com, t.communes)
        autour = np.flatnonzero((dep == d) & ~np.isin(np.arange(len(dep)), t.communes))
        pool = np.flatnonzero(lg.ess & (dep[np.maximum(lg.com, 0)] == d))
        choisis = _choisir_ess(rng, pool, lg.milieu, t)
        _deplacer(rng, lg.com, np.setdiff1d(pool[dans[pool]], choisis), autour, pop)
        _repartir(rng, lg.com, choisis, t, pop)
        if t.part_emploi_prive:
            salaries = lg.milieu[choisis].sum()
            fixes = lg.milieu[lg.prive_fixe & np.isin(lg.com, t.communes)].sum()
            voulu = salaries * (1 - t.part_emploi_prive) / t.part_emploi_prive - fixes
            pool_p = np.flatnonzero(lg.prive & (dep[np.maximum(lg.com, 0)] == d))
            pris = _prendre_somme(rng, pool_p, lg.milieu, voulu)
            _deplacer(rng, lg.com, np.setdiff1d(pool_p[np.isin(lg.com[pool_p], t.communes)], pris), autour, pop)
            _deplacer(rng, lg.com, pris, t.communes, pop)


def _choisir_ess(rng: np.random.Generator, pool: np.ndarray, milieu: np.ndarray, t: Territoire) -> np.ndarray:
    """``t.employeurs`` rows of ``pool`` whose salariés add up to about ``t.salaries``: large establishments
    (10 salariés and more) first, in random order, then small ones to reach the count."""
    n = min(int(round(t.employeurs)), len(pool))
    grands, petits = pool[milieu[pool] >= 10], rng.permutation(pool[milieu[pool] < 10])
    if t.salaries is None:
        return rng.choice(pool, n, replace=False)
    grands = rng.permutation(grands)
    moyenne_petits = milieu[petits].mean() if len(petits) else 0.0
    k = np.arange(min(n, len(grands)) + 1)
    total = np.r_[0.0, np.cumsum(milieu[grands])][k] + (n - k) * moyenne_petits
    meilleur = int(k[np.argmin(np.abs(total - t.salaries))])
    return np.concatenate([grands[:meilleur], petits[: n - meilleur]])


def _deplacer(rng: np.random.Generator, com: np.ndarray, lignes: np.ndarray, vers: np.ndarray, pop: np.ndarray) -> None:
    """Give ``lignes`` communes among ``vers``, in proportion to population."""
    if len(lignes) and len(vers):
        poids = np.maximum(pop[vers], 1.0)
        com[lignes] = vers[np.searchsorted(np.cumsum(poids), rng.random(len(lignes)) * poids.sum())]


def _repartir(rng: np.random.Generator, com: np.ndarray, lignes: np.ndarray, t: Territoire, pop: np.ndarray) -> None:
    """Spread the territory's ESS employers over its communes: ``part_principale`` of them in the main commune,
    the others in proportion to population."""
    if t.principale is None or t.part_principale is None:
        _deplacer(rng, com, lignes, t.communes, pop)
        return
    lignes = rng.permutation(lignes)
    n = int(round(t.part_principale * len(lignes)))
    com[lignes[:n]] = t.principale
    _deplacer(rng, com, lignes[n:], t.communes[t.communes != t.principale], pop)


def caler_villes(rng: np.random.Generator, lg: Lignes, communes: Communes, territoires: list[Territoire]) -> None:
    """Keep each commune of more than 50 000 inhabitants between 6 % and 24 % of ESS in its private jobs."""
    dep, pop = communes.dep, communes.pop
    groupe = np.full(len(dep), -1)
    for i, t in enumerate(territoires):
        groupe[t.communes] = i
    villes = np.flatnonzero(pop > VILLE_POPULATION)
    for c in villes:
        voisines = np.flatnonzero((dep == dep[c]) & (groupe == groupe[c]) & (pop <= VILLE_POPULATION))
        _ajuster_ville(rng, lg, c, voisines, pop, lg.prive)  # private employers first
        _ajuster_ville(rng, lg, c, voisines, pop, lg.ess)  # then ESS ones, when a few huge private rows can't move


def _ajuster_ville(
    rng: np.random.Generator,
    l: Lignes,  # noqa: E741
    c: int,
    voisines: np.ndarray,
    pop: np.ndarray,
    mobiles: np.ndarray,
) -> None:
    """Bring commune ``c``'s ESS share within bounds by exchanging ``mobiles`` rows (private, or ESS) with
    ``voisines``."""
    ess = l.milieu[l.ess & (l.com == c)].sum()
    autres = l.milieu[(l.prive | l.prive_fixe) & (l.com == c)].sum()
    part = ess / (ess + autres) if ess + autres else 0.0
    if PART_VILLE_MIN <= part <= PART_VILLE_MAX or ess + autres == 0:
        return
    cible = PART_VILLE_MIN if part < PART_VILLE_MIN else PART_VILLE_MAX
    if mobiles is l.ess:  # ESS jobs to add (> 0) or remove (< 0) at fixed private jobs
        ecart = cible * autres / (1 - cible) - ess
    else:  # private jobs to remove (> 0 share too low) or add
        ecart = -(ess * (1 - cible) / cible - autres)
    sortir = (ecart > 0) != (mobiles is l.ess)
    if sortir:
        ici = np.flatnonzero(mobiles & (l.com == c))
        _deplacer(rng, l.com, _prendre_somme(rng, ici, l.milieu, abs(ecart)), voisines, pop)
    else:
        ailleurs = np.flatnonzero(mobiles & np.isin(l.com, voisines))
        l.com[_prendre_somme(rng, ailleurs, l.milieu, abs(ecart))] = c
