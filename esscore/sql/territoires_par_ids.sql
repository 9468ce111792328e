SELECT id, type, code, nom, population FROM territoires WHERE list_contains($ids, id)
