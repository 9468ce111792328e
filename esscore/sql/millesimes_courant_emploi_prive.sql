-- Build time (issue 19). The private-employment denominator of the vintage just loaded, for every territory, by
-- excluded-activity flag (the split of esscore/sql/construction/indicateurs.sql: the statistical share leaves the
-- excluded activities out of both sides). Every territory the vintage covers has a row, zeros included: a row here
-- is how esscore/sql/evolution_series.sql knows a territory was covered (a zero) rather than left out (no figure);
-- the territories of millesimes_exclus (a partial extract does not cover them in full) are left out.
INSERT INTO millesimes_emploi_prive
SELECT $millesime AS millesime, t.id, coalesce(p.activite_exclue, FALSE) AS activite_exclue,
       coalesce(p.employeurs, 0)::BIGINT AS employeurs, coalesce(p.salaries, 0) AS salaries
FROM territoires t
LEFT JOIN (
  SELECT ct.id, e.activite_exclue, sum(e.employeurs) AS employeurs, sum(e.salaries) AS salaries
  FROM emploi_prive e JOIN commune_territoires ct USING (commune)
  GROUP BY ct.id, e.activite_exclue
) p USING (id)
WHERE t.id NOT IN (SELECT id FROM millesimes_exclus)
ORDER BY t.id  -- stored in order: a territory's rows sit in few row groups (fast reads)
