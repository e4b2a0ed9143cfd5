"""Cleaning: each kind of contract violation gives its documented error or quarantine reason."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from analysis import cli
from analysis.core.errors import (
    ColumnTypeError,
    EmptyFileError,
    EncodingError,
    MissingColumnError,
    MissingFileError,
    UnknownCategoryError,
)
from analysis.data.cleaning import clean_all
from minimal_raw import ROWS, write_minimal_raw


@pytest.fixture
def raw(tmp_path):
    return write_minimal_raw(tmp_path / "raw")


def quarantine(processed, dataset):
    return pd.read_csv(processed / "quarantine" / f"{dataset}.csv", dtype=str, keep_default_na=False)


def test_minimal_export_is_all_clean(raw, tmp_path):
    result = clean_all(raw, tmp_path / "out")
    summary = result.summary()
    assert (summary["quarantined"] == 0).all()
    assert (summary["rows_in"] == summary["clean"]).all()
    assert json.loads((tmp_path / "out" / "manifest.json").read_text())["synthetic"] is True


def test_missing_file_is_named(raw, tmp_path):
    (raw / "households.csv").unlink()
    with pytest.raises(MissingFileError, match=r"households\.csv.*file not found"):
        clean_all(raw, tmp_path / "out")
    assert not (tmp_path / "out").exists(), "nothing is written when a file is missing"


def test_renamed_column_is_named_with_a_guess(raw, tmp_path):
    frame = pd.read_csv(raw / "households.csv").rename(columns={"households": "household"})
    frame.to_csv(raw / "households.csv", index=False)
    with pytest.raises(
        MissingColumnError, match=r"households\.csv, column 'households'.*'household' that column renamed"
    ):
        clean_all(raw, tmp_path / "out")


def test_chinese_headers_are_accepted(raw, tmp_path):
    frame = pd.read_csv(raw / "households.csv").rename(columns={"district": "辖区", "households": "户数"})
    frame.to_csv(raw / "households.csv", index=False)
    result = clean_all(raw, tmp_path / "out")
    assert result.manifest["inputs"]["households.csv"]["clean"] == 2


@pytest.mark.parametrize("content", [b"", b"\n\n"])
def test_empty_file(raw, tmp_path, content):
    (raw / "households.csv").write_bytes(content)
    with pytest.raises(EmptyFileError, match=r"households\.csv: the file is empty"):
        clean_all(raw, tmp_path / "out")


def test_header_only_file(raw, tmp_path):
    (raw / "households.csv").write_text("district,households\n")
    with pytest.raises(EmptyFileError, match="header but no data rows"):
        clean_all(raw, tmp_path / "out")


def test_wrong_encoding(raw, tmp_path):
    text = (raw / "households.csv").read_text()
    (raw / "households.csv").write_bytes(text.encode("utf-16"))
    with pytest.raises(EncodingError, match=r"households\.csv: the file is UTF-16"):
        clean_all(raw, tmp_path / "out")
    (raw / "households.csv").write_bytes(b"district,households\nAnyi,\xff\xfe\x80\n")
    with pytest.raises(EncodingError, match="neither UTF-8 nor GB18030"):
        clean_all(raw, tmp_path / "out")


def test_wrong_type_in_a_whole_column_is_refused(raw, tmp_path):
    write_minimal_raw(
        raw,
        rows={
            "households": [{"district": "Anyi", "households": "many"}, {"district": "Fanshui", "households": "lots"}]
        },
    )
    with pytest.raises(ColumnTypeError, match=r"households\.csv, column 'households': 2 of 2 values are not a int"):
        clean_all(raw, tmp_path / "out")


def test_wrong_type_in_one_row_is_quarantined_with_row_and_column(raw, tmp_path):
    rows = [dict(r) for r in ROWS["survey_batches"]] + [
        {"batch_id": "B03", "channel": "street", "district": "Anyi", "date": "2004-04-31", "forms_distributed": "ten"},
    ]
    write_minimal_raw(raw, rows={"survey_batches": rows})
    clean_all(raw, tmp_path / "out")
    q = quarantine(tmp_path / "out", "survey_batches")
    assert q["source_row"].tolist() == ["4"]
    assert "date: '2004-04-31' is not a calendar date" in q.at[0, "reason"]
    assert "forms_distributed: 'ten' is not a number" in q.at[0, "reason"]


def test_unknown_category_is_quarantined_and_a_whole_column_refused(raw, tmp_path):
    rows = [dict(r) for r in ROWS["survey_batches"]]
    rows[1]["channel"] = "radio"
    write_minimal_raw(raw, rows={"survey_batches": rows})
    clean_all(raw, tmp_path / "out")
    q = quarantine(tmp_path / "out", "survey_batches")
    assert q.at[0, "reason_kind"] == "unknown value"
    assert "channel: unknown value 'radio' (allowed: enterprise, family, square_event, street)" in q.at[0, "reason"]
    rows[0]["channel"] = "tv"
    write_minimal_raw(raw, rows={"survey_batches": rows})
    with pytest.raises(UnknownCategoryError, match=r"column 'channel': 2 of 2 values are not one of its allowed"):
        clean_all(raw, tmp_path / "out")


def cells(processed, dataset):
    return pd.read_csv(processed / "quarantine" / f"{dataset}.cells.csv", dtype=str, keep_default_na=False)


def test_out_of_range_answer_is_set_missing_and_the_form_kept(raw, tmp_path):
    base = ROWS["survey_responses"]
    bad_code = {**base[0], "form_id": "F100", "q03_attitude": "7"}
    write_minimal_raw(raw, rows={"survey_responses": base + [bad_code]})
    result = clean_all(raw, tmp_path / "out")
    clean = pd.read_parquet(tmp_path / "out" / "survey_responses.parquet").set_index("form_id")
    assert "F100" in clean.index and pd.isna(clean.at["F100", "q03_attitude"])
    assert clean.at["F100", "q04_fairness"] == int(base[0]["q04_fairness"]), "the form's other answers are kept"
    log = cells(tmp_path / "out", "survey_responses")
    assert log.to_dict("records") == [
        {
            "file": "survey_responses.csv",
            "source_row": "6",
            "form_id": "F100",
            "column": "q03_attitude",
            "value": "7",
            "reason_kind": "out of range",
            "reason": "7 is out of range (1..5 or 9)",
        }
    ]
    info = result.manifest["inputs"]["survey_responses.csv"]
    assert (info["rows_in"], info["clean"], info["quarantined"], info["cells_set_missing"]) == (5, 5, 0, 1)
    assert info["cell_reasons"] == {"out of range": 1}
    assert "quarantine/survey_responses.cells.csv" in result.manifest["outputs"]
    assert result.summary().set_index("file").at["survey_responses.csv", "cells_set_missing"] == 1


def test_bad_profile_fields_and_return_dates_are_set_missing(raw, tmp_path):
    base = ROWS["survey_responses"]
    rows = [
        {**base[0], "age_band": "35岁"},
        {**base[1], "sex": "X", "police_contact": "maybe"},
        {**base[2], "date": ""},  # blank: allowed, the batch places the form
        {**base[3], "date": "2004-04-31", "occupation": "pilot"},
    ]
    write_minimal_raw(raw, rows={"survey_responses": rows})
    result = clean_all(raw, tmp_path / "out")
    clean = pd.read_parquet(tmp_path / "out" / "survey_responses.parquet").set_index("form_id")
    assert len(clean) == 4 and quarantine(tmp_path / "out", "survey_responses").empty
    assert clean[["age_band", "sex", "police_contact", "date", "occupation"]].isna().sum().tolist() == [1, 1, 1, 2, 1]
    assert clean.at["F002", "sex"] is pd.NA and clean.at["F002", "age_band"] == "30-44"
    log = cells(tmp_path / "out", "survey_responses")
    assert list(zip(log["source_row"], log["column"], log["value"], log["reason_kind"])) == [
        ("2", "age_band", "35岁", "unknown value"),
        ("3", "police_contact", "maybe", "wrong type"),
        ("3", "sex", "X", "unknown value"),
        ("5", "date", "2004-04-31", "wrong type"),
        ("5", "occupation", "pilot", "unknown value"),
    ]
    assert log.at[3, "reason"] == "'2004-04-31' is not a calendar date"
    assert result.manifest["inputs"]["survey_responses.csv"]["cells_set_missing"] == 5


def test_whole_row_problems_still_quarantine_the_row(raw, tmp_path):
    base = ROWS["survey_responses"]
    blank_form = {**base[0], "form_id": "F101", **{q: "" for q in base[0] if q.startswith("q")}}
    only_bad = {**blank_form, "form_id": "F103", "q02_public_order": "55"}
    duplicate = dict(base[1])
    conflicting = {**base[2], "q01_safety": "5" if base[2]["q01_safety"] != "5" else "4"}
    orphan = {**base[0], "form_id": "F102", "batch_id": "B99", "q05_efficiency": "0"}
    no_channel = {**base[0], "form_id": "F104", "channel": "radio"}
    rows = base + [blank_form, only_bad, duplicate, conflicting, orphan, no_channel]
    write_minimal_raw(raw, rows={"survey_responses": rows})
    result = clean_all(raw, tmp_path / "out")
    q = quarantine(tmp_path / "out", "survey_responses").set_index("source_row")["reason"]
    assert q["6"] == "blank form: no item answered and no opinion"
    assert q["7"] == "blank form: no valid answer and no opinion (q02_public_order: 55 is out of range (1..5 or 9))"
    assert q["8"] == "duplicate of row 3"
    assert q["9"].startswith("same key as row 4 (form_id=F003) with different values")
    assert q["10"] == "batch_id: no such batch in the distribution log"
    assert q["11"].startswith("channel: unknown value 'radio'")
    info = result.manifest["inputs"]["survey_responses.csv"]
    assert (info["rows_in"], info["clean"], info["quarantined"]) == (10, 4, 6)
    # a quarantined row keeps its raw values in the row quarantine; the cell log covers kept rows only
    assert cells(tmp_path / "out", "survey_responses").empty and info["cells_set_missing"] == 0
    assert quarantine(tmp_path / "out", "survey_responses").set_index("source_row").at["10", "q05_efficiency"] == "0"


def test_a_cell_level_column_that_mostly_fails_still_refuses_the_file(raw, tmp_path):
    rows = [{**r, "q03_attitude": "7"} for r in ROWS["survey_responses"]]
    write_minimal_raw(raw, rows={"survey_responses": rows})
    with pytest.raises(
        ColumnTypeError, match=r"survey_responses\.csv, column 'q03_attitude': 4 of 4 values are not 1-5"
    ):
        clean_all(raw, tmp_path / "out")


def test_only_files_with_cell_level_columns_get_a_cell_log(raw, tmp_path):
    result = clean_all(raw, tmp_path / "out")
    logs = sorted(p.name for p in (tmp_path / "out" / "quarantine").glob("*.cells.csv"))
    assert logs == ["survey_responses.cells.csv"]
    assert list(cells(tmp_path / "out", "survey_responses").columns) == [
        "file",
        "source_row",
        "form_id",
        "column",
        "value",
        "reason_kind",
        "reason",
    ]
    assert all(info["cells_set_missing"] == 0 for info in result.manifest["inputs"].values())


def test_ledger_row_closed_before_its_opinion_was_received_is_quarantined(raw, tmp_path):
    # OP1's suggestions were received on 25 April and (a second one) 20 June; the earliest counts.
    register = ROWS["opinions_register"] + [
        {**ROWS["opinions_register"][0], "suggestion_id": "S3", "received": "2004-06-20"}
    ]
    ledger = [dict(r) for r in ROWS["rectification_ledger"]]
    ledger[0]["closed_date"] = "2004-04-24"  # the day before OP1 was first received
    ledger[1] = {**ledger[1], "status": "rectified", "closed_date": "2004-04-26"}  # the day OP2 was: kept
    write_minimal_raw(raw, rows={"opinions_register": register, "rectification_ledger": ledger})
    result = clean_all(raw, tmp_path / "out")
    q = quarantine(tmp_path / "out", "rectification_ledger")
    assert q["reason"].tolist() == ["closed_date: before the opinion was first received (2004-04-25)"]
    assert q["reason_kind"].tolist() == ["dates out of order"]
    clean = pd.read_parquet(tmp_path / "out" / "rectification_ledger.parquet")
    assert clean["opinion_id"].tolist() == ["OP2"]
    info = result.manifest["inputs"]["rectification_ledger.csv"]
    assert (info["rows_in"], info["clean"], info["quarantined"]) == (2, 1, 1)


def test_unknown_unit_and_officer_not_on_roster(raw, tmp_path):
    rows = [dict(r) for r in ROWS["training_credits"]]
    rows.append({**rows[0], "police_number": "999999", "month": "2004-06"})
    review = [
        {"unit": "Anyi Police Station", "round": "1", "score": "85", "raters": "40"},
        {"unit": "Moon Base", "round": "1", "score": "85", "raters": "40"},
        {"unit": "东荡派出所", "round": "1", "score": "90", "raters": "30"},
    ]
    roster = ROWS["officer_roster"] + [
        {**ROWS["officer_roster"][0], "police_number": "321003", "unit": "Dongdang Police Station"}
    ]
    write_minimal_raw(raw, rows={"training_credits": rows, "democratic_review": review, "officer_roster": roster})
    clean_all(raw, tmp_path / "out")
    assert (
        quarantine(tmp_path / "out", "training_credits").at[0, "reason"] == "police_number: officer not on the roster"
    )
    q = quarantine(tmp_path / "out", "democratic_review")
    assert q.at[0, "reason"].startswith("unit: unknown unit 'Moon Base' (known: ")
    clean = pd.read_parquet(tmp_path / "out" / "democratic_review.parquet")
    assert sorted(clean["unit"]) == ["Anyi Police Station", "Dongdang Police Station"], "Chinese alias mapped"


def test_normalisation_of_names_dates_and_codes(raw, tmp_path):
    roster = [dict(r) for r in ROWS["officer_roster"]]
    roster[0].update(police_number="３２１００１ ", unit=" 安宜派出所 ", sex="男", joined="2001年3月1日")
    training = [dict(r) for r in ROWS["training_credits"]]
    training[0].update(police_number=" 321001", month="200405")
    write_minimal_raw(raw, rows={"officer_roster": roster, "training_credits": training})
    clean_all(raw, tmp_path / "out")
    officers = pd.read_parquet(tmp_path / "out" / "officer_roster.parquet")
    first = officers.iloc[0]
    assert (first["unit"], first["sex"], str(first["joined"].date())) == ("Anyi Police Station", "M", "2001-03-01")
    credits = pd.read_parquet(tmp_path / "out" / "training_credits.parquet")
    assert credits.loc[0, "officer_id"] == first["officer_id"], "full-width police number joins the roster"
    assert credits.loc[0, "month"] == "2004-05"


def test_cli_prints_a_clear_error_not_a_traceback(raw, tmp_path, capsys):
    (raw / "case_files.csv").unlink()
    code = cli.main(["clean", "--raw-dir", str(raw), "--processed-dir", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("error: ") and "case_files.csv" in err and "Traceback" not in err


def test_rerun_is_idempotent_and_outputs_are_replaced_whole(raw, tmp_path):
    first = clean_all(raw, tmp_path / "out").manifest
    manifest_bytes = (tmp_path / "out" / "manifest.json").read_bytes()
    second = clean_all(raw, tmp_path / "out").manifest
    assert first == second
    assert (tmp_path / "out" / "manifest.json").read_bytes() == manifest_bytes
    assert not list((tmp_path / "out").rglob("*.tmp")), "no temporary files left behind"


def test_real_data_without_a_key_is_refused(tmp_path, monkeypatch):
    raw = write_minimal_raw(tmp_path / "raw", synthetic=False)
    monkeypatch.delenv("ANALYSIS_PSEUDONYM_KEY", raising=False)
    with pytest.raises(Exception, match="ANALYSIS_PSEUDONYM_KEY is not set"):
        clean_all(raw, tmp_path / "out")
    monkeypatch.setenv("ANALYSIS_PSEUDONYM_KEY", "a-long-secret")
    with pytest.raises(Exception, match=r"too short for real data: 104 bits, at least 128 .*secrets\.token_hex"):
        clean_all(raw, tmp_path / "out")
    monkeypatch.setenv("ANALYSIS_PSEUDONYM_KEY", "0123456789abcdef" * 2)  # 32 hex characters: 128 bits
    assert clean_all(raw, tmp_path / "out").manifest["pseudonym_key"]["source"] == "environment"
    monkeypatch.setenv("ANALYSIS_PSEUDONYM_KEY", "0123456789abcdef0123456789abcde")  # 31 hex: 124 bits
    with pytest.raises(Exception, match="124 bits"):
        clean_all(raw, tmp_path / "out")


def test_a_date_column_has_one_unit_even_when_every_value_is_blank():
    from analysis.data.normalise import parse_date

    for values in (["2004-04-27", ""], ["", ""]):
        assert str(parse_date(pd.Series(values, dtype=object))[0].dtype) == "datetime64[us]", values
