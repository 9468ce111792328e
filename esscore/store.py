"""The editable store: roadmaps and their change log, in a SQLite file apart from the statistics DuckDB.

The statistics database is opened read-only by the app and rebuilt by swapping files, so user edits
cannot live there. SQLite in WAL mode lets several Streamlit sessions read while one writes; every write
is a single ``BEGIN IMMEDIATE`` transaction (the write lock is taken up front, so two editors queue on
``busy_timeout`` instead of failing half-way) and is validated before anything is written.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import unicodedata
from collections.abc import Iterable, Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

import pandas as pd

from esscore import config
from esscore.errors import DonneesInvalides, EssError
from esscore.fichiers import fichier_atomique
from esscore.roadmap import (
    STATUTS,
    find_action,
    read_roadmap,
    validate_roadmap,
    valider_mesure,
)

AUTEUR_MAX = 100
AUTEUR_SYSTEME = "système (données d'exemple)"
TIMEOUT_S = 10.0
SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS feuilles_de_route (
    id TEXT PRIMARY KEY,
    doc_json TEXT NOT NULL,
    imported_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS changements (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    horodatage TEXT NOT NULL,
    auteur TEXT NOT NULL,
    feuille_id TEXT NOT NULL,
    action_code TEXT,
    champ TEXT NOT NULL,
    ancienne_valeur TEXT,
    nouvelle_valeur TEXT
);
CREATE INDEX IF NOT EXISTS changements_feuille ON changements (feuille_id, id);
"""

CHANGELOG_COLUMNS = (
    "id",
    "horodatage",
    "auteur",
    "feuille_id",
    "action_code",
    "champ",
    "ancienne_valeur",
    "nouvelle_valeur",
)


def default_roadmap_files(directory: Path | None = None) -> list[Path]:
    """The example roadmaps shipped with the code (``data/feuilles_de_route/*.yaml``), sorted by name.

    They live next to the code (``config.ROADMAP_EXAMPLES_DIR``) rather than under ``ESS_DATA_DIR`` because they
    are versioned examples, not data a deployment produces.
    """
    base = directory if directory is not None else config.ROADMAP_EXAMPLES_DIR
    return sorted(p for p in base.glob("*.yaml") if p.is_file())


def clean_author(auteur: Any) -> str:
    """Author as stored in the log: no control characters, single spaces, at most 100 characters."""
    if not isinstance(auteur, str):
        raise DonneesInvalides("Auteur de la modification manquant : indiquez un nom ou un service.")
    propre = "".join(" " if unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") else c for c in auteur)
    propre = " ".join(propre.split())[:AUTEUR_MAX].strip()
    if not propre:
        raise DonneesInvalides("Auteur de la modification manquant : indiquez un nom ou un service.")
    return propre


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _compte_actions(doc: dict[str, Any]) -> int:
    return sum(
        len(op.get("actions") or []) for ax in doc.get("axes") or [] for op in ax.get("axes_operationnels") or []
    )


class RoadmapStore:
    """Roadmaps and change log in one SQLite file; one short-lived connection per call (thread-safe)."""

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        self.path = config.store_path(path)
        self._pret = False

    # ------------------------------------------------------------------ plumbing

    def _ouvrir(self) -> sqlite3.Connection:
        # isolation_level=None: we issue BEGIN IMMEDIATE / COMMIT ourselves, nothing implicit.
        con = sqlite3.connect(self.path, timeout=TIMEOUT_S, isolation_level=None)
        con.execute(f"PRAGMA busy_timeout = {int(TIMEOUT_S * 1000)}")
        con.execute("PRAGMA foreign_keys = ON")
        return con

    @contextmanager
    def _lecture(self) -> Iterator[sqlite3.Connection]:
        """A connection to the store, its schema created on first use."""
        if not self._pret:
            self.init()
        with closing(self._ouvrir()) as con:
            yield con

    @contextmanager
    def _ecriture(self) -> Iterator[sqlite3.Connection]:
        """One BEGIN IMMEDIATE transaction: commit on success, roll back on any exception."""
        with self._lecture() as con:
            con.execute("BEGIN IMMEDIATE")
            try:
                yield con
            except BaseException:
                con.execute("ROLLBACK")
                raise
            con.execute("COMMIT")

    def init(self) -> None:
        """Create the file, switch it to WAL and create the tables (idempotent)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with closing(self._ouvrir()) as con:
            mode = con.execute("PRAGMA journal_mode").fetchone()[0]
            if str(mode).lower() != "wal":
                con.execute("PRAGMA journal_mode = WAL")
            if con.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION:
                self._pret = True  # already set up: stay read-only, no write lock for every new session
                return
            con.execute("BEGIN IMMEDIATE")
            try:
                for stmt in _SCHEMA.split(";"):
                    if stmt.strip():
                        con.execute(stmt)
                con.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            except BaseException:
                con.execute("ROLLBACK")
                raise
            con.execute("COMMIT")
        self._pret = True

    @staticmethod
    def _log(
        con: sqlite3.Connection,
        auteur: str,
        feuille_id: str,
        action_code: str | None,
        champ: str,
        ancienne: Any,
        nouvelle: Any,
    ) -> None:
        con.execute(
            "INSERT INTO changements (horodatage, auteur, feuille_id, action_code, champ, ancienne_valeur,"
            " nouvelle_valeur) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                _now(),
                auteur,
                feuille_id,
                action_code,
                champ,
                None if ancienne is None else str(ancienne),
                None if nouvelle is None else str(nouvelle),
            ),
        )

    @staticmethod
    def _doc(con: sqlite3.Connection, feuille_id: str) -> dict[str, Any]:
        row = con.execute("SELECT doc_json FROM feuilles_de_route WHERE id = ?", (feuille_id,)).fetchone()
        if row is None:
            ids = [r[0] for r in con.execute("SELECT id FROM feuilles_de_route ORDER BY id")]
            raise EssError(
                f"Feuille de route « {feuille_id} » introuvable dans le magasin d'édition ; "
                f"feuilles disponibles : {', '.join(ids) or '(aucune, importez-en une)'}."
            )
        doc: dict[str, Any] = json.loads(row[0])
        return doc

    @staticmethod
    def _save(con: sqlite3.Connection, doc: dict[str, Any]) -> None:
        con.execute(
            "UPDATE feuilles_de_route SET doc_json = ? WHERE id = ?",
            (json.dumps(doc, ensure_ascii=False, sort_keys=False), doc["id"]),
        )

    # ------------------------------------------------------------------ reads

    def list_roadmaps(self) -> pd.DataFrame:
        """One row per stored roadmap: id, titre, territoire, exemple, source, nb_actions, imported_at."""
        with self._lecture() as con:
            rows = con.execute("SELECT id, doc_json, imported_at FROM feuilles_de_route ORDER BY id").fetchall()
        out = []
        for ident, doc_json, imported_at in rows:
            doc = json.loads(doc_json)
            source = doc.get("source") or {}
            out.append(
                {
                    "id": ident,
                    "titre": doc.get("titre"),
                    "territoire": doc.get("territoire"),
                    "exemple": bool(doc.get("exemple")),
                    "source": source.get("document"),
                    "nb_actions": _compte_actions(doc),
                    "imported_at": imported_at,
                }
            )
        cols = ["id", "titre", "territoire", "exemple", "source", "nb_actions", "imported_at"]
        return pd.DataFrame(out, columns=cols)

    def get(self, feuille_id: str) -> dict[str, Any]:
        """The stored roadmap document (a fresh dict: mutating it does not touch the store)."""
        with self._lecture() as con:
            return self._doc(con, feuille_id)

    def changelog(self, feuille_id: str | None = None) -> pd.DataFrame:
        """The change log, most recent first, optionally for one roadmap."""
        sql = f"SELECT {', '.join(CHANGELOG_COLUMNS)} FROM changements"
        params: tuple[Any, ...] = ()
        if feuille_id is not None:
            sql += " WHERE feuille_id = ?"
            params = (feuille_id,)
        sql += " ORDER BY id DESC"
        with self._lecture() as con:
            rows = con.execute(sql, params).fetchall()
        return pd.DataFrame(rows, columns=list(CHANGELOG_COLUMNS))

    # ------------------------------------------------------------------ writes

    def seed_if_empty(self, docs: Iterable[dict[str, Any]] | None = None) -> int:
        """Load the example roadmaps when the store holds none; return how many were inserted.

        The emptiness check and the inserts share one transaction, so two sessions starting at the same
        time cannot both seed.
        """
        if docs is None:
            valides = [read_roadmap(p) for p in default_roadmap_files()]
        else:
            valides = [validate_roadmap(d, str(d.get("id", "?")) if isinstance(d, dict) else "?") for d in docs]
        with self._ecriture() as con:
            if con.execute("SELECT COUNT(*) FROM feuilles_de_route").fetchone()[0]:
                return 0
            for doc in valides:
                self._inserer(con, doc, AUTEUR_SYSTEME)
        return len(valides)

    def _inserer(self, con: sqlite3.Connection, doc: dict[str, Any], auteur: str) -> None:
        ancien = con.execute("SELECT doc_json FROM feuilles_de_route WHERE id = ?", (doc["id"],)).fetchone()
        maintenant = _now()
        con.execute(
            "INSERT INTO feuilles_de_route (id, doc_json, imported_at) VALUES (?, ?, ?) "
            "ON CONFLICT (id) DO UPDATE SET doc_json = excluded.doc_json, imported_at = excluded.imported_at",
            (doc["id"], json.dumps(doc, ensure_ascii=False), maintenant),
        )
        avant = None
        if ancien is not None:
            avant = f"{_compte_actions(json.loads(ancien[0]))} action(s) (remplacée)"
        source = (doc.get("source") or {}).get("document")
        apres = f"{_compte_actions(doc)} action(s)" + (f" — {source}" if source else "")
        self._log(con, auteur, doc["id"], None, "import", avant, apres)

    def import_roadmap(self, doc: dict[str, Any], auteur: str, fichier: str | None = None) -> None:
        """Insert or replace a whole roadmap atomically (validated first), logging the import."""
        qui = clean_author(auteur)
        nom = fichier or (str(doc.get("id", "?")) if isinstance(doc, dict) else "?")
        valide = validate_roadmap(doc, nom)
        with self._ecriture() as con:
            self._inserer(con, valide, qui)

    def set_status(self, feuille_id: str, action_code: str, statut: str, auteur: str) -> bool:
        """Change an action's status; return False (and log nothing) when it already had that status."""
        qui = clean_author(auteur)
        if statut not in STATUTS:
            raise DonneesInvalides(
                f"Feuille de route « {feuille_id} », action {action_code} : champ « statut » : "
                f"« {statut} » inconnu ; valeurs possibles : {', '.join(STATUTS)}."
            )
        with self._ecriture() as con:
            doc = self._doc(con, feuille_id)
            act = self._action(doc, feuille_id, action_code)
            ancien = act.get("statut")
            if ancien == statut:
                return False
            act["statut"] = statut
            self._save(con, doc)
            self._log(con, qui, feuille_id, action_code, "statut", ancien, statut)
        return True

    def add_indicator_value(
        self,
        feuille_id: str,
        action_code: str,
        indicateur_code: str,
        date: dt.date | str,
        valeur: float | int | str,
        auteur: str,
    ) -> None:
        """Record a dated value of an indicator; a value already present at that date is replaced."""
        qui = clean_author(auteur)
        ou = f"Feuille de route « {feuille_id} », action {action_code}, indicateur {indicateur_code}"
        iso, nombre = valider_mesure(date, valeur, ou)
        with self._ecriture() as con:
            doc = self._doc(con, feuille_id)
            act = self._action(doc, feuille_id, action_code)
            ind = next((i for i in act.get("indicateurs") or [] if i.get("code") == indicateur_code), None)
            if ind is None:
                codes = [str(i.get("code")) for i in act.get("indicateurs") or []]
                raise DonneesInvalides(
                    f"{ou} : indicateur inconnu ; indicateurs de cette action : {', '.join(codes) or '(aucun)'}."
                )
            valeurs = ind.setdefault("valeurs", [])
            existante = next((v for v in valeurs if v.get("date") == iso), None)
            ancienne = None
            if existante is not None:
                ancienne = existante.get("valeur")
                existante["valeur"] = nombre
            else:
                valeurs.append({"date": iso, "valeur": nombre})
            valeurs.sort(key=lambda v: str(v.get("date")))
            self._save(con, doc)
            self._log(con, qui, feuille_id, action_code, f"indicateur {indicateur_code} ({iso})", ancienne, nombre)

    @staticmethod
    def _action(doc: dict[str, Any], feuille_id: str, action_code: str) -> dict[str, Any]:
        act = find_action(doc, action_code)
        if act is None:
            raise DonneesInvalides(
                f"Feuille de route « {feuille_id} » : action « {action_code} » introuvable ; "
                "vérifiez le code de l'action (ex. A.1.1)."
            )
        return act

    # ------------------------------------------------------------------ backup

    def backup(self, dest: str | os.PathLike[str]) -> Path:
        """Consistent copy of the live store (SQLite online backup), safe while others write.

        Written to a temp file beside ``dest`` then renamed, and switched out of WAL, so the result is one
        self-contained file that can be copied or restored as is.
        """
        cible = Path(dest)
        with fichier_atomique(cible) as tmp:
            with self._lecture() as src, closing(sqlite3.connect(tmp, isolation_level=None)) as dst:
                src.backup(dst)
                dst.execute("PRAGMA journal_mode = DELETE")
        return cible
