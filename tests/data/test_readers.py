"""Raw exports arrive as UTF-8 or GB18030 CSV, or as .xlsx, with Chinese or English headers."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pandas as pd
import pytest

from analysis.core.errors import ContractError
from analysis.data.cleaning import clean_all
from analysis.data.contract import BY_DATASET
from analysis.data.readers import read_raw
from minimal_raw import write_minimal_raw

ROSTER = BY_DATASET["officer_roster"]
HOUSEHOLDS = BY_DATASET["households"]


def test_gb18030_csv_with_chinese_headers(tmp_path):
    text = "辖区,户数\n安宜镇,5000\n氾水,3000\n"
    data = text.encode("gb18030")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")  # the fixture really is not UTF-8
    (tmp_path / "households.csv").write_bytes(data)
    table = read_raw(tmp_path, HOUSEHOLDS)
    assert table.encoding == "gb18030"
    assert table.frame["district"].tolist() == ["安宜镇", "氾水"]
    assert table.frame["source_row"].tolist() == [2, 3]


def test_utf8_with_bom(tmp_path):
    (tmp_path / "households.csv").write_bytes("district,households\nAnyi,5\n".encode("utf-8-sig"))
    table = read_raw(tmp_path, HOUSEHOLDS)
    assert table.encoding == "utf-8" and list(table.frame.columns) == ["source_row", "district", "households"]


def test_xlsx_roster_with_excel_dates_and_numeric_ids(tmp_path):
    frame = pd.DataFrame(
        {
            "警号": [321001, "０２１００２"],
            "姓名": ["张三", "李 四"],
            "单位": ["安宜派出所", "交警大队"],
            "警种": ["社区民警", "交警"],
            "年龄段": ["30-39岁", "30岁以下"],
            "性别": ["男", "女"],
            "中层干部人选": ["是", "否"],
            "入职日期": [dt.datetime(2001, 3, 1), "2004/2/1"],
            "离职日期": [None, None],
        }
    )
    frame.to_excel(tmp_path / "officer_roster.xlsx", index=False)
    table = read_raw(tmp_path, ROSTER)
    assert table.encoding == "xlsx"
    assert table.frame["police_number"].tolist() == ["321001", "０２１００２"], "ids stay text, not 321001.0"


def test_xlsx_roster_cleans_like_csv(tmp_path):
    raw = write_minimal_raw(tmp_path / "raw")
    roster = pd.read_csv(raw / "officer_roster.csv", dtype=str, keep_default_na=False)
    roster["joined"] = [dt.datetime(2001, 3, 1), dt.datetime(2004, 2, 1)]
    roster.to_excel(raw / "officer_roster.xlsx", index=False)
    (raw / "officer_roster.csv").unlink()
    result = clean_all(raw, tmp_path / "out")
    assert result.manifest["inputs"]["officer_roster.xlsx"]["clean"] == 2
    clean = pd.read_parquet(tmp_path / "out" / "officer_roster.parquet")
    assert [str(d.date()) for d in clean["joined"]] == ["2001-03-01", "2004-02-01"]


def test_broken_xlsx(tmp_path):
    (tmp_path / "officer_roster.xlsx").write_bytes(b"this is not a zip file")
    with pytest.raises(ContractError, match=r"officer_roster\.xlsx: not a readable \.xlsx workbook"):
        read_raw(tmp_path, ROSTER)


def test_csv_and_xlsx_both_present_is_ambiguous(tmp_path):
    (tmp_path / "households.csv").write_text("district,households\nAnyi,5\n")
    (tmp_path / "households.xlsx").write_bytes(b"")
    with pytest.raises(ContractError, match="both a .csv and an .xlsx"):
        read_raw(tmp_path, HOUSEHOLDS)


ROSTER_HEADER = ["警号", "姓名", "单位", "警种", "年龄段", "性别", "中层干部人选", "入职日期", "离职日期"]


def _book(path, sheets):
    import openpyxl

    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows, merges in sheets:
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
        for merge in merges:
            sheet.merge_cells(merge)
    book.save(path)


def _roster(police_number):
    return [police_number, "张三", "安宜派出所", "社区民警", "30-39岁", "男", "是", "2001-03-01", None]


def test_the_sheet_named_in_the_contract_is_read_among_matching_sheets(tmp_path):
    _book(
        tmp_path / "officer_roster.xlsx",
        [("旧表", [ROSTER_HEADER, _roster("321009")], []), ("花名册", [ROSTER_HEADER, _roster("321001")], [])],
    )
    table = read_raw(tmp_path, dataclasses.replace(ROSTER, sheet="花名册"))
    assert table.layout["sheet"] == "花名册"
    assert table.frame["police_number"].tolist() == ["321001"]
    with pytest.raises(ContractError, match=r"no sheet named '名单' \(the contract's\) and several sheets have"):
        read_raw(tmp_path, dataclasses.replace(ROSTER, sheet="名单"))


def test_merged_data_cells_give_their_value_to_every_row_they_cover(tmp_path):
    # A unit merged down the rows of its officers: calamine gives the value in the first cell only.
    rows = [ROSTER_HEADER, _roster("321001"), _roster("321002"), _roster("321003")]
    _book(tmp_path / "officer_roster.xlsx", [("Sheet1", rows, ["C2:C4"])])
    table = read_raw(tmp_path, ROSTER)
    assert table.frame["unit"].tolist() == ["安宜派出所"] * 3
    assert table.frame["source_row"].tolist() == [2, 3, 4]


def test_values_beyond_the_header_are_a_shifted_row(tmp_path):
    (tmp_path / "households.csv").write_text("district,households\nAnyi,5,\nFanshui,3,extra\n", encoding="utf-8")
    with pytest.raises(ContractError, match=r"households\.csv, row 3: values beyond the header's 2 columns"):
        read_raw(tmp_path, HOUSEHOLDS)


def test_a_title_row_with_a_name_is_scrubbed_in_the_manifest(tmp_path):
    raw = write_minimal_raw(tmp_path / "raw")
    text = (raw / "households.csv").read_text(encoding="utf-8")
    (raw / "households.csv").write_text("户数统计表（制表：李四，13912345678）\n" + text, encoding="utf-8")
    result = clean_all(raw, tmp_path / "out")
    layout = result.manifest["inputs"]["households.csv"]["layout"]
    assert layout["title_rows_skipped"] == [{"row": 1, "text": "户数统计表(制表:【姓名】,【电话】)"}]
    # `python -m analysis clean` says so under its table.
    assert (
        "households.csv: header in row 2; title row 1 skipped (户数统计表(制表:【姓名】,【电话】))"
        in result.summary_text()
    )
    assert "李四" not in result.summary_text()
