-- ESS establishments of a territory (`esscore etablissements`), as the CRESS hand them to collectivities:
-- one family or all of them, nothing else filtered. Partial-diffusion rows stay counted but never carry a
-- name, a SIRET or coordinates (masked by the etablissements_diffusion macro).
SELECT e.nom, e.siret, e.famille, e.secteur, e.ape, t.tranche_libelle AS tranche_effectifs, e.employeur,
       e.commune AS code_commune, e.commune_nom AS commune, e.lon, e.lat
FROM etablissements_diffusion(
    $type || ':' || $code, $perimetre, CASE WHEN $famille IS NULL THEN [] ELSE [$famille] END, [], [], false, ''
) e
LEFT JOIN tranches t ON t.tranche = e.tranche
WHERE e.retenu
ORDER BY e.salaries DESC, e.commune_nom, e.nom
