"""French display of the deck's values and texts: shortened names, numbers, dates, shares, roadmap measures.

No drawing here (neither python-pptx nor Altair): the charts (``graphiques``) and the slides (``diapos``)
share these helpers, so a figure reads the same on a chart label, a card and a table.
"""

from __future__ import annotations

import math
from datetime import date
from typing import Any

import pandas as pd
from babel.dates import format_date

from esscore import indicators, labels


def court(texte: Any, n: int) -> str:
    """At most ``n`` characters, cut at a word boundary when one is close, with an ellipsis."""
    s = " ".join(str(texte or "").split())
    if len(s) <= n:
        return s
    coupe = s[: n - 1]
    espace = coupe.rfind(" ")
    if espace >= n - 16:
        coupe = coupe[:espace]
    return coupe.rstrip(" ,;:—-") + "…"


def autres(n: int, singulier: str, pluriel: str) -> str:
    """What a cut list says about the rest: « + 1 autre action », « + 4 autres actions en retard »."""
    return f"+ {labels.fmt_int(n)} autre {singulier}" if n == 1 else f"+ {labels.fmt_int(n)} autres {pluriel}"


def liste_coupee(elements: list[str], n_max: int, singulier: str, pluriel: str) -> list[str]:
    """At most ``n_max`` entries: when there are more, the last place says « + N autres … » instead."""
    if len(elements) <= n_max:
        return list(elements)
    return [*elements[: n_max - 1], autres(len(elements) - n_max + 1, singulier, pluriel)]


def num(v: Any) -> float | None:
    """A number from an indicator cell, ``None`` when secret (« s »), missing or not a number."""
    if v is None or v == indicators.SECRET:
        return None
    try:
        x = float(v)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(x) else x


def fmt(indicateur: str, v: Any) -> str:
    """French display of an indicator value (« s » when secret, « – » when missing)."""
    if indicateur == "population":
        return labels.fmt_int(num(v))
    return labels.fmt_value(indicateur, v if v == indicators.SECRET else num(v))


def date_longue(d: date) -> str:
    return format_date(d, format="long", locale=labels.LOCALE)


def date_courte(v: Any) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NaT:
        return "–"
    try:
        return format_date(pd.Timestamp(v).date(), format="short", locale=labels.LOCALE)
    except (TypeError, ValueError):
        return "–"


def part(x: float | None) -> str:
    """Share with no decimal, « < 1 % » rather than a misleading « 0 % »."""
    if x is not None and 0 < x < 0.005:
        return "< 1 %"
    return labels.fmt_pct(x, 0)


MESURE_MAX = 1e15  # babel formats through Decimal (28 digits): beyond, « InvalidOperation »


def mesure(x: float | None) -> str:
    """A roadmap indicator value (« 12,5 », « – » when missing), whatever the stored magnitude.

    Imports bound values to 1e12, but a document stored earlier or edited elsewhere may hold 1e308 or
    infinity: the deck must still be built, so such a value is shown as « hors échelle ».
    """
    if x is None or math.isnan(x):
        return "–"
    if not math.isfinite(x) or abs(x) >= MESURE_MAX:
        return "hors échelle"
    return labels.fmt_dec(x, 1).removesuffix(",0")


def atteinte(val: float | None, init: float | None, cible: float | None) -> str:
    """(valeur − valeur initiale) / (cible − valeur initiale) as a percentage, « – » when meaningless."""
    if val is None or cible is None:
        return "–"
    depart = init or 0.0
    try:
        taux = (val - depart) / (cible - depart)
    except (ZeroDivisionError, OverflowError):
        return "–"
    if not math.isfinite(taux):
        return "–"
    if taux > 100:  # more than 10 000 %: a unit mistake, not a figure to print in full
        return "> 10 000 %"
    return labels.fmt_pct(max(0.0, taux), 0)
