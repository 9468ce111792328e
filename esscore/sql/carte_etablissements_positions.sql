-- Positions for hexagon binning: the establishment's own point when diffusible and located, else the
-- representative point of its commune (a non-diffusible position is never used).
SELECT coalesce(CASE WHEN NOT e.non_diffusible THEN e.lon END, c.lon) AS lon,
       coalesce(CASE WHEN NOT e.non_diffusible THEN e.lat END, c.lat) AS lat,
       e.famille, e.employeur, e.salaries
FROM etablissements_ess e
JOIN commune_territoires ct ON ct.commune = e.commune AND ct.id = $territoire
JOIN communes c ON c.code = e.commune
WHERE ($perimetre = 'legal' OR NOT e.hors_statistique)
  AND (coalesce(len($familles::VARCHAR[]), 0) = 0 OR list_contains($familles::VARCHAR[], e.famille))
  AND (coalesce(len($secteurs::VARCHAR[]), 0) = 0 OR list_contains($secteurs::VARCHAR[], e.secteur))
  AND (coalesce(len($tailles::VARCHAR[]), 0) = 0 OR list_contains($tailles::VARCHAR[], coalesce(e.taille, '0 salarié ou non renseigné')))
  AND (NOT $employeurs OR e.employeur)
  AND ($texte = '' OR (NOT e.non_diffusible AND contains(
      regexp_replace(strip_accents(lower(coalesce(e.nom, ''))), '[\s\-''’_/.,;:()]+', ' ', 'g'), $texte)))
