-- Any code a user or SIRENE may carry (actuelle, déléguée, associée, arrondissement) → 2026 commune.
SELECT p.code, p.code_commune, p.nom AS nom_source,
       CASE p.type WHEN 'commune-deleguee' THEN 'commune déléguée'
                   WHEN 'commune-associee' THEN 'commune associée'
                   WHEN 'arrondissement-municipal' THEN 'arrondissement municipal'
                   ELSE 'commune' END AS type_source
FROM passage_communes p
WHERE p.code = $code
ORDER BY p.code = p.code_commune DESC  -- the caller keeps the first row (with LIMIT 1, DuckDB planned a top-N that skipped the index on code)
