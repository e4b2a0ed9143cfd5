"""The cache key covers everything a report depends on (issue 14): change each input once and see
exactly the reports that depend on it rerun, the others skipped.

Runs the real runner on the fixture project with an execution that succeeds at once (no kernel).
The code version normally hashes src/analysis, data/reference and requirements.lock of this checkout;
here it hashes stand-ins in a tmp folder (the same ``code_version``), so each can be edited safely.
"""

from __future__ import annotations

import io
import shutil

import pandas as pd
import pytest
from test_batch_runner import _fake_execute

from analysis.batch import provenance, runner
from analysis.core import files, paths
from conftest import FIXTURES

STRICT = {"fitness--strict", "fitness--strict-anyi-police-station", "fitness--strict-xianfeng-police-station"}
ALL = {
    "county",
    "fitness",
    "fitness--anyi-police-station",
    "fitness--xianfeng-police-station",
    "broken",
} | STRICT


@pytest.fixture
def project(batch_project, tmp_path, monkeypatch):
    config = batch_project(tmp_path)
    # The county report gets a notebook of its own, so a notebook edit can be told apart from the others.
    county_nb = tmp_path / "county.ipynb"
    fixtures = FIXTURES / "batch"
    shutil.copyfile(fixtures / "report.ipynb", county_nb)
    text = config.read_text()
    head, _, tail = text.partition("  - name: county")
    tail = tail.replace(f'"{fixtures}/report.ipynb"', f'"{county_nb}"', 1)
    config.write_text(head + "  - name: county" + tail)
    code = tmp_path / "code"
    (code / "analysis").mkdir(parents=True)
    (code / "analysis" / "stats.py").write_text("def share(a, b):\n    return a / b\n")
    (code / "reference").mkdir()
    (code / "reference" / "rules.csv").write_text("rule,value\npass_mark,70\n")
    (code / "requirements.lock").write_text("pandas==3.1.1\n")
    monkeypatch.setattr(
        provenance,
        "code_hash",
        lambda: files.code_version(code / "analysis", code / "reference", code / "requirements.lock"),
    )
    return config, county_nb, code


def _rerun(config) -> set[str]:
    result = runner.run(config, jobs=1, out=io.StringIO(), execute=_fake_execute())
    return {o.report.name for o in result.outcomes if o.status == "built" and not o.report.is_clean}


def _append_cell(notebook):
    import nbformat

    nb = nbformat.read(notebook, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell("print('one more line')"))
    nbformat.write(nb, notebook)


def _edit_cells(notebook, edit):
    import nbformat

    nb = nbformat.read(notebook, as_version=4)
    edit(nb.cells)
    nbformat.write(nb, notebook)


def _one_line_changed(cells):
    # Same number of cells, same types and tags: only the text of one line differs.
    cell = next(c for c in cells if c.cell_type == "code" and "parameters" not in c.metadata.get("tags", []))
    cell.source += "\n# one more comment"


def _type_changed(cells):
    # The same text, now a markdown cell: it no longer runs, so the report differs.
    cell = next(c for c in cells if c.cell_type == "code" and "parameters" not in c.metadata.get("tags", []))
    cell.cell_type = "markdown"
    for key in ("outputs", "execution_count"):
        cell.pop(key, None)


def _tag_removed(cells):
    # Without its "analyst" tag the cell is shown to the report's readers: the page differs.
    cell = next(c for c in cells if "analyst" in c.metadata.get("tags", []))
    cell.metadata["tags"] = [t for t in cell.metadata["tags"] if t != "analyst"]


def _outputs_only(notebook):
    import nbformat

    nb = nbformat.read(notebook, as_version=4)
    code_cell = next(c for c in nb.cells if c.cell_type == "code")
    code_cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="committed output\n")]
    code_cell.execution_count = 7
    nbformat.write(nb, notebook)


CHANGES = {
    "notebook source": (lambda cfg, nb, code: _append_cell(nb), {"county"}),
    "one line of a cell": (lambda cfg, nb, code: _edit_cells(nb, _one_line_changed), {"county"}),
    "a cell's type": (lambda cfg, nb, code: _edit_cells(nb, _type_changed), {"county"}),
    "a cell's tags": (lambda cfg, nb, code: _edit_cells(nb, _tag_removed), {"county"}),
    "notebook outputs only": (lambda cfg, nb, code: _outputs_only(nb), set()),
    "parameters": (
        lambda cfg, nb, code: cfg.write_text(cfg.read_text().replace("{pass_mark: 80}", "{pass_mark: 85}")),
        STRICT,
    ),
    "processed data": (
        lambda cfg, nb, code: (
            (p := cfg.parent / "data" / "processed" / "population_margins.parquet"),
            pd.read_parquet(p).assign(population=lambda d: d["population"] + 1).to_parquet(p),
        ),
        ALL,
    ),
    # The survey weights a report caches beside the data (derived from it, keyed by its hashes) are not an input.
    "a cache written beside the data": (
        lambda cfg, nb, code: (
            (d := cfg.parent / "data" / "processed" / paths.WEIGHTS_CACHE).mkdir(),
            pd.DataFrame({"w": [1.0]}).to_parquet(d / "0123abcd.parquet"),
        ),
        set(),
    ),
    "reference data": (
        lambda cfg, nb, code: (code / "reference" / "rules.csv").write_text("rule,value\npass_mark,75\n"),
        ALL,
    ),
    "lock": (lambda cfg, nb, code: (code / "requirements.lock").write_text("pandas==3.1.2\n"), ALL),
    "package code": (
        lambda cfg, nb, code: (code / "analysis" / "stats.py").write_text("def share(a, b):\n    return b / a\n"),
        ALL,
    ),
}


@pytest.mark.parametrize("change", CHANGES)
def test_exactly_the_dependent_reports_rerun(project, change):
    config, county_nb, code = project
    assert _rerun(config) == ALL  # the first run builds everything
    assert _rerun(config) == set()  # nothing changed: nothing reruns
    edit, expected = CHANGES[change]
    edit(config, county_nb, code)
    assert _rerun(config) == expected
    assert _rerun(config) == set()  # and once rebuilt, the new state is the cached one
