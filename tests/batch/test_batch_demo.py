"""One real batch on the demo data (every notebook in reports.yml that exists, executed by papermill)."""

from __future__ import annotations

import io
import json

import pytest

from analysis.batch import runner
from analysis.batch.schema import load_config
from analysis.core import paths

pytestmark = pytest.mark.slow


def test_demo_batch_builds_every_report(demo_batch):
    result, reports = demo_batch.result, demo_batch.reports
    assert result.exit_code == 0, demo_batch.log
    cfg = load_config(demo_batch.config)
    # One county: the province reports (scope: province) are not built.
    present = [e for e in cfg.all_entries() if e.notebook.exists() and e.scope == "county"]
    built = {o.report.entry for o in result.outcomes if o.status == "built"}
    assert built == {e.name for e in present}, demo_batch.log
    for o in result.outcomes:
        assert (reports / o.report.html_name).exists()
    index = {
        lang: (reports / name).read_text(encoding="utf-8")
        for lang, name in (("zh", "index.html"), ("en", "index.en.html"))
    }
    for o in result.outcomes:
        assert f'data-report="{o.report.name}" data-status="built"' in index[o.report.lang]
    processed = demo_batch.root / "data" / "processed"
    assert (reports / paths.KEY_FIGURES).read_bytes() == (processed / paths.KEY_FIGURES).read_bytes()


def test_every_report_has_its_twin_in_the_other_language(demo_batch):
    names = {o.report.name for o in demo_batch.result.outcomes}
    for o in demo_batch.result.outcomes:
        twin = o.report.base if o.report.lang == "en" else f"{o.report.base}.en"
        assert twin in names, f"{o.report.name} has no twin"
    for page in ("methodology.html", "methodology.en.html"):
        assert (demo_batch.reports / page).exists()


def test_demo_reports_carry_banner_and_provenance(demo_batch):
    manifest = json.loads((demo_batch.root / "data" / "processed" / paths.MANIFEST).read_text())
    assert manifest["synthetic"] is True
    banner = {"zh": "模拟演示数据：并非宝应县公安局的实际记录", "en": "SYNTHETIC DEMO DATA"}
    for o in demo_batch.result.outcomes:
        text = (demo_batch.reports / o.report.html_name).read_text(encoding="utf-8")
        assert banner[o.report.lang] in text and 'id="provenance"' in text
        assert f'<html lang="{"zh-CN" if o.report.lang == "zh" else "en"}">' in text
        assert "<script src=" not in text
        assert o.provenance["manifest_sha256"] != "none"


def test_reports_show_no_internal_noise(demo_batch):
    """A leader reads no file paths, Python reprs or tracebacks in a report."""
    for o in demo_batch.result.outcomes:
        text = (demo_batch.reports / o.report.html_name).read_text(encoding="utf-8")
        for noise in ("PosixPath(", "Traceback (most recent call last)", ".staging/", "<Figure size"):
            assert noise not in text, f"{o.report.html_name} shows {noise!r}"


def test_district_and_station_sweeps_follow_the_data(demo_batch):
    names = {o.report.name for o in demo_batch.result.outcomes}
    cfg = load_config(demo_batch.config)
    if any(e.name == "survey" and e.notebook.exists() for e in cfg.entries):
        assert {"survey--xianfeng", "survey--dongdang", "survey--shanyang", "survey--xianfeng.en"} <= names
    if any(e.name == "fitness" and e.notebook.exists() for e in cfg.entries):
        assert "fitness--xianfeng-police-station" in names


def test_second_run_skips_every_report(demo_batch):
    out = io.StringIO()
    again = runner.run(demo_batch.config, jobs=2, out=out)
    assert {o.status for o in again.outcomes} == {"skipped"}, out.getvalue()
    assert again.exit_code == 0


def test_demo_batch_writes_every_reports_estimates(demo_batch):
    """reports/estimates.csv: the runner's collection of each report's printed estimates (issue 12)."""
    import pandas as pd

    from analysis.stats import estimates

    table = estimates.read(demo_batch.reports / estimates.FILE)
    assert list(table.columns) == list(estimates.COLUMNS)
    assert {"survey", "opinions", "survey.en"} <= set(table["report"])  # district sweeps: survey--anyi, ...
    overall = table[(table["id"] == "top_box/q10_overall") & (table["report"].isin(["survey", "survey.en"]))]
    assert len(overall) == 2 and set(overall["scope"]) == {"county"}  # one per language
    # the design effect as R's svymean(deff = TRUE) on the stated design (tests/reference/r/values/demo)
    r = pd.read_csv(paths.ROOT / "tests/reference/r/values/demo/survey_design.csv").set_index("key")["value"]
    assert overall["deff"].to_numpy() == pytest.approx(float(r["raked/county/q10_overall/deff"]), rel=1e-6)
