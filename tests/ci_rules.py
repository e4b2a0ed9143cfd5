"""Tests that need what pip cannot install (Chromium, R): their skips are visible, and fatal in CI.

A test marked ``browser`` or ``needs_r`` is skipped on a machine without Chromium or R; the summary
line of the run names the skip ("1 browser-skipped"), so a run without the browser test never reads
as complete.  Under ``CI=true`` (.ci/run sets it) such a skip is a failure: CI must run them.
Hypothesis runs derandomized under ``CI=true`` (the ``ci`` profile) so a failure in CI reproduces;
elsewhere it explores new examples each run (``HYPOTHESIS_PROFILE=ci`` selects the profile by hand).
Loaded by tests/conftest.py; tests/test_project.py runs it on a planted test with ``-p ci_rules``.
"""

from __future__ import annotations

import os

import pytest

MUST_RUN_IN_CI = {"browser": "browser-skipped", "needs_r": "R-skipped"}


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def pytest_configure(config):
    from hypothesis import settings

    settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
    profile = os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if in_ci() else None)
    if profile:
        settings.load_profile(profile)


def _must_run_marker(item_or_report) -> str | None:
    return next((m for m in MUST_RUN_IN_CI if m in item_or_report.keywords), None)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    marker = _must_run_marker(item)
    # an expected failure (xfail) ran: it is reported as skipped, but it is not a skip
    if marker and report.skipped and not hasattr(report, "wasxfail") and in_ci():
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        reason = reason.removeprefix("Skipped: ")
        report.outcome = "failed"
        report.longrepr = f"CI=true: a '{marker}' test may not be skipped in CI ({reason})"


def pytest_report_teststatus(report, config):
    marker = _must_run_marker(report) if report.skipped and not hasattr(report, "wasxfail") else None
    if marker:
        return MUST_RUN_IN_CI[marker], "s", "SKIPPED"
    return None
