-- Breakdown of the ESS of one territory by taille (summed from the commune cube).
SELECT c.taille, sum(c.etablissements)::BIGINT AS etablissements,
       sum(c.employeurs)::BIGINT AS etablissements_employeurs, sum(c.salaries) AS salaries_estimes,
       max(c.max_salaries) AS max_salaries
FROM ess_cube c JOIN commune_territoires ct USING (commune)
WHERE ct.id = $id AND ($perimetre = 'legal' OR NOT c.hors_statistique)
GROUP BY ALL
