"""User files in and out: one reader (existence, size, encoding), one YAML loader, one atomic writer.

Why one place: every importer (roadmap, benchmark, initiatives, SIRENE) must refuse the same mistakes
with the same French message naming the file, and every writer must leave either the old file or the
new one, never half of it. Values quoted in messages go through ``apercu`` so that a hostile value (a
YAML alias bomb, a megabyte string, terminal escape sequences) can never make a message huge.
"""

from __future__ import annotations

import json
import os
import reprlib
import tempfile
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import yaml

from esscore.errors import DonneesInvalides, EssError
from esscore.text import sans_controles

# --------------------------------------------------------------------------------------------- previews

_REPR = reprlib.Repr()
_REPR.maxlevel, _REPR.maxlist, _REPR.maxdict, _REPR.maxtuple, _REPR.maxset = 2, 4, 4, 4, 4
_REPR.maxstring, _REPR.maxother, _REPR.maxlong = 80, 80, 40
APERCU_MAX = 80
NNBSP = "\u202f"  # narrow no-break space: French thousands separator


def apercu(value: object, limite: int = APERCU_MAX) -> str:
    """Short, single-line, printable preview of an untrusted value for an error message.

    Text is cut on a character boundary that never splits an emoji sequence (joiners, combining marks,
    variation selectors stay with their base), control and bidi characters are made visible as ``�``;
    containers are shown by ``reprlib`` (depth 2, four items), so a nested alias bomb costs nothing.
    """
    if isinstance(value, str):
        texte = value
    elif value is None or isinstance(value, bool | int | float):
        texte = _REPR.repr(value)
    else:
        texte = _REPR.repr(value)
    texte = " ".join(sans_controles(texte[: limite * 4], remplacement="�").split())
    return couper(texte, limite)


def couper(texte: str, limite: int) -> str:
    """``texte`` cut to at most ``limite`` characters plus « … », never inside a grapheme cluster."""
    if len(texte) <= limite:
        return texte
    fin = limite
    while fin > 0 and _colle_au_precedent(texte, fin):
        fin -= 1
    return texte[:fin].rstrip() + "…"


def _colle_au_precedent(texte: str, i: int) -> bool:
    """True if cutting before ``texte[i]`` would split a grapheme (ZWJ sequence, accent, selector, flag)."""
    ch, prev = texte[i], texte[i - 1]
    if ch == "\u200d" or prev == "\u200d" or unicodedata.combining(ch):
        return True
    if "\ufe00" <= ch <= "\ufe0f" or "\U0001f3fb" <= ch <= "\U0001f3ff" or "\U000e0020" <= ch <= "\U000e007f":
        return True
    regional = "\U0001f1e6" <= ch <= "\U0001f1ff" and "\U0001f1e6" <= prev <= "\U0001f1ff"
    return regional


# ---------------------------------------------------------------------------------------------- reading


def lire_texte(chemin: str | os.PathLike[str], taille_max: int, quoi: str = "fichier") -> str:
    """The UTF-8 text of a user file; French ``DonneesInvalides`` naming the file for every usual mistake.

    ``quoi`` names the expected content in messages (« feuille de route », « fichier d'initiatives »…).
    """
    p = Path(chemin)
    nom = apercu(p.name, 120)
    if p.is_dir():
        raise DonneesInvalides(f"« {nom} » est un dossier, pas un {quoi} : donnez le chemin d'un fichier.")
    if not p.is_file():
        raise DonneesInvalides(f"{_majuscule(quoi)} « {apercu(str(p), 200)} » introuvable : vérifiez le chemin.")
    taille = p.stat().st_size
    if taille > taille_max:
        raise DonneesInvalides(
            f"« {nom} » est trop volumineux : {f'{taille:,}'.replace(',', NNBSP)} octets, au-delà de la limite de "
            f"{format_octets(taille_max)} pour un {quoi}. Vérifiez qu'il s'agit du bon fichier, ou découpez-le."
        )
    try:
        brut = p.read_bytes()
    except OSError as err:
        raise DonneesInvalides(f"« {nom} » illisible ({err.strerror}) : vérifiez les droits du fichier.") from None
    try:
        return brut.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        ligne = brut[: err.start].count(b"\n") + 1
        raise DonneesInvalides(
            f"« {nom} » n'est pas encodé en UTF-8 (premier caractère illisible ligne {ligne}, octet {err.start}). "
            "Réenregistrez-le en UTF-8 (dans un tableur : « Enregistrer sous » → « CSV UTF-8 ») puis réessayez."
        ) from None


def format_octets(n: float) -> str:
    """« 5 Mo », « 0,4 Mo », « 512 octets » (decimal comma, French units)."""
    if n < 1024:
        return f"{int(n)} octets"
    mo = n / 1_048_576
    texte = f"{mo:.1f}".replace(".", ",").removesuffix(",0")
    return f"{texte} Mo"


class _ChargeurSur(yaml.SafeLoader):
    """SafeLoader that refuses anchors/aliases and duplicate keys, and keeps dates as text.

    Aliases are refused outright: no roadmap or catalogue needs them, and expanding them is how a
    511-byte « billion laughs » file exhausts memory. Dates stay text so that « 2024-13-01 » reaches
    validation (with the field named) instead of crashing the parser.
    """

    def compose_node(self, parent: Any, index: Any) -> Any:  # noqa: ANN401 - PyYAML's own signature
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise _AliasRefuse(event.start_mark)
        event = self.peek_event()
        if getattr(event, "anchor", None):
            raise _AliasRefuse(event.start_mark)
        return super().compose_node(parent, index)

    def construct_mapping(self, node: Any, deep: bool = False) -> dict:  # noqa: ANN401
        vues: set = set()
        for cle_noeud, _ in node.value:
            cle = self.construct_object(cle_noeud, deep=True)
            try:
                double = cle in vues
            except TypeError:
                continue  # unhashable key: SafeLoader raises its own error just below
            if double:
                raise _CleDupliquee(cle, cle_noeud.start_mark)
            vues.add(cle)
        return super().construct_mapping(node, deep=deep)


_ChargeurSur.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class _AliasRefuse(Exception):
    def __init__(self, mark: Any) -> None:  # noqa: ANN401
        self.mark = mark


class _CleDupliquee(Exception):
    def __init__(self, cle: object, mark: Any) -> None:  # noqa: ANN401
        self.cle, self.mark = cle, mark


def _ou(mark: Any) -> str:  # noqa: ANN401
    return f" (ligne {mark.line + 1}, colonne {mark.column + 1})" if mark is not None else ""


def charger_yaml(texte: str, nom: str) -> object:
    """Parse untrusted YAML with ``_ChargeurSur``; every failure is a French ``DonneesInvalides``."""
    nom = apercu(nom, 120)
    try:
        return yaml.load(texte, Loader=_ChargeurSur)  # noqa: S506 - SafeLoader subclass
    except _AliasRefuse as err:
        raise DonneesInvalides(
            f"« {nom} »{_ou(err.mark)} : les ancres et alias YAML (« & », « * ») ne sont pas acceptés ; "
            "écrivez chaque valeur en toutes lettres."
        ) from None
    except _CleDupliquee as err:
        raise DonneesInvalides(
            f"« {nom} »{_ou(err.mark)} : la clé « {apercu(err.cle)} » apparaît deux fois dans le même bloc ; "
            "gardez-en une seule (sinon la dernière écraserait la première sans le dire)."
        ) from None
    except yaml.YAMLError as err:
        probleme = apercu(getattr(err, "problem", None) or "syntaxe", 120)
        raise DonneesInvalides(
            f"« {nom} » n'est pas un YAML valide{_ou(getattr(err, 'problem_mark', None))} : {probleme}. "
            "Vérifiez l'indentation, les deux-points et les guillemets."
        ) from None
    except (RecursionError, ValueError) as err:
        raise _illisible(nom, "YAML", err) from None


class _CleJsonDupliquee(ValueError):
    def __init__(self, cle: str) -> None:
        super().__init__(cle)
        self.cle = cle


def _objet_sans_doublon(paires: list[tuple[str, Any]]) -> dict[str, Any]:
    """``json.loads`` hook: an object naming a key twice is refused (the last one would silently win)."""
    objet: dict[str, Any] = {}
    for cle, valeur in paires:
        if cle in objet:
            raise _CleJsonDupliquee(cle)
        objet[cle] = valeur
    return objet


def charger_json(texte: str, nom: str) -> object:
    """Parse untrusted JSON: duplicate keys refused, every failure a French ``DonneesInvalides``."""
    nom = apercu(nom, 120)
    try:
        return json.loads(texte, object_pairs_hook=_objet_sans_doublon)
    except _CleJsonDupliquee as err:
        raise DonneesInvalides(
            f"« {nom} » : la clé « {apercu(err.cle, 60)} » apparaît deux fois dans le même objet JSON ; "
            "gardez-en une seule (sinon la dernière écraserait la première sans le dire)."
        ) from None
    except json.JSONDecodeError as err:
        raise DonneesInvalides(
            f"« {nom} » n'est pas un JSON valide (ligne {err.lineno}, colonne {err.colno} : {err.msg})."
        ) from None
    except (RecursionError, ValueError) as err:
        raise _illisible(nom, "JSON", err) from None


def _illisible(nom: str, format_: str, err: Exception) -> DonneesInvalides:
    """The two ways a well-formed YAML or JSON file still cannot be read, in French."""
    if isinstance(err, RecursionError):
        return DonneesInvalides(f"« {nom} » : {format_} trop profondément imbriqué.")
    # ValueError: e.g. an integer of more than 4 300 digits (Python's conversion limit)
    return DonneesInvalides(
        f"« {nom} » contient une valeur illisible (nombre de plus de 4 300 chiffres ?) : corrigez-la."
    )


class ErreursFichier(DonneesInvalides):
    """Every problem found in one user file, so that it can be fixed in one pass: the one error type of the
    importers. The message lists at most ``affichees`` of them (a 5 MB file can hold 100 000 mistakes);
    the attribute ``erreurs`` keeps them all."""

    def __init__(self, fichier: str, erreurs: list[str], entete: str, conclusion: str = "", affichees: int = 50):
        self.fichier = fichier
        self.erreurs = list(erreurs)
        lignes = [entete, *(f"- {e}" for e in erreurs[:affichees])]
        if len(erreurs) > affichees:
            lignes.append(f"… et {len(erreurs) - affichees} autre(s) erreur(s) : corrigez d'abord celles-ci.")
        if conclusion:
            lignes.append(conclusion)
        super().__init__("\n".join(lignes))


def caracteres_interdits(texte: str) -> str | None:
    """A French note naming the first control or bidi character of ``texte`` (tabs and line breaks are
    fine), or None. Such characters can reorder or hide what a page, a terminal or a slide shows, and
    some (NUL) make document writers fail: a free-text field refuses them instead of keeping them."""
    premier = next((ch for ch in texte if not sans_controles(ch, garder="\n\t\r")), None)
    if premier is None:
        return None
    return f"contient un caractère invisible de contrôle (U+{ord(premier):04X}) ; retirez-le"


def colonnes_uniques(colonnes: list[str], nom: str) -> None:
    """Refuse a CSV header naming the same column twice (the last one would silently win)."""
    vues: set[str] = set()
    doubles = []
    for col in colonnes:
        cle = (col or "").strip().lower()
        if cle in vues and cle not in doubles:
            doubles.append(cle)
        vues.add(cle)
    if doubles:
        liste = ", ".join(f"« {apercu(d, 40)} »" for d in doubles[:5])
        raise DonneesInvalides(
            f"« {apercu(nom, 120)} » : colonne(s) en double dans l'en-tête : {liste}. "
            "Gardez une seule colonne de chaque nom."
        )


# ---------------------------------------------------------------------------------------------- writing


@contextmanager
def fichier_atomique(chemin: str | os.PathLike[str]) -> Iterator[Path]:
    """The one atomic writer: yields a temp path beside ``chemin`` (not yet created, so that a library such
    as DuckDB, SQLite or Arrow can create it), then ``os.replace``s it onto ``chemin`` if the block ends
    normally. On any exception or signal the temp file (and a DuckDB ``.wal``) is removed and ``chemin``
    is left byte for byte as it was. Temp names are ``.<name>.<random>.tmp``: the writers' sweep knows them.
    """
    cible = Path(chemin)
    cible.parent.mkdir(parents=True, exist_ok=True)
    fd, nom = tempfile.mkstemp(prefix=f".{cible.name}.", suffix=".tmp", dir=cible.parent)
    os.close(fd)
    tmp = Path(nom)
    tmp.unlink()
    try:
        yield tmp
        os.replace(tmp, cible)
    finally:
        for reste in (tmp, Path(f"{tmp}.wal")):
            reste.unlink(missing_ok=True)


def ecrire_atomique(chemin: str | os.PathLike[str], contenu: bytes | str) -> Path:
    """Write ``contenu`` (text as UTF-8) to ``chemin`` through ``fichier_atomique``, flushed to disk first."""
    donnees = contenu.encode("utf-8") if isinstance(contenu, str) else contenu
    with fichier_atomique(chemin) as tmp, tmp.open("wb") as fh:
        fh.write(donnees)
        fh.flush()
        os.fsync(fh.fileno())
    return Path(chemin)


def exiger_fichier(chemin: str | os.PathLike[str], quoi: str) -> Path:
    """``chemin`` as a Path if it is an existing regular file, else a French error (folder, missing)."""
    p = Path(chemin)
    if p.is_dir():
        raise EssError(f"« {apercu(str(p), 200)} » est un dossier : donnez le chemin du {quoi}.")
    if not p.is_file():
        raise EssError(f"{_majuscule(quoi)} introuvable : « {apercu(str(p), 200)} ». Vérifiez le chemin.")
    return p


def _majuscule(texte: str) -> str:
    """First letter upper-cased, the rest untouched (``str.capitalize`` would lower « Sirene »)."""
    return texte[:1].upper() + texte[1:]
