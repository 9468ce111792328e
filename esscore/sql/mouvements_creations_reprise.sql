-- esscore mouvements --historique: the creations already counted (they come from the stock), kept as they are.
CREATE OR REPLACE TEMP TABLE mouvements_creations AS
SELECT commune, famille, secteur, hors_statistique, annee, creations FROM mouvements_ess WHERE creations > 0
