"""Provenance registry: ``data/sources.toml`` loaded into the ``sources`` table at every build, and the one
citation of a source shown to a user (« titre — producteur — date — adresse »)."""

from __future__ import annotations

import functools
import math
import re
import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from esscore import config
from esscore.config import DATA_DIR
from esscore.text import texte_litteral

if TYPE_CHECKING:
    import pandas as pd

COLUMNS = ["id", "titre", "producteur", "url", "paquet", "licence", "millesime", "date_acces", "fichiers",
           "note", "demo", "lignes"]  # fmt: skip


def registry(path: Path | None = None) -> pd.DataFrame:
    """Every declared source as a DataFrame (``lignes`` filled in by the build)."""
    # pandas only here: the citation helpers below are read by esscore.roadmap, which « esscore --help »
    # imports; with pandas at the top, building the CLI parser went from 0.25 s to 1.1 s (measured, loaded
    # machine) and tests/test_import_hygiene.py fails.
    import pandas as pd

    data = tomllib.loads((path or DATA_DIR / "sources.toml").read_text("utf-8"))
    rows = []
    for src in data.get("source", []):
        row = {col: src.get(col) for col in COLUMNS}
        row["fichiers"] = ", ".join(src.get("fichiers", []))
        row["demo"] = bool(src.get("demo", False))
        row["lignes"] = None
        rows.append(row)
    return pd.DataFrame(rows, columns=COLUMNS)


def ligne_locale(
    fixe: Mapping[str, str],
    *,
    producteur: str,
    millesime: str,
    fichiers: Sequence[Path],
    lignes: int,
    racine: Path | None = None,
    date_acces: str | None = None,
) -> dict[str, Any]:
    """The ``sources`` row of a catalogue the project builds from files of the repository (benchmark,
    initiatives): ``fixe`` gives its id, titre, licence and note; no address, never demonstration data;
    ``fichiers`` written relative to ``racine`` (default: the repository root) when they are inside it."""
    racine = (racine or config.ROOT).resolve()
    noms = []
    for chemin in fichiers:
        try:
            noms.append(str(chemin.resolve().relative_to(racine)))
        except ValueError:  # outside the repository (ESS_DATA_DIR elsewhere): the path as given
            noms.append(str(chemin))
    ligne = {**fixe, "producteur": producteur, "url": None, "millesime": millesime, "fichiers": ", ".join(noms)}
    if date_acces:
        ligne["date_acces"] = date_acces
    return ligne | {"lignes": lignes, "demo": False}


# ------------------------------------------------------------------------------------------------ citing

# Former names of the project's source documents (the seed files « NNN_<hash>.txt »), mapped to their
# registry id: files written before the registry (roadmaps, benchmark, initiatives) still name a document
# this way, and are read as if they gave the id. The one mapping table.
ANCIENS_CODES: dict[str, str] = {
    "000_0ceb7394d7230311.txt": "niort-cress-na-convention-2021",
    "001_f555317a77705ac0.txt": "cress-normandie-roumois-seine-convention",
    "002_f1679d2c89b33bad.txt": "niort-feuille-de-route-2023-2026",
    "003_81238ad0f3e4d937.txt": "cress-basse-normandie-pays-du-cotentin-2014",
    "004_bfc31d538f7a297c.txt": "cress-pays-de-la-loire-diagnostic-partage",
}
CODE_ANCIEN = re.compile(r"\d{3}_[0-9a-f]{16}\.txt")
# An address worth a Markdown link: http(s), nothing that could close the link or start another one.
_URL_LIEN = re.compile(r"https?://[^\s<>()\[\]\\`\"']+")
SANS_DOCUMENT = "document non précisé"


def _texte(valeur: object) -> str | None:
    """Stripped text, or None for missing values (None, NaN, blank)."""
    if valeur is None or (isinstance(valeur, float) and math.isnan(valeur)):
        return None
    texte = str(valeur).strip()
    return texte or None


def identifiant(document: object) -> str | None:
    """The registry id a document reference stands for.

    A former seed-file name (alone, or inside a longer text such as « … (seed 002_….txt) ») becomes its
    id; any other text (an id, a file name, a publisher) comes back stripped; nothing gives None.
    """
    texte = _texte(document)
    if texte is None:
        return None
    for code in CODE_ANCIEN.findall(texte):
        if code in ANCIENS_CODES:
            return ANCIENS_CODES[code]
    return texte


@functools.lru_cache(maxsize=4)
def _registre_lu(chemin: str, mtime: float) -> dict[str, dict[str, Any]]:
    data = tomllib.loads(Path(chemin).read_text("utf-8"))
    return {str(s["id"]): dict(s) for s in data.get("source", []) if s.get("id")}


def registre() -> dict[str, dict[str, Any]]:
    """The declared sources by id (``data/sources.toml``, read again when the file changes; empty when absent)."""
    chemin = Path(config.DATA_DIR) / "sources.toml"
    try:
        return _registre_lu(str(chemin), chemin.stat().st_mtime)
    except OSError:
        return {}


def entree(document: object) -> dict[str, Any] | None:
    """The registry entry a document reference (id or former seed-file name) points to, if any."""
    ident = identifiant(document)
    return registre().get(ident) if ident else None


def citation(
    source: Mapping[str, Any] | object,
    section: object = None,
    date: object = None,
    url: object = None,
    *,
    markdown: bool = False,
    avec_date: bool = True,
    avec_adresse: bool = True,
) -> str:
    """The one way a source is cited to a user: « titre (section) — producteur — date — adresse ».

    ``source`` is a registry row (a mapping with titre, producteur, millesime, url) or a document reference:
    an id of ``data/sources.toml`` or a former seed-file name gives the registry's title, producer, date
    (``millesime``, else ``date``) and address; any other text (a file name, « CNCRESS, Panorama… ») is the
    title, with ``date`` and ``url`` as given. ``markdown`` gives Markdown for ``st.markdown`` and captions:
    every text made literal (``texte_litteral``), the title linked to the address. ``avec_date`` and
    ``avec_adresse`` false leave out the date or the address (a slide's two-line source line).
    """
    ligne = source if isinstance(source, Mapping) else entree(source)
    if ligne is None:
        ligne = {"titre": identifiant(source), "millesime": date, "url": url}
    titre = _texte(ligne.get("titre")) or _texte(ligne.get("id")) or SANS_DOCUMENT
    detail = _texte(section)
    quand = (_texte(ligne.get("millesime")) or _texte(date)) if avec_date else None
    adresse = (_texte(ligne.get("url")) or _texte(url)) if avec_adresse else None
    producteur = _texte(ligne.get("producteur"))
    if not markdown:
        tete = f"{titre} ({detail})" if detail else titre
        return " — ".join(m for m in (tete, producteur, quand, adresse) if m)
    tete = texte_litteral(titre)
    if adresse and _URL_LIEN.fullmatch(adresse):
        tete, adresse = f"[{tete}]({adresse})", None
    if detail:
        tete += f" ({texte_litteral(detail)})"
    return " — ".join([tete, *(texte_litteral(m) for m in (producteur, quand, adresse) if m)])
