-- Employer establishments and establishments per 1 000 inhabitants, by family, for every territory of a level
-- (same figures as familles_pour_1000.sql, computed once per level and kept in a cache by the pages).
SELECT t.id, t.nom, c.famille,
       1000.0 * sum(c.employeurs) / nullif(any_value(t.population), 0) AS employeurs_pour_1000_hab,
       1000.0 * sum(c.etablissements) / nullif(any_value(t.population), 0) AS etablissements_pour_1000_hab
FROM ess_cube c JOIN commune_territoires ct USING (commune) JOIN territoires t ON t.id = ct.id
WHERE starts_with(ct.id, $type || ':') AND ($perimetre = 'legal' OR NOT c.hors_statistique)
GROUP BY ALL
