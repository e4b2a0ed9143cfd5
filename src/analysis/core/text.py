"""The one formatter of numbers in words, for readers: percentages, counts, small counts, p-values, intervals, dates.

Every number a report prints goes through these functions, so a figure reads the same in every
notebook and a missing value has one text (``MISSING``, an en dash). Numbers, percentages and
dates are formatted for the report's language (``core.language``: ``zh_CN`` or ``en_GB``) by Babel;
the digits are rounded first, once, as Python rounds them, so both languages print the same digits.
The few words here ("fewer than 10", "95% CI ... to ...") are message ids of the catalog
(``core.language.gettext``), translated once ``analysis.i18n`` is loaded.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from decimal import Decimal

from babel.dates import format_date
from babel.numbers import format_decimal, format_percent

from analysis.core import language
from analysis.core.language import gettext as _

MISSING = "–"  # en dash: the one text for a missing or undefined value


def _missing(x) -> bool:
    """True for None, NaN (float or pandas' NA) and infinities: nothing printable."""
    if x is None:
        return True
    try:
        return not math.isfinite(float(x))
    except (TypeError, ValueError):
        return True  # pandas.NA and other non-numbers


def _locale() -> str:
    return language.babel_locale()


def _fixed(x: float, places: int) -> Decimal:
    """``x`` rounded to ``places`` decimals as Python's format does, as an exact Decimal (Babel rounds no more)."""
    return Decimal(f"{float(x):.{places}f}")


def _pattern(places: int, grouped: bool) -> str:
    whole = "#,##0" if grouped else "0"
    return whole + ("." + "0" * places if places > 0 else "")


def percent(p, places: int = 1) -> str:
    """A proportion (0..1) as a percentage: 0.6464 -> '64.6%'; ``MISSING`` when undefined."""
    if _missing(p):
        return MISSING
    # Ungrouped, as before Babel: a share over 1000% is not a thing the reports print.
    return format_percent(_fixed(100 * float(p), places) / 100, _pattern(places, False) + "%", locale=_locale())


def count(n) -> str:
    """A whole number with thousands separators: 6464 -> '6,464'; ``MISSING`` when undefined."""
    return MISSING if _missing(n) else format_decimal(int(n), "#,##0", locale=_locale())


def number(x, places: int = 2) -> str:
    """A measured number with fixed decimals: 3.7412 -> '3.74'; ``MISSING`` when undefined."""
    return MISSING if _missing(x) else format_decimal(_fixed(x, places), _pattern(places, False), locale=_locale())


def date(value) -> str:
    """A day for readers: '20 December 2004', '2004年12月20日'; ``MISSING`` when undefined.

    Accepts a date, a datetime, a pandas Timestamp or an ISO text ('2004-12-20').
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return MISSING
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value.strip()[:10])
        except ValueError:
            return MISSING
    if hasattr(value, "to_pydatetime"):  # pandas Timestamp (NaT included)
        if value != value:
            return MISSING
        value = value.to_pydatetime()
    if isinstance(value, dt.datetime):
        value = value.date()
    if not isinstance(value, dt.date):
        return MISSING
    return format_date(value, "long", locale=_locale())


def month(value) -> str:
    """A month for readers: 'Dec 2004', '2004年12月' (value: a date or 'YYYY-MM')."""
    import pandas as pd
    from babel.dates import format_skeleton

    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return MISSING
    return format_skeleton("yMMM", pd.Timestamp(str(value)).date(), locale=_locale())


def fewer_than(threshold: int) -> str:
    """The words that stand in for a count below the disclosure threshold: 'fewer than 10'."""
    return _("fewer than {threshold}").format(threshold=count(threshold))


class PeopleCount(str):
    """A count of people as running text prints it (``small_count``): a plain str everywhere.

    Put into a report's HTML by ``present.blocks`` (``fill``, ``esc``), it is marked
    ``<span class="people">``, so the scan of rendered reports knows which printed numbers count people
    (tests/batch/test_report_scans.py) without guessing from the words around them.
    """

    __slots__ = ()


def small_count(n, threshold: int) -> str:
    """A count of people for running text, or 'fewer than <threshold>' when it is below the threshold.

    The one small-count rule: zero is hidden too, since "none failed" reveals everyone's result as
    surely as "3 failed" (the disclosure rule suppresses zeros where they reveal something).
    """
    if _missing(n):
        return MISSING
    return PeopleCount(count(n) if int(n) >= threshold else fewer_than(threshold))


def p_value(
    p, *, digits: int = 3, significant: bool = False, floor: float | None = 0.001, label: str | None = "p"
) -> str:
    """A p-value for readers: 'p = 0.042', 'p < 0.001' (the same in both languages).

    ``digits`` decimal places, or significant digits with ``significant`` ('p = 1.3e-57');
    ``floor``: below it only 'p < floor' is printed (None: always the number); ``label`` None gives
    the bare value ('0.042', '< 0.001') for table cells and phrases such as 'Holm p 0.5'.
    """
    if _missing(p):
        return MISSING
    p = float(p)
    if floor is not None and p < floor:
        relation, value = "<", f"{floor:g}"
    else:
        relation, value = "=", f"{p:.{digits}{'g' if significant else 'f'}}"
    if label is None:
        return value if relation == "=" else f"{relation} {value}"
    return f"{label} {relation} {value}"


def interval(low, high, *, places: int = 1, as_percent: bool = True, level: int = 95) -> str:
    """A confidence interval: '95% CI 63.7% to 65.6%' (proportions) or '95% CI 0.689 to 0.942' (numbers)."""
    if as_percent:
        lo, hi = percent(low, places), percent(high, places)
    else:
        lo, hi = number(low, places), number(high, places)
    return _("{level}% CI {low} to {high}").format(level=level, low=lo, high=hi)


def rate_text(k, n, low, high) -> str:
    """'k of n = r% (95% CI low% to high%)' for printed key figures."""
    rate = k / n if n else float("nan")
    return _("{k} of {n} = {rate} ({interval})").format(
        k=count(k), n=count(n), rate=percent(rate), interval=interval(low, high)
    )


def duration(value) -> str:
    """A time read off a Kaplan-Meier curve ('142.5'), or 'not reached' when the curve never got there."""
    return _("not reached") if _missing(value) else f"{float(value):g}"


def slug(text: str) -> str:
    """File-name friendly form of a value: "Xi'anfeng Police Station" -> "xianfeng-police-station"."""
    text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    text = re.sub(r"['\u2019]", "", text.lower())
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-") or "x"
