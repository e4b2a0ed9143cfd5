"""The demo generator: byte-for-byte reproducible, seeded, scalable, marked synthetic, and calibrated."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from analysis.core import paths
from analysis.core.errors import AnalysisError
from analysis.data.contract import RAW_FILES
from analysis.demo import file_name, write_demo_data
from analysis.demo.county import County, write_dates, write_months
from analysis.demo.export import deterministic_zip

COMMITTED = paths.ROOT / "data" / "raw"


@pytest.fixture(scope="module")
def default(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("demo") / "raw"
    write_demo_data(out, seed=2004, scale=1)
    return out


def _files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.is_file())


def test_regenerates_committed_raw_data_byte_for_byte(default):
    assert _files(default) == _files(COMMITTED)
    for name in _files(COMMITTED):
        assert (default / name).read_bytes() == (COMMITTED / name).read_bytes(), (
            f"data/raw/{name} differs from what the generator writes; if the generator (or aliases.csv) "
            "changed on purpose, run `make demo-data` and commit data/raw"
        )


def test_one_file_per_contract_file_plus_readme_and_marker(default):
    expected = {file_name(spec.dataset) for spec in RAW_FILES} | {"README.md", paths.SYNTHETIC_MARKER}
    assert set(_files(default)) == expected
    marker = (default / paths.SYNTHETIC_MARKER).read_text(encoding="utf-8")
    assert "SYNTHETIC" in marker and "seed: 2004" in marker and "scale: 1" in marker
    readme = (default / "README.md").read_text(encoding="utf-8")
    assert "synthetic" in readme.lower() and "--seed 2004" in readme and "read-only" in readme


def test_demo_is_small(default):
    assert sum(p.stat().st_size for p in default.iterdir()) < 4_000_000


def test_another_seed_gives_other_data(default, tmp_path):
    write_demo_data(tmp_path, seed=7, scale=1)
    for name in ("survey_responses.csv", "fitness_tests.csv", "officer_roster.xlsx"):
        assert (tmp_path / name).read_bytes() != (default / name).read_bytes(), name


def test_lines_end_with_newline_only(default):
    for path in default.glob("*.csv"):
        data = path.read_bytes()
        assert b"\r" not in data and data.endswith(b"\n"), path.name


def test_responses_are_gb18030_not_utf8(default):
    data = (default / "survey_responses.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    header = data.decode("gb18030").splitlines()[0]
    assert header.startswith("问卷编号,批次,") and "总体满意度" in header


def test_roster_opens_with_openpyxl_and_pandas_and_has_excel_dates(default):
    path = default / "officer_roster.xlsx"
    book = openpyxl.load_workbook(path, read_only=True)
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert rows[0][:3] == ("警号", "姓名", "单位")
    assert any(isinstance(v, dt.datetime) for row in rows[1:] for v in row), "no real Excel date cells"
    frame = pd.read_excel(path, dtype=object, engine="calamine")  # the engine the readers use
    assert len(frame) == len(rows) - 1 > 300
    with zipfile.ZipFile(path) as archive:
        assert {i.date_time for i in archive.infolist()} == {(2004, 12, 31, 0, 0, 0)}
        assert b"2004-12-31T00:00:00Z" in archive.read("docProps/core.xml")


def test_deterministic_zip_removes_the_clock():
    book = openpyxl.Workbook()
    import io

    a, b = io.BytesIO(), io.BytesIO()
    book.save(a)
    book.properties.modified = dt.datetime(2030, 1, 1)
    book.save(b)
    assert deterministic_zip(a.getvalue()) == deterministic_zip(b.getvalue())


def test_scale_two_doubles_respondents_and_officers(default, tmp_path):
    from analysis.data.cleaning import clean_files
    from analysis.data.pseudonyms import resolve_key

    write_demo_data(tmp_path, seed=2004, scale=2)
    # County 1 of a province is the default demo unchanged: the files start with its rows.
    one = (default / "fitness_tests.csv").read_bytes()
    assert (tmp_path / "fitness_tests.csv").read_bytes().startswith(one)
    key, _ = resolve_key(True)
    single = {r.spec.dataset: r for r in clean_files(default, key=key)}
    double = {r.spec.dataset: r for r in clean_files(tmp_path, key=key)}
    for dataset in ("officer_roster", "rectification_ledger"):
        assert len(double[dataset].clean) == 2 * len(single[dataset].clean), dataset
    # County 2 has its own profile: its own number of valid forms.
    second = County(2, 2004).profile.valid_returned
    assert second != 6464
    assert len(double["survey_responses"].clean) == len(single["survey_responses"].clean) + second
    assert double["survey_batches"].clean["forms_distributed"].sum() == 20_000
    # The second county's units and districts are its own, and none of its rows is lost to cleaning.
    units = set(double["officer_roster"].clean["unit"])
    assert "C002 Anyi Police Station" in units and "Anyi Police Station" in units
    assert len(double["fitness_tests"].quarantine) == 2 * len(single["fitness_tests"].quarantine)


def test_refuses_to_overwrite_real_exports(tmp_path):
    (tmp_path / "survey_responses.csv").write_text("问卷编号\nX\n", encoding="utf-8")
    with pytest.raises(AnalysisError, match="refusing"):
        write_demo_data(tmp_path)
    assert (tmp_path / "survey_responses.csv").read_text(encoding="utf-8") == "问卷编号\nX\n"


def test_rejects_scale_below_one(tmp_path):
    with pytest.raises(AnalysisError):
        write_demo_data(tmp_path, scale=0)


def test_dates_and_months_are_written_in_the_accepted_styles():
    rng = np.random.default_rng(0)
    dates = np.array(["2004-04-25", "NaT"], dtype="datetime64[D]")
    styles = {s: write_dates(dates, rng, {s: 1.0})[0] for s in ("iso", "slash", "dot", "zh", "compact")}
    assert styles == {
        "iso": "2004-04-25",
        "slash": "2004/4/25",
        "dot": "2004.4.25",
        "zh": "2004年4月25日",
        "compact": "20040425",
    }
    assert write_dates(dates, rng, {"iso": 1.0})[1] == ""
    assert list(write_months(2004, np.array([5]), rng, {"zh": 1.0})) == ["2004年5月"]


def test_county_streams_differ_and_repeat():
    one, two = County(1, 2004), County(2, 2004)
    assert one.rng("survey").random() == County(1, 2004).rng("survey").random()
    assert one.rng("survey").random() != two.rng("survey").random()
    assert one.prefix == "" and two.prefix == "C002 "


def test_cleaned_demo_reproduces_every_published_figure(default, tmp_path):
    from analysis.data.cleaning import clean_all
    from analysis.summary.key_figures import compute_key_figures

    clean_all(default, tmp_path)
    table = compute_key_figures(tmp_path)
    assert len(table) == 34
    assert table["matches"].all(), table.loc[~table["matches"], ["id", "value", "published"]].to_string()


def test_cleaning_quarantines_the_dirt_and_keeps_the_calibrated_rows(default):
    from analysis.data.cleaning import clean_files
    from analysis.data.pseudonyms import resolve_key

    key, _ = resolve_key(True)
    results = {r.spec.dataset: r for r in clean_files(default, key=key)}
    survey = results["survey_responses"]
    assert survey.reasons["blank form"] >= 50 and survey.reasons["duplicate"] >= 40
    # keying slips in single answers are set missing and the forms kept (they are among the 6,464)
    assert len(survey.clean) == 6464 and "out of range" not in survey.reasons
    assert survey.cell_reasons == {"out of range": 22, "unknown value": 4, "wrong type": 5}
    slipped = survey.clean.set_index("source_row").loc[survey.cells["source_row"]]
    assert slipped[list(survey.spec.cell_level_columns)].notna().sum(axis=1).min() >= 1
    # Every file carries some dirt that must be quarantined, except the six-row household table.
    dirty = [d for d, r in results.items() if len(r.quarantine)]
    assert set(results) - set(dirty) == {"households"}
