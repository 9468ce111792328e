-- 1 when the database holds a table (or, through esscore.db.connect_snapshot, a view) named $nom, else 0.
SELECT count(*) AS n FROM information_schema.tables WHERE table_name = $nom
