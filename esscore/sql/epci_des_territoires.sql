-- EPCI code of each territory of a list (the EPCI itself for an EPCI; NULL above that level).
SELECT id, epci FROM territoires WHERE list_contains($ids, id)
