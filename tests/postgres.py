"""A throw-away PostgreSQL cluster for the tests (fixture ``postgres_url`` in conftest.py): ``initdb`` and
``pg_ctl`` in a temp folder, a free loopback port, trust authentication, no network beyond 127.0.0.1.

Why a cluster of our own rather than a service: the tests need no administrator, no password and no state
left behind, and CI starts it exactly as a developer does. Debian installs the binaries outside PATH
(``/usr/lib/postgresql/<version>/bin``); ``.ci/run`` installs the ``postgresql`` package when they are missing
and sets ``ESS_TESTS_POSTGRES=1`` (« required »): without binaries the PostgreSQL tests then fail instead of
being skipped. ``initdb`` refuses to run as root (CI runs as root): the cluster then belongs to the
``postgres`` user that Debian's package creates (``nobody`` otherwise).
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

#: Environment variable set by .ci/run: « 1 » makes a missing PostgreSQL a failure, not a skip.
REQUIS = "ESS_TESTS_POSTGRES"
DEBIAN = Path("/usr/lib/postgresql")
# A test cluster: durability is worthless here and fsync costs seconds on a shared disk.
REGLAGES = "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"


def binaires() -> Path | None:
    """The folder holding ``initdb`` and ``pg_ctl``: PATH first, else Debian's highest version, else None."""
    trouve = shutil.which("initdb")
    if trouve and shutil.which("pg_ctl"):
        dossier = Path(trouve).resolve().parent
        if (dossier / "pg_ctl").exists():
            return dossier
    versions = [p.parent for p in DEBIAN.glob("*/bin/initdb") if (p.parent / "pg_ctl").exists()]
    versions.sort(key=lambda b: [int(x) if x.isdigit() else 0 for x in b.parent.name.split(".")])
    return versions[-1] if versions else None


def absent() -> str:
    return (
        "PostgreSQL introuvable (initdb et pg_ctl ni dans le PATH ni dans /usr/lib/postgresql/*/bin) : "
        "installez le paquet Debian « postgresql » (apt-get install postgresql), comme le fait .ci/run."
    )


def port_libre() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _proprietaire() -> dict[str, Any]:
    """``subprocess`` arguments that run the server as an unprivileged user when the tests run as root."""
    if os.geteuid() != 0:
        return {}
    for nom in ("postgres", "nobody"):
        try:
            compte = pwd.getpwnam(nom)
        except KeyError:
            continue
        return {"user": compte.pw_uid, "group": compte.pw_gid, "extra_groups": []}
    raise RuntimeError("tests lancés en root sans utilisateur « postgres » ni « nobody » pour porter la grappe")


def _lancer(commande: list[str], dossier: Path, compte: dict[str, Any]) -> None:
    sortie = subprocess.run(commande, cwd=dossier, capture_output=True, text=True, timeout=120, check=False, **compte)
    if sortie.returncode != 0:
        journal = dossier / "journal.log"
        detail = journal.read_text("utf-8", errors="replace")[-3000:] if journal.exists() else ""
        raise RuntimeError(f"{' '.join(commande)} : code {sortie.returncode}\n{sortie.stderr[-3000:]}\n{detail}")


@contextmanager
def grappe(dossier_bin: Path) -> Iterator[str]:
    """Start a cluster; yield the URL of its ``postgres`` database (superuser ``ess``, no password); stop it."""
    dossier = Path(tempfile.mkdtemp(prefix="ess-pg-"))  # not under pytest's root-only 0700 folder
    compte = _proprietaire()
    if compte:
        os.chown(dossier, compte["user"], compte["group"])
    donnees = dossier / "donnees"
    try:
        initdb = [str(dossier_bin / "initdb"), "-D", str(donnees), "-U", "ess", "--auth=trust", "-E", "UTF8"]
        _lancer([*initdb, "--locale=C", "--no-sync"], dossier, compte)
        port = port_libre()
        options = f"-k {dossier} -p {port} -c listen_addresses=127.0.0.1 {REGLAGES}"
        pg_ctl = [str(dossier_bin / "pg_ctl"), "-D", str(donnees), "-l", str(dossier / "journal.log")]
        _lancer([*pg_ctl, "-w", "-t", "60", "-o", options, "start"], dossier, compte)
        try:
            yield f"postgresql://ess@127.0.0.1:{port}/postgres"
        finally:
            _lancer([*pg_ctl, "-m", "immediate", "-w", "stop"], dossier, compte)
    finally:
        shutil.rmtree(dossier, ignore_errors=True)


def nouvelle_base(url: str) -> str:
    """A new empty database in the cluster of ``url`` (one per test: no state shared); return its URL."""
    import psycopg

    nom = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(url, autocommit=True) as con:
        con.execute(f"CREATE DATABASE {nom}")  # nom: letters, digits and « _ » made here
    return url.rsplit("/", 1)[0] + f"/{nom}"
