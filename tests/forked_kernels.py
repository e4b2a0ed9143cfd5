"""Notebooks the tests execute themselves run on kernels forked from one zygote per test process.

A fresh kernel imports pandas, scipy, matplotlib, seaborn and the package again, about 4 s of CPU
for each of the ~20 notebooks the tests run at other parameters than the demo batch's. The batch's
fork server (``analysis.batch.forkserver``) imports them once per test process. Each notebook still
gets a kernel process of its own, with its own state, as a report in the batch does.
"""

from __future__ import annotations

import tempfile
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

_LOCK = threading.Lock()
_STATE: dict = {}


def _pool():
    with _LOCK:
        if "pool" not in _STATE:
            from analysis.batch.forkserver import ForkServer
            from analysis.batch.pool import KernelPool

            _STATE["server"] = ForkServer(Path(tempfile.mkdtemp(prefix="analysis-test-fork-")))
            _STATE["pool"] = KernelPool(forkserver=_STATE["server"])
        return _STATE["pool"]


def execute(notebook: Path | str, output: Path | str, parameters: Mapping[str, Any], *, cwd: Path | str):
    """Execute ``notebook`` with ``parameters`` into ``output``, the kernel working in ``cwd``; the executed notebook.

    As ``papermill.execute_notebook``: a failing cell raises ``PapermillExecutionError`` (the
    executed notebook, with the error, is still written to ``output``).
    """
    from analysis.batch.pool import kernel_manager_class

    km_class = kernel_manager_class()  # imports papermill (under the pool's import lock)
    import papermill

    pool = _pool()
    km = pool.acquire(str(cwd))
    try:
        return papermill.execute_notebook(
            str(notebook),
            str(output),
            parameters=dict(parameters),
            kernel_name="python3",
            progress_bar=False,
            cwd=str(cwd),
            km=km,
            kernel_manager_class=km_class,
            shutdown_kernel="immediate",
        )
    finally:
        pool.release(km)


def close() -> None:
    """Stop the kernels and the zygote (the end of the session)."""
    with _LOCK:
        pool, server = _STATE.pop("pool", None), _STATE.pop("server", None)
    if pool is not None:
        pool.close()
    if server is not None:
        server.close()
