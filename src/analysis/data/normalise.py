"""Normalising and parsing raw cell values, vectorised over unique values.

Each ``parse_*`` takes a Series of raw strings (blank = "") and returns ``(values, problem)``:
the typed values, and per row either "" or a short description of what is wrong.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime

import numpy as np
import pandas as pd

_SPACE = re.compile(r"\s+")

# ASSUMPTION(control-characters): control characters (C0 but tab, newline and carriage return; DEL; C1) and invisible format characters (zero-width space and joiners, word joiner, BOM) are removed from every cell when a file is read; the manifest counts them per column with the first rows, and the row is kept (an id such as "OP1<NUL>" becomes "OP1", so a phantom copy is caught as a duplicate).
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200d\u2060\ufeff]")
# ASSUMPTION(null-markers): cells that exports use for "no value" (NaN, NULL, None, #N/A, N/A, a lone dash or em dash, whitespace only) read as blank, counted per column in the manifest.
NULL_MARKERS = frozenset({"nan", "null", "none", "#n/a", "n/a", "#null!", "-", "--", "—", "——", "–", "−"})
# Spreadsheet error values (Excel and WPS): a formula failed in the export, so the cell has no value to trust.
EXCEL_ERRORS = frozenset(
    {"#div/0!", "#value!", "#ref!", "#name?", "#num!", "#spill!", "#calc!", "#getting_data", "#field!"}
)


def without_control_characters(value: str) -> str:
    """``value`` with control and invisible format characters removed."""
    return CONTROL_CHARACTERS.sub("", value)


def is_null_marker(value: object) -> bool:
    """True for a text cell that only says "no value" (``NULL_MARKERS``, or whitespace only)."""
    return isinstance(value, str) and (text(value) == "" or text(value).casefold() in NULL_MARKERS)


def excel_error(value: object) -> str:
    """ "" or the problem of a cell holding a spreadsheet error value such as ``#DIV/0!``."""
    if isinstance(value, str) and text(value).casefold() in EXCEL_ERRORS:
        return f"spreadsheet error value '{text(value)}' (a formula failed in the export)"
    return ""


def text(value: str) -> str:
    """NFKC (full-width letters and digits become ASCII), trimmed, inner whitespace collapsed."""
    return _SPACE.sub(" ", unicodedata.normalize("NFKC", value)).strip()


def match_key(value: str) -> str:
    """The form two spellings are compared in: normalised text, case folded."""
    return text(value).casefold()


def _by_unique(raw: pd.Series, fn: Callable[[str], tuple[object, str]]) -> tuple[pd.Series, pd.Series]:
    # Exports repeat the same few spellings thousands of times: parse each once.
    codes, uniques = pd.factorize(raw, sort=False)
    parsed = [fn(u) for u in uniques]
    values = np.array([p[0] for p in parsed] + [None], dtype=object)[codes]
    problems = np.array([p[1] for p in parsed] + [""], dtype=object)[codes]
    return pd.Series(values, index=raw.index, dtype=object), pd.Series(problems, index=raw.index, dtype=object)


def _is_blank(value: object) -> bool:
    return text(value) == "" if isinstance(value, str) else value is None or value is pd.NaT or value != value


def blank(raw: pd.Series) -> pd.Series:
    """True where a cell is empty or only whitespace."""
    codes, uniques = pd.factorize(raw, sort=False)
    flags = np.array([_is_blank(u) for u in uniques] + [True], dtype=bool)
    return pd.Series(flags[codes], index=raw.index)


# --- dates -------------------------------------------------------------------------------------
_DATE_PATTERNS = (
    re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00)?)?$"),
    re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"),
    re.compile(r"^(\d{4})\.(\d{1,2})\.(\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)
_MONTH_PATTERNS = (
    re.compile(r"^(\d{4})-(\d{1,2})$"),
    re.compile(r"^(\d{4})/(\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月?$"),
    re.compile(r"^(\d{4})(\d{2})$"),
)
DATE_FORMATS_DOC = "2004-04-25, 2004/4/25, 2004.4.25, 2004年4月25日, 20040425, or an Excel date cell"
MONTH_FORMATS_DOC = "2004-05, 2004/5, 2004年5月, 200405"


def _one_date(value: object) -> tuple[object, str]:
    if isinstance(value, (datetime, pd.Timestamp)):
        return pd.Timestamp(value).normalize(), ""
    if isinstance(value, date):
        return pd.Timestamp(value), ""
    if not isinstance(value, str) or (s := text(value).replace(" ", "")) == "":
        return pd.NaT, ""
    for pattern in _DATE_PATTERNS:
        if m := pattern.match(s):
            y, mo, d = (int(g) for g in m.groups())
            try:
                return pd.Timestamp(year=y, month=mo, day=d), ""
            except ValueError:
                return pd.NaT, f"'{value}' is not a calendar date"
    return pd.NaT, f"'{value}' is not a date ({DATE_FORMATS_DOC})"


def parse_date(raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    values, problems = _by_unique(raw, _one_date)
    # One unit whatever the values: an all-blank column would otherwise come out in seconds.
    return pd.to_datetime(values).astype("datetime64[us]"), problems


def _one_month(value: object) -> tuple[object, str]:
    if isinstance(value, (datetime, date, pd.Timestamp)):
        return pd.Timestamp(value).strftime("%Y-%m"), ""
    if not isinstance(value, str) or (s := text(value).replace(" ", "")) == "":
        return None, ""
    for pattern in _MONTH_PATTERNS:
        if m := pattern.match(s):
            y, mo = (int(g) for g in m.groups())
            if 1 <= mo <= 12:
                return f"{y:04d}-{mo:02d}", ""
    return None, f"'{value}' is not a month ({MONTH_FORMATS_DOC})"


def parse_month(raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    values, problems = _by_unique(raw, _one_month)
    return values.astype("string"), problems


# --- numbers -----------------------------------------------------------------------------------
def parse_number(
    raw: pd.Series, *, integer: bool, minimum: float | None, maximum: float | None, allowed_extra: Iterable[float] = ()
) -> tuple[pd.Series, pd.Series]:
    extra = set(allowed_extra)

    def one(value: object) -> tuple[object, str]:
        if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
            x = float(value)
        else:
            s = text(str(value)).replace(",", "").replace(" ", "") if value is not None else ""
            if s == "":
                return None, ""
            try:
                x = float(s)
            except ValueError:
                return None, f"'{value}' is not a number"
        if x != x:
            return None, ""
        if x in (float("inf"), float("-inf")):
            return None, f"'{value}' is not a finite number"
        if integer and abs(x) > 2**53:
            return None, f"'{value}' is too large for a whole number"
        if integer and x != int(x):
            return None, f"'{value}' is not a whole number"
        if x not in extra and ((minimum is not None and x < minimum) or (maximum is not None and x > maximum)):
            lo = "" if minimum is None else f"{minimum:g}"
            hi = "" if maximum is None else f"{maximum:g}"
            allowed = f"{lo}..{hi}" + (f" or {', '.join(f'{e:g}' for e in sorted(extra))}" if extra else "")
            return None, f"{x:g} is out of range ({allowed})"
        return x, ""

    values, problems = _by_unique(raw, one)
    return pd.to_numeric(values).astype("Int64" if integer else "Float64"), problems


# --- codes -------------------------------------------------------------------------------------
def lookup_table(allowed: Mapping[str, Iterable[str]]) -> dict[str, str]:
    """Every accepted spelling (match_key) -> canonical code."""
    table = {}
    for code, spellings in allowed.items():
        for spelling in (code, *spellings):
            table[match_key(spelling)] = code
    return table


def parse_code(raw: pd.Series, table: Mapping[str, str], what: str) -> tuple[pd.Series, pd.Series]:
    shown = sorted(set(table.values()))
    listed = ", ".join(shown[:12]) + (", ..." if len(shown) > 12 else "")

    def one(value: object) -> tuple[object, str]:
        s = text(str(value)) if value is not None else ""
        if s == "":
            return None, ""
        code = table.get(s.casefold())
        if code is None:
            return None, f"unknown {what} '{s}' (allowed: {listed})"
        return code, ""

    values, problems = _by_unique(raw, one)
    return values.astype("string"), problems


BOOL_TABLE = {
    **{k: True for k in ("yes", "y", "true", "1", "是", "有", "√", "t")},
    **{k: False for k in ("no", "n", "false", "0", "否", "无", "×", "f")},
}


def parse_bool(raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    def one(value: object) -> tuple[object, str]:
        if isinstance(value, bool):
            return value, ""
        s = text(str(value)).casefold() if value is not None else ""
        if s == "":
            return None, ""
        if s.endswith(".0"):
            s = s[:-2]
        if s not in BOOL_TABLE:
            return None, f"'{value}' is not yes/no"
        return BOOL_TABLE[s], ""

    values, problems = _by_unique(raw, one)
    return values.astype("boolean"), problems


def parse_text(raw: pd.Series, *, squeeze: bool = False, upper: bool = False) -> tuple[pd.Series, pd.Series]:
    def one(value: object) -> tuple[object, str]:
        if value is None:
            return None, ""
        s = text(str(value))
        if squeeze:
            s = s.replace(" ", "")
        if upper:
            s = s.upper()
        return (s or None), ""

    values, problems = _by_unique(raw, one)
    return values.astype("string"), problems
