-- Headline figures of territories ($ids) at every vintage of the same kind as the data loaded (real or demonstration,
-- never mixed), in the perimeter ($perimetre), with the current secrecy pattern of each territory (secret_territoires:
-- esscore.evolution applies it to the whole series).
--
-- A recorded vintage is read from millesimes_indicateurs and millesimes_emploi_prive. A demonstration vintage derived
-- from the final one (esscore.demo_millesimes, factors in millesimes_demo) is computed here from the final vintage's
-- rows: each count divided by the cumulative factor of its family and sector and by the territory's fictitious drift,
-- then rounded down after adding a draw u fixed per cell (DuckDB's hash: unbiased, and a cell's series moves with its
-- factor only); employers never exceed establishments; salariés follow the employers (mean per employer scaled by the
-- ratio of the salariés and count factors), the largest establishment's estimate likewise, capped by the total.
WITH meta_ AS (SELECT coalesce(max(valeur) FILTER (WHERE cle = 'demo'), 'false') = 'true' AS demo FROM meta),
v AS (SELECT m.* FROM millesimes m, meta_ WHERE m.demo = meta_.demo),
t AS (
  SELECT id, type, code, nom, population,
         CASE type WHEN 'france' THEN 0.0
                   WHEN 'region' THEN (hash('region:' || region) % 20001) / 10000.0 - 1
                   ELSE (hash('departement:' || departement) % 20001) / 10000.0 - 1 END AS alea
  FROM territoires WHERE id IN (SELECT unnest($ids))
),
brut AS (SELECT i.* FROM millesimes_indicateurs i WHERE i.id IN (SELECT unnest($ids))),
facteurs AS (
  SELECT f.*, power(1 + f.derive_max * t.alea, f.k) AS d, t.id
  FROM millesimes_demo f CROSS JOIN t
),
derive AS (
  SELECT f.millesime, b.id, b.famille, b.secteur, b.taille, b.hors_statistique, b.etablissements, b.employeurs,
         b.salaries, b.max_salaries, 1.0 / (f.f_comptes * f.d) AS gc, 1.0 / (f.f_salaries * f.d) AS gs,
         (hash(b.id, b.famille, b.secteur, b.taille, b.hors_statistique) % 1000003) / 1000003.0 AS u
  FROM brut b JOIN facteurs f ON f.finale = b.millesime AND f.id = b.id AND f.famille = b.famille
                              AND f.secteur = b.secteur
),
derive_n AS (
  SELECT *, floor(etablissements * gc + u) AS etab_n, least(floor(employeurs * gc + u), floor(etablissements * gc + u))
         AS emp_n
  FROM derive
),
lignes AS (
  SELECT millesime, id, hors_statistique, etablissements, employeurs, salaries, max_salaries FROM brut
  UNION ALL
  SELECT millesime, id, hors_statistique, etab_n, emp_n,
         CASE WHEN employeurs > 0 THEN salaries / employeurs * emp_n * gs / gc ELSE 0 END,
         CASE WHEN employeurs > 0 AND emp_n > 0
              THEN least(max_salaries * gs / gc, salaries / employeurs * emp_n * gs / gc) ELSE 0 END
  FROM derive_n WHERE etab_n > 0
),
ess AS (
  SELECT millesime, id, sum(etablissements)::BIGINT AS etablissements, sum(employeurs)::BIGINT AS employeurs,
         sum(salaries) AS salaries, max(max_salaries) AS max_salaries
  FROM lignes WHERE $perimetre = 'legal' OR NOT hors_statistique
  GROUP BY ALL
),
prive_brut AS (
  -- every territory a vintage covers has rows here, zeros included (millesimes_courant_emploi_prive.sql)
  SELECT millesime, id, sum(salaries) FILTER (WHERE $perimetre = 'legal' OR NOT activite_exclue) AS salaries_prives
  FROM millesimes_emploi_prive WHERE id IN (SELECT unnest($ids))
  GROUP BY ALL
),
prive AS (
  SELECT * FROM prive_brut
  UNION ALL
  SELECT f.millesime, p.id, p.salaries_prives / f.f_prive
  FROM prive_brut p JOIN (SELECT DISTINCT millesime, finale, f_prive FROM millesimes_demo) f ON f.finale = p.millesime
)
SELECT t.id, t.type, t.code, t.nom, t.population, v.millesime, v.annee, v.annee_effectifs, v.demo,
       -- a territory the vintage did not cover (partial extract) has no figure, not zeros
       CASE WHEN prive.id IS NOT NULL THEN coalesce(ess.etablissements, 0) END AS etablissements,
       CASE WHEN prive.id IS NOT NULL THEN coalesce(ess.employeurs, 0) END AS etablissements_employeurs,
       CASE WHEN prive.id IS NOT NULL THEN coalesce(ess.salaries, 0) END AS salaries_estimes,
       CASE WHEN prive.id IS NOT NULL THEN coalesce(ess.max_salaries, 0) END AS max_salaries,
       prive.salaries_prives, ess.salaries / nullif(prive.salaries_prives, 0) AS part_emploi_prive,
       s.secret_motif AS secret_courant
FROM t CROSS JOIN v
LEFT JOIN ess ON ess.id = t.id AND ess.millesime = v.millesime
LEFT JOIN prive ON prive.id = t.id AND prive.millesime = v.millesime
LEFT JOIN secret_territoires s ON s.id = t.id AND s.perimetre = $perimetre
ORDER BY t.id, v.millesime
