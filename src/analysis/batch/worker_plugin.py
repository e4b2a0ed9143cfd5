"""The worker side of ``batch.cluster``: each Dask worker's fork server, kernel pool and HTML exporter.

Imported only by a ``--cluster`` run (and by the workers, when the plugin reaches them): it imports
``distributed``, which plain runs never load.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading

from distributed.diagnostics.plugin import WorkerPlugin

from analysis.batch.cluster import PLUGIN_NAME


class KernelsPlugin(WorkerPlugin):
    """On each worker: a fork server (when asked and possible), a kernel pool and an HTML exporter."""

    idempotent = True
    name = PLUGIN_NAME

    def __init__(self, *, fork: bool = True, preload: str = "", kernel_folder: str | None = None):
        self.fork = fork
        self.preload = preload
        self.kernel_folder = kernel_folder
        self.pool = None
        self.forkserver = None
        self.folder: str | None = None
        self._renderer = None
        self._lock = None  # made on the worker: the plugin is pickled to reach it, a lock cannot be

    def setup(self, worker) -> None:
        from analysis.batch.pool import KernelPool, kernel_manager_class

        kernel_manager_class()  # the Jupyter stack imported here, before the pool's thread and the tasks' need it
        self._lock = threading.Lock()
        if self.fork and hasattr(os, "fork"):
            from analysis.batch.forkserver import ForkServer

            self.folder = tempfile.mkdtemp(prefix="analysis-fork-")
            self.forkserver = ForkServer(self.folder)  # its imports run while the worker waits for work
        self.pool = KernelPool(preload=self.preload, forkserver=self.forkserver)
        if self.kernel_folder:  # the first task finds a kernel up (it boots from the zygote once its imports are done)
            self.pool.plan([self.kernel_folder], ahead=1)

    def teardown(self, worker) -> None:
        if self.pool is not None:
            self.pool.close()
        if self.forkserver is not None:
            self.forkserver.close()
        if self.folder:
            shutil.rmtree(self.folder, ignore_errors=True)

    @property
    def renderer(self):
        with self._lock:
            if self._renderer is None:
                from analysis.batch.render import Renderer

                self._renderer = Renderer()
            return self._renderer
