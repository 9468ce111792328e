SELECT titre, producteur, millesime, licence
FROM sources
WHERE id = 'benchmark'
