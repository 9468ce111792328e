-- ESS share of each observatory sector's private employment, for a list of territories (one row per id and
-- sector): the territory's estimated ESS salariés of the sector over the private salariés of the same sector.
WITH e AS (
  SELECT ct.id, c.secteur, sum(c.salaries) AS salaries_estimes
  FROM ess_cube c JOIN commune_territoires ct USING (commune)
  WHERE list_contains($ids, ct.id) AND ($perimetre = 'legal' OR NOT c.hors_statistique)
  GROUP BY ALL
), p AS (
  SELECT ct.id, e.secteur, sum(e.salaries) AS salaries_prives
  FROM emploi_prive e JOIN commune_territoires ct ON ct.commune = e.commune
  WHERE list_contains($ids, ct.id) AND ($perimetre = 'legal' OR NOT e.activite_exclue) GROUP BY ALL
)
SELECT e.id, e.secteur, e.salaries_estimes / nullif(p.salaries_prives, 0) AS part_ess_secteur
FROM e LEFT JOIN p USING (id, secteur)
