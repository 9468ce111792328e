-- Title, producer and vintage of a loaded source: the first of $ids present (e.g. 'sirene', then its
-- demonstration stand-in 'demo-sirene'); no row when none is loaded.
SELECT titre, producteur, millesime, licence, demo, url
FROM sources
WHERE list_contains($ids::VARCHAR[], id)
ORDER BY list_position($ids::VARCHAR[], id)
LIMIT 1
