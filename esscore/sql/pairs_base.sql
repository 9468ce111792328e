-- Every territory of a level with what peer suggestion compares: population, share of inhabitants living
-- in communes under 2 000 inhabitants (rurality), région, zone (metropolitan / overseas), EPCI legal type.
WITH rur AS (
  SELECT ct.id,
         coalesce(sum(c.population) FILTER (WHERE c.population < 2000), 0) / nullif(sum(c.population), 0)
           AS part_pop_petites_communes
  FROM commune_territoires ct JOIN communes c ON c.code = ct.commune
  WHERE starts_with(ct.id, $type || ':')
  GROUP BY ct.id
)
SELECT t.id, t.type, t.code, t.nom, t.population, t.departement, t.region, t.zone, t.epci_type,
       r.part_pop_petites_communes
FROM territoires t LEFT JOIN rur r USING (id)
WHERE t.type = $type
ORDER BY t.code
