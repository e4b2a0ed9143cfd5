"""The kernel pool's bookkeeping (batch.pool): how many kernels it keeps booted ahead, with fake kernels."""

from __future__ import annotations

import asyncio
import itertools

from analysis.batch.pool import KernelPool


class FakePool(KernelPool):
    """Kernels are numbers; starting one records it, killing one records that."""

    def __init__(self):
        super().__init__()
        self.started: list[int] = []
        self.killed: list[int] = []
        self._ids = itertools.count(1)

    async def _start(self, cwd: str):
        await asyncio.sleep(0)
        km = next(self._ids)
        self.started.append(km)
        return km

    async def _kill(self, km) -> None:  # type: ignore[override]
        self.killed.append(km)


def spare(pool: KernelPool) -> int:
    with pool._lock:
        return sum(len(v) for v in pool._ready.values())


def test_a_cluster_task_keeps_one_spare_kernel_booting_while_it_runs():
    """batch.cluster.run_report plans [folder, folder] ahead 2 before each report: one in use, one spare."""
    pool = FakePool()
    try:
        for n in range(1, 5):
            pool.plan(["nb", "nb"], ahead=2)
            km = pool.acquire("nb")
            assert spare(pool) == 1, f"report {n}: the next report's kernel is not booting"
            pool.release(km)
        pool.plan(["nb", "nb"], ahead=2)
        assert spare(pool) == 2  # nothing more than one per report and one spare is ever started
        with pool._lock:
            booting = [f for v in pool._ready.values() for f in v]
        assert [f.result(timeout=30) for f in booting] == [5, 6]
        assert len(pool.started) == 6
        assert pool.acquire("nb") == 5  # kernels are handed out in the order they were started
    finally:
        pool.close()


def test_a_plan_never_starts_more_than_ahead_kernels():
    pool = FakePool()
    try:
        pool.plan(["nb"] * 10, ahead=2)
        assert spare(pool) == 2
        pool.plan(["nb"] * 10, ahead=2)
        assert spare(pool) == 2
        assert pool.acquire("nb") == 1  # taking one starts the next in the queue
        assert spare(pool) == 2
    finally:
        pool.close()


def test_while_a_cluster_task_runs_the_next_kernel_is_already_booting(monkeypatch, tmp_path):
    """On a worker, each report starts the next report's kernel before it executes, not after."""
    from types import SimpleNamespace

    from analysis.batch import cluster
    from analysis.batch.execution import Execution

    pool = FakePool()
    seen = []

    def fake_execute(notebook, output, parameters, *, timeout=None, pool=None):
        km = pool.acquire(str(notebook.parent))
        seen.append(spare(pool))  # kernels booting or ready beside the one this report uses
        pool.release(km)
        return Execution(error={"ename": "Stop", "evalue": "not rendered"})

    monkeypatch.setattr(cluster, "_plugin", lambda: SimpleNamespace(pool=pool))
    monkeypatch.setattr(cluster, "execute_notebook", fake_execute)
    report = SimpleNamespace(notebook=tmp_path / "nb" / "x.ipynb")
    task = cluster.ReportTask(
        report, tmp_path / "out.ipynb", {}, None, None, {}, "x.ipynb", "", None, tmp_path / "x.html"
    )
    try:
        for _ in range(3):
            cluster.run_report(task)
        assert seen == [1, 1, 1]
    finally:
        pool.close()


def test_closing_waits_for_the_kills_of_released_kernels():
    """A kill submitted by release() and still pending when the loop stops would never run (its kernel lives on)."""

    class SlowKills(FakePool):
        async def _kill(self, km) -> None:  # type: ignore[override]
            await asyncio.sleep(0.2)  # still pending when close() is called
            self.killed.append(km)

    pool = SlowKills()
    kms = [pool.acquire("nb") for _ in range(3)]
    for km in kms:
        pool.release(km)
    pool.close()
    assert sorted(pool.killed) == sorted(kms)


def test_killing_a_kernel_stops_the_channels_of_every_client_made_on_it():
    """nbclient leaves running the channels (a heartbeat thread, a ZMQ context) of a client it makes on a
    kernel manager it does not own, as papermill does on a pool kernel: the pool's kill stops them.

    No kernel is started: the manager's shutdown and the clients' stop_channels are recorded instead.
    """
    from analysis.batch.pool import kernel_manager_class

    km = kernel_manager_class()(kernel_name="python3")
    clients = [km.client(), km.client()]  # papermill's client, and a second one
    events = []
    for n, kc in enumerate(clients):
        kc.stop_channels = lambda n=n: events.append(f"stop client {n}")

    async def shutdown_kernel(now=False):
        events.append(f"shutdown now={now}")

    km.shutdown_kernel = shutdown_kernel
    pool = KernelPool()
    try:
        pool._submit(pool._kill(km)).result(timeout=60)
    finally:
        pool.close()
    assert events == ["shutdown now=True", "stop client 0", "stop client 1"]
    assert km.clients == []  # nothing keeps them alive after the kill
