-- Build time. What may be shown of each establishment, defined once: the map's list and its exports
-- (carte_etablissements_liste.sql), its hexagons (carte_etablissements_hexagones.sql) and the CLI's list
-- (etablissements_territoire.sql) read `FROM etablissements_diffusion(...)`, with the arguments of etablissements_selection (same filters).
--
-- A partial-diffusion establishment (Sirene `statutDiffusionEtablissement` = 'P', flag non_diffusible) stays
-- listed and counted, but its name becomes « [non diffusible] » and it carries neither SIRET nor position
-- (Sirene's partial-diffusion rule, docs/sources.md). The columns keep their names, so a query cannot forget
-- the mask. A separate macro rather than a change of etablissements_selection: a file built before it existed
-- lacks it and is rebuilt (esscore.build.MACROS), instead of listing names unmasked with an older macro.
CREATE OR REPLACE MACRO etablissements_diffusion(territoire, perimetre, familles, secteurs, tailles, employeurs, texte)
AS TABLE
SELECT * REPLACE (
    CASE WHEN non_diffusible THEN '[non diffusible]' ELSE nom END AS nom,
    CASE WHEN non_diffusible THEN NULL ELSE siret END AS siret,
    CASE WHEN non_diffusible THEN NULL ELSE lon END AS lon,
    CASE WHEN non_diffusible THEN NULL ELSE lat END AS lat
)
FROM etablissements_selection(territoire, perimetre, familles, secteurs, tailles, employeurs, texte)
