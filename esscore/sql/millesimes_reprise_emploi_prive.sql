-- Build time: the private-employment denominators of the vintages carried by millesimes_reprise_liste.sql (columns of
-- this version only: an older file's breakdown by sector, if any, is summed away by the reads).
INSERT INTO millesimes_emploi_prive BY NAME
SELECT COLUMNS(lambda c: list_contains($colonnes::VARCHAR[], c)) FROM ancienne.millesimes_emploi_prive
WHERE millesime IN (SELECT millesime FROM ancienne.millesimes WHERE NOT demo AND millesime IS DISTINCT FROM $courant)
