-- Build time, demonstration (esscore.demo_millesimes): the national salariés of the final vintage ($final) by family
-- and sector, every family and sector of any territory (the weights of the yearly national change).
SELECT famille, secteur, sum(salaries) AS salaries
FROM millesimes_indicateurs WHERE millesime = $final AND id = 'france:FR'
GROUP BY ALL ORDER BY famille, secteur
