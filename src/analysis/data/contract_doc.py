"""docs/data-contract.md, rendered from the contract itself so the two cannot drift apart."""

from __future__ import annotations

from analysis.data.cleaning import COLUMN_FAILURE_SHARE, FILE_FAILURE_MIN_ROWS, FILE_FAILURE_SHARE
from analysis.data.contract import RAW_FILES
from analysis.data.normalise import DATE_FORMATS_DOC, MONTH_FORMATS_DOC
from analysis.data.pseudonyms import DEMO_KEY, KEY_VARIABLE
from analysis.data.readers import HEADER_SEARCH_ROWS, TOTALS_CELLS

KIND_TEXT = {
    "id": "code (spaces removed, upper case)",
    "text": "text",
    "name": "personal name (dropped)",
    "officer": "police number (pseudonymised to `officer_id`)",
    "int": "whole number",
    "float": "number",
    "date": "date",
    "month": "month (YYYY-MM)",
    "category": "code",
    "bool": "yes/no",
    "likert": "1-5, 9 = don't know",
    "unit": "police unit",
    "district": "district",
}

HEAD = f"""# Raw-data contract

What the bureau's exports must look like for `python -m analysis clean`. Generated from
`src/analysis/data/contract/` by `python -m analysis contract-doc --write`; a test keeps it current.

## Every file
- **Where**: `data/raw/<file>.csv` or `data/raw/<file>.xlsx`; exactly one of the two. A workbook is read from the
  sheet its contract names (`Sheet:` below), else from its only visible worksheet, else from the only worksheet
  whose headers match the contract; otherwise the file is refused with the list of its sheets.
- **Encoding**: CSV in UTF-8 (with or without BOM) or GB18030; `.xlsx` as saved by Excel or WPS.
- **Headers**: the English name or any Chinese alias listed below, in any order; other columns are ignored
  (and listed in the manifest). A column marked optional may be left out.
- **Header and title rows**: the header is the first row among the file's first {HEADER_SEARCH_ROWS} that names every
  required column; rows above it (a title such as 县公安局……统计表, a date line) are skipped and listed in the manifest
  (`layout.title_rows_skipped`: row and text, personal data scrubbed), with `layout.header_rows` and, for a workbook,
  `layout.sheet`.
- **Two-row headers and merged cells**: a merged cell's value counts for every cell it covers (Excel stores it in
  the first cell only), in the header and in the data (a unit merged down its officers' rows). Where no single row
  is a complete header, a pair of rows is read as one: each column is named by the first of *parent + child*, *child*,
  *parent* that is an accepted header (so 发放 over 日期 and 份数 gives 发放日期 and 发放份数; 体能测试 over 项目 and
  成绩 gives 项目 and 成绩), a blank parent above a child continuing the parent to its left (a merge exported as CSV)
  and a blank child taking its parent (a cell merged down both rows).
- **Totals rows**: a row whose first {TOTALS_CELLS} cells include a totals label on its own (合计, 总计, 小计, 共计, 总数,
  Total, Subtotal, Grand total, Sum, with or without a colon) is not a record: it is quarantined with reason kind
  `totals row`, wherever it stands (grouped exports put 小计 between groups), and is left out of the column and
  whole-file checks.
- **Rows**: row numbers are the file's own, as a spreadsheet shows them (with a one-row header and no title, the
  header is row 1 and the first record row 2).
- **Values** are normalised before checking: Unicode NFKC (full-width letters and digits become ASCII),
  surrounding and repeated spaces removed; codes are matched ignoring case against the code or any accepted
  spelling; districts and units also through `data/reference/aliases.csv` (edit that file, not code, to accept
  a new spelling). Dates: {DATE_FORMATS_DOC}. Months: {MONTH_FORMATS_DOC}. Yes/no: yes, no, 是, 否, 1, 0, true, false.
- **Keys**: a later row repeating an earlier row's key is quarantined (as a duplicate, or as a conflicting
  duplicate when its values differ).
- **Personal data**: names are dropped; police numbers become `officer_id`, an HMAC-SHA256 pseudonym keyed by the
  environment variable `{KEY_VARIABLE}`. Real data without the key, or with a key under 128 bits (32 hex
  characters or 16 bytes), is refused; make one with `python -c "import secrets; print(secrets.token_hex(32))"`.
  The synthetic demo uses the published demo key `{DEMO_KEY}`, which protects nothing.
- **Personal data in free text** (every `text` column: opinions, the survey's opinion, ...): identity card numbers
  (18 characters with the ISO 7064 MOD 11-2 check digit, or the 15-digit old form), phone numbers (mobile and fixed
  line with area code), police numbers (警号 + digits, and the roster's numbers) and the roster's names are replaced by
  【身份证号】, 【电话】, 【警号】, 【姓名】 before anything is written (processed data and quarantine files); the manifest
  counts the replacements per file and kind (`personal_data_replaced`). A two-character name is replaced only where
  it stands apart from other Chinese characters or next to a title (民警李明), because many are ordinary words.
- **Cell contents**: control characters (NUL and the C0 set but tab and newline; DEL, C1, zero-width characters, BOM)
  are removed from every cell when a file is read and counted per column (`control_characters_removed`, with the
  first rows); null markers (NaN, NULL, None, #N/A, N/A, a lone dash, whitespace) read as blank
  (`null_markers_read_as_blank`).
- **Synthetic data**: a file `data/raw/SYNTHETIC` marks the folder as demo data; the manifest and every report say so.

## What happens to bad input
| problem | outcome |
|---|---|
| file missing | error `MissingFileError`: names the expected file; nothing is written |
| required column missing or renamed | error `MissingColumnError`: names the column, the accepted headers, the file's own headers (of the row that names the most columns, or the fullest row) and a likely rename |
| no header among the first {HEADER_SEARCH_ROWS} rows | error `MissingColumnError`, saying where the header was looked for |
| a workbook with several sheets, none or more than one matching | error naming the file and listing its sheets |
| values beyond the header's columns in a row | error naming the file and row: `a shifted row?` |
| a totals row (合计, 小计, Total, ...) | row quarantined: `totals row ('合计'): a sum of the rows above, not a record` |
| not UTF-8/GB18030, UTF-16, broken .xlsx | error `EncodingError` naming the file |
| empty file, or header without rows | error `EmptyFileError` |
| a value of the wrong type (text in a number, impossible date) in a row-level column | row quarantined: `<column>: '<value>' is not a number` |
| a value out of range in a row-level column | row quarantined: `<column>: 0 is out of range (1..5000)` |
| an unknown category, district or unit in a row-level column | row quarantined: `<column>: unknown value '<value>' (allowed: ...)` |
| any of these in a cell-level column (a Likert code outside 1-5 and 9, an unknown age band, a return date that is no date) | value set missing, row kept; logged in `quarantine/<dataset>.cells.csv`: `7 is out of range (1..5 or 9)` |
| more than {COLUMN_FAILURE_SHARE:.0%} of a column's filled values fail | error `ColumnTypeError` / `UnknownCategoryError` naming the column: a wrong or shifted column, not bad rows |
| a blank in a required column | row quarantined: `<column>: blank` |
| a required column blank in more than {COLUMN_FAILURE_SHARE:.0%} of the non-blank rows | error naming the file and column: `required column is blank in N of M rows` |
| a spreadsheet error value (`#DIV/0!`, `#VALUE!`, `#REF!`, ...) | row quarantined (or, in a cell-level column, value set missing): `spreadsheet error value '#DIV/0!'` |
| a date or month outside its plausible period (from `data/reference/campaign_windows.csv`: the campaign year's neighbours, or an officer's career for joining and leaving dates) | row quarantined (or value set missing in a cell-level column): `1904-04-25 is out of range (2003-01-01..2005-12-31, ...)` |
| a non-finite number (`inf`, `1e999`) or a whole number too large to hold | row quarantined: `'inf' is not a finite number` |
| every non-blank row of a file, or more than {FILE_FAILURE_SHARE:.0%} of {FILE_FAILURE_MIN_ROWS} or more, would be quarantined | error naming the file, the main reason, an example row and the share; nothing is written |
| a survey form with no item answered and no opinion (answers set missing do not count) | row quarantined: `blank form` |
| a reference to an unknown batch, officer or opinion | row quarantined: `<column>: officer not on the roster` |
| a ledger row closed before its opinion's first suggestion was received (`opinions_register`) | row quarantined: `closed_date: before the opinion was first received (2004-05-14)` |
| a repeated key | row quarantined: `duplicate of row N` or `same key as row N (...) with different values` |

Every row read is either clean (`data/processed/<dataset>.parquet`) or quarantined
(`data/processed/quarantine/<dataset>.csv`, with `source_row`, `reason_kind` and `reason`; names dropped and police
numbers pseudonymised there too). `rows_in = clean + quarantined` is checked and recorded per file in
`data/processed/manifest.json`, with the sha256 of every input and output.

## The processed data set: generations
`data/processed` is a symbolic link to the current generation, a folder
`data/processed.generations/<UTC time>-<pid>-<random>/` holding the Parquet files, `quarantine/`, `manifest.json`
and `key_figures.csv`. `clean` writes a complete new generation (the manifest, with the sha256 of every output,
last; the key figures next), then switches the link to it in one step (a new link renamed over the old one), so
readers see the previous data set or the new one, never a mix; a `clean` that fails or is killed leaves the link on
the previous generation. The next `clean` removes generations nothing links to and temporary files (`.*.tmp`)
whose writing process is gone, so at most the current and the previous generation are kept. Readers
(`analysis.data.processed.load`) resolve the link once per load and check the file's sha256 against that
generation's manifest (once per file and process); a mismatch stops with a message naming the file. A generation
may hold any layout below it (a folder per county, say): only `core/paths.py` and `data/processed.py` know the
layout. A `data/processed` that is still a plain folder is moved into the generations folder at the first clean.

## One county or a province: the layout of `data/raw`
`data/raw` holds either **one county's exports** (the files above, directly in `data/raw`: the default, as it
always was) or **a province**: one folder per county, `data/raw/<county>/`, each holding that bureau's files
exactly as above (each with its own `SYNTHETIC` marker when it is demo data). Which one is detected from the
folder: contract files directly in `data/raw` mean one county; no contract file there and sub-folders holding
them mean a province (other files, such as `README.md`, and folders without contract files are ignored). Both at
once is refused with an error naming files and folders; a folder with neither is refused too. A county's name is
its folder's (pinyin, such as `baoying`; its partition name is the folder name in lower case, other characters
as `-`); its Chinese and pinyin spellings come from `data/reference/aliases.csv`, kind `county`.

A province is cleaned county by county, in parallel (a process per county, or a Dask task under
`run --cluster`), into one generation partitioned hive-style: `data/processed/county=<slug>/` holds exactly what
one county's cleaning writes (Parquet files, `quarantine/`, `key_figures.csv`, its own `manifest.json`), so any
report reads it as its processed data set; `data/processed/manifest.json` is the province's manifest: every
county's status (`clean` or `failed` with its error: file, row, reason), `rows_in = clean + quarantined` per
county and per file, the sha256 of each county's manifest and of every output; `data/processed/key_figures.csv`
has every county's key figures with a `county` column. A county that fails to clean is named and left out; the
others are cleaned and the province switches to the new generation in one step (when no county cleans, nothing
is switched). Read a data set across counties with `pyarrow.dataset(files, partitioning="hive")`, which gives the
`county` column.

## Row-level and cell-level columns
The column **bad value** in each table below says what a value that fails its check does.
- **row quarantined** (row-level): keys, references to other files, required fields, and the dates and places that
  put a record where it belongs (a batch's district and date, an opinion's received date, a test's round). A row
  without them cannot be counted correctly, so it is quarantined whole.
- **set missing** (cell-level): optional answers and profile fields of a returned form (the Likert items, age band,
  sex, occupation, police contact) and its return date. A keying slip in one answer does not make the other answers
  wrong: the value becomes missing, exactly as if it had been left blank, and the form stays valid. Each such value
  is logged in `data/processed/quarantine/<dataset>.cells.csv` with `file`, `source_row`, the row's key, `column`,
  `value` (as typed in), `reason_kind` and `reason`; the manifest counts them per file (`cells_set_missing`,
  `cell_reasons`). The return date is cell-level because the form's batch (required, and checked against the
  distribution log) already places it in time and place, and no estimate uses the day a form came back.
- More than {COLUMN_FAILURE_SHARE:.0%} of a column's filled values failing still refuses the file, cell-level or not.
"""


def _allowed(column) -> str:
    if column.allowed:
        return "; ".join(
            f"`{code}` ({', '.join(spellings)})" if spellings else f"`{code}`"
            for code, spellings in column.allowed.items()
        )
    bounds = []
    if column.minimum is not None:
        bounds.append(f">= {column.minimum:g}")
    if column.maximum is not None:
        bounds.append(f"<= {column.maximum:g}")
    return ", ".join(bounds)


def _bad_value(column) -> str:
    if column.kind in ("text", "name") and column.nullable:
        return "none (any text)"
    return "set missing" if column.cell_level else "row quarantined"


def render_contract() -> str:
    parts = [HEAD]
    for spec in RAW_FILES:
        parts.append(
            f"\n## `{spec.stem}` -> `{spec.dataset}`\n{spec.description} Owner: {spec.owner}. "
            f"Key: {', '.join(f'`{k}`' for k in spec.key)}."
        )
        if spec.sheet is not None:
            parts.append(f" Sheet: `{spec.sheet}`.")
        if spec.references:
            parts.append(
                " Must refer to: " + ", ".join(f"`{c}` in `{d}.{t}`" for c, (d, t) in spec.references.items()) + "."
            )
        parts.append(
            "\n\n| column | accepted headers | type | required | bad value | allowed values | meaning "
            "|\n|---|---|---|---|---|---|---|\n"
        )
        for c in spec.columns:
            parts.append(
                f"| `{c.name}` | {', '.join(c.aliases)} | {KIND_TEXT[c.kind]} | "
                f"{'optional' if c.nullable else 'yes'} | {_bad_value(c)} | "
                f"{_allowed(c)} | {c.description} |\n"
            )
    return "".join(parts)
