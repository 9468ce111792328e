-- Indicators of the territories of one level inside a parent (communes of an EPCI, EPCI of a région,
-- every département of France…), for the panorama map and its table.
SELECT i.*, s.secret_motif, t.epci, t.departement, t.region
FROM indicateurs i JOIN territoires t USING (id)
LEFT JOIN secret_territoires s ON s.id = i.id AND s.perimetre = i.perimetre
WHERE i.type = $niveau AND i.perimetre = $perimetre
  AND CASE $parent_type
        WHEN 'commune' THEN t.code = $parent_code
        WHEN 'epci' THEN t.epci = $parent_code
        WHEN 'departement' THEN t.departement = $parent_code
        WHEN 'region' THEN t.region = $parent_code
        ELSE TRUE
      END
ORDER BY i.etablissements_employeurs DESC, i.population DESC, i.code
