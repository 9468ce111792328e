-- Département outlines simplified for a map of France (COPIL deck of the whole country).
SELECT code, geojson_national AS geojson FROM contours_departements ORDER BY code
