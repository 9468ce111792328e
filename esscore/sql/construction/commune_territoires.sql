-- Build time. Commune → every territory containing it (itself, EPCI, département, région, France):
-- the join that turns commune-level rows into any territory's figures.
CREATE OR REPLACE TABLE commune_territoires AS
SELECT code AS commune, 'commune:' || code AS id FROM communes
UNION ALL SELECT code, 'epci:' || epci FROM communes WHERE epci IS NOT NULL
UNION ALL SELECT c.code, 'departement:' || c.departement FROM communes c
          JOIN departements d ON d.code = c.departement
UNION ALL SELECT c.code, 'region:' || c.region FROM communes c JOIN regions r ON r.code = c.region
UNION ALL SELECT code, 'france:FR' FROM communes
ORDER BY id, commune  -- stored by territory: reading one territory's communes skips the other row groups
