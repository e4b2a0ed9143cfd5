"""Cleaning: validate each raw export against the contract, normalise, de-duplicate, quarantine, write.

Every raw row ends up either in ``data/processed/<dataset>.parquet`` or in
``data/processed/quarantine/<dataset>.csv`` with its reason; ``rows in = clean + quarantined``
is checked for every file. A bad value in a cell-level column (the contract's ``cell_level``:
optional answers and profile fields) does not quarantine its row: the value becomes missing and
is logged, with row, column, value and reason, in ``quarantine/<dataset>.cells.csv``.
Nothing is written until every file has been read and checked, and each output is replaced
atomically, the manifest last.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import pandas as pd

from analysis.core import paths, reference
from analysis.core.errors import AnalysisError, ColumnTypeError, ContractError, UnknownCategoryError
from analysis.core.files import code_hash, sha256_file, write_atomic, write_atomic_with, write_csv
from analysis.data.contract import LIKERT_DONT_KNOW, RAW_FILES, RawFile
from analysis.data.contract.schemas import validate_processed
from analysis.data.layout import County, Layout, detect_layout
from analysis.data.normalise import (
    blank,
    excel_error,
    lookup_table,
    match_key,
    parse_bool,
    parse_code,
    parse_date,
    parse_month,
    parse_number,
    parse_text,
    text,
)
from analysis.data.processed import new_generation, remove_stale, switch_generation
from analysis.data.pseudonyms import key_fingerprint, pseudonymise, resolve_key
from analysis.data.readers import RawTable, read_raw
from analysis.data.scrub import NO_SCRUBBER, PLACEHOLDERS, Scrubber, roster_scrubber

# A column where most values fail is a wrong or shifted column, not a few bad rows: stop and say so.
# ASSUMPTION(whole-column-failure): if more than half of a column's filled cells fail their type or allowed values, the file is refused rather than quarantined row by row.
COLUMN_FAILURE_SHARE = 0.5
# A file that would be mostly quarantined is a broken export, not a few bad rows: stop rather than empty a data set.
# ASSUMPTION(whole-file-failure): a file is refused when every non-blank row, or more than 80% of them with at least 10 non-blank rows, would be quarantined (blank rows are left out of the share; in a file of a few rows one bad row is not a broken export).
FILE_FAILURE_SHARE = 0.8
FILE_FAILURE_MIN_ROWS = 10

QUARANTINE_COLUMNS = ["source_row", "reason_kind", "reason"]
# The cell log: which value of which kept row was set missing, and why (the key columns go after source_row).
CELL_COLUMNS = ["file", "source_row", "column", "value", "reason_kind", "reason"]


@dataclass
class Known:
    """Values other files may refer to, filled in as the files they come from are cleaned."""

    aliases: dict[str, dict[str, str]]
    districts: set[str] | None = None
    units: set[str] | None = None
    officers: set[str] | None = None
    batches: set[str] | None = None
    opinions: set[str] | None = None
    #: opinion id -> the day its first suggestion was received (the register, read before the ledger)
    first_received: pd.Series | None = None
    #: period -> (first day, last day, why) of plausible dates (``reference.plausible_dates``)
    periods: dict[str, tuple[str, str, str]] = field(default_factory=dict)
    #: replaces personal data in free text; built from the roster, the first file read
    scrubber: Scrubber = NO_SCRUBBER


@dataclass
class FileResult:
    spec: RawFile
    path: Path
    encoding: str
    rows_in: int
    clean: pd.DataFrame
    quarantine: pd.DataFrame
    cells: pd.DataFrame
    ignored_columns: list[str] = field(default_factory=list)
    control_characters: dict[str, dict] = field(default_factory=dict)
    null_markers: dict[str, int] = field(default_factory=dict)
    personal_data_replaced: dict[str, int] = field(default_factory=dict)
    #: sheet, header rows and title rows skipped (``RawTable.layout``)
    layout: dict = field(default_factory=dict)

    @property
    def reasons(self) -> dict[str, int]:
        return self.quarantine["reason_kind"].value_counts().sort_index().to_dict()

    @property
    def cell_reasons(self) -> dict[str, int]:
        return self.cells["reason_kind"].value_counts().sort_index().to_dict()


@dataclass
class CleanResult:
    files: list[FileResult]
    manifest: dict

    def summary(self) -> pd.DataFrame:
        """Per file: rows in, clean, quarantined, the quarantine reasons and the cells set missing in kept rows."""
        return pd.DataFrame(
            [
                {
                    "file": r.path.name,
                    "encoding": r.encoding,
                    "rows_in": r.rows_in,
                    "clean": len(r.clean),
                    "quarantined": len(r.quarantine),
                    "reasons": "; ".join(f"{k}: {v}" for k, v in r.reasons.items()),
                    "cells_set_missing": len(r.cells),
                }
                for r in self.files
            ]
        )

    def summary_text(self) -> str:
        """The summary table, then a line per file read from a sheet, below title rows or with a two-row header."""
        lines = [self.summary().to_string(index=False)]
        for r in self.files:
            layout = r.layout
            notes = [f"sheet '{layout['sheet']}'"] if layout.get("sheet") else []
            if layout.get("header_rows", [1]) != [1]:
                rows = layout["header_rows"]
                notes.append(f"header in row {rows[0]}" if len(rows) == 1 else f"header in rows {rows[0]}-{rows[-1]}")
            for title in layout.get("title_rows_skipped", []):
                notes.append(f"title row {title['row']} skipped ({title['text'][:60]})")
            if notes:
                lines.append(f"{r.path.name}: {'; '.join(notes)}")
        return "\n".join(lines)


def alias_lookup(table: pd.DataFrame) -> dict[str, dict[str, str]]:
    """kind -> {spelling as compared (match_key) -> canonical name}, from the aliases table."""
    aliases: dict[str, dict[str, str]] = {}
    for kind, alias, canonical in table[["kind", "alias", "canonical"]].itertuples(index=False):
        aliases.setdefault(kind, {})[match_key(alias)] = canonical
    return aliases


def _reason_kind(problem: str) -> str:
    for pattern, kind in (
        (r"^totals row", "totals row"),
        (r"spreadsheet error value", "spreadsheet error"),
        (r"not a finite number|too large", "non-finite number"),
        (r"duplicate|same key", "duplicate"),
        (r"blank form|blank row", "blank form"),
        (r"out of range", "out of range"),
        (r"unknown (district|unit)", "unknown place or unit"),
        (r"unknown", "unknown value"),
        (r"not on the roster|no such", "unknown reference"),
        (r"before the opinion was first received", "dates out of order"),
        (r": blank", "missing value"),
        (r"not a|not yes/no", "wrong type"),
    ):
        if re.search(pattern, problem):
            return kind
    return "other"


def _place(raw: pd.Series, aliases: dict[str, str], known: set[str] | None, what: str):
    values, problems = parse_text(raw)
    values = values.map(lambda v: aliases.get(match_key(v), v) if isinstance(v, str) else v).astype("string")
    if known is not None:
        bad = values.notna() & ~values.isin(known)
        listed = ", ".join(sorted(known)[:8]) + (", ..." if len(known) > 8 else "")
        problems = problems.where(~bad, "unknown " + what + " '" + values.fillna("") + f"' (known: {listed})")
    return values, problems


def parse_column(raw: pd.Series, column, known: Known, key: bytes):
    """Typed values and per-row problems ("" when fine) for one contract column."""
    kind = column.kind
    if kind == "id":
        return parse_text(raw, squeeze=True, upper=True)
    if kind in ("text", "name"):
        return parse_text(raw, squeeze=kind == "name")
    if kind == "officer":
        numbers, problems = parse_text(raw, squeeze=True, upper=True)
        return pseudonymise(numbers, key), problems
    if kind in ("int", "float"):
        return parse_number(raw, integer=kind == "int", minimum=column.minimum, maximum=column.maximum)
    if kind == "likert":
        return parse_number(raw, integer=True, minimum=1, maximum=5, allowed_extra=(LIKERT_DONT_KNOW,))
    if kind in ("date", "month"):
        values, problems = parse_date(raw) if kind == "date" else parse_month(raw)
        if column.period in known.periods:
            first, last, why = known.periods[column.period]
            shown = values.dt.strftime("%Y-%m-%d") if kind == "date" else values
            lo, hi = (first, last) if kind == "date" else (first[:7], last[:7])
            outside = problems.eq("") & values.notna() & ((shown < lo) | (shown > hi)).fillna(False).astype(bool)
            problems = problems.where(~outside, shown.astype(str) + f" is out of range ({lo}..{hi}, from the {why})")
            values = values.where(~outside)
        return values, problems
    if kind == "bool":
        return parse_bool(raw)
    if kind == "category":
        return parse_code(raw, lookup_table(column.allowed), "value")
    if kind == "district":
        return _place(raw, known.aliases.get("district", {}), known.districts, "district")
    if kind == "unit":
        return _place(raw, known.aliases.get("unit", {}), known.units, "unit")
    raise AssertionError(kind)


def _refuse_blank_column(path: Path, column, filled: pd.Series) -> None:
    """A required column blank in more than half the rows is a column the export left empty: stop and say so."""
    if column.nullable or filled.empty:
        return
    empty = ~filled
    if empty.any() and empty.sum() > COLUMN_FAILURE_SHARE * len(filled):
        raise ContractError(
            str(path),
            f"required column is blank in {empty.sum()} of {len(filled)} rows "
            f"(first at row {int(filled.index[empty][0]) + 2}): was it left empty in the export?",
            column=column.name,
        )


def _refuse_failed_column(path: Path, column, raw: pd.Series, problems: pd.Series, filled: pd.Series) -> None:
    bad = problems.ne("") & filled
    if bad.any() and bad.sum() > COLUMN_FAILURE_SHARE * filled.sum():
        examples = ", ".join(repr(str(v)) for v in raw[bad].drop_duplicates().head(3))
        error = UnknownCategoryError if column.kind in ("category", "district", "unit") else ColumnTypeError
        expected = {
            "category": "one of its allowed values",
            "district": "a known district",
            "unit": "a known unit",
            "likert": "1-5 or 9",
        }.get(column.kind, f"a {column.kind}")
        raise error(
            str(path),
            f"{bad.sum()} of {filled.sum()} values are not {expected} "
            f"(e.g. {examples}; first at row {int(problems.index[bad][0]) + 2}): "
            "wrong or shifted column?",
            column=column.name,
        )


class CleanedTable(NamedTuple):
    clean: pd.DataFrame  #: typed rows that passed, in the processed schema
    quarantine: pd.DataFrame  #: rejected rows as typed in, with their reasons
    cells: pd.DataFrame  #: values of kept rows set missing (CELL_COLUMNS, the key after source_row)
    personal_data_replaced: dict[str, int] = {}  #: kind -> replacements in free text (``scrub.PLACEHOLDERS``)


def _joined(problems: pd.DataFrame) -> pd.Series:
    """Per row, "column: problem; ..." over the columns with a problem ("" when none)."""
    out = pd.Series("", index=problems.index, dtype=object)
    bad = problems.ne("").any(axis=1)
    if bad.any():
        out[bad] = problems[bad].apply(lambda row: "; ".join(f"{c}: {p}" for c, p in row.items() if p), axis=1)
    return out


def clean_table(table: RawTable, spec: RawFile, known: Known, key: bytes) -> CleanedTable:
    """Typed clean rows, quarantined rows (with reasons) and the log of cells set missing, of one raw table."""
    raw = table.frame
    typed = {"source_row": raw["source_row"].astype("Int64")}
    problems = pd.DataFrame(index=raw.index)
    cell_problems = pd.DataFrame(index=raw.index)
    empty = pd.DataFrame({c.name: blank(raw[c.name]) for c in spec.columns}, index=raw.index)
    all_blank_rows = empty.all(axis=1)
    # Totals rows (readers.totals_label) are set aside whole and left out of the checks on columns.
    totals = raw["source_row"].map(lambda row: table.totals_rows.get(int(row), "")).astype(str)
    records = totals.eq("")
    replaced: Counter = Counter()
    for column in spec.columns:
        values, problem = parse_column(raw[column.name], column, known, key)
        if column.kind == "text":
            values, counts = known.scrubber.scrub_series(values)
            replaced.update(counts)
        spreadsheet_errors = raw[column.name].map(excel_error)
        problem = problem.where(spreadsheet_errors.eq(""), spreadsheet_errors)
        values = values.where(spreadsheet_errors.eq(""))
        filled = ~empty[column.name]
        _refuse_blank_column(table.path, column, filled[~all_blank_rows & records])
        _refuse_failed_column(table.path, column, raw[column.name], problem, filled & records)
        if not column.nullable:
            problem = problem.where(filled | problem.ne(""), "blank")
        if column.cell_level:
            # ASSUMPTION(bad-answer-missing): an out-of-range or malformed value in an optional answer or profile field (Likert items, age band, sex, occupation, police contact, return date) makes that value missing, as a blank would be; the form stays valid and the value is logged in quarantine/<dataset>.cells.csv.
            cell_problems[column.name] = problem
            values = values.where(problem.eq(""))
            problem = pd.Series("", index=raw.index, dtype=object)
        problems[column.name] = problem
        if column.processed_name:
            typed[column.processed_name] = values
    typed = pd.DataFrame(typed, index=raw.index)

    reasons = _joined(problems)
    data_columns = [c.name for c in spec.columns]
    all_blank = empty[data_columns].all(axis=1)
    reasons[all_blank] = "blank row"
    if spec.dataset == "survey_responses":
        items = [c.name for c in spec.columns if c.kind == "likert"]
        # ASSUMPTION(blank-form): a returned form with no item answered and no opinion is not a valid form; answers set missing as invalid do not count as answered.
        no_answer = ~all_blank & typed[items].isna().all(axis=1) & typed["opinion"].isna()
        raw_blank = empty[items + ["opinion"]].all(axis=1)
        reasons[no_answer & raw_blank] = "blank form: no item answered and no opinion"
        invalid_only = no_answer & ~raw_blank
        if invalid_only.any():
            given = _joined(cell_problems.loc[invalid_only, [i for i in items if i in cell_problems]])
            reasons[invalid_only] = "blank form: no valid answer and no opinion (" + given + ")"
    reasons[~records] = "totals row ('" + totals[~records] + "'): a sum of the rows above, not a record"

    for column, (dataset, _) in spec.references.items():
        pool = {"survey_batches": known.batches, "officer_roster": known.officers, "opinions_register": known.opinions}[
            dataset
        ]
        name = spec.column(column).processed_name
        orphan = reasons.eq("") & typed[name].notna() & ~typed[name].isin(pool or set())
        message = {
            "survey_batches": "no such batch in the distribution log",
            "officer_roster": "officer not on the roster",
            "opinions_register": "no such opinion in the register",
        }[dataset]
        reasons[orphan] = f"{column}: {message}"

    if spec.dataset == "rectification_ledger" and known.first_received is not None:
        # A closing date before the opinion was received cannot be: one of the two files is wrong.
        first = typed["opinion_id"].map(known.first_received)
        early = reasons.eq("") & typed["closed_date"].notna() & (typed["closed_date"] < first)
        reasons[early] = (
            "closed_date: before the opinion was first received (" + first[early].dt.strftime("%Y-%m-%d") + ")"
        )

    _mark_duplicates(typed, spec, reasons)

    keep = reasons.eq("")
    clean = validate_processed(typed[keep].reset_index(drop=True), spec)
    quarantine = _quarantine_frame(raw[~keep], spec, typed[~keep], reasons[~keep], known.scrubber)
    # A quarantined row keeps all its raw values in the row quarantine: only kept rows' cells are logged.
    cells = _cell_frame(table.path.name, raw[keep], spec, typed[keep], cell_problems[keep])
    return CleanedTable(clean, quarantine, cells, {k: replaced[k] for k in PLACEHOLDERS if replaced[k]})


def _cell_frame(
    file: str, raw: pd.DataFrame, spec: RawFile, typed: pd.DataFrame, problems: pd.DataFrame
) -> pd.DataFrame:
    """One row per value set missing: file, source row, the row's key, column, the value as typed in, reason."""
    key = [spec.column(c).processed_name for c in spec.key]
    long = problems.stack()
    long = long[long.ne("")]
    rows, columns = long.index.get_level_values(0), long.index.get_level_values(1)
    out = pd.DataFrame(
        {
            "file": file,
            "source_row": typed.loc[rows, "source_row"].to_numpy(),
            **{k: typed.loc[rows, k].to_numpy() for k in key},
            "column": columns.to_numpy(),
            "value": [str(raw.at[r, c]) if raw.at[r, c] is not None else "" for r, c in zip(rows, columns)],
            "reason_kind": [_reason_kind(p) for p in long],
            "reason": long.to_numpy(),
        },
        columns=[*CELL_COLUMNS[:2], *key, *CELL_COLUMNS[2:]],
    )
    dtypes = {c: "string" for c in out.columns if c != "source_row"} | {"source_row": "Int64"}
    return out.sort_values(["source_row", "column"], kind="stable").reset_index(drop=True).astype(dtypes)


def _mark_duplicates(typed: pd.DataFrame, spec: RawFile, reasons: pd.Series) -> None:
    """A later row with the same key as an earlier valid row is quarantined, saying which row it repeats."""
    key = [spec.column(c).processed_name for c in spec.key]
    values = [c for c in typed.columns if c != "source_row"]
    valid = typed[reasons.eq("")]
    if valid.empty:
        return
    key_hash = pd.util.hash_pandas_object(valid[key], index=False)
    row_hash = pd.util.hash_pandas_object(valid[values], index=False)
    first_row = valid["source_row"].groupby(key_hash.to_numpy()).transform("first")
    first_hash = row_hash.groupby(key_hash.to_numpy()).transform("first")
    repeated = key_hash.duplicated(keep="first")
    for index in valid.index[repeated.to_numpy()]:
        same = row_hash[index] == first_hash[index]
        keys = ", ".join(f"{c}={valid.at[index, c]}" for c in key if not c.startswith("officer"))
        reasons[index] = (
            f"duplicate of row {first_row[index]}"
            if same
            else f"same key as row {first_row[index]} ({keys or 'same officer'}) with different values"
        )


def _quarantine_frame(
    raw: pd.DataFrame, spec: RawFile, typed: pd.DataFrame, reasons: pd.Series, scrubber: Scrubber = NO_SCRUBBER
) -> pd.DataFrame:
    """The rejected rows as typed in, with reasons; names dropped, police numbers pseudonymised, free text scrubbed."""
    out = pd.DataFrame(
        {"source_row": raw["source_row"].astype("Int64"), "reason_kind": reasons.map(_reason_kind), "reason": reasons}
    )
    for column in spec.columns:
        if column.kind == "name":
            continue
        if column.kind == "officer":
            out[column.processed_name] = typed[column.processed_name]
        elif column.kind == "text":
            out[column.name] = raw[column.name].map(lambda v, s=scrubber: _scrubbed_as_typed(v, s))
        else:
            out[column.name] = raw[column.name].map(lambda v: "" if v is None else str(v))
    return out.reset_index(drop=True).astype({"reason": "string", "reason_kind": "string"})


def _scrubbed_as_typed(value: object, scrubber: Scrubber) -> str:
    """Free text as typed in, unless it holds personal data: then its normalised form, scrubbed."""
    if value is None:
        return ""
    typed = str(value)
    scrubbed, counts = scrubber.scrub(text(typed))
    return scrubbed if counts else typed


def _learn(known: Known, dataset: str, clean: pd.DataFrame) -> None:
    if dataset == "officer_roster":
        known.officers = set(clean["officer_id"].dropna())
        known.units = set(clean["unit"].dropna())
    elif dataset == "population_margins":
        known.districts = set(clean["district"].dropna())
    elif dataset == "survey_batches":
        known.batches = set(clean["batch_id"].dropna())
    elif dataset == "opinions_register":
        known.opinions = set(clean["opinion_id"].dropna())
        known.first_received = clean.groupby("opinion_id")["received"].min()


def _refuse_emptied_file(path: Path, quarantine: pd.DataFrame, rows_in: int) -> None:
    """Stop when (nearly) every non-blank row of a file would be quarantined, naming the main reason and the share."""
    failed = quarantine[quarantine["reason"].ne("blank row") & quarantine["reason_kind"].ne("totals row")]
    rows = rows_in - (len(quarantine) - len(failed))  # the non-blank rows
    if failed.empty or not (
        len(failed) == rows or (rows >= FILE_FAILURE_MIN_ROWS and len(failed) > FILE_FAILURE_SHARE * rows)
    ):
        return
    kinds = failed["reason_kind"].value_counts()
    main = kinds.index[0]
    first = failed[failed["reason_kind"].eq(main)].iloc[0]
    raise ContractError(
        str(path),
        f"{len(failed)} of {rows} rows ({len(failed) / rows:.0%}) would be quarantined, most for '{main}' "
        f"({kinds.iloc[0]} rows; e.g. row {first['source_row']}: {first['reason']}); the file is refused "
        f"rather than emptied (limit: every row, or more than {FILE_FAILURE_SHARE:.0%} of "
        f"{FILE_FAILURE_MIN_ROWS} or more rows)",
    )


def clean_files(raw_dir: Path, *, key: bytes, aliases: dict | None = None) -> list[FileResult]:
    """Read and clean every contract file in dependency order; nothing is written."""
    known = Known(
        aliases=aliases if aliases is not None else alias_lookup(reference.aliases()),
        periods=reference.plausible_dates(),
    )
    results = []
    for spec in RAW_FILES:
        table = read_raw(raw_dir, spec)
        if spec.dataset == "officer_roster":
            # Before any free text is cleaned: the names and police numbers to look for in it.
            known.scrubber = roster_scrubber(table.frame["name"], table.frame["police_number"])
        for title in table.layout.get("title_rows_skipped", []):
            title["text"] = known.scrubber.scrub(text(title["text"]))[0]  # a title may name the officer who made it
        clean, quarantine, cells, replaced = clean_table(table, spec, known, key)
        if len(clean) + len(quarantine) != len(table.frame):
            raise AnalysisError(
                f"{table.path}: {len(table.frame)} rows in but {len(clean)} clean + "
                f"{len(quarantine)} quarantined: rows were lost"
            )
        if not cells["source_row"].isin(clean["source_row"]).all():
            raise AnalysisError(f"{table.path}: the cell log names rows that are not clean (a cleaning bug)")
        _refuse_emptied_file(table.path, quarantine, len(table.frame))
        _learn(known, spec.dataset, clean)
        results.append(
            FileResult(
                spec,
                table.path,
                table.encoding,
                len(table.frame),
                clean,
                quarantine,
                cells,
                table.ignored_columns,
                table.control_characters,
                table.null_markers,
                replaced,
                table.layout,
            )
        )
    return results


def cells_path(dataset: str, processed_dir: Path) -> Path:
    """The cell log of a data set with cell-level columns: ``quarantine/<dataset>.cells.csv``."""
    return Path(processed_dir) / paths.QUARANTINE_DIRNAME / f"{dataset}.cells.csv"


def clean_all(
    raw_dir: Path = paths.RAW,
    processed_dir: Path = paths.PROCESSED,
    *,
    before_switch: Callable[[Path], object] | None = None,
) -> CleanResult:
    """Clean every raw export into a new generation of ``processed_dir`` and switch to it; returns counts and manifest.

    ``before_switch(generation)`` adds outputs derived from the cleaned data (the key figures) to the
    new generation before readers see it.  Until the switch, ``processed_dir`` shows the previous data
    set whole; an error or a kill leaves it so (``data.processed`` describes the layout).
    """
    raw_dir, processed_dir = Path(raw_dir), Path(processed_dir)
    synthetic = (raw_dir / paths.SYNTHETIC_MARKER).exists()
    key, key_source = resolve_key(synthetic)
    results = clean_files(raw_dir, key=key)

    remove_stale(processed_dir)
    generation = new_generation(processed_dir)
    try:
        manifest = _write_generation(generation, raw_dir, results, synthetic, key, key_source)
        if before_switch is not None:
            before_switch(generation)
        switch_generation(processed_dir, generation)
    except BaseException:
        shutil.rmtree(generation, ignore_errors=True)
        raise
    return CleanResult(results, manifest)


def _write_generation(
    processed_dir: Path, raw_dir: Path, results: list[FileResult], synthetic: bool, key: bytes, key_source: str
) -> dict:
    """Every output of the cleaning into the (new, empty) folder ``processed_dir``, the manifest last."""
    outputs: dict[str, str] = {}
    written: list[Path] = []
    for result in results:
        target = paths.processed_file(result.spec.dataset, processed_dir)
        write_atomic_with(target, lambda tmp, frame=result.clean: frame.to_parquet(tmp, index=False))
        quarantine = processed_dir / paths.QUARANTINE_DIRNAME / f"{result.spec.dataset}.csv"
        write_csv(quarantine, result.quarantine)
        written += [target, quarantine]
        if result.spec.cell_level_columns:
            cells = cells_path(result.spec.dataset, processed_dir)
            write_csv(cells, result.cells)
            written.append(cells)
    for path in written:
        outputs[path.relative_to(processed_dir).as_posix()] = sha256_file(path)

    manifest = {
        # The code that wrote this folder: with the inputs' sha256, what tells a later run the folder is current.
        "code_sha256": code_hash(),
        "synthetic": synthetic,
        # Placeholders put into free text, over every file (per file under "inputs").
        "personal_data_replaced": dict(sum((Counter(r.personal_data_replaced) for r in results), Counter())),
        "synthetic_marker": (raw_dir / paths.SYNTHETIC_MARKER).read_text(encoding="utf-8").strip()
        if synthetic
        else None,
        "pseudonym_key": {"source": key_source, "fingerprint": key_fingerprint(key)},
        "inputs": {
            r.path.name: {
                "sha256": sha256_file(r.path),
                "dataset": r.spec.dataset,
                "encoding": r.encoding,
                "rows_in": r.rows_in,
                "clean": len(r.clean),
                "quarantined": len(r.quarantine),
                "quarantine_reasons": r.reasons,
                "cells_set_missing": len(r.cells),
                "cell_reasons": r.cell_reasons,
                "ignored_columns": r.ignored_columns,
                "control_characters_removed": r.control_characters,
                "null_markers_read_as_blank": r.null_markers,
                "personal_data_replaced": r.personal_data_replaced,
                "layout": r.layout,
            }
            for r in results
        },
        "outputs": outputs,
    }
    write_atomic(
        processed_dir / paths.MANIFEST, json.dumps(manifest, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
    )
    return manifest


# -- a province: one folder per county (data.layout), each cleaned on its own, switched in one step


@dataclass
class CountyClean:
    """One county's cleaning: its manifest when it cleaned, else the error that stopped it (file, row, reason)."""

    county: County
    status: str  # "clean" or "failed"
    manifest: dict | None = None
    error: str | None = None


@dataclass
class ProvinceResult:
    layout: Layout
    counties: list[CountyClean]
    manifest: dict

    @property
    def failed(self) -> list[CountyClean]:
        return [c for c in self.counties if c.status != "clean"]

    def summary(self) -> pd.DataFrame:
        """Per county: status, rows in, clean, quarantined (over its files), and the error of a failed one."""
        rows = []
        for c in self.counties:
            entry = self.manifest["counties"][c.county.slug]
            rows.append(
                {
                    "county": c.county.slug,
                    "status": c.status,
                    "rows_in": entry.get("rows_in", 0),
                    "clean": entry.get("clean", 0),
                    "quarantined": entry.get("quarantined", 0),
                    "error": c.error or "",
                }
            )
        return pd.DataFrame(rows)

    def summary_text(self) -> str:
        return self.summary().to_string(index=False)


def clean_county_into(raw_dir: Path, target: Path, after: Callable[[Path], object] | None = None) -> dict:
    """Clean one county's folder into ``target`` (a new folder inside a province generation); its manifest.

    ``target`` holds exactly what ``clean_all`` writes for one county, so every loader reads it as
    ``processed_dir``; ``after(target)`` adds derived outputs (the key figures) before the manifest is returned.
    """
    raw_dir, target = Path(raw_dir), Path(target)
    synthetic = (raw_dir / paths.SYNTHETIC_MARKER).exists()
    key, key_source = resolve_key(synthetic)
    results = clean_files(raw_dir, key=key)
    target.mkdir(parents=True, exist_ok=False)
    manifest = _write_generation(target, raw_dir, results, synthetic, key, key_source)
    if after is not None:
        after(target)
    return manifest


def _county_task(raw_dir: Path, target: Path, after: Callable[[Path], object] | None) -> tuple[str, object]:
    """A county's cleaning as a task (a pool process or a Dask worker): ("clean", manifest) or ("failed", why)."""
    try:
        return "clean", clean_county_into(raw_dir, target, after)
    except AnalysisError as exc:  # a refused export: its message names the file, row and reason
        shutil.rmtree(target, ignore_errors=True)
        return "failed", str(exc)
    except Exception as exc:  # not a data problem: still only this county's failure, named
        shutil.rmtree(target, ignore_errors=True)
        return "failed", f"{type(exc).__name__}: {exc}"


def _totals(manifest: dict) -> dict:
    files = {
        name: {k: int(info[k]) for k in ("rows_in", "clean", "quarantined")}
        for name, info in manifest.get("inputs", {}).items()
    }
    return {k: sum(f[k] for f in files.values()) for k in ("rows_in", "clean", "quarantined")} | {"files": files}


def province_manifest(layout: Layout, counties: list[CountyClean], generation: Path) -> dict:
    """The province's manifest: every county's status and counts (per file), and the hash of every output."""
    entries: dict[str, dict] = {}
    outputs: dict[str, str] = {}
    for c in counties:
        entry = {
            "folder": c.county.folder.name,
            "name": c.county.name,
            "name_zh": c.county.name_zh,
            "partition": c.county.partition,
            "status": c.status,
            "error": c.error,
        }
        if c.manifest is not None:
            folder = c.county.processed_dir(generation)
            entry |= _totals(c.manifest)
            entry["manifest_sha256"] = sha256_file(folder / paths.MANIFEST)
            entry["synthetic"] = bool(c.manifest.get("synthetic"))
            for path in sorted(p for p in folder.rglob("*") if p.is_file()):
                outputs[path.relative_to(generation).as_posix()] = sha256_file(path)
        entries[c.county.slug] = entry
    cleaned = [e for e in entries.values() if e["status"] == "clean"]
    return {
        "layout": "province",
        "code_sha256": code_hash(),
        "synthetic": any(e.get("synthetic") for e in cleaned),
        "counties": entries,
        **{k: sum(e[k] for e in cleaned) for k in ("rows_in", "clean", "quarantined")},
        "outputs": outputs,
    }


class _Inline:
    """An executor that runs each task at once, in this process (``jobs=1``)."""

    def submit(self, fn, /, *args):
        from concurrent.futures import Future

        fut: Future = Future()
        fut.set_result(fn(*args))
        return fut


def clean_province(
    raw_dir: Path = paths.RAW,
    processed_dir: Path = paths.PROCESSED,
    *,
    jobs: int | None = None,
    executor=None,
    after_county: Callable[[Path], object] | None = None,
    before_switch: Callable[[Path], object] | None = None,
) -> ProvinceResult:
    """Clean every county folder of ``raw_dir`` (a province, see ``data.layout``) into one new generation.

    Each county is a task: in a pool of ``jobs`` processes, or on ``executor`` (a ``concurrent.futures``
    executor: a Dask cluster's).  The generation holds ``county=<slug>/`` per county that cleaned (the
    same files as one county's ``clean_all``, with its manifest) and the province's ``manifest.json``;
    ``processed_dir`` switches to it in one step.  A county that fails is named in the result and the
    manifest, and the others still clean; when every county fails nothing is switched (AnalysisError).
    """
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    raw_dir, processed_dir = Path(raw_dir), Path(processed_dir)
    layout = detect_layout(raw_dir)
    if not layout.is_province:
        raise AnalysisError(f"{raw_dir}: holds one county's exports, not county folders; clean it with clean_all")
    remove_stale(processed_dir)
    generation = new_generation(processed_dir)
    own = None
    try:
        workers = max(1, min(jobs or os.cpu_count() or 1, len(layout.counties)))
        if executor is None and workers == 1:
            executor = _Inline()  # one process: no pool to start
        elif executor is None:
            # forkserver: the batch process has threads running; a plain fork of it could deadlock.
            own = executor = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("forkserver"))
        futures = [
            executor.submit(_county_task, c.folder, c.processed_dir(generation), after_county) for c in layout.counties
        ]
        counties = []
        for c, fut in zip(layout.counties, futures, strict=True):
            status, value = fut.result()
            counties.append(
                CountyClean(c, "clean", manifest=value)
                if status == "clean"
                else CountyClean(c, "failed", error=str(value))
            )
        if all(c.status != "clean" for c in counties):
            raise AnalysisError(
                f"{raw_dir}: no county could be cleaned:\n" + "\n".join(f"{c.county.slug}: {c.error}" for c in counties)
            )
        manifest = province_manifest(layout, counties, generation)
        if before_switch is not None:
            before_switch(generation)
            # What before_switch wrote at the root (the province's key figures) is hashed too.
            for path in sorted(p for p in generation.glob("*") if p.is_file() and p.name != paths.MANIFEST):
                manifest["outputs"][path.name] = sha256_file(path)
        write_atomic(
            generation / paths.MANIFEST, json.dumps(manifest, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
        )
        switch_generation(processed_dir, generation)
    except BaseException:
        shutil.rmtree(generation, ignore_errors=True)
        raise
    finally:
        if own is not None:
            own.shutdown(wait=True, cancel_futures=True)
    return ProvinceResult(layout, counties, manifest)
