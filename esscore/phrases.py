"""Automatic French sentences describing a territory's position, generated from the data.

Nothing here is written per territory: names get an article from their type (and, for départements,
from the official COG liaison type), numbers are formatted the French way, ranks are ordinals.
Pure functions returning plain text (callers escape it for Markdown).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Sequence

from esscore.indicators import SECRET
from esscore.labels import fmt_dec, fmt_int, fmt_pct, fmt_value, typographie

# COG « type de nom en clair » (TNCC) of each département: 0 « de », 1 « d' », 2 « du », 3 « de la »,
# 4 « des », 5 « de l' » (article of the name, e.g. « le département des Deux-Sèvres »).
_TNCC_DEPARTEMENTS = dict(item.split(":") for item in (
    "01:5 02:5 03:5 04:4 05:4 06:4 07:5 08:4 09:5 10:5 11:5 12:5 13:4 14:2 15:2 16:3 17:3 18:2 19:3 21:3 22:4 "
    "23:3 24:3 25:2 26:3 27:5 28:1 29:2 2A:3 2B:3 30:2 31:3 32:2 33:3 34:5 35:1 36:5 37:1 38:5 39:2 40:4 41:2 "
    "42:3 43:3 44:3 45:2 46:2 47:2 48:3 49:0 50:3 51:3 52:3 53:3 54:0 55:3 56:2 57:3 58:3 59:2 60:5 61:5 62:2 "
    "63:2 64:4 65:4 66:4 67:2 68:2 69:2 70:3 71:0 72:3 73:3 74:3 75:0 76:3 77:0 78:4 79:4 80:3 81:2 82:2 83:2 "
    "84:2 85:3 86:3 87:3 88:4 89:5 90:2 91:5 92:4 93:3 94:2 95:2 971:3 972:3 973:3 974:0 976:0"
).split())  # fmt: skip
_LIAISON = {"0": "de ", "1": "d'", "2": "du ", "3": "de la ", "4": "des ", "5": "de l'"}
_VOYELLES = "AEIOUYÂÀÉÈÊËÎÏÔÖÛÜŒaeiouyâàéèêëîïôöûüœ"
_EPCI_FEMININ = ("CC ", "CA ", "CU ", "Communauté ", "Métropole ")

# How each indicator reads after « Avec … » (singular, plural).
_FORMES: dict[str, tuple[str, str]] = {
    "etablissements": ("établissement de l'ESS", "établissements de l'ESS"),
    "etablissements_employeurs": ("établissement employeur de l'ESS", "établissements employeurs de l'ESS"),
    "salaries_estimes": ("salarié estimé dans l'ESS", "salariés estimés dans l'ESS"),
    "part_emploi_prive": ("de l'emploi salarié privé dans l'ESS", "de l'emploi salarié privé dans l'ESS"),
    "etablissements_pour_1000_hab": ("établissement de l'ESS pour 1\u202f000 habitants",
                                     "établissements de l'ESS pour 1\u202f000 habitants"),
    "employeurs_pour_1000_hab": ("établissement employeur de l'ESS pour 1\u202f000 habitants",
                                 "établissements employeurs de l'ESS pour 1\u202f000 habitants"),
    "salaries_pour_1000_hab": ("salarié de l'ESS pour 1\u202f000 habitants",
                               "salariés de l'ESS pour 1\u202f000 habitants"),
}  # fmt: skip
# Count behind each indicator, to say « aucun … » when it is zero.
_COMPTE_DE = {"etablissements": "etablissements", "etablissements_employeurs": "etablissements_employeurs",
              "salaries_estimes": "salaries_estimes", "etablissements_pour_1000_hab": "etablissements",
              "employeurs_pour_1000_hab": "etablissements_employeurs",
              "salaries_pour_1000_hab": "salaries_estimes"}  # fmt: skip
# Only rates and shares are compared with an average; counts are compared by rank only.
TAUX = ("part_emploi_prive", "etablissements_pour_1000_hab", "employeurs_pour_1000_hab", "salaries_pour_1000_hab")
_ADJECTIFS = {"commune": "communale", "epci": "intercommunale", "departement": "départementale",
              "region": "régionale", "france": "nationale"}  # fmt: skip
NIVEAUX_PLURIEL = {"commune": "communes", "epci": "EPCI", "departement": "départements", "region": "régions",
                   "france": "pays"}  # fmt: skip
NIVEAUX_SINGULIER = {"commune": "commune", "epci": "EPCI", "departement": "département", "region": "région",
                     "france": "pays"}  # fmt: skip
TOLERANCE = 0.05  # within ±5 % of the reference: « au niveau de »


def _is_number(value: object) -> bool:
    if value is None or value == SECRET or isinstance(value, str):
        return False
    try:
        return not math.isnan(float(value))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False


def majuscule(text: str) -> str:
    return text[:1].upper() + text[1:]


def minuscule(text: str) -> str:
    """First letter in lower case, acronyms kept: « Part de l'ESS » → « part de l'ESS », « EPCI » unchanged."""
    if len(text) > 1 and text[1].isupper():
        return text
    return text[:1].lower() + text[1:]


def ordinal(n: int) -> str:
    """1 → « 1er », 2 → « 2e » (rang is masculine)."""
    return "1er" if n == 1 else f"{fmt_int(n)}e"


def ex_aequo(rang: tuple[int, ...]) -> str:
    """« ex æquo » (with its leading no-break space) when the place is shared (``comparaison.Rang``)."""
    return "\u00a0ex æquo" if len(rang) > 2 and rang[2] else ""


def rang_ordinal(rang: tuple[int, ...]) -> str:
    """« 3e », or « 3e ex æquo » when other territories have the same figure: how every rank is written."""
    return ordinal(rang[0]) + ex_aequo(rang)


def ensemble(rang: tuple[int, ...]) -> int:
    """The territories compared, ranked or not (``comparaison.Rang.ensemble``; the ranked ones if unknown)."""
    return max(rang[3] if len(rang) > 3 else 0, rang[1])


def hors_classement(rang: tuple[int, ...], unite: str = "") -> str:
    """« , hors 12 communes sans chiffre (secret statistique ou chiffre non calculable) » when some compared
    territories are not ranked, so that a sentence names one total: all of them (``ensemble``)."""
    n = ensemble(rang) - rang[1]
    if n <= 0:
        return ""
    qui = f"{fmt_int(n)} {unite} " if unite else f"{fmt_int(n)} "
    return f", hors {qui}sans chiffre (secret statistique ou chiffre non calculable)"


def de(text: str) -> str:
    """« de » + a noun phrase, with contraction and elision: du, des, de la, de l', d'."""
    low = text.lower()
    if low.startswith("le "):
        return "du " + text[3:]
    if low.startswith("les "):
        return "des " + text[4:]
    if low.startswith("la ") or low.startswith("l'"):
        return "de " + text
    if text[:1] in _VOYELLES:
        return "d'" + text
    return "de " + text


def _de_commune(nom: str) -> str:
    """« de Niort », « du Mans », « des Groseillers », « de La Rochelle », « d'Angers »."""
    if nom.startswith("Le "):
        return "du " + nom[3:]
    if nom.startswith("Les "):
        return "des " + nom[4:]
    return de(nom) if not nom.startswith(("La ", "L'")) else "de " + nom


def designation(type_: str, nom: str, code: str | None = None) -> str:
    """The territory as a noun phrase with its article: « la commune de Niort », « la CA du Niortais »,
    « le département des Deux-Sèvres », « la région Nouvelle-Aquitaine », « la France »."""
    if type_ == "commune":
        return f"la commune {_de_commune(nom)}"
    if type_ == "epci":
        if nom.startswith(_EPCI_FEMININ):
            return f"la {nom}"
        if nom.startswith("Eurométropole"):
            return f"l'{nom}"
        return nom if "Métropole" in nom or "Agglo" in nom else f"l'EPCI {nom}"
    if type_ == "departement":
        liaison = _LIAISON.get(_TNCC_DEPARTEMENTS.get(code or "", ""))
        return f"le département {liaison}{nom}" if liaison else f"le département {_de_commune(nom)}"
    if type_ == "region":
        return f"la région {nom}"
    return "la France"


def alias_rattache(alias_de: str, libelle: str) -> str:
    """« un arrondissement municipal « Paris 12e Arrondissement » (75112), rattaché à Paris (75056) »: what
    an old, delegated or arrondissement code designates, with its article and agreement (no « rattaché(e) »)."""
    feminin = alias_de.startswith("commune")  # commune (déléguée, associée) or arrondissement municipal
    return typographie(f"{'une' if feminin else 'un'} {alias_de}, rattaché{'e' if feminin else ''} à {libelle}")


def position(valeur: float, reference: float, tolerance: float = TOLERANCE) -> str:
    """« au-dessus », « en dessous » or « au niveau » (within ±5 %) of a reference."""
    if reference == 0:
        return "au niveau" if valeur == 0 else "au-dessus"
    ecart = (valeur - reference) / abs(reference)
    if abs(ecart) <= tolerance:
        return "au niveau"
    return "au-dessus" if ecart > 0 else "en dessous"


def en_francais(phrase: Callable[..., str]) -> Callable[..., str]:
    """French typography (``labels.typographie``) on a sentence builder's result: the deck, the CLI and the pages
    then print the very same sentence, « (s) : » and « 14 % » unbreakable."""

    @functools.wraps(phrase)
    def typographiee(*args: object, **kwargs: object) -> str:
        return typographie(phrase(*args, **kwargs))

    return typographiee


def valeur_texte(indicator: str, value: object) -> str:
    """« 4,5 établissements employeurs de l'ESS pour 1\u202f000 habitants », « 26,0 % de l'emploi… »."""
    singulier, pluriel = _FORMES.get(indicator, ("", ""))
    number = fmt_value(indicator, value)
    forme = singulier if _is_number(value) and abs(float(value)) < 2 else pluriel  # type: ignore[arg-type]
    return f"{number} {forme}".strip()


def _references_texte(indicator: str, valeur: float, references: Sequence[tuple[str, object]]) -> str:
    """« au-dessus des moyennes régionale (3,1) et nationale (2,9) », grouped by position."""
    groupes: dict[str, list[str]] = {}
    for role, ref in references:
        if not _is_number(ref):
            continue
        pos = position(valeur, float(ref))  # type: ignore[arg-type]
        groupes.setdefault(pos, []).append(f"{_ADJECTIFS.get(role, role)} ({fmt_value(indicator, ref)})")
    parts = []
    for pos in ("au-dessus", "au niveau", "en dessous"):
        items = groupes.get(pos)
        if not items:
            continue
        if len(items) == 1:
            parts.append(f"{pos} de la moyenne {items[0]}")
        else:
            parts.append(f"{pos} des moyennes {', '.join(items[:-1])} et {items[-1]}")
    if len(parts) > 1:
        return ", ".join(parts[:-1]) + ", mais " + parts[-1]
    return parts[0] if parts else ""


@en_francais
def phrase_position(
    indicator: str,
    type_: str,
    nom: str,
    code: str | None,
    valeur: object,
    references: Sequence[tuple[str, object]] = (),
    rang: tuple[int, ...] | None = None,
    contexte: str = "territoires comparés",
) -> str:
    """« Avec 4,5 établissements employeurs de l'ESS pour 1\u202f000 habitants, la CA du Niortais se situe
    au-dessus de la moyenne régionale (3,1) et au 2e rang des 9 territoires comparés. »

    ``references``: (role, value) pairs, role in commune/epci/departement/region/france; ``rang``: (rank, ranked
    territories[, ex æquo[, territories compared]]) (``comparaison.Rang``).
    """
    qui = designation(type_, nom, code)
    if valeur == SECRET:
        return (f"Pour {qui}, le chiffre « {_FORMES.get(indicator, ('', indicator))[1]} » est couvert par le "
                "secret statistique (s).")  # fmt: skip
    if not _is_number(valeur):
        return f"L'indicateur n'est pas disponible pour {qui}."
    if float(valeur) == 0 and indicator in _COMPTE_DE:  # type: ignore[arg-type]
        # Nothing to situate: a zero is tied with every other empty territory, its rank says nothing.
        return f"Aucun {_FORMES[_COMPTE_DE[indicator]][0]} n'est recensé dans {qui}."
    refs = _references_texte(indicator, float(valeur), references) if indicator in TAUX else ""  # type: ignore[arg-type]
    classement = (
        f"au {ordinal(rang[0])} rang{ex_aequo(rang)} des {fmt_int(ensemble(rang))} {contexte}{hors_classement(rang)}"
        if rang and rang[1] > 1
        else ""
    )
    if not refs and not classement:
        return f"{majuscule(qui)} compte {valeur_texte(indicator, valeur)}."
    debut = f"Avec {valeur_texte(indicator, valeur)}, {qui}"
    if refs and classement:
        return f"{debut} se situe {refs}, et se classe {classement}."
    return f"{debut} se situe {refs}." if refs else f"{debut} se classe {classement}."


@en_francais
def phrase_emploi(
    type_: str,
    nom: str,
    code: str | None,
    part: object,
    salaries: object,
    references: Sequence[tuple[str, str, str | None, object]] = (),
) -> str:
    """« L'ESS représente 21,7 % de l'emploi salarié privé de la CA du Niortais (7 575 salariés estimés),
    contre 15,3 % pour la région Nouvelle-Aquitaine et 13,9 % pour la France. »

    ``references``: (type, nom, code, part) tuples.
    """
    qui = designation(type_, nom, code)
    if part == SECRET or salaries == SECRET:
        return (f"Les effectifs salariés de l'ESS {de(qui)} sont couverts par le secret statistique (s) : "
                "trop peu d'établissements employeurs, ou un seul établissement prépondérant.")  # fmt: skip
    if not _is_number(part):
        return f"La part de l'ESS dans l'emploi salarié privé n'est pas disponible pour {qui}."
    texte = f"L'ESS représente {fmt_pct(float(part))} de l'emploi salarié privé {de(qui)}"  # type: ignore[arg-type]
    if _is_number(salaries):
        n = float(salaries)  # type: ignore[arg-type]
        texte += f" ({fmt_int(n)} salarié{'s' if n >= 2 else ''} estimé{'s' if n >= 2 else ''})"
    refs = [f"{fmt_pct(float(p))} pour {designation(t, n, c)}" for t, n, c, p in references if _is_number(p)]  # type: ignore[arg-type]
    if refs:
        texte += ", contre " + (", ".join(refs[:-1]) + " et " + refs[-1] if len(refs) > 1 else refs[0])
    return texte + "."


@en_francais
def phrase_familles(type_: str, nom: str, code: str | None, familles: Sequence[tuple[str, float]]) -> str:
    """« Les associations regroupent 78 % des établissements employeurs de l'ESS de la CA du Niortais,
    devant les coopératives (16 %). » — ``familles``: (family, employer establishments)."""
    qui = designation(type_, nom, code)
    valides = [(f, float(n)) for f, n in familles if _is_number(n) and float(n) > 0]
    total = sum(n for _, n in valides)
    if not total:
        return f"Aucun établissement employeur de l'ESS n'est recensé dans {qui}."
    valides.sort(key=lambda item: -item[1])
    premiere, n1 = valides[0]
    nom_famille = _famille_pluriel(premiere)
    texte = (
        f"{majuscule(nom_famille)} regroupent {fmt_pct(n1 / total, 0)} des établissements employeurs de l'ESS {de(qui)}"
    )
    if len(valides) > 1:
        seconde, n2 = valides[1]
        texte += f", devant {_famille_pluriel(seconde)} ({fmt_pct(n2 / total, 0)})"
    return texte + "."


def _famille_pluriel(famille: str) -> str:
    return {"Sociétés commerciales de l'ESS": "les sociétés commerciales de l'ESS"}.get(
        famille, f"les {famille.lower()}"
    )


@en_francais
def phrase_concentration(type_: str, nom: str, code: str | None, concentration: dict, unite: str = "communes") -> str:
    """« Niort concentre 38 % des établissements employeurs de l'ESS ; 35 des 40 communes en accueillent
    au moins un. »"""
    n = int(concentration.get("communes") or 0)
    avec = int(concentration.get("communes_avec_employeur") or 0)
    principale = concentration.get("commune_principale")
    part = concentration.get("part_commune_principale")
    if n <= 1:
        return ""
    if not avec:
        return f"Aucune des {fmt_int(n)} {unite} n'accueille d'établissement employeur de l'ESS."
    texte = ""
    if principale and _is_number(part):
        qui = de(designation(type_, nom, code))
        texte = f"{principale} concentre {fmt_pct(float(part), 0)} des établissements employeurs de l'ESS {qui} ; "  # type: ignore[arg-type]
    accord = "en accueille" if avec == 1 else "en accueillent"
    suite = f"{fmt_int(avec)} des {fmt_int(n)} {unite} {accord} au moins un."
    return texte + suite if texte else majuscule(suite)


# The set a national rank counts: every territory of the level, or those a partial SIRENE extract covers wholly
# (``comparaison.niveau_classe``).
ENSEMBLE_NATIONAL = "de France"
ENSEMBLE_EXTRAIT = "du périmètre de l'extrait Sirene"


def ensemble_classe(partiel: bool) -> str:
    return ENSEMBLE_EXTRAIT if partiel else ENSEMBLE_NATIONAL


@en_francais
def phrase_rang_national(
    indicator: str,
    type_: str,
    nom: str,
    code: str | None,
    rang: tuple[int, ...] | None,
    valeur: object = None,
    ensemble_de: str = ENSEMBLE_NATIONAL,
) -> str:
    """« Parmi les 1 254 EPCI de France, la CA du Niortais est au 45e rang pour les établissements employeurs… »;
    ``ensemble_de`` names the set ranked (« du périmètre de l'extrait Sirene » for a partial extract)."""
    if not rang or rang[1] <= 1 or type_ == "france" or valeur == 0:
        return ""
    forme = _FORMES.get(indicator, ("", indicator))[1]
    quoi = "la part de l'ESS dans l'emploi salarié privé" if indicator == "part_emploi_prive" else f"les {forme}"
    if indicator in ("salaries_estimes",):
        quoi = "les salariés estimés de l'ESS"
    niveau = NIVEAUX_PLURIEL.get(type_, type_)
    n_hors = ensemble(rang) - rang[1]
    unite = niveau if n_hors > 1 else NIVEAUX_SINGULIER.get(type_, type_)
    return (f"Parmi les {fmt_int(ensemble(rang))} {niveau} {ensemble_de}, {designation(type_, nom, code)} "
            f"est au {ordinal(rang[0])} rang{ex_aequo(rang)} pour {quoi}{hors_classement(rang, unite)}.")  # fmt: skip


# ---------------------------------------------------------------------------------------------- evolution (issue 19)

# How each counted indicator reads after a change (« +4,2 % de salariés estimés dans l'ESS »).
_EVOLUTION_DE: dict[str, str] = {
    "etablissements": "d'établissements de l'ESS",
    "etablissements_employeurs": "d'établissements employeurs de l'ESS",
    "salaries_estimes": "de salariés estimés dans l'ESS",
}
MOINS = "\u2212"  # a change's minus sign (« −1,3 % »), not the hyphen


def signe(texte: str, valeur: float) -> str:
    """A formatted change with its sign: « +4,2 % », « −1,3 % », « 0 »."""
    texte = texte.lstrip("-\u2212")
    return f"+{texte}" if valeur > 0 else f"{MOINS}{texte}" if valeur < 0 else texte


def variation_texte(indicator: str, variation: dict | None) -> str:
    """« +4,2 % » for a count, « +0,5 point » for a share (gap in points), « – » when it cannot be computed."""
    if not variation:
        return "–"
    if indicator == "part_emploi_prive":
        points = round(100 * variation["ecart"], 1)
        return f"{signe(fmt_dec(abs(points)), points)} point{'s' if abs(points) >= 2 else ''}"
    taux = variation.get("taux")
    if taux is None:
        return "–"
    return signe(fmt_pct(abs(taux)), round(taux, 3))


def _dans(type_: str, nom: str, code: str | None) -> str:
    """« dans la CA du Niortais », « en France »."""
    return "en France" if type_ == "france" else f"dans {designation(type_, nom, code)}"


def phrase_evolution(
    indicator: str,
    type_: str,
    nom: str,
    code: str | None,
    depuis: str,
    variation: dict | None,
    references: Sequence[tuple[str, str, str | None, dict | None]] = (),
    secret: bool = False,
) -> str:
    """« Depuis 2015, +4,2 % de salariés estimés dans l'ESS dans la CA du Niortais (de 11 800 à 12 300), contre
    +2,1 % pour la région Nouvelle-Aquitaine et +1,5 % pour la France. » For the share, the gap in points.

    ``variation``: ``esscore.evolution.variation`` (debut, fin, ecart, taux); ``references``: (type, nom, code,
    variation) of the parents; ``depuis``: the first vintage's name (« 2015 »).
    """
    qui = designation(type_, nom, code)
    if secret:
        return typographie(f"Les effectifs salariés de l'ESS {de(qui)} sont couverts par le secret statistique (s) : "
                           "leur évolution n'est pas publiée.")  # fmt: skip
    if not variation or (indicator != "part_emploi_prive" and variation.get("taux") is None):
        return f"L'évolution n'est pas calculable pour {qui} : aucun chiffre au premier millésime ({depuis})."
    refs = [f"{variation_texte(indicator, v)} pour {designation(t, n, c)}" for t, n, c, v in references if v]
    contre = (", contre " + (", ".join(refs[:-1]) + " et " + refs[-1] if len(refs) > 1 else refs[0])) if refs else ""
    bornes = f"de {fmt_value(indicator, variation['debut'])} à {fmt_value(indicator, variation['fin'])}"
    if indicator == "part_emploi_prive":
        texte = (f"Depuis {depuis}, la part de l'ESS dans l'emploi salarié privé {de(qui)} est passée {bornes} "
                 f"({variation_texte(indicator, variation)}){contre}.")  # fmt: skip
    else:
        texte = (f"Depuis {depuis}, {variation_texte(indicator, variation)} {_EVOLUTION_DE[indicator]} "
                 f"{_dans(type_, nom, code)} ({bornes}){contre}.")  # fmt: skip
    return typographie(texte)


def phrase_mouvements(type_: str, nom: str, code: str | None, annees: Sequence[tuple[int, int, int]],
                      annee: int) -> str:  # fmt: skip
    """« En 2024, 52 établissements de l'ESS ont été créés dans la CA du Niortais et 18 ont fermé (solde +34) ; de
    2011 à 2025, 480 créations pour 160 fermetures. » — ``annees``: (année, créations, fermetures)."""
    par_annee = {a: (c, f) for a, c, f in annees}
    if not par_annee:
        return f"Aucune création ni fermeture d'établissement de l'ESS n'est recensée {_dans(type_, nom, code)}."
    creees, fermees = par_annee.get(annee, (0, 0))
    solde = signe(fmt_int(creees - fermees), creees - fermees)
    texte = (f"En {annee}, {fmt_int(creees)} établissement{'s' if creees >= 2 else ''} de l'ESS "
             f"{'ont' if creees >= 2 else 'a'} été créé{'s' if creees >= 2 else ''} {_dans(type_, nom, code)} et "
             f"{fmt_int(fermees)} {'ont' if fermees >= 2 else 'a'} fermé (solde {solde})")  # fmt: skip
    total_c, total_f = sum(c for c, _ in par_annee.values()), sum(f for _, f in par_annee.values())
    texte += (f" ; de {min(par_annee)} à {max(par_annee)}, {fmt_int(total_c)} création{'s' if total_c >= 2 else ''} "
              f"pour {fmt_int(total_f)} fermeture{'s' if total_f >= 2 else ''}.")  # fmt: skip
    return typographie(texte)


def phrase_rang_evolution(type_: str, nom: str, code: str | None, rang: tuple[int, ...] | None, hausse: bool) -> str:
    """« Parmi les 9 territoires comparés, la CA du Niortais a la 3e plus forte progression. » (``rang``: the rank of
    the change, highest first: ``comparaison.Rang``); empty without a rank."""
    if not rang or rang[1] <= 1:
        return ""
    quoi = "progression" if hausse else "évolution"
    qui = designation(type_, nom, code)
    if rang[0] == 1:
        return typographie(f"Parmi les {fmt_int(ensemble(rang))} territoires comparés, {qui} a la plus forte "
                           f"{quoi}{ex_aequo(rang)}{hors_classement(rang)}.")  # fmt: skip
    return typographie(f"Parmi les {fmt_int(ensemble(rang))} territoires comparés, {qui} a la {ordinal(rang[0])} "
                       f"plus forte {quoi}{ex_aequo(rang)}{hors_classement(rang)}.")  # fmt: skip
