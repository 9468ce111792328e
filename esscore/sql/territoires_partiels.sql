-- Coverage of the given territories by a partial SIRENE extract ($ids); a territory absent from the answer is
-- complete. See esscore/sql/construction/territoires_partiels.sql.
SELECT id, couverture, communes_couvertes, communes FROM territoires_partiels WHERE list_contains($ids, id)
