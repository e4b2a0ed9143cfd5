"""Notebooks are committed without bulky outputs: only the small text printed by the cells that
nbval checks (marked ``# NBVAL_CHECK_OUTPUT``) is kept, so a changed result fails CI until accepted."""

from __future__ import annotations

from pathlib import Path

import nbformat

CHECK_MARK = "# NBVAL_CHECK_OUTPUT"
MAX_KEPT_CHARS = 2000


def is_checked(cell) -> bool:
    return cell.cell_type == "code" and CHECK_MARK in cell.source


def strip(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Drop every output except the plain-text stream output of checked cells.

    Checked cells keep an execution count (numbered in order): nbval refuses a reference cell that
    has outputs but was never run."""
    count = 0
    for cell in nb.cells:
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
        if cell.cell_type != "code":
            continue
        kept = []
        if is_checked(cell):
            for output in cell.get("outputs", []):
                if output.get("output_type") == "stream" and output.get("name") == "stdout":
                    kept.append(nbformat.v4.new_output("stream", name="stdout", text=output["text"]))
        if sum(len(o["text"]) for o in kept) > MAX_KEPT_CHARS:
            raise ValueError(f"a checked cell prints more than {MAX_KEPT_CHARS} characters: keep checked output small")
        cell.outputs = kept
        count += bool(kept)
        cell.execution_count = count if kept else None
    for key in ("papermill", "widgets"):
        nb.metadata.pop(key, None)
    return nb


def strip_file(executed: Path, target: Path | None = None) -> Path:
    """Strip an executed notebook into ``target`` (default: in place)."""
    nb = nbformat.read(executed, as_version=4)
    # papermill adds an injected-parameters cell; the committed notebook keeps only its own.
    nb.cells = [c for c in nb.cells if "injected-parameters" not in c.metadata.get("tags", [])]
    target = Path(target or executed)
    nbformat.write(strip(nb), target)
    return target


def unstripped(notebooks) -> list[Path]:
    """The notebooks that carry outputs besides the checked cells' small text (what strip() keeps)."""
    import copy

    out = []
    for path in map(Path, notebooks):
        nb = nbformat.read(path, as_version=4)
        kept = strip(copy.deepcopy(nb))
        kept.cells = [c for c in kept.cells if "injected-parameters" not in c.metadata.get("tags", [])]
        for cell in (*nb.cells, *kept.cells):  # how a checked cell is numbered is not bulk
            if cell.cell_type == "code":
                cell.execution_count = None
        if nbformat.writes(kept) != nbformat.writes(nb):
            out.append(path)
    return out
