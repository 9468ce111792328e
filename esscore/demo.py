"""Deterministic demonstration SIRENE stock files, calibrated on published ESS figures.

Why: the dashboard, its tests and a fresh install must work without the 3 GB real stock files. The files
written here have the real format (the 54/35 columns in order, the parquet types, the code lists, Paris/Lyon/
Marseille arrondissement codes, '[ND]' masking, Lambert-93 / DOM UTM coordinates as text), so the real
ingestion runs on them unchanged; and their aggregates land close to published figures (ESS France:
~210 000 employer establishments, ~2.6 M jobs, ~13.6 % of private jobs; INSEE 2014 shares by
département), so the screens look plausible. Every name says "démo" or "fictive"; every SIREN starts
with 99. Nothing here describes a real organisation.

Method: counts are rates per inhabitant (national targets x population of the given communes /
2026 population of France), drawn per département x family x size band with stochastic rounding, then
spread over communes in proportion to population (with noise; large establishments favour large
communes). Non-ESS private employers are generated last, per département, so that the ESS share of
private employment equals PRIVATE_SHARE_FACTOR x the INSEE 2014 share of the département.
"""

from __future__ import annotations

import os
import unicodedata
from dataclasses import dataclass, fields
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from pyproj import Transformer

from esscore import config, demo_calage, demo_positions, ess
from esscore.errors import DonneesInvalides
from esscore.fichiers import fichier_atomique
from esscore.sirene_schema import ETABLISSEMENT_COLUMNS, UNITE_LEGALE_COLUMNS

ETAB_FILE = "StockEtablissement_utf8"
UL_FILE = "StockUniteLegale_utf8"

#: 2026 population of the communes SIRENE covers (metropole, DROM, 975/977/978): national targets
#: below are for this population and scale linearly with the population of the communes given.
REFERENCE_POPULATION = 68_398_408
#: Population-weighted mean of the INSEE 2014 département shares (%), missing values at 10.5.
REFERENCE_MEAN_SHARE_PCT = 10.7437
#: INSEE 2014 measures the share of ALL salaried jobs; the private share is higher (13.9 / 10.5 in 2013).
#: 1.266 x the population-weighted mean gives 13.6 % nationally (ESS France, Atlas 2023).
PRIVATE_SHARE_FACTOR = 1.266
NATIONAL_SHARE_PCT = 10.5
#: Départements present in SIRENE (the Pacific collectivities 984-989 are not).
DEPARTEMENTS_HORS_SIRENE = frozenset({"984", "986", "987", "988", "989"})
#: Départements the demonstration does not simulate: INSEE publishes no ESS figure for Mayotte, and a share drawn
#: from the national mean would be an invented figure; its pages say « nd » (no demonstration data).
DEPARTEMENTS_SANS_DEMO = frozenset({"976"})
EPSG_DOM = {"971": 5490, "972": 5490, "977": 5490, "978": 5490, "973": 2972, "974": 2975, "976": 4471, "975": 4467}

# --- size bands: the INSEE codes and midpoints of esscore.ess.TRANCHES, after « NN » (not filled) -------
TRANCHES = ("NN", *ess.TRANCHES)
MILIEUX = np.array([0.0, *(milieu for _libelle, milieu in ess.TRANCHES.values())])
# Bounds [lower, upper) of the bands « 11 » to « 53 » (as written in their labels), to draw headcounts.
_BORNES = np.array(
    [[10, 20], [20, 50], [50, 100], [100, 200], [200, 250], [250, 500], [500, 1000], [1000, 2000],
     [2000, 5000], [5000, 10000], [10000, 20000]], dtype=float,
)  # fmt: skip
_SEUILS_UL = np.array([1, 3, 6, 10, 20, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000])
NN, T00, T01 = 0, 1, 2
GRAND = 5  # index of "11": 10 employees and more

# --- families ---------------------------------------------------------------------------------------
ASSO, COOP, MUT, FOND, SCESS, PRIVE, EI, PUBLIC, AUTRES = range(9)
FAMILLES_ESS = {ASSO: "associations", COOP: "cooperatives", MUT: "mutuelles", FOND: "fondations",
                AUTRES: "autres_non_lucratifs", SCESS: "societes_commerciales"}  # fmt: skip
#: esscore.ess family label → key of FAMILLES_ESS (summary_stats applies the ingestion's own rules).
CLES_FAMILLES = dict(zip(ess.FAMILLES, ("associations", "cooperatives", "mutuelles", "fondations",
                                         "autres_non_lucratifs", "societes_commerciales"), strict=True))  # fmt: skip


@dataclass(frozen=True)
class _Famille:
    employeurs: float  # national employer establishments, statistical perimeter
    salaries: float  # national sum of band midpoints
    part_petits: float  # share of employer establishments under 10 employees
    petits: tuple[float, float, float, float]  # mix of bands 00, 01, 02, 03 among them
    tranche_max: str
    non_employeurs: float
    etab_par_ul: float
    flag_o: float  # share of legal units with economieSocialeSolidaireUniteLegale = 'O'


# National orders of magnitude: ~2.6 M jobs in ~210 000 employer establishments, split 78 / 12 / 5 / 4.5 % between
# associations, cooperatives, mutuals and foundations (ESS France, Atlas 2023: 2.0 M / 320 000 / 137 000 / 108 000;
# https://www.carenews.com/news/l-economie-sociale-et-solidaire-14-de-l-emploi-prive-en-france). In 2013,
# associations held 84 % of the ESS employer establishments, and 3/4 of those establishments had < 10 employees
# holding ~15 % of the jobs (CNCRESS, Panorama 2015). INSEE's fifth family (« autres organismes privés à but non
# lucratif ») is small: its statistical perimeter counts ≈ 2.7 M salariés at the end of 2021 against ≈ 2.6 M for the
# four families (Insee Analyses Île-de-France n° 188: 490 400 salariés, 18 % of the national total), hence ≈ 90 000.
# Figures, sources and their use: data/reference/README.md.
FAMILLES: dict[int, _Famille] = {
    ASSO: _Famille(171_000, 2_030_000, 0.76, (0.16, 0.52, 0.21, 0.11), "51", 188_000, 1.15, 0.95),
    COOP: _Famille(27_500, 322_000, 0.70, (0.08, 0.35, 0.35, 0.22), "42", 8_000, 3.0, 0.90),
    MUT: _Famille(8_200, 136_000, 0.62, (0.05, 0.30, 0.40, 0.25), "51", 1_000, 8.0, 0.90),
    FOND: _Famille(2_300, 117_000, 0.45, (0.10, 0.35, 0.30, 0.25), "42", 1_500, 3.0, 0.90),
    AUTRES: _Famille(4_000, 90_000, 0.60, (0.08, 0.40, 0.32, 0.20), "42", 2_000, 1.5, 0.50),
    SCESS: _Famille(500, 8_000, 0.70, (0.10, 0.45, 0.28, 0.17), "22", 300, 1.1, 1.0),
}
PRIVE_TAILLE = _Famille(0, 47.0, 0.55, (0.08, 0.45, 0.29, 0.18), "53", 80_000, 1.25, 0.0)
PUBLIC_TAILLE = _Famille(25_000, 30.0, 0.45, (0.10, 0.35, 0.30, 0.25), "42", 0, 2.5, 0.0)
EXCLUS_TAILLE = _Famille(2_500, 8.0, 0.80, (0.10, 0.50, 0.25, 0.15), "21", 1_000, 1.0, 0.9)
FERMES, ETRANGER, INCONNUES = 15_000, 40, 30
PART_P_ESS, PART_P_SOCIETE, PART_P_EI = 0.01, 0.005, 0.25

# Activity profiles: (APE, weight among < 10 employees, weight among >= 10, name prefix, CJ choices).
Profil = tuple[str, float, float, str, tuple[tuple[int, float], ...]]
_CJ_ASSO = ((9220, 0.925), (9210, 0.01), (9221, 0.02), (9222, 0.005), (9223, 0.01), (9230, 0.025), (9240, 0.005))
_SCOP = ((5458, 0.7), (5558, 0.3))
_SC = ((5710, 0.55), (5499, 0.2), (5720, 0.1), (5599, 0.05), (5498, 0.07), (5699, 0.03))
_SOC = (
    (5710, 0.34), (5720, 0.10), (5499, 0.26), (5498, 0.08), (5599, 0.07), (5699, 0.02), (5202, 0.01),
    (5485, 0.02), (6220, 0.01), (6585, 0.02), (5505, 0.003), (9224, 0.002), (3120, 0.003), (6901, 0.005),
)  # fmt: skip
_A = "Association démo"


def _asso(ape: str, ws: float, wg: float, suffixe: str, cj: tuple = _CJ_ASSO) -> Profil:
    return (ape, ws, wg, f"{_A} {suffixe}", cj)


PROFILS: dict[int, tuple[Profil, ...]] = {
    ASSO: (
        _asso("88.10A", 5, 14, "d'aide à domicile"), _asso("88.91A", 4, 5, "de la petite enfance"),
        _asso("88.99B", 8, 8, "d'entraide"), _asso("88.10C", 0.5, 6, "d'aide par le travail"),
        _asso("88.10B", 1, 3, "d'accueil de jour"), _asso("88.91B", 0.5, 2, "pour l'enfance handicapée"),
        _asso("88.99A", 2, 2, "de la jeunesse"), _asso("87.10A", 0.5, 7, "de la maison de retraite"),
        _asso("87.20A", 0.5, 5, "du foyer d'hébergement"), _asso("87.30A", 0.5, 3, "de la résidence seniors"),
        _asso("87.90A", 0.3, 3, "de la maison d'enfants"), _asso("87.90B", 0.5, 4, "d'hébergement solidaire"),
        _asso("93.12Z", 12, 3, "sportive"), _asso("93.29Z", 5, 1, "de loisirs"),
        _asso("93.11Z", 1, 0.5, "du gymnase"), _asso("85.51Z", 3, 0.5, "d'initiation sportive"),
        _asso("90.01Z", 6, 2, "des arts de la scène"), _asso("90.04Z", 1, 0.3, "de la salle des fêtes"),
        _asso("91.02Z", 1, 0.5, "du musée"), _asso("94.99Z", 8, 2, "des Jardins"),
        _asso("94.99Z", 6, 1, "du comité des fêtes"), _asso("94.99Z", 5, 1, "de quartier"),
        _asso("85.59A", 5, 5, "de formation"), _asso("85.59B", 4, 2, "d'enseignement"),
        _asso("85.52Z", 3, 0.5, "de l'école de musique"), _asso("85.20Z", 2, 5, "de l'école primaire"),
        _asso("85.31Z", 0.5, 5, "du collège-lycée"), _asso("85.32Z", 0.3, 2, "du lycée professionnel"),
        _asso("86.10Z", 0.2, 3, "hospitalière"), _asso("86.21Z", 0.5, 1, "du centre de santé"),
        _asso("55.20Z", 2, 1, "de tourisme social"), _asso("78.20Z", 1, 1, "intermédiaire d'insertion"),
        _asso("81.21Z", 0.5, 1, "d'insertion par le nettoyage"), _asso("81.30Z", 1, 1.5, "de chantier d'insertion"),
        _asso("38.32Z", 1, 0.8, "de la ressourcerie"), _asso("47.79Z", 1, 0.3, "de la boutique solidaire"),
        _asso("56.10A", 1, 0.3, "du restaurant solidaire"),
    ),
    COOP: (
        ("64.19Z", 30, 30, "Caisse locale démo de crédit coopératif",
         ((6595, 0.3), (6596, 0.3), (5192, 0.15), (5196, 0.15), (5194, 0.1))),
        ("01.61Z", 18, 2, "CUMA démo", ((6316, 1.0),)),
        ("46.21Z", 5, 10, "Coopérative agricole démo", ((6317, 0.85), (6318, 0.15))),
        ("10.51C", 1, 5, "Coopérative laitière démo", ((6317, 0.8), (6318, 0.2))),
        ("11.02B", 4, 5, "Cave coopérative démo", ((6317, 1.0),)),
        ("10.11Z", 0.5, 3, "Coopérative démo de la filière viande", ((6317, 0.8), (6318, 0.2))),
        ("47.11F", 1, 5, "Coopérative démo de consommateurs", ((5551, 0.6), (5451, 0.4))),
        ("46.90Z", 2, 5, "Coopérative démo de commerçants", ((5552, 0.7), (5652, 0.3))),
        ("43.21A", 6, 5, "SCOP fictive du bâtiment", _SCOP),
        ("71.12B", 4, 3, "SCOP fictive d'ingénierie", _SCOP),
        ("62.02A", 4, 2, "SCOP fictive du numérique", ((5458, 0.8), (5558, 0.2))),
        ("70.22Z", 4, 2, "Coopérative démo d'activité et d'emploi", ((5460, 0.6), (5560, 0.4))),
        ("41.20A", 2, 1.5, "Coopérative démo d'habitat", ((5547, 0.5), (5647, 0.2), (5443, 0.3))),
        ("49.41A", 2, 3, "Coopérative démo de transport", ((5455, 0.6), (5555, 0.4))),
        ("03.11Z", 2, 0.5, "Coopérative maritime démo", ((5454, 0.5), (5554, 0.5))),
        ("43.32A", 3, 1, "Coopérative artisanale démo", ((5453, 0.6), (5553, 0.4))),
        ("86.21Z", 1, 0.2, "Société civile coopérative démo de médecins", ((6558, 1.0),)),
    ),
    MUT: (
        ("65.12Z", 30, 25, "Mutuelle démo d'assurance", ((8210, 0.7), (8250, 0.18), (8290, 0.12))),
        ("65.12Z", 12, 12, "Société d'assurance mutuelle démo", ((6411, 1.0),)),
        ("65.11Z", 8, 10, "Mutuelle démo de prévoyance", ((8210, 1.0),)),
        ("66.22Z", 15, 3, "Agence démo de mutuelle", ((8210, 1.0),)),
        ("47.78A", 10, 1, "Centre optique mutualiste démo", ((8210, 1.0),)),
        ("86.23Z", 8, 4, "Centre dentaire mutualiste démo", ((8210, 1.0),)),
        ("86.21Z", 5, 5, "Centre de santé mutualiste démo", ((8210, 1.0),)),
        ("86.10Z", 0.5, 12, "Clinique mutualiste démo", ((8210, 1.0),)),
        ("87.10A", 1, 8, "EHPAD mutualiste démo", ((8210, 1.0),)),
    ),
    FOND: tuple(
        (ape, ws, wg, f"Fondation démo {suffixe}", ((9300, 1.0),))
        for ape, ws, wg, suffixe in (
            ("87.10A", 5, 20, "de la maison de retraite"), ("87.20A", 3, 9, "du foyer"),
            ("87.90B", 3, 6, "de l'hébergement solidaire"), ("86.10Z", 1, 20, "hospitalière"),
            ("72.19Z", 8, 8, "de recherche"), ("72.11Z", 2, 3, "des biotechnologies"),
            ("88.10C", 1, 6, "d'aide par le travail"), ("85.31Z", 2, 5, "du lycée"),
            ("88.99B", 10, 7, "d'entraide"), ("88.91B", 1, 3, "pour l'enfance"),
            ("94.99Z", 20, 2, "pour la nature"), ("91.02Z", 8, 2, "du patrimoine"),
            ("85.59B", 8, 2, "pour l'éducation"), ("90.01Z", 5, 1, "pour la musique"),
        )
    ),
    AUTRES: (
        ("94.99Z", 10, 2, "Comité social et économique démo", ((8310, 0.7), (8311, 0.3))),
        ("65.11Z", 3, 8, "Institution de prévoyance démo", ((8510, 1.0),)),
        ("65.30Z", 1, 4, "Institution de retraite supplémentaire démo", ((8520, 1.0),)),
        ("86.10Z", 0.5, 6, "Groupement de coopération sanitaire démo", ((9970, 1.0),)),
        ("85.59A", 4, 2, "Organisme privé démo de formation", ((9900, 1.0),)),
        ("94.99Z", 6, 1, "Organisme privé démo à but non lucratif", ((9900, 1.0),)),
    ),
    SCESS: (
        ("62.01Z", 8, 5, "Entreprise solidaire démo du numérique", _SC),
        ("70.22Z", 10, 3, "Entreprise solidaire démo de conseil", _SC),
        ("56.10A", 8, 6, "Restaurant solidaire démo", _SC),
        ("38.32Z", 6, 8, "Entreprise solidaire démo du réemploi", _SC),
        ("88.10A", 4, 10, "Entreprise solidaire démo d'aide à domicile", _SC),
        ("35.11Z", 5, 2, "SCIC SAS démo d'énergie citoyenne", ((5710, 1.0),)),
        ("47.11C", 6, 3, "Épicerie solidaire démo", _SC),
        ("85.59A", 5, 3, "Entreprise solidaire démo de formation", _SC),
        ("49.42Z", 1, 2, "Coopérative SAS démo de déménagement", ((5710, 1.0),)),
        ("74.90B", 4, 1, "Entreprise solidaire démo d'ingénierie", _SC),
    ),
    PRIVE: tuple(
        (ape, ws, wg, "Société démo", _SOC)
        for ape, ws, wg in (
            ("47.11F", 0.5, 6), ("47.11D", 1, 4), ("47.11B", 2, 1), ("47.73Z", 4, 1), ("56.10A", 8, 2),
            ("56.30Z", 4, 0.3), ("10.71C", 4, 0.5), ("43.21A", 5, 3), ("43.22A", 4, 2), ("45.20A", 4, 1.5),
            ("62.01Z", 4, 4), ("62.02A", 2, 5), ("69.20Z", 4, 2), ("69.10Z", 3, 0.5), ("86.21Z", 2, 0.2),
            ("68.31Z", 3, 0.5), ("96.02A", 5, 0.5), ("41.20A", 3, 3), ("47.71Z", 4, 1), ("70.22Z", 4, 2),
            ("70.10Z", 0.5, 5), ("49.41A", 2, 4), ("52.29A", 0.5, 2), ("71.12B", 3, 3), ("81.21Z", 2, 5),
            ("80.10Z", 0.5, 3), ("46.90Z", 3, 4), ("46.46Z", 0.5, 2), ("25.62B", 1, 3), ("29.32Z", 0.1, 2),
            ("10.13A", 0.5, 2), ("20.14Z", 0.1, 1.5), ("30.30Z", 0.1, 1.5), ("78.20Z", 0.5, 4), ("64.19Z", 1, 2),
            ("65.11Z", 0.2, 1), ("86.10Z", 0.1, 2), ("87.10A", 0.2, 2), ("35.11Z", 0.2, 1), ("61.10Z", 0.2, 1),
            ("82.20Z", 0.2, 1.5), ("55.10Z", 1, 2), ("85.59A", 1, 1), ("88.10A", 1, 1.5), ("53.20Z", 0.3, 1),
            ("73.11Z", 1, 1), ("68.20B", 2, 0.1), ("93.13Z", 0.5, 0.3), ("93.29Z", 0.3, 0.2), ("90.01Z", 0.3, 0.1),
            ("90.02Z", 0.2, 0.1), ("85.32Z", 0.1, 0.3), ("88.91A", 0.2, 0.2), ("66.22Z", 0.5, 0.3),
        )
    )
    + (("94.99Z", 0.1, 0.05, "Groupement démo", ((6220, 1.0),)),),
    EI: tuple(
        (ape, w, 0.0, "", ((1000, 1.0),))
        for ape, w in (
            ("86.21Z", 5), ("86.90D", 5), ("43.21A", 4), ("43.32A", 4), ("96.02A", 5), ("10.71C", 2),
            ("56.10A", 3), ("49.32Z", 3), ("01.11Z", 4), ("69.10Z", 2), ("74.10Z", 2), ("85.59B", 2),
            ("62.02A", 3), ("47.89Z", 2),
        )
    ),
    PUBLIC: (
        ("84.11Z", 45, 45, "Commune démo", ((7210, 1.0),)),
        ("84.11Z", 8, 8, "Communauté de communes démo", ((7346, 1.0),)),
        ("84.11Z", 3, 3, "Département démo", ((7220, 1.0),)),
        ("88.99B", 10, 10, "CCAS démo", ((7361, 1.0),)),
        ("86.10Z", 5, 5, "Centre hospitalier démo", ((7364, 1.0),)),
        ("85.31Z", 10, 10, "Lycée public démo", ((7331, 1.0),)),
        ("84.12Z", 5, 5, "Établissement public démo", ((7389, 1.0),)),
        ("84.13Z", 2, 2, "GIP démo", ((7410, 1.0),)),
        ("84.24Z", 5, 5, "Service déconcentré démo", ((7172, 1.0),)),
        ("91.01Z", 3, 3, "Bibliothèque publique démo", ((7210, 1.0),)),
    ),
}  # fmt: skip
# Associations whose APE is outside the statistical perimeter (ess.EXCLUSIONS_STATISTIQUES: 84, 94.11Z, 94.20Z,
# 94.91Z, 94.92Z): ESS by law, not in the statistics.
PROFILS_EXCLUS: tuple[Profil, ...] = (
    ("94.20Z", 5, 5, "Syndicat démo de salariés", _CJ_ASSO[:1]),
    ("94.11Z", 2, 2, "Chambre patronale démo", _CJ_ASSO[:1]),
    ("94.91Z", 3, 3, "Congrégation démo", ((9240, 0.6), (9220, 0.4))),
    ("94.92Z", 1, 1, "Parti démo", _CJ_ASSO[:1]),
    ("84.13Z", 1, 1, f"{_A} de développement local", _CJ_ASSO[:1]),
)
PRENOMS = ("ALEX", "CAMILLE", "CLAUDE", "DOMINIQUE", "SACHA", "CHARLIE")
VOIES = ("DES JARDINS", "DE LA REPUBLIQUE", "DU STADE", "DES ECOLES", "DE LA GARE", "DU MOULIN", "DES TILLEULS",
         "DE L EGLISE", "VICTOR HUGO", "JEAN JAURES", "DE LA MAIRIE", "DES LILAS", "DU CHATEAU", "PASTEUR",
         "DE LA LIBERATION", "DES ACACIAS", "DU PORT", "DE LA FONTAINE", "DES CERISIERS", "DES ARTISANS")  # fmt: skip
TYPES_VOIE = (("RUE", 0.55), ("AV", 0.12), ("BD", 0.05), ("PL", 0.06), ("CHE", 0.07), ("RTE", 0.05),
              ("IMP", 0.03), ("ALL", 0.04), ("QUA", 0.01), (None, 0.02))  # fmt: skip
PAYS = (("99109", "ALLEMAGNE", "BERLIN"), ("99131", "BELGIQUE", "BRUXELLES"), ("99140", "SUISSE", "GENEVE"),
        ("99134", "ESPAGNE", "MADRID"), ("99127", "ITALIE", "ROME"), ("99137", "LUXEMBOURG", "LUXEMBOURG"))  # fmt: skip
# Arrondissements municipaux (code, 2026 population used as weight): SIRENE codes establishments there.
ARRONDISSEMENTS: dict[str, tuple[tuple[str, int], ...]] = {
    "75056": tuple(zip([f"751{i:02d}" for i in range(1, 21)],
        [15114, 19847, 32179, 27332, 55252, 40389, 48015, 35317, 57271, 83873, 138170, 138024, 181271, 136455,
         229713, 159386, 159212, 183127, 178691, 185140], strict=True)),
    "69123": tuple(zip([f"6938{i}" for i in range(1, 10)],
        [28717, 29981, 100679, 34752, 47777, 49385, 88326, 85943, 53567], strict=True)),
    "13055": tuple(zip([f"132{i:02d}" for i in range(1, 17)],
        [37599, 24378, 58029, 49363, 45702, 38476, 35173, 84683, 77406, 60317, 59883, 64399, 95112, 60505,
         79161, 15854], strict=True)),
}  # fmt: skip
PREFECTURE_ESS = 1.5
RAYON_VILLE = {"75056": 3000.0, "69123": 3000.0, "13055": 5000.0}
ALSACE_MOSELLE = frozenset({"57", "67", "68"})
_JOUR0 = np.datetime64("1950-01-01")
_JOUR_FIN = np.datetime64("2025-10-31")


# --- public API -------------------------------------------------------------------------------------
def generate_demo(
    communes: pd.DataFrame,
    out_dir: Path,
    *,
    seed: int = 2026,
    fmt: str = "parquet",
    passage: pd.DataFrame | None = None,
    contours: pd.DataFrame | None = None,
) -> dict:
    """Write demonstration ``StockEtablissement_utf8`` and ``StockUniteLegale_utf8`` files; return counts.

    ``communes``: one row per commune actuelle (code, nom, population, departement, region, lon, lat;
    optional ``codes_postaux`` ";"-joined). ``passage`` (optional, columns code, type, code_commune) lets a
    few establishments carry the code of a commune déléguée, as in the real file. ``contours`` (optional,
    columns code, geojson): the communes' outlines, inside which the positions are drawn
    (``esscore.demo_positions``); without them, positions are jittered around the commune centre.
    """
    if fmt not in ("parquet", "csv"):
        raise DonneesInvalides(f"Format de sortie inconnu : « {fmt} ». Valeurs possibles : parquet, csv.")
    rng = np.random.default_rng(seed)
    com = _prepare_communes(communes, contours)
    rows = _generate_rows(rng, com)
    uls = _group_legal_units(rng, rows, com)
    etab, ul, counts = _build_tables(rng, rows, uls, com, passage)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    suffix = ".parquet" if fmt == "parquet" else ".csv"
    _write(etab, out_dir / f"{ETAB_FILE}{suffix}", fmt)
    _write(ul, out_dir / f"{UL_FILE}{suffix}", fmt)
    return counts


def summary_stats(etab_path: str | os.PathLike[str], ul_path: str | os.PathLike[str]) -> dict:
    """National aggregates recomputed from the written files with the ESS rules (checks calibration)."""
    con = duckdb.connect()
    try:
        et, ul = _relation(Path(etab_path)), _relation(Path(ul_path))
        cj_case = " ".join(f"WHEN cj = '{cj}' THEN '{CLES_FAMILLES[f]}'" for cj, f in ess.CJ_FAMILLES.items())
        bands = ", ".join(repr(t) for t in TRANCHES[2:])
        mid = " ".join(f"WHEN '{t}' THEN {m}" for t, m in zip(TRANCHES[2:], MILIEUX[2:], strict=True))
        excl = " OR ".join(f"ape LIKE '{c}%'" if len(c) == 2 else f"ape = '{c}'" for c in ess.EXCLUSIONS_STATISTIQUES)
        frame = con.execute(f"""
            WITH u AS (
              SELECT CAST(siren AS VARCHAR) AS siren,
                     lpad(CAST(categorieJuridiqueUniteLegale AS VARCHAR), 4, '0') AS cj,
                     economieSocialeSolidaireUniteLegale AS flag
              FROM {ul}
            ), e AS (
              SELECT CAST(siren AS VARCHAR) AS siren, codeCommuneEtablissement AS com,
                     activitePrincipaleEtablissement AS ape, trancheEffectifsEtablissement AS tr,
                     nullif(caractereEmployeurEtablissement, '') AS car
              FROM {et} WHERE etatAdministratifEtablissement = 'A'
            )
            SELECT CASE WHEN left(cj, 1) IN ('4', '7') THEN NULL {cj_case}
                        WHEN flag = 'O' AND left(cj, 1) IN ('5', '6') THEN 'societes_commerciales' END AS famille,
                   coalesce(car = 'O' OR (car IS NULL AND tr IN ({bands})), FALSE) AS employeur,
                   coalesce({excl}, FALSE) AS exclu,
                   left(cj, 1) IN ('4', '7') AS public,
                   coalesce(tr IN ('11', '12', '21', '22', '31', '32', '41', '42', '51', '52', '53'), FALSE) AS dix,
                   CASE WHEN com IS NULL OR com = '' THEN NULL WHEN left(com, 2) IN ('97', '98') THEN left(com, 3)
                        ELSE left(com, 2) END AS dep,
                   count(*) AS n, sum(CASE tr {mid} ELSE 0 END) AS sal
            FROM e JOIN u USING (siren) GROUP BY ALL
        """).df()
    finally:
        con.close()
    return _summarise(frame)


def _summarise(frame: pd.DataFrame) -> dict:
    """The statistical perimeter (INSEE): the five families, outside the excluded activities, on both sides of the
    share; the commercial companies of the ESS are reported by family, outside the totals."""
    actifs = frame
    ess = actifs[actifs["famille"].notna()]
    stat = ess[~ess["exclu"] & (ess["famille"] != "societes_commerciales")]
    emp = stat[stat["employeur"]]
    prive = actifs[actifs["employeur"] & ~actifs["public"] & ~actifs["exclu"]]
    sal_ess, sal_prive = float(emp["sal"].sum()), float(prive["sal"].sum())
    n_emp = int(emp["n"].sum())
    fam = ess[~ess["exclu"] & ess["employeur"]].groupby("famille")[["n", "sal"]].sum()
    par_famille = {
        f: {
            "etablissements_employeurs": int(fam.at[f, "n"]) if f in fam.index else 0,
            "salaries": float(fam.at[f, "sal"]) if f in fam.index else 0.0,
            "part_etablissements": float(fam.at[f, "n"] / n_emp) if f in fam.index and n_emp else 0.0,
            "part_salaries": float(fam.at[f, "sal"] / sal_ess) if f in fam.index and sal_ess else 0.0,
        }
        for f in FAMILLES_ESS.values()
    }
    dep_ess = emp.groupby("dep")["sal"].sum()
    dep_prive = prive.groupby("dep")["sal"].sum()
    par_dep = {
        d: {"salaries_ess": float(dep_ess.get(d, 0.0)), "salaries_prives": float(v)} for d, v in dep_prive.items()
    }
    petits = emp[~emp["dix"]]
    return {
        "etablissements_ess_legal": int(ess["n"].sum()),
        "etablissements_ess": int(stat["n"].sum()),
        "etablissements_ess_employeurs": n_emp,
        "salaries_ess": sal_ess,
        "salaries_prives": sal_prive,
        "part_emploi_prive": sal_ess / sal_prive if sal_prive else 0.0,
        "part_etablissements_moins_10": float(petits["n"].sum() / n_emp) if n_emp else 0.0,
        "part_salaries_moins_10": float(petits["sal"].sum() / sal_ess) if sal_ess else 0.0,
        "par_famille": par_famille,
        "par_departement": par_dep,
    }


def _relation(path: Path) -> str:
    p = str(path).replace("'", "''")
    if path.suffix.lower() == ".csv":
        return f"read_csv('{p}', header=true, all_varchar=true, delim=',', quote='\"')"
    return f"read_parquet('{p}')"


# --- communes ---------------------------------------------------------------------------------------
@dataclass
class _Communes:
    code: np.ndarray  # <U5
    dep: np.ndarray  # index into deps
    deps: np.ndarray  # département codes
    pop: np.ndarray
    part: np.ndarray  # private ESS share target per département (fraction)
    x: np.ndarray  # projected centroid (NaN if unknown)
    y: np.ndarray
    rayon: np.ndarray  # jitter radius (m), where the commune has no outline
    poly: np.ndarray  # projected outline (shapely), None when not given
    prefecture: np.ndarray  # chef-lieu of its département (optional column ``prefecture`` of the input)
    epci: np.ndarray  # EPCI code ("" when not given): the territories of the calibration targets
    cp: np.ndarray  # postal code
    libelle: np.ndarray  # upper-case ASCII name, as SIRENE writes it
    debut: np.ndarray  # first commune index of each département
    fin: np.ndarray


def _prepare_communes(communes: pd.DataFrame, contours: pd.DataFrame | None = None) -> _Communes:
    missing = [c for c in ("code", "nom", "population", "departement") if c not in communes.columns]
    if missing:
        raise DonneesInvalides(
            f"Table des communes : colonne(s) absente(s) : {', '.join(missing)}. Attendu : code, nom, population, "
            "departement (et facultativement region, lon, lat, codes_postaux)."
        )
    df = pd.DataFrame({
        "code": communes["code"].astype(str).to_numpy(),
        "nom": communes["nom"].astype(str).to_numpy(),
        "dep": communes["departement"].astype(str).to_numpy(),
        "region": communes["region"].astype(str).to_numpy() if "region" in communes else "",
        "pop": pd.to_numeric(communes["population"], errors="coerce").fillna(0).clip(lower=0).to_numpy(float),
        "lon": pd.to_numeric(communes["lon"], errors="coerce").to_numpy(float) if "lon" in communes else np.nan,
        "lat": pd.to_numeric(communes["lat"], errors="coerce").to_numpy(float) if "lat" in communes else np.nan,
        "prefecture": communes["prefecture"].fillna(False).astype(bool).to_numpy() if "prefecture" in communes
                      else False,
        "epci": communes["epci"].fillna("").astype(str).to_numpy() if "epci" in communes else "",
    })  # fmt: skip
    if "codes_postaux" in communes:
        df["cp"] = communes["codes_postaux"].fillna("").astype(str).str.split(";").str[0].to_numpy()
    else:
        df["cp"] = ""
    df = df[~df["dep"].isin(DEPARTEMENTS_HORS_SIRENE | DEPARTEMENTS_SANS_DEMO)].sort_values(
        ["dep", "code"], kind="stable"
    )
    df = df.drop_duplicates("code").reset_index(drop=True)
    if df.empty:
        raise DonneesInvalides("Table des communes vide (ou uniquement des collectivités du Pacifique, hors SIRENE).")
    deps, dep_idx = np.unique(df["dep"].to_numpy(), return_inverse=True)
    debut = np.searchsorted(dep_idx, np.arange(len(deps)), side="left")
    fin = np.searchsorted(dep_idx, np.arange(len(deps)), side="right")
    # Target share by département: INSEE 2014 département value, else région, else national.
    dep_pct, reg_pct = _parts_insee()
    region_of_dep = df.groupby("dep")["region"].first()
    pct = np.array([dep_pct.get(d, reg_pct.get(region_of_dep.get(d, ""), NATIONAL_SHARE_PCT)) for d in deps])
    # Projected centroids, one transform per CRS.
    x = np.full(len(df), np.nan)
    y = np.full(len(df), np.nan)
    epsg = np.array([EPSG_DOM.get(d, 2154) for d in deps])[dep_idx]
    lon, lat = df["lon"].to_numpy(), df["lat"].to_numpy()
    ok = np.isfinite(lon) & np.isfinite(lat)
    for code in np.unique(epsg[ok]):
        sel = ok & (epsg == code)
        tx, ty = Transformer.from_crs(4326, int(code), always_xy=True).transform(lon[sel], lat[sel])
        x[sel], y[sel] = tx, ty
    pop = df["pop"].to_numpy()
    rayon = np.clip(150 + 8 * np.sqrt(pop), 200, 2500)
    codes = df["code"].to_numpy().astype("<U5")
    for ville, r in RAYON_VILLE.items():
        rayon[codes == ville] = r
    cp = df["cp"].to_numpy().astype(object)
    no_cp = cp == ""
    cp[no_cp] = [_cp_defaut(d) for d in df["dep"].to_numpy()[no_cp]]
    libelles = {n: _majuscules(n) for n in df["nom"].unique()}
    return _Communes(
        code=codes, dep=dep_idx, deps=deps, pop=pop, part=pct * PRIVATE_SHARE_FACTOR / 100, x=x, y=y,
        rayon=rayon, poly=demo_positions.polygones(codes, epsg, contours), prefecture=df["prefecture"].to_numpy(),
        epci=df["epci"].to_numpy().astype(str),
        cp=cp.astype(str),
        libelle=df["nom"].map(libelles).to_numpy().astype(str), debut=debut, fin=fin,
    )  # fmt: skip


def _parts_insee() -> tuple[dict[str, float], dict[str, float]]:
    """INSEE 2014 shares (%) by département and by région, from the table shipped with the code."""
    path = config.INSEE_PARTS_FILE
    if not path.exists():
        raise DonneesInvalides(f"Fichier de référence absent : {path}. Restaurez-le depuis le dépôt (data/reference/).")
    t = pd.read_csv(path, dtype={"code": str}).dropna(subset=["part_ess_emploi_salarie_pct_2014"])
    val = t.set_index(["niveau", "code"])["part_ess_emploi_salarie_pct_2014"]
    return dict(val.get("departement", pd.Series(dtype=float))), dict(val.get("region", pd.Series(dtype=float)))


def _cp_defaut(dep: str) -> str:
    if dep in ("2A", "2B"):
        return "20000"
    return f"{dep}00" if len(dep) == 3 else f"{dep}000"


def _majuscules(nom: str) -> str:
    nom = nom.replace("œ", "oe").replace("Œ", "OE").replace("æ", "ae").replace("Æ", "AE")
    return unicodedata.normalize("NFKD", nom).encode("ascii", "ignore").decode().upper()


# --- row generation ---------------------------------------------------------------------------------
@dataclass
class _Rows:
    com: np.ndarray  # commune index (-1: abroad)
    prof: np.ndarray  # global profile index
    fam: np.ndarray  # family of the profile (drives CJ, flag, names)
    tr: np.ndarray  # index into TRANCHES (-1: empty)
    car: np.ndarray  # 0 'O', 1 'N', 2 empty
    stream: np.ndarray  # legal-unit grouping stream
    actif: np.ndarray
    special: np.ndarray  # 0 normal, 1 abroad, 2 unknown commune code


_Part = dict[str, np.ndarray]  # a batch of rows, column by column, before concatenation


# Streams: (mean establishments per legal unit); ESS employer streams are the family numbers.
S_NONEMP, S_EXCLU, S_PRIVE, S_EI, S_PRIVE_NE, S_EI_NE, S_PUBLIC, S_FERME, S_FERME_RATTACHE, S_AUTRE = range(10, 20)
MOYENNE_STREAM = {**{f: FAMILLES[f].etab_par_ul for f in FAMILLES}, S_PRIVE: PRIVE_TAILLE.etab_par_ul,
                  S_PUBLIC: PUBLIC_TAILLE.etab_par_ul}  # fmt: skip

_TOUS: list[Profil] = []
_FAM_PROFIL: list[int] = []
_INDEX: dict[str, np.ndarray] = {}
for _f, _liste in (*PROFILS.items(), (-1, PROFILS_EXCLUS)):
    _INDEX[str(_f)] = np.arange(len(_TOUS), len(_TOUS) + len(_liste))
    _TOUS.extend(_liste)
    _FAM_PROFIL.extend([ASSO if _f == -1 else _f] * len(_liste))
del _f, _liste
FAM_PROFIL = np.array(_FAM_PROFIL, dtype=np.int8)
APE = np.array([p[0] for p in _TOUS])
#: Observatory sector of each profile, by the ingestion's rule (94.99Z « Non classés », excluded activities apart).
SECTEUR_PROFIL = np.array([
    "Hors champ statistique" if any(a.startswith(x) for x in ess.EXCLUSIONS_STATISTIQUES) else
    "Non classés" if a == "94.99Z" else ess.secteur_of_division(int(a[:2])) for a in APE
])  # fmt: skip


def _loi_tailles(f: _Famille, moyenne: float) -> np.ndarray:
    """Band probabilities: fixed mix under 10 + truncated Pareto above, solved for the mean midpoint."""
    imax = TRANCHES.index(f.tranche_max)
    lo, hi = _BORNES[: imax - GRAND + 1, 0], _BORNES[: imax - GRAND + 1, 1]
    mid = MILIEUX[GRAND : imax + 1]
    small = np.array(f.petits) / sum(f.petits)
    cible = (moyenne - f.part_petits * (small @ MILIEUX[1:5])) / (1 - f.part_petits)

    def loi(a: float) -> np.ndarray:
        p = (10 / lo) ** a - (10 / hi) ** a
        return p / p.sum()

    a_lo, a_hi = 1e-4, 8.0
    for _ in range(60):
        a = (a_lo + a_hi) / 2
        a_lo, a_hi = (a, a_hi) if loi(a) @ mid > cible else (a_lo, a)
    p = np.zeros(len(TRANCHES))
    p[1:5] = f.part_petits * small
    p[GRAND : imax + 1] = (1 - f.part_petits) * loi((a_lo + a_hi) / 2)
    return p


def _quotas(rng: np.random.Generator, attendu: np.ndarray) -> np.ndarray:
    """Stochastic rounding: integer counts whose expectation is ``attendu``."""
    base = np.floor(attendu)
    return (base + (rng.random(attendu.shape) < attendu - base)).astype(np.int64)


def _tirer(rng: np.random.Generator, poids: np.ndarray, n: int) -> np.ndarray:
    cum = np.cumsum(poids, dtype=float)
    return np.minimum(np.searchsorted(cum, rng.random(n) * cum[-1], side="right"), len(poids) - 1)


def _profils(rng: np.random.Generator, cle: int, grand: np.ndarray) -> np.ndarray:
    idx = _INDEX[str(cle)]
    out = np.empty(len(grand), dtype=np.int64)
    for g, col in ((False, 1), (True, 2)):
        sel = grand == g
        w = np.array([_TOUS[i][col] for i in idx], dtype=float)
        if w.sum() == 0:
            w = np.array([_TOUS[i][1] for i in idx], dtype=float)
        out[sel] = idx[_tirer(rng, w, int(sel.sum()))]
    return out


class _Choix:
    """Pick communes inside a département with probability proportional to a weight."""

    def __init__(self, com: _Communes, poids: np.ndarray) -> None:
        self.com = com
        self.cum = np.cumsum(poids, dtype=float)
        self.avant = self.cum[com.debut] - poids[com.debut]
        self.total = self.cum[com.fin - 1] - self.avant

    def __call__(self, rng: np.random.Generator, dep: np.ndarray) -> np.ndarray:
        cible = self.avant[dep] + rng.random(len(dep)) * self.total[dep]
        idx = np.searchsorted(self.cum, cible, side="right")
        return np.clip(idx, self.com.debut[dep], self.com.fin[dep] - 1)


@dataclass(frozen=True)
class _Tirage:
    """What every drawing step shares: the generator, the communes, the per-département scale factors and
    the commune pickers (ESS and private establishments get their own noise, so they cluster differently)."""

    rng: np.random.Generator
    com: _Communes
    ratio_pop: np.ndarray  # population of each département / REFERENCE_POPULATION
    ratio_ess: np.ndarray  # the same, times the département's ESS share target / the national mean share
    choix: dict[str, _Choix]

    @property
    def nd(self) -> int:
        return len(self.com.deps)

    def communes(self, dep_rows: np.ndarray, tr: np.ndarray, famille: str) -> np.ndarray:
        """Commune of each employer row (``famille``: "ess" or "prive"): large bands favour large communes."""
        grand = self.choix[f"{famille}_grand"](self.rng, dep_rows)
        petit = self.choix[f"{famille}_petit"](self.rng, dep_rows)
        return np.where(tr >= GRAND, grand, petit)


def _generate_rows(rng: np.random.Generator, com: _Communes) -> _Rows:
    """Every establishment row, drawn step by step; the order of the steps is part of the output for a seed.

    The ESS rows come first because the private employers are sized from the ESS jobs already drawn.
    """
    t = _tirage(rng, com)
    parts = [*_ess_employeurs(t), *_ess_non_employeurs(t), *_associations_hors_champ(t)]
    parts += _prives_employeurs(t, _concat(parts))
    parts += [*_prives_non_employeurs(t), *_publics(t), *_fermes(t), *_lieux_atypiques(t)]
    rows = _concat(parts)
    _caler(rng, rows, com)
    return rows


def _caler(rng: np.random.Generator, rows: _Rows, com: _Communes) -> None:
    """Calibration below the département (``esscore.demo_calage``), on the targets of CIBLES_DEMO_FILE."""
    cibles = pd.read_csv(config.CIBLES_DEMO_FILE, dtype={"territoire": str, "secteur": str})
    employeur = _is_employer(rows.tr, rows.car) & rows.actif & (rows.special == 0) & (rows.com >= 0)
    lignes = demo_calage.Lignes(
        com=rows.com, prof=rows.prof, milieu=np.where(employeur & (rows.tr >= 0), MILIEUX[np.maximum(rows.tr, 0)], 0.0),
        ess=employeur & (rows.stream < S_NONEMP) & (rows.stream != SCESS),
        prive=employeur & np.isin(rows.stream, [S_PRIVE, S_EI]), prive_fixe=employeur & (rows.stream == SCESS),
        societes=employeur & (rows.stream == S_PRIVE),
    )  # fmt: skip
    secteurs = cibles[cibles["indicateur"] == "part_ess_secteur"]
    prive = _INDEX[str(PRIVE)]
    demo_calage.caler_secteurs(
        rng, lignes, SECTEUR_PROFIL, {s: prive[SECTEUR_PROFIL[prive] == s] for s in secteurs["secteur"]},
        dict(zip(secteurs["secteur"], secteurs["valeur"].astype(float), strict=True)),
        prive[~np.isin(SECTEUR_PROFIL[prive], secteurs["secteur"].to_numpy())],
    )  # fmt: skip
    territoires = _territoires(cibles, com)
    communes = demo_calage.Communes(dep=com.dep, pop=com.pop)
    demo_calage.caler_territoires(rng, lignes, communes, territoires)
    demo_calage.caler_villes(rng, lignes, communes, territoires)


def _territoires(cibles: pd.DataFrame, com: _Communes) -> list[demo_calage.Territoire]:
    """The EPCI targets (« epci:CODE » or « epci:CODE sans commune:CODE ») whose communes are given."""
    out = []
    for territoire, lignes in cibles[cibles["territoire"].str.startswith("epci:")].groupby("territoire", sort=True):
        epci, _, sans = territoire.partition(" sans commune:")
        membres = np.flatnonzero((com.epci == epci.removeprefix("epci:")) & (com.code != sans))
        if not len(membres) or len(np.unique(com.dep[membres])) != 1:
            continue  # not in the communes given (a test geography), or across départements: not calibrated
        v = dict(zip(lignes["indicateur"], lignes["valeur"].astype(float), strict=True))
        out.append(demo_calage.Territoire(
            communes=membres, principale=int(membres[np.argmax(com.pop[membres])]),
            employeurs=v["etablissements_employeurs"], salaries=v.get("salaries_estimes"),
            part_emploi_prive=v.get("part_emploi_prive"), part_principale=v.get("part_commune_principale"),
        ))  # fmt: skip
    return out


def _tirage(rng: np.random.Generator, com: _Communes) -> _Tirage:
    """Scale factors and commune pickers: weights are population to a power (> 1 for large establishments,
    < 1 for non-employers, which are spread more evenly) times a per-commune noise of mean 1.

    The noise shrinks as the population grows (gamma of shape 2 + population / 2 000: ±70 % in a village,
    ±20 % at 50 000 inhabitants, ±6 % in a city of 500 000): a large town's ESS follows its size, as officials
    know it does, instead of a lottery that gave Toulouse 2,6 % of private jobs and Marseille 44 %. Large ESS
    establishments (10 salariés and more: hospitals, care homes, head offices of mutuals and federations) are
    half as likely again in the préfecture (``PREFECTURE_ESS``).
    """
    nd = len(com.deps)
    pop_d = np.bincount(com.dep, weights=com.pop, minlength=nd)
    ratio_ess = pop_d * com.part / (REFERENCE_POPULATION * REFERENCE_MEAN_SHARE_PCT * PRIVATE_SHARE_FACTOR / 100)
    forme = 2.0 + com.pop / 2000
    bruit_ess = rng.gamma(forme, 1 / forme)
    bruit_prive = rng.gamma(forme, 1 / forme)
    choix = {
        "ess_petit": _Choix(com, com.pop * bruit_ess),
        "ess_grand": _Choix(com, com.pop**1.25 * bruit_ess * np.where(com.prefecture, PREFECTURE_ESS, 1.0)),
        "ess_ne": _Choix(com, com.pop**0.85 * bruit_ess),
        "prive_petit": _Choix(com, com.pop * bruit_prive),
        "prive_grand": _Choix(com, com.pop**1.3 * bruit_prive),
        "prive_ne": _Choix(com, com.pop**0.9 * bruit_prive),
    }
    return _Tirage(rng=rng, com=com, ratio_pop=pop_d / REFERENCE_POPULATION, ratio_ess=ratio_ess, choix=choix)


def _ess_employeurs(t: _Tirage) -> list[_Part]:
    """ESS employer establishments per family x département x band, at the national rates of FAMILLES."""
    parts = []
    for f, fam in FAMILLES.items():
        p = _loi_tailles(fam, fam.salaries / fam.employeurs)
        dep_rows, tr = _expand(_quotas(t.rng, fam.employeurs * t.ratio_ess[:, None] * p[None, :]))
        tr, car = _employer_flags(t.rng, tr)
        prof = _profils(t.rng, f, tr >= GRAND)
        parts.append(_part(t.communes(dep_rows, tr, "ess"), prof, tr, car, f))
    return parts


def _ess_non_employeurs(t: _Tirage) -> list[_Part]:
    """ESS units without employees (mostly small associations): in the files, never in the job figures."""
    parts = []
    for f, fam in FAMILLES.items():
        dep_rows = np.repeat(np.arange(t.nd), _quotas(t.rng, fam.non_employeurs * t.ratio_ess))
        tr, car = _non_employer_flags(t.rng, len(dep_rows))
        prof = _profils(t.rng, f, np.zeros(len(dep_rows), bool))
        parts.append(_part(t.choix["ess_ne"](t.rng, dep_rows), prof, tr, car, S_NONEMP))
    return parts


def _associations_hors_champ(t: _Tirage) -> list[_Part]:
    """Associations whose APE is outside the statistical perimeter (unions, parties, congregations...), so
    that the legal / statistical switch has something to remove: employers (at least 3 expected) and not."""
    p = _loi_tailles(EXCLUS_TAILLE, EXCLUS_TAILLE.salaries)
    n_exclus = max(3.0, EXCLUS_TAILLE.employeurs * t.ratio_ess.sum())
    dep_rows, tr = _expand(_quotas(t.rng, n_exclus * (t.ratio_ess / t.ratio_ess.sum())[:, None] * p[None, :]))
    tr, car = _employer_flags(t.rng, tr)
    prof = _profils(t.rng, -1, tr >= GRAND)
    employeurs = _part(t.communes(dep_rows, tr, "ess"), prof, tr, car, S_EXCLU)
    dep_rows = np.repeat(np.arange(t.nd), _quotas(t.rng, EXCLUS_TAILLE.non_employeurs * t.ratio_ess))
    tr, car = _non_employer_flags(t.rng, len(dep_rows))
    communes = t.choix["ess_ne"](t.rng, dep_rows)  # before the profiles, unlike the other steps: keep the order
    prof = _profils(t.rng, -1, np.zeros(len(dep_rows), bool))
    return [employeurs, _part(communes, prof, tr, car, S_EXCLU)]


def _prives_employeurs(t: _Tirage, ess: _Rows) -> list[_Part]:
    """Non-ESS private employers (12 % of the small ones individual entrepreneurs), per département, sized so
    that the ESS share of private jobs hits the département's target. The statistical share divides by the
    private jobs outside the excluded activities: the commercial companies of the ESS are private employers
    outside the ESS statistics, so their jobs already count towards the non-ESS total; the excluded
    associations (unions, parties…) are on neither side."""
    com = t.com
    ess_stat = (ess.stream < S_NONEMP) & (ess.stream != SCESS) & _is_employer(ess.tr, ess.car)
    ess_jobs = np.bincount(com.dep[ess.com[ess_stat]], weights=MILIEUX[ess.tr[ess_stat]], minlength=t.nd)
    scess = (ess.stream == SCESS) & _is_employer(ess.tr, ess.car)
    scess_jobs = np.bincount(com.dep[ess.com[scess]], weights=MILIEUX[ess.tr[scess]], minlength=t.nd)
    cible = np.maximum(ess_jobs * (1 - com.part) / com.part - scess_jobs, 0)
    p = _loi_tailles(PRIVE_TAILLE, PRIVE_TAILLE.salaries)
    dep_rows, tr = _expand(_fill(_quotas(t.rng, (cible / PRIVE_TAILLE.salaries)[:, None] * p[None, :]), cible))
    tr, car = _employer_flags(t.rng, tr)
    ei = (tr < GRAND) & (t.rng.random(len(tr)) < 0.12)
    prof = np.where(ei, _profils(t.rng, EI, np.zeros(len(tr), bool)), _profils(t.rng, PRIVE, tr >= GRAND))
    return [_part(t.communes(dep_rows, tr, "prive"), prof, tr, car, np.where(ei, S_EI, S_PRIVE))]


def _prives_non_employeurs(t: _Tirage) -> list[_Part]:
    """Private units without employees (70 % individual entrepreneurs), in proportion to population."""
    dep_rows = np.repeat(np.arange(t.nd), _quotas(t.rng, PRIVE_TAILLE.non_employeurs * t.ratio_pop))
    tr, car = _non_employer_flags(t.rng, len(dep_rows))
    ei = t.rng.random(len(dep_rows)) < 0.7
    petit = np.zeros(len(dep_rows), bool)
    prof = np.where(ei, _profils(t.rng, EI, petit), _profils(t.rng, PRIVE, petit))
    return [_part(t.choix["prive_ne"](t.rng, dep_rows), prof, tr, car, np.where(ei, S_EI_NE, S_PRIVE_NE))]


def _publics(t: _Tirage) -> list[_Part]:
    """Public bodies (CJ 4xxx/7xxx), 10 % without employees: never ESS, never in the private denominator."""
    n = _n_min(t.rng, PUBLIC_TAILLE.employeurs * t.ratio_pop.sum(), 5)
    c = _tirer(t.rng, t.com.pop**0.6, n)
    tr = _tirer(t.rng, _loi_tailles(PUBLIC_TAILLE, PUBLIC_TAILLE.salaries), n)
    tr, car = _employer_flags(t.rng, tr)
    non_emp = t.rng.random(n) < 0.1
    tr[non_emp], car[non_emp] = NN, 1
    return [_part(c, _profils(t.rng, PUBLIC, tr >= GRAND), tr, car, S_PUBLIC)]


def _fermes(t: _Tirage) -> list[_Part]:
    """Closed establishments (etat F), half in ceased legal units, half attached to active ones; 10 % still
    carry an employer band, so only the filter on the administrative state drops them."""
    n = _n_min(t.rng, FERMES * t.ratio_pop.sum(), 10)
    c = _tirer(t.rng, t.com.pop, n)
    fam = t.rng.choice([ASSO, PRIVE, EI], size=n, p=[0.5, 0.35, 0.15])
    prof = np.empty(n, dtype=np.int64)
    for f in (ASSO, PRIVE, EI):
        sel = fam == f
        prof[sel] = _profils(t.rng, f, np.zeros(int(sel.sum()), bool))
    tr = np.where(t.rng.random(n) < 0.8, NN, -1)
    car = np.where(t.rng.random(n) < 0.5, 1, 2)
    stale = t.rng.random(n) < 0.1
    tr[stale], car[stale] = t.rng.choice([T01, T01 + 1], size=int(stale.sum())), 0
    stream = np.where(t.rng.random(n) < 0.5, S_FERME, S_FERME_RATTACHE)
    return [_part(c, prof, tr, car, stream, actif=False)]


def _lieux_atypiques(t: _Tirage) -> list[_Part]:
    """A few ESS employers abroad (no commune code) and some with a commune code absent from the COG, as in
    the real file: the ingestion must count them, not drop them silently."""
    parts = []
    for special, base in ((1, ETRANGER), (2, INCONNUES)):
        n = _n_min(t.rng, base * t.ratio_pop.sum(), 3)
        c = _tirer(t.rng, t.com.pop, n) if special == 2 else np.full(n, -1)
        tr = t.rng.choice([T01, T01 + 1], size=n)
        fam_ = ASSO if special == 2 else COOP
        prof = np.where(
            t.rng.random(n) < 0.7, _profils(t.rng, ASSO, np.zeros(n, bool)), _profils(t.rng, fam_, np.zeros(n, bool))
        )
        parts.append(_part(c, prof, tr, np.zeros(n, np.int8), S_AUTRE, special=special))
    return parts


def _n_min(rng: np.random.Generator, attendu: float, minimum: int) -> int:
    """Stochastic rounding with a floor, so that a small geography still exercises every case."""
    return max(minimum, int(_quotas(rng, np.array([attendu]))[0]))


def _part(com: np.ndarray, prof: np.ndarray, tr: np.ndarray, car: np.ndarray, stream: int | np.ndarray,
          actif: bool = True, special: int = 0) -> _Part:  # fmt: skip
    """One batch of rows as typed columns (scalars ``stream``, ``actif``, ``special`` broadcast)."""
    n = len(com)
    return {
        "com": np.asarray(com, np.int64), "prof": np.asarray(prof, np.int64), "tr": np.asarray(tr, np.int8),
        "car": np.asarray(car, np.int8), "stream": np.broadcast_to(np.asarray(stream, np.int16), (n,)).copy(),
        "actif": np.full(n, actif), "special": np.full(n, special, np.int8),
    }  # fmt: skip


def _concat(parts: list[_Part]) -> _Rows:
    cols = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
    return _Rows(fam=FAM_PROFIL[cols["prof"]], **cols)


def _expand(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(département, band) count matrix -> one (département, band) pair per row."""
    flat = counts.ravel()
    cell = np.repeat(np.arange(flat.size), flat)
    return cell // counts.shape[1], (cell % counts.shape[1]).astype(np.int8)


def _employer_flags(rng: np.random.Generator, tr: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Employer rows: 30 % of band 00 become NN (employer, band unknown); 7 % of banded rows lack the flag."""
    tr = tr.astype(np.int8).copy()
    zero = tr == T00
    tr[zero & (rng.random(len(tr)) < 0.3)] = NN
    car = np.zeros(len(tr), np.int8)
    car[(tr >= T01) & (rng.random(len(tr)) < 0.07)] = 2
    return tr, car


def _non_employer_flags(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """NN/'N' mostly; some NN with no flag, some 00/'N', a few stale 01/'N' (not employers by the rule)."""
    kind = _tirer(rng, np.array([0.88, 0.07, 0.04, 0.01]), n)
    tr = np.array([NN, NN, T00, T01], np.int8)[kind]
    car = np.array([1, 2, 1, 1], np.int8)[kind]
    return tr, car


def _is_employer(tr: np.ndarray, car: np.ndarray) -> np.ndarray:
    return (car == 0) | ((car == 2) & (tr >= T01))


def _fill(counts: np.ndarray, cible: np.ndarray) -> np.ndarray:
    """Adjust band counts so each département's midpoint sum hits its target (to within 1.5 employees)."""
    counts = counts.copy()
    bands = np.arange(len(TRANCHES) - 1, T01 - 1, -1)  # 53 ... 01
    fillers = (TRANCHES.index("12"), TRANCHES.index("11"), TRANCHES.index("03"), TRANCHES.index("02"), T01)
    for d in range(len(counts)):
        reste = cible[d] - counts[d] @ MILIEUX
        for t in bands:  # too many jobs: drop rows, largest bands first, without overshooting
            if reste >= 0:
                break
            k = min(counts[d, t], int(-reste // MILIEUX[t]))
            counts[d, t] -= k
            reste += k * MILIEUX[t]
        if reste < 0:  # what is left is smaller than any remaining row: drop the smallest one
            t = next((t for t in bands[::-1] if counts[d, t] > 0), None)
            if t is not None:
                counts[d, t] -= 1
                reste += MILIEUX[t]
        for t in fillers:
            k = int(max(reste, 0) // MILIEUX[t])
            counts[d, t] += k
            reste -= k * MILIEUX[t]
    return counts


# --- legal units ------------------------------------------------------------------------------------
@dataclass
class _Uls:
    ul: np.ndarray  # per row: legal-unit index
    siege: np.ndarray  # per row: head office
    n: int
    siege_row: np.ndarray  # per legal unit: row of its head office
    cesse: np.ndarray  # per legal unit: ceased ('C')


def _group_legal_units(rng: np.random.Generator, rows: _Rows, com: _Communes) -> _Uls:
    """Chunk neighbouring rows of the same stream (sorted by activity, then commune) into legal units."""
    n = len(rows.com)
    ul = np.full(n, -1, np.int64)
    siege = np.zeros(n, bool)
    offset = 0
    cesse_start = cesse_end = 0
    for stream in np.unique(rows.stream):
        if stream == S_FERME_RATTACHE:
            continue
        idx = np.flatnonzero(rows.stream == stream)
        idx = idx[np.lexsort((rows.com[idx], rows.prof[idx]))]
        chunk = _chunks(rng, len(idx), MOYENNE_STREAM.get(int(stream), 1.0))
        ul[idx] = offset + chunk
        first = np.ones(len(idx), bool)
        first[1:] = chunk[1:] != chunk[:-1]
        siege[idx] = first
        if stream == S_FERME:
            cesse_start, cesse_end = offset, offset + chunk[-1] + 1
        offset += int(chunk[-1]) + 1 if len(chunk) else 0
    attach = np.flatnonzero(rows.stream == S_FERME_RATTACHE)
    actives = np.setdiff1d(np.unique(ul[(ul >= 0) & rows.actif]), np.arange(cesse_start, cesse_end))
    ul[attach] = actives[rng.integers(0, len(actives), len(attach))]
    if offset > 1_000_000:
        raise DonneesInvalides(
            f"Trop d'unités légales à générer ({offset}) : l'espace des SIREN de démonstration (99xxxxxxx) "
            "est limité à 1 000 000. Réduisez la table des communes."
        )
    siege_row = np.empty(offset, np.int64)
    siege_row[ul[siege]] = np.flatnonzero(siege)
    cesse = np.zeros(offset, bool)
    cesse[cesse_start:cesse_end] = True
    return _Uls(ul=ul, siege=siege, n=offset, siege_row=siege_row, cesse=cesse)


def _chunks(rng: np.random.Generator, n: int, moyenne: float) -> np.ndarray:
    if n == 0:
        return np.zeros(0, np.int64)
    if moyenne <= 1:
        return np.arange(n)
    tailles = rng.geometric(1 / moyenne, size=int(n / moyenne * 1.5) + 20)
    while tailles.sum() < n:
        tailles = np.concatenate([tailles, rng.geometric(1 / moyenne, size=len(tailles))])
    return np.searchsorted(np.cumsum(tailles), np.arange(n), side="right")


# --- tables -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Ordre:
    """Rows in file order: grouped by legal unit, head office first."""

    rows: _Rows
    ul: np.ndarray  # per row: legal-unit index
    siege: np.ndarray  # per row: head office
    rang: np.ndarray  # per row: position within its legal unit (NIC without key, minus 1)
    siege_row: np.ndarray  # per legal unit: row of its head office


@dataclass(frozen=True)
class _Identifiants:
    """SIREN, NIC and SIRET, as numbers for sorting and as the text written in the files."""

    siren: np.ndarray  # per legal unit, as a number (sort key of the legal-unit file)
    siren_row: np.ndarray  # per row, as a number (with ``rang``, sort key of the establishment file)
    nic_base: np.ndarray  # per row: NIC without its key
    siren_s: pa.Array  # per legal unit
    siren_row_s: pa.Array  # per row
    nic_s: pa.Array  # per row, 5 characters
    siret_s: pa.Array  # per row


@dataclass(frozen=True)
class _AttributsUl:
    """Per legal unit: what it takes from its head office, and what is drawn for it."""

    prof: np.ndarray
    fam: np.ndarray
    com: np.ndarray
    cj: np.ndarray
    diffusion_partielle: np.ndarray
    flag: np.ndarray  # economieSocialeSolidaireUniteLegale: 0 'O', 1 'N', 2 empty


@dataclass(frozen=True)
class _Effectifs:
    """Employer status and estimated employees, per row and per legal unit."""

    employeur_row: np.ndarray  # per row: active employer establishment
    milieu_row: np.ndarray  # per row: band midpoint if an active employer, else 0
    total: np.ndarray  # per legal unit: sum of its rows' midpoints
    employeur_ul: np.ndarray
    tranche_ul: np.ndarray  # index into TRANCHES


@dataclass(frozen=True)
class _Lieux:
    """Per row: commune fields as SIRENE writes them, and coordinates as text."""

    com_idx: np.ndarray  # commune index (0 where the row has none: see ``normal``)
    code: np.ndarray
    libelle: np.ndarray
    cp: np.ndarray
    normal: np.ndarray  # in France, with a known commune
    etranger: np.ndarray
    inconnues: np.ndarray  # rows given a code absent from the COG
    n_deleguee: int
    x: pa.Array
    y: pa.Array


@dataclass(frozen=True)
class _Dates:
    """Days since _JOUR0."""

    creation: np.ndarray
    debut: np.ndarray
    ul_creation: np.ndarray
    ul_debut: np.ndarray


def _build_tables(
    rng: np.random.Generator, rows: _Rows, uls: _Uls, com: _Communes, passage: pd.DataFrame | None
) -> tuple[pa.Table, pa.Table, dict]:
    """Both files and their counts. Each step draws from ``rng`` in the order below: keep it, or the files
    written for a given seed change."""
    o = _ordonner(rows, uls)
    ids = _identifiants(rng, o, uls.n)
    attrs = _attributs_ul(rng, o, com, uls.n)
    eff = _effectifs(o, uls.n)
    lieux = _lieux(rng, o, com, passage)
    dates = _tirer_dates(rng, o, uls.n)
    partielle_row = attrs.diffusion_partielle[o.ul]
    etab = _table_etablissements(rng, o, ids, lieux, dates, partielle_row)
    ul_table = _table_unites_legales(rng, o, ids, attrs, eff, dates, uls.cesse, com)
    return etab, ul_table, _compteurs(o, eff, lieux, partielle_row, uls.n)


def _ordonner(rows: _Rows, uls: _Uls) -> _Ordre:
    """Order rows by legal unit, head office first, and rank them within it (the NIC is the rank + 1)."""
    order = np.lexsort((np.arange(len(uls.ul)), ~uls.siege, uls.ul))
    rows = _Rows(**{f.name: getattr(rows, f.name)[order] for f in fields(_Rows)})
    ul, siege = uls.ul[order], uls.siege[order]
    n = len(ul)
    start = np.r_[0, np.flatnonzero(ul[1:] != ul[:-1]) + 1]
    rang = np.arange(n) - np.repeat(start, np.diff(np.r_[start, n]))
    if rang.max(initial=0) >= 9999:
        raise DonneesInvalides("Unité légale de démonstration avec plus de 9 999 établissements.")
    siege_row = np.empty(uls.n, np.int64)
    siege_row[ul[siege]] = np.flatnonzero(siege)
    return _Ordre(rows=rows, ul=ul, siege=siege, rang=rang, siege_row=siege_row)


def _identifiants(rng: np.random.Generator, o: _Ordre, n_ul: int) -> _Identifiants:
    """SIREN = 99 + a 6-digit number unique to the unit + Luhn key; SIRET = SIREN + 4-digit NIC + Luhn key: valid
    numbers, so that checks on the real files pass, all in the 99 range that marks them as fictitious."""
    body = 99_000_000 + rng.permutation(1_000_000)[:n_ul]
    siren = body * 10 + _luhn(_digits(body, 8))
    siren_row = siren[o.ul]
    nic_base = o.rang + 1
    nic = nic_base * 10 + _luhn(np.hstack([_digits(siren_row, 9), _digits(nic_base, 4)]))
    siren_s = pa.array(siren).cast(pa.string())
    nic_s = pc.utf8_lpad(pa.array(nic).cast(pa.string()), 5, "0")
    siren_row_s = siren_s.take(pa.array(o.ul))
    return _Identifiants(
        siren=siren, siren_row=siren_row, nic_base=nic_base, siren_s=siren_s, siren_row_s=siren_row_s, nic_s=nic_s,
        siret_s=pc.binary_join_element_wise(siren_row_s, nic_s, ""),
    )  # fmt: skip


def _attributs_ul(rng: np.random.Generator, o: _Ordre, com: _Communes, n_ul: int) -> _AttributsUl:
    """Legal-unit attributes from the head office's activity profile: legal category (60 % of the
    associations of Alsace-Moselle under local law, 9260), partial diffusion rate per family, ESS flag."""
    s = o.siege_row
    ul_prof, ul_fam, ul_com = o.rows.prof[s], o.rows.fam[s], o.rows.com[s]
    cj = _draw_cj(rng, ul_prof)
    asso_am = (ul_fam == ASSO) & (ul_com >= 0) & np.isin(com.deps[com.dep[np.maximum(ul_com, 0)]], list(ALSACE_MOSELLE))
    cj[asso_am & np.isin(cj, [9220, 9210]) & (rng.random(n_ul) < 0.6)] = 9260
    p_part = np.select([ul_fam == EI, ul_fam == PUBLIC, ul_fam >= PRIVE], [PART_P_EI, 0.0, PART_P_SOCIETE], PART_P_ESS)
    diffusion_partielle = rng.random(n_ul) < p_part
    flag = _draw_flag(rng, ul_fam, cj)
    return _AttributsUl(prof=ul_prof, fam=ul_fam, com=ul_com, cj=cj, diffusion_partielle=diffusion_partielle, flag=flag)


def _effectifs(o: _Ordre, n_ul: int) -> _Effectifs:
    """Employees of a legal unit = midpoints of its active employer establishments; its band follows."""
    r = o.rows
    employeur_row = _is_employer(r.tr, r.car) & r.actif
    milieu_row = np.where(employeur_row & (r.tr >= 0), MILIEUX[np.maximum(r.tr, 0)], 0.0)
    total = np.bincount(o.ul, weights=milieu_row, minlength=n_ul)
    employeur_ul = np.bincount(o.ul, weights=employeur_row, minlength=n_ul) > 0
    k = np.searchsorted(_SEUILS_UL, total, side="right")
    tranche_ul = np.where(k > 0, k + 1, np.where(employeur_ul, T00, NN))
    return _Effectifs(employeur_row, milieu_row, total, employeur_ul, tranche_ul)


def _lieux(rng: np.random.Generator, o: _Ordre, com: _Communes, passage: pd.DataFrame | None) -> _Lieux:
    """Commune fields as in the real file: arrondissement codes for Paris/Lyon/Marseille, some communes
    déléguées (when ``passage`` is given), a few codes unknown to the COG; then the coordinates."""
    r = o.rows
    com_idx = np.maximum(r.com, 0)
    code = com.code[com_idx].astype("<U5")
    libelle = com.libelle[com_idx].astype(object)
    cp = com.cp[com_idx].astype("<U5")
    normal = r.special == 0
    _arrondissements(rng, code, cp, libelle, normal)
    n_deleguee = 0
    if passage is not None and {"code", "type", "code_commune"} <= set(passage.columns):
        n_deleguee = _deleguees(rng, passage, code, libelle, normal)
    known = set(com.code.tolist())
    inconnues = np.flatnonzero(r.special == 2)
    for i in inconnues:
        dep = com.deps[com.dep[com_idx[i]]]
        code[i] = next(c for c in (f"{dep}998"[:5], f"{dep}997"[:5], f"{dep}99"[:5]) if c not in known)
    x, y = _coordonnees(rng, com, com_idx, normal, np.isin(r.fam, list(FAMILLES_ESS)))
    return _Lieux(
        com_idx=com_idx, code=code, libelle=libelle, cp=cp, normal=normal, etranger=r.special == 1,
        inconnues=inconnues, n_deleguee=n_deleguee, x=x, y=y,
    )  # fmt: skip


def _arrondissements(rng: np.random.Generator, code: np.ndarray, cp: np.ndarray, libelle: np.ndarray,
                     normal: np.ndarray) -> None:  # fmt: skip
    """SIRENE codes Paris, Lyon and Marseille by arrondissement: spread their rows by arrondissement population."""
    for ville, arr in ARRONDISSEMENTS.items():
        sel = np.flatnonzero(normal & (code == ville))
        if len(sel):
            pick = _tirer(rng, np.array([w for _, w in arr], float), len(sel))
            code[sel] = np.array([c for c, _ in arr])[pick]
            num = np.array([int(c[-2:]) for c, _ in arr])[pick]
            cp[sel] = [_cp_arrondissement(ville, i) for i in num]
            libelle[sel] = [_libelle_arrondissement(ville, i) for i in num]


def _coordonnees(rng: np.random.Generator, com: _Communes, com_idx: np.ndarray, normal: np.ndarray,
                 ess_rows: np.ndarray) -> tuple[pa.Array, pa.Array]:  # fmt: skip
    """Positions in the département's projected CRS, as text with one decimal like the real file: for the ESS
    rows (the only ones the product places on a map), inside the commune's outline when it is known
    (``demo_positions.tirer``); otherwise jittered within a radius of the commune centre (the ingestion
    drops the positions of the other establishments). Empty abroad and for unknown codes."""
    n = len(com_idx)
    theta = rng.random(n) * 2 * np.pi
    rad = com.rayon[com_idx] * np.sqrt(rng.random(n))
    x = com.x[com_idx] + rad * np.cos(theta)
    y = com.y[com_idx] + rad * np.sin(theta)
    contour = normal & ess_rows & np.array([g is not None for g in com.poly])[com_idx]
    sel = np.flatnonzero(contour)
    x[sel], y[sel] = demo_positions.tirer(rng, com.poly, com.x, com.y, com_idx[sel])
    x[~normal] = np.nan
    y[~normal] = np.nan
    return _texte_1_decimale(x), _texte_1_decimale(y)


def _tirer_dates(rng: np.random.Generator, o: _Ordre, n_ul: int) -> _Dates:
    """Creation dates (legal units first; establishments other than the head office may be younger) and the
    start of the current period: later for 40 % of establishments, for all closed ones, 30 % of units."""
    span = int((_JOUR_FIN - _JOUR0).astype(int))
    n = len(o.ul)
    ul_creation = np.maximum(span - rng.exponential(9000, n_ul).astype(np.int64), 0)
    creation = ul_creation[o.ul] + (rng.random(n) * (span - ul_creation[o.ul])).astype(np.int64) * (~o.siege)
    debut = creation + (rng.random(n) < 0.4) * (rng.random(n) * (span - creation)).astype(np.int64)
    closed = ~o.rows.actif
    debut[closed] = creation[closed] + (rng.random(int(closed.sum())) * (span - creation[closed])).astype(np.int64)
    ul_debut = ul_creation + (rng.random(n_ul) < 0.3) * (rng.random(n_ul) * (span - ul_creation)).astype(np.int64)
    return _Dates(creation=creation, debut=debut, ul_creation=ul_creation, ul_debut=ul_debut)


def _masque(arr: pa.Array, partielle: np.ndarray) -> pa.Array:
    """'[ND]' where the row is partially diffusible and the field is filled, as INSEE masks it."""
    return pc.if_else(pc.and_(pa.array(partielle), pc.is_valid(arr)), pa.scalar("[ND]"), arr)


def _nul_si(condition: np.ndarray, arr: pa.Array) -> pa.Array:
    return pc.if_else(pa.array(condition), pa.scalar(None, arr.type), arr)


def _si(condition: np.ndarray, valeur: pa.Array | pa.Scalar) -> pa.Array:
    """``valeur`` where ``condition``, else null (string column)."""
    return pc.if_else(pa.array(condition), valeur, pa.scalar(None, pa.string()))


def _adresses(rng: np.random.Generator, o: _Ordre, nic_base: np.ndarray, etranger: np.ndarray,
              partielle: np.ndarray) -> dict[str, pa.Array]:  # fmt: skip
    """Street address, sign and foreign country columns: a French address in France, a country abroad;
    '[ND]' for partially diffusible rows."""
    n = len(o.ul)
    voie_type = _vocab([t for t, _ in TYPES_VOIE], _tirer(rng, np.array([w for _, w in TYPES_VOIE]), n))
    voie_num = pa.array(rng.integers(1, 200, n)).cast(pa.string())
    voie_num = _nul_si(rng.random(n) < 0.1, voie_num)
    voie_lib = _vocab(list(VOIES), rng.integers(0, len(VOIES), n))
    indice = _si(rng.random(n) < 0.03, pa.scalar("B"))
    complement = _si(rng.random(n) < 0.05, pa.scalar("BATIMENT DEMO"))
    antenne = pc.binary_join_element_wise(pa.scalar("ANTENNE DEMO"), pa.array(nic_base).cast(pa.string()), " ")
    enseigne = _si((rng.random(n) < 0.04) & ~o.siege, antenne)
    pays = rng.integers(0, len(PAYS), n)
    en_france = {
        "complementAdresseEtablissement": complement, "numeroVoieEtablissement": voie_num,
        "indiceRepetitionEtablissement": indice, "typeVoieEtablissement": voie_type,
        "libelleVoieEtablissement": voie_lib,
    }  # fmt: skip
    return {
        **{c: _masque(_nul_si(etranger, v), partielle) for c, v in en_france.items()},
        "enseigne1Etablissement": _masque(enseigne, partielle),
        "codePaysEtrangerEtablissement": _si(etranger, _vocab([p[0] for p in PAYS], pays)),
        "libellePaysEtrangerEtablissement": _si(etranger, _vocab([p[1] for p in PAYS], pays)),
        "libelleCommuneEtrangerEtablissement": _si(etranger, _vocab([p[2] for p in PAYS], pays)),
    }


#: Establishment columns always empty here: never filled for these units, or (columns 31 to 44) the second address.
_ETAB_VIDES = (
    "activitePrincipaleRegistreMetiersEtablissement", "dernierNumeroVoieEtablissement",
    "indiceRepetitionDernierNumeroVoieEtablissement", "distributionSpecialeEtablissement", "codeCedexEtablissement",
    "libelleCedexEtablissement", "identifiantAdresseEtablissement", *ETABLISSEMENT_COLUMNS[30:44],
    "enseigne2Etablissement", "enseigne3Etablissement", "denominationUsuelleEtablissement",
)  # fmt: skip


def _table_etablissements(rng: np.random.Generator, o: _Ordre, ids: _Identifiants, lieux: _Lieux, dates: _Dates,
                          partielle: np.ndarray) -> pa.Table:  # fmt: skip
    """StockEtablissement: the 54 columns in file order, sorted by SIRET like the real file."""
    r, n = o.rows, len(o.ul)
    adresses = _adresses(rng, o, ids.nic_base, lieux.etranger, partielle)
    ts = _timestamps(rng, n)
    n_periodes = pa.array(rng.geometric(0.6, n).astype(np.int64))
    ape = pa.array(APE[r.prof])
    null_s = pa.nulls(n, pa.string())
    cols: dict[str, pa.Array] = {
        **adresses,
        **dict.fromkeys(_ETAB_VIDES, null_s),
        "siren": ids.siren_row_s,
        "nic": ids.nic_s,
        "siret": ids.siret_s,
        "statutDiffusionEtablissement": _vocab(["O", "P"], partielle.astype(np.int64)),
        "dateCreationEtablissement": _dates(dates.creation),
        "trancheEffectifsEtablissement": _vocab(list(TRANCHES) + [None], np.where(r.tr >= 0, r.tr, len(TRANCHES))),
        "anneeEffectifsEtablissement": pa.array(np.full(n, 2023, np.int64), mask=~((r.tr >= 0) & (r.tr != NN))),
        "dateDernierTraitementEtablissement": ts,
        "etablissementSiege": pa.array(o.siege),
        "nombrePeriodesEtablissement": n_periodes,
        "codePostalEtablissement": _nul_si(lieux.etranger, pa.array(lieux.cp)),
        "libelleCommuneEtablissement": _nul_si(lieux.etranger, pa.array(lieux.libelle, pa.string())),
        "codeCommuneEtablissement": _nul_si(lieux.etranger, pa.array(lieux.code)),
        "coordonneeLambertAbscisseEtablissement": _masque(lieux.x, partielle),
        "coordonneeLambertOrdonneeEtablissement": _masque(lieux.y, partielle),
        "dateDebut": _dates(dates.debut),
        "etatAdministratifEtablissement": _vocab(["F", "A"], r.actif.astype(np.int64)),
        "activitePrincipaleEtablissement": ape,
        "nomenclatureActivitePrincipaleEtablissement": pa.array(np.full(n, "NAFRev2")),
        "caractereEmployeurEtablissement": _vocab(["O", "N", None], r.car),
        # Demonstration approximation: the NAF 2025 column repeats the NAF rév.2 code.
        "activitePrincipaleNAF25Etablissement": ape,
    }
    etab = pa.table([cols[c] for c in ETABLISSEMENT_COLUMNS], names=list(ETABLISSEMENT_COLUMNS))
    return etab.take(pa.array(np.lexsort((o.rang, ids.siren_row))))


def _table_unites_legales(rng: np.random.Generator, o: _Ordre, ids: _Identifiants, attrs: _AttributsUl,
                          eff: _Effectifs, dates: _Dates, cesse: np.ndarray, com: _Communes) -> pa.Table:  # fmt: skip
    """StockUniteLegale: the 35 columns in file order, sorted by SIREN like the real file."""
    m = len(attrs.fam)
    partielle = attrs.diffusion_partielle
    noms = _noms_ul(rng, attrs)
    rna = _rna(rng, attrs, com)
    categorie = np.where(eff.total >= 5000, 2, np.where(eff.total >= 250, 1, 0))
    mission = _mission(rng, attrs.fam)
    ul_ape = pa.array(APE[attrs.prof])
    null_s = pa.nulls(m, pa.string())
    cols: dict[str, pa.Array] = {
        **dict.fromkeys(_UL_VIDES, null_s),
        "siren": ids.siren_s,
        "statutDiffusionUniteLegale": _vocab(["O", "P"], partielle.astype(np.int64)),
        "unitePurgeeUniteLegale": pa.array(np.ones(m, bool), mask=~(cesse & (rng.random(m) < 0.2))),
        "dateCreationUniteLegale": _dates(dates.ul_creation),
        "sexeUniteLegale": noms["sexe"],
        "prenom1UniteLegale": _masque(noms["prenom"], partielle),
        "prenomUsuelUniteLegale": _masque(noms["prenom"], partielle),
        "identifiantAssociationUniteLegale": rna,
        "trancheEffectifsUniteLegale": _vocab(list(TRANCHES), eff.tranche_ul),
        "anneeEffectifsUniteLegale": pa.array(np.full(m, 2023, np.int64), mask=~((eff.tranche_ul != NN) & ~cesse)),
        "dateDernierTraitementUniteLegale": _timestamps(rng, m),
        "nombrePeriodesUniteLegale": pa.array(rng.geometric(0.6, m).astype(np.int64)),
        "categorieEntreprise": _nul_si(cesse, _vocab(["PME", "ETI", "GE"], categorie)),
        "anneeCategorieEntreprise": pa.array(np.full(m, 2023, np.int64), mask=cesse),
        "dateDebut": _dates(dates.ul_debut),
        "etatAdministratifUniteLegale": _vocab(["A", "C"], cesse.astype(np.int64)),
        "nomUniteLegale": _masque(noms["nom"], partielle),
        "denominationUniteLegale": _masque(noms["denomination"], partielle),
        "categorieJuridiqueUniteLegale": pa.array(attrs.cj.astype(np.int64)),
        "activitePrincipaleUniteLegale": ul_ape,
        "nomenclatureActivitePrincipaleUniteLegale": pa.array(np.full(m, "NAFRev2")),
        "nicSiegeUniteLegale": ids.nic_s.take(pa.array(o.siege_row)),
        "economieSocialeSolidaireUniteLegale": _vocab(["O", "N", None], attrs.flag),
        "societeMissionUniteLegale": _vocab(["O", "N", None], mission),
        "caractereEmployeurUniteLegale": _vocab(["N", "O"], eff.employeur_ul.astype(np.int64)),
        "activitePrincipaleNAF25UniteLegale": ul_ape,
    }
    ul_table = pa.table([cols[c] for c in UNITE_LEGALE_COLUMNS], names=list(UNITE_LEGALE_COLUMNS))
    return ul_table.take(pa.array(np.argsort(ids.siren, kind="stable")))


#: Legal-unit columns always empty here.
_UL_VIDES = (
    "sigleUniteLegale", "prenom2UniteLegale", "prenom3UniteLegale", "prenom4UniteLegale", "pseudonymeUniteLegale",
    "nomUsageUniteLegale", "denominationUsuelle1UniteLegale", "denominationUsuelle2UniteLegale",
    "denominationUsuelle3UniteLegale",
)  # fmt: skip


def _noms_ul(rng: np.random.Generator, attrs: _AttributsUl) -> dict[str, pa.Array]:
    """Individual entrepreneurs are natural persons (first name, surname « DEMO », sex); the other units have
    a denomination: the profile's name (which says « démo » or « fictive ») and a number."""
    m = len(attrs.fam)
    is_ei = pa.array(attrs.fam == EI)
    null_s = pa.scalar(None, pa.string())
    prof_libelle = pa.array([p[3] for p in _TOUS], pa.string())
    numero = pa.array(np.arange(1, m + 1)).cast(pa.string())
    denomination = pc.binary_join_element_wise(prof_libelle.take(pa.array(attrs.prof)), numero, " n°")
    return {
        "denomination": pc.if_else(is_ei, null_s, denomination),
        "prenom": pc.if_else(is_ei, _vocab(list(PRENOMS), rng.integers(0, len(PRENOMS), m)), null_s),
        "nom": pc.if_else(is_ei, pa.scalar("DEMO"), null_s),
        "sexe": pc.if_else(is_ei, _vocab(["M", "F"], rng.integers(0, 2, m)), null_s),
    }


def _rna(rng: np.random.Generator, attrs: _AttributsUl, com: _Communes) -> pa.Array:
    """RNA number for 85 % of associations: « W », 3 characters from the département (791 for 79), 6 digits;
    none for the associations of local law (9260), registered at the tribunal judiciaire, not in the RNA."""
    m = len(attrs.fam)
    dep_ul = com.deps[com.dep[np.maximum(attrs.com, 0)]]
    rna_ok = (attrs.fam == ASSO) & (attrs.cj != 9260) & (rng.random(m) < 0.85)
    prefixe = pa.array(np.char.ljust(dep_ul.astype("<U3"), 3, "1"))
    rna = pc.binary_join_element_wise(
        prefixe, pc.utf8_lpad(pa.array(np.arange(m) % 1_000_000).cast(pa.string()), 6, "0"), ""
    )
    return _si(rna_ok, pc.binary_join_element_wise(pa.scalar("W"), rna, ""))


def _mission(rng: np.random.Generator, fam: np.ndarray) -> np.ndarray:
    """societeMissionUniteLegale: 0 'O' (10 % of ESS commercial companies, 0.3 % of other companies), 1 'N',
    2 empty (individual entrepreneurs and public bodies)."""
    m = len(fam)
    mission = ((fam == SCESS) & (rng.random(m) < 0.1)) | ((fam == PRIVE) & (rng.random(m) < 0.003))
    return np.where((fam == EI) | (fam == PUBLIC), 2, np.where(mission, 0, 1))


def _compteurs(o: _Ordre, eff: _Effectifs, lieux: _Lieux, partielle: np.ndarray, n_ul: int) -> dict:
    """What was written, for the build report and the tests."""
    r = o.rows
    ess_row = (r.stream < S_NONEMP) & (r.stream != SCESS)  # the statistical perimeter: five families
    return {
        "etablissements": len(o.ul),
        "unites_legales": n_ul,
        "etablissements_ess_employeurs": int((ess_row & eff.employeur_row).sum()),
        "etablissements_ess_non_employeurs": int(((r.stream == S_NONEMP) & r.actif).sum()),
        "etablissements_hors_champ_statistique": int((r.stream == S_EXCLU).sum()),
        "etablissements_societes_commerciales": int((r.stream == SCESS).sum()),
        "etablissements_prives_employeurs": int((np.isin(r.stream, [S_PRIVE, S_EI]) & eff.employeur_row).sum()),
        "etablissements_publics": int((r.stream == S_PUBLIC).sum()),
        "etablissements_fermes": int((~r.actif).sum()),
        "etablissements_etranger": int(lieux.etranger.sum()),
        "etablissements_commune_inconnue": len(lieux.inconnues),
        "etablissements_commune_deleguee": lieux.n_deleguee,
        "etablissements_diffusion_partielle": int(partielle.sum()),
        "salaries_ess_estimes": float(eff.milieu_row[ess_row].sum()),
    }


def _draw_cj(rng: np.random.Generator, ul_prof: np.ndarray) -> np.ndarray:
    cj = np.zeros(len(ul_prof), np.int64)
    for p in np.unique(ul_prof):
        sel = np.flatnonzero(ul_prof == p)
        choices = _TOUS[p][4]
        codes = np.array([c for c, _ in choices])
        cj[sel] = codes[_tirer(rng, np.array([w for _, w in choices], float), len(sel))]
    return cj


def _draw_flag(rng: np.random.Generator, fam: np.ndarray, cj: np.ndarray) -> np.ndarray:
    """economieSocialeSolidaireUniteLegale: 0 'O', 1 'N', 2 empty.

    As in the real file, it is missing on some ESS units and set on a few that are never ESS (GIP 7410, foreign
    company 3120, lawyers' association 9224): used alone it would mislead, and the ESS rules go by legal category
    (docs/sources.md §3).
    """
    u = rng.random(len(fam))
    p_o = np.zeros(len(fam))
    for f, spec in FAMILLES.items():
        p_o[fam == f] = spec.flag_o
    p_o[np.isin(cj, [3120, 7410, 9224])] = 0.5  # flagged oddities that are never ESS
    flag = np.where(u < p_o, 0, np.where(rng.random(len(fam)) < 0.4, 1, 2))
    flag[(fam == EI) & (flag == 0)] = 2
    return flag


def _deleguees(rng: np.random.Generator, passage: pd.DataFrame, code: np.ndarray, libelle: np.ndarray,
               normal: np.ndarray) -> int:  # fmt: skip
    """Give ~3 % of the establishments of communes nouvelles the code of one of their communes déléguées."""
    p = passage[
        passage["type"].isin(["commune-deleguee", "commune-associee"]) & (passage["code"] != passage["code_commune"])
    ]
    if p.empty:
        return 0
    groups = {k: g for k, g in p.groupby("code_commune")}
    cand = np.flatnonzero(normal & np.isin(code, list(groups)) & (rng.random(len(code)) < 0.03))
    for i in cand:
        g = groups[str(code[i])]
        j = int(rng.integers(0, len(g)))
        code[i] = g["code"].iloc[j]
        if "nom" in g:
            libelle[i] = _majuscules(str(g["nom"].iloc[j]))
    return len(cand)


def _cp_arrondissement(ville: str, num: int) -> str:
    return {"75056": f"750{num:02d}", "69123": f"6900{num}", "13055": f"130{num:02d}"}[ville]


def _libelle_arrondissement(ville: str, num: int) -> str:
    return {"75056": f"PARIS {num}", "69123": f"LYON {num}EME", "13055": f"MARSEILLE {num}"}[ville]


def _digits(values: np.ndarray, width: int) -> np.ndarray:
    powers = 10 ** np.arange(width - 1, -1, -1, dtype=np.int64)
    return (np.asarray(values, np.int64)[:, None] // powers) % 10


def _luhn(digits: np.ndarray) -> np.ndarray:
    """Check digit that makes the number (digits + key) pass the Luhn test, as SIREN/SIRET do."""
    k = digits.shape[1]
    doubled = ((k - np.arange(k)) % 2) == 1  # positions 1, 3, ... from the right once the key is appended
    d = digits.copy()
    dd = d[:, doubled] * 2
    d[:, doubled] = np.where(dd > 9, dd - 9, dd)
    return (10 - d.sum(axis=1) % 10) % 10


def _vocab(values: list[str | None], idx: np.ndarray) -> pa.Array:
    return pa.array(values, pa.string()).take(pa.array(np.asarray(idx, np.int64)))


def _texte_1_decimale(v: np.ndarray) -> pa.Array:
    ok = np.isfinite(v)
    t = np.where(ok, np.round(v * 10), 0).astype(np.int64)
    ent = pa.array(t // 10, mask=~ok).cast(pa.string())
    return pc.binary_join_element_wise(ent, pa.array(t % 10).cast(pa.string()), ".")


def _dates(days: np.ndarray) -> pa.Array:
    return pa.array(_JOUR0 + np.asarray(days, "timedelta64[D]"), pa.date32())


def _timestamps(rng: np.random.Generator, n: int) -> pa.Array:
    t0 = np.datetime64("2019-01-01T00:00:00", "s")
    span = int((np.datetime64("2025-11-30T23:59:59", "s") - t0).astype(int))
    secs = (rng.random(n) * span).astype(np.int64)
    return pa.array((t0 + secs.astype("timedelta64[s]")).astype("datetime64[us]"), pa.timestamp("us"))


def _write(table: pa.Table, path: Path, fmt: str) -> None:
    """Write through ``fichier_atomique``, so a reader never sees half a file."""
    with fichier_atomique(path) as tmp:
        if fmt == "parquet":
            pq.write_table(table, tmp, compression="zstd", row_group_size=250_000)
        else:  # DuckDB quotes only the values that need it, like the INSEE files
            with duckdb.connect() as con:
                con.register("t", table)
                target = str(tmp).replace("'", "''")
                con.execute(
                    f"COPY t TO '{target}' (FORMAT csv, HEADER, DELIMITER ',', QUOTE '\"', "
                    "DATEFORMAT '%Y-%m-%d', TIMESTAMPFORMAT '%Y-%m-%dT%H:%M:%S')"
                )
        os.chmod(tmp, 0o644)
