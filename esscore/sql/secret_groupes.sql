-- Published headline figures that add up to another one, for the complementary secrecy (esscore.secret): the
-- communes of every EPCI, département, région and of France; the départements of every région and of France; the
-- régions of France. A commune outside any département or région (Saint-Pierre-et-Miquelon, Saint-Barthélemy…)
-- stands beside them. One row per member: groupe (the total's id), niveau (the members' level), membre (its id).
SELECT ct.id AS groupe, 'commune' AS niveau, 'commune:' || ct.commune AS membre
FROM commune_territoires ct WHERE NOT starts_with(ct.id, 'commune:')
UNION ALL
SELECT DISTINCT ct.id, 'departement', coalesce('departement:' || d.code, 'commune:' || c.code)
FROM communes c JOIN commune_territoires ct ON ct.commune = c.code
LEFT JOIN departements d ON d.code = c.departement
WHERE starts_with(ct.id, 'region:') OR starts_with(ct.id, 'france:')
UNION ALL
SELECT DISTINCT ct.id, 'region', coalesce('region:' || r.code, 'commune:' || c.code)
FROM communes c JOIN commune_territoires ct ON ct.commune = c.code
LEFT JOIN regions r ON r.code = c.region
WHERE starts_with(ct.id, 'france:')
