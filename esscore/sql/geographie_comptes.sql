SELECT CASE type WHEN 'commune' THEN 'Communes' WHEN 'epci' THEN 'EPCI à fiscalité propre'
                 WHEN 'departement' THEN 'Départements' WHEN 'region' THEN 'Régions' ELSE 'France' END
         AS "Niveau",
       count(*) AS "Territoires", sum(population)::BIGINT AS "Population"
FROM territoires
GROUP BY type, type_rank
ORDER BY type_rank DESC
