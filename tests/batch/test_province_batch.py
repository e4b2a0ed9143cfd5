"""The batch on a province: each county cleaned (in parallel) and its reports built under reports/<county>/,
a county that fails to clean named and skipped, the province's reports once, the province page."""

from __future__ import annotations

import io
import json

import pytest

from analysis.batch import runner
from analysis.core import paths
from minimal_raw import write_minimal_raw

CONFIG = """
reports_dir: reports
data_dir: data
fork: false
parameters:
  raw_dir: {{type: path, injected: raw}}
  processed_dir: {{type: path, injected: processed}}
  figures_dir: {{type: path, injected: figures}}
  district: {{type: str, nullable: true, allowed: districts}}
  unit: {{type: str, nullable: true, allowed: units}}
brief: county
clean:
  name: clean
  title: Fixture cleaning
  notebook: "{fixtures}/clean.ipynb"
reports:
  - name: county
    title: County report
    notebook: "{fixtures}/report.ipynb"
    sweep: {{unit: stations}}
    figures: [square]
  - name: overview
    title: Province report
    scope: province
    notebook: "{fixtures}/report.ipynb"
    figures: [square]
"""


def _project(root, counties=("baoying", "gaoyou", "yizheng"), broken=("gaoyou",)):
    from conftest import FIXTURES

    for name in counties:
        write_minimal_raw(root / "data" / "raw" / name)
        if name in broken:
            (root / "data" / "raw" / name / "households.csv").unlink()
    config = root / "reports.yml"
    config.write_text(CONFIG.format(fixtures=FIXTURES / "batch"), encoding="utf-8")
    return config


@pytest.fixture(scope="module")
def province_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("province")
    config = _project(root)
    out = io.StringIO()
    result = runner.run(config, jobs=2, out=out)
    return root, result, out.getvalue()


def test_each_county_gets_its_reports_and_a_failing_county_is_named(province_run):
    root, result, log = province_run
    reports = root / "reports"
    for county in ("baoying", "yizheng"):
        assert (reports / county / "county.html").exists()
        assert (reports / county / "county--anyi-police-station.html").exists()  # the sweep inside the county
        assert (reports / county / "clean.html").exists()
        assert (reports / county / "index.html").exists()
        assert (reports / county / "figures" / "county" / "square.png").exists()
    assert not (reports / "gaoyou").exists()
    assert result.failed_counties == ["gaoyou"] and result.exit_code == 1
    assert "county gaoyou: NOT cleaned" in log and "households.csv" in log
    assert "FAILED county gaoyou" in log
    # the cleaning report of a county cleans into a scratch folder: the province's partition is written once
    processed = root / "data" / "processed"
    assert {p.name for p in processed.glob("county=*")} == {"county=baoying", "county=yizheng"}
    assert not list(processed.glob("county=*/*.generations"))


def test_rows_in_are_clean_plus_quarantined_for_each_county_and_the_province(province_run):
    root, _, _ = province_run
    manifest = json.loads((root / "data" / "processed" / paths.MANIFEST).read_text(encoding="utf-8"))
    cleaned = [e for e in manifest["counties"].values() if e["status"] == "clean"]
    assert len(cleaned) == 2
    for e in cleaned:
        assert e["rows_in"] == e["clean"] + e["quarantined"] > 0
    assert manifest["rows_in"] == manifest["clean"] + manifest["quarantined"] == sum(e["rows_in"] for e in cleaned)


def test_the_province_report_runs_once_on_the_province_root_and_the_page_lists_the_counties(province_run):
    root, result, _ = province_run
    reports = root / "reports"
    assert (reports / "overview.html").exists()
    assert not (reports / "baoying" / "overview.html").exists()
    assert sum(o.report.name == "overview" for o in result.outcomes) == 1
    state = json.loads((reports / ".state" / "overview.json").read_text(encoding="utf-8"))
    assert state["status"] == "built"
    index = (reports / "index.html").read_text(encoding="utf-8")
    assert 'href="baoying/index.html" data-county="baoying" data-status="clean"' in index
    assert "宝应" in index and "仪征" in index
    assert 'data-county="gaoyou" data-status="failed"' in index and "households.csv" in index
    assert 'data-report="overview"' in index


def test_county_pages_lead_back_to_the_province(province_run):
    root, _, _ = province_run
    page = (root / "reports" / "baoying" / "county--anyi-police-station.html").read_text(encoding="utf-8")
    assert 'href="../index.html"' in page and "全省" in page  # province > county > topic > variant
    county_index = (root / "reports" / "baoying" / "index.html").read_text(encoding="utf-8")
    assert 'href="../index.html"' in county_index and "宝应" in county_index


def test_a_second_run_skips_the_cleaning_and_every_unchanged_report(province_run):
    root, _, _ = province_run
    out = io.StringIO()
    result = runner.run(root / "reports.yml", jobs=2, out=out)
    log = out.getvalue()
    # the failed county is cleaned again (it failed), so the others' partitions are rewritten too
    assert "province: cleaning 3 counties" in log
    assert {o.status for o in result.outcomes if o.report.name == "county"} <= {"built", "skipped"}


def test_one_county_layout_skips_the_province_reports(tmp_path):
    from conftest import FIXTURES, write_tiny_data

    write_tiny_data(tmp_path / "data" / "raw")  # the fixture cleaning copies it
    config = tmp_path / "reports.yml"
    config.write_text(CONFIG.format(fixtures=FIXTURES / "batch"), encoding="utf-8")
    result = runner.run(config, jobs=2, out=io.StringIO())
    names = {o.report.name for o in result.outcomes}
    assert "overview" not in names and "county" in names
    reports = tmp_path / "reports"
    assert (reports / "county.html").exists()
    assert not (reports / "overview.html").exists()
    assert "data-county" not in (reports / "index.html").read_text(encoding="utf-8")
    assert not list(reports.glob("*/index.html"))


def test_scope_is_county_by_default_and_checked(tmp_path):
    from analysis.batch.schema import load_config
    from analysis.core.errors import ParameterError
    from conftest import FIXTURES

    config = _project(tmp_path, counties=(), broken=())
    cfg = load_config(config)
    assert [e.name for e in cfg.scoped("county")] == ["county"]
    assert [e.name for e in cfg.scoped("province")] == ["overview"]
    config.write_text(CONFIG.format(fixtures=FIXTURES / "batch").replace("scope: province", "scope: region"))
    with pytest.raises(ParameterError, match="overview': scope must be county or province, got 'region'"):
        load_config(config)


@pytest.mark.slow
def test_a_province_on_a_local_dask_cluster_builds_the_same_reports(province_run, tmp_path):
    """Cleaning each county and each report are Dask tasks; the same pages come out as on the pool."""
    pool_root, pool_result, _ = province_run
    config = _project(tmp_path)
    out = io.StringIO()
    result = runner.run(config, jobs=2, out=out, cluster="local")
    log = out.getvalue()
    assert "cleaning 3 counties on the Dask cluster" in log
    assert result.failed_counties == ["gaoyou"]

    def pages(root):
        return sorted(p.relative_to(root / "reports").as_posix() for p in (root / "reports").rglob("*.html"))

    assert pages(tmp_path) == pages(pool_root)
    assert sorted((o.report.name, o.status) for o in result.outcomes) == sorted(
        (o.report.name, o.status) for o in pool_result.outcomes
    )
