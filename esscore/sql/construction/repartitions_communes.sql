-- Build time, after secret_territoires: the breakdown cells of every commune (famille, secteur, taille; both
-- perimeters; secrecy decided), computed in pandas by esscore.indicators.cellules_repartition's own code and
-- registered as cellules_calcul (esscore.indicators.build_indicator_tables), stored sorted by commune so that a
-- page reads one commune's rows (row groups of the others skipped) in the order they were computed (`rang`).
CREATE OR REPLACE TABLE repartitions_communes AS SELECT * FROM cellules_calcul ORDER BY id, rang
