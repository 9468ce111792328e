-- Build time (issue 19). The vintage of the data just loaded, for every territory (all levels): the commune-level
-- cube summed over commune_territoires, by family, sector, size class and perimeter flag ($millesime: its key).
-- The territories of millesimes_exclus (a partial extract does not cover them in full) are left out.
INSERT INTO millesimes_indicateurs
SELECT $millesime AS millesime, ct.id, c.famille, c.secteur, c.taille, c.hors_statistique,
       sum(c.etablissements)::BIGINT AS etablissements, sum(c.employeurs)::BIGINT AS employeurs,
       sum(c.salaries) AS salaries, max(c.max_salaries) AS max_salaries
FROM ess_cube c JOIN commune_territoires ct USING (commune)
WHERE ct.id NOT IN (SELECT id FROM millesimes_exclus)
GROUP BY ct.id, c.famille, c.secteur, c.taille, c.hors_statistique
ORDER BY ct.id  -- stored in order: a territory's rows sit in few row groups (fast reads)
