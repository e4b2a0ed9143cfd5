"""Executing one notebook with papermill: the result handed back, and where a failure happened.

``execute_notebook`` never raises for a failing notebook: it returns an ``Execution`` whose
``error`` names the cell (numbered as in the source notebook, the way JupyterLab shows it).
"""

from __future__ import annotations

import sys
import time
import traceback
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from analysis.batch.pool import KernelPool, kernel_manager_class

# jsonschema (imported by nbformat, hence papermill and nbconvert) imports rfc3987_syntax when it is
# installed, which builds a grammar at import time: 1-3 s of every run, for an "iri" format check
# that no notebook schema uses.  Declaring it absent makes that import a no-op.
if "rfc3987_syntax" not in sys.modules:
    sys.modules["rfc3987_syntax"] = None  # type: ignore[assignment]


@dataclass
class Execution:
    """What a worker hands back: the executed notebook, or the failure and where it happened."""

    nb: Any = None
    seconds: float = 0.0
    cell_seconds: float = 0.0
    error: dict | None = None
    executed_path: Path | None = None
    # Set by a Dask worker (batch.cluster): the page it rendered (nb is then None) and where it ran.
    rendered: Path | None = None
    worker: str | None = None

    @classmethod
    def of_exception(cls, exc: BaseException, *, seconds: float = 0.0, executed_path: Path | None = None) -> Execution:
        """A failure outside any cell (kernel died, timeout, unreadable notebook, the executor broke)."""
        text = str(exc).strip()
        return cls(
            seconds=seconds,
            executed_path=executed_path,
            error={
                "cell_index": "?",
                "exec_count": None,
                "ename": type(exc).__name__,
                "evalue": text.splitlines()[-1] if text else repr(exc),
                "traceback": "".join(traceback.format_exception(exc, limit=3)),
            },
        )


def cell_seconds(nb) -> float:
    """Sum of the cell execution times papermill recorded (metadata.papermill.duration)."""
    total = 0.0
    for cell in nb.get("cells", []):
        d = cell.get("metadata", {}).get("papermill", {}).get("duration")
        total += float(d) if d else 0.0
    return total


def source_cell_number(nb, cell_index: int) -> int:
    """1-based position in the source notebook of executed cell ``cell_index`` (papermill inserts one)."""
    injected = [i for i, c in enumerate(nb.cells) if "injected-parameters" in c.get("metadata", {}).get("tags", [])]
    shift = sum(1 for i in injected if i < cell_index)
    return cell_index - shift + 1


def cell_number_in_source(original, failed, cell_index: int) -> int:
    """Papermill's error cells and the injected cell shift indices; find the failing cell by its id."""
    # papermill keeps the index of the executed (parameterised) notebook; its error markers come after.
    executed = [c for c in failed.cells if "papermill-error-cell-tag" not in c.get("metadata", {}).get("tags", [])]
    if 0 <= cell_index < len(executed):
        cid = executed[cell_index].get("id")
        for i, c in enumerate(original.cells):
            if cid and c.get("id") == cid:
                return i + 1
    return source_cell_number(failed, cell_index)


def execute_notebook(
    notebook: Path,
    output: Path,
    parameters: Mapping[str, Any],
    *,
    timeout: int | None = None,
    pool: KernelPool | None = None,
) -> Execution:
    """Run one notebook with papermill in a fresh kernel (from ``pool`` if given); never raises for a failing cell."""
    km_class = kernel_manager_class()  # first: it imports the Jupyter stack under its lock (batch.pool)
    import nbformat
    import papermill
    from papermill.exceptions import PapermillExecutionError

    t0 = time.perf_counter()
    output.parent.mkdir(parents=True, exist_ok=True)
    km = None
    try:
        engine: dict[str, Any] = {}
        if pool is not None:
            km = pool.acquire(str(notebook.parent))
            engine["km"] = km
        nb = papermill.execute_notebook(
            str(notebook),
            str(output),
            parameters=dict(parameters),
            kernel_name="python3",
            progress_bar=False,
            request_save_on_cell_execute=False,
            execution_timeout=timeout,
            # The kernel's working directory is the notebook's folder; os.chdir is never used (threads).
            resources={"metadata": {"path": str(notebook.parent)}},
            kernel_manager_class=km_class,
            # The kernel has nothing to save: kill it at once instead of a graceful shutdown (~1 s each).
            shutdown_kernel="immediate",
            **engine,
        )
        return Execution(nb=nb, seconds=time.perf_counter() - t0, cell_seconds=cell_seconds(nb), executed_path=output)
    except PapermillExecutionError as exc:
        error = {
            "cell_index": exc.cell_index + 1,
            "exec_count": exc.exec_count,
            "ename": exc.ename,
            "evalue": str(exc.evalue),
            "source": (exc.source or "").strip().splitlines()[:1],
        }
        secs = 0.0
        if output.exists():
            failed = nbformat.read(output, as_version=4)
            secs = cell_seconds(failed)
            original = nbformat.read(notebook, as_version=4)
            # Position in the source notebook as an analyst sees it in JupyterLab (1 = first cell).
            error["cell_index"] = cell_number_in_source(original, failed, exc.cell_index)
        return Execution(
            seconds=time.perf_counter() - t0,
            cell_seconds=secs,
            error=error,
            executed_path=output if output.exists() else None,
        )
    except Exception as exc:  # kernel died, timeout, bad notebook file: still name it
        return Execution.of_exception(
            exc, seconds=time.perf_counter() - t0, executed_path=output if output.exists() else None
        )
    finally:
        if km is not None:
            pool.release(km)
