-- Build time: the real vintages of the database being replaced (attached as « ancienne »), except the one being
-- recomputed ($courant, NULL when no ESS data is loaded). Demonstration vintages are never carried. Only the columns
-- of this version ($colonnes) are read: a file of an older or newer version is carried all the same.
INSERT INTO millesimes BY NAME
SELECT COLUMNS(lambda c: list_contains($colonnes::VARCHAR[], c)) FROM ancienne.millesimes
WHERE NOT demo AND millesime IS DISTINCT FROM $courant
