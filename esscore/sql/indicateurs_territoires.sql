SELECT i.*, s.secret_motif FROM indicateurs i
LEFT JOIN secret_territoires s ON s.id = i.id AND s.perimetre = i.perimetre
WHERE list_contains($ids, i.id) AND i.perimetre = $perimetre
