-- Size of the filtered selection: what the map can draw (diffusible and located) and what it cannot.
SELECT count(*) AS etablissements,
       count(*) FILTER (WHERE NOT e.non_diffusible AND e.lon IS NOT NULL) AS localises,
       count(*) FILTER (WHERE e.non_diffusible) AS non_diffusibles,
       count(*) FILTER (WHERE NOT e.non_diffusible AND e.lon IS NULL) AS sans_position,
       count(*) FILTER (WHERE e.employeur) AS employeurs,
       coalesce(sum(e.salaries), 0) AS salaries,
       count(DISTINCT e.commune) AS communes
FROM etablissements_selection($territoire, $perimetre, $familles, $secteurs, $tailles, $employeurs, $texte) e
WHERE e.retenu
