"""Keeping the catalog in step with the code: every message id extracted, the .po updated, gaps named.

Message ids are extracted with Babel's extraction (keywords ``_``, ``N_``, ``gettext``, ``ngettext``,
``pgettext``, Babel's argument specs) from Python sources and from the code cells of notebooks, plus
any ids the caller adds (report titles from reports.yml, the code's assumption statements). ``update`` merges them into
a language's .po as ``pybabel update`` would: new ids untranslated, translations kept, ids no longer
used marked obsolete (``#~``, kept for when they return). ``problems`` lists every id used without a
translation (or only a fuzzy one), which the tests refuse.

The extraction method is ours (:func:`python_ast`), plugged into Babel's ``extract``: Babel's own
Python extractor reads tokens, and on Python 3.11 an f-string is one token, so
``f"<h2>{_('Key points')}</h2>"`` would hide its message; the syntax tree does not.
"""

from __future__ import annotations

import ast
import io
import json
import re
from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from babel.messages import pofile
from babel.messages.catalog import Catalog
from babel.messages.extract import extract

from analysis.core import language
from analysis.i18n.catalog import po_path

KEYWORDS = {
    "_": None,
    "N_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "pgettext": ((1, "c"), 2),
}
COMMENT_TAGS = ("TRANSLATORS:",)
WIDTH = 120
# The header every .po of the project carries (Babel's own has dates that change on every run).
HEADER = (
    'msgid ""\n'
    'msgstr ""\n'
    '"Project-Id-Version: analysis\\n"\n'
    '"Language: {locale}\\n"\n'
    '"Plural-Forms: {plural}\\n"\n'
    '"MIME-Version: 1.0\\n"\n'
    '"Content-Type: text/plain; charset=utf-8\\n"\n'
    '"Content-Transfer-Encoding: 8bit\\n"\n'
    '"Generated-By: Babel 2.18.0\\n"\n'
)


@dataclass(frozen=True)
class Message:
    """One message id where it is used: ``id`` a text (or (singular, plural)), ``context`` for pgettext."""

    id: str | tuple[str, str]
    location: tuple[str, int]
    context: str | None = None
    comments: tuple[str, ...] = ()


def python_ast(
    fileobj, keywords: Collection[str], comment_tags: Collection[str], options: Mapping | None = None
) -> Iterator[tuple[int, str, tuple, list[str]]]:
    """A Babel extraction method: every call of a keyword in the syntax tree (f-strings included).

    Yields ``(line, function, arguments, comments)`` as Babel's methods do; an argument that is not
    a literal text is None (Babel then skips the message it would be). Comments are the lines
    starting with a comment tag just above the call.
    """
    source = fileobj.read().decode("utf-8")
    tree = ast.parse(source)
    lines = source.splitlines()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", None)
        if name not in keywords:
            continue
        args = tuple(a.value if isinstance(a, ast.Constant) and isinstance(a.value, str) else None for a in node.args)
        comments = []
        above = node.lineno - 2
        while above >= 0 and lines[above].strip().startswith("#"):
            text = lines[above].strip().lstrip("#").strip()
            if any(text.startswith(tag) for tag in comment_tags):
                comments.insert(0, text)
            above -= 1
        yield node.lineno, name, args, comments


def _extract(source: str) -> list[tuple[int, object, list[str], str | None]]:
    return list(
        extract(
            python_ast,
            io.BytesIO(source.encode("utf-8")),
            keywords=KEYWORDS,
            comment_tags=COMMENT_TAGS,
            strip_comment_tags=True,
        )
    )


def from_sources(root: Path, folder: Path) -> list[Message]:
    """Every message id in the Python files under ``folder`` (locations relative to ``root``)."""
    out = []
    for path in sorted(Path(folder).rglob("*.py")):
        where = path.resolve().relative_to(Path(root).resolve()).as_posix()
        for lineno, message, comments, context in _extract(path.read_text(encoding="utf-8")):
            out.append(Message(message, (where, lineno), context, tuple(comments)))
    return out


_MAGIC = re.compile(r"^\s*[%!].*$", re.M)


def from_notebook(root: Path, notebook: Path) -> list[Message]:
    """Every message id in a notebook's code cells (IPython magics and shell lines skipped)."""
    nb = json.loads(Path(notebook).read_text(encoding="utf-8"))
    where = Path(notebook).resolve().relative_to(Path(root).resolve()).as_posix()
    out = []
    for number, cell in enumerate(nb.get("cells", []), start=1):
        if cell.get("cell_type") != "code":
            continue
        source = _MAGIC.sub("", "".join(cell.get("source", "")))
        for lineno, message, comments, context in _extract(source):
            out.append(Message(message, (f"{where}#cell{number}", lineno), context, tuple(comments)))
    return out


def template(messages: Iterable[Message]) -> Catalog:
    """The catalog of every id used (the .pot, in memory), in the order first met."""
    cat = Catalog(fuzzy=False)
    for m in messages:
        if not m.id or (isinstance(m.id, tuple) and not all(m.id)):
            continue
        cat.add(m.id, locations=[m.location], context=m.context, auto_comments=list(m.comments))
    return cat


def read(lang: str) -> Catalog:
    with open(po_path(lang), "rb") as handle:
        return pofile.read_po(handle, locale=language.babel_locale(lang))


def _key(message) -> str | tuple[str, str]:
    key = message.id if isinstance(message.id, str) else message.id[0]
    return (key, message.context) if message.context else key


def update(current: Catalog, used: Catalog) -> Catalog:
    """``current`` merged with the ids in ``used``: translations kept, new ids empty, unused ones obsolete.

    Entries keep their place in the file and new ids are appended (in the order the code uses them),
    so that an update changes only the lines it must (the .po merges between branches).
    """
    # No fuzzy matching: a guess from a similar id ("District" for "By district") misleads more than it helps.
    # An id that comes back after being marked obsolete keeps its translation.
    for message in used:
        if message.id and _key(message) in current.obsolete and current.get(message.id, message.context) is None:
            old = current.obsolete.pop(_key(message))
            current[old.id] = old  # keyed by (id, context): the message carries its context
    before = [_key(m) for m in current if m.id]
    comments = {_key(m): list(m.auto_comments) for m in current if m.id}
    current.update(used, no_fuzzy_matching=True, update_creation_date=False)
    for message in current:  # the translators' notes of the file first, then the code's
        if message.id and comments.get(_key(message)):
            message.auto_comments = list(dict.fromkeys(comments[_key(message)] + list(message.auto_comments)))
    kept = [k for k in before if k in current._messages]
    order = kept + [k for k in current._messages if k not in set(kept)]
    current._messages = {k: current._messages[k] for k in order}
    return current


def po_text(catalog: Catalog, lang: str) -> str:
    """The .po file's text: the fixed header, no source locations (they would change with every edit of the code:
    ``--check`` names them)."""
    buffer = io.BytesIO()
    pofile.write_po(buffer, catalog, width=WIDTH, no_location=True)
    text = buffer.getvalue().decode("utf-8")
    header = HEADER.format(locale=language.babel_locale(lang), plural=catalog.plural_forms)
    return re.sub(r'msgid ""\nmsgstr ""\n(?:".*"\n)+', lambda _m: header, text, count=1)


@dataclass(frozen=True)
class Problem:
    message: str | tuple[str, str]
    where: str
    what: str  # "not in the catalog" | "untranslated" | "fuzzy"

    def __str__(self) -> str:
        text = self.message if isinstance(self.message, str) else self.message[0]
        return f"{self.where}: {self.what}: {text!r}"


def problems(current: Catalog, used: Catalog) -> list[Problem]:
    """Every id used that a reader would see in English: missing from the .po, untranslated, or only fuzzy."""
    out = []
    for message in used:
        if not message.id:
            continue
        where = ", ".join(f"{f}:{n}" for f, n in message.locations[:2])
        found = current.get(message.id, message.context)
        if found is None:
            out.append(Problem(message.id, where, "not in the catalog"))
            continue
        strings = found.string if isinstance(found.string, tuple) else (found.string,)
        if not all(strings):
            out.append(Problem(message.id, where, "untranslated"))
        elif found.fuzzy:
            out.append(Problem(message.id, where, "fuzzy (check the translation, then drop the fuzzy flag)"))
    return out


def unused(current: Catalog, used: Catalog) -> list[str]:
    """Ids of the .po that no code uses (``update`` marks them obsolete)."""
    return [m.id if isinstance(m.id, str) else m.id[0] for m in current if m.id and used.get(m.id, m.context) is None]
