"""Tables for readers: a frame in, a table a person reads out.

Percentages as percentages, whole numbers with separators, codes as names from the one label table,
no index column, bands in their natural order, a missing value as a dash and a suppressed cell as
the disclosure gate marked it, each explained in a note under the table. Every column says what it
holds (:class:`Column`), so a table never guesses from dtypes.

A column of counts of people (``kind="people"``) refuses a visible count below the disclosure
threshold: such a table must pass :mod:`analysis.stats.disclosure` first. Its cells carry
``class="people"`` so the scan of rendered reports can check them too.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import pandas as pd

from analysis.core import text
from analysis.i18n import _, label, labels
from analysis.stats import disclosure

KINDS = ("text", "count", "people", "percent", "number", "label", "interval", "p", "html", "yes_no")
NUMERIC = frozenset({"count", "people", "percent", "number", "interval", "p"})


@dataclass(frozen=True)
class Column:
    """One column a reader sees: the frame's column ``key``, its header, and how its cells read.

    ``kind``: text, count (whole numbers), people (counts of people: checked against the disclosure
    threshold), percent (a proportion 0..1), number (``places`` decimals), label (a code named from
    the label table's ``label_kind``), interval (the columns ``low`` and ``high`` as one range;
    ``percent`` False for numbers), p (a p-value), html (already escaped markup), yes_no (a boolean).
    """

    key: str
    header: str
    kind: str = "text"
    label_kind: str | None = None
    places: int = 1
    low: str | None = None
    high: str | None = None
    as_percent: bool = True

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"column {self.key!r}: unknown kind {self.kind!r}; one of {', '.join(KINDS)}")
        if self.kind == "label" and not self.label_kind:
            raise ValueError(f"column {self.key!r}: a label column needs label_kind")
        if self.kind == "interval" and not (self.low and self.high):
            raise ValueError(f"column {self.key!r}: an interval column needs low and high")


def _is_missing(value) -> bool:
    if value is None or value is pd.NA:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


@dataclass(frozen=True)
class Cell:
    text: str  #: escaped HTML of the cell
    numeric: bool = False
    people: bool = False
    missing: bool = False
    suppressed: bool = False


def _range(low, high, column: Column) -> str:
    if column.as_percent:
        lo, hi = text.percent(low, column.places), text.percent(high, column.places)
    else:
        lo, hi = text.number(low, column.places), text.number(high, column.places)
    return _("{low} to {high}").format(low=lo, high=hi)


def format_cell(row: pd.Series, column: Column, where: str = "") -> Cell:
    """The cell of ``row`` in ``column`` as a reader sees it."""
    value = row[column.low] if column.kind == "interval" else row[column.key]
    numeric = column.kind in NUMERIC
    people = column.kind == "people"
    if disclosure.is_suppressed(value):
        return Cell(html.escape(str(value)), numeric, people, suppressed=True)
    if column.kind == "interval":
        if _is_missing(row[column.low]) or _is_missing(row[column.high]):
            return Cell(text.MISSING, numeric, missing=True)
        return Cell(html.escape(_range(row[column.low], row[column.high], column)), numeric)
    if _is_missing(value):
        return Cell(text.MISSING, numeric, people, missing=True)
    if column.kind == "people":
        if float(value) < disclosure.THRESHOLD:
            raise ValueError(
                f"{where or 'table'}: column {column.key!r} shows {value} people, below the disclosure threshold "
                f"{disclosure.THRESHOLD}; protect the table first (analysis.stats.disclosure)"
            )
        return Cell(text.count(value), True, True)
    if column.kind == "count":
        return Cell(text.count(value), True)
    if column.kind == "percent":
        return Cell(text.percent(value, column.places), True)
    if column.kind == "number":
        return Cell(text.number(value, column.places), True)
    if column.kind == "p":
        return Cell(html.escape(text.p_value(value, label=None)), True)
    if column.kind == "label":
        return Cell(html.escape(label(column.label_kind, value)))
    if column.kind == "yes_no":
        return Cell(html.escape(_("yes") if bool(value) else _("no")))
    if column.kind == "html":
        return Cell(str(value))
    return Cell(html.escape(str(value)))


@dataclass(frozen=True)
class ReaderTable:
    """A table ready for a report: shown by IPython (``_repr_html_``), written as CSV by ``to_frame``."""

    headers: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    caption: str | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)
    css_class: str = "reader-table"

    def to_html(self) -> str:
        head = "".join(f'<th scope="col">{html.escape(h)}</th>' for h in self.headers)
        body = []
        for cells in self.rows:
            tds = []
            for c in cells:
                classes = [k for k, on in (("num", c.numeric), ("people", c.people), ("missing", c.missing)) if on]
                attr = f' class="{" ".join(classes)}"' if classes else ""
                tds.append(f"<td{attr}>{c.text}</td>")
            body.append("<tr>" + "".join(tds) + "</tr>")
        caption = f"<caption>{html.escape(self.caption)}</caption>" if self.caption else ""
        notes = "".join(f'<p class="table-note">{html.escape(n)}</p>' for n in self.notes)
        return (
            f'<div class="table-wrap"><table class="{self.css_class}">{caption}<thead><tr>{head}</tr></thead>'
            f"<tbody>{''.join(body)}</tbody></table>{notes}</div>"
        )

    def _repr_html_(self) -> str:
        return self.to_html()

    def to_frame(self) -> pd.DataFrame:
        """The cells as text (unescaped), with the headers as columns: the table's data as a reader reads it."""
        return pd.DataFrame([[html.unescape(c.text) for c in r] for r in self.rows], columns=list(self.headers))

    def __repr__(self) -> str:  # the notebook's plain-text fallback
        return self.to_frame().to_string(index=False)


def notes_for(cells: Iterable[Cell], extra: Sequence[str] = ()) -> tuple[str, ...]:
    """The notes a table needs: what a dash means, what the disclosure markers mean."""
    cells = list(cells)
    notes = list(extra)
    if any(c.missing for c in cells):
        notes.append(_("–: no data, or not defined for this row."))
    if any(c.suppressed for c in cells):
        notes.append(
            _(
                "{marker}: fewer than {threshold}, not shown so that no one can be identified; x: not shown so that "
                "a hidden cell cannot be worked out from the totals."
            ).format(marker=disclosure.primary_marker(), threshold=disclosure.THRESHOLD)
        )
    return tuple(notes)


def reader_table(
    frame: pd.DataFrame,
    columns: Sequence[Column],
    *,
    caption: str | None = None,
    notes: Sequence[str] = (),
    where: str = "",
) -> ReaderTable:
    """``frame`` as a table for readers: only ``columns``, in their order, each cell formatted by its kind.

    ``where`` names the table in error messages (a people column holding an unprotected small count).
    """
    needed = {k for c in columns for k in ((c.low, c.high) if c.kind == "interval" else (c.key,))}
    missing = sorted(needed - set(frame.columns))
    if missing:
        raise KeyError(f"{where or 'table'}: columns {missing} not in the frame (it has {list(frame.columns)})")
    rows = tuple(tuple(format_cell(r, c, where) for c in columns) for _, r in frame.iterrows())
    return ReaderTable(
        headers=tuple(c.header for c in columns),
        rows=rows,
        caption=caption,
        notes=notes_for((c for r in rows for c in r), notes),
    )


def natural_order(frame: pd.DataFrame, column: str, kind: str) -> pd.DataFrame:
    """Rows sorted by ``column`` in the label table's order of ``kind`` (age bands young to old, items 1..10).

    Codes the table does not know go last, in the order they came.
    """
    rank = {code: i for i, code in enumerate(labels(kind, "en"))}
    key = frame[column].astype(str).map(lambda c: rank.get(c, len(rank)))
    return frame.assign(_rank=key.to_numpy()).sort_values("_rank", kind="stable").drop(columns="_rank")
