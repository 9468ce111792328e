-- Individual map points: diffusible, located establishments of the filtered selection, biggest first
-- (deck.gl draws later rows on top, so small ones stay visible). Non-diffusible rows never appear here.
SELECT e.siret, e.nom, e.famille, e.secteur, coalesce(e.taille, '0 salarié ou non renseigné') AS taille, t.tranche_libelle AS tranche, e.employeur,
       e.salaries, e.commune AS code_commune, c.nom AS commune, e.lon, e.lat
FROM etablissements_ess e
JOIN commune_territoires ct ON ct.commune = e.commune AND ct.id = $territoire
JOIN communes c ON c.code = e.commune
LEFT JOIN tranches t ON t.tranche = e.tranche
WHERE NOT e.non_diffusible AND e.lon IS NOT NULL AND e.lat IS NOT NULL
  AND ($perimetre = 'legal' OR NOT e.hors_statistique)
  AND (coalesce(len($familles::VARCHAR[]), 0) = 0 OR list_contains($familles::VARCHAR[], e.famille))
  AND (coalesce(len($secteurs::VARCHAR[]), 0) = 0 OR list_contains($secteurs::VARCHAR[], e.secteur))
  AND (coalesce(len($tailles::VARCHAR[]), 0) = 0 OR list_contains($tailles::VARCHAR[], coalesce(e.taille, '0 salarié ou non renseigné')))
  AND (NOT $employeurs OR e.employeur)
  AND ($texte = '' OR contains(
      regexp_replace(strip_accents(lower(coalesce(e.nom, ''))), '[\s\-''’_/.,;:()]+', ' ', 'g'), $texte))
ORDER BY e.salaries DESC, e.siret
LIMIT $limite
