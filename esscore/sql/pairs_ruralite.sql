-- Peer candidates with a rurality profile. Same level (EPCI: same legal type; communes: same département or
-- région); closest on population (log scale) plus twice the gap in the share of inhabitants living in
-- communes under 2 000 inhabitants; same zone (metropolitan / overseas) first, then candidates within a
-- score of ln(2), same région first.
WITH rur AS (
  SELECT ct.id,
         coalesce(sum(c.population) FILTER (WHERE c.population < 2000), 0) / nullif(sum(c.population), 0)
           AS part_pop_petites_communes
  FROM commune_territoires ct JOIN communes c ON c.code = ct.commune
  WHERE starts_with(ct.id, $type || ':')
  GROUP BY ct.id
),
me AS (
  SELECT t.*, r.part_pop_petites_communes FROM territoires t LEFT JOIN rur r USING (id)
  WHERE t.type = $type AND t.code = $code
),
cand AS (
  SELECT t.id, t.type, t.code, t.nom, t.population, r.part_pop_petites_communes,
         coalesce(t.region = me.region, FALSE) AS meme_region,
         coalesce(t.zone, '') = coalesce(me.zone, '') AS meme_zone,
         abs(ln(greatest(t.population, 1)) - ln(greatest(me.population, 1))) AS ecart,
         abs(coalesce(r.part_pop_petites_communes, 0) - coalesce(me.part_pop_petites_communes, 0)) AS ecart_ruralite
  FROM territoires t JOIN rur r USING (id), me
  WHERE t.type = me.type AND t.code <> me.code
    AND (me.type <> 'epci' OR t.epci_type = me.epci_type)
    AND (me.type <> 'commune' OR t.departement = me.departement OR t.region = me.region)
)
SELECT *, ecart + 2 * ecart_ruralite AS score
FROM cand
ORDER BY NOT meme_zone, score > ln(2), NOT meme_region, score, code
LIMIT $n
