-- Map filters, GoGoCarto style: for each facet, counts per category with every OTHER filter applied
-- (so a category keeps showing how many establishments selecting it would add). Non-diffusible rows
-- are counted (their commune is public) but never match a text search on the name.
WITH base AS (
    SELECT e.famille, e.secteur, coalesce(e.taille, '0 salarié ou non renseigné') AS taille, e.employeur,
           coalesce(len($familles::VARCHAR[]), 0) = 0 OR list_contains($familles::VARCHAR[], e.famille) AS ok_famille,
           coalesce(len($secteurs::VARCHAR[]), 0) = 0 OR list_contains($secteurs::VARCHAR[], e.secteur) AS ok_secteur,
           coalesce(len($tailles::VARCHAR[]), 0) = 0 OR list_contains($tailles::VARCHAR[], coalesce(e.taille, '0 salarié ou non renseigné')) AS ok_taille,
           NOT $employeurs OR e.employeur AS ok_employeur,
           $texte = '' OR (NOT e.non_diffusible AND contains(
               regexp_replace(strip_accents(lower(coalesce(e.nom, ''))), '[\s\-''’_/.,;:()]+', ' ', 'g'), $texte
           )) AS ok_texte
    FROM etablissements_ess e
    JOIN commune_territoires ct ON ct.commune = e.commune AND ct.id = $territoire
    WHERE $perimetre = 'legal' OR NOT e.hors_statistique
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
