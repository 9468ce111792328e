-- The last ingestion report with French labels (empty if no ESS data was loaded).
SELECT CASE cle
         WHEN 'perimetre' THEN 'Périmètre'
         WHEN 'etablissements_ess_actifs' THEN 'Établissements ESS actifs'
         WHEN 'etablissements_ess_employeurs' THEN 'dont employeurs'
         WHEN 'ess_a_l_etranger' THEN 'ESS à l''étranger (hors chiffres territoriaux)'
         WHEN 'ess_code_commune_inconnu' THEN 'ESS au code commune inconnu'
         WHEN 'ess_sans_commune' THEN 'ESS sans code commune'
         WHEN 'ess_non_diffusibles' THEN 'ESS en diffusion partielle (noms masqués)'
         WHEN 'codes_inconnus_exemples' THEN 'Codes inconnus (exemples)'
         WHEN 'autres_employeurs_hors_geographie' THEN 'Autres employeurs non localisés'
         WHEN 'siret_en_double' THEN 'Lignes en double ignorées (même SIRET ; chaque établissement compté une fois)'
         WHEN 'siren_en_double' THEN 'Lignes en double ignorées (même SIREN ; chaque unité légale comptée une fois)'
         WHEN 'ess_position_hors_emprise' THEN 'ESS aux coordonnées illisibles ou hors du territoire (position retirée, établissement compté)'
         WHEN 'employeurs_prives' THEN 'Établissements employeurs privés (dénominateur)'
         WHEN 'date_stock' THEN 'Date du stock (dernier traitement)'
         WHEN 'duree_s' THEN 'Durée (s)'
         ELSE cle END AS "Élément",
       valeur AS "Valeur"
FROM ingestion_rapport
