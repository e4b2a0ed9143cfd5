"""Where reports go (issue 14 item 9): next to the data, or ANALYSIS_REPORTS_DIR; the default layout unchanged."""

from __future__ import annotations

from pathlib import Path

from analysis.core import paths


def test_the_repository_data_keeps_the_repository_reports_folder():
    assert paths.reports_for(paths.ROOT / "data", {}) == paths.ROOT / "reports"


def test_another_data_folder_gets_its_own_reports_folder(tmp_path):
    a, b = tmp_path / "county-a", tmp_path / "county-b"
    assert paths.reports_for(a, {}) == a / "reports"
    assert paths.reports_for(a, {}) != paths.reports_for(b, {})


def test_analysis_reports_dir_wins(tmp_path):
    env = {"ANALYSIS_REPORTS_DIR": str(tmp_path / "out")}
    assert paths.reports_for(tmp_path / "county-a", env) == tmp_path / "out"
    assert paths.reports_for(paths.ROOT / "data", env) == Path(tmp_path / "out")
