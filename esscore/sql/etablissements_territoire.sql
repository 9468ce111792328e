-- ESS establishments of a territory, as the CRESS hand them to collectivities. Partial-diffusion
-- rows ('P') stay counted but never carry a name or coordinates.
SELECT CASE WHEN e.non_diffusible THEN '[non diffusible]' ELSE e.nom END AS nom,
       CASE WHEN e.non_diffusible THEN NULL ELSE e.siret END AS siret,
       e.famille, e.secteur, e.ape, t.tranche_libelle AS tranche_effectifs, e.employeur,
       e.commune AS code_commune, c.nom AS commune,
       CASE WHEN e.non_diffusible THEN NULL ELSE e.lon END AS lon,
       CASE WHEN e.non_diffusible THEN NULL ELSE e.lat END AS lat
FROM etablissements_ess e
JOIN commune_territoires ct ON ct.commune = e.commune AND ct.id = $type || ':' || $code
JOIN communes c ON c.code = e.commune
LEFT JOIN tranches t ON t.tranche = e.tranche
WHERE ($famille IS NULL OR e.famille = $famille)
  AND ($perimetre = 'legal' OR NOT e.hors_statistique)
ORDER BY e.salaries DESC, c.nom, nom
