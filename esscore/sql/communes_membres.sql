-- Member communes of any territory; France lists every commune.
SELECT code, nom, population
FROM communes
WHERE CASE $type
        WHEN 'commune' THEN code = $code
        WHEN 'epci' THEN epci = $code
        WHEN 'departement' THEN departement = $code
        WHEN 'region' THEN region = $code
        ELSE TRUE
      END
ORDER BY population DESC, code
