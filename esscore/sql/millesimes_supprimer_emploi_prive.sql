-- esscore millesimes --supprimer: the figures of one vintage ($millesime), removed with its row of millesimes.
DELETE FROM millesimes_emploi_prive WHERE millesime = $millesime
