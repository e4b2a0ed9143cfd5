"""Reading raw exports (CSV in UTF-8 or GB18030, or .xlsx) into frames with canonical column names.

Cells are kept as read (strings, or Excel's own dates and numbers); typing is cleaning's job.
Real bureau spreadsheets are read as they come: the header is looked for in the first rows (title rows
above it are skipped and reported), a header of two rows (merged parent cells over their children) is read,
totals rows (合计, 总计, 小计, Total) are marked for cleaning to set aside, and a workbook's sheet is the one the
contract names or the only one whose headers match.
Every failure is a ContractError naming the file and what is wrong.
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import io
import re
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from python_calamine import CalamineError, CalamineWorkbook

from analysis.core.errors import ContractError, EmptyFileError, EncodingError, MissingColumnError, MissingFileError
from analysis.data.contract import RawFile
from analysis.data.normalise import CONTROL_CHARACTERS, is_null_marker, match_key, without_control_characters

EXTENSIONS = (".csv", ".xlsx")
ENCODINGS = ("utf-8-sig", "gb18030")
# ASSUMPTION(header-search): the header is the first row, or pair of rows, among a file's first 10 that names every required column of the contract; the rows above it are title rows, skipped and listed in the manifest.
HEADER_SEARCH_ROWS = 10
# ASSUMPTION(totals-row): a row whose first three cells include a totals label alone (合计, 总计, 小计, 共计, 总数, Total, Subtotal, Grand total, Sum) is a totals row, not a record: it is quarantined as "totals row" wherever it stands (grouped exports put 小计 rows between the groups).
TOTALS_CELLS = 3
TOTALS_LABEL = re.compile(r"(合计|总计|小计|共计|总数|total|totals|subtotal|grandtotal|sum)[:：]?")


@dataclass
class RawTable:
    """A raw file read into canonical columns; ``frame.source_row`` is the row's line in the file."""

    path: Path
    encoding: str
    frame: pd.DataFrame
    ignored_columns: list[str] = field(default_factory=list)
    #: column -> {"cells": how many had control characters removed, "first_rows": the first few source rows}
    control_characters: dict[str, dict] = field(default_factory=dict)
    #: column -> how many cells held a null marker (NULL, NaN, #N/A, ...) and now read as blank
    null_markers: dict[str, int] = field(default_factory=dict)
    #: where the records were found: ``sheet`` (xlsx), ``header_rows`` (1-based), ``title_rows_skipped``
    #: ([{"row", "text"}] above the header)
    layout: dict = field(default_factory=dict)
    #: source_row -> the totals label of a totals row (合计, ...), which cleaning quarantines
    totals_rows: dict[int, str] = field(default_factory=dict)


def locate(raw_dir: Path, spec: RawFile) -> Path:
    """The one export of ``spec`` in ``raw_dir``: ``<stem>.csv`` or ``<stem>.xlsx``."""
    found = [raw_dir / f"{spec.stem}{ext}" for ext in EXTENSIONS if (raw_dir / f"{spec.stem}{ext}").exists()]
    if not found:
        raise MissingFileError(
            str(raw_dir / f"{spec.stem}.csv"),
            f"file not found (expected {spec.stem}.csv or {spec.stem}.xlsx: {spec.description})",
        )
    if len(found) > 1:
        raise ContractError(str(raw_dir / spec.stem), "both a .csv and an .xlsx export exist; keep one")
    return found[0]


def _decode(path: Path, data: bytes) -> tuple[str, str]:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise EncodingError(str(path), "the file is UTF-16; save it as UTF-8 or GB18030 CSV")
    for encoding in ENCODINGS:
        try:
            return data.decode(encoding), encoding.removesuffix("-sig")
        except UnicodeDecodeError as exc:
            last = exc
    raise EncodingError(
        str(path),
        f"neither UTF-8 nor GB18030 (undecodable byte at offset {last.start}); save the CSV as UTF-8 or GB18030",
    )


def _read_csv(path: Path) -> tuple[list[list[object]], str]:
    data = path.read_bytes()
    if not data.strip():
        raise EmptyFileError(str(path), "the file is empty")
    text, encoding = _decode(path, data)
    try:
        grid = [list(record) for record in csv.reader(io.StringIO(text))]
    except csv.Error as exc:
        raise ContractError(str(path), f"not a well-formed CSV: {exc}") from None
    return grid, encoding


def _read_xlsx(path: Path, spec: RawFile) -> tuple[list[list[object]], str, str]:
    """The cells of the workbook's sheet for ``spec`` (``choose_sheet``), merged cells filled; and the sheet's name."""
    if path.stat().st_size == 0:
        raise EmptyFileError(str(path), "the file is empty")
    try:
        book = CalamineWorkbook.from_path(str(path))
        sheets = {}
        for meta in book.sheets_metadata:
            if str(meta.typ).endswith("WorkSheet") and str(meta.visible).endswith(".Visible"):
                sheet = book.get_sheet_by_name(meta.name)
                sheets[meta.name] = _filled_merges(sheet.to_python(skip_empty_area=False), sheet.merged_cell_ranges)
    except (zipfile.BadZipFile, ValueError, KeyError, CalamineError) as exc:
        raise EncodingError(str(path), f"not a readable .xlsx workbook ({exc})") from None
    if not sheets:
        raise EmptyFileError(str(path), "the workbook has no visible worksheet")
    name = choose_sheet(path, sheets, spec)
    # Excel hands back numbers as floats; the text of an id such as 012345 must survive.
    return [[_excel_cell(v) for v in row] for row in sheets[name]], "xlsx", name


def _filled_merges(rows: list[list[object]], merges) -> list[list[object]]:
    """Every cell of a merged range given the range's value (calamine gives it in the first cell only)."""
    rows = [list(r) for r in rows]
    for (top, left), (bottom, right) in merges or ():
        if top >= len(rows) or left >= len(rows[top]):
            continue
        value = rows[top][left]
        for r in range(top, min(bottom, len(rows) - 1) + 1):
            for c in range(left, min(right, len(rows[r]) - 1) + 1):
                rows[r][c] = value
    return rows


def _excel_cell(value: object) -> object:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return dt.datetime(value.year, value.month, value.day)
    return value


def choose_sheet(path: Path, sheets: dict[str, list[list[object]]], spec: RawFile) -> str:
    """The sheet named in the contract; else the only sheet; else the only one whose headers match; else an error."""
    if spec.sheet is not None and spec.sheet in sheets:
        return spec.sheet
    if len(sheets) == 1 and spec.sheet is None:
        return next(iter(sheets))
    matching = [name for name, rows in sheets.items() if find_header(rows, spec).complete]
    if len(matching) == 1:
        return matching[0]
    listed = ", ".join(f"'{n}'" for n in sheets)
    named = f"no sheet named '{spec.sheet}' (the contract's) and " if spec.sheet is not None else ""
    if not matching:
        problem = f"{named}no sheet has the headers of {spec.dataset} (sheets: {listed})"
    else:
        problem = (
            f"{named}several sheets have the headers of {spec.dataset} "
            f"({', '.join(repr(n) for n in matching)}; sheets: {listed}): keep one, or name it in the contract"
        )
    raise ContractError(str(path), problem)


def _cell_text(value: object) -> str:
    return "" if value is None else without_control_characters(str(value)).strip()


@dataclass(frozen=True)
class Header:
    """Where a file's header is: its first row (0-based), how many rows it spans, and its column names."""

    row: int
    depth: int
    names: list[str]
    #: contract column -> position in ``names``
    matched: dict[str, int]
    complete: bool  #: every required column of the contract is matched


def _match(names: list[str], spec: RawFile) -> dict[str, int]:
    by_key: dict[str, int] = {}
    for i, name in enumerate(names):
        if name:
            by_key.setdefault(match_key(name), i)
    matched = {}
    for column in spec.columns:
        i = next((by_key[k] for k in map(match_key, column.headers) if k in by_key), None)
        if i is not None:
            matched[column.name] = i
    return matched


def _two_row_names(parent: list[str], child: list[str], spec: RawFile) -> list[str]:
    """Column names of a two-row header: a child under a merged parent, or a parent cell merged down both rows.

    A blank parent above a filled child continues the parent to its left (a merge exported without its
    extent, as CSV does); each column is named by the first of parent+child, child, parent that is an
    accepted header, else by the child (or the parent where the child is blank).
    """
    accepted = {match_key(h) for c in spec.columns for h in c.headers}
    names, last = [], ""
    for j in range(max(len(parent), len(child))):
        p = parent[j] if j < len(parent) else ""
        c = child[j] if j < len(child) else ""
        if p:
            last = p
        elif c:
            p = last
        options = [p + c, c, p] if p and c and p != c else [c or p]
        names.append(next((o for o in options if match_key(o) in accepted), c or p))
    return names


def find_header(rows: list[list[object]], spec: RawFile) -> Header:
    """The header among the first ``HEADER_SEARCH_ROWS`` rows: the first row (or pair of rows) naming every
    required column of the contract; failing that, the row naming the most (for the error message)."""
    texts = [[_cell_text(v) for v in row] for row in rows[: HEADER_SEARCH_ROWS + 1]]
    required = {c.name for c in spec.columns if not c.nullable}
    # Failing a complete header: the single row naming the most columns, else the fullest row (likely a
    # renamed header), so that the error lists the headers the file has.
    fullest = max(range(min(HEADER_SEARCH_ROWS, len(texts))), key=lambda r: sum(map(bool, texts[r])), default=0)
    best = Header(fullest, 1, texts[fullest] if texts else [], {}, False)
    for r in range(min(HEADER_SEARCH_ROWS, len(texts))):
        candidates = [(1, texts[r])]
        # A pair of rows only where neither is a header alone: a title row above a header is not its parent.
        if r + 1 < len(texts) and not required <= _match(texts[r + 1], spec).keys():
            candidates.append((2, _two_row_names(texts[r], texts[r + 1], spec)))
        for depth, names in candidates:
            matched = _match(names, spec)
            if required <= matched.keys():
                return Header(r, depth, names, matched, True)
            if depth == 1 and len(matched) > len(best.matched):
                best = Header(r, depth, names, matched, False)
    return best


def totals_label(row: list[object]) -> str | None:
    """The totals label (合计, 总计, 小计, Total, ...) in the first cells of a row, if it is a totals row."""
    for value in row[:TOTALS_CELLS]:
        label = _cell_text(value)
        if TOTALS_LABEL.fullmatch(match_key(label).replace(" ", "")):
            return label
    return None


def _unique(names: list[str]) -> list[str]:
    """Header names made unique as pandas does (a repeated ``x`` becomes ``x.1``); a blank one ``(column N)``."""
    seen: Counter = Counter()
    out = []
    for j, name in enumerate(names):
        name = name or f"(column {j + 1})"
        out.append(f"{name}.{seen[name]}" if seen[name] else name)
        seen[name] += 1
    return out


def to_frame(path: Path, rows: list[list[object]], header: Header) -> pd.DataFrame:
    """The rows below ``header`` as a frame with the file's own header names (made unique) and ``source_row``.

    A column with neither a header nor a value (the empty right edge of a sheet) is not one of the file's.
    """
    names = _unique(header.names)
    width = len(names)
    start = header.row + header.depth
    data = []
    for i, row in enumerate(rows[start:], start=start):
        if header.complete and any(_cell_text(v) for v in row[width:]):
            raise ContractError(str(path), f"values beyond the header's {width} columns: a shifted row?", row=i + 1)
        data.append(list(row[:width]) + [""] * (width - len(row)))
    frame = pd.DataFrame(data, columns=names, dtype=object)
    empty_edge = [n for n, own in zip(names, header.names) if not own and not frame[n].map(_cell_text).any()]
    frame = frame.drop(columns=empty_edge)
    frame.insert(0, "source_row", range(start + 1, start + 1 + len(frame)))
    return frame


def map_headers(
    path: Path, frame: pd.DataFrame, spec: RawFile, *, searched: int = 1, shown: list[str] | None = None
) -> tuple[pd.DataFrame, list[str]]:
    """Rename accepted headers (English or Chinese aliases) to canonical names; error on a missing column.

    ``frame`` may carry ``source_row``, which is kept; ``searched`` is how many rows the header was looked for in;
    ``shown``: the header cells as the file has them (a merged cell once), for the error message.
    """
    own = [str(h) for h in frame.columns if h != "source_row"]
    by_key = {}
    for header in own:
        by_key.setdefault(match_key(header), header)
    renames, missing, added = {}, [], []
    for column in spec.columns:
        header = next((by_key[k] for k in map(match_key, column.headers) if k in by_key), None)
        if header is not None:
            renames[header] = column.name
        elif column.nullable:
            added.append(column.name)  # an optional column may be left out of an export
        else:
            missing.append(column)
    if missing:
        column = missing[0]
        present = [h for h in own if h not in renames and not h.startswith("(column ")]
        guess = difflib.get_close_matches(column.name, present, n=1) or (
            present[:1] if len(missing) == 1 and len(present) == 1 else []
        )
        hint = f"; is '{guess[0]}' that column renamed?" if guess else ""
        where = f" (header looked for in the first {searched} rows)" if searched > 1 else ""
        found = (
            list(dict.fromkeys(h for h in shown if h))
            if shown is not None
            else [h for h in own if not h.startswith("(column ")]
        )
        raise MissingColumnError(
            str(path),
            f"required column missing (accepted headers: {', '.join(column.headers)}){hint}; "
            f"headers found{where}: {', '.join(found) or 'none'}",
            column=column.name,
        )
    ignored = [h for h in own if h not in renames]
    frame = frame.rename(columns=renames)
    for name in added:
        frame[name] = ""
    keep = (["source_row"] if "source_row" in frame.columns else []) + [c.name for c in spec.columns]
    return frame[keep], ignored


def sanitise_cells(frame: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, dict], dict[str, int]]:
    """Control characters removed from every text cell and null markers made blank; what changed, per column.

    ``frame`` has its ``source_row`` column; the returned frame is a copy.
    """
    frame = frame.copy()
    controls: dict[str, dict] = {}
    markers: dict[str, int] = {}
    for column in frame.columns:
        if column == "source_row":
            continue
        values = frame[column]
        is_text = values.map(lambda v: isinstance(v, str))
        dirty = is_text & values.map(lambda v: isinstance(v, str) and CONTROL_CHARACTERS.search(v) is not None)
        if dirty.any():
            values = values.where(~dirty, values[dirty].map(without_control_characters))
            rows = frame.loc[dirty, "source_row"].astype(int).tolist()
            controls[column] = {"cells": len(rows), "first_rows": rows[:5]}
        null = is_text & values.map(lambda v: is_null_marker(v) and v != "")
        if null.any():
            values = values.where(~null, "")
            markers[column] = int(null.sum())
        frame[column] = values
    return frame, controls, markers


def read_raw(raw_dir: Path, spec: RawFile) -> RawTable:
    path = locate(Path(raw_dir), spec)
    layout: dict = {}
    if path.suffix == ".xlsx":
        rows, encoding, layout["sheet"] = _read_xlsx(path, spec)
    else:
        rows, encoding = _read_csv(path)
    if not any(_cell_text(v) for row in rows[:HEADER_SEARCH_ROWS] for v in row):
        raise EmptyFileError(str(path), f"the file has no header row (nothing in its first {HEADER_SEARCH_ROWS} rows)")
    header = find_header(rows, spec)
    frame = to_frame(path, rows, header)
    frame, ignored = map_headers(path, frame, spec, searched=HEADER_SEARCH_ROWS, shown=header.names)
    if frame.empty:
        raise EmptyFileError(str(path), "the file has a header but no data rows")
    layout["header_rows"] = list(range(header.row + 1, header.row + header.depth + 1))
    layout["title_rows_skipped"] = [
        {"row": r + 1, "text": " ".join(dict.fromkeys(t for v in rows[r] if (t := _cell_text(v))))}
        for r in range(header.row)
        if any(_cell_text(v) for v in rows[r])
    ]
    start = header.row + header.depth
    totals = {i + 1: label for i, row in enumerate(rows[start:], start=start) if (label := totals_label(row))}
    frame, controls, markers = sanitise_cells(frame.reset_index(drop=True))
    return RawTable(path, encoding, frame, ignored, controls, markers, layout, totals)
