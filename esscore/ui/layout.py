"""Shared page furniture: territory picker (state in the URL), demo banner, source footers."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any

import streamlit as st
from streamlit.errors import StreamlitPageNotFoundError

from esscore import comparaison, indicators, phrases
from esscore.errors import EssError
from esscore.fichiers import apercu
from esscore.geography import FRANCE_ID, TYPE_LABELS, TYPES, Territoire, parse_id
from esscore.text import texte_litteral
from esscore.ui import cache

DEFAULT_TERRITOIRE = "epci:200041317"
DEMO_TEXT = (
    "**Données de démonstration** — les établissements affichés sont fictifs, générés à partir de la "
    "géographie réelle et calibrés sur des ordres de grandeur publiés. Chargez les fichiers SIRENE réels "
    "avec `esscore ingest sirene` pour des chiffres réels."
)


def alerte(texte: object, nature: str = "error", icon: str | None = None) -> None:
    """Show a message box (``nature``: error, warning, info or success) whose text is shown exactly as written.

    For every message that is, or quotes, something from outside: a validation error (``str(err)`` names
    the file and quotes the faulty value), a URL parameter, a file or editor name. Never interpreted as
    Markdown (no link, image, heading, LaTeX…): see ``esscore.text.texte_litteral``.
    """
    boites = {"error": st.error, "warning": st.warning, "info": st.info, "success": st.success}
    boites.get(nature, st.error)(texte_litteral(texte), icon=icon)


def deposer_message(cle: str, nature: str, texte: str) -> None:
    """Leave the outcome of a callback (``nature`` as for ``alerte``) for the next run of the page, under ``cle``
    of the session: a callback runs before the page is drawn, so its message is shown by ``afficher_depot``."""
    st.session_state[cle] = (nature, texte)


def afficher_depot(cle: str) -> None:
    """Show, once and literally (``alerte``), the message left under ``cle`` by ``deposer_message``."""
    message = st.session_state.pop(cle, None)
    if message:
        nature, texte = message
        alerte(texte, nature)


NON_SIMULE_TEXT = (
    "**{nom} : chiffres non disponibles (nd).** La démonstration ne simule pas ce territoire : l'INSEE n'y publie "
    "aucune part de l'ESS, et un chiffre tiré de la moyenne nationale serait inventé. Chargez les fichiers SIRENE "
    "réels (`esscore ingest sirene`) pour en obtenir."
)


def demo_banner(terr: Territoire | None = None) -> bool:
    """Say loudly, on every page that shows ESS figures, when they are synthetic. True when the demonstration
    does not simulate ``terr`` at all (Mayotte): the page then says « nd » and shows no figure rather than zeros.
    Real data: ``perimetre_banner`` (a partial extract, territories outside it)."""
    if not cache.is_demo():
        return perimetre_banner(terr)
    st.warning(DEMO_TEXT, icon="🧪")
    deps = tuple(d for d in cache.meta().get("demo_sans_donnees", "").split(",") if d)
    if terr is None or not deps or terr.id not in set(cache.named_query("territoires_non_simules", deps=deps)["id"]):
        return False
    st.info(NON_SIMULE_TEXT.format(nom=texte_litteral(terr.nom)), icon="ℹ️")
    return True


def perimetre_banner(terr: Territoire | None = None) -> bool:
    """Say, on every page that shows ESS figures, when the SIRENE data is a partial extract (a sirene.fr export, a
    geolocated file of one département): the départements it covers, and that the territories reaching beyond them
    are « partiel ». True when ``terr`` lies wholly outside it: the page then says « nd » instead of showing zeros."""
    if not cache.has_ess():
        return False
    perimetre = indicators.perimetre_depuis(cache.named_query("perimetre_donnees"))
    if perimetre["complet"]:
        return False
    ids = [terr.id] if terr is not None else []
    etat = indicators.couverture_depuis(cache.named_query("territoires_partiels", ids=ids), ids)
    texte = PARTIEL_TEXT.format(n=len(perimetre["noms"]), noms=texte_litteral(", ".join(perimetre["noms"])))
    if terr is not None and etat[terr.id] == indicators.PARTIEL:
        texte += f" Les chiffres de {texte_litteral(terr.nom)} sont partiels."
    st.warning(texte, icon="🧩")
    if terr is None or etat[terr.id] != indicators.HORS_EXTRAIT:
        return False
    st.info(HORS_EXTRAIT_TEXT.format(nom=texte_litteral(terr.nom)), icon="ℹ️")
    return True


PARTIEL_TEXT = (
    "**Extrait partiel de la base Sirene** — les données chargées couvrent {n} département(s) : {noms}. Leurs "
    "chiffres, ceux de leurs EPCI et de leurs communes sont complets ; ceux des territoires qui en débordent (région, "
    "France, EPCI à cheval sur un autre département) n'en comptent qu'une partie et sont marqués « partiel », et les "
    "classements nationaux ne portent que sur la partie couverte."
)
HORS_EXTRAIT_TEXT = (
    "**{nom} : chiffres non disponibles (nd).** Ce territoire est hors de l'extrait Sirene chargé : ses chiffres "
    "seraient des zéros sans signification. Chargez le fichier de son département (`esscore ingest sirene`)."
)


# ---------------------------------------------------------------------------------- URL parameters


@dataclass(frozen=True)
class Regle:
    """What an open-ended URL parameter accepts (territory identifiers, amounts, free text).

    ``lire`` turns one value of the address into the value to use, or raises ``EssError`` / ``ValueError``
    whose message says why it is refused; ``description`` says in French what is accepted (in the notice).
    """

    lire: Callable[[str], Any]
    description: str


class ValeurCorrigee(ValueError):
    """Raised by a ``Regle`` for a value used once corrected (a search cut to its maximum length): the page
    uses ``valeur`` and the notice says how it was corrected (the message)."""

    def __init__(self, valeur: Any, comment: str) -> None:
        super().__init__(comment)
        self.valeur = valeur


VALEURS_MONTREES = 15  # accepted values listed in a notice; beyond, « … (N valeurs) »


def parametre_url(
    nom: str,
    valeurs_admises: Collection[str] | Regle,
    defaut: Any = None,
    *,
    plusieurs: bool = False,
    separateur: str | None = None,
    maximum: int | None = None,
    normaliser: Callable[[str], str] | None = None,
    nature: str = "warning",
) -> Any:
    """The value(s) of the URL parameter ``nom`` that ``valeurs_admises`` accepts; a French notice for the rest.

    Why one helper for every parameter of every page: links are sent by e-mail and edited by hand, and a
    value the page does not understand must be said (naming the parameter and what it accepts), never
    silently dropped. ``valeurs_admises``: the accepted values (a mapping value → label shows the labels
    too), or a ``Regle``; ``normaliser`` compares values after it (accents, case) and returns the accepted
    spelling. Returns ``defaut`` when the parameter is absent or every value is refused. With ``plusieurs``:
    the accepted values (repeated parameter, each split on ``separateur``), without duplicates, at most
    ``maximum``; an empty list when the parameter is present but empty.
    """
    bruts = [v for v in st.query_params.get_all(nom) if v is not None]
    if separateur is not None:
        bruts = [part.strip() for v in bruts for part in v.split(separateur)]
    bruts = [v for v in bruts if v.strip()]
    if not plusieurs:
        bruts = bruts[-1:]  # the value Streamlit (st.query_params.get) and a bound widget read
    if not bruts:
        return [] if plusieurs and nom in st.query_params else defaut
    gardes: list[Any] = []
    refus: list[tuple[str, str]] = []
    corriges: list[tuple[str, str]] = []
    for brut in bruts:
        try:
            valeur = _admettre(brut, valeurs_admises, normaliser)
        except ValeurCorrigee as corr:
            valeur = corr.valeur
            corriges.append((brut, str(corr)))
        except (EssError, ValueError) as err:
            refus.append((brut, str(err)))
            continue
        if valeur not in gardes:
            gardes.append(valeur)
    if maximum is not None and len(gardes) > maximum:
        refus += [(str(v), f"au-delà des {maximum} premières valeurs") for v in gardes[maximum:]]
        gardes = gardes[:maximum]
    if refus or corriges:
        _avis_parametre(nom, refus, corriges, _admises_texte(valeurs_admises), nature)
    if not gardes:
        return defaut
    return gardes if plusieurs else gardes[0]


def _admettre(brut: str, admises: Collection[str] | Regle, normaliser: Callable[[str], str] | None) -> Any:
    """The value to use for one value of the address; ``ValueError`` (empty message) when it is not accepted."""
    if isinstance(admises, Regle):
        return admises.lire(brut)
    if normaliser is None:
        if brut in admises:
            return brut
    else:
        par_forme = {normaliser(str(v)): v for v in admises}
        if normaliser(brut) in par_forme:
            return par_forme[normaliser(brut)]
    raise ValueError("")


def _admises_texte(admises: Collection[str] | Regle) -> str:
    if isinstance(admises, Regle):
        return admises.description
    libelles = admises if isinstance(admises, Mapping) else {}
    textes = [f"{v} ({libelles[v]})" if libelles.get(v, v) != v else str(v) for v in admises]
    if len(textes) > VALEURS_MONTREES:
        return f"{', '.join(textes[:VALEURS_MONTREES])}… ({len(textes)} valeurs)"
    return ", ".join(textes) if textes else "aucune pour l'instant"


def _avis_parametre(
    nom: str, refus: list[tuple[str, str]], corriges: list[tuple[str, str]], admises: str, nature: str
) -> None:
    """« Paramètre « famille » de l'adresse, valeur ignorée : « Bidon ». Valeurs admises : … »."""
    parties = []
    for valeurs, etat in ((refus, "ignorée"), (corriges, "corrigée")):
        if valeurs:
            s = "s" if len(valeurs) > 1 else ""
            details = " ; ".join(f"« {apercu(v)} »" + (f" — {r.rstrip('. ')}" if r else "") for v, r in valeurs)
            parties.append(f"valeur{s} {etat}{s} : {details}")
    alerte(f"Paramètre « {nom} » de l'adresse, {' ; '.join(parties)}. Valeurs admises : {admises}.", nature)


def texte_libre(longueur_max: int) -> Regle:
    """Free text (a search) of at most ``longueur_max`` characters: a longer one is cut (as Streamlit's text
    field does with ``max_chars``) and the notice says so."""

    def lire(brut: str) -> str:
        if len(brut) > longueur_max:
            raise ValeurCorrigee(brut[:longueur_max], f"{len(brut)} caractères, coupée à {longueur_max}")
        return brut

    return Regle(lire, f"un texte de {longueur_max} caractères au plus")


TERRITOIRE_ADMIS = (
    f"un identifiant TYPE:CODE, TYPE parmi {', '.join(TYPES)} (ex. commune:79191, epci:200041317, "
    "departement:79, region:75, france), ou un territoire choisi dans la barre latérale"
)


def regle_pairs(terr: Territoire, suggeres: list[str]) -> Regle:
    """A peer in the address (``pairs``, Comparaisons and Évolution): a known territory of the same level, not the
    territory itself (the rules of ``comparaison.parse_pairs``, which the deck and the CLI apply too)."""
    niveau = TYPE_LABELS[terr.type] if terr.type == "epci" else TYPE_LABELS[terr.type].lower()

    def lire(brut: str) -> str:
        kind, code = parse_id(brut)  # TerritoireInconnu says what is wrong with the syntax
        if kind != terr.type:
            raise ValueError(f"pas du même niveau que le territoire ({niveau})")
        if f"{kind}:{code}" == terr.id:
            raise ValueError("c'est le territoire étudié")
        valides, _ = comparaison.parse_pairs(cache.con(), terr, f"{kind}:{code}", limit=1)
        if not valides:
            raise ValueError("territoire inconnu (millésime 2026)")
        return valides[0]

    exemple = f", ex. {','.join(suggeres[:2])}" if suggeres else ""
    return Regle(lire, f"jusqu'à {comparaison.MAX_PAIRS} identifiants de territoires de même niveau ({niveau}) "
                       f"séparés par des virgules{exemple}")  # fmt: skip


def current_territoire_id() -> str:
    """Territory from the URL, else from the session, else the default."""
    from_url = st.query_params.get("territoire")
    if from_url:
        return str(from_url)
    return str(st.session_state.get("territoire", DEFAULT_TERRITOIRE))


def garder_territoire() -> None:
    """Put the session's territory back into the address of a page opened without one.

    Why: the sidebar's page links carry no parameter, so the territory chosen on one page would vanish from
    the address (and from Benchmark, which shows it only when the address has one) on the next page.
    """
    choisi = st.session_state.get("territoire")
    if choisi and not st.query_params.get("territoire"):
        st.query_params["territoire"] = choisi


def _territoire_demande() -> Territoire | None:
    """The territory of the address (None and an error naming the parameter when refused), else the session's."""
    if st.query_params.get("territoire"):
        return parametre_url("territoire", Regle(cache.territoire, TERRITOIRE_ADMIS), nature="error")
    try:
        return cache.territoire(str(st.session_state.get("territoire", DEFAULT_TERRITOIRE)))
    except EssError:  # a session's choice the rebuilt database no longer knows
        return cache.territoire(DEFAULT_TERRITOIRE)


def territory_picker(key: str = "picker") -> Territoire | None:
    """Search box + result list in the sidebar; keeps ``?territoire=TYPE:CODE`` in the URL.

    Returns None (after showing a French message) when the URL carries an invalid identifier.
    """
    terr = _territoire_demande()
    with st.sidebar:
        st.markdown("**Territoire**")
        if terr is not None:
            st.caption(f"{TYPE_LABELS[terr.type]} · {texte_litteral(terr.libelle)}")
        text = st.text_input("Rechercher une commune, un EPCI, un département…", key=f"{key}_q",
                             placeholder="ex. Niort, Roumois, 79, Bretagne")  # fmt: skip
        if text:
            found = cache.search(text)
            if found.empty:
                st.caption("Aucun territoire trouvé.")
            else:
                libelles = found["libelle"].map(texte_litteral) + " · " + found["type"].map(TYPE_LABELS)
                options = dict(zip(libelles, found["id"], strict=True))  # radio options are Markdown
                choice = st.radio("Résultats", list(options), key=f"{key}_r", label_visibility="collapsed")
                if choice and options[choice] != (terr.id if terr else None):
                    if st.button("Afficher ce territoire", key=f"{key}_go", type="primary"):
                        _select(options[choice])
        if terr is not None and terr.parents:
            st.caption("Remonter :")
            for p in terr.parents:
                pid = f"{p['type']}:{p['code']}"
                if st.button(f"{TYPE_LABELS[p['type']]} · {texte_litteral(p['nom'])}", key=f"{key}_p_{pid}"):
                    _select(pid)
    if terr is not None:
        st.session_state["territoire"] = terr.id
        if st.query_params.get("territoire") != terr.id:
            st.query_params["territoire"] = terr.id
        if terr.alias_de:
            alerte(f"Le code demandé est {phrases.alias_rattache(terr.alias_de, terr.libelle)}.", "info")
    return terr


def page_link(url_path: str, titre: str) -> None:
    """Link to a registered page keeping the territory; a plain link when the page runs alone (tests)."""
    terr = st.session_state.get("territoire")
    try:
        st.page_link(f"pages/{url_path.replace('-', '_')}.py", label=f"**{titre}**",
                     query_params={"territoire": terr} if terr else None)  # fmt: skip
    except StreamlitPageNotFoundError:
        st.markdown(f"[**{titre}**](/{url_path})")


def _select(territoire_id: str) -> None:
    st.session_state["territoire"] = territoire_id
    st.query_params["territoire"] = territoire_id
    st.rerun()


def source_caption(text: str) -> None:
    """« Source : … (millésime …) » under a figure, in one consistent style."""
    st.caption(f"Source : {text}")


__all__ = [
    "FRANCE_ID",
    "Regle",
    "alerte",
    "current_territoire_id",
    "demo_banner",
    "garder_territoire",
    "parametre_url",
    "regle_pairs",
    "source_caption",
    "territory_picker",
    "texte_libre",
    "ValeurCorrigee",
]
