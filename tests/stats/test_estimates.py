"""estimates.csv: one row per printed estimate, written per report, collected into reports/estimates.csv."""

import math

import pandas as pd
import pytest

from analysis.stats import estimates
from analysis.stats.estimates import EstimateRow


def test_rows_are_written_with_the_columns_and_full_precision(tmp_path):
    rows = [
        EstimateRow(
            "top_box/q10_overall", "Satisfied", 0.64283011122119, 0.0092, 0.62, 0.66, 87, 2.22, 5954, "svymean"
        ),
        EstimateRow("kish_deff", "Kish", 1.4539, n=6316),
    ]
    path = estimates.write(tmp_path / "survey", rows, None)
    assert path == tmp_path / "survey" / "estimates.csv"
    back = estimates.read(path)
    assert list(back.columns) == list(estimates.COLUMNS)
    assert back["scope"].tolist() == ["county", "county"] and back["report"].tolist() == ["", ""]
    assert back.at[0, "estimate"] == 0.64283011122119  # 17 significant digits survive the round trip
    assert math.isnan(back.at[1, "se"]) and back.at[1, "n"] == 6316
    assert estimates.read(estimates.write(tmp_path / "x", rows, "Anyi")).at[0, "scope"] == "Anyi"


def test_repeated_ids_are_refused():
    with pytest.raises(ValueError, match="estimate ids repeated: \\['a'\\]"):
        estimates.frame([EstimateRow("a", "x", 1.0), EstimateRow("a", "y", 2.0)], "county")


def test_collect_names_each_report_by_its_folder(tmp_path):
    estimates.write(tmp_path / "survey", [EstimateRow("return_rate", "r", 0.6)], None)
    estimates.write(tmp_path / "survey--Anyi", [EstimateRow("return_rate", "r", 0.61)], "Anyi")
    (tmp_path / "fitness").mkdir()  # a report without estimates
    table = estimates.collect(tmp_path)
    assert table[["report", "scope", "estimate"]].values.tolist() == [
        ["survey", "county", 0.6],
        ["survey--Anyi", "Anyi", 0.61],
    ]
    target = tmp_path / "estimates.csv"
    assert estimates.write_collected(tmp_path, target) == target
    assert pd.read_csv(target)["report"].tolist() == ["survey", "survey--Anyi"]
    assert estimates.write_collected(tmp_path / "fitness", tmp_path / "none.csv") is None
    assert not (tmp_path / "none.csv").exists()


def test_a_file_that_is_not_an_estimates_file_is_refused(tmp_path):
    (tmp_path / "estimates.csv").write_text("id,value\na,1\n")
    with pytest.raises(ValueError, match="not an estimates file"):
        estimates.read(tmp_path / "estimates.csv")
