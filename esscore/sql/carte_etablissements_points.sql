-- Individual map points: diffusible, located establishments of the filtered selection, biggest first
-- (deck.gl draws later rows on top, so small ones stay visible). Non-diffusible rows never appear here.
SELECT e.siret, e.nom, e.famille, e.secteur, e.taille, t.tranche_libelle AS tranche, e.employeur,
       e.salaries, e.commune AS code_commune, e.commune_nom AS commune, e.lon, e.lat
FROM etablissements_selection($territoire, $perimetre, $familles, $secteurs, $tailles, $employeurs, $texte) e
LEFT JOIN tranches t ON t.tranche = e.tranche
WHERE NOT e.non_diffusible AND e.lon IS NOT NULL AND e.lat IS NOT NULL AND e.retenu
ORDER BY e.salaries DESC, e.siret
LIMIT $limite
