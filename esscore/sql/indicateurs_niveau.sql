SELECT i.*, t.region, t.departement, t.epci_type
FROM indicateurs i JOIN territoires t USING (id)
WHERE i.type = $type AND i.perimetre = $perimetre
ORDER BY i.population DESC
