-- Map filters, GoGoCarto style: for each facet, counts per category with every OTHER filter applied
-- (so a category keeps showing how many establishments selecting it would add). Non-diffusible rows
-- are counted (their commune is public) but never match a text search on the name.
WITH base AS (
    SELECT e.famille, e.secteur, e.taille, e.employeur, e.ok_famille, e.ok_secteur, e.ok_taille, e.ok_employeur,
           e.ok_texte
    FROM etablissements_selection($territoire, $perimetre, $familles, $secteurs, $tailles, $employeurs, $texte) e
)
SELECT 'famille' AS facette, famille AS categorie, count(*) AS nombre
FROM base WHERE ok_secteur AND ok_taille AND ok_employeur AND ok_texte GROUP BY ALL
UNION ALL
SELECT 'secteur', secteur, count(*)
FROM base WHERE ok_famille AND ok_taille AND ok_employeur AND ok_texte GROUP BY ALL
UNION ALL
SELECT 'taille', taille, count(*)
FROM base WHERE ok_famille AND ok_secteur AND ok_employeur AND ok_texte GROUP BY ALL
UNION ALL
SELECT 'employeur', CASE WHEN employeur THEN 'employeurs' ELSE 'sans salarié déclaré' END, count(*)
FROM base WHERE ok_famille AND ok_secteur AND ok_taille AND ok_texte GROUP BY ALL
ORDER BY facette, nombre DESC, categorie
