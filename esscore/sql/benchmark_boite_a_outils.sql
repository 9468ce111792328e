SELECT ordre, axe, orientation, action, exemple, entrees
FROM boite_a_outils
ORDER BY ordre
