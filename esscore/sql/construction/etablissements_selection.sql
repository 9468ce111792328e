-- Build time. The map's establishment filter, defined once: the six carte_etablissements_*.sql queries read
-- `FROM etablissements_selection($territoire, $perimetre, $familles, $secteurs, $tailles, $employeurs, $texte)`.
--
-- Why a table macro rather than a view: the filter takes the user's choices as arguments, and a view cannot
-- take any. Created here, the macro is saved in the database file next to the tables it reads, so it always
-- matches them; the read-only app reaches it through esscore.db.connect_snapshot, which re-exports the
-- file's macros as it re-exports its tables (and esscore.build.tables_manquantes asks for it, so a file built
-- before it existed is rebuilt).
--
-- One row per establishment of the territory within the perimeter, with its commune's name and representative
-- point (commune_nom, commune_lon, commune_lat), one flag per filter (ok_*) and `retenu` = all of them: the
-- GoGoCarto counts need each flag apart, the other queries keep `retenu` rows. The communes are joined here,
-- not by the callers: inside the macro DuckDB orders the three joins as one query (a join above the macro
-- built its hash table on every establishment of France: about 100 ms more for the national hexagons).
-- An empty list filters nothing. A name search never matches a non-diffusible row (its name is not public),
-- and compares normalised text (lower case, no accents, punctuation as spaces: esscore.text.normalize).
CREATE OR REPLACE MACRO etablissements_selection(territoire, perimetre, familles, secteurs, tailles, employeurs, texte)
AS TABLE
SELECT *, ok_famille AND ok_secteur AND ok_taille AND ok_employeur AND ok_texte AS retenu
FROM (
    SELECT e.*, c.nom AS commune_nom, c.lon AS commune_lon, c.lat AS commune_lat,
           coalesce(len(familles::VARCHAR[]), 0) = 0 OR list_contains(familles::VARCHAR[], e.famille) AS ok_famille,
           coalesce(len(secteurs::VARCHAR[]), 0) = 0 OR list_contains(secteurs::VARCHAR[], e.secteur) AS ok_secteur,
           coalesce(len(tailles::VARCHAR[]), 0) = 0
               OR list_contains(tailles::VARCHAR[], e.taille) AS ok_taille,
           NOT employeurs OR e.employeur AS ok_employeur,
           texte = '' OR (NOT e.non_diffusible AND contains(
               regexp_replace(strip_accents(lower(coalesce(e.nom, ''))), '[\s\-''’_/.,;:()]+', ' ', 'g'), texte
           )) AS ok_texte
    FROM etablissements_ess e
    JOIN commune_territoires ct ON ct.commune = e.commune AND ct.id = territoire
    JOIN communes c ON c.code = e.commune
    WHERE perimetre = 'legal' OR NOT e.hors_statistique
)
