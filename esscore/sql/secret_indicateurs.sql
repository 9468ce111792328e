-- Build time, before secret_territoires exists: the headline figures of every territory and perimeter, for the
-- complementary secrecy (esscore.secret.territoires).
SELECT id, type, perimetre, etablissements_employeurs, salaries_estimes, max_salaries FROM indicateurs
