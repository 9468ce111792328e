-- esscore mouvements --historique: the exact closure year of each closed ESS establishment, from the historical
-- file (view historique_etablissements): the start of its last period opened by a change of state to F.
UPDATE fermes_ess SET annee_fermeture = h.annee, source_date = 'historique'
FROM (
  SELECT CAST(siret AS VARCHAR) AS siret, max(TRY_CAST(left(CAST("dateDebut" AS VARCHAR), 4) AS INTEGER)) AS annee
  FROM historique_etablissements
  WHERE upper(CAST("etatAdministratifEtablissement" AS VARCHAR)) = 'F'
    AND lower(CAST("changementEtatAdministratifEtablissement" AS VARCHAR)) IN ('true', 't', '1', 'o', 'oui')
    AND CAST(siret AS VARCHAR) IN (SELECT siret FROM fermes_ess)
  GROUP BY 1
) h
WHERE h.siret = fermes_ess.siret AND h.annee IS NOT NULL
