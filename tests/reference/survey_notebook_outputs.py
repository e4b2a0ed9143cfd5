"""Keep only the small text outputs that nbval checks in the survey and opinions notebooks.

    .venv/bin/python tests/reference/survey_notebook_outputs.py   # re-execute and refresh

executes notebooks/10_survey_satisfaction.ipynb and notebooks/20_opinions.ipynb with their
defaults (papermill, figures into a temporary folder), then keeps the text output of the cells
marked ``# NBVAL_CHECK_OUTPUT`` and nothing else (no images, tables or execution metadata), and
writes the notebooks back.  `keep_checked_outputs` is the nbformat function doing the stripping.
"""
from __future__ import annotations

import tempfile
from pathlib import Path

import nbformat

MARK = "# NBVAL_CHECK_OUTPUT"
NOTEBOOKS = ("10_survey_satisfaction.ipynb", "20_opinions.ipynb")
MAX_OUTPUT_CHARS = 2000


def keep_checked_outputs(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The notebook with every output removed except stdout text of NBVAL-checked cells."""
    nb.metadata.pop("papermill", None)
    for cell in nb.cells:
        for key in ("papermill", "execution"):
            cell.metadata.pop(key, None)
        if cell.cell_type != "code":
            continue
        if MARK in cell.source:
            # nbval refuses outputs of a cell without an execution count, so checked cells keep theirs
            cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=o["text"])
                            for o in cell.outputs if o.get("output_type") == "stream" and o.get("name") == "stdout"]
        else:
            cell.execution_count = None
            cell.outputs = []
    return nb


def refresh(notebook_dir: Path) -> list[Path]:
    import papermill as pm

    written = []
    with tempfile.TemporaryDirectory() as tmp:
        for name in NOTEBOOKS:
            src = notebook_dir / name
            out = Path(tmp) / name
            pm.execute_notebook(str(src), str(out), parameters={"figures_dir": str(Path(tmp) / "figures")},
                                kernel_name="python3", progress_bar=False)
            executed = nbformat.read(out, as_version=4)
            # papermill injected a parameters cell for figures_dir: drop it, keep the original sources
            executed.cells = [c for c in executed.cells if "injected-parameters" not in c.metadata.get("tags", [])]
            nbformat.validate(executed)
            nbformat.write(keep_checked_outputs(executed), src)
            written.append(src)
    return written


if __name__ == "__main__":
    root = Path(__file__).resolve().parents[2]
    for path in refresh(root / "notebooks"):
        print(path)
