-- Build time, demonstration only (esscore.demo_millesimes): the cumulative factors of the earlier vintages, kept in the
-- database (registered as demo_facteurs): esscore/sql/evolution_series.sql derives their figures from the final
-- vintage's when it reads them, so the build writes 9 000 rows instead of 3 million.
INSERT INTO millesimes_demo BY NAME SELECT * FROM demo_facteurs
