-- Size of the filtered selection: what the map can draw (diffusible and located) and what it cannot.
SELECT count(*) AS etablissements,
       count(*) FILTER (WHERE NOT e.non_diffusible AND e.lon IS NOT NULL) AS localises,
       count(*) FILTER (WHERE e.non_diffusible) AS non_diffusibles,
       count(*) FILTER (WHERE NOT e.non_diffusible AND e.lon IS NULL) AS sans_position,
       count(*) FILTER (WHERE e.employeur) AS employeurs,
       coalesce(sum(e.salaries), 0) AS salaries,
       count(DISTINCT e.commune) AS communes
FROM etablissements_ess e
JOIN commune_territoires ct ON ct.commune = e.commune AND ct.id = $territoire
WHERE ($perimetre = 'legal' OR NOT e.hors_statistique)
  AND (coalesce(len($familles::VARCHAR[]), 0) = 0 OR list_contains($familles::VARCHAR[], e.famille))
  AND (coalesce(len($secteurs::VARCHAR[]), 0) = 0 OR list_contains($secteurs::VARCHAR[], e.secteur))
  AND (coalesce(len($tailles::VARCHAR[]), 0) = 0 OR list_contains($tailles::VARCHAR[], coalesce(e.taille, '0 salarié ou non renseigné')))
  AND (NOT $employeurs OR e.employeur)
  AND ($texte = '' OR (NOT e.non_diffusible AND contains(
      regexp_replace(strip_accents(lower(coalesce(e.nom, ''))), '[\s\-''’_/.,;:()]+', ' ', 'g'), $texte)))
