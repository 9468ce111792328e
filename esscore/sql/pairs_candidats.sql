-- Same level; EPCI of the same legal type. Closest population (log scale) first, same région first,
-- within a band of 0.5x–2x when enough candidates exist (the band widens otherwise).
WITH me AS (SELECT * FROM territoires WHERE type = $type AND code = $code),
cand AS (
  SELECT t.id, t.type, t.code, t.nom, t.population,
         t.region = me.region AS meme_region,
         abs(ln(greatest(t.population, 1)) - ln(greatest(me.population, 1))) AS ecart
  FROM territoires t, me
  WHERE t.type = me.type AND t.code <> me.code
    AND (me.type <> 'epci' OR t.epci_type = me.epci_type)
    AND (me.type <> 'commune' OR t.departement = me.departement OR t.region = me.region)
)
SELECT * FROM cand
ORDER BY ecart > ln(2), NOT meme_region, ecart
LIMIT $n
