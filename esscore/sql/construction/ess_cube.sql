-- Build time. Commune-level cube of the ESS establishments: breakdowns of one territory are summed from it.
CREATE OR REPLACE TABLE ess_cube AS
SELECT commune, famille, secteur, taille, hors_statistique,
       count(*)::BIGINT AS etablissements,
       count(*) FILTER (WHERE employeur)::BIGINT AS employeurs,
       sum(salaries) AS salaries, max(salaries) AS max_salaries
FROM etablissements_ess WHERE commune IS NOT NULL
GROUP BY ALL
