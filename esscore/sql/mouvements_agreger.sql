-- Creations (temp table mouvements_creations) and closures (fermes_ess, by year of closure) by commune, family,
-- sector, perimeter flag and year: the table the Évolution page sums over a territory's communes.
CREATE OR REPLACE TABLE mouvements_ess AS
WITH f AS (
  SELECT commune, famille, secteur, hors_statistique, annee_fermeture AS annee, count(*)::BIGINT AS fermetures
  FROM fermes_ess WHERE commune IS NOT NULL AND annee_fermeture IS NOT NULL
  GROUP BY ALL
)
SELECT commune, famille, secteur, hors_statistique, annee, coalesce(c.creations, 0)::BIGINT AS creations,
       coalesce(f.fermetures, 0)::BIGINT AS fermetures
FROM mouvements_creations c FULL JOIN f USING (commune, famille, secteur, hors_statistique, annee)
