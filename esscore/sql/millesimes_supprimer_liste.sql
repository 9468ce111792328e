-- esscore millesimes --supprimer: the row of one vintage ($millesime), after its figures.
DELETE FROM millesimes WHERE millesime = $millesime
