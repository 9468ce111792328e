-- Ingestion (issue 19): ESS establishments created each year (active or closed since), by commune, family, sector.
CREATE OR REPLACE TEMP TABLE mouvements_creations AS
SELECT commune, famille, secteur, hors_statistique, annee_creation AS annee, count(*)::BIGINT AS creations
FROM mouvements_lignes WHERE commune IS NOT NULL AND annee_creation IS NOT NULL
GROUP BY ALL
