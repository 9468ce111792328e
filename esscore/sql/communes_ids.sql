-- Identifiers of every commune (« commune:CODE »), sorted.
SELECT id FROM territoires WHERE type = 'commune' ORDER BY id
