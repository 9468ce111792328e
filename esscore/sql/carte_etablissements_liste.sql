-- Table and exports of the filtered selection. Partial-diffusion rows stay listed (they are counted)
-- but never carry a name, a SIRET or coordinates (masked by the etablissements_diffusion macro).
SELECT e.nom, e.siret, e.famille, e.secteur, e.taille, t.tranche_libelle AS tranche_effectifs, e.employeur,
       e.commune AS code_commune, e.commune_nom AS commune, e.lon, e.lat
FROM etablissements_diffusion($territoire, $perimetre, $familles, $secteurs, $tailles, $employeurs, $texte) e
LEFT JOIN tranches t ON t.tranche = e.tranche
WHERE e.retenu
ORDER BY e.salaries DESC, e.commune_nom, e.nom, e.siret
LIMIT $limite
