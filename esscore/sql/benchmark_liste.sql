SELECT b.*, t.population AS population_collectivite, t.nom AS territoire_nom
FROM benchmark b
LEFT JOIN territoires t ON t.id = b.collectivite_code
ORDER BY b.ordre
