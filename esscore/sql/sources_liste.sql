SELECT titre AS "Source", producteur AS "Producteur", millesime AS "Millésime", licence AS "Licence",
       lignes, paquet AS "Paquet / fichier", date_acces AS "Accès", url, note AS "Note"
FROM sources
ORDER BY demo, id
