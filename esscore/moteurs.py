"""The two engines of the editable store (``esscore.store``): a SQLite file (the default) or a PostgreSQL server.

Why two small classes under one store: the store's logic (validation, versions, change log, conflicts, schema
migrations) is written once, in SQL both engines run as is (``?`` placeholders, ``INSERT … ON CONFLICT``,
``RETURNING``). An engine only knows what differs: how to connect, how a writer takes the store's lock, what an
auto-increment column is called, which tables exist, how its failures read in French, and (SQLite) how to copy
itself while others write.

* SQLite: one file in WAL mode (several processes of one machine read while one writes); a writer's
  ``BEGIN IMMEDIATE`` takes the write lock up front, other writers wait up to ``TIMEOUT_S`` (``busy_timeout``).
* PostgreSQL: one database shared by several servers; a writer's transaction takes a transaction-level advisory
  lock (``pg_advisory_xact_lock``), the same « one writer at a time, the others queue » rule, bounded by
  ``lock_timeout``. Edits are a few milliseconds long and rare (people typing), so one lock per store costs nothing
  and keeps « read, check the version, write, log » atomic exactly as with SQLite.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from esscore.config import masquer_mot_de_passe
from esscore.errors import EssError

if TYPE_CHECKING:
    import psycopg

TIMEOUT_S = 10.0
#: Key of the advisory lock every writer of a PostgreSQL store takes (any fixed 64-bit number: « ESSstore »).
CLE_VERROU_PG = 0x4553_5373_746F_7265
OCCUPE = (
    "Magasin d'édition occupé : une autre écriture dure depuis plus de {s:g} s. Rien n'a été enregistré ; "
    "réessayez dans un instant."
)


class Connexion(Protocol):
    """What the store uses of a connection (``sqlite3.Connection`` or ``ConnexionPostgreSQL``)."""

    def execute(self, sql: str, params: tuple[Any, ...] = ..., /) -> Any: ...  # noqa: ANN401 - a DB-API cursor

    def close(self) -> None: ...


class Moteur(Protocol):
    """An engine of the editable store (see the module docstring)."""

    nom: str
    id_auto: str
    instantane: str
    recaler_identite: str
    emplacement: str
    erreurs: tuple[type[Exception], ...]

    def existe(self) -> bool: ...

    def creer(self) -> None: ...

    def ouvrir(self) -> Connexion: ...

    def commencer_ecriture(self, con: Connexion) -> None: ...

    def tables(self, con: Connexion) -> set[str]: ...

    def traduire(self, err: Exception) -> EssError: ...


class MoteurSQLite:
    """A SQLite file: WAL mode, ``BEGIN IMMEDIATE`` writers waiting on ``busy_timeout``."""

    nom = "SQLite"
    id_auto = "INTEGER PRIMARY KEY AUTOINCREMENT"
    #: a read transaction: in WAL mode, its reads see one snapshot
    instantane = "BEGIN"
    #: AUTOINCREMENT goes on after the largest id inserted: nothing to do after a copy
    recaler_identite = ""
    erreurs: tuple[type[Exception], ...] = (sqlite3.OperationalError,)

    def __init__(self, path: Path) -> None:
        self.path = path
        self.emplacement = str(path)

    def existe(self) -> bool:
        return self.path.exists()

    def creer(self) -> None:
        """The file's folder, the file, and WAL mode (kept by the file once set)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with closing(self.ouvrir()) as con:
            if str(con.execute("PRAGMA journal_mode").fetchone()[0]).lower() != "wal":
                con.execute("PRAGMA journal_mode = WAL")

    def ouvrir(self) -> sqlite3.Connection:
        # isolation_level=None: the store issues BEGIN / COMMIT itself, nothing implicit.
        con = sqlite3.connect(self.path, timeout=TIMEOUT_S, isolation_level=None)
        con.execute(f"PRAGMA busy_timeout = {int(TIMEOUT_S * 1000)}")
        con.execute("PRAGMA foreign_keys = ON")
        return con

    def commencer_ecriture(self, con: Connexion) -> None:
        con.execute("BEGIN IMMEDIATE")

    def tables(self, con: Connexion) -> set[str]:
        return {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}

    def traduire(self, err: Exception) -> EssError:
        texte = str(err)
        if "locked" in texte or "busy" in texte:
            return EssError(OCCUPE.format(s=TIMEOUT_S))
        return EssError(
            f"Magasin d'édition SQLite {self.emplacement} inutilisable ({texte}). Vérifiez ESS_STORE et les droits "
            "d'écriture sur le fichier et sur son dossier."
        )

    def copie_en_ligne(self, dest: Path) -> None:
        """SQLite's online backup of the live file into ``dest``, switched out of WAL (one self-contained file)."""
        with closing(self.ouvrir()) as src, closing(sqlite3.connect(dest, isolation_level=None)) as dst:
            src.backup(dst)
            dst.execute("PRAGMA journal_mode = DELETE")


class ConnexionPostgreSQL:
    """A psycopg connection that runs the store's ``?`` placeholders (psycopg's own are ``%s``)."""

    def __init__(self, con: psycopg.Connection) -> None:
        self._con = con

    def execute(self, sql: str, params: tuple[Any, ...] = ()) -> Any:  # noqa: ANN401 - a psycopg cursor
        # the store's SQL never holds a literal « ? » or « % »: every value travels as a parameter
        return self._con.execute(sql.replace("?", "%s"), params or None)  # type: ignore[arg-type]

    def close(self) -> None:
        self._con.close()


class MoteurPostgreSQL:
    """A PostgreSQL database (``postgresql://…`` URL, libpq syntax: password from ``~/.pgpass`` or the URL)."""

    nom = "PostgreSQL"
    # BY DEFAULT (not ALWAYS): a logical copy keeps the change log's numbers
    id_auto = "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"
    instantane = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"
    #: after a copy kept the change log's numbers, the identity goes on after them
    recaler_identite = (
        "SELECT setval(pg_get_serial_sequence('changements', 'id'), "
        "(SELECT COALESCE(MAX(id), 0) + 1 FROM changements), false)"
    )

    def __init__(self, url: str) -> None:
        self.url = url
        self.emplacement = masquer_mot_de_passe(url)
        self._psycopg: Any = None

    @property
    def erreurs(self) -> tuple[type[Exception], ...]:
        return (self._module().OperationalError,)

    def _module(self) -> Any:  # noqa: ANN401 - the psycopg module
        if self._psycopg is None:
            # cold start: psycopg costs 0.2-0.3 s to import (measured), spared to every SQLite installation
            import psycopg

            self._psycopg = psycopg
        return self._psycopg

    def existe(self) -> bool:
        """True when the database holds the store's tables (connecting creates nothing)."""
        try:
            with closing(self.ouvrir()) as con:
                return "feuilles_de_route" in self.tables(con)
        except self.erreurs as err:
            raise self.traduire(err) from None

    def creer(self) -> None:
        """Nothing: the database is created by its administrator (docs/deploiement.md), the tables by the store."""

    def ouvrir(self) -> ConnexionPostgreSQL:
        con = self._module().connect(
            self.url, autocommit=True, connect_timeout=int(TIMEOUT_S), application_name="ess-territoires"
        )
        return ConnexionPostgreSQL(con)

    def commencer_ecriture(self, con: Connexion) -> None:
        con.execute("BEGIN")
        con.execute(f"SET LOCAL lock_timeout = '{int(TIMEOUT_S * 1000)}ms'")
        con.execute("SELECT pg_advisory_xact_lock(?)", (CLE_VERROU_PG,))

    def tables(self, con: Connexion) -> set[str]:
        sql = "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
        return {r[0] for r in con.execute(sql)}

    def traduire(self, err: Exception) -> EssError:
        if isinstance(err, self._module().errors.LockNotAvailable):
            return EssError(OCCUPE.format(s=TIMEOUT_S))
        premiere = (str(err).strip().splitlines() or ["erreur inconnue"])[0]
        return EssError(
            f"Magasin d'édition PostgreSQL {self.emplacement} injoignable ou refusé ({premiere}). Vérifiez "
            "ESS_STORE (postgresql://utilisateur@serveur:port/base), que le serveur accepte cette machine, et le "
            "mot de passe (fichier ~/.pgpass ou PGPASSFILE)."
        )


def moteur(lieu: Path | str) -> Moteur:
    """The engine of a store location (``config.store_location``): a Path is SQLite, a URL PostgreSQL."""
    return MoteurSQLite(lieu) if isinstance(lieu, Path) else MoteurPostgreSQL(lieu)
