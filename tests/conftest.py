"""Session set-up shared by the whole suite.

- Notebook tests (nbval items from notebooks/*.ipynb, tests marked ``slow`` or ``needs_processed``) need data/processed:
  it is (re)built once per session from data/raw with ``clean_and_compute`` (what ``python -m analysis
  clean`` runs) unless ``processed_freshness`` (the rule the batch runner uses) finds it current.
- tests/fixtures/ holds fixture notebooks (one made to fail on purpose): never collected by nbval.
- ``batch_project`` builds a tiny project (fixture notebooks, reports.yml, data) in a tmp folder.
- ``demo_batch`` runs the real batch once per session on a copy of the demo raw data; it keeps each
  report's executed notebook, so a test of a notebook at its defaults (or at a sweep's value) reads
  that execution instead of running the notebook again (issue 14: each notebook once per run).
- ``demo_province``: ``demo-data --counties 3`` cleaned as a province, once per run, for the province tests.
- nbval's cell items read that execution too (tests/nbval_batch.py): nbval's rules on the batch's
  outputs, no second kernel; ``NBVAL_EXECUTE=1`` makes nbval execute the notebooks itself.
- A notebook a test executes at other parameters runs on a kernel forked from one zygote per test
  process (tests/forked_kernels.py), as the batch's reports do: not a fresh kernel importing everything.
- Every test runs in English unless it switches language itself (the reports default to Chinese).
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest

import forked_kernels
import nbval_batch
from analysis.core import paths

# Skips CI may not have (the browser test, the R checks): named in the summary line, failures under CI=true.
from ci_rules import pytest_report_teststatus, pytest_runtest_makereport  # noqa: F401

FIXTURES = Path(__file__).resolve().parent / "fixtures"
collect_ignore_glob = ["fixtures/*"]


def ensure_processed() -> None:
    """Build data/processed from data/raw unless it is current (once per session, once across xdist workers)."""
    import fcntl
    import hashlib
    import tempfile

    from analysis.batch.command import clean_and_compute
    from analysis.batch.provenance import processed_freshness

    # Under pytest-xdist every worker gets here: the first cleans, the others wait and find it current.
    digest = hashlib.sha256(str(paths.PROCESSED.resolve()).encode()).hexdigest()[:16]
    with open(Path(tempfile.gettempdir()) / f"analysis-tests-clean-{digest}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        freshness = processed_freshness(paths.RAW, paths.PROCESSED)
        if freshness.current:
            return
        print(f"\nconftest: cleaning {paths.RAW} into {paths.PROCESSED} ({freshness.reason})", file=sys.stderr)
        clean_and_compute(paths.RAW, paths.PROCESSED)


def _needs_data(item: pytest.Item) -> bool:
    if str(getattr(item, "path", "")).endswith(".ipynb"):
        return True
    return any(item.get_closest_marker(m) is not None for m in ("slow", "needs_processed"))


@pytest.hookimpl(tryfirst=True)
def pytest_runtestloop(session):
    # After collection and deselection: clean only when a selected test executes a notebook (not under --collect-only).
    if not session.config.option.collectonly and any(_needs_data(item) for item in session.items):
        ensure_processed()


@pytest.fixture(autouse=True)
def english_unless_the_test_says_otherwise():
    """Unit tests read English (the message ids); a test of the Chinese text says so with language.using("zh").

    The reports' default language is Chinese (``core.language.DEFAULT``); tests/core/test_text.py
    and tests/i18n check both.
    """
    from analysis.core import language

    with language.using("en"):
        yield


def uses_demo_batch(item: pytest.Item) -> bool:
    """A test of the demo batch, or an nbval cell (it reads the batch's execution: tests/nbval_batch.py)."""
    return type(item).__name__ == "IPyNbCell" or "demo_batch" in getattr(item, "fixturenames", ())


def pytest_collection_modifyitems(config, items):
    """pytest-randomly shuffles the tests; the demo batch's group first; a notebook's nbval cells in their order.

    The tests that read the demo batch come first (in randomly's order), so the batch, the longest
    piece, starts at once.  Under pytest-xdist (``make test``: ``-n 2 --dist loadfile``, a file's tests on
    one worker, so a module-scoped fixture is built once) the first worker asking builds the batch and
    a second one waits for it (``build_demo_batch``); the batch itself runs two kernels at a time.
    nbval items have no Python module, so randomly shuffles them as one group; cells depend on the
    cells above them (with nbval_batch they read the batch's execution, but keep nbval's order).
    Notebooks keep randomly's order among themselves.  After the demo batch's group, the files that take
    tens of seconds (``HEAVY_FIRST``) start before the many short ones, so no long file is left running
    alone at the end while the other worker idles (``make test`` passes ``--no-loadscope-reorder``:
    xdist then hands out the files in this order, not by their number of tests).
    """
    items[:] = [i for i in items if uses_demo_batch(i)] + [i for i in items if not uses_demo_batch(i)]
    cells = [i for i in items if type(i).__name__ == "IPyNbCell"]
    if not cells:
        return
    nbval_batch.attach(cells, lambda: build_demo_batch(config._tmp_path_factory))
    notebooks = {nb: n for n, nb in enumerate(dict.fromkeys(i.parent.nodeid for i in cells))}
    cells.sort(key=lambda i: (notebooks[i.parent.nodeid], i.cell_num))
    tests = [i for i in items if type(i).__name__ != "IPyNbCell"]
    n_demo = sum(uses_demo_batch(i) for i in tests)
    rest = sorted(tests[n_demo:], key=_heavy_rank)  # stable: randomly's order within each rank
    items[:] = tests[:n_demo] + cells + rest


# The test files that take longest apart from the demo batch's group (pytest --durations), longest first.
HEAVY_FIRST = (
    "test_cleaning_properties.py",
    "test_province_batch.py",
    "test_pii_reports.py",
    "test_batch_runner.py",
    "test_cluster.py",
    "test_nbval_batch.py",
    "test_province_comparison.py",
    "test_layout.py",
    "test_campaigns.py",
    "test_training.py",
    "test_province.py",
    "test_batch_languages.py",
)


def _heavy_rank(item: pytest.Item) -> int:
    name = Path(str(getattr(item, "path", ""))).name
    return HEAVY_FIRST.index(name) if name in HEAVY_FIRST else len(HEAVY_FIRST)


def pytest_sessionfinish(session):
    forked_kernels.close()  # the notebook tests' kernels and zygote


def pytest_configure(config):
    config.addinivalue_line("markers", "needs_processed: needs data/processed built from data/raw")
    config.addinivalue_line("markers", "needs_r: runs R (Rscript with r-cran-survey, r-cran-survival)")


# --------------------------------------------------------------------------- batch fixtures
TINY_DISTRICTS = ["Anyi", "Xi'anfeng"]
TINY_UNITS = ["Anyi Police Station", "Traffic Brigade", "Xi'anfeng Police Station"]


def write_tiny_data(folder: Path) -> None:
    """The two data sets the parameter schema looks values up in, key figures, a manifest and the demo marker."""
    import pandas as pd

    folder.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(
        {
            "district": TINY_DISTRICTS * 2,
            "age_band": ["18-29"] * 4,
            "sex": ["M", "M", "F", "F"],
            "population": [10, 20, 30, 40],
        }
    ).to_parquet(folder / "population_margins.parquet")
    pd.DataFrame({"officer_id": ["o1", "o2", "o3"], "unit": TINY_UNITS}).to_parquet(folder / "officer_roster.parquet")
    (folder / paths.MANIFEST).write_text(json.dumps({"synthetic": True}), encoding="utf-8")
    (folder / paths.KEY_FIGURES).write_text("id,value\nfixture,1\n", encoding="utf-8")
    (folder / paths.SYNTHETIC_MARKER).write_text("fixture data\n", encoding="utf-8")


@pytest.fixture
def batch_project(tmp_path):
    """A tmp project: reports.yml pointing at the fixture notebooks, data/raw and data/processed."""

    def make(root: Path = tmp_path, *, delay: float = 0.0, processed: bool = True) -> Path:
        write_tiny_data(root / "data" / "raw")
        if processed:
            write_tiny_data(root / "data" / "processed")
        text = (FIXTURES / "batch" / "reports.yml").read_text(encoding="utf-8")
        text = text.replace("{fixtures}", str(FIXTURES / "batch")).replace('"{delay}"', str(delay))
        config = root / "reports.yml"
        config.write_text(text, encoding="utf-8")
        return config

    return make


@pytest.fixture(scope="session")
def demo_batch(tmp_path_factory):
    """The real batch, once per session, on a copy of the committed demo raw data.

    Returns a namespace: root, config, reports (folder), result (RunResult), log (text).  Uses the
    repository's reports.yml and notebooks; data and reports go to a tmp folder so the analyst's
    data/ and reports/ are not touched.
    """
    batch = build_demo_batch(tmp_path_factory)
    if batch is None:
        pytest.skip("no demo raw data in data/raw")
    return batch


_DEMO_BATCH: list = []  # the one demo batch of this session (built by the first test or nbval notebook asking)


def build_demo_batch(tmp_path_factory):
    """The demo batch of ``demo_batch``, run on first use (``built_once``: one for all xdist workers);
    None where data/raw holds no demo data."""
    if _DEMO_BATCH:
        return _DEMO_BATCH[0]
    if not (paths.RAW / paths.SYNTHETIC_MARKER).exists():
        return None
    root, (result, text) = built_once(tmp_path_factory, "demo_batch", _run_demo_batch)
    _DEMO_BATCH.append(_namespace(root, result, text))
    return _DEMO_BATCH[0]


def built_once(tmp_path_factory, name: str, build):
    """``build(root)``'s result, built once per run in ``<run tmp>/<name>``: (root, result).

    Under pytest-xdist the workers share it: it is built in the run's common tmp folder (the parent of
    the workers' own) under a file lock by the first worker asking; the others wait on the lock and
    read the pickled result.  Whoever uses it must not change what is under ``root``.
    """
    import fcntl
    import os
    import pickle

    base = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        base = base.parent  # the run's folder, shared by its workers
    root = base / name
    with open(base / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        done = base / f"{name}.pickle"
        if done.exists():
            return root, pickle.loads(done.read_bytes())
        shutil.rmtree(root, ignore_errors=True)  # a worker that died half-way
        result = build(root)
        done.write_bytes(pickle.dumps(result))
        return root, result


def _run_demo_batch(root: Path):
    from analysis.batch import runner

    root.mkdir(parents=True)
    shutil.copytree(paths.RAW, root / "data" / "raw")
    cfg_path = write_config_copy(root)
    log = root / "run.log"
    with open(log, "w", encoding="utf-8") as out:
        result = runner.run(cfg_path, jobs=2, force=True, out=out, keep_executed=root / "executed")
    return result, log.read_text(encoding="utf-8")


def _namespace(root: Path, result, text: str):
    from types import SimpleNamespace

    def executed(name: str):
        """The batch's executed notebook of report ``name`` (``fitness.en``, ``survey--anyi.en``)."""
        import nbformat

        path = root / "executed" / f"{name}.ipynb"
        assert path.exists(), f"the demo batch built no report {name}:\n{text[-3000:]}"
        return nbformat.read(path, as_version=4)

    return SimpleNamespace(
        root=root,
        config=root / "reports.yml",
        reports=root / "reports",
        raw=root / "data" / "raw",
        processed=root / "data" / "processed",
        result=result,
        log=text,
        executed=executed,
        figures=lambda name: root / "reports" / "figures" / name,
    )


@pytest.fixture(scope="session")
def demo_province(tmp_path_factory):
    """``demo-data --counties 3`` (baoying = the demo, gaoyou, yizheng = the low outlier), cleaned as
    ``python -m analysis clean`` cleans a province: once per run, shared by the province tests.

    A namespace: raw (the county folders), processed (the province's root: county=<slug>/ partitions and
    the province manifest) and key_figures (the province's, a county column first).  Read only.
    """
    root, key_figures = built_once(tmp_path_factory, "demo_province", _build_demo_province)
    from types import SimpleNamespace

    return SimpleNamespace(raw=root / "raw", processed=root / "processed", key_figures=key_figures)


def _build_demo_province(root: Path):
    from analysis.batch.command import clean_province_and_compute
    from analysis.demo import write_demo_data

    write_demo_data(root / "raw", seed=2004, counties=3)
    cleaned = clean_province_and_compute(root / "raw", root / "processed", jobs=1)
    assert not cleaned.clean.failed, cleaned.summary_text()
    return cleaned.key_figures


def write_config_copy(root: Path) -> Path:
    """The repository's reports.yml with data and reports moved under ``root`` (notebooks stay)."""
    import yaml

    config = yaml.safe_load(paths.REPORTS_CONFIG.read_text(encoding="utf-8"))
    config["reports_dir"] = str(root / "reports")
    config["data_dir"] = str(root / "data")
    for entry in [config.get("clean")] + list(config.get("reports") or []):
        if entry:
            entry["notebook"] = str((paths.REPORTS_CONFIG.parent / entry["notebook"]).resolve())
    cfg_path = root / "reports.yml"
    cfg_path.write_text(yaml.safe_dump(config, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return cfg_path
