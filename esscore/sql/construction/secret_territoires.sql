-- Build time, last: the hidden headline figures of every territory and perimeter (primary and complementary
-- secrecy), computed in pandas by esscore.secret.territoires from the tables built before and registered as
-- secret_calcul (esscore.indicators.build_indicator_tables). The read queries of `indicateurs` join it.
CREATE OR REPLACE TABLE secret_territoires AS
SELECT id::VARCHAR AS id, perimetre::VARCHAR AS perimetre, secret_motif::VARCHAR AS secret_motif FROM secret_calcul
