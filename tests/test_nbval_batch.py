"""tests/nbval_batch.py: nbval's rules applied to a batch's execution, on a planted notebook (no kernel).

The planted notebook has a plain cell, a checked cell (NBVAL_CHECK_OUTPUT) and a skipped cell; the
"batch" execution is written by hand with papermill's injected-parameters cell.  A matching
execution passes; a different checked output, an error, an unreached cell and another notebook fail
with nbval's messages.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

import nbval_batch

HERE = Path(__file__).resolve().parent

CONFTEST = """
from pathlib import Path
from types import SimpleNamespace
import nbval_batch

def pytest_collection_modifyitems(config, items):
    nbval_batch.default_reports = lambda: {Path("planted.ipynb").resolve(): "planted"}
    root = Path(__file__).parent / "batch"
    nbval_batch.attach(items, lambda: SimpleNamespace(root=root, log="the batch's log"))
"""


def code(source, outputs=(), count=1):
    cell = nbformat.v4.new_code_cell(source, execution_count=count)
    cell.outputs = [nbformat.from_dict(o) for o in outputs]
    return cell


def stream(text):
    return {"output_type": "stream", "name": "stdout", "text": text}


def planted(checked_output="42\n"):
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        code("x = 6 * 7", count=1),
        code("# NBVAL_CHECK_OUTPUT\nprint(x)", [stream(checked_output)], count=2),
        code("# NBVAL_SKIP\nraise SystemExit", count=3),
    ]
    return nb


def executed(outputs_of_checked=None, first_outputs=(), reached=True):
    outputs_of_checked = [stream("42\n")] if outputs_of_checked is None else outputs_of_checked
    nb = planted()
    injected = nbformat.v4.new_code_cell("x = 0", execution_count=1)
    injected.metadata["tags"] = [nbval_batch.INJECTED_TAG]
    nb.cells[0].outputs = [nbformat.from_dict(o) for o in first_outputs]
    nb.cells[1].outputs = [nbformat.from_dict(o) for o in outputs_of_checked]
    if not reached:
        nb.cells[1].execution_count, nb.cells[1].outputs = None, []
    nb.cells.insert(0, injected)
    return nb


def run(tmp_path: Path, batch_nb) -> subprocess.CompletedProcess:
    nbformat.write(planted(), tmp_path / "planted.ipynb")
    if batch_nb is not None:
        (tmp_path / "batch" / "executed").mkdir(parents=True)
        nbformat.write(batch_nb, tmp_path / "batch" / "executed" / "planted.ipynb")
    (tmp_path / "conftest.py").write_text(CONFTEST, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(HERE), os.environ.get("PYTHONPATH", "")])}
    env.pop("NBVAL_EXECUTE", None)
    # nbval alone: the other installed plugins (hypothesis, xdist, randomly, ...) cost seconds to load in each run.
    env["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    args = ["-p", "nbval", "-p", "no:cacheprovider", "-c", "/dev/null", "--nbval-lax", "--rootdir", str(tmp_path)]
    return subprocess.run(
        [sys.executable, "-m", "pytest", *args, "planted.ipynb"], cwd=tmp_path, env=env, capture_output=True, text=True
    )


def test_the_batch_execution_passes_when_it_matches(tmp_path):
    out = run(tmp_path, executed())
    assert out.returncode == 0, out.stdout
    assert "2 passed, 1 skipped" in out.stdout.strip().splitlines()[-1]


def test_a_different_checked_output_fails_by_nbvals_comparison(tmp_path):
    out = run(tmp_path, executed(outputs_of_checked=[stream("41\n")]))
    assert out.returncode == 1 and "1 failed, 1 passed" in out.stdout, out.stdout
    assert "Cell outputs differ" in out.stdout and "41" in out.stdout


@pytest.mark.parametrize(
    "batch, message",
    [
        (
            executed(first_outputs=[{"output_type": "error", "ename": "E", "evalue": "v", "traceback": ["boom"]}]),
            "Cell execution caused an exception",
        ),
        (executed(reached=False), "never reached this cell"),
        (None, "the demo batch kept no execution of report planted"),
    ],
    ids=["error", "unreached", "no execution"],
)
def test_an_error_an_unreached_cell_or_no_execution_fails(tmp_path, batch, message):
    out = run(tmp_path, batch)
    assert out.returncode == 1 and message in out.stdout, out.stdout


def test_another_version_of_the_notebook_fails(tmp_path):
    other = executed()
    other.cells[1].source = "x = 6 * 6"
    out = run(tmp_path, other)
    assert out.returncode == 1 and "ran another version of this notebook" in out.stdout, out.stdout


def test_every_default_report_notebook_is_in_notebooks():
    reports = nbval_batch.default_reports()
    assert set(reports.values()) >= {"clean", "survey", "opinions", "fitness", "training", "campaigns", "summary"}
    assert all(path.exists() and path.suffix == ".ipynb" for path in reports)


def test_a_province_scope_report_is_left_to_nbval(tmp_path):
    config = tmp_path / "reports.yml"
    config.write_text(
        "reports:\n"
        "  - {name: survey, notebook: notebooks/10.ipynb}\n"
        "  - {name: province, notebook: notebooks/95.ipynb, scope: province}\n"
        "  - {name: fixed, notebook: notebooks/11.ipynb, parameters: {lang: en}}\n",
        encoding="utf-8",
    )
    assert nbval_batch.default_reports(config) == {(tmp_path / "notebooks" / "10.ipynb").resolve(): "survey"}
