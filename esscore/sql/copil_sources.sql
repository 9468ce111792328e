-- Provenance of the loaded data, for the "Sources et méthode" slide of the COPIL deck.
SELECT id, titre, producteur, millesime, licence, demo FROM sources ORDER BY demo, id
