"""ESS method as data: families by legal category, activity exclusions, size bands, sectors.

One place for the rules the ingestion applies and the pages document. Their public sources (INSEE size bands
and legal categories, the INSEE and legal ESS perimeters, NAF rév.2 sections), and which rules are this project's
own choices, are in docs/sources.md.
"""

from __future__ import annotations

AUTRES_NON_LUCRATIFS = "Autres organismes privés à but non lucratif"
SOCIETES_COMMERCIALES = "Sociétés commerciales de l'ESS"
#: INSEE's statistical perimeter: the four traditional families and, since the Flores 2018-2020 data, a fifth
#: one (« autres organismes privés à but non lucratif »); the commercial companies of the ESS are not counted
#: (insee.fr/fr/statistiques/7636531). The legal perimeter (loi n° 2014-856) adds them: docs/sources.md § 3.
FAMILLES_STATISTIQUES: tuple[str, ...] = (
    "Associations", "Coopératives", "Mutuelles", "Fondations", AUTRES_NON_LUCRATIFS,
)  # fmt: skip
FAMILLES: tuple[str, ...] = (*FAMILLES_STATISTIQUES, SOCIETES_COMMERCIALES)

# Catégories juridiques (niveau III) → famille. Sociétés commerciales de l'ESS: flag-based, not listed. Each
# choice and its source: docs/sources.md § 3.
CJ_FAMILLES: dict[str, str] = {
    **dict.fromkeys(["9210", "9220", "9221", "9222", "9223", "9230", "9240", "9260"], "Associations"),
    "9300": "Fondations",
    **dict.fromkeys(["8210", "8250", "8290", "6411"], "Mutuelles"),
    **dict.fromkeys(
        [
            # banques et crédit coopératifs / mutualistes
            "5191", "5192", "5193", "5194", "5196", "6595", "6596",
            # droit local, SNC/SCS/SCA coopératives
            "5195", "5203", "5307", "5309",
            # SARL coopératives (5458 = SCOP)
            "5443", "5451", "5453", "5454", "5455", "5458", "5459", "5460",
            # SA coopératives à conseil d'administration (5558 = SCOP)
            "5543", "5547", "5551", "5552", "5553", "5554", "5555", "5558", "5559", "5560",
            # SA coopératives à directoire
            "5643", "5647", "5651", "5652", "5653", "5654", "5655", "5658", "5659", "5660",
            # coopératives agricoles (6316 = CUMA)
            "6316", "6317", "6318",
            # sociétés civiles coopératives
            "6543", "6551", "6554", "6558", "6560",
            # caisses d'épargne et de prévoyance: cooperative banks (code monétaire et financier, art. L512-85)
            "6100",
        ],
        "Coopératives",
    ),
    **dict.fromkeys(
        [
            # comités sociaux et économiques (ex-comités d'entreprise, d'établissement)
            "8310", "8311",
            # institutions de prévoyance, de retraite supplémentaire: « personnes morales de droit privé ayant un
            # but non lucratif » (code de la sécurité sociale, art. L931-1)
            "8510", "8520",
            # groupement de coopération sanitaire à gestion privée (non lucratif: code de la santé publique,
            # art. L6133-1); autre personne morale de droit privé
            "9970", "9900",
        ],
        AUTRES_NON_LUCRATIFS,
    ),
}  # fmt: skip

# APE excluded from the statistical perimeter: public administration, employers' and consular bodies, unions,
# religious and political organisations. 94.12Z (professional organisations, most of them associations of
# professionals) stays in: docs/sources.md § 3.
EXCLUSIONS_STATISTIQUES: tuple[str, ...] = ("84", "94.11Z", "94.20Z", "94.91Z", "94.92Z")

TRANCHES: dict[str, tuple[str, float]] = {
    "00": ("0 salarié au 31 décembre", 0.0),
    "01": ("1 ou 2 salariés", 1.5),
    "02": ("3 à 5 salariés", 4.0),
    "03": ("6 à 9 salariés", 7.5),
    "11": ("10 à 19 salariés", 14.5),
    "12": ("20 à 49 salariés", 34.5),
    "21": ("50 à 99 salariés", 74.5),
    "22": ("100 à 199 salariés", 149.5),
    "31": ("200 à 249 salariés", 224.5),
    "32": ("250 à 499 salariés", 374.5),
    "41": ("500 à 999 salariés", 749.5),
    "42": ("1 000 à 1 999 salariés", 1499.5),
    "51": ("2 000 à 4 999 salariés", 3499.5),
    "52": ("5 000 à 9 999 salariés", 7499.5),
    "53": ("10 000 salariés et plus", 12000.0),
}
TRANCHES_EMPLOYEUR: tuple[str, ...] = tuple(k for k in TRANCHES if k != "00")
# Bands as counted (the ingestion's `tranche`), besides the INSEE codes above: « NN » a non-employer (whatever
# band an older year left), « NR » an employer whose headcount band is not given. Both count 0 salariés.
NON_EMPLOYEUR, EFFECTIF_NON_RENSEIGNE = "NN", "NR"
TRANCHES_SPECIALES: dict[str, tuple[str, float]] = {
    NON_EMPLOYEUR: ("Non employeur", 0.0),
    EFFECTIF_NON_RENSEIGNE: ("Employeur, effectif non renseigné", 0.0),
}
# Coarser bands for charts and the map filter (labels in display order). « 00 »: employees during the year of
# the band but none on 31 December (Sirene 3.11 documentation).
CLASSES_TAILLE: dict[str, str] = {
    "NN": "Non employeur",
    "00": "0 salarié au 31 décembre",
    "01": "1 à 9 salariés", "02": "1 à 9 salariés", "03": "1 à 9 salariés",
    "11": "10 à 49 salariés", "12": "10 à 49 salariés",
    "21": "50 à 249 salariés", "22": "50 à 249 salariés", "31": "50 à 249 salariés",
    "32": "250 salariés et plus", "41": "250 salariés et plus", "42": "250 salariés et plus",
    "51": "250 salariés et plus", "52": "250 salariés et plus", "53": "250 salariés et plus",
    "NR": "Effectif non renseigné",
}  # fmt: skip
ORDRE_TAILLES: tuple[str, ...] = tuple(dict.fromkeys(CLASSES_TAILLE.values()))


def tranches_table() -> list[tuple[str, str, float, str]]:
    """(band, label, midpoint, size class) rows: the ``tranches`` table the ingestion joins on."""
    bandes = {**TRANCHES, **TRANCHES_SPECIALES}
    return [(k, libelle, milieu, CLASSES_TAILLE[k]) for k, (libelle, milieu) in bandes.items()]


SECTEURS: tuple[str, ...] = (
    "Action sociale",
    "Santé humaine",
    "Enseignement",
    "Sports et loisirs",
    "Arts et spectacles",
    "Activités financières et d'assurance",
    "Commerce",
    "Hébergement et restauration",
    "Industrie et construction",
    "Agriculture, sylviculture et pêche",
    "Soutien aux entreprises",
    "Autres activités de services",
    "Non classés",
    "Hors champ statistique",
)


def secteur_of_division(division: int) -> str:
    """NAF rév.2 division → sector label of the ESS France / CRESS panoramas; also the NAF 2025 fallback.

    The labels are the observatories'; the division boundaries are this project's reading, aligned on the NAF
    rév.2 sections (https://www.insee.fr/fr/information/2120875) where a label matches one (docs/sources.md §4).
    """
    if division in (87, 88):
        return "Action sociale"
    table = (
        ((86, 86), "Santé humaine"),
        ((85, 85), "Enseignement"),
        ((93, 93), "Sports et loisirs"),
        ((90, 91), "Arts et spectacles"),
        ((64, 66), "Activités financières et d'assurance"),
        ((45, 47), "Commerce"),
        ((55, 56), "Hébergement et restauration"),
        ((5, 43), "Industrie et construction"),
        ((1, 3), "Agriculture, sylviculture et pêche"),
        ((69, 82), "Soutien aux entreprises"),
        ((84, 84), "Hors champ statistique"),
    )
    for (low, high), label in table:
        if low <= division <= high:
            return label
    return "Autres activités de services"


def secteur_table() -> list[tuple[int, str]]:
    """(division, sector) rows loaded as a DuckDB table by the ingestion."""
    return [(d, secteur_of_division(d)) for d in range(1, 100)]


def epsg_for_departement(dep: str | None) -> int:
    """Projected CRS of SIRENE coordinates by département; the stock files do not say which.

    INSEE's geolocation file gives one per row: 2154 (Lambert-93) in mainland France, 5490 Antilles, 2972 Guyane,
    2975 La Réunion. Mayotte (4471) and Saint-Pierre-et-Miquelon (4467) get their official UTM projections
    (EPSG registry). Sources in docs/sources.md §5.
    """
    return {"971": 5490, "972": 5490, "977": 5490, "978": 5490, "973": 2972, "974": 2975, "976": 4471,
            "975": 4467}.get(dep or "", 2154)  # fmt: skip
