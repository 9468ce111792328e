-- Share of inhabitants living in communes under 2 000 inhabitants, for a list of territories.
SELECT ct.id,
       coalesce(sum(c.population) FILTER (WHERE c.population < 2000), 0) / nullif(sum(c.population), 0)
         AS part_pop_petites_communes
FROM commune_territoires ct JOIN communes c ON c.code = ct.commune
WHERE list_contains($ids, ct.id)
GROUP BY ct.id
