-- Commune bubbles: one row per commune of the filtered selection (non-diffusible rows included in the
-- counts: only their commune is used), placed at the commune's representative point.
WITH sel AS (
    SELECT e.commune, e.famille, e.employeur, e.salaries, e.commune_nom, e.commune_lon, e.commune_lat
    FROM etablissements_selection($territoire, $perimetre, $familles, $secteurs, $tailles, $employeurs, $texte) e
    WHERE e.retenu
),
par_famille AS (SELECT commune, famille, count(*) AS n FROM sel GROUP BY ALL)
SELECT s.commune AS code, s.commune_nom AS nom, s.commune_lon AS lon, s.commune_lat AS lat,
       count(*) AS etablissements, count(*) FILTER (WHERE s.employeur) AS employeurs,
       coalesce(sum(s.salaries), 0) AS salaries, coalesce(max(s.salaries), 0) AS max_salaries,
       (SELECT first(f.famille ORDER BY f.n DESC, f.famille) FROM par_famille f WHERE f.commune = s.commune)
           AS famille
FROM sel s
WHERE s.commune_lon IS NOT NULL AND s.commune_lat IS NOT NULL
GROUP BY s.commune, s.commune_nom, s.commune_lon, s.commune_lat
ORDER BY salaries DESC, code
