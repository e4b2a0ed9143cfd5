"""The gettext catalogs: one per language, read with Babel from the ``.po`` files beside this module.

English is the source language (message ids are English), so English needs no catalog. A message
without a Chinese translation falls back to the English text and is remembered: the tests fail on
any such message (``missing_messages``), a reader never sees a blank.
"""

from __future__ import annotations

import io
from functools import cache
from pathlib import Path

from babel.messages import mofile, pofile
from babel.support import NullTranslations, Translations

from analysis.core import language

LOCALES_DIR = Path(__file__).resolve().parent / "locales"
DOMAIN = "messages"

_missing: set[tuple[str, str]] = set()


def po_path(lang: str) -> Path:
    return LOCALES_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def catalog(lang: str):
    """The Babel catalog of ``lang`` as read from its .po file (None for the source language)."""
    path = po_path(language.check(lang))
    if not path.exists():
        return None
    with open(path, "rb") as handle:
        return pofile.read_po(handle, locale=language.babel_locale(lang))


@cache
def translations(lang: str) -> NullTranslations:
    """gettext translations of ``lang``, compiled in memory from the .po file."""
    cat = catalog(lang)
    if cat is None:
        return NullTranslations()
    buffer = io.BytesIO()
    mofile.write_mo(buffer, cat, use_fuzzy=False)
    buffer.seek(0)
    return Translations(fp=buffer, domain=DOMAIN)


def _note_missing(lang: str, msgid: str, text: str) -> str:
    if lang != "en" and text == msgid:
        _missing.add((lang, msgid))
    return text


def gettext(message: str) -> str:
    """``message`` in the current language."""
    lang = language.current()
    return _note_missing(lang, message, translations(lang).gettext(message))


_ = gettext


def N_(message: str) -> str:
    """Marks a message id for extraction where it is defined (a constant), translated later with ``_``."""
    return message


def pgettext(context: str, message: str) -> str:
    """``message`` in the current language, disambiguated by ``context`` (the same English word, two meanings)."""
    lang = language.current()
    text = translations(lang).pgettext(context, message)
    return _note_missing(lang, message, text)


def ngettext(singular: str, plural: str, n: int) -> str:
    lang = language.current()
    text = translations(lang).ngettext(singular, plural, n)
    return _note_missing(lang, singular if n == 1 else plural, text)


def missing_messages() -> set[tuple[str, str]]:
    """(language, English text) of every message asked for in this process that has no translation."""
    return set(_missing)


# The formatter's few words (core.text) are looked up here too (see core.language.install_translator).
language.install_translator(gettext)


def sentences(parts) -> str:
    """Sentences (or clauses) joined as the current language writes them: a space in English, nothing in Chinese."""
    return ("" if language.current() == "zh" else " ").join(p for p in parts if p)
