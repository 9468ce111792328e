-- Table and exports of the filtered selection. Partial-diffusion rows stay listed (they are counted)
-- but never carry a name, a SIRET or coordinates.
SELECT CASE WHEN e.non_diffusible THEN '[non diffusible]' ELSE e.nom END AS nom,
       CASE WHEN e.non_diffusible THEN NULL ELSE e.siret END AS siret,
       e.famille, e.secteur, coalesce(e.taille, '0 salarié ou non renseigné') AS taille, t.tranche_libelle AS tranche_effectifs, e.employeur,
       e.commune AS code_commune, c.nom AS commune,
       CASE WHEN e.non_diffusible THEN NULL ELSE e.lon END AS lon,
       CASE WHEN e.non_diffusible THEN NULL ELSE e.lat END AS lat
FROM etablissements_ess e
JOIN commune_territoires ct ON ct.commune = e.commune AND ct.id = $territoire
JOIN communes c ON c.code = e.commune
LEFT JOIN tranches t ON t.tranche = e.tranche
WHERE ($perimetre = 'legal' OR NOT e.hors_statistique)
  AND (coalesce(len($familles::VARCHAR[]), 0) = 0 OR list_contains($familles::VARCHAR[], e.famille))
  AND (coalesce(len($secteurs::VARCHAR[]), 0) = 0 OR list_contains($secteurs::VARCHAR[], e.secteur))
  AND (coalesce(len($tailles::VARCHAR[]), 0) = 0 OR list_contains($tailles::VARCHAR[], coalesce(e.taille, '0 salarié ou non renseigné')))
  AND (NOT $employeurs OR e.employeur)
  AND ($texte = '' OR (NOT e.non_diffusible AND contains(
      regexp_replace(strip_accents(lower(coalesce(e.nom, ''))), '[\s\-''’_/.,;:()]+', ' ', 'g'), $texte)))
ORDER BY e.salaries DESC, c.nom, nom, e.siret
LIMIT $limite
