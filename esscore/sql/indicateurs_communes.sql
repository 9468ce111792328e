-- Member communes of a territory with their indicators.
SELECT i.* FROM indicateurs i
JOIN commune_territoires ct ON ct.id = $type || ':' || $code AND i.id = 'commune:' || ct.commune
WHERE i.perimetre = $perimetre
ORDER BY i.etablissements_employeurs DESC, i.population DESC
