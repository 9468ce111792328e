-- Build time, after commune_territoires. The territories whose figures a partial SIRENE extract (a sirene.fr
-- export, a per-département geolocated file) cannot give in full: « partiel » when some of their communes lie in
-- a département the data does not cover (a région, France, an EPCI across a border), « hors extrait » when none
-- is covered. Empty for a national stock. Overseas collectivities outside the département list (Polynésie…),
-- which the stock does not cover either, are left out. Read by esscore.indicators.couverture.
CREATE OR REPLACE TABLE territoires_partiels AS
SELECT ct.id,
       count(dc.departement)::INTEGER AS communes_couvertes,
       count(*)::INTEGER AS communes,
       CASE WHEN count(dc.departement) = 0 THEN 'hors extrait' ELSE 'partiel' END AS couverture
FROM commune_territoires ct
JOIN communes c ON c.code = ct.commune
JOIN departements d ON d.code = c.departement
LEFT JOIN departements_couverts dc ON dc.departement = c.departement
GROUP BY ct.id
HAVING count(dc.departement) < count(*)
