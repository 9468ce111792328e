-- Breakdown by observatory sector, with the ESS share of the sector's private employment.
WITH e AS (
  SELECT c.secteur, sum(c.etablissements)::BIGINT AS etablissements,
         sum(c.employeurs)::BIGINT AS etablissements_employeurs, sum(c.salaries) AS salaries_estimes,
         max(c.max_salaries) AS max_salaries
  FROM ess_cube c JOIN commune_territoires ct USING (commune)
  WHERE ct.id = $id AND ($perimetre = 'legal' OR NOT c.hors_statistique)
  GROUP BY ALL
), p AS (
  SELECT e.secteur, sum(e.salaries) AS salaries_prives
  FROM emploi_prive e JOIN commune_territoires ct ON ct.commune = e.commune
  WHERE ct.id = $id AND ($perimetre = 'legal' OR NOT e.activite_exclue) GROUP BY ALL
)
SELECT e.*, e.salaries_estimes / nullif(p.salaries_prives, 0) AS part_ess_secteur
FROM e LEFT JOIN p USING (secteur)
