-- Outlines of the given territories of a level ($niveau, $codes) as deck.gl polygons: one row per part of a
-- MultiPolygon, `polygon_json` being that part's rings as JSON text, cut out of the stored GeoJSON by DuckDB
-- (no parse and re-serialisation in Python). Same rows as esscore.maps.explode of contours.sql, in the order of
-- the codes then of the parts. Local maps only: the national map moves overseas territories (maps.insets_dom).
WITH c AS (
    SELECT code, geojson::JSON AS g
    FROM query_table(CASE $niveau WHEN 'commune' THEN 'contours_communes' WHEN 'epci' THEN 'contours_epci'
                                  WHEN 'departement' THEN 'contours_departements' ELSE 'contours_regions' END)
    WHERE list_contains($codes::VARCHAR[], code) AND geojson IS NOT NULL
),
parties AS (
    SELECT code, 1 AS partie, json_extract(g, '$.coordinates')::VARCHAR AS polygon_json
    FROM c WHERE json_extract_string(g, '$.type') = 'Polygon'
    UNION ALL
    SELECT code, generate_subscripts(json_extract(g, '$.coordinates[*]'), 1) AS partie,
           unnest(json_extract(g, '$.coordinates[*]'))::VARCHAR AS polygon_json
    FROM c WHERE json_extract_string(g, '$.type') = 'MultiPolygon'
)
SELECT code, polygon_json FROM parties ORDER BY code, partie
