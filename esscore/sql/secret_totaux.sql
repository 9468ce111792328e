-- Hidden headline figures of the territories in $ids (written at build time by esscore.secret.territoires): the
-- totals of their breakdown tables.
SELECT id, perimetre FROM secret_territoires WHERE list_contains($ids, id)
