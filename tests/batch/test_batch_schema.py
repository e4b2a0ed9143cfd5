"""The parameter schema: every problem found before any kernel starts, with a message that says what."""

from __future__ import annotations

import subprocess
import sys

import pytest

from analysis.batch import runner
from analysis.batch.schema import ParamSpec, load_config
from analysis.core.errors import ParameterError
from analysis.core.text import slug


def forbidden_execute(*args, **kwargs):
    raise AssertionError("a kernel was started although the parameters were invalid")


def _run(config, **kw):
    return runner.run(config, jobs=1, execute=forbidden_execute, **kw)


def test_unknown_parameter_is_rejected_before_any_kernel(batch_project):
    config = batch_project()
    with pytest.raises(ParameterError, match=r"unknown parameter 'pas_mark'.*pass_mark"):
        _run(config, params=["pas_mark=60"])
    assert not (config.parent / "reports").exists()


def test_wrongly_typed_parameter_is_rejected_before_any_kernel(batch_project):
    config = batch_project()
    with pytest.raises(ParameterError, match=r"'pass_mark' must be a number, got 'seventy'"):
        _run(config, params=["pass_mark=seventy"])
    with pytest.raises(ParameterError, match=r"'fail' must be true or false"):
        _run(config, params=["fail=maybe"])
    assert not (config.parent / "reports").exists()


def test_non_existent_station_is_rejected_listing_those_that_exist(batch_project):
    config = batch_project()
    with pytest.raises(ParameterError) as info:
        _run(config, params=["unit=Nowhere Police Station"])
    message = str(info.value)
    assert "unit='Nowhere Police Station' does not exist in the data" in message
    assert "Anyi Police Station, Traffic Brigade, Xi'anfeng Police Station" in message
    assert not (config.parent / "reports").exists()


def test_unknown_key_in_reports_yml_names_the_report_and_key(batch_project):
    config = batch_project()
    config.write_text(config.read_text().replace("parameters: {delay: 0.0}", "parameters: {delay: 0.0, color: red}"))
    with pytest.raises(ParameterError, match=r"report 'county' \(parameters\): unknown parameter 'color'"):
        _run(config)


def test_parameter_not_in_the_notebook_is_rejected(batch_project):
    config = batch_project()
    # 'district' is in the schema but failing.ipynb has no such parameter.
    config.write_text(
        config.read_text()
        .replace('notebook: "', 'notebook: "', 1)
        .replace("  - name: broken\n", "  - name: broken\n    parameters: {district: Anyi}\n")
    )
    with pytest.raises(ParameterError, match=r"'district' is not a parameter of failing.ipynb"):
        _run(config)


def test_all_problems_are_reported_at_once(batch_project):
    config = batch_project()
    with pytest.raises(ParameterError) as info:
        _run(config, params=["nope=1", "pass_mark=x", "delay"])
    text = str(info.value)
    assert "unknown parameter 'nope'" in text and "'pass_mark' must be a number" in text and "key=value" in text


def test_runner_set_paths_cannot_be_overridden(batch_project):
    with pytest.raises(ParameterError, match="set by the runner"):
        _run(batch_project(), params=["processed_dir=/tmp"])


def test_bounds_are_checked(batch_project):
    with pytest.raises(ParameterError, match=r"'pass_mark' must be <= 100, got 170"):
        _run(batch_project(), params=["pass_mark=170"])


def test_only_unknown_report_is_rejected(batch_project):
    with pytest.raises(ParameterError, match=r"--only nosuch: no such report"):
        _run(batch_project(), only=["nosuch"])


def test_cli_prints_one_clear_line_and_exits_2(batch_project):
    config = batch_project()
    done = subprocess.run(
        [sys.executable, "-m", "analysis", "run", "--config", str(config), "-p", "unit=Atlantis"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert "does not exist in the data" in done.stderr and "Traceback" not in done.stderr
    assert not (config.parent / "reports").exists()


@pytest.mark.parametrize(
    "ptype, given, expected",
    [
        ("int", "70", 70),
        ("int", 70.0, 70),
        ("number", "70", 70),
        ("number", "69.5", 69.5),
        ("float", "1", 1.0),
        ("bool", "yes", True),
        ("bool", "0", False),
        ("date", "2004-12-20", "2004-12-20"),
        ("str", " Anyi ", "Anyi"),
    ],
)
def test_values_are_cast_to_their_declared_type(ptype, given, expected):
    out = ParamSpec("p", ptype).cast(given, where="t")
    assert out == expected and type(out) is type(expected)


@pytest.mark.parametrize(
    "ptype, given",
    [
        ("int", "70.5"),
        ("int", True),
        ("number", "abc"),
        ("date", "20/12/2004"),
        ("date", "2004-13-01"),
        ("str", 5),
        ("bool", "perhaps"),
    ],
)
def test_wrong_values_are_rejected(ptype, given):
    with pytest.raises(ParameterError, match="parameter 'p' must be"):
        ParamSpec("p", ptype).cast(given, where="t")


def test_null_only_where_declared_nullable():
    assert ParamSpec("d", "str", nullable=True).cast("None", where="t") is None
    with pytest.raises(ParameterError, match="may not be empty"):
        ParamSpec("n", "int").cast(None, where="t")


def test_sweeps_expand_to_the_values_found_in_the_data(batch_project):
    from analysis.batch.schema import AllowedValues, expand, notebook_parameters

    cfg = load_config(batch_project())
    nb = {e.name: notebook_parameters(e.notebook) if e.notebook.exists() else None for e in cfg.all_entries()}
    errors, reports = expand(cfg, {}, nb, AllowedValues(cfg.processed_dir))
    assert errors == []
    names = [r.name for r in reports]
    assert names == [
        "county",
        "fitness",
        "fitness--anyi-police-station",
        "fitness--xianfeng-police-station",
        "fitness--strict",
        "fitness--strict-anyi-police-station",
        "fitness--strict-xianfeng-police-station",
        "broken",
    ]
    strict = next(r for r in reports if r.name == "fitness--strict-xianfeng-police-station")
    assert strict.parameters == {"pass_mark": 80, "unit": "Xi'anfeng Police Station"}


def test_slug():
    assert slug("Xi'anfeng Police Station") == "xianfeng-police-station"


def test_repository_reports_yml_is_valid():
    from analysis.core import paths

    cfg = load_config(paths.REPORTS_CONFIG)
    assert cfg.clean is not None and cfg.clean.notebook.name == "00_clean.ipynb"
    assert {e.name for e in cfg.entries} >= {"survey", "opinions", "fitness", "training", "campaigns", "summary"}
    assert cfg.schema["district"].allowed == "districts" and cfg.schema["unit"].allowed == "units"


def test_override_of_a_swept_parameter_replaces_the_sweep(batch_project):
    from analysis.batch.schema import AllowedValues, expand, notebook_parameters

    cfg = load_config(batch_project())
    nb = {e.name: notebook_parameters(e.notebook) if e.notebook.exists() else None for e in cfg.all_entries()}
    errors, reports = expand(cfg, {"unit": "Traffic Brigade"}, nb, AllowedValues(cfg.processed_dir))
    assert errors == []
    fitness = [r for r in reports if r.entry == "fitness"]
    assert [r.name for r in fitness] == ["fitness", "fitness--strict"]
    assert all(r.parameters["unit"] == "Traffic Brigade" for r in fitness)
