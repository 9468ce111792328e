-- Curated initiatives located in a territory (layer 2 of the map; never mixed with SIRENE counts).
SELECT i.id, i.nom, i.description, i.statut, i.famille, i.thematiques, i.commune_code, i.commune_nom,
       i.lon, i.lat, i.precision, i.site_web, i.source, i.source_detail
FROM initiatives i
JOIN commune_territoires ct ON ct.commune = i.commune_code AND ct.id = $territoire
ORDER BY i.nom, i.id
