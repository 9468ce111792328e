"""The editable store: roadmaps and their change log, apart from the statistics DuckDB.

The statistics database is opened read-only by the app and rebuilt by swapping files, so user edits
cannot live there. They live in a SQLite file (the default: several Streamlit sessions and processes of one
machine) or in a PostgreSQL database (``ESS_STORE=postgresql://…``: several servers); ``esscore.moteurs`` holds
the little that differs, this module the logic, once. Every write is validated first, then is a single
transaction that takes the store's write lock up front (two editors queue instead of failing half-way).

No silent lost update: each roadmap has a version, raised by every write and recorded on its change-log row.
An editor's write carries the version they saw (``version_vue``); when someone else changed the same thing
since (same action and field, or a re-import of the whole roadmap), nothing is written and ``ConflitEdition``
shows the other person's change. Changes to other actions or fields do not conflict: the write applies to the
roadmap as it is now, read under the lock.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import unicodedata
from collections.abc import Iterable, Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

import pandas as pd

from esscore import config
from esscore.errors import ConflitEdition, DonneesInvalides, EssError
from esscore.fichiers import apercu, fichier_atomique
from esscore.moteurs import TIMEOUT_S, Connexion, Moteur, MoteurSQLite, moteur
from esscore.roadmap import (
    MODELE,
    STATUTS,
    find_action,
    read_roadmap,
    validate_roadmap,
    valider_mesure,
)

AUTEUR_MAX = 100
AUTEUR_SYSTEME = "système (données d'exemple)"
#: Author of the changes the base itself makes: values of indicators bound to a figure (esscore.indicateurs_lies).
AUTEUR_DONNEES = "données"
__all__ = ["TIMEOUT_S", "RoadmapStore", "clean_author", "default_roadmap_files"]

#: Schema migrations, in order, in SQL both engines run (``{id_auto}``: the engine's auto-increment key).
#: ``MIGRATIONS[n - 1]`` takes a store from version n - 1 to n. Version 1 is the first release's schema
#: (SQLite files created then have no ``schema_version`` table: their tables say « 1 »).
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        "CREATE TABLE feuilles_de_route (id TEXT PRIMARY KEY, doc_json TEXT NOT NULL, imported_at TEXT NOT NULL)",
        "CREATE TABLE changements (id {id_auto}, horodatage TEXT NOT NULL, auteur TEXT NOT NULL, "
        "feuille_id TEXT NOT NULL, action_code TEXT, champ TEXT NOT NULL, ancienne_valeur TEXT, nouvelle_valeur TEXT)",
        "CREATE INDEX changements_feuille ON changements (feuille_id, id)",
    ),
    (
        # optimistic concurrency: the roadmap's version, and the version each logged change produced
        # (NULL for changes logged before: no editor can have seen an older version than 1)
        "ALTER TABLE feuilles_de_route ADD COLUMN version INTEGER NOT NULL DEFAULT 1",
        "ALTER TABLE changements ADD COLUMN version INTEGER",
        # the last import's file name (the author and time are on its change-log row)
        "ALTER TABLE feuilles_de_route ADD COLUMN fichier TEXT",
        "CREATE TABLE schema_version (version INTEGER NOT NULL)",
        "INSERT INTO schema_version (version) VALUES (0)",  # set to 2 by _migrer
    ),
)
SCHEMA_VERSION = len(MIGRATIONS)

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
# every column, for a copy from one store to another (backup, move to PostgreSQL)
_COLONNES_FEUILLES = ("id", "doc_json", "imported_at", "version", "fichier")
_COLONNES_JOURNAL = (*CHANGELOG_COLUMNS, "version")


def default_roadmap_files(directory: Path | None = None) -> list[Path]:
    """The example roadmaps shipped with the code (``data/feuilles_de_route/*.yaml``), sorted by name; the
    template (``roadmap.MODELE``) is not one: it only starts a territory's new roadmap (``creer_feuille``).

    They live next to the code (``config.ROADMAP_EXAMPLES_DIR``) rather than under ``ESS_DATA_DIR`` because they
    are versioned examples, not data a deployment produces.
    """
    base = directory if directory is not None else config.ROADMAP_EXAMPLES_DIR
    return sorted(p for p in base.glob("*.yaml") if p.is_file() and p.name != MODELE)


def modele_path(directory: Path | None = None) -> Path:
    """The template a territory's new roadmap starts from (``data/feuilles_de_route/modele.yaml``)."""
    return (directory if directory is not None else config.ROADMAP_EXAMPLES_DIR) / MODELE


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


def _refuser_si_conflit(
    con: Connexion, feuille_id: str, version: int, version_vue: int | None, action_code: str, champ: str, voulu: str
) -> None:
    """Raise ``ConflitEdition`` when, since ``version_vue``, someone changed the same action and field, or
    re-imported the roadmap. ``version_vue`` None: the caller reads and writes in one go, nothing to compare."""
    if version_vue is None or version_vue >= version:
        return
    rows = con.execute(
        f"SELECT {', '.join(CHANGELOG_COLUMNS)} FROM changements WHERE feuille_id = ? AND version > ? "
        "AND (champ = 'import' OR (action_code = ? AND champ = ?)) ORDER BY id",
        (feuille_id, version_vue, action_code, champ),
    ).fetchall()
    if not rows:
        return
    changements = [dict(zip(CHANGELOG_COLUMNS, r, strict=True)) for r in rows]
    faits = " ; ".join(decrire_changement(c) for c in changements)
    raise ConflitEdition(
        f"Modification non enregistrée : depuis que vous avez ouvert la feuille de route « {feuille_id} », "
        f"{faits}. Votre modification (action {action_code}, {voulu}) n'a pas été appliquée : vérifiez la valeur "
        "actuelle, puis réappliquez-la si elle reste juste.",
        changements,
        version,
    )


def decrire_changement(ligne: dict[str, Any]) -> str:
    """One change-log row in words: who, when (UTC), what, old → new value (values previewed by ``apercu``)."""
    try:
        quand = dt.datetime.fromisoformat(str(ligne["horodatage"])).strftime("le %d/%m/%Y à %H:%M (UTC)")
    except ValueError:
        quand = f"le {apercu(ligne['horodatage'])}"
    avant, apres = (
        "(vide)" if v is None else f"« {apercu(v)} »" for v in (ligne["ancienne_valeur"], ligne["nouvelle_valeur"])
    )
    qui = apercu(ligne["auteur"])
    if ligne["champ"] == "import":
        return f"{qui} a réimporté toute la feuille {quand} ({avant} → {apres})"
    quoi = f"l'action {apercu(ligne['action_code'])} ({apercu(ligne['champ'])})"
    return f"{qui} a modifié {quoi} {quand} : {avant} → {apres}"


def _appliquer_lecture(doc: dict[str, Any], lu: dict[str, Any]) -> tuple[str, str, Any, Any] | None:
    """Apply one reading of the base to its indicator in ``doc``; the change-log line (action, field, old, new), or
    None when nothing changed. A value change is logged on the dated value's field (as a typed one is); a reading
    that records no value but a new reason or vintage on « indicateur CODE (lecture des données) »."""
    act = find_action(doc, str(lu["action"]))
    ind = next((i for i in (act or {}).get("indicateurs") or [] if i.get("code") == lu["indicateur"]), None)
    if ind is None or ind.get("donnee") != lu["donnee"]:
        return None
    lecture = dict(lu["lecture"])
    date, valeurs = lecture["date"], ind.setdefault("valeurs", [])
    existante = next((v for v in valeurs if v.get("date") == date), None)
    avant = None if existante is None else existante.get("valeur")
    ligne = None
    if lu["valeur"] != avant:  # a new figure, or no figure any more (never a « s » written as a value)
        if existante is not None:
            valeurs.remove(existante)
        if lu["valeur"] is not None:
            valeurs.append({"date": date, "valeur": lu["valeur"]})
            valeurs.sort(key=lambda v: str(v.get("date")))
        ligne = (str(lu["action"]), f"indicateur {lu['indicateur']} ({date})", avant, lu["valeur"])
    if lu.get("historique"):  # an earlier vintage: its dated value only, the reading stays the current one's
        return ligne
    if ind.get("lecture") != lecture:
        ancienne = ind.get("lecture") or {}
        ind["lecture"] = lecture
        if ligne is None:
            champ = f"indicateur {lu['indicateur']} (lecture des données)"
            ligne = (str(lu["action"]), champ, _decrire_lecture(ancienne), _decrire_lecture(lecture))
    return ligne


def _decrire_lecture(lecture: dict[str, Any]) -> str | None:
    """« secret statistique … — effectifs 2023, stock Sirene au 30 novembre 2025 » (None: never read)."""
    if not lecture:
        return None
    return " — ".join(str(x) for x in (lecture.get("motif") or "valeur lue", lecture.get("millesime")) if x)


class RoadmapStore:
    """Roadmaps and change log in a SQLite file or a PostgreSQL database; one short-lived connection per call
    (thread-safe: Streamlit sessions share one instance)."""

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        lieu = config.store_location(path)  # refuses mysql://…, http://… before anything is created
        self.moteur: Moteur = moteur(lieu)
        #: the SQLite file (None for a PostgreSQL store: see ``emplacement``)
        self.path: Path | None = lieu if isinstance(lieu, Path) else None
        self._pret = False

    @property
    def emplacement(self) -> str:
        """Where the store is, as it may be printed: the file, or the URL with its password masked."""
        return self.moteur.emplacement

    # ------------------------------------------------------------------ plumbing

    @contextmanager
    def _connexion(self) -> Iterator[Connexion]:
        """A connection; the engine's operational failures (unreachable, locked too long) as French errors."""
        try:
            with closing(self.moteur.ouvrir()) as con:
                yield con
        except self.moteur.erreurs as err:
            raise self.moteur.traduire(err) from None

    @contextmanager
    def _lecture(self) -> Iterator[Connexion]:
        """A connection to the store, its schema created or migrated on first use."""
        if not self._pret:
            self.init()
        with self._connexion() as con:
            yield con

    @contextmanager
    def _ecriture(self) -> Iterator[Connexion]:
        """One transaction holding the store's write lock: commit on success, roll back on any exception."""
        with self._lecture() as con:
            self.moteur.commencer_ecriture(con)
            try:
                yield con
            except BaseException:
                con.execute("ROLLBACK")
                raise
            con.execute("COMMIT")

    def init(self) -> None:
        """Create the store (SQLite: the file, in WAL mode) and create or migrate its tables (idempotent)."""
        try:
            self.moteur.creer()
        except self.moteur.erreurs as err:
            raise self.moteur.traduire(err) from None
        with self._connexion() as con:
            if self._version_schema(con) == SCHEMA_VERSION:
                self._pret = True  # already set up: stay read-only, no write lock for every new session
                return
            self.moteur.commencer_ecriture(con)
            try:
                self._migrer(con)
            except BaseException:
                con.execute("ROLLBACK")
                raise
            con.execute("COMMIT")
        self._pret = True

    def _version_schema(self, con: Connexion) -> int:
        """The store's schema version: 0 when empty, 1 for the first release's tables, else ``schema_version``."""
        tables = self.moteur.tables(con)
        if "schema_version" in tables:
            version = int(con.execute("SELECT MAX(version) FROM schema_version").fetchone()[0] or 0)
        else:
            version = 1 if "feuilles_de_route" in tables else 0
        if version > SCHEMA_VERSION:
            raise EssError(
                f"Magasin d'édition {self.emplacement} au schéma n° {version}, plus récent que celui de cette "
                f"version de l'application (n° {SCHEMA_VERSION}) : mettez l'application à jour (git pull, "
                "pip install -e .) avant de l'ouvrir."
            )
        return version

    def _migrer(self, con: Connexion) -> None:
        """Run the missing migrations, under the write lock (another process may have run them meanwhile)."""
        for numero in range(self._version_schema(con) + 1, SCHEMA_VERSION + 1):
            for instruction in MIGRATIONS[numero - 1]:
                con.execute(instruction.format(id_auto=self.moteur.id_auto))
            if numero >= 2:  # the table exists from migration 2 on
                con.execute("UPDATE schema_version SET version = ?", (numero,))

    @staticmethod
    def _log(
        con: Connexion,
        auteur: str,
        feuille_id: str,
        action_code: str | None,
        champ: str,
        ancienne: Any,
        nouvelle: Any,
        version: int,
    ) -> None:
        con.execute(
            "INSERT INTO changements (horodatage, auteur, feuille_id, action_code, champ, ancienne_valeur,"
            " nouvelle_valeur, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                _now(),
                auteur,
                feuille_id,
                action_code,
                champ,
                None if ancienne is None else str(ancienne),
                None if nouvelle is None else str(nouvelle),
                version,
            ),
        )

    @staticmethod
    def _doc(con: Connexion, feuille_id: str) -> tuple[dict[str, Any], int]:
        """The roadmap document and its version."""
        row = con.execute("SELECT doc_json, version FROM feuilles_de_route WHERE id = ?", (feuille_id,)).fetchone()
        if row is None:
            ids = [r[0] for r in con.execute("SELECT id FROM feuilles_de_route ORDER BY id")]
            raise EssError(
                f"Feuille de route « {feuille_id} » introuvable dans le magasin d'édition ; "
                f"feuilles disponibles : {', '.join(ids) or '(aucune, importez-en une)'}."
            )
        doc: dict[str, Any] = json.loads(row[0])
        return doc, int(row[1])

    @staticmethod
    def _save(con: Connexion, doc: dict[str, Any], version: int) -> int:
        """Write the edited document over version ``version`` (read under the same lock); return the new one."""
        con.execute(
            "UPDATE feuilles_de_route SET doc_json = ?, version = ? WHERE id = ?",
            (json.dumps(doc, ensure_ascii=False, sort_keys=False), version + 1, doc["id"]),
        )
        return version + 1

    # ------------------------------------------------------------------ reads

    def list_roadmaps(self) -> pd.DataFrame:
        """One row per stored roadmap: id, titre, territoire, exemple, source, nb_actions, imported_at, and (added
        with PostgreSQL) version and fichier, the last import's file name."""
        with self._lecture() as con:
            sql = "SELECT id, doc_json, imported_at, version, fichier FROM feuilles_de_route ORDER BY id"
            rows = con.execute(sql).fetchall()
        out = []
        for ident, doc_json, imported_at, version, fichier in rows:
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
                    "version": int(version),
                    "fichier": fichier,
                }
            )
        cols = ["id", "titre", "territoire", "exemple", "source", "nb_actions", "imported_at", "version", "fichier"]
        return pd.DataFrame(out, columns=cols)

    def get(self, feuille_id: str) -> dict[str, Any]:
        """The stored roadmap document (a fresh dict: mutating it does not touch the store)."""
        return self.get_versioned(feuille_id)[0]

    def get_versioned(self, feuille_id: str) -> tuple[dict[str, Any], int]:
        """The document and its version, read together: what an editor sees, to pass back as ``version_vue``."""
        with self._lecture() as con:
            return self._doc(con, feuille_id)

    def jeton(self) -> tuple[int, int] | None:
        """A token that changes with every write (every write is logged), None when the store does not exist yet.

        Read-only on purpose: never creates nor migrates the store (the benchmark page reads roadmaps this way).
        """
        if self.path is not None and not self.path.exists():  # connecting would create the SQLite file
            return None
        with self._connexion() as con:
            if "changements" not in self.moteur.tables(con):
                return None
            dernier, nombre = con.execute("SELECT COALESCE(MAX(id), 0), COUNT(*) FROM changements").fetchone()
        return int(dernier), int(nombre)

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

    def _inserer(self, con: Connexion, doc: dict[str, Any], auteur: str, fichier: str | None = None) -> None:
        ancien = con.execute("SELECT doc_json FROM feuilles_de_route WHERE id = ?", (doc["id"],)).fetchone()
        maintenant = _now()
        (version,) = con.execute(
            "INSERT INTO feuilles_de_route (id, doc_json, imported_at, version, fichier) VALUES (?, ?, ?, 1, ?) "
            "ON CONFLICT (id) DO UPDATE SET doc_json = excluded.doc_json, imported_at = excluded.imported_at, "
            "fichier = excluded.fichier, version = feuilles_de_route.version + 1 RETURNING version",
            (doc["id"], json.dumps(doc, ensure_ascii=False), maintenant, fichier),
        ).fetchone()
        avant = None
        if ancien is not None:
            avant = f"{_compte_actions(json.loads(ancien[0]))} action(s) (remplacée)"
        source = (doc.get("source") or {}).get("document")
        apres = f"{_compte_actions(doc)} action(s)" + (f" — {source}" if source else "")
        self._log(con, auteur, doc["id"], None, "import", avant, apres, int(version))

    def import_roadmap(self, doc: dict[str, Any], auteur: str, fichier: str | None = None) -> None:
        """Insert or replace a whole roadmap atomically (validated first), logging the import.

        No version check: a file replaces the roadmap on purpose, and the replacement is logged (« remplacée »);
        an editor who saw the previous version gets a conflict on their next edit.
        """
        qui = clean_author(auteur)
        nom = fichier or (str(doc.get("id", "?")) if isinstance(doc, dict) else "?")
        valide = validate_roadmap(doc, nom)
        with self._ecriture() as con:
            self._inserer(con, valide, qui, fichier)

    def set_status(
        self, feuille_id: str, action_code: str, statut: str, auteur: str, version_vue: int | None = None
    ) -> bool:
        """Change an action's status; return False (and log nothing) when it already has that status.

        ``version_vue``: the roadmap's version the editor saw (``get_versioned``); ``ConflitEdition`` when someone
        else changed this action's status since. None: read and write in one go (command line, scripts).
        """
        qui = clean_author(auteur)
        if statut not in STATUTS:
            raise DonneesInvalides(
                f"Feuille de route « {feuille_id} », action {action_code} : champ « statut » : "
                f"« {statut} » inconnu ; valeurs possibles : {', '.join(STATUTS)}."
            )
        with self._ecriture() as con:
            doc, version = self._doc(con, feuille_id)
            act = self._action(doc, feuille_id, action_code)
            ancien = act.get("statut")
            if ancien == statut:  # whoever set it, what the editor asks for is there: nothing is lost
                return False
            _refuser_si_conflit(con, feuille_id, version, version_vue, action_code, "statut", f"statut « {statut} »")
            act["statut"] = statut
            nouvelle = self._save(con, doc, version)
            self._log(con, qui, feuille_id, action_code, "statut", ancien, statut, nouvelle)
        return True

    def add_indicator_value(
        self,
        feuille_id: str,
        action_code: str,
        indicateur_code: str,
        date: dt.date | str,
        valeur: float | int | str,
        auteur: str,
        version_vue: int | None = None,
    ) -> None:
        """Record a dated value of an indicator; a value already present at that date is replaced.

        ``version_vue`` as for ``set_status``: a conflict when someone else recorded a value of this indicator at
        this date since (values at other dates, other indicators, other actions do not conflict).
        """
        qui = clean_author(auteur)
        ou = f"Feuille de route « {feuille_id} », action {action_code}, indicateur {indicateur_code}"
        iso, nombre = valider_mesure(date, valeur, ou)
        with self._ecriture() as con:
            doc, version = self._doc(con, feuille_id)
            act = self._action(doc, feuille_id, action_code)
            ind = next((i for i in act.get("indicateurs") or [] if i.get("code") == indicateur_code), None)
            if ind is None:
                codes = [str(i.get("code")) for i in act.get("indicateurs") or []]
                raise DonneesInvalides(
                    f"{ou} : indicateur inconnu ; indicateurs de cette action : {', '.join(codes) or '(aucun)'}."
                )
            if ind.get("donnee"):
                raise DonneesInvalides(
                    f"{ou} : indicateur lié à la donnée « {apercu(ind['donnee'])} » : sa valeur est lue dans la base "
                    "à chaque construction et ne se saisit pas (retirez le champ « donnee » du fichier pour la saisir)."
                )
            champ = f"indicateur {indicateur_code} ({iso})"
            _refuser_si_conflit(con, feuille_id, version, version_vue, action_code, champ, f"valeur {nombre:g}")
            valeurs = ind.setdefault("valeurs", [])
            existante = next((v for v in valeurs if v.get("date") == iso), None)
            ancienne = None
            if existante is not None:
                ancienne = existante.get("valeur")
                existante["valeur"] = nombre
            else:
                valeurs.append({"date": iso, "valeur": nombre})
            valeurs.sort(key=lambda v: str(v.get("date")))
            nouvelle = self._save(con, doc, version)
            self._log(con, qui, feuille_id, action_code, champ, ancienne, nombre, nouvelle)

    def creer_feuille(self, doc: dict[str, Any], auteur: str) -> None:
        """Insert a new roadmap (e.g. a territory's, from the template); never replaces one: an existing id is
        refused, with nothing written (a file import, ``import_roadmap``, is the way to replace one)."""
        qui = clean_author(auteur)
        valide = validate_roadmap(doc, str(doc.get("id", "?")) if isinstance(doc, dict) else "?")
        with self._ecriture() as con:
            if con.execute("SELECT 1 FROM feuilles_de_route WHERE id = ?", (valide["id"],)).fetchone():
                raise EssError(
                    f"Feuille de route « {valide['id']} » déjà enregistrée : elle n'est pas remplacée. Ouvrez-la, ou "
                    "importez un fichier de même identifiant pour la remplacer."
                )
            self._inserer(con, valide, qui, fichier=None)

    def enregistrer_lectures(self, feuille_id: str, lectures: Iterable[dict[str, Any]]) -> list[str]:
        """Write what the base says of a roadmap's bound indicators; return the change-log lines written (none when
        the base says what the roadmap already holds).

        Each reading: ``action``, ``indicateur``, ``donnee`` (the binding it was computed for: a reading for an
        indicator re-bound since is skipped), ``lecture`` (millésime, date, demonstration, motif) and ``valeur``
        (None when the base gives no figure, e.g. statistical secrecy: nothing is recorded, ``motif`` says why,
        and a value left at that date by an earlier build of the same vintage is removed); ``historique``: an
        earlier vintage's reading, which sets the value at its date only. Author: « données ».
        """
        with self._ecriture() as con:
            doc, version = self._doc(con, feuille_id)
            changes = [c for lu in lectures if (c := _appliquer_lecture(doc, lu)) is not None]
            if changes:
                nouvelle = self._save(con, doc, version)
                for action, champ, avant, apres in changes:
                    self._log(con, AUTEUR_DONNEES, feuille_id, action, champ, avant, apres, nouvelle)
        return [f"{action} · {champ} : {avant} → {apres}" for action, champ, avant, apres in changes]

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

    def existe(self) -> bool:
        """True when the store has been created (SQLite: the file; PostgreSQL: the tables). Creates nothing."""
        try:
            return self.moteur.existe()
        except self.moteur.erreurs as err:
            raise self.moteur.traduire(err) from None

    def backup(self, dest: str | os.PathLike[str]) -> Path:
        """Consistent copy of the live store into one SQLite file, safe while others write.

        SQLite: the online backup of the file. PostgreSQL: a logical export (every row of both tables, read in
        one repeatable-read snapshot) into a new SQLite store of the same schema. Either way the result is one
        self-contained file (out of WAL), written to a temp file beside ``dest`` then renamed
        (``fichier_atomique``), that ``ESS_STORE`` can point at or ``copier_depuis`` can load back.
        """
        cible = Path(dest)
        with fichier_atomique(cible) as tmp:
            if isinstance(self.moteur, MoteurSQLite):
                self.init()  # the copy has the current schema
                try:
                    self.moteur.copie_en_ligne(tmp)
                except self.moteur.erreurs as err:
                    raise self.moteur.traduire(err) from None
            else:
                copie = RoadmapStore(tmp)
                copie.copier_depuis(self)
                with closing(MoteurSQLite(tmp).ouvrir()) as con:
                    con.execute("PRAGMA journal_mode = DELETE")
        return cible

    def copier_depuis(self, source: RoadmapStore) -> int:
        """Copy every roadmap and change-log row of ``source`` into this store, which must be empty; return the
        number of roadmaps. Used by the PostgreSQL backup and to move a SQLite store onto PostgreSQL (or back):
        versions, dates and the change log's numbers are kept."""
        with source._lecture() as src:
            src.execute(source.moteur.instantane)  # both tables from one snapshot, even while others write
            feuilles = src.execute(f"SELECT {', '.join(_COLONNES_FEUILLES)} FROM feuilles_de_route").fetchall()
            journal = src.execute(f"SELECT {', '.join(_COLONNES_JOURNAL)} FROM changements ORDER BY id").fetchall()
            src.execute("COMMIT")
        with self._ecriture() as con:
            if con.execute("SELECT COUNT(*) FROM feuilles_de_route").fetchone()[0]:
                raise EssError(
                    f"Magasin d'édition {self.emplacement} déjà rempli : la copie ne se fait que dans un magasin "
                    "vide (rien n'a été copié)."
                )
            for table, colonnes, lignes in (
                ("feuilles_de_route", _COLONNES_FEUILLES, feuilles),
                ("changements", _COLONNES_JOURNAL, journal),
            ):
                marques = ", ".join("?" * len(colonnes))
                for ligne in lignes:
                    con.execute(f"INSERT INTO {table} ({', '.join(colonnes)}) VALUES ({marques})", tuple(ligne))
            if self.moteur.recaler_identite:
                con.execute(self.moteur.recaler_identite)
        return len(feuilles)
