-- Creations and closures of ESS establishments in a territory ($id), by year, family and sector, in the perimeter
-- ($perimetre: statistique leaves out the rows outside INSEE's statistical perimeter).
SELECT m.annee, m.famille, m.secteur, sum(m.creations)::BIGINT AS creations, sum(m.fermetures)::BIGINT AS fermetures
FROM mouvements_ess m JOIN commune_territoires ct ON ct.commune = m.commune AND ct.id = $id
WHERE $perimetre = 'legal' OR NOT m.hors_statistique
GROUP BY ALL
ORDER BY m.annee, m.famille, m.secteur
