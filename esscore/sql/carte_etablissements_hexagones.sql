-- Hexagon binning in SQL (no H3): flat-top hexagons of circumradius $taille metres in Web Mercator (what
-- the map draws), axial coordinates (q, r) by cube rounding. One row per hexagon and family, so the
-- dominant family and the secrecy rule can be computed on the few thousand rows returned. Position: the
-- establishment's own point when diffusible and located, else its commune's point (never a
-- non-diffusible position: etablissements_diffusion masks it).
WITH sel AS (
    SELECT coalesce(e.lon, e.commune_lon) AS lon, coalesce(e.lat, e.commune_lat) AS lat,
           e.famille, e.employeur, e.salaries
    FROM etablissements_diffusion($territoire, $perimetre, $familles, $secteurs, $tailles, $employeurs, $texte) e
    WHERE e.retenu
),
axial AS (
    SELECT *, (2.0 / 3.0 * x) / $taille AS q, (-x / 3.0 + sqrt(3.0) / 3.0 * y) / $taille AS r
    FROM (SELECT *, radians(lon) * 6378137.0 AS x,
                 ln(tan(pi() / 4 + radians(least(greatest(lat, -85.0), 85.0)) / 2)) * 6378137.0 AS y
          FROM sel WHERE lon IS NOT NULL AND lat IS NOT NULL)
),
arrondi AS (
    SELECT *, round(q) AS rq, round(-q - r) AS ry, round(r) AS rr,
           abs(round(q) - q) AS dq, abs(round(-q - r) - (-q - r)) AS dy, abs(round(r) - r) AS dr
    FROM axial
),
cellule AS (
    SELECT CASE WHEN dq > dy AND dq > dr THEN -ry - rr ELSE rq END::BIGINT AS q,
           CASE WHEN NOT (dq > dy AND dq > dr) AND NOT (dy > dr) THEN -rq - ry ELSE rr END::BIGINT AS r,
           famille, employeur, salaries
    FROM arrondi
)
SELECT q, r, famille, count(*) AS etablissements, count(*) FILTER (WHERE employeur) AS employeurs,
       coalesce(sum(salaries), 0) AS salaries, coalesce(max(salaries), 0) AS max_salaries
FROM cellule
GROUP BY ALL
ORDER BY q, r, famille
