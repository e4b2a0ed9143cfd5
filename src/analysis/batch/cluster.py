"""The batch's reports on Dask distributed: ``python -m analysis run --cluster local|tcp://HOST:8786``.

``local`` starts a ``LocalCluster`` on this machine (``--jobs`` worker processes, one thread each);
an address connects to a running scheduler whose workers share the project's filesystem (the same
checkout, raw and processed data and reports folder at the same paths; see docs/scaling.md).

Who does what:

- the client (the batch process, ``Runner``) validates, cleans, decides from each report's cache
  key what must run, keeps every report's state and publishes pages, figures and the index;
- each report is one task, ``run_report``: the worker executes the notebook with papermill, renders
  its page into the run's staging folder and returns an ``Execution`` without the notebook
  (status, times, error, where the page is, which worker ran it): a few hundred bytes;
- each worker starts its own fork server (the zygote that imports pandas, matplotlib and the
  package once) and kernel pool when it joins, through ``KernelsPlugin``, and stops them when it
  leaves (``batch.worker_plugin``); a task uses the kernels of the worker it runs on.

A worker that dies mid-task (killed, out of memory) fails only that task: the scheduler runs it
again on another worker, once (``allowed-failures``); a second death is reported as that report's
failure, named like any other.  Without ``--cluster`` the in-process pool (``batch.pool``) is used.
"""

from __future__ import annotations

import concurrent.futures as cf
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from analysis.batch.building import render_report, report_provenance
from analysis.batch.execution import Execution, execute_notebook
from analysis.core.errors import ParameterError
from analysis.core.files import write_atomic

if TYPE_CHECKING:
    from analysis.batch.navigation import Page
    from analysis.batch.schema import Report

PLUGIN_NAME = "analysis-kernels"
# A report whose worker dies is run again once elsewhere; the second death fails the report.
ALLOWED_FAILURES = 1


@dataclass(frozen=True)
class ReportTask:
    """Everything a worker needs to build one report; the client keeps the rest."""

    report: Report
    output: Path  # the executed notebook (staging, on the shared filesystem)
    parameters: dict[str, Any]
    timeout: int | None
    page: Page
    run_provenance: dict[str, Any]
    notebook_display: str
    started: str
    banner: str | None
    html: Path  # where the worker writes the rendered page (staging)


def _plugin():
    """This worker's ``worker_plugin.KernelsPlugin``, or None."""
    from distributed import get_worker

    try:
        return get_worker().plugins.get(PLUGIN_NAME)
    except ValueError:  # not on a worker (a test calling the task directly)
        return None


def run_report(task: ReportTask) -> Execution:
    """The task: execute and render one report on this worker; return the small result only."""
    plugin = _plugin()
    pool = plugin.pool if plugin is not None else None
    if pool is not None:  # one spare kernel boots while this report runs: the next task on this worker finds it up
        folder = str(task.report.notebook.parent)
        pool.plan([folder, folder], ahead=2)
    ex = execute_notebook(task.report.notebook, task.output, task.parameters, timeout=task.timeout, pool=pool)
    try:
        from distributed import get_worker

        ex.worker = get_worker().address
    except ValueError:
        ex.worker = None
    if ex.error is None:
        from analysis.batch.render import Renderer

        renderer = plugin.renderer if plugin is not None else Renderer()
        provenance = report_provenance(task.run_provenance, task.report, task.notebook_display, task.started, ex)
        text = render_report(renderer, task.report, ex, page=task.page, provenance=provenance, banner=task.banner)
        if text is not None:
            write_atomic(task.html, text)
            ex.rendered = task.html
    ex.nb = None  # the executed notebook stays on disk (ex.executed_path); it is never sent back
    return ex


class ClusterExecutor(cf.Executor):
    """``Client.get_executor`` with the ``shutdown`` signature the runner uses (``cancel_futures``)."""

    def __init__(self, client):
        self._inner = client.get_executor(pure=False)

    def submit(self, fn, /, *args, **kwargs) -> cf.Future:
        return self._inner.submit(fn, *args, **kwargs)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self._inner.shutdown(wait=wait and not cancel_futures)


class Cluster:
    """A Dask cluster for one batch run: ``"local"`` (a LocalCluster of ``workers`` processes) or an address.

    ``start()`` connects in the background (workers boot and their fork servers import while the
    client validates and cleans); ``client`` waits for it.
    """

    def __init__(
        self, address: str, *, workers: int = 2, fork: bool = True, preload: str = "", kernel_folder: str | None = None
    ):
        if address != "local" and "://" not in address:
            raise ParameterError(f"--cluster {address}: expected 'local' or a scheduler address like tcp://HOST:8786")
        self.address = address
        self.workers = max(1, workers)
        self.fork = fork
        self.preload = preload
        self.kernel_folder = kernel_folder  # each worker boots its first kernel there as it joins
        self.local = None
        self._client = None
        self._error: BaseException | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._connect, name="dask-connect", daemon=True)
            self._thread.start()

    def _connect(self) -> None:
        try:
            import dask
            from distributed import Client, LocalCluster

            if self.address == "local":
                with dask.config.set({"distributed.scheduler.allowed-failures": ALLOWED_FAILURES}):
                    self.local = LocalCluster(
                        n_workers=self.workers,
                        threads_per_worker=1,
                        processes=True,
                        dashboard_address=None,
                    )
                client = Client(self.local)
            else:
                client = Client(self.address, timeout="30s")
            from analysis.batch.worker_plugin import KernelsPlugin

            client.register_plugin(
                KernelsPlugin(fork=self.fork, preload=self.preload, kernel_folder=self.kernel_folder), name=PLUGIN_NAME
            )
            self._client = client
        except BaseException as exc:  # raised where the client is first needed
            self._error = exc

    @property
    def client(self):
        self.start()
        self._thread.join()
        if self._error is not None:
            raise ParameterError(f"--cluster {self.address}: cannot start or reach the cluster: {self._error}")
        return self._client

    def executor(self) -> ClusterExecutor:
        return ClusterExecutor(self.client)

    def describe(self) -> str:
        info = self.client.scheduler_info()
        workers = info.get("workers", {})
        threads = sum(w.get("nthreads", 0) for w in workers.values())
        return f"Dask cluster {info.get('address', self.address)}: {len(workers)} workers, {threads} threads"

    def close(self) -> None:
        if self._thread is None:
            return
        self._thread.join()
        if self._client is not None:
            if self.local is None:  # a shared cluster: stop this run's fork servers and kernels on its workers
                try:
                    self._client.unregister_worker_plugin(PLUGIN_NAME)
                except Exception:
                    pass
            self._client.close()
        if self.local is not None:
            self.local.close()
