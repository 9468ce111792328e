SELECT * FROM territoires WHERE type = $type AND code = $code
