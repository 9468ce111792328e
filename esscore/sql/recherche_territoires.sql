-- Name search: every query word must start a word of the name. Exact names first, then by level
-- (région, département, EPCI, commune) so « niort » proposes the agglomeration before the town.
WITH scored AS (
  SELECT id, type, code, nom, population, type_rank,
         CASE WHEN code = $code OR id = lower($code) THEN 0
              WHEN nom_norm = $q THEN 1
              WHEN list_bool_and(list_transform($words, lambda w: (' ' || nom_norm) LIKE ('% ' || w || '%'))) THEN 2
              WHEN nom_norm LIKE ('%' || $q || '%') THEN 3
         END AS quality
  FROM territoires
)
SELECT id, type, code, nom, population,
       CASE type WHEN 'commune' THEN nom || ' (' || code || ')'
                 WHEN 'departement' THEN nom || ' (' || code || ')'
                 ELSE nom END AS libelle
FROM scored
WHERE quality IS NOT NULL
ORDER BY quality = 0 DESC, quality = 3, type_rank, quality, population DESC
LIMIT $limit
