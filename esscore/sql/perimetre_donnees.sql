-- Every département, and whether the SIRENE data loaded covers it (esscore.indicators.perimetre_donnees).
SELECT d.code, d.nom, dc.departement IS NOT NULL AS couvert
FROM departements d LEFT JOIN departements_couverts dc ON dc.departement = d.code
ORDER BY d.code
