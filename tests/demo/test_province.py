"""The demo province: county 1 is the default demo byte for byte, the others differ and stay consistent."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import pandas as pd
import pytest

from analysis.core import paths
from analysis.core.errors import AnalysisError
from analysis.demo import FORMATS, file_name, write_demo_data
from analysis.demo.county import BASE, OUTLIERS, County, county_names, profile

COMMITTED = paths.ROOT / "data" / "raw"
DATA_FILES = sorted(file_name(d) for d in FORMATS)


@pytest.fixture(scope="module")
def province(demo_province) -> Path:
    """``demo-data --counties 3`` at seed 2004 (conftest: written and cleaned once per run)."""
    return demo_province.raw


def test_one_folder_per_county_named_in_pinyin(province):
    assert sorted(p.name for p in province.iterdir()) == ["baoying", "gaoyou", "yizheng"]
    for folder in province.iterdir():
        assert {p.name for p in folder.iterdir()} == {*DATA_FILES, "README.md", paths.SYNTHETIC_MARKER}
    marker = (province / "yizheng" / paths.SYNTHETIC_MARKER).read_text(encoding="utf-8")
    assert "--counties 3" in marker and "county: 3 of 3 (yizheng)" in marker
    readme = (province / "gaoyou" / "README.md").read_text(encoding="utf-8")
    assert "高邮" in readme and "C002" in readme and "synthetic" in readme.lower()


def test_county_one_is_the_default_demo_byte_for_byte(province):
    for name in DATA_FILES:
        assert (province / "baoying" / name).read_bytes() == (COMMITTED / name).read_bytes(), name


def test_every_county_has_its_own_data(province):
    for name in ("survey_responses.csv", "fitness_tests.csv", "officer_roster.xlsx"):
        contents = {(province / c / name).read_bytes() for c in ("baoying", "gaoyou", "yizheng")}
        assert len(contents) == 3, name


def test_profiles_county_one_is_the_report_and_outliers_stand_out():
    assert profile(1, 2004) == BASE == County(1, 2004).profile
    others = [profile(n, 2004) for n in range(2, 21) if n not in OUTLIERS]
    assert len({p for p in others}) == len(others), "counties drawn alike"
    low = OUTLIERS[3]
    # The outlier sits beyond every ordinary county on satisfaction, returns and rectification.
    assert low.satisfaction < min(p.satisfaction for p in others)
    assert low.valid_returned < min(p.valid_returned for p in others)
    assert low.rectified < min(p.rectified for p in others)
    assert OUTLIERS[5].pass_last < min(p.pass_last for p in others)
    for p in [*others, *OUTLIERS.values()]:  # pass rates that are whole counts of a few hundred officers
        assert (p.pass_first * 25).denominator == 1 and (p.pass_last * 25).denominator == 1
    assert profile(2, 2004) != profile(2, 7)


def test_names_beyond_the_list_are_invented():
    assert county_names(1) == ("baoying", "宝应")
    assert county_names(21) == ("county-021", "第21县")


def test_switching_layouts_removes_the_other_layout(tmp_path):
    write_demo_data(tmp_path, counties=2)
    write_demo_data(tmp_path)
    assert not (tmp_path / "baoying").exists() and (tmp_path / "survey_responses.csv").exists()
    write_demo_data(tmp_path, counties=2)
    assert not (tmp_path / "survey_responses.csv").exists() and (tmp_path / "gaoyou" / "SYNTHETIC").exists()


def test_refuses_real_exports_in_a_county_folder(tmp_path):
    (tmp_path / "gaoyou").mkdir()
    (tmp_path / "gaoyou" / "survey_responses.csv").write_text("问卷编号\nX\n", encoding="utf-8")
    with pytest.raises(AnalysisError, match="refusing"):
        write_demo_data(tmp_path, counties=2)
    assert (tmp_path / "gaoyou" / "survey_responses.csv").read_text(encoding="utf-8") == "问卷编号\nX\n"


def test_counties_and_scale_do_not_combine(tmp_path):
    with pytest.raises(AnalysisError, match="do not combine"):
        write_demo_data(tmp_path, scale=2, counties=2)


@pytest.mark.slow
@pytest.mark.parametrize("number", [2, 3])
def test_each_county_cleans_to_its_own_profile(demo_province, number):
    county = County(number, 2004)
    folder = demo_province.processed / f"county={county.name}"
    manifest = json.loads((folder / paths.MANIFEST).read_text(encoding="utf-8"))
    for info in manifest["inputs"].values():
        assert info["rows_in"] == info["clean"] + info["quarantined"]
    kf = demo_province.key_figures
    figures = kf[kf["county"] == county.name].set_index("id")["value"]
    p = county.profile
    assert figures["survey.distributed"] == 10_000
    assert figures["survey.valid_returned"] == p.valid_returned
    assert (figures["opinions.rectified"], figures["opinions.in_progress"]) == (p.rectified, 166 - p.rectified)
    assert Fraction(figures["fitness.pass_rate_baseline"]).limit_denominator(100) == p.pass_first
    assert Fraction(figures["fitness.pass_rate_final"]).limit_denominator(100) == p.pass_last
    # The county's places are its own: every clean response sits in one of its coded districts.
    responses = pd.read_parquet(folder / "survey_responses.parquet")
    assert responses["district"].str.startswith(f"C{number:03d} ").all()
