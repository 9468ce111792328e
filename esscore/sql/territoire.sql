SELECT * FROM territoires WHERE id = $type || ':' || $code  -- the index on id
