"""French labels and number formats shared by pages, charts and exports (babel, locale fr_FR)."""

from __future__ import annotations

import datetime as dt
import math
import re

from babel.dates import format_date
from babel.numbers import format_decimal, format_percent

from esscore.indicators import INDICATEURS, SECRET

LOCALE = "fr_FR"
PERCENT_INDICATORS = ("part_emploi_prive", "part_ess_secteur", "part_emploi_salarie")
RATIO_INDICATORS = ("etablissements_pour_1000_hab", "employeurs_pour_1000_hab", "salaries_pour_1000_hab")
# French typography: a narrow no-break space (U+202F) before « % », « : », « ; », « ! », « ? » and « » », after « « »
# and between digit groups (« 1 000 »), so that « (14 %) » or « Source : » never breaks across lines. The one
# rule, applied by ``typographie`` (and by ``fmt_pct``, babel's numbers already group with it).
ESPACE_FINE = "\u202f"
_AVANT = re.compile(r"[ \u00a0](?=[%:;!?»])")
_APRES = re.compile(r"(?<=«)[ \u00a0]")
_NOMBRE_GROUPE = re.compile(r"\b\d{1,3}(?: \d{3})+\b")  # « 1 000 », « 12 345 678 »; not « en 2023 100 »


def typographie(texte: str) -> str:
    """The plain spaces around French high punctuation and inside numbers made narrow and unbreakable.

    Apply to plain text before any Markdown escaping (``text.texte_litteral`` escapes the punctuation).
    """
    texte = _APRES.sub(ESPACE_FINE, _AVANT.sub(ESPACE_FINE, texte))
    return _NOMBRE_GROUPE.sub(lambda m: m.group().replace(" ", ESPACE_FINE), texte)


def fmt_int(value: float | None) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return format_decimal(round(float(value)), locale=LOCALE)


def fmt_dec(value: float | None, digits: int = 1) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return format_decimal(round(float(value), digits), format=f"#,##0.{'0' * digits}", locale=LOCALE)


def fmt_pct(value: float | None, digits: int = 1) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return format_percent(float(value), format=f"#,##0.{'0' * digits}{ESPACE_FINE}%", locale=LOCALE)


def accord(n: float, singulier: str, pluriel: str | None = None) -> str:
    """The word agreed with a number, the French way (plural from 2): never « fiche(s) », « rattaché(e) »."""
    return singulier if abs(n) < 2 else (pluriel or f"{singulier}s")


def compte(n: float, singulier: str, pluriel: str | None = None) -> str:
    """« 1 fiche », « 0 fiche », « 1 254 fiches »: a formatted count and its agreed noun."""
    return f"{fmt_int(n)} {accord(n, singulier, pluriel)}"


def decimales(indicator: str) -> int:
    """Decimals an indicator is shown with: one for shares (in percent) and ratios, none for counts."""
    return 1 if indicator in PERCENT_INDICATORS or indicator in RATIO_INDICATORS else 0


def arrondi(indicator: str, value: object) -> float | int | None:
    """An indicator's value as displayed, as a number: the one rounding step of pages, deck, CLI and exports.

    Shares become percentages with one decimal (0.17856 → 17.9), ratios keep one decimal, counts and
    estimates are whole; None for a missing, secret or non-numeric value.
    """
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    if math.isnan(number):
        return None
    if indicator in PERCENT_INDICATORS:
        number *= 100
    digits = decimales(indicator)
    return round(number, digits) if digits else round(number)


def fmt_value(indicator: str, value: object) -> str:
    """Format any indicator value, « s » for secret figures; rounded by ``arrondi`` only."""
    if value == SECRET:
        return SECRET
    nombre = arrondi(indicator, value)
    if indicator in PERCENT_INDICATORS:
        return fmt_pct(None if nombre is None else nombre / 100)
    if indicator in RATIO_INDICATORS:
        return fmt_dec(nombre)
    return fmt_int(nombre)


def fmt_unite(unite: str | None, value: object) -> str:
    """Format a value by its unit (``part``, ``ratio``, else a count), « s » for secret figures: the
    published-figure estimates of ``esscore.publies``."""
    if value == SECRET:
        return SECRET
    if unite == "part":
        return fmt_pct(value)  # type: ignore[arg-type]
    if unite == "ratio":
        return fmt_dec(value)  # type: ignore[arg-type]
    return fmt_int(value)  # type: ignore[arg-type]


def fmt_publie(valeur: object, unite: str) -> str:
    """A published figure with its unit: « 545 établissements », « 26 % », « 4,5 pour 1 000 habitants »
    (a share is a fraction when ``unite`` is ``part``, a percentage when it is ``%``)."""
    try:
        number = float(valeur)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return f"{'' if valeur is None else valeur} {unite}".strip()
    if math.isnan(number):
        return "non disponible"
    if unite in ("part", "%"):
        share = number if unite == "part" else number / 100
        return fmt_pct(share, 0 if round(share * 100, 6).is_integer() else 1)
    text = fmt_int(number) if number.is_integer() else fmt_dec(number)
    return f"{text} {unite}".strip()


def indicator_label(indicator: str) -> str:
    """« Établissements employeurs pour 1 000 habitants » (digits grouped with a no-break space)."""
    return typographie(INDICATEURS.get(indicator, indicator))


SECRET_EXPLICATION = (
    "« s » : secret statistique. Un chiffre d'effectifs n'est pas affiché quand il repose sur moins de "
    "3 établissements employeurs ou qu'un seul établissement en représente plus de 85 % (secret primaire), ni "
    "quand il permettrait de retrouver par différence un chiffre ainsi masqué (secret complémentaire)."
)


def fmt_date(iso: str | None) -> str:
    """« 2025-11-30 » → « 30 novembre 2025 » (French long date); text that is not an ISO date is returned as is."""
    if not iso:
        return ""
    try:
        jour = dt.date.fromisoformat(str(iso)[:10])
    except ValueError:
        return str(iso)
    return format_date(jour, format="long", locale="fr_FR")


def fmt_horodatage(iso: str | None) -> str:
    """« 2025-12-05T05:02:31 » → « 5 décembre 2025 à 5 h 02 »; only the date when there is no time."""
    texte = fmt_date(iso)
    try:
        moment = dt.datetime.fromisoformat(str(iso))
    except (TypeError, ValueError):
        return texte
    return f"{texte} à {moment.hour} h {moment.minute:02d}" if "T" in str(iso) or " " in str(iso) else texte


def millesime_sirene(date_stock: str | None, annee_effectifs: str | int | None) -> str:
    """Vintage of figures read from SIRENE: the headcount bands' year and the stock date, both.

    « effectifs 2023, stock Sirene au 30 novembre 2025 »: the bands describe an earlier year than the stock
    (``anneeEffectifsEtablissement``), and every figure built on them says so.
    """
    stock = f"stock Sirene au {fmt_date(date_stock)}" if date_stock else "stock Sirene (date inconnue)"
    return f"effectifs {annee_effectifs}, {stock}" if annee_effectifs else stock
