"""The cleaning report for readers: what was read, kept and set aside, under the one disclosure rule.

A row of an officer file (a file whose contract has a personal column: the roster, fitness tests,
training credits, the open competition) is a row about a person, so its counts of kept and
quarantined rows pass :func:`analysis.stats.disclosure.protect` (with the rows read, the row totals,
published), and running text uses :func:`analysis.stats.disclosure.count_text`. The quarantine
reasons are counted over all files together and protected the same way, since a small count of one
reason may lie wholly in an officer file. The analyst's full per-file detail stays in the notebook's
hidden cells and in ``quarantine/<dataset>.csv``.
"""

from __future__ import annotations

import pandas as pd

from analysis.core.text import count
from analysis.i18n import _
from analysis.present import blocks, tables
from analysis.stats import disclosure


def about_people(spec) -> bool:
    """Whether a contract file's rows are about officers (it has a name or police-number column)."""
    return any(c.personal for c in spec.columns)


def per_file(result) -> pd.DataFrame:
    """One row per file read: data set, whether it is about people, rows read, kept, quarantined, cells set missing."""
    return pd.DataFrame(
        [
            {
                "dataset": r.spec.dataset,
                "people": about_people(r.spec),
                "rows_in": int(r.rows_in),
                "clean": int(len(r.clean)),
                "quarantined": int(len(r.quarantine)),
                "cells_set_missing": int(len(r.cells)),
            }
            for r in result.files
        ],
        columns=["dataset", "people", "rows_in", "clean", "quarantined", "cells_set_missing"],
    )


def _file_columns(kind: str) -> list[tables.Column]:
    return [
        tables.Column("dataset", _("File"), "label", label_kind="dataset"),
        tables.Column("rows_in", _("rows read"), "count"),
        tables.Column("clean", _("kept"), kind),
        tables.Column("quarantined", _("set aside"), kind),
        tables.Column("cells_set_missing", _("values set missing"), "count"),
    ]


def officer_files_table(files: pd.DataFrame) -> tables.ReaderTable:
    """The officer files: kept and quarantined rows protected (rows read published as the row totals)."""
    rows = files[files["people"]].reset_index(drop=True)
    if not rows.empty:
        rows = disclosure.protect(rows, count_columns=["clean", "quarantined"])
    return tables.reader_table(
        rows,
        _file_columns("people"),
        caption=_("Files about officers (rows are people: small counts are not shown)"),
        where="clean: officer files",
    )


def other_files_table(files: pd.DataFrame) -> tables.ReaderTable:
    """The other files (forms, opinions, ledgers, registers): every count shown."""
    return tables.reader_table(
        files[~files["people"]].reset_index(drop=True),
        _file_columns("count"),
        caption=_("Other files"),
        where="clean: other files",
    )


def reason_words() -> dict[str, str]:
    """The quarantine reason kinds (``cleaning._reason_kind``) in the reader's words."""
    return {
        "totals row": _("a totals row, not a record"),
        "spreadsheet error": _("a spreadsheet error value"),
        "non-finite number": _("a number that is not finite or too large"),
        "duplicate": _("a duplicate of another row"),
        "blank form": _("a blank form or row"),
        "out of range": _("a value out of range"),
        "unknown place or unit": _("an unknown district or unit"),
        "unknown value": _("an unknown value"),
        "unknown reference": _("a reference to no known record"),
        "dates out of order": _("a closing date before the opinion was received"),
        "missing value": _("a required value missing"),
        "wrong type": _("a value of the wrong type"),
        "other": _("another problem"),
    }


def reasons(result) -> pd.DataFrame:
    """Rows set aside per reason kind, over all files, in the order of :func:`reason_words`."""
    parts = [r.quarantine["reason_kind"] for r in result.files if len(r.quarantine)]
    counts = pd.concat(parts, ignore_index=True).value_counts() if parts else pd.Series(dtype=int)
    order = [k for k in reason_words() if k in counts.index] + sorted(set(counts.index) - set(reason_words()))
    return pd.DataFrame({"reason_kind": order, "rows": [int(counts[k]) for k in order]})


def reasons_table(result) -> tables.ReaderTable:
    """Why rows were set aside, over all files, protected (a reason's small count may be all officers)."""
    frame = reasons(result)
    words = reason_words()
    if not frame.empty:
        frame = disclosure.protect(frame, count_columns=["rows"])
    frame = frame.assign(reason=[words.get(k, k) for k in frame["reason_kind"]])
    return tables.reader_table(
        frame,
        [tables.Column("reason", _("Why the row was set aside")), tables.Column("rows", _("rows"), "people")],
        where="clean: reasons",
    )


def reasons_block(result):
    """The reasons table, or a sentence when no row was set aside."""
    if reasons(result).empty:
        return blocks.sentences([_("No row was set aside: every row read passed the contract's checks.")])
    return reasons_table(result)


def key_results(files: pd.DataFrame, key_figures: pd.DataFrame | None = None) -> list[str]:
    """The cleaning's results as sentences: rows read, kept and set aside (none lost), values set missing, and
    how many published figures the cleaned rows reproduce."""
    read, kept, aside = (int(files[c].sum()) for c in ("rows_in", "clean", "quarantined"))
    if read != kept + aside:
        raise ValueError(f"rows read ({read}) are not kept ({kept}) + set aside ({aside})")
    officers = files[files["people"]]
    officer_aside = int(officers["quarantined"].sum())
    if aside < disclosure.THRESHOLD:
        # The kept rows would give the small number away: say how many were read, and that all but a few were kept.
        lines = [
            _("{read} rows read from {files} files; all but {aside} kept, each row set aside with its reason.").format(
                read=count(read), files=len(files), aside=disclosure.count_text(aside)
            )
        ]
    else:
        lines = [
            _(
                "{read} rows read from {files} files: {kept} kept, {aside} set aside in quarantine with their reason; "
                "none lost."
            ).format(read=count(read), files=len(files), kept=count(kept), aside=count(aside))
        ]
    if len(officers):
        lines.append(
            _("Of the rows set aside, {n} are rows of the officer files.").format(
                n=disclosure.count_text(officer_aside)
            )
        )
    lines.append(
        _("{n} values in kept rows were set missing (a bad answer on a valid form), each logged.").format(
            n=count(int(files["cells_set_missing"].sum()))
        )
    )
    if key_figures is not None and len(key_figures):
        lines.append(
            _("{k} of {n} figures the work report published are reproduced from the cleaned rows.").format(
                k=int(key_figures["matches"].sum()), n=len(key_figures)
            )
        )
    return lines
