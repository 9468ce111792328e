SELECT i.*, s.secret_motif, t.epci, t.departement, t.region, t.epci_type
FROM indicateurs i JOIN territoires t USING (id)
LEFT JOIN secret_territoires s ON s.id = i.id AND s.perimetre = i.perimetre
WHERE i.type = $type AND i.perimetre = $perimetre
ORDER BY i.population DESC
