-- esscore millesimes --supprimer: the factors of a demonstration vintage ($millesime), if it is one.
DELETE FROM millesimes_demo WHERE millesime = $millesime
