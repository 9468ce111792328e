-- Ingestion (issue 19), only when a SIRET appears twice in the stock (esscore.millesimes.charger_mouvements): one
-- line per establishment, the active one first, then the latest period, then the smallest content hash (the same
-- whatever the order of the file).
CREATE OR REPLACE TEMP TABLE mouvements_lignes AS
SELECT * FROM mouvements_lignes l
QUALIFY row_number() OVER (PARTITION BY siret ORDER BY etat = 'A' DESC, annee_debut DESC NULLS LAST,
                                                       md5(CAST(l AS VARCHAR))) = 1
