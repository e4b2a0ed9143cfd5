"""The one staleness rule (processed_freshness) and the cache key, on a tiny raw export cleaned for real."""

from __future__ import annotations

import json
import shutil

import pytest

from analysis.batch.command import clean_and_compute
from analysis.batch.provenance import processed_freshness, report_key
from analysis.core import paths
from analysis.core.files import code_hash
from minimal_raw import write_minimal_raw


@pytest.fixture(scope="module")
def cleaned(tmp_path_factory):
    """A tiny raw export and what `python -m analysis clean` makes of it (copied per test)."""
    root = tmp_path_factory.mktemp("fresh")
    raw = write_minimal_raw(root / "raw")
    clean_and_compute(raw, root / "processed")
    return root


@pytest.fixture
def project(cleaned, tmp_path):
    shutil.copytree(cleaned, tmp_path, dirs_exist_ok=True)
    return tmp_path / "raw", tmp_path / "processed"


def test_freshly_cleaned_data_is_current_and_records_the_code_hash(project):
    raw, processed = project
    assert processed_freshness(raw, processed).current
    manifest = json.loads((processed / paths.MANIFEST).read_text(encoding="utf-8"))
    assert manifest["code_sha256"] == code_hash()


def test_a_changed_raw_file_makes_it_stale_and_names_the_file(project):
    raw, processed = project
    survey = raw / "survey_responses.csv"
    survey.write_bytes(survey.read_bytes() + b"\n")
    freshness = processed_freshness(raw, processed)
    assert not freshness.current
    assert "survey_responses.csv: changed since it was cleaned" in freshness.reason


def test_a_removed_raw_file_makes_it_stale(project):
    raw, processed = project
    (raw / "case_files.csv").unlink()
    assert "case_files.csv: cleaned from it, now gone" in processed_freshness(raw, processed).reason


def test_other_code_makes_it_stale(project):
    raw, processed = project
    freshness = processed_freshness(raw, processed, code="0" * 64)
    assert not freshness.current and "written by other code" in freshness.reason
    assert processed_freshness(raw, processed, code=code_hash()).current


def test_the_synthetic_marker_removed_makes_it_stale(project):
    raw, processed = project
    (raw / paths.SYNTHETIC_MARKER).unlink()
    assert "added or removed since cleaning" in processed_freshness(raw, processed).reason


def test_missing_key_figures_make_it_stale(project):
    raw, processed = project
    (processed / paths.KEY_FIGURES).unlink()
    assert "key_figures.csv: not written" in processed_freshness(raw, processed).reason


@pytest.mark.parametrize(
    ("manifest", "reason"),
    [
        (None, "not written yet"),
        ("{not json", "unreadable"),
        ("[]", "not a JSON object"),
        (json.dumps({"synthetic": True}), "written by other code"),
        (json.dumps({"code_sha256": "CODE", "inputs": {}}), "records no raw inputs"),
    ],
)
def test_a_missing_or_broken_manifest_is_stale_with_its_reason(tmp_path, manifest, reason):
    (tmp_path / "raw").mkdir()
    processed = tmp_path / "processed"
    processed.mkdir()
    if manifest is not None:
        (processed / paths.MANIFEST).write_text(manifest.replace("CODE", code_hash()), encoding="utf-8")
    freshness = processed_freshness(tmp_path / "raw", processed)
    assert not freshness.current and reason in freshness.reason


def test_report_keys_follow_the_same_code_hash(tmp_path):
    notebook = tmp_path / "n.ipynb"
    notebook.write_text(json.dumps({"cells": [{"cell_type": "code", "source": "x = 1"}]}), encoding="utf-8")
    key = report_key(notebook, {"unit": None}, {"a.parquet": "1"})
    assert key == report_key(notebook, {"unit": None}, {"a.parquet": "1"}, code=code_hash())
    assert key != report_key(notebook, {"unit": None}, {"a.parquet": "1"}, code="0" * 64)
    assert key != report_key(notebook, {"unit": None}, {"a.parquet": "2"})
    assert key != report_key(notebook, {"unit": "Traffic Brigade"}, {"a.parquet": "1"})
