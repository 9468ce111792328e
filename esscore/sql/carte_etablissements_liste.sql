-- Table and exports of the filtered selection. Partial-diffusion rows stay listed (they are counted)
-- but never carry a name, a SIRET or coordinates.
SELECT CASE WHEN e.non_diffusible THEN '[non diffusible]' ELSE e.nom END AS nom,
       CASE WHEN e.non_diffusible THEN NULL ELSE e.siret END AS siret,
       e.famille, e.secteur, e.taille, t.tranche_libelle AS tranche_effectifs, e.employeur,
       e.commune AS code_commune, e.commune_nom AS commune,
       CASE WHEN e.non_diffusible THEN NULL ELSE e.lon END AS lon,
       CASE WHEN e.non_diffusible THEN NULL ELSE e.lat END AS lat
FROM etablissements_selection($territoire, $perimetre, $familles, $secteurs, $tailles, $employeurs, $texte) e
LEFT JOIN tranches t ON t.tranche = e.tranche
WHERE e.retenu
ORDER BY e.salaries DESC, e.commune_nom, nom, e.siret
LIMIT $limite
