"""nbval's checks on the demo batch's execution of each notebook, instead of a second execution (issue 14).

``make test`` runs nbval (``--nbval-lax``) over notebooks/*.ipynb and, in the same session, the real
batch on the demo data (tests/conftest.py ``demo_batch``), which executes every notebook at its
defaults (the default language's report: ``survey``, ``clean``) among its variants.  Executing the
notebooks a second time under nbval would check nothing new: the notebook is the same, the data is
the same demo cleaned by the same code, and the parameters are the defaults (papermill injects only
the data and figures folders).  So each nbval cell item takes the outputs of its cell in the batch's
executed notebook and judges them by nbval's own rules, with nbval's own code:

- a cell whose execution raised (an ``error`` output) fails with nbval's message and traceback,
  unless it is marked ``NBVAL_RAISES_EXCEPTION``; a cell the batch never reached fails;
- a checked cell (``NBVAL_CHECK_OUTPUT`` under ``--nbval-lax``) compares its outputs with the
  committed ones by ``IPyNbCell.compare_outputs`` (same skipped keys, same stream coalescing);
- ``NBVAL_SKIP`` cells are skipped.

Where the batch cannot stand in (no demo raw data: a real export in data/raw; a notebook no report
of reports.yml runs at its defaults, such as a province-scope report (notebooks/95_province.ipynb),
which the one-county demo batch does not build; ``NBVAL_EXECUTE=1`` in the environment), nbval
executes the notebook itself, as before.  The source of every code cell must equal the committed
one, or the item fails: the batch ran another notebook.
"""

from __future__ import annotations

import copy
import os
from pathlib import Path
from types import MethodType

import pytest

from analysis.core import paths

INJECTED_TAG = "injected-parameters"  # papermill's cell with the batch's parameters


def default_reports(config_path: Path = paths.REPORTS_CONFIG) -> dict[Path, str]:
    """Notebook path -> the name of the report that runs it at its defaults in the default language."""
    import yaml

    config = yaml.safe_load(config_path.read_text(encoding="utf-8"))
    out = {}
    for entry in [config.get("clean")] + list(config.get("reports") or []):
        # A province-scope report is not built from one county's demo: nbval executes its notebook itself.
        county = (entry or {}).get("scope", "county") == "county"
        if entry and county and not entry.get("parameters") and not entry.get("parameter_sets"):
            out[(config_path.parent / entry["notebook"]).resolve()] = entry["name"]
    return out


def batch_code_cells(nb) -> list:
    """The code cells of an executed notebook, without papermill's injected-parameters cell."""
    return [c for c in nb.cells if c.cell_type == "code" and INJECTED_TAG not in c.metadata.get("tags", [])]


def wanted() -> bool:
    return os.environ.get("NBVAL_EXECUTE", "").strip().lower() not in {"1", "true", "yes"}


def attach(items, get_batch) -> None:
    """Point the nbval cell items of every notebook a default report runs at the batch's execution.

    ``get_batch()`` returns the demo batch namespace (tests/conftest.py), or None where there is none;
    it is called at the notebook's setup, so a run that selects no notebook runs no batch.
    """
    if not wanted():
        return
    reports = default_reports()
    files = {}
    for item in items:
        if type(item).__name__ != "IPyNbCell":
            continue
        name = reports.get(Path(str(item.parent.path)).resolve())
        if name is None:
            continue
        files.setdefault(item.parent, name)
        item.runtest = MethodType(_runtest, item)
    for nbfile, name in files.items():
        nbfile.batch_report = name
        nbfile.batch_cells = None
        nbfile.setup = MethodType(_make_setup(get_batch, type(nbfile).setup), nbfile)


def _make_setup(get_batch, original_setup):
    def setup(self):
        batch = get_batch()
        if batch is None:  # no demo batch: nbval starts its kernel and executes, as without this module
            self.batch_cells = None
            return original_setup(self)
        path = batch.root / "executed" / f"{self.batch_report}.ipynb"
        if not path.exists():
            self.batch_cells = f"the demo batch kept no execution of report {self.batch_report}:\n{batch.log[-3000:]}"
            return None
        import nbformat

        self.batch_cells = batch_code_cells(nbformat.read(path, as_version=4))
        return None

    return setup


def _runtest(self):
    """IPyNbCell.runtest on the batch's outputs of this cell (nbval's own runtest where there is no batch)."""
    from nbval.plugin import IPyNbCell, coalesce_streams

    cells = self.parent.batch_cells
    if cells is None:
        return IPyNbCell.runtest(self)
    if self.options["skip"]:
        pytest.skip()
    if isinstance(cells, str):
        self.raise_cell_error(cells)
    if self.cell_num >= len(cells) or cells[self.cell_num].source != self.cell.source:
        self.raise_cell_error(f"the demo batch ran another version of this notebook ({self.parent.batch_report})")
    ran = cells[self.cell_num]
    if ran.execution_count is None and not ran.outputs:
        self.raise_cell_error(f"the demo batch's execution ({self.parent.batch_report}) never reached this cell")
    outs = [copy.deepcopy(o) for o in ran.outputs]
    for out in outs:
        if out.output_type == "error" and not self.options["check_exception"]:
            self.raise_cell_error("Cell execution caused an exception", "\n" + "\n".join(out.get("traceback", [])))
    outs = coalesce_streams(outs)

    # From here on nbval's IPyNbCell.runtest.
    unrun = self.cell.execution_count is None
    if unrun and self.cell.outputs:
        self.raise_cell_error("Unrun reference cell has outputs")
    if self.options["check"] and not unrun and not self.compare_outputs(outs, coalesce_streams(self.cell.outputs)):
        self.raise_cell_error("Cell outputs differ", "\n".join(self.comparison_traceback))
