-- Communes and EPCI of a territory, to draw our own basemap (no tile server).
SELECT c.code, c.epci, c.departement
FROM communes c
JOIN commune_territoires ct ON ct.commune = c.code AND ct.id = $territoire
