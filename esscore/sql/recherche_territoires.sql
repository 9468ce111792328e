-- Territory search (esscore.geography.search normalises the query, expands « st », « ste », « s/ » and
-- strips ordinal suffixes: « St-Denis » → saint denis, « Paris 12e » → paris 12, « Chalon s/ Saône » →
-- chalon sur saone). $q: the expanded query; $mots: its words; $cle: its longest word (a cheap test before
-- the test of every word, enough for one word); $code: the raw query in capitals; $ident: the query as a
-- TYPE:CODE identifier, else NULL; $cp: a five-digit query (a postcode), else NULL.
-- Quality: 0 code, identifier or postcode; 1 exact name; 2 name starting with the query; 3 every word starts
-- a word of the name; 4 one typo (edit distance 1, transpositions included) in the whole name or in its
-- first letters, for queries of 4 letters or more (5 for the first letters); 5 the query (3 letters or
-- more) anywhere in the name. Order: codes first, then qualities 1 to 3 by level (région, département,
-- EPCI, commune: « niort » proposes the agglomeration before the town) and quality, then typos, then the
-- rest; larger populations first among equals, a territory's own name before an old name leading to it.
-- Speed: benchmarks/recherche.py (national geography).
WITH candidats AS (
  SELECT id, id AS ouvrir, code, nom_norm, NULL::VARCHAR AS note, false AS ancien
  FROM territoires
  UNION ALL
  -- Arrondissements municipaux, communes déléguées and associées: their name or code opens their 2026
  -- commune, whose page says which code was asked (geography.get, commune_alias.sql). « Ancien » names
  -- equal to their commune's are dropped at the end.
  SELECT 'commune:' || code_commune, 'commune:' || code, NULL, nom_norm,
         CASE type WHEN 'arrondissement-municipal' THEN 'arrondissement municipal'
                   WHEN 'commune-deleguee' THEN 'commune déléguée'
                   ELSE 'commune associée' END || ' « ' || nom || ' » (' || code || ')', true
  FROM (SELECT *, -- normalised as esscore.text.normalize does, for these names (no regular expression: faster),
               -- ordinals as numbers (« 12e Arrondissement » → 12 arrondissement)
               trim(replace(replace(replace(replace(translate(lower(strip_accents(replace(nom, 'œ', 'oe'))),
                    '-''’_/.,;:()', '           '), '  ', ' '), '  ', ' '), 'er arrondissement', ' arrondissement'),
                    'e arrondissement', ' arrondissement')) AS nom_norm
        FROM passage_communes WHERE type <> 'commune-actuelle')
),
notes AS MATERIALIZED (
  SELECT id, ouvrir, nom_norm, note, ancien,
         CASE WHEN code = $code OR ouvrir = $ident OR ouvrir = 'commune:' || $code THEN 0
              WHEN nom_norm = $q THEN 1
              WHEN starts_with(nom_norm, $q) THEN 2
              WHEN contains(' ' || nom_norm, ' ' || $cle) AND (len($mots) = 1
                   OR list_bool_and(list_transform($mots, lambda m: contains(' ' || nom_norm, ' ' || m)))) THEN 3
              -- Cheap filters first: a typo leaves the first letter or the second in place, or shifts it by
              -- one; it changes at most 3 letters of the first length($q) (Levenshtein, fast); then the
              -- distance with transpositions to the name's first length($q) - 1, length($q), length($q) + 1
              -- letters (the whole name when it is that short).
              WHEN length($q) >= 4 AND length(nom_norm) >= length($q) - 1
                   AND (length($q) >= 5 OR length(nom_norm) <= length($q) + 1)
                   AND (starts_with(nom_norm, $q[1]) OR starts_with(nom_norm, $q[2]) OR nom_norm[2] IN ($q[1], $q[2]))
                   AND levenshtein(left(nom_norm, length($q)), $q) <= 3
                   AND least(damerau_levenshtein(left(nom_norm, length($q) - 1), $q),
                             damerau_levenshtein(left(nom_norm, length($q)), $q),
                             damerau_levenshtein(left(nom_norm, length($q) + 1), $q)) <= 1 THEN 4
              WHEN length($q) >= 3 AND contains(nom_norm, $q) THEN 5
         END AS quality
  FROM candidats
  UNION ALL
  SELECT 'commune:' || code, 'commune:' || code, NULL, 'code postal ' || $cp, false, 0
  FROM communes
  WHERE $cp IS NOT NULL AND code <> $code AND contains(';' || codes_postaux || ';', ';' || $cp || ';')
),
meilleurs AS (
  -- Each territory once (a postcode is never in a name), and one old name or code per 2026 commune.
  SELECT * FROM notes WHERE quality IS NOT NULL AND NOT ancien
  UNION ALL
  SELECT id, arg_min(ouvrir, (quality, length(nom_norm), ouvrir)),
         arg_min(nom_norm, (quality, length(nom_norm), ouvrir)), arg_min(note, (quality, length(nom_norm), ouvrir)),
         true, min(quality)
  FROM notes WHERE quality IS NOT NULL AND ancien
  GROUP BY id
),
premiers AS (
  SELECT m.ouvrir, m.note, m.ancien, m.quality, t.*
  FROM meilleurs m JOIN territoires t ON t.id = m.id AND NOT (m.ancien AND m.nom_norm = t.nom_norm)
  ORDER BY m.quality = 0 DESC, if(m.quality <= 3, 0, m.quality), t.type_rank, m.quality, m.ancien,
           t.population DESC, t.code, m.ouvrir
  LIMIT 2 * $limit  -- a commune déléguée with its commune's code may repeat it (one extra row per commune)
)
SELECT ouvrir AS id, type, code, nom, population,
       if(ancien, regexp_extract(note, '« (.*) »', 1) || ' → ', '')
       || if(type IN ('commune', 'departement'), nom || ' (' || code || ')', nom)
       || if(starts_with(note, 'code postal'), ', ' || note, '') AS libelle,
       coalesce(note, '') AS note
FROM premiers
QUALIFY row_number() OVER (PARTITION BY ouvrir ORDER BY quality, ancien) = 1
ORDER BY quality = 0 DESC, if(quality <= 3, 0, quality), type_rank, quality, ancien, population DESC, code, ouvrir
LIMIT $limit
