"""The language a report is being written in: one setting per run, read by the formatter and the catalog.

Chinese is the first language of the readers; English is the twin. A notebook sets its language
once from its ``lang`` parameter (``language.use(lang)``); the formatter (``core.text``), the
message catalog and the label table (``analysis.i18n``) read it. A context variable, not a global:
threads of the batch runner and tests can write in different languages at the same time.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Callable, Iterator

LANGUAGES = ("zh", "en")
DEFAULT = "zh"
# Babel locale of each language: simplified Chinese of the mainland; British English spelling.
LOCALES = {"zh": "zh_CN", "en": "en_GB"}
# The value of <html lang="..."> (browsers pick Chinese glyph forms from it).
HTML_LANG = {"zh": "zh-CN", "en": "en"}

_current: contextvars.ContextVar[str] = contextvars.ContextVar("analysis_language", default=DEFAULT)


def check(lang: str) -> str:
    """``lang`` if it is a language the reports are written in; ValueError naming the choices otherwise."""
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; the reports are written in {', '.join(LANGUAGES)}")
    return lang


def current() -> str:
    return _current.get()


def use(lang: str) -> str:
    """Set the language for the rest of this context (a notebook's run); returns it."""
    _current.set(check(lang))
    return lang


@contextlib.contextmanager
def using(lang: str) -> Iterator[str]:
    """The language for one block only (tests, or one string in the other language)."""
    token = _current.set(check(lang))
    try:
        yield lang
    finally:
        _current.reset(token)


def babel_locale(lang: str | None = None) -> str:
    return LOCALES[check(lang or current())]


# The message catalog lives above core (analysis.i18n), which installs its lookup here when imported,
# so that the few words of the one formatter (core.text: "fewer than 10", "95% CI ... to ...") come
# out in the report's language without core importing upwards. Until then: the English text.
_translate: Callable[[str], str] | None = None


def install_translator(translate: Callable[[str], str]) -> None:
    """Called by ``analysis.i18n.catalog`` on import: ``translate(message)`` in the current language."""
    global _translate
    _translate = translate


def gettext(message: str) -> str:
    """``message`` (English, a catalog id) in the current language; English until the catalog is loaded."""
    return message if _translate is None else _translate(message)
