-- Build time. The départements the SIRENE data covers, written by the ingestion (esscore.ingest.sirene:
-- départements where the files place establishments). A database loaded before it was recorded kept national
-- stock files, the only files read then: every département.
CREATE TABLE IF NOT EXISTS departements_couverts AS SELECT code AS departement FROM departements
