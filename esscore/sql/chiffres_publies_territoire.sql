SELECT * FROM chiffres_publies WHERE territoire = $id ORDER BY annee DESC, indicateur
