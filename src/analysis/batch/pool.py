"""Kernels for the batch: the kernel manager class (Unix sockets) and the pool that starts them ahead of need."""

from __future__ import annotations

import asyncio
import tempfile
import threading
import time
import uuid
from pathlib import Path

_KM_CLASS = None
# Two threads importing the Jupyter stack by different first modules (papermill in one, jupyter_client.manager in
# another) can deadlock on the module locks; Python then hands one of them the module half initialised:
# "cannot import name 'AsyncKernelManager' from partially initialized module" (seen on a restarted Dask worker,
# its pool booting a kernel while the retried task started). Every thread's first import goes through this lock.
_JUPYTER_IMPORT = threading.Lock()
# A kill is a signal and a wait for the process to go: seconds, even on a loaded machine.
KILL_SECONDS = 30


def kernel_manager_class():
    """Kernels talk over Unix sockets in the temp folder, not TCP: private, and no warning per kernel."""
    with _JUPYTER_IMPORT:
        return _KM_CLASS or _make_kernel_manager_class()


def _make_kernel_manager_class():
    global _KM_CLASS
    if _KM_CLASS is None:
        import papermill  # noqa: F401  (nbclient, jupyter_client: the whole stack, in this thread)
        from jupyter_client.manager import AsyncKernelManager

        class IPCKernelManager(AsyncKernelManager):
            def __init__(self, **kwargs):
                super().__init__(**kwargs)
                self.transport = "ipc"
                self.ip = str(Path(tempfile.gettempdir()) / f"analysis-kernel-{uuid.uuid4().hex[:16]}")
                self.clients: list = []

            def client(self, **kwargs):
                # nbclient stops the channels of a client only when it owns the manager; given ours (the
                # pool's), it leaves them running: a heartbeat thread and a ZMQ context per report, which
                # made a long run's parent slower with every report. The pool stops them (stop_clients).
                kc = super().client(**kwargs)
                self.clients.append(kc)
                return kc

            def stop_clients(self) -> None:
                for kc in self.clients:
                    try:
                        kc.stop_channels()
                    except Exception:
                        pass
                self.clients.clear()

        _KM_CLASS = IPCKernelManager
    return _KM_CLASS


class KernelPool:
    """Kernels started ahead of need, so no report waits for a kernel to boot.

    A background thread runs an event loop that starts kernels (and, if asked, imports the heavy
    modules in them: ``preload``) while other notebooks execute or the data is being cleaned;
    papermill receives a kernel that is already up.  Used kernels are killed in the same loop.
    """

    def __init__(self, *, preload: str = "", kernel_name: str = "python3", forkserver=None):
        self.preload = preload
        self.forkserver = forkserver
        self.kernel_name = kernel_name
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="kernel-pool", daemon=True)
        self.thread.start()
        self._lock = threading.Lock()
        self._ready: dict[str, list] = {}
        self._queue: list[str] = []
        self._in_use: set = set()
        self._booting: set = set()
        self._releasing: list = []  # the kills of released kernels: close() waits for them too

    def _submit(self, coro):
        return asyncio.run_coroutine_threadsafe(coro, self.loop)

    async def _start(self, cwd: str):
        fs = self.forkserver
        if fs is not None and await self.loop.run_in_executor(None, fs.ready):
            from analysis.batch.forkserver import KERNEL_NAME

            km = kernel_manager_class()(kernel_name=KERNEL_NAME, kernel_spec_manager=fs.kernel_spec_manager())
        else:
            km = kernel_manager_class()(kernel_name=self.kernel_name)
        with self._lock:
            self._booting.add(km)
        try:
            await km.start_kernel(cwd=cwd)
            kc = km.client()
            kc.start_channels()
            try:
                await kc.wait_for_ready(timeout=120)
                if self.preload:
                    msg_id = kc.execute(self.preload, silent=True, store_history=False)
                    while True:
                        reply = await kc.get_shell_msg(timeout=300)
                        if reply["parent_header"].get("msg_id") == msg_id:
                            break
            finally:
                kc.stop_channels()
        except BaseException:
            # Cancelled by close() (Ctrl-C while it booted) or failed: its process must not outlive us.
            await self._kill(km)
            raise
        finally:
            with self._lock:
                self._booting.discard(km)
        return km

    def plan(self, cwds: list[str], ahead: int) -> None:
        """The notebooks' folders in the order they will run; keep ``ahead`` kernels booting or ready."""
        with self._lock:
            queue = list(cwds)
            for cwd, waiting in self._ready.items():  # kernels already booting serve the first ones
                for _ in waiting:
                    if cwd in queue:
                        queue.remove(cwd)
            self._queue = queue
            n = max(0, ahead - sum(len(v) for v in self._ready.values()))
        for _ in range(n):
            self._start_next()

    def _start_next(self) -> None:
        with self._lock:
            if not self._queue:
                return
            cwd = self._queue.pop(0)
            fut = self._submit(self._start(cwd))
            self._ready.setdefault(cwd, []).append(fut)

    def acquire(self, cwd: str):
        """A started kernel manager for a notebook in ``cwd`` (waits if it is still booting)."""
        with self._lock:
            waiting = self._ready.get(cwd) or []
            fut = waiting.pop(0) if waiting else None
            if fut is None:
                if cwd in self._queue:
                    self._queue.remove(cwd)
                fut = self._submit(self._start(cwd))
        self._start_next()
        km = fut.result(timeout=300)
        with self._lock:
            self._in_use.add(km)
        return km

    def release(self, km) -> None:
        with self._lock:
            self._in_use.discard(km)
            self._releasing = [f for f in self._releasing if not f.done()]
            self._releasing.append(self._submit(self._kill(km)))

    async def _kill(self, km) -> None:
        try:
            await km.shutdown_kernel(now=True)
        except Exception:
            pass
        if hasattr(km, "stop_clients"):  # joins the heartbeat threads: off the loop
            await self.loop.run_in_executor(None, km.stop_clients)

    def close(self) -> None:
        """Kill every kernel: in use, ready, or still booting (never wait for a boot), then stop the loop.

        On Ctrl-C this is what the run waits for, so nothing here waits on a kernel's progress: a
        booting kernel is cancelled (its _start kills it), a ready or busy one killed at once.
        """
        with self._lock:
            waiting = [f for v in self._ready.values() for f in v]
            self._ready.clear()
            self._queue.clear()
            in_use, self._in_use = list(self._in_use), set()
            released, self._releasing = self._releasing, []
        # A kill still pending when the loop stops would never run: its kernel would outlive the run.
        kills = released + [self._submit(self._kill(km)) for km in in_use]
        for fut in waiting:
            if fut.done() and not fut.cancelled() and fut.exception() is None:
                kills.append(self._submit(self._kill(fut.result())))
            else:
                fut.cancel()  # still booting: the task is cancelled and kills its kernel
        for fut in waiting:
            try:
                if not fut.cancelled():
                    fut.result(timeout=KILL_SECONDS)  # a boot that finished meanwhile
            except BaseException:
                pass
        for kill in kills:
            try:
                kill.result(timeout=KILL_SECONDS)
            except BaseException:
                pass
        # A cancelled boot kills its kernel in the loop: let those finish before the loop stops.
        deadline = time.monotonic() + KILL_SECONDS
        while time.monotonic() < deadline:
            with self._lock:
                if not self._booting:
                    break
            time.sleep(0.05)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)
