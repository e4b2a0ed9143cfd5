"""The one label table: the name a reader sees for every code, in Chinese and English.

``labels.csv`` (kind, code, en, zh, note) names districts, units, channels, age bands, opinion
categories, questionnaire items, test items, police types, campaigns and activities ... Chinese
names are the contract's own spellings (``data/contract/files.py``, ``data/reference/aliases.csv``);
a test holds the table to them and to every code the contract allows.
"""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

import pandas as pd

from analysis.core import language

LABELS_FILE = Path(__file__).resolve().parent / "labels.csv"

_missing: set[tuple[str, str]] = set()


@cache
def _table() -> dict[tuple[str, str], dict[str, str]]:
    with open(LABELS_FILE, encoding="utf-8", newline="") as handle:
        return {(row["kind"], row["code"]): row for row in csv.DictReader(handle)}


def labels(kind: str, lang: str | None = None) -> dict[str, str]:
    """code -> name of every code of ``kind`` in ``lang`` (default: the current language)."""
    lang = language.check(lang or language.current())
    return {code: row[lang] for (k, code), row in _table().items() if k == kind}


def label(kind: str, code, lang: str | None = None) -> str:
    """The name of ``code`` (a value of ``kind``) in ``lang``; missing values read as a dash.

    A code the table does not know (a new unit in a real export) is shown as it is spelled in the
    data and remembered: ``missing_labels`` lists them, and the tests fail on any.
    """
    if code is None or code is pd.NA or (isinstance(code, float) and code != code):
        return "–"
    lang = language.check(lang or language.current())
    row = _table().get((kind, str(code)))
    if row is None or not row.get(lang):
        _missing.add((kind, str(code)))
        return str(code)
    return row[lang]


def relabel(values: pd.Series, kind: str, lang: str | None = None) -> pd.Series:
    """A column of codes as names a reader can read (the order and index kept)."""
    return values.map(lambda code: label(kind, code, lang))


def missing_labels() -> set[tuple[str, str]]:
    """(kind, code) of every code asked for in this process that has no name in the table."""
    return set(_missing)
