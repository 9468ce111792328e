-- Breakdowns by famille, secteur and taille of the territories in $ids (NULL: every territory at once, for the
-- national computation of the secrecy), summed from the commune cube. Two blocks per category: the statistical
-- perimeter, and the legal-only part (`ecart_*`: the rows with hors_statistique, excluded activities and
-- sociétés commerciales); legal = statistique + ecart (esscore.secret.repartitions adds them).
WITH c AS (
  SELECT ct.id, c.*
  FROM ess_cube c JOIN commune_territoires ct USING (commune)
  WHERE $ids IS NULL OR list_contains($ids, ct.id)
)
SELECT c.id, a.axe,
       CASE a.axe WHEN 'famille' THEN c.famille WHEN 'secteur' THEN c.secteur ELSE c.taille END AS categorie,
       coalesce(sum(c.etablissements) FILTER (WHERE NOT c.hors_statistique), 0)::BIGINT AS etablissements,
       coalesce(sum(c.employeurs) FILTER (WHERE NOT c.hors_statistique), 0)::BIGINT AS etablissements_employeurs,
       coalesce(sum(c.salaries) FILTER (WHERE NOT c.hors_statistique), 0)::DOUBLE AS salaries_estimes,
       coalesce(max(c.max_salaries) FILTER (WHERE NOT c.hors_statistique), 0)::DOUBLE AS max_salaries,
       coalesce(sum(c.etablissements) FILTER (WHERE c.hors_statistique), 0)::BIGINT AS ecart_etablissements,
       coalesce(sum(c.employeurs) FILTER (WHERE c.hors_statistique), 0)::BIGINT AS ecart_etablissements_employeurs,
       coalesce(sum(c.salaries) FILTER (WHERE c.hors_statistique), 0)::DOUBLE AS ecart_salaries_estimes,
       coalesce(max(c.max_salaries) FILTER (WHERE c.hors_statistique), 0)::DOUBLE AS ecart_max_salaries
FROM c CROSS JOIN (SELECT unnest(['famille', 'secteur', 'taille']) AS axe) a
GROUP BY ALL
ORDER BY c.id, a.axe, categorie
