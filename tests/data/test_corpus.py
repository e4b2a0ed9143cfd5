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

import openpyxl
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
    #: writes files over the minimal raw folder (raw folder -> None): spreadsheets as the bureau exports them
    write: object = None
    #: for an error: text the message must not contain
    absent: tuple = ()


def _opinion_text(processed):
    return pd.read_parquet(processed / "opinions_register.parquet")["text"].tolist()


def _quarantine_cell(processed, dataset, column):
    return pd.read_csv(processed / "quarantine" / f"{dataset}.csv", dtype=str, keep_default_na=False).at[0, column]


def _csv(stem: str, text: str):
    """A raw CSV written as typed (title rows, two-row headers, totals rows), replacing the minimal one."""

    def write(raw):
        (raw / f"{stem}.csv").write_text(text, encoding="utf-8")

    return write


def _xlsx(stem: str, *sheets: tuple[str, list[list], list[str]]):
    """An .xlsx of ``(sheet name, rows, merged ranges)`` replacing the minimal CSV (openpyxl, as Excel saves it)."""

    def write(raw):
        book = openpyxl.Workbook()
        book.remove(book.active)
        for name, sheet_rows, merges in sheets:
            sheet = book.create_sheet(name)
            for row in sheet_rows:
                sheet.append(row)
            for merge in merges:
                sheet.merge_cells(merge)
        book.save(raw / f"{stem}.xlsx")
        (raw / f"{stem}.csv").unlink()

    return write


def _layout(manifest, file):
    return manifest["inputs"][file]["layout"]


ROSTER_HEADER = ["警号", "姓名", "单位", "警种", "年龄段", "性别", "中层干部人选", "入职日期", "离职日期"]
ROSTER_ROWS = [
    ["321001", "张三", "安宜派出所", "社区民警", "30-39岁", "男", "是", "2001-03-01", ""],
    ["321002", "李四", "交警大队", "交警", "30岁以下", "女", "否", "2004-02-01", ""],
]
NOTES_SHEET = ("说明", [["本表由政工科填报"], ["填报日期：2004年6月"]], [])

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
    Case(
        "dates in 1904 and 2104, a joining date in 1904: out of the plausible range from the reference data",
        {
            "survey_batches": rows(
                "survey_batches", extra=({**ROWS["survey_batches"][0], "batch_id": "B03", "date": "1904-04-25"},)
            ),
            "opinions_register": rows("opinions_register", {"received": "2104-04-25"}),
            "officer_roster": rows(
                "officer_roster",
                extra=({**ROWS["officer_roster"][0], "police_number": "321009", "joined": "1904-03-01"},),
            ),
            "training_credits": rows("training_credits", {"month": "1904-05"}),
        },
        quarantined={
            "survey_batches": {
                4: r"^date: 1904-04-25 is out of range \(2003-01-01\.\.2005-12-31, from the campaign year 2004\)$"
            },
            "opinions_register": {2: r"^received: 2104-04-25 is out of range \(2003-01-01\.\.2005-12-31"},
            "rectification_ledger": {2: r"no such opinion"},
            "officer_roster": {
                4: r"^joined: 1904-03-01 is out of range \(1957-01-01\.\.2005-12-31, .*careers of at most 47"
            },
            "training_credits": {2: r"^month: 1904-05 is out of range \(2003-01\.\.2005-12"},
        },
    ),
    Case("a missing file", {}, error=r"file not found", file="case_files.csv"),
    # Spreadsheets as the bureau exports them (issue 14, item 10).
    Case(
        "CSV: a title row above the header and a totals row at the bottom: title skipped, totals row quarantined",
        {},
        write=_csv("households", "县公安局辖区户数统计表,\n辖区,户数\nAnyi,5000\nFanshui,3000\n合计,8000\n"),
        quarantined={"households": {5: r"^totals row \('合计'\): a sum of the rows above, not a record$"}},
        check=lambda out, m: (
            _layout(m, "households.csv")
            == {"header_rows": [2], "title_rows_skipped": [{"row": 1, "text": "县公安局辖区户数统计表"}]}
            and m["inputs"]["households.csv"]["quarantine_reasons"] == {"totals row": 1}
            and pd.read_parquet(out / "households.parquet")["households"].tolist() == [5000, 3000]
        ),
    ),
    Case(
        "a totals row whose first cell would pass as a key (form_id 合计): quarantined, not counted as a form",
        {"survey_responses": rows("survey_responses", extra=({**ROWS["survey_responses"][0], "form_id": "合计"},))},
        quarantined={"survey_responses": {6: r"^totals row \('合计'\)"}},
    ),
    Case(
        "a subtotal row between groups (小计): quarantined as a totals row, the rows after it kept",
        {},
        write=_csv("households", "district,households\nAnyi,5000\n小计,5000\nFanshui,3000\nTotal:,8000\n"),
        quarantined={"households": {3: r"^totals row \('小计'\)", 5: r"^totals row \('Total:'\)"}},
    ),
    Case(
        "CSV: a two-row header (a merged parent exported as one cell over its children, blanks under single cells)",
        {},
        write=_csv(
            "fitness_tests",
            "警号,姓名,轮次,测试日期,参测状态,体能测试,,达标标准,,\n"
            ",,,,,项目,成绩,标准,达标线,方向\n"
            "321001,张三,1,2004-05-10,参测,俯卧撑,30,S-M-30,25,越高越好\n"
            "321002,李四,1,2004-05-10,参测,1000米跑,250,S-F-U30,270,越低越好\n",
        ),
        check=lambda out, m: (
            _layout(m, "fitness_tests.csv") == {"header_rows": [1, 2], "title_rows_skipped": []}
            and pd.read_parquet(out / "fitness_tests.parquet")["item"].tolist() == ["pushups", "run_1000m"]
        ),
    ),
    Case(
        "xlsx: a merged title, a two-row header with merged cells (发放 over 日期 | 份数), a merged totals row",
        {},
        write=_xlsx(
            "survey_distribution",
            (
                "发放登记",
                [
                    ["县公安局满意度问卷发放登记表", None, None, None, None],
                    ["批次", "渠道", "辖区", "发放", None],
                    [None, None, None, "日期", "份数"],
                    ["B01", "街头", "Anyi", "2004-04-25", 50],
                    ["B02", "入户", "Fanshui", "2004-04-26", 40],
                    ["合计", None, None, None, 90],
                ],
                ["A1:E1", "A2:A3", "B2:B3", "C2:C3", "D2:E2", "A6:D6"],
            ),
        ),
        quarantined={"survey_batches": {6: r"^totals row \('合计'\)"}},
        check=lambda out, m: (
            _layout(m, "survey_distribution.xlsx")
            == {
                "sheet": "发放登记",
                "header_rows": [2, 3],
                "title_rows_skipped": [{"row": 1, "text": "县公安局满意度问卷发放登记表"}],
            }
            and pd.read_parquet(out / "survey_batches.parquet")["forms_distributed"].tolist() == [50, 40]
        ),
    ),
    Case(
        "xlsx with several sheets: read from the only one whose headers match",
        {},
        write=_xlsx(
            "officer_roster",
            NOTES_SHEET,
            ("花名册", [ROSTER_HEADER, *ROSTER_ROWS], []),
            ("统计", [["单位", "人数"], ["安宜派出所", 1]], []),
        ),
        check=lambda out, m: (
            _layout(m, "officer_roster.xlsx")["sheet"] == "花名册" and m["inputs"]["officer_roster.xlsx"]["clean"] == 2
        ),
    ),
    Case(
        "xlsx with several sheets, none with the contract's headers: refused, listing the sheets",
        {},
        write=_xlsx("officer_roster", NOTES_SHEET, ("Sheet2", [["编号", "人员"], ["1", "x"]], [])),
        error=r"no sheet has the headers of officer_roster \(sheets: '说明', 'Sheet2'\)",
        file="officer_roster.xlsx",
    ),
    Case(
        "xlsx with two sheets that both match: refused, naming them",
        {},
        write=_xlsx(
            "officer_roster", ("一月", [ROSTER_HEADER, *ROSTER_ROWS], []), ("二月", [ROSTER_HEADER, *ROSTER_ROWS], [])
        ),
        error=r"several sheets have the headers of officer_roster \('一月', '二月'; sheets: '一月', '二月'\)",
        file="officer_roster.xlsx",
    ),
    Case(
        "a title row and a renamed column: 'headers found' lists the file's own headers only",
        {},
        write=_csv("households", "县公安局辖区户数统计表\n地区,户数\nAnyi,5000\n"),
        error=r"column 'district': required column missing .*headers found \(header looked for in the first 10 rows\): "
        r"地区, 户数$",
        file="households.csv",
        absent=("统计表",),
    ),
    Case(
        "an optional column left out and a required one renamed: the optional one is not among 'headers found'",
        {},
        write=_csv(
            "officer_roster",
            "警员编号,姓名,单位,警种,年龄段,性别,中层干部人选,入职日期\n"
            "321001,张三,安宜派出所,社区民警,30-39岁,男,是,2001-03-01\n",
        ),
        error=r"column 'police_number': required column missing .*headers found \(header looked for in the first 10 "
        r"rows\): 警员编号, 姓名, .*, 入职日期$",
        file="officer_roster.csv",
        absent=("left", "Unnamed"),
    ),
    Case(
        "xlsx in the wide layout (体能测试 merged over 1000米 | 引体向上 | 俯卧撑): refused, the contract has one "
        "row per item; the merged header listed once",
        {},
        write=_xlsx(
            "fitness_tests",
            (
                "体能",
                [
                    ["2004年民警体能测试成绩表", None, None, None, None],
                    ["警号", "姓名", "体能测试", None, None],
                    [None, None, "1000米", "引体向上", "俯卧撑"],
                    ["321001", "张三", "3'50", 5, 30],
                ],
                ["A1:E1", "A2:A3", "B2:B3", "C2:E2"],
            ),
        ),
        error=r"column 'round': required column missing .*headers found \(header looked for in the first 10 rows\): "
        r"警号, 姓名, 体能测试$",
        file="fitness_tests.xlsx",
    ),
    Case(
        "a header below the first 10 rows: not found, the error says where it looked",
        {},
        write=_csv("households", "".join(f"说明第{i}行\n" for i in range(1, 11)) + "辖区,户数\nAnyi,5000\n"),
        error=r"column 'district': required column missing .*headers found \(header looked for in the first 10 rows\)",
        file="households.csv",
    ),
]


def _write(tmp_path, case: Case):
    raw = write_minimal_raw(tmp_path / "raw", rows=case.rows)
    if case.name == "a missing file":
        (raw / "case_files.csv").unlink()
    if case.write is not None:
        case.write(raw)
    return raw


@pytest.mark.parametrize("case", [c for c in CASES if c.error], ids=lambda c: c.name)
def test_error_cases_exit_2_with_a_clear_message(case, tmp_path, capsys):
    raw = _write(tmp_path, case)
    code = cli.main(["clean", "--raw-dir", str(raw), "--processed-dir", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 2, err
    assert err.startswith("error: ") and "Traceback" not in err
    assert case.file in err
    assert re.search(case.error, err.strip()), err
    assert not [a for a in case.absent if a in err], err
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
