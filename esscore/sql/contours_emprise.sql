-- Bounding box (lon/lat) of the given territories of one level ($niveau: commune, epci, departement, region);
-- NULLs when none is found.
SELECT min(xmin) AS xmin, min(ymin) AS ymin, max(xmax) AS xmax, max(ymax) AS ymax
FROM (
    SELECT code, xmin, ymin, xmax, ymax FROM contours_communes WHERE $niveau = 'commune'
    UNION ALL SELECT code, xmin, ymin, xmax, ymax FROM contours_epci WHERE $niveau = 'epci'
    UNION ALL SELECT code, xmin, ymin, xmax, ymax FROM contours_departements WHERE $niveau = 'departement'
    UNION ALL SELECT code, xmin, ymin, xmax, ymax FROM contours_regions WHERE $niveau = 'region'
)
WHERE list_contains($codes::VARCHAR[], code)
