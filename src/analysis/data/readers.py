"""Reading raw exports (CSV in UTF-8 or GB18030, or .xlsx) into frames with canonical column names.

Cells are kept as read (strings, or Excel's own dates and numbers); typing is cleaning's job.
Every failure is a ContractError naming the file and what is wrong.
"""

from __future__ import annotations

import difflib
import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from python_calamine import CalamineError

from analysis.core.errors import ContractError, EmptyFileError, EncodingError, MissingColumnError, MissingFileError
from analysis.data.contract import RawFile
from analysis.data.normalise import CONTROL_CHARACTERS, is_null_marker, match_key, without_control_characters

EXTENSIONS = (".csv", ".xlsx")
ENCODINGS = ("utf-8-sig", "gb18030")


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


def _read_csv(path: Path) -> tuple[pd.DataFrame, str]:
    data = path.read_bytes()
    if not data.strip():
        raise EmptyFileError(str(path), "the file is empty")
    text, encoding = _decode(path, data)
    try:
        frame = pd.read_csv(
            io.StringIO(text), dtype=str, keep_default_na=False, na_filter=False, skip_blank_lines=False
        )
    except pd.errors.ParserError as exc:
        raise ContractError(str(path), f"not a well-formed CSV: {exc}") from None
    return frame, encoding


def _read_xlsx(path: Path) -> tuple[pd.DataFrame, str]:
    if path.stat().st_size == 0:
        raise EmptyFileError(str(path), "the file is empty")
    try:
        frame = pd.read_excel(path, sheet_name=0, dtype=object, engine="calamine")
    except (zipfile.BadZipFile, ValueError, KeyError, CalamineError) as exc:
        raise EncodingError(str(path), f"not a readable .xlsx workbook ({exc})") from None
    # Excel hands back numbers as floats; the text of an id such as 012345 must survive.
    for column in frame.columns:
        frame[column] = frame[column].map(_excel_cell)
    return frame, "xlsx"


def _excel_cell(value: object) -> object:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (int, float)):
        return str(value)
    return value


def map_headers(path: Path, frame: pd.DataFrame, spec: RawFile) -> tuple[pd.DataFrame, list[str]]:
    """Rename accepted headers (English or Chinese aliases) to canonical names; error on a missing column."""
    by_key = {}
    for header in frame.columns:
        by_key.setdefault(match_key(str(header)), header)
    renames, missing = {}, []
    for column in spec.columns:
        header = next((by_key[k] for k in map(match_key, column.headers) if k in by_key), None)
        if header is not None:
            renames[header] = column.name
        elif column.nullable:
            frame[column.name] = ""  # an optional column may be left out of an export
            renames[column.name] = column.name
        else:
            missing.append(column)
    if missing:
        column = missing[0]
        present = [str(h) for h in frame.columns if h not in renames]
        guess = difflib.get_close_matches(column.name, present, n=1) or (
            present[:1] if len(missing) == 1 and len(present) == 1 else []
        )
        hint = f"; is '{guess[0]}' that column renamed?" if guess else ""
        raise MissingColumnError(
            str(path),
            f"required column missing (accepted headers: {', '.join(column.headers)}){hint}; "
            f"headers found: {', '.join(map(str, frame.columns))}",
            column=column.name,
        )
    ignored = [str(h) for h in frame.columns if h not in renames]
    frame = frame.rename(columns=renames)[[c.name for c in spec.columns]]
    return frame, ignored


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
    frame, encoding = _read_xlsx(path) if path.suffix == ".xlsx" else _read_csv(path)
    if len(frame.columns) == 0:
        raise EmptyFileError(str(path), "the file has no header row")
    frame, ignored = map_headers(path, frame, spec)
    if frame.empty:
        raise EmptyFileError(str(path), "the file has a header but no data rows")
    frame.insert(0, "source_row", range(2, len(frame) + 2))  # line 1 is the header
    frame, controls, markers = sanitise_cells(frame.reset_index(drop=True))
    return RawTable(path, encoding, frame, ignored, controls, markers)
