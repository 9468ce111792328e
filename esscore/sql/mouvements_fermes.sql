-- Ingestion (issue 19): the closed ESS establishments of the stock (state F). Their closure year is, until the
-- historical file is given (mouvements_historique.sql), the start of their current period (`source_date` 'stock').
CREATE OR REPLACE TABLE fermes_ess AS
SELECT siret, commune, famille, secteur, hors_statistique, annee_creation, annee_debut AS annee_fermeture,
       'stock' AS source_date
FROM mouvements_lignes WHERE etat = 'F'
