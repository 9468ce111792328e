-- Territories lying wholly in départements the demonstration does not simulate ($deps: meta demo_sans_donnees):
-- their pages say « nd » instead of showing the zeros of an empty simulation.
SELECT ct.id FROM commune_territoires ct JOIN communes c ON c.code = ct.commune
GROUP BY ct.id HAVING bool_and(list_contains($deps, c.departement))
