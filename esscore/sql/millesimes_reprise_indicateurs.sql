-- Build time: the figures of the vintages carried by millesimes_reprise_liste.sql (columns of this version only).
INSERT INTO millesimes_indicateurs BY NAME
SELECT COLUMNS(lambda c: list_contains($colonnes::VARCHAR[], c)) FROM ancienne.millesimes_indicateurs
WHERE millesime IN (SELECT millesime FROM ancienne.millesimes WHERE NOT demo AND millesime IS DISTINCT FROM $courant)
