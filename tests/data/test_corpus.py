"""The corpus of bad inputs (issue 14): each tiny raw folder ends in its expected outcome.

An outcome is either an error (``python -m analysis clean`` exits 2 with a message naming the file and,
where there is one, the column or row; never a traceback) or a completed run in which the bad rows are
quarantined with their reason (or the bad values removed and counted), and rows in = clean +
quarantined holds for every file.  Each case is a few rows built on ``tests/minimal_raw.py``, so the
whole corpus runs in seconds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pandas as pd
import pytest

from analysis import cli
from analysis.data.cleaning import clean_all
from analysis.data.contract import LIKERT_ITEMS
from minimal_raw import ROWS, write_minimal_raw


def rows(dataset: str, *changes: dict, extra: tuple[dict, ...] = ()) -> list[dict]:
    """The minimal rows of ``dataset``, the i-th updated with ``changes[i]``, then ``extra`` rows appended."""
    out = [dict(r) for r in ROWS[dataset]]
    for row, change in zip(out, changes):
        row.update(change)
    return out + [dict(e) for e in extra]


def forms(n: int, batch_of=lambda i: "B01" if i % 2 else "B02") -> list[dict]:
    base = ROWS["survey_responses"][0]
    return [{**base, "form_id": f"F{i:03d}", "batch_id": batch_of(i)} for i in range(1, n + 1)]


@dataclass
class Case:
    name: str
    rows: dict
    #: for an error: a regex the message must match (it must also name ``file``)
    error: str | None = None
    file: str | None = None
    #: for a completed run: dataset -> {source_row: regex of the quarantine reason}
    quarantined: dict = field(default_factory=dict)
    #: for a completed run: extra checks on (processed folder, manifest)
    check: object = None


def _opinion_text(processed):
    return pd.read_parquet(processed / "opinions_register.parquet")["text"].tolist()


def _quarantine_cell(processed, dataset, column):
    return pd.read_csv(processed / "quarantine" / f"{dataset}.csv", dtype=str, keep_default_na=False).at[0, column]


CASES = [
    Case(
        "NUL byte inside an id: removed, so the phantom copy is a duplicate",
        {
            "opinions_register": rows(
                "opinions_register", extra=({**ROWS["opinions_register"][0], "opinion_id": "OP\x001"},)
            )
        },
        quarantined={"opinions_register": {4: r"^duplicate of row 2$"}},
        check=lambda out, m: (
            m["inputs"]["opinions_register.csv"]["control_characters_removed"]
            == {"opinion_id": {"cells": 1, "first_rows": [4]}}
        ),
    ),
    Case(
        "control characters in free text: removed, the row kept",
        {"opinions_register": rows("opinions_register", {"text": "态度\x07要\x1b好\u200b"})},
        check=lambda out, m: _opinion_text(out)[0] == "态度要好",
    ),
    Case(
        "'NaN' in a count column: blank, the row quarantined naming the column",
        {"population_margins": rows("population_margins", {"population": "NaN"})},
        quarantined={"population_margins": {2: r"^population: blank$"}},
        check=lambda out, m: m["inputs"]["population_margins.csv"]["null_markers_read_as_blank"] == {"population": 1},
    ),
    Case(
        "null markers in optional columns read as blank, the rows kept",
        {
            "rectification_ledger": rows("rectification_ledger", {}, {"closed_date": "NULL"}),
            "opinions_register": rows("opinions_register", {"second_coder_category": "#N/A"}, {"district": " — "}),
            "survey_responses": rows("survey_responses", {"opinion": "-"}, {"opinion": "\u3000"}),
        },
        check=lambda out, m: (
            m["inputs"]["opinions_register.csv"]["null_markers_read_as_blank"]
            == {"district": 1, "second_coder_category": 1}
        ),
    ),
    Case(
        "spreadsheet error value in a number: quarantined with its reason",
        {"fitness_tests": rows("fitness_tests", {"result": "#DIV/0!"})},
        quarantined={"fitness_tests": {2: r"^result: spreadsheet error value '#DIV/0!'"}},
    ),
    Case(
        "spreadsheet error value in an optional answer: the value set missing, logged",
        {"survey_responses": rows("survey_responses", {next(iter(LIKERT_ITEMS)): "#VALUE!"})},
        check=lambda out, m: m["inputs"]["survey_responses.csv"]["cell_reasons"] == {"spreadsheet error": 1},
    ),
    Case(
        "'inf' and '1e999' in quantities: quarantined as non-finite",
        {
            "campaign_activities": rows(
                "campaign_activities",
                extra=({**ROWS["campaign_activities"][0], "date": "2004-06-02", "quantity": "inf"},),
            ),
            "households": rows("households", {"households": "1e999"}),
        },
        quarantined={
            "campaign_activities": {3: r"^quantity: 'inf' is not a finite number$"},
            "households": {2: r"^households: '1e999' is not a finite number$"},
        },
    ),
    Case(
        "a whole number too large to hold: quarantined",
        {"survey_batches": rows("survey_batches", {"forms_distributed": "1e300"})},
        quarantined={"survey_batches": {2: r"forms_distributed: '1e300' is too large"}, "survey_responses": {}},
        # B02's forms stay; B01's forms lose their batch and are quarantined as orphans.
        check=lambda out, m: m["inputs"]["survey_responses.csv"]["quarantine_reasons"] == {"unknown reference": 2},
    ),
    Case(
        "a required column blank in every row (the distribution log's dates): refused",
        {"survey_batches": rows("survey_batches", {"date": ""}, {"date": " "})},
        error=r"column 'date': required column is blank in 2 of 2 rows \(first at row 2\)",
        file="survey_distribution.csv",
    ),
    Case(
        "every row quarantined (all forms name an unknown batch): refused with the main reason and share",
        {"survey_responses": forms(4, lambda i: "B99")},
        error=r"4 of 4 rows \(100%\) would be quarantined, most for 'unknown reference' .*row 2: batch_id: no such",
        file="survey_responses.csv",
    ),
    Case(
        "nearly every row quarantined (10 of 12): refused",
        {"survey_responses": forms(12, lambda i: "B01" if i <= 2 else "B99")},
        error=r"10 of 12 rows \(83%\) would be quarantined",
        file="survey_responses.csv",
    ),
    Case(
        "many rows quarantined, under the limit (9 of 12): completes",
        {"survey_responses": forms(12, lambda i: "B01" if i <= 3 else "B99")},
        quarantined={"survey_responses": {i + 1: r"^batch_id: no such batch" for i in range(4, 13)}},
    ),
    Case(
        "spreadsheet errors in most of a column: refused as a broken column",
        {"households": rows("households", {"households": "#REF!"}, {"households": "#REF!"})},
        error=r"column 'households': 2 of 2 values are not a int \(e\.g\. '#REF!'",
        file="households.csv",
    ),
    Case(
        "a formula typed into a quarantined row: neutralised in the quarantine CSV, a negative number kept",
        {
            "opinions_register": rows(
                "opinions_register", {"category": "nonsense", "text": '=HYPERLINK("http://x.example","点我")'}
            ),
            "campaign_activities": rows(
                "campaign_activities",
                extra=({**ROWS["campaign_activities"][0], "date": "2004-06-02", "quantity": "-5"},),
            ),
        },
        quarantined={
            "opinions_register": {2: r"^category: unknown value 'nonsense'"},
            "campaign_activities": {3: r"^quantity: -5 is out of range"},
            "rectification_ledger": {2: r"no such opinion"},
        },
        check=lambda out, m: (
            _quarantine_cell(out, "opinions_register", "text").startswith("'=HYPERLINK(")
            and _quarantine_cell(out, "campaign_activities", "quantity") == "-5"
        ),
    ),
    Case("a missing file", {}, error=r"file not found", file="case_files.csv"),
]


def _write(tmp_path, case: Case):
    raw = write_minimal_raw(tmp_path / "raw", rows=case.rows)
    if case.name == "a missing file":
        (raw / "case_files.csv").unlink()
    return raw


@pytest.mark.parametrize("case", [c for c in CASES if c.error], ids=lambda c: c.name)
def test_error_cases_exit_2_with_a_clear_message(case, tmp_path, capsys):
    raw = _write(tmp_path, case)
    code = cli.main(["clean", "--raw-dir", str(raw), "--processed-dir", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 2, err
    assert err.startswith("error: ") and "Traceback" not in err
    assert case.file in err
    assert re.search(case.error, err), err
    assert not (tmp_path / "out" / "manifest.json").exists(), "nothing written on an error"


@pytest.mark.parametrize("case", [c for c in CASES if not c.error], ids=lambda c: c.name)
def test_completed_cases_quarantine_with_reasons_and_conserve_rows(case, tmp_path):
    raw = _write(tmp_path, case)
    out = tmp_path / "out"
    manifest = clean_all(raw, out).manifest
    for name, info in manifest["inputs"].items():
        assert info["rows_in"] == info["clean"] + info["quarantined"], name
    for dataset, expected in case.quarantined.items():
        q = pd.read_csv(out / "quarantine" / f"{dataset}.csv", dtype=str, keep_default_na=False)
        if expected:
            assert sorted(q["source_row"].astype(int)) == sorted(expected), dataset
        for _, row in q.iterrows():
            if int(row["source_row"]) in expected:
                assert re.search(expected[int(row["source_row"])], row["reason"]), row["reason"]
    untouched = set(ROWS) - set(case.quarantined)
    for dataset in untouched:
        info = next(i for i in manifest["inputs"].values() if i["dataset"] == dataset)
        assert info["quarantined"] == 0, dataset
    if case.check is not None:
        assert case.check(out, manifest)
