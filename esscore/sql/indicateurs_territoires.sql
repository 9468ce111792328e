SELECT * FROM indicateurs WHERE list_contains($ids, id) AND perimetre = $perimetre
