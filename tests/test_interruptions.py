"""Writers killed halfway: SIGKILL and SIGTERM at several points of every writer leave nothing published.

Each writer (``esscore build``, ``ingest sirene``, ``import initiatives``, ``import benchmark``, ``import
roadmap``) runs in a child process whose code is wrapped at one point (after the pending file is written,
in the middle of the rebuild, after the database swap) to print a marker and wait; the test then sends the
signal. Deterministic: the signal always lands at the named point, never « around » it.

Checked after every kill: the database and the data files are byte-identical (or, for a kill after the
swap, the import is complete: file and database together); after SIGTERM no temp or pending file is left;
after SIGKILL the next ``esscore build`` finishes or undoes the import and sweeps the leftovers.
A département-sized geography (Deux-Sèvres, cut from the shipped files) keeps every child under 2 s.
"""

from __future__ import annotations

import hashlib
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pytest

from tests.ecrivains import cli, env

ROOT = Path(__file__).resolve().parent.parent
FIX = ROOT / "tests" / "fixtures"
ETAB, UL = FIX / "sirene" / "StockEtablissement_utf8.csv", FIX / "sirene" / "StockUniteLegale_utf8.csv"
MARQUEUR = "@@POINT@@"

# Where each point is: "module:function" wrapped so that the marker is printed before or after its n-th call.
POINTS = {
    "fichier-en-attente": ("esscore.build:ecrire_atomique", "apres", 1),  # pending import file written
    "pendant-la-construction": ("esscore.build:load_sources", "avant", 1),  # temp database half built
    "apres-echange": ("esscore.build:atomic_build", "apres", 1),  # new database swapped in, file not yet renamed
    "magasin": ("esscore.store:_now", "apres", 2),  # roadmap row written, journal and COMMIT not yet
}
ENFANT = textwrap.dedent(
    """
    import importlib, sys, time
    module, nom = sys.argv[1].split(":")
    quand, rang = sys.argv[2], int(sys.argv[3])
    mod = importlib.import_module(module)
    vrai = getattr(mod, nom)
    appels = [0]

    def arret(*args, **kwargs):
        appels[0] += 1
        ici = appels[0] == rang
        if ici and quand == "avant":
            print("@@POINT@@", file=sys.stderr, flush=True)
            time.sleep(60)
        resultat = vrai(*args, **kwargs)
        if ici and quand == "apres":
            print("@@POINT@@", file=sys.stderr, flush=True)
            time.sleep(60)
        return resultat

    setattr(mod, nom, arret)
    from esscore.cli import main
    sys.exit(main(sys.argv[4:]))
    """
)


# ------------------------------------------------------------------------------------------------ helpers


@pytest.fixture()
def data(petit_data: Path) -> Path:
    return petit_data


def empreinte(data: Path) -> dict[str, str]:
    """Hash of every file under data/ (hidden ones included), the store beside it too."""
    fichiers = [p for p in sorted(data.rglob("*")) if p.is_file()]
    magasin = data.parent / "edition.sqlite"
    fichiers += [magasin] if magasin.exists() else []
    return {str(p.relative_to(data.parent)): hashlib.sha256(p.read_bytes()).hexdigest() for p in fichiers}


def restes(data: Path) -> list[str]:
    """Temp and pending files a writer leaves while it runs."""
    return sorted(p.name for p in data.rglob(".*") if ".tmp" in p.name or ".en-cours-" in p.name)


def tuer(data: Path, point: str, sig: signal.Signals, *args: str) -> int:
    """Run ``esscore *args`` stopped at ``point``, send ``sig``, return the exit code."""
    cible, quand, rang = POINTS[point]
    commande = [sys.executable, "-c", ENFANT, cible, quand, str(rang), *args]
    with subprocess.Popen(commande, cwd=ROOT, env=env(data), stderr=subprocess.PIPE, text=True) as proc:
        assert proc.stderr is not None
        lignes = []
        for ligne in proc.stderr:
            lignes.append(ligne)
            if MARQUEUR in ligne:
                break
        else:
            raise AssertionError(f"point « {point} » jamais atteint :\n{''.join(lignes)[-3000:]}")
        proc.send_signal(sig)
        proc.stderr.read()
        return proc.wait(timeout=60)


def noms_initiatives(data: Path) -> set[str]:
    with duckdb.connect(str(data / "ess.duckdb"), read_only=True) as con:
        return {r[0] for r in con.execute("SELECT nom FROM initiatives").fetchall()}


def ids_benchmark(data: Path) -> set[str]:
    with duckdb.connect(str(data / "ess.duckdb"), read_only=True) as con:
        return {r[0] for r in con.execute("SELECT id FROM benchmark").fetchall()}


# ------------------------------------------------------------------------------------------------ imports

IMPORTS = {
    "initiatives": (["import", "initiatives", str(FIX / "initiatives" / "hostile.csv")], "initiatives/imports"),
    "benchmark": (["import", "benchmark", str(FIX / "benchmark" / "valide.yaml")], "benchmark/ajouts.yaml"),
}


def importe(data: Path, genre: str) -> tuple[bool, bool]:
    """(the user's file is saved, the database holds its records)."""
    if genre == "initiatives":
        dossier = data / "initiatives" / "imports"
        fichier = dossier.is_dir() and any(p.suffix == ".csv" for p in dossier.iterdir())
        return bool(fichier), "<script>alert(1)</script>" in noms_initiatives(data)
    return (data / "benchmark" / "ajouts.yaml").exists(), "demo-aap-transition" in ids_benchmark(data)


@pytest.mark.parametrize("genre", sorted(IMPORTS))
@pytest.mark.parametrize("point", ["fichier-en-attente", "pendant-la-construction"])
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL], ids=["SIGTERM", "SIGKILL"])
def test_import_tue_avant_echange_ne_publie_rien(data: Path, genre: str, point: str, sig: signal.Signals) -> None:
    avant = empreinte(data)
    code = tuer(data, point, sig, *IMPORTS[genre][0])
    assert code != 0
    if sig == signal.SIGTERM:  # handlers ran: nothing left at all, byte for byte
        assert empreinte(data) == avant
    else:  # only hidden leftovers, which no loader reads
        assert {k: v for k, v in empreinte(data).items() if k in avant} == avant
        assert all(Path(k).name.startswith(".") for k in set(empreinte(data)) - set(avant))
    assert importe(data, genre) == (False, False)
    apres = cli(data, "build")
    assert apres.returncode == 0, apres.stderr
    assert restes(data) == [] and importe(data, genre) == (False, False)


@pytest.mark.parametrize("genre", sorted(IMPORTS))
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL], ids=["SIGTERM", "SIGKILL"])
def test_import_tue_apres_echange_est_complet_au_build_suivant(data: Path, genre: str, sig: signal.Signals) -> None:
    """Killed between the database swap and the rename: the database has the records, so the next writer
    finishes the import (the file lands) instead of letting a later build drop what was published."""
    tuer(data, "apres-echange", sig, *IMPORTS[genre][0])
    fichier, base = importe(data, genre)
    assert base  # the swap had happened
    apres = cli(data, "build")
    assert apres.returncode == 0, apres.stderr
    assert restes(data) == [] and importe(data, genre) == (True, True)


def test_import_reussi_apres_une_interruption(data: Path) -> None:
    tuer(data, "pendant-la-construction", signal.SIGKILL, *IMPORTS["initiatives"][0])
    sortie = cli(data, *IMPORTS["initiatives"][0])
    assert sortie.returncode == 0, sortie.stderr
    assert "annulé" in sortie.stderr  # the killed attempt was undone, and said so
    assert restes(data) == [] and importe(data, "initiatives") == (True, True)


# ------------------------------------------------------------------------------------------------ builds


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL], ids=["SIGTERM", "SIGKILL"])
@pytest.mark.parametrize(
    "commande",
    [["build"], ["ingest", "sirene", "--etablissements", str(ETAB), "--unites-legales", str(UL)]],
    ids=["build", "ingest"],
)
def test_construction_tuee_laisse_la_base_intacte(data: Path, commande: list[str], sig: signal.Signals) -> None:
    avant = empreinte(data)
    assert tuer(data, "pendant-la-construction", sig, *commande) != 0
    if sig == signal.SIGTERM:
        assert empreinte(data) == avant
    else:
        assert {k: v for k, v in empreinte(data).items() if k in avant} == avant
        assert restes(data) != []  # the half-built temp database is there…
    apres = cli(data, "build")
    assert apres.returncode == 0 and restes(data) == []  # …and the next writer sweeps it


# ------------------------------------------------------------------------------------------------ store


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL], ids=["SIGTERM", "SIGKILL"])
def test_ecriture_du_magasin_tuee(data: Path, sig: signal.Signals) -> None:
    """A roadmap import killed inside its store transaction: the store keeps its previous content."""
    magasin = data.parent / "edition.sqlite"
    feuille = FIX / "roadmap" / "valide.yaml"
    assert cli(data, "import", "roadmap", str(feuille)).returncode == 0
    avant = _contenu(magasin)
    assert tuer(data, "magasin", sig, "import", "roadmap", str(feuille)) != 0
    assert _contenu(magasin) == avant


def _contenu(magasin: Path) -> list[tuple]:
    with sqlite3.connect(magasin) as con:
        assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        return [(t, *con.execute(f'SELECT * FROM "{t}" ORDER BY 1').fetchall()) for t in tables]
