"""Column lists of the INSEE SIRENE stock files (format 3.11 + NAF 2025 column, Dec. 2025).

Kept as data so that the ingestion, the demonstration generator and the test fixtures
agree on names and order. Source: INSEE, Base Sirene on data.gouv.fr
(https://www.data.gouv.fr/fr/datasets/base-sirene-des-entreprises-et-de-leurs-etablissements-siren-siret/) and
its variable documentation (https://www.sirene.fr/static-resources/htm/sommaire_311.html); see docs/sources.md §1.
"""

ETABLISSEMENT_COLUMNS: tuple[str, ...] = (
    "siren", "nic", "siret", "statutDiffusionEtablissement", "dateCreationEtablissement",
    "trancheEffectifsEtablissement", "anneeEffectifsEtablissement",
    "activitePrincipaleRegistreMetiersEtablissement", "dateDernierTraitementEtablissement",
    "etablissementSiege", "nombrePeriodesEtablissement", "complementAdresseEtablissement",
    "numeroVoieEtablissement", "indiceRepetitionEtablissement", "dernierNumeroVoieEtablissement",
    "indiceRepetitionDernierNumeroVoieEtablissement", "typeVoieEtablissement", "libelleVoieEtablissement",
    "codePostalEtablissement", "libelleCommuneEtablissement", "libelleCommuneEtrangerEtablissement",
    "distributionSpecialeEtablissement", "codeCommuneEtablissement", "codeCedexEtablissement",
    "libelleCedexEtablissement", "codePaysEtrangerEtablissement", "libellePaysEtrangerEtablissement",
    "identifiantAdresseEtablissement", "coordonneeLambertAbscisseEtablissement",
    "coordonneeLambertOrdonneeEtablissement", "complementAdresse2Etablissement",
    "numeroVoie2Etablissement", "indiceRepetition2Etablissement", "typeVoie2Etablissement",
    "libelleVoie2Etablissement", "codePostal2Etablissement", "libelleCommune2Etablissement",
    "libelleCommuneEtranger2Etablissement", "distributionSpeciale2Etablissement",
    "codeCommune2Etablissement", "codeCedex2Etablissement", "libelleCedex2Etablissement",
    "codePaysEtranger2Etablissement", "libellePaysEtranger2Etablissement", "dateDebut",
    "etatAdministratifEtablissement", "enseigne1Etablissement", "enseigne2Etablissement",
    "enseigne3Etablissement", "denominationUsuelleEtablissement", "activitePrincipaleEtablissement",
    "nomenclatureActivitePrincipaleEtablissement", "caractereEmployeurEtablissement",
    "activitePrincipaleNAF25Etablissement",
)  # fmt: skip

UNITE_LEGALE_COLUMNS: tuple[str, ...] = (
    "siren", "statutDiffusionUniteLegale", "unitePurgeeUniteLegale", "dateCreationUniteLegale",
    "sigleUniteLegale", "sexeUniteLegale", "prenom1UniteLegale", "prenom2UniteLegale",
    "prenom3UniteLegale", "prenom4UniteLegale", "prenomUsuelUniteLegale", "pseudonymeUniteLegale",
    "identifiantAssociationUniteLegale", "trancheEffectifsUniteLegale", "anneeEffectifsUniteLegale",
    "dateDernierTraitementUniteLegale", "nombrePeriodesUniteLegale", "categorieEntreprise",
    "anneeCategorieEntreprise", "dateDebut", "etatAdministratifUniteLegale", "nomUniteLegale",
    "nomUsageUniteLegale", "denominationUniteLegale", "denominationUsuelle1UniteLegale",
    "denominationUsuelle2UniteLegale", "denominationUsuelle3UniteLegale", "categorieJuridiqueUniteLegale",
    "activitePrincipaleUniteLegale", "nomenclatureActivitePrincipaleUniteLegale", "nicSiegeUniteLegale",
    "economieSocialeSolidaireUniteLegale", "societeMissionUniteLegale", "caractereEmployeurUniteLegale",
    "activitePrincipaleNAF25UniteLegale",
)  # fmt: skip

# Columns the ingestion cannot work without (the others are optional and tolerated if absent).
ETABLISSEMENT_REQUIRED: tuple[str, ...] = (
    "siren", "siret", "statutDiffusionEtablissement", "trancheEffectifsEtablissement",
    "codeCommuneEtablissement", "etatAdministratifEtablissement", "activitePrincipaleEtablissement",
    "caractereEmployeurEtablissement",
)  # fmt: skip
UNITE_LEGALE_REQUIRED: tuple[str, ...] = (
    "siren", "categorieJuridiqueUniteLegale", "economieSocialeSolidaireUniteLegale",
)  # fmt: skip

assert len(ETABLISSEMENT_COLUMNS) == 54
assert len(UNITE_LEGALE_COLUMNS) == 35

# The sirene.fr « fichier personnalisé » (also the CSV answer of the API Sirene 3.11 on /siret): one line per
# establishment, the columns of its legal unit joined to it, 82 columns when every variable is chosen (fewer, 76
# to 81, when some are left out; any subset holding the required columns is read). Header as found in public code
# reading such an export for one département (Seine-Saint-Denis); see docs/sources.md § 1 bis.
SIRENE_FR_COLUMNS: tuple[str, ...] = (
    "siren", "nic", "siret", "statutDiffusionEtablissement", "dateCreationEtablissement",
    "trancheEffectifsEtablissement", "anneeEffectifsEtablissement", "activitePrincipaleRegistreMetiersEtablissement",
    "dateDernierTraitementEtablissement", "etablissementSiege", "etatAdministratifUniteLegale",
    "statutDiffusionUniteLegale", "unitePurgeeUniteLegale", "dateCreationUniteLegale", "categorieJuridiqueUniteLegale",
    "denominationUniteLegale", "sigleUniteLegale", "denominationUsuelle1UniteLegale",
    "denominationUsuelle2UniteLegale", "denominationUsuelle3UniteLegale", "sexeUniteLegale", "nomUniteLegale",
    "nomUsageUniteLegale", "prenom1UniteLegale", "prenom2UniteLegale", "prenom3UniteLegale", "prenom4UniteLegale",
    "prenomUsuelUniteLegale", "pseudonymeUniteLegale", "activitePrincipaleUniteLegale",
    "nomenclatureActivitePrincipaleUniteLegale", "identifiantAssociationUniteLegale",
    "economieSocialeSolidaireUniteLegale", "societeMissionUniteLegale", "caractereEmployeurUniteLegale",
    "trancheEffectifsUniteLegale", "anneeEffectifsUniteLegale", "nicSiegeUniteLegale",
    "dateDernierTraitementUniteLegale", "categorieEntreprise", "anneeCategorieEntreprise",
    "complementAdresseEtablissement", "numeroVoieEtablissement", "indiceRepetitionEtablissement",
    "dernierNumeroVoieEtablissement", "indiceRepetitionDernierNumeroVoieEtablissement", "typeVoieEtablissement",
    "libelleVoieEtablissement", "codePostalEtablissement", "libelleCommuneEtablissement",
    "libelleCommuneEtrangerEtablissement", "distributionSpecialeEtablissement", "codeCommuneEtablissement",
    "codeCedexEtablissement", "libelleCedexEtablissement", "codePaysEtrangerEtablissement",
    "libellePaysEtrangerEtablissement", "identifiantAdresseEtablissement", "coordonneeLambertAbscisseEtablissement",
    "coordonneeLambertOrdonneeEtablissement", "complementAdresse2Etablissement", "numeroVoie2Etablissement",
    "indiceRepetition2Etablissement", "typeVoie2Etablissement", "libelleVoie2Etablissement",
    "codePostal2Etablissement", "libelleCommune2Etablissement", "libelleCommuneEtranger2Etablissement",
    "distributionSpeciale2Etablissement", "codeCommune2Etablissement", "codeCedex2Etablissement",
    "libelleCedex2Etablissement", "codePaysEtranger2Etablissement", "libellePaysEtranger2Etablissement",
    "etatAdministratifEtablissement", "enseigne1Etablissement", "enseigne2Etablissement", "enseigne3Etablissement",
    "denominationUsuelleEtablissement", "activitePrincipaleEtablissement",
    "nomenclatureActivitePrincipaleEtablissement", "caractereEmployeurEtablissement",
)  # fmt: skip

# The per-département geolocated establishment files of Etalab (« geo-sirene », one gzipped CSV per département,
# https://files.data.gouv.fr/geo-sirene/last/dep/geo_siret_<département>.csv.gz): the establishment stock columns
# (format 3.9: 48 columns) followed by the geocoding of the address, ``longitude`` and ``latitude`` in WGS84.
# Source: etalab/annuaire-entreprises-sirene-api, db/init/40-populate-siret.sh; see docs/sources.md § 1 bis.
GEO_SIRENE_COLUMNS: tuple[str, ...] = (
    *(c for c in ETABLISSEMENT_COLUMNS if c not in (
        "dernierNumeroVoieEtablissement", "indiceRepetitionDernierNumeroVoieEtablissement",
        "identifiantAdresseEtablissement", "coordonneeLambertAbscisseEtablissement",
        "coordonneeLambertOrdonneeEtablissement", "activitePrincipaleNAF25Etablissement")),
    "longitude", "latitude", "geo_score", "geo_type", "geo_adresse", "geo_id", "geo_ligne", "geo_l4", "geo_l5",
)  # fmt: skip
POSITION_WGS84: tuple[str, str] = ("longitude", "latitude")

# The required variables as the INSEE documentation and sirene.fr name them (messages of a missing column).
LIBELLES_OBLIGATOIRES: dict[str, str] = {
    "siren": "Numéro Siren",
    "siret": "Numéro Siret",
    "statutDiffusionEtablissement": "Statut de diffusion de l'établissement",
    "trancheEffectifsEtablissement": "Tranche d'effectif salarié de l'établissement",
    "codeCommuneEtablissement": "Code commune de l'établissement",
    "etatAdministratifEtablissement": "État administratif de l'établissement",
    "activitePrincipaleEtablissement": "Activité principale de l'établissement (APE)",
    "caractereEmployeurEtablissement": "Caractère employeur de l'établissement",
    "categorieJuridiqueUniteLegale": "Catégorie juridique de l'unité légale",
    "economieSocialeSolidaireUniteLegale": "Appartenance au champ de l'économie sociale et solidaire (unité légale)",
}

assert len(SIRENE_FR_COLUMNS) == 82
assert len(GEO_SIRENE_COLUMNS) == 57
assert set(LIBELLES_OBLIGATOIRES) == set(ETABLISSEMENT_REQUIRED) | set(UNITE_LEGALE_REQUIRED)
