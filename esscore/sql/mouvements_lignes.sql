-- Ingestion (issue 19): every ESS establishment of the stock, active or closed, with its commune 2026, family, sector,
-- perimeter flag and the years of its creation and of the start of its current period. The rules of the ESS
-- establishments (esscore/ingest/sirene.py): family of the legal unit (ul_sel), sector of the APE division,
-- statistical exclusions ($divisions_exclues, $codes_exclus), commercial companies of the ESS ($scess) outside the
-- statistical perimeter. Reads the view stock_mouvements (esscore.millesimes.charger_mouvements), its columns as the
-- file types them: the ESS rows are picked first, so that only they are converted (a tenth of a national stock).
CREATE OR REPLACE TEMP TABLE mouvements_lignes AS
WITH s AS (
  SELECT m.*, u.famille
  FROM stock_mouvements m
  JOIN (SELECT siren, famille FROM ul_sel WHERE famille IS NOT NULL) u ON u.siren = CAST(m.siren AS VARCHAR)
), e AS (
  SELECT CAST(siret AS VARCHAR) AS siret, famille, upper(trim(CAST(etat AS VARCHAR))) AS etat,
         nullif(trim(CAST(ape AS VARCHAR)), '') AS ape, nullif(trim(CAST(nomenclature AS VARCHAR)), '') AS nomenclature,
         nullif(trim(CAST(code_commune AS VARCHAR)), '') AS code_commune,
         TRY_CAST(left(trim(CAST(date_creation AS VARCHAR)), 4) AS INTEGER) AS annee_creation,
         TRY_CAST(left(trim(CAST(date_debut AS VARCHAR)), 4) AS INTEGER) AS annee_debut
  FROM s
), j AS (
  SELECT e.*, TRY_CAST(left(e.ape, 2) AS INTEGER) AS division,
         coalesce(list_contains($divisions_exclues::VARCHAR[], left(e.ape, 2))
                  OR list_contains($codes_exclus::VARCHAR[], e.ape), FALSE) AS activite_exclue
  FROM e WHERE e.etat IN ('A', 'F')
)
SELECT j.siret, p.code_commune AS commune, j.famille, j.etat,
       CASE WHEN j.activite_exclue THEN 'Hors champ statistique'
            WHEN j.ape = '94.99Z' OR j.division IS NULL THEN 'Non classés'
            WHEN j.nomenclature IS NOT NULL AND j.nomenclature NOT IN ('NAFRev2', 'NAF2025') THEN 'Non classés'
            ELSE s.secteur END AS secteur,
       j.activite_exclue OR j.famille = $scess AS hors_statistique, j.annee_creation, j.annee_debut
FROM j
LEFT JOIN code_commune_2026 p ON p.code = j.code_commune
LEFT JOIN secteurs_naf s ON s.division = j.division
