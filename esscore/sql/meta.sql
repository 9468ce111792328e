-- Build metadata (key → value): demo or real data, perimeter, SIRENE stock date, application version.
SELECT cle, valeur FROM meta
