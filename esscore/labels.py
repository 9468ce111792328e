"""French labels and number formats shared by pages, charts and exports (babel, locale fr_FR)."""

from __future__ import annotations

import math

from babel.numbers import format_decimal, format_percent

from esscore.indicators import INDICATEURS, SECRET

LOCALE = "fr_FR"
PERCENT_INDICATORS = ("part_emploi_prive", "part_ess_secteur", "part_emploi_salarie")
RATIO_INDICATORS = ("etablissements_pour_1000_hab", "employeurs_pour_1000_hab", "salaries_pour_1000_hab")


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
    return format_percent(float(value), format=f"#,##0.{'0' * digits} %", locale=LOCALE)


def fmt_value(indicator: str, value: object) -> str:
    """Format any indicator value, « s » for secret figures."""
    if value == SECRET:
        return SECRET
    if indicator in PERCENT_INDICATORS:
        return fmt_pct(value)  # type: ignore[arg-type]
    if indicator in RATIO_INDICATORS:
        return fmt_dec(value)  # type: ignore[arg-type]
    return fmt_int(value)  # type: ignore[arg-type]


def indicator_label(indicator: str) -> str:
    return INDICATEURS.get(indicator, indicator)


SECRET_EXPLICATION = (
    "« s » : secret statistique. Un chiffre d'effectifs n'est pas affiché quand il repose sur moins de "
    "3 établissements employeurs ou qu'un seul établissement en représente plus de 85 %."
)
