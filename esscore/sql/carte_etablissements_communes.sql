-- Commune bubbles: one row per commune of the filtered selection (non-diffusible rows included in the
-- counts: only their commune is used), placed at the commune's representative point.
WITH sel AS (
    SELECT e.commune, e.famille, e.employeur, e.salaries
    FROM etablissements_ess e
    JOIN commune_territoires ct ON ct.commune = e.commune AND ct.id = $territoire
    WHERE ($perimetre = 'legal' OR NOT e.hors_statistique)
      AND (coalesce(len($familles::VARCHAR[]), 0) = 0 OR list_contains($familles::VARCHAR[], e.famille))
      AND (coalesce(len($secteurs::VARCHAR[]), 0) = 0 OR list_contains($secteurs::VARCHAR[], e.secteur))
      AND (coalesce(len($tailles::VARCHAR[]), 0) = 0 OR list_contains($tailles::VARCHAR[], coalesce(e.taille, '0 salarié ou non renseigné')))
      AND (NOT $employeurs OR e.employeur)
      AND ($texte = '' OR (NOT e.non_diffusible AND contains(
          regexp_replace(strip_accents(lower(coalesce(e.nom, ''))), '[\s\-''’_/.,;:()]+', ' ', 'g'), $texte)))
),
par_famille AS (SELECT commune, famille, count(*) AS n FROM sel GROUP BY ALL)
SELECT s.commune AS code, c.nom, c.lon, c.lat, count(*) AS etablissements,
       count(*) FILTER (WHERE s.employeur) AS employeurs, coalesce(sum(s.salaries), 0) AS salaries,
       coalesce(max(s.salaries), 0) AS max_salaries,
       (SELECT first(f.famille ORDER BY f.n DESC, f.famille) FROM par_famille f WHERE f.commune = s.commune)
           AS famille
FROM sel s
JOIN communes c ON c.code = s.commune
WHERE c.lon IS NOT NULL AND c.lat IS NOT NULL
GROUP BY s.commune, c.nom, c.lon, c.lat
ORDER BY salaries DESC, code
