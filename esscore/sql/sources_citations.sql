-- Every declared source with what its citation needs (« titre — producteur — date — adresse »), for the
-- « Données & sources » page.
SELECT id, titre, producteur, millesime, url FROM sources ORDER BY demo, id
