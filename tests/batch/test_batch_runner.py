"""The batch run on fixture notebooks (real papermill, tiny kernels): failures, cache, atomicity."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from analysis.batch import runner
from analysis.batch.execution import Execution
from analysis.core.files import TEMP_GLOB

REPORTS_BUILT = {
    "county",
    "fitness",
    "fitness--anyi-police-station",
    "fitness--xianfeng-police-station",
    "fitness--strict",
    "fitness--strict-anyi-police-station",
    "fitness--strict-xianfeng-police-station",
}


def _run(config, **kw):
    out = io.StringIO()
    result = runner.run(config, jobs=2, out=out, **kw)
    return result, out.getvalue()


@pytest.fixture(scope="module")
def first_run(tmp_path_factory):
    """One full run of the fixture project (clean first, raw data only), shared by the tests below."""
    from conftest import FIXTURES, write_tiny_data  # noqa: F401  (tests/ is on sys.path via rootdir conftest)

    root = tmp_path_factory.mktemp("batch")
    write_tiny_data(root / "data" / "raw")
    text = (FIXTURES / "batch" / "reports.yml").read_text().replace("{fixtures}", str(FIXTURES / "batch"))
    config = root / "reports.yml"
    config.write_text(text.replace('"{delay}"', "0.0"))
    result, log = _run(config)
    # Later tests run again in the same folder (in any order): what the first run wrote is kept here.
    reports = root / "reports"
    snapshot = {
        "index": (reports / "index.html").read_text(),
        "key_figures": (reports / "key_figures.csv").read_text(),
        "staging": (reports / ".staging").exists(),
    }
    return config, result, log, snapshot


def _statuses(result):
    return {o.report.name: o.status for o in result.outcomes}


def test_clean_runs_first_then_every_report(first_run):
    config, result, log, first = first_run
    reports = config.parent / "reports"
    assert result.outcomes[0].report.name == "clean" and result.outcomes[0].status == "built"
    assert (config.parent / "data" / "processed" / "manifest.json").exists()
    statuses = _statuses(result)
    assert {n for n, s in statuses.items() if s == "built"} == REPORTS_BUILT | {"clean"}
    for name in REPORTS_BUILT:
        assert (reports / f"{name}.html").exists()
        assert (reports / "figures" / name / "square.png").exists()
    assert first["key_figures"] == "id,value\nfixture,1\n"
    assert not first["staging"]


def test_failing_notebook_is_named_with_its_cell_and_others_still_build(first_run):
    config, result, log, first = first_run
    assert result.exit_code == 1
    failed = result.failed
    assert [o.report.name for o in failed] == ["broken"]
    error = failed[0].error
    assert error["cell_index"] == 4 and error["ename"] == "ValueError"
    assert "fixture failure on purpose" in error["evalue"]
    assert "FAILED failing.ipynb [broken; parameters: defaults]: cell 4 (In [" in log
    assert "ValueError: fixture failure on purpose" in log
    kept = config.parent / "reports" / "_failed" / "broken.ipynb"
    assert kept.exists() and "fixture failure on purpose" in kept.read_text()
    index = first["index"]
    assert 'data-report="broken" data-status="failed"' in index
    assert 'href="_failed/broken.ipynb"' in index


def test_progress_and_summary_table(first_run):
    _, _, log, _ = first_run
    assert "[1/1] clean: built" in log
    assert "running:" in log and "elapsed" in log
    assert "[8/8]" in log
    assert "report" in log and "status" in log and "wall s" in log
    assert "1 failed" in log


def test_missing_notebook_is_an_error_named_in_the_log_index_and_exit_code(first_run):
    config, result, log, first = first_run
    assert result.missing == ["absent"]
    assert "error: report 'absent': notebook missing: " in log and "absent.ipynb" in log
    assert "MISSING absent: notebook" in log and "1 notebooks missing" in log
    index = first["index"]
    assert 'data-report="absent" data-status="missing"' in index and "笔记本尚未纳入代码库" in index


def _fake_execute(order=None):
    """An execution that records the report and succeeds at once (no kernel), showing the declared figure."""
    from nbformat.v4 import new_code_cell, new_notebook, new_output

    from analysis.core.text import slug

    def execute(notebook, output, parameters, **kw):
        if order is not None:
            order.append(output.stem)
        cell = new_code_cell("x", metadata={"papermill": {"duration": 0.1}})
        name = "square" + "".join(f"_{slug(parameters[k])}" for k in ("district", "unit") if parameters.get(k))
        figure = f'<figure class="analysis-figure" id="fig-{name}"></figure>'
        cell.outputs = [
            new_output("stream", name="stdout", text="ok\n"),
            new_output("display_data", data={"text/html": figure, "text/plain": "figure"}),
        ]
        return Execution(nb=new_notebook(cells=[cell]), seconds=0.1, cell_seconds=0.1)

    return execute


def test_a_missing_notebook_alone_fails_the_run_when_selected(batch_project, tmp_path):
    config = batch_project(tmp_path)
    selected = runner.run(config, jobs=1, only=["county", "absent"], out=io.StringIO(), execute=_fake_execute())
    assert {o.status for o in selected.outcomes} == {"built"} and selected.missing == ["absent"]
    assert selected.exit_code == 1
    # Another report's missing notebook does not fail a run that did not ask for it.
    other = runner.run(config, jobs=1, only=["county"], out=io.StringIO(), execute=_fake_execute())
    assert other.missing == [] and other.exit_code == 0


def test_second_run_skips_unchanged_and_force_reruns(first_run):
    config, _, _, _ = first_run
    _run(config, only=["county", "fitness"])  # up to date whatever ran before (tests run in random order)
    result, log = _run(config, only=["county", "fitness"])
    assert set(_statuses(result).values()) == {"skipped"}
    assert "clean: skipped (unchanged)" in log and "skipped (unchanged)" in log
    assert result.exit_code == 0

    result, log = _run(config, only=["county"], force=True)
    assert _statuses(result) == {"clean": "skipped", "county": "built"}


def test_changing_one_parameter_reruns_only_the_reports_it_touches(first_run):
    config, _, _, _ = first_run
    config.write_text(config.read_text().replace("strict: {pass_mark: 80}", "strict: {pass_mark: 85}"))
    try:
        result, _ = _run(config, only=["county", "fitness"])
        built = {n for n, s in _statuses(result).items() if s == "built"}
        assert built == {
            "fitness--strict",
            "fitness--strict-anyi-police-station",
            "fitness--strict-xianfeng-police-station",
        }
    finally:
        config.write_text(config.read_text().replace("strict: {pass_mark: 85}", "strict: {pass_mark: 80}"))
        _run(config, only=["fitness"])  # the reports back at pass_mark 80 for the tests that follow, in any order


def test_changed_data_reruns_and_changed_raw_data_reruns_cleaning(first_run):
    config, _, _, _ = first_run
    kf = config.parent / "data" / "raw" / "key_figures.csv"
    original = kf.read_text()
    kf.write_text("id,value\nfixture,2\n")
    try:
        result, _ = _run(config, only=["county"])
        assert _statuses(result) == {"clean": "built", "county": "built"}
        assert (config.parent / "reports" / "key_figures.csv").read_text().endswith("fixture,2\n")
    finally:
        kf.write_text(original)
        _run(config, only=["county", "fitness"])  # back to the first run's data for the tests that follow


def _processes_mentioning(text: str) -> list[str]:
    found = []
    for proc in Path("/proc").iterdir():
        try:
            cmd = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if text in cmd:
            found.append(f"{proc.name}: {cmd}")
    return found


def test_forked_kernels_start_with_heavy_modules_loaded(first_run):
    config, _, _, _ = first_run
    original = config.read_text()
    config.write_text(original.replace("fork: false", "fork: true"))
    try:
        result, log = _run(config, only=["county"], force=True)
    finally:
        config.write_text(original)
    assert _statuses(result) == {"clean": "skipped", "county": "built"}, log
    assert "pandas preloaded=True" in (config.parent / "reports" / "county.html").read_text()
    # The run's zygote and every kernel forked from it (same command line, with our pid) are gone; the test
    # process's own zygote (tests/forked_kernels.py, its folder named so) may live on.
    left = _processes_mentioning("analysis.batch.forkserver serve")
    assert not [p for p in left if f" {os.getpid()} " in p and "analysis-test-fork-" not in p]


def test_killing_a_run_midway_leaves_previous_reports_intact(first_run):
    config, _, _, _ = first_run
    reports = config.parent / "reports"
    original = config.read_text()
    config.write_text(original.replace("fork: false", "fork: true"))  # the heaviest set-up: zygote and pool
    _run(config, only=["county", "fitness"])  # bring every report up to date first
    before = {p.name: p.read_bytes() for p in reports.glob("*.html")}
    figures_before = (reports / "figures" / "county" / "square.png").read_bytes()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "analysis",
            "run",
            "--config",
            str(config),
            "--force",
            "--jobs",
            "2",
            "--only",
            "county",
            "--only",
            "fitness",
            "-p",
            "delay=60",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 600  # far over what a loaded machine needs; the wait ends on the condition
        # Wait until the reports are executing (their staging folders exist), then kill everything.
        while time.monotonic() < deadline:
            # Two reports staged, and a notebook inside its sleeping cell (the file it writes as it starts).
            staged = list((reports / ".staging").glob("*/*"))
            if len(staged) >= 2 and list((reports / ".staging").glob("*/*/executing")):
                break
            assert proc.poll() is None, proc.stdout.read().decode()
            time.sleep(0.2)
        else:
            pytest.fail("the run never started its reports")
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        config.write_text(original)
    # Nothing of the killed run lives on: not its zygote, nor the kernels forked from it.
    deadline = time.monotonic() + 10
    while _processes_mentioning(f" {proc.pid} ") and time.monotonic() < deadline:
        time.sleep(0.5)
    assert not [p for p in _processes_mentioning("analysis.batch.forkserver") if f" {proc.pid} " in p]
    after = {p.name: p.read_bytes() for p in reports.glob("*.html")}
    assert after == before
    assert (reports / "figures" / "county" / "square.png").read_bytes() == figures_before
    assert not list(reports.glob(TEMP_GLOB))
    # The next run clears the interrupted run's leftovers and finds everything unchanged.
    result, _ = _run(config, only=["county", "fitness"])
    assert set(_statuses(result).values()) == {"skipped"}
    assert not (reports / ".staging").exists()


def _default_sigint():
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _wait_for(condition, proc, what: str, seconds: float = 600):
    """Poll ``condition`` until true; fail if the run ends first (or in ``seconds``, far over any wait seen)."""
    deadline = time.monotonic() + seconds
    while not condition():
        if proc.poll() is not None:
            pytest.fail(f"the run ended before {what}: {proc.stdout.read().decode() if proc.stdout else ''}")
        if time.monotonic() > deadline:
            pytest.fail(f"waited {seconds:.0f} s for {what}")
        time.sleep(0.1)


# Each phase is interrupted once it has really begun (a file the fixture notebook writes as its cell
# starts, the zygote's process), never after a fixed sleep: on a loaded machine the phases just take longer.
CTRL_C_PHASES = {
    # The cleaning notebook sleeps; meanwhile the zygote and the first kernels boot (they must not be waited for).
    "cleaning and kernel start": (["--only", "clean", "--only", "fitness", "-p", "clean_delay=3600"], "clean"),
    "execution": (["--only", "fitness", "-p", "delay=3600"], "fitness"),
}


@pytest.mark.parametrize("phase", CTRL_C_PHASES)
def test_ctrl_c_stops_at_once_and_keeps_previous_reports(first_run, phase):
    config, _, _, _ = first_run
    reports, data = config.parent / "reports", config.parent / "data"
    original = config.read_text()
    config.write_text(original.replace("fork: false", "fork: true"))
    _run(config, only=["county", "fitness"])
    before = {p.name: p.read_bytes() for p in reports.glob("*.html")}
    manifest = (data / "processed" / "manifest.json").read_bytes()
    args, started = CTRL_C_PHASES[phase]
    clean_started = data / "clean-started" / "executing"
    clean_started.unlink(missing_ok=True)
    proc = subprocess.Popen(
        [sys.executable, "-m", "analysis", "run", "--config", str(config), "--force", "--jobs", "2", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        # A shell without job control starts background jobs (`make test &`) with SIGINT ignored, and a
        # Python started so never sees Ctrl-C; a terminal's Ctrl-C reaches a run whose SIGINT is default.
        preexec_fn=_default_sigint,
    )

    def zygote_and_kernels():
        return [p for p in _processes_mentioning("analysis.batch.forkserver") if f" {proc.pid} " in p]

    try:
        if started == "clean":
            _wait_for(lambda: clean_started.exists() and zygote_and_kernels(), proc, "the cleaning and the zygote")
        else:
            _wait_for(lambda: list((reports / ".staging").glob("*/fitness*/executing")), proc, "a fitness report")
        interrupted = time.monotonic()
        proc.send_signal(signal.SIGINT)
        # The notebooks would sleep an hour: an exit at all is the run honouring Ctrl-C, however loaded the machine.
        out, _ = proc.communicate(timeout=600)
        stopped_after = time.monotonic() - interrupted
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        config.write_text(original)
    assert proc.returncode == 130, out.decode()
    assert b"interrupted: the previous reports are kept" in out
    assert b": built in" not in out, out.decode()  # nothing finished after the signal
    assert {p.name: p.read_bytes() for p in reports.glob("*.html")} == before
    assert (data / "processed" / "manifest.json").read_bytes() == manifest
    assert not (reports / ".staging").exists()
    _wait_for_gone(zygote_and_kernels)
    assert not zygote_and_kernels(), f"left running {stopped_after:.1f} s after Ctrl-C"


def _wait_for_gone(processes, seconds: float = 120):
    """Killed processes leave /proc once reaped: poll for that (seconds on a quiet machine)."""
    deadline = time.monotonic() + seconds
    while processes() and time.monotonic() < deadline:
        time.sleep(0.2)


def test_state_records_key_and_provenance(first_run):
    config, _, _, _ = first_run
    _run(config, only=["fitness"])  # its own up-to-date state, whatever ran before
    state = json.loads((config.parent / "reports" / ".state" / "fitness--strict.json").read_text())
    assert state["status"] == "built" and len(state["key"]) == 64
    prov = state["provenance"]
    assert prov["parameters"] == {"pass_mark": 80}
    assert {"commit", "dirty", "manifest_sha256", "packages", "started"} <= set(prov)


def test_longest_reports_start_first(batch_project, tmp_path):
    """Scheduling: by the last build's time, longest first; a report never built counts as longest."""
    config = batch_project(tmp_path)
    order = []

    state = tmp_path / "reports" / ".state"
    state.mkdir(parents=True)
    for name, secs in {"county": 1.0, "fitness": 9.0, "fitness--strict": 5.0}.items():
        (state / f"{name}.json").write_text(json.dumps({"status": "failed", "seconds": secs}))
    runner.run(config, jobs=1, only=["county", "fitness"], out=io.StringIO(), execute=_fake_execute(order))
    assert order[0] == "clean"
    never_built = [n for n in order[1:] if n not in ("county", "fitness", "fitness--strict")]
    assert order[1:] == never_built + ["fitness", "fitness--strict", "county"]
