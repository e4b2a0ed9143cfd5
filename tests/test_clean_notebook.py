"""The cleaning notebook runs under papermill with its parameters and calls the package's cleaning."""

from __future__ import annotations

import nbformat
import pytest

import forked_kernels
from analysis.core import paths
from minimal_raw import write_minimal_raw


@pytest.mark.slow
def test_clean_notebook_runs_on_given_folders(tmp_path):
    raw = write_minimal_raw(tmp_path / "raw")
    out = tmp_path / "00_clean.ipynb"
    forked_kernels.execute(
        paths.NOTEBOOKS / "00_clean.ipynb",
        out,
        {"raw_dir": str(raw), "processed_dir": str(tmp_path / "processed")},
        cwd=tmp_path,
    )
    text = "".join(o.get("text", "") for c in nbformat.read(out, as_version=4).cells for o in c.get("outputs", []))
    assert "38 rows read: 38 clean, 0 quarantined, none lost" in text
    assert (tmp_path / "processed" / "manifest.json").exists()
    assert (tmp_path / "processed" / "key_figures.csv").exists()


def test_clean_notebook_has_a_parameters_cell_with_working_defaults():
    nb = nbformat.read(paths.NOTEBOOKS / "00_clean.ipynb", as_version=4)
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1
    assert "raw_dir = str(paths.RAW)" in tagged[0].source and "processed_dir = str(paths.PROCESSED)" in tagged[0].source
