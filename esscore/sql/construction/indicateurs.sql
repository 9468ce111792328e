-- Build time. One row per territory and perimeter (statistique, legal) with the headline indicators; needs
-- ess_cube and commune_territoires. Secrecy is applied when read (esscore.indicators.apply_secret).
CREATE OR REPLACE TABLE indicateurs AS
WITH p AS (SELECT unnest(['statistique', 'legal']) AS perimetre),
ess AS (
  SELECT ct.id, p.perimetre, sum(c.etablissements)::BIGINT AS etablissements,
         sum(c.employeurs)::BIGINT AS employeurs, sum(c.salaries) AS salaries,
         max(c.max_salaries) AS max_salaries
  FROM ess_cube c JOIN commune_territoires ct USING (commune), p
  WHERE p.perimetre = 'legal' OR NOT c.hors_statistique
  GROUP BY ALL
),
prive AS (
  -- Same activities as the numerator: the statistical share leaves out the excluded activities (public
  -- administration, unions…) on both sides; the legal share keeps them on both sides.
  SELECT ct.id, p.perimetre, sum(e.salaries) AS salaries_prives
  FROM emploi_prive e JOIN commune_territoires ct ON ct.commune = e.commune, p
  WHERE p.perimetre = 'legal' OR NOT e.activite_exclue
  GROUP BY ALL
)
SELECT t.id, t.type, t.code, t.nom, t.population, p.perimetre,
       coalesce(ess.etablissements, 0) AS etablissements,
       coalesce(ess.employeurs, 0) AS etablissements_employeurs,
       coalesce(ess.salaries, 0) AS salaries_estimes,
       coalesce(ess.max_salaries, 0) AS max_salaries,
       prive.salaries_prives,
       ess.salaries / nullif(prive.salaries_prives, 0) AS part_emploi_prive,
       1000.0 * coalesce(ess.etablissements, 0) / nullif(t.population, 0) AS etablissements_pour_1000_hab,
       1000.0 * coalesce(ess.employeurs, 0) / nullif(t.population, 0) AS employeurs_pour_1000_hab,
       1000.0 * coalesce(ess.salaries, 0) / nullif(t.population, 0) AS salaries_pour_1000_hab
FROM territoires t CROSS JOIN p
LEFT JOIN ess ON ess.id = t.id AND ess.perimetre = p.perimetre
LEFT JOIN prive ON prive.id = t.id AND prive.perimetre = p.perimetre
