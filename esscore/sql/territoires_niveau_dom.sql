-- Overseas département of each territory of a level (NULL in metropolitan France), to draw DOM insets.
SELECT code,
       CASE region WHEN '01' THEN '971' WHEN '02' THEN '972' WHEN '03' THEN '973' WHEN '04' THEN '974'
                   WHEN '06' THEN '976' END AS dom
FROM territoires
WHERE type = $niveau
