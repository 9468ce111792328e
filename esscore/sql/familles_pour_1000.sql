-- Employer establishments and estimated employees per 1 000 inhabitants, by family, for several territories.
SELECT t.id, t.nom, c.famille,
       1000.0 * sum(c.employeurs) / any_value(t.population) AS employeurs_pour_1000_hab,
       1000.0 * sum(c.etablissements) / any_value(t.population) AS etablissements_pour_1000_hab
FROM ess_cube c JOIN commune_territoires ct USING (commune) JOIN territoires t ON t.id = ct.id
WHERE list_contains($ids, ct.id) AND ($perimetre = 'legal' OR NOT c.hors_statistique)
GROUP BY ALL
