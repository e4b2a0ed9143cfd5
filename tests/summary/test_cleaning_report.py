"""The cleaning report for readers: officer-file counts under the disclosure rule, key results as sentences."""

import html as html_lib
import re
import types

import pandas as pd
import pytest

from analysis.core import language
from analysis.data.contract import RAW_FILES
from analysis.stats import disclosure
from analysis.summary import cleaning_report

SPECS = {s.dataset: s for s in RAW_FILES}


def _file(dataset: str, clean: int, reasons: dict[str, int], cells: int = 0):
    quarantine = pd.DataFrame({"reason_kind": [k for k, n in reasons.items() for _ in range(n)]})
    return types.SimpleNamespace(
        spec=SPECS[dataset],
        rows_in=clean + len(quarantine),
        clean=pd.DataFrame({"x": range(clean)}),
        quarantine=quarantine,
        cells=pd.DataFrame({"x": range(cells)}),
    )


def _result():
    return types.SimpleNamespace(
        files=[
            _file("officer_roster", 320, {"duplicate": 3, "missing value": 1, "unknown value": 1}),
            _file("fitness_tests", 10028, {"duplicate": 25, "out of range": 1, "unknown reference": 4}),
            _file("training_credits", 7534, {"duplicate": 16, "out of range": 4}),
            _file("cadre_competition", 249, {"duplicate": 3, "unknown reference": 1}),
            _file("survey_responses", 6464, {"blank form": 55, "duplicate": 43, "unknown value": 3}, cells=31),
            _file("population_margins", 48, {"duplicate": 1}),
        ]
    )


def _visible(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", html)


def test_officer_files_are_the_files_with_personal_columns():
    people = {d for d, s in SPECS.items() if cleaning_report.about_people(s)}
    assert {"officer_roster", "fitness_tests", "training_credits", "cadre_competition"} <= people
    assert not people & {"survey_batches", "opinions_register", "campaign_activities", "population_margins"}


def test_no_small_officer_count_is_shown_or_recoverable_from_rows_read():
    files = cleaning_report.per_file(_result())
    with language.using("en"):
        html = cleaning_report.officer_files_table(files).to_html()
    cells = [html_lib.unescape(c) for c in re.findall(r"<td[^>]*>([^<]*)</td>", html)]
    rows = [cells[i : i + 5] for i in range(0, len(cells), 5)]
    by_file = {r[0]: r for r in rows}
    roster, cadre = by_file["officer roster"], by_file["open competition for posts"]
    assert roster[1] == "325" and roster[3] == disclosure.primary_marker()
    assert roster[2] == "x" and cadre[2] == "x"  # else rows read minus kept gives the hidden count
    assert by_file["fitness test records"][3] == "30"
    assert "fewer than 10" in html  # the note under the table says what <10 means


def test_other_files_show_every_count():
    files = cleaning_report.per_file(_result())
    with language.using("en"):
        html = cleaning_report.other_files_table(files).to_html()
    assert "household register" in html and ">1</td>" in html and "officer roster" not in html


def test_reasons_are_counted_over_all_files_and_protected():
    with language.using("en"):
        html = cleaning_report.reasons_table(_result()).to_html()
    text = _visible(html)
    assert "a duplicate of another row" in text and "91" in text  # 3 + 25 + 16 + 3 + 43 + 1
    assert "55" in text
    for small in (" 1 ", " 3 ", " 4 ", " 5 "):
        assert small not in text, small
    assert not re.search(r"<td class=\"num people\">[0-9]</td>", html)


def test_key_results_are_sentences_with_the_small_counts_under_the_rule():
    files = cleaning_report.per_file(_result())
    with language.using("en"):
        lines = cleaning_report.key_results(files, pd.DataFrame({"matches": [True, True, False]}))
    assert lines[0].startswith("24,804 rows read from 6 files: 24,643 kept, 161 set aside")
    assert "Of the rows set aside, 59 are rows of the officer files." in lines
    assert any("31 values" in line for line in lines) and lines[-1].startswith("2 of 3 figures")
    few = cleaning_report.per_file(types.SimpleNamespace(files=[_file("officer_roster", 320, {"duplicate": 3})]))
    with language.using("en"):
        lines = cleaning_report.key_results(few)
    assert "all but fewer than 10 kept" in lines[0] and "320" not in " ".join(lines)
    assert "fewer than 10 are rows of the officer files" in lines[1]


def test_key_results_refuse_rows_lost():
    files = cleaning_report.per_file(_result())
    files.loc[0, "clean"] -= 1
    with pytest.raises(ValueError, match="rows read"):
        cleaning_report.key_results(files)


def test_chinese_tables_name_files_and_reasons_in_chinese():
    files = cleaning_report.per_file(_result())
    with language.using("zh"):
        html = cleaning_report.officer_files_table(files).to_html() + cleaning_report.reasons_table(_result()).to_html()
        lines = cleaning_report.key_results(files)
    assert "民警花名册" in html and "与另一行重复" in html and "读入行数" in html
    assert "无一遗漏" in lines[0]


def test_no_row_set_aside_is_a_sentence_not_an_empty_table():
    clean = types.SimpleNamespace(files=[_file("officer_roster", 320, {}), _file("population_margins", 48, {})])
    with language.using("en"):
        out = cleaning_report.reasons_block(clean)
    assert "No row was set aside" in out.html and "<table" not in out.html
    assert cleaning_report.reasons(clean).empty
