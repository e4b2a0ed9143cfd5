"""The batch on Dask distributed (LocalCluster, 2 worker processes) against the in-process pool."""

from __future__ import annotations

import io
import os
import re
import signal
import threading
import time

import pytest

from analysis.batch import runner
from analysis.batch.cluster import Cluster
from analysis.core.errors import ParameterError

pytestmark = pytest.mark.slow

_PROVENANCE = re.compile(r'<footer class="analysis-footer" id="provenance">.*?</footer>', re.S)
# Printed text: a cell writing to both stdout and stderr gets them in either order (Jupyter's two
# streams race in any kernel, pool or cluster), so printed blocks are compared as a set of lines.
_PRINTED = re.compile(r"<pre>(.*?)</pre>", re.S)


def _page(root, name) -> str:
    """A report's page without its provenance footer (times differ between runs) and its project folder."""
    text = _PROVENANCE.sub("", (root / "reports" / name).read_text(encoding="utf-8")).replace(str(root), "ROOT")
    printed = sorted(line for block in _PRINTED.findall(text) for line in block.splitlines() if line.strip())
    # Without the printed blocks and the output areas' <div> boxes (one box per stream, or one for both).
    rest = re.sub(r"</?div[^>]*>", "", _PRINTED.sub("", text))
    return [line for line in rest.splitlines() if line.strip()], printed


def _built(result) -> dict[str, str]:
    return {o.report.name: o.status for o in result.outcomes}


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """The fixture project built twice: on the local pool and on a LocalCluster of 2 worker processes."""
    from conftest import FIXTURES, write_tiny_data

    out = {}
    for how in ("pool", "cluster"):
        root = tmp_path_factory.mktemp(how)
        write_tiny_data(root / "data" / "raw")
        text = (FIXTURES / "batch" / "reports.yml").read_text().replace("{fixtures}", str(FIXTURES / "batch"))
        config = root / "reports.yml"
        config.write_text(text.replace('"{delay}"', "0.0"))
        log = io.StringIO()
        result = runner.run(config, jobs=2, out=log, cluster="local" if how == "cluster" else None)
        out[how] = (root, result, log.getvalue())
    return out


def test_cluster_builds_the_same_reports_as_the_pool(runs):
    (pool_root, pool, _), (cluster_root, cluster, log) = runs["pool"], runs["cluster"]
    assert "Dask cluster" in log and "2 workers, 2 threads" in log
    assert _built(cluster) == _built(pool) and "built" in _built(cluster).values()
    for o in pool.outcomes:
        if o.status == "built":
            name = o.html
            assert _page(cluster_root, name) == _page(pool_root, name), name
            figures = sorted(p.name for p in (pool_root / "reports" / "figures" / o.report.name).iterdir())
            assert figures == sorted(p.name for p in (cluster_root / "reports" / "figures" / o.report.name).iterdir())
    for name in ("key_figures.csv",):
        assert (cluster_root / "reports" / name).read_bytes() == (pool_root / "reports" / name).read_bytes()
    assert not (cluster_root / "reports" / ".staging").exists()


def test_a_failing_report_on_a_worker_is_named_with_notebook_parameters_and_cell(runs):
    _, cluster, log = runs["cluster"]
    failed = cluster.failed
    assert [o.report.name for o in failed] == ["broken"]
    assert failed[0].error["cell_index"] == 4 and failed[0].error["ename"] == "ValueError"
    assert "FAILED failing.ipynb [broken; parameters: defaults]: cell 4 (In [" in log
    assert failed[0].failed_notebook is not None and failed[0].failed_notebook.exists()


def test_the_client_keeps_the_state_a_second_run_skips_everything(runs):
    root, _, _ = runs["cluster"]
    log = io.StringIO()
    again = runner.run(root / "reports.yml", jobs=2, out=log, cluster="local")
    statuses = _built(again)
    assert statuses["county"] == "skipped" and statuses["clean"] == "skipped"
    assert "failed" in statuses.values()  # the broken report is run again, and fails again


def test_a_bad_cluster_address_is_a_clear_error():
    with pytest.raises(ParameterError, match="--cluster nowhere"):
        Cluster("nowhere")


def test_killing_a_worker_mid_report_fails_only_that_task_and_it_is_retried(batch_project, tmp_path):
    # Long enough that the worker is killed while the notebook still waits, even on a loaded machine; the
    # retry's wait ends as soon as the test writes the release file (the fixture report's delay cell).
    config = batch_project(tmp_path, delay=120.0)
    cluster = Cluster("local", workers=2, fork=False)
    log = io.StringIO()
    box = {}
    thread = threading.Thread(
        target=lambda: box.setdefault("result", runner.run(config, jobs=2, out=log, cluster=cluster, only=["county"]))
    )
    thread.start()
    try:
        # Wait until the county notebook's slow cell has started on a worker (the fixture writes
        # "executing" into its staging folder), then kill the process of the worker running it.
        deadline = time.monotonic() + 900  # cleaning and the cluster's start come first; slow when loaded
        victim = None
        while victim is None and time.monotonic() < deadline and thread.is_alive():
            if list((tmp_path / "reports" / ".staging").glob("*/county/executing")):
                processing = cluster.client.processing()
                victim = next((w for w, keys in processing.items() if any("run_report" in k for k in keys)), None)
            if victim is None:
                time.sleep(0.05)
        assert victim is not None, "the report never started on a worker"
        pid = cluster.client.run(os.getpid, workers=[victim])[victim]
        os.kill(pid, signal.SIGKILL)
    finally:
        (tmp_path / "data" / "release").write_text("the worker is killed: the retry need not wait")
        thread.join(timeout=300)
    result = box["result"]
    assert _built(result)["county"] == "built" and not result.failed, log.getvalue()
    assert (tmp_path / "reports" / "county.html").exists()
