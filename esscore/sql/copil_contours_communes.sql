-- Commune outlines (GeoJSON text) for the static map of the COPIL deck.
SELECT code, geojson FROM contours_communes WHERE list_contains($codes, code) ORDER BY code
