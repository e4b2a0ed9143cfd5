"""The blocks a report is made of, as HTML: key points, headline figures, sentences, weak points, folded detail.

Every block is a :class:`Block` (IPython shows it through ``_repr_html_``); text is escaped here, once,
unless it is :class:`Safe` (markup built by these functions). Words come from the catalog, numbers
from ``core.text``: a block computes nothing.

A statistic shown in more than one report is a :class:`Figure`: one id, one label, its value and the
scope it covers, rendered as ``<span class="figure" data-figure=... data-scope=...>``. The scan of the
rendered reports (tests/batch/test_report_scans.py) holds every id to one label and one value per scope.
A count of people from ``stats.disclosure.count_text`` (``core.text.PeopleCount``) is marked
``<span class="people">`` wherever it is put in, so that scan checks it against the disclosure threshold.
"""

from __future__ import annotations

import html
import string
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from analysis.core.text import PeopleCount
from analysis.i18n import _, label


class Safe(str):
    """Text that is already HTML (built by this module): not escaped again."""


def esc(value) -> Safe:
    """``value`` as HTML text: escaped unless it is already :class:`Safe` (or a :class:`Figure`)."""
    if isinstance(value, Figure):
        return value.html()
    if isinstance(value, Safe):
        return value
    if isinstance(value, PeopleCount):
        return people(value)
    return Safe(html.escape(str(value), quote=True))


def people(words) -> Safe:
    """A count of people (``stats.disclosure.count_text``) marked for the scan of rendered reports."""
    return Safe(f'<span class="people">{html.escape(str(words), quote=True)}</span>')


@dataclass(frozen=True)
class Block:
    """A piece of a report in HTML."""

    html: str

    def _repr_html_(self) -> str:
        return self.html

    def __str__(self) -> str:
        return self.html


@dataclass(frozen=True)
class Figure:
    """A headline statistic: one id, its one label (words), its value as printed, the scope it covers.

    ``scope``: 'county' (or 'bureau') for the whole, else the district or unit code. ``note``: what goes
    in brackets after the value (its interval, its base), part of the same figure.
    """

    id: str
    label: str
    value: str
    scope: str = "county"
    note: str = ""

    def html(self) -> Safe:
        parts = {
            "label": f'<span class="figure-label">{html.escape(self.label)}</span>',
            "value": f'<span class="figure-value">{esc(self.value)}</span>',
        }
        body = html.escape(_("{label} {value}"), quote=False).format(**parts)
        if self.note:
            note = html.escape(_(" ({note})"), quote=False).format(note=html.escape(self.note))
            body += f'<span class="figure-note">{note}</span>'
        return Safe(
            f'<span class="figure" data-figure="{html.escape(self.id, quote=True)}" '
            f'data-scope="{html.escape(self.scope, quote=True)}">{body}</span>'
        )

    def text(self) -> str:
        """Plain text of the figure: label, value and note."""
        out = _("{label} {value}").format(label=self.label, value=self.value)
        return out + (_(" ({note})").format(note=self.note) if self.note else "")


def fill(template: str, **parts) -> Safe:
    """A translated sentence with its parts put in: strings escaped, figures and Safe markup as they are."""
    names = {name for _, name, _, _ in string.Formatter().parse(template) if name}
    missing = sorted(names - set(parts))
    if missing:
        raise KeyError(f"sentence {template!r} needs {missing}")
    # Numbers pass as numbers (safe in HTML, and format specs such as {mark:g} still apply).
    values = {k: v if isinstance(v, (int, float)) and not isinstance(v, bool) else esc(v) for k, v in parts.items()}
    return Safe(html.escape(template, quote=False).format(**values))


def scope_words(scope: str | None, kind: str = "district") -> str:
    """The scope a report covers, in words: the county (bureau) or the district's (unit's) name."""
    if scope is None:
        return _("the whole bureau") if kind == "unit" else _("the county")
    return label(kind, scope)


def key_points(points: Sequence, *, heading: str | None = None, scope: str | None = None) -> Block:
    """The box a report opens with: 3-5 findings in plain words, each with its number.

    ``points``: sentences (plain text or :class:`Safe` from :func:`fill`). ``scope``: the scope in
    words, added to the heading for a district or unit report.
    """
    if not 1 <= len(points) <= 6:
        raise ValueError(f"a key-points box holds 1 to 6 findings, got {len(points)}")
    title = heading or _("Key points")
    if scope:
        title = _("{heading}: {scope}").format(heading=title, scope=scope)
    items = "".join(f"<li>{esc(p)}</li>" for p in points)
    return Block(f'<div class="key-points"><h2>{esc(title)}</h2><ul>{items}</ul></div>')


def sentences(lines: Iterable, *, css_class: str = "key-results") -> Block:
    """Key results as sentences, one paragraph each (not a print block)."""
    body = "".join(f"<p>{esc(line)}</p>" for line in lines if line)
    return Block(f'<div class="{css_class}">{body}</div>')


def bullet_list(items: Iterable, *, css_class: str = "reader-list") -> Block:
    """A plain list of sentences."""
    return Block(f'<ul class="{css_class}">' + "".join(f"<li>{esc(i)}</li>" for i in items) + "</ul>")


@dataclass(frozen=True)
class Weakness:
    """One weak spot: a short title, the sentence with its number, and where the detail is."""

    key: str
    title: str
    text: Safe | str
    href: str | None = None


def weak_points(items: Sequence[Weakness], *, heading: str | None = None) -> Block:
    """ "Where we are weak": each weakness with its number and a link to the report that details it."""
    rows = []
    details = esc(_("Details"))
    for w in items:
        link = f' <a href="{html.escape(w.href, quote=True)}">{details}</a>' if w.href else ""
        rows.append(
            f'<li id="weak-{html.escape(w.key, quote=True)}"><strong>{esc(w.title)}</strong> {esc(w.text)}{link}</li>'
        )
    title = heading or _("Where we are weak")
    return Block(f'<div class="weak-points"><h2>{esc(title)}</h2><ul>{"".join(rows)}</ul></div>')


def folded(summary, body, *, css_class: str = "details") -> Safe:
    """Detail folded under a line (``<details>``): open on click, closed when printed."""
    return Safe(f'<details class="{css_class}"><summary>{esc(summary)}</summary>{esc(body)}</details>')


def definition_list(pairs: Iterable[tuple[str, object]]) -> Safe:
    """Label: value pairs (``<dl>``), values escaped unless Safe."""
    return Safe("<dl>" + "".join(f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in pairs) + "</dl>")


def link(href: str, words) -> Safe:
    return Safe(f'<a href="{html.escape(href, quote=True)}">{esc(words)}</a>')


def note(words, *, css_class: str = "note") -> Block:
    """A short note for readers (a caveat beside a figure, why a chart is absent)."""
    return Block(f'<p class="{css_class}">{esc(words)}</p>')
