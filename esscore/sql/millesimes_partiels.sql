-- Build time: territories whose figures the data loaded gives only in part (a partial extract), left out of its
-- vintage (esscore.millesimes.enregistrer).
SELECT id FROM territoires_partiels
