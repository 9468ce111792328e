-- Member communes of a territory with their indicators.
SELECT i.*, s.secret_motif FROM indicateurs i
JOIN commune_territoires ct ON ct.id = $type || ':' || $code AND i.id = 'commune:' || ct.commune
LEFT JOIN secret_territoires s ON s.id = i.id AND s.perimetre = i.perimetre
WHERE i.perimetre = $perimetre
ORDER BY i.etablissements_employeurs DESC, i.population DESC
