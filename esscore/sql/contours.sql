-- Outlines of one level ($niveau: commune, epci, departement, region) as GeoJSON text, for the given codes
-- ($codes NULL: every territory of the level). $national: the outline redrawn for the national map
-- (overseas territories simplified further); communes have a single outline.
SELECT code, geojson FROM contours_communes
WHERE $niveau = 'commune' AND ($codes IS NULL OR list_contains($codes::VARCHAR[], code))
UNION ALL
SELECT code, CASE WHEN $national THEN geojson_national ELSE geojson END FROM contours_epci
WHERE $niveau = 'epci' AND ($codes IS NULL OR list_contains($codes::VARCHAR[], code))
UNION ALL
SELECT code, CASE WHEN $national THEN geojson_national ELSE geojson END FROM contours_departements
WHERE $niveau = 'departement' AND ($codes IS NULL OR list_contains($codes::VARCHAR[], code))
UNION ALL
SELECT code, CASE WHEN $national THEN geojson_national ELSE geojson END FROM contours_regions
WHERE $niveau = 'region' AND ($codes IS NULL OR list_contains($codes::VARCHAR[], code))
