-- Every vintage, oldest first, and whether it is the vintage of the figures the pages show (`courant`: same stock
-- date and same kind, real or demonstration). Its national totals come from esscore.evolution.series.
WITH meta_ AS (SELECT max(valeur) FILTER (WHERE cle = 'date_stock') AS date_stock,
                      coalesce(max(valeur) FILTER (WHERE cle = 'demo'), 'false') = 'true' AS demo FROM meta)
SELECT m.millesime, m.annee, m.annee_effectifs, m.demo, m.libelle, m.methode, m.couverture, m.date_ajout,
       m.demo = meta_.demo AND m.millesime = left(coalesce(meta_.date_stock, ''), 10) AS courant
FROM millesimes m CROSS JOIN meta_
ORDER BY m.millesime
