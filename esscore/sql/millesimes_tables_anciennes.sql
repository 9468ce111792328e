-- Build time: tables of the database being replaced, attached as « ancienne » (esscore.millesimes._reprendre).
SELECT table_name FROM duckdb_tables() WHERE database_name = 'ancienne'
