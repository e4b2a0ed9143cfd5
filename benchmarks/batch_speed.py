"""How fast is `make reports`?  Prints the issue's two figures, measured in one run of this script.

(a) wall time of the full batch (`run --force --jobs 2`, cleaning included) on the demo data, and the
    sum of the cell execution times papermill recorded; target wall / sum <= 1.0.
(b) wall time of the same batch on `demo-data --scale 100`; target wall(x100) / wall(x1) <= 3,
    peak memory (PSS of the whole process tree, sampled every 0.5 s) <= 4 GB.
(c) with --languages: the x1 batch in both languages (what `make reports` builds) against the same
    batch in one language (`--lang zh`), each run --repeat times, alternating; target ratio of the
    median walls <= 2.0.
(d) with --cluster: the x1 batch on `run --cluster local` (a Dask LocalCluster of --jobs worker
    processes, one thread each) against the in-process pool (the default), each run --repeat times,
    alternating, same --jobs; target ratio of the median walls <= 1.10 (issue 13's (d)).

Each batch runs in a fresh tmp folder (its own raw data, processed data and reports), through the
command line, as a user would run it; the repository's reports.yml and notebooks are used.

    .venv/bin/python benchmarks/batch_speed.py [--jobs 2] [--scale 100] [--skip-b] [--keep DIR]
    .venv/bin/python benchmarks/batch_speed.py --languages [--repeat 3]
    .venv/bin/python benchmarks/batch_speed.py --cluster [--repeat 3] [--lang zh]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from analysis.core import paths  # noqa: E402


def tree_memory(pid: int) -> tuple[int, int]:
    """(total, largest single process) memory of a process and all its descendants, in bytes.

    PSS (proportional set size: a page shared by k processes counts 1/k in each), so the kernels
    forked from one zygote do not each count the pages they share with it; RSS where PSS is not
    readable.
    """
    import psutil

    try:
        proc = psutil.Process(pid)
        procs = [proc, *proc.children(recursive=True)]
    except psutil.Error:
        return 0, 0
    total = largest = 0
    for p in procs:
        try:
            try:
                size = p.memory_full_info().pss
            except (psutil.AccessDenied, AttributeError):
                size = p.memory_info().rss
        except psutil.Error:
            continue
        total += size
        largest = max(largest, size)
    return total, largest


def run_batch(
    workdir: Path,
    raw: Path,
    jobs: int,
    config_path: Path = paths.REPORTS_CONFIG,
    extra: dict | None = None,
    run_args: tuple[str, ...] = (),
) -> dict:
    """One full batch (clean + every report, --force) in ``workdir``; wall time, cell times, peak memory.

    ``run_args``: more options of ``python -m analysis run`` (``--lang zh``).
    """
    config = yaml.safe_load(config_path.read_text(encoding="utf-8"))
    config.update(extra or {})
    config["reports_dir"] = str(workdir / "reports")
    config["data_dir"] = str(workdir / "data")
    for entry in [config.get("clean")] + list(config.get("reports") or []):
        if entry:
            entry["notebook"] = str((config_path.parent / entry["notebook"]).resolve())
    (workdir / "data").mkdir(parents=True, exist_ok=True)
    if raw != workdir / "data" / "raw":
        shutil.copytree(raw, workdir / "data" / "raw")
    cfg = workdir / "reports.yml"
    cfg.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    cmd = [sys.executable, "-m", "analysis", "run", "--config", str(cfg), "--force", "--jobs", str(jobs), *run_args]
    env = {**os.environ, "ANALYSIS_DATA_DIR": str(workdir / "data")}
    peak = peak_one = 0
    t0 = time.perf_counter()
    with open(workdir / "run.log", "w") as log:
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=ROOT)
        stop = threading.Event()

        def sample():
            nonlocal peak, peak_one
            while not stop.is_set():
                total, largest = tree_memory(proc.pid)
                peak, peak_one = max(peak, total), max(peak_one, largest)
                stop.wait(0.5)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        rc = proc.wait()
        stop.set()
        sampler.join()
    wall = time.perf_counter() - t0
    # A province's county reports keep their state under reports/<county>/.state.
    states = [json.loads(p.read_text()) for p in (workdir / "reports").glob("**/.state/*.json")]
    rows = sorted(
        (
            (s["provenance"].get("report", "?"), s.get("seconds", 0.0), s.get("cell_seconds", 0.0), s["status"])
            for s in states
            if s.get("provenance")
        ),
        key=lambda r: -r[1],
    )
    sweep_sizes = {}
    try:
        from analysis.batch.schema import ALLOWED_SOURCES

        for entry in config.get("reports") or []:
            for source in (entry.get("sweep") or {}).values():
                if isinstance(source, str):
                    sweep_sizes[source] = len(ALLOWED_SOURCES[source](workdir / "data" / "processed"))
    except Exception:
        pass
    return {
        "rc": rc,
        "wall": wall,
        "sweep_sizes": sweep_sizes,
        "cells": sum(r[2] for r in rows),
        "per_report": rows,
        "peak_bytes": peak,
        "peak_one_bytes": peak_one,
        "reports": len(rows),
        "log": workdir / "run.log",
    }


def demo_data(out: Path, scale: int, counties: int = 0) -> float:
    """``demo-data --scale N`` (one county's exports), or ``--counties K`` (a province of K county folders)."""
    t0 = time.perf_counter()
    size = ["--counties", str(counties)] if counties else ["--scale", str(scale)]
    subprocess.run(
        [sys.executable, "-m", "analysis", "demo-data", *size, "--out", str(out)],
        check=True,
        stdout=subprocess.DEVNULL,
        cwd=ROOT,
    )
    return time.perf_counter() - t0


def describe(label: str, r: dict) -> None:
    print(f"\n== {label}: exit code {r['rc']}, {r['reports']} notebooks, log {r['log']}")
    print(f"{'report':<40} {'wall s':>8} {'cells s':>8} {'overhead s':>10}")
    for name, secs, cells, status in r["per_report"]:
        print(f"{name:<40} {secs:>8.1f} {cells:>8.1f} {secs - cells:>10.1f}  {status}")
    print(
        f"batch wall {r['wall']:.1f} s; sum of cell times {r['cells']:.1f} s; "
        f"peak memory {r['peak_bytes'] / 2**30:.2f} GB (PSS of the process tree; largest process "
        f"{r['peak_one_bytes'] / 2**30:.2f} GB)"
    )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--scale", type=int, default=100)
    ap.add_argument("--skip-b", action="store_true", help="only (a)")
    ap.add_argument("--keep", help="keep the work folders here (default: a deleted tmp folder)")
    ap.add_argument(
        "--config", default=str(paths.REPORTS_CONFIG), help="reports.yml to run (default: the repository's)"
    )
    ap.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=YAML",
        help="override a top-level key of the configuration, e.g. prestart=false or preload=[pandas]",
    )
    ap.add_argument("--languages", action="store_true", help="(c) only: both languages against one")
    ap.add_argument("--repeat", type=int, default=3, help="(c), (d): runs of each, alternating (default 3)")
    ap.add_argument("--cluster", action="store_true", help="(d) only: LocalCluster against the local pool")
    ap.add_argument("--lang", default=None, help="(d): build one language only (both runs alike)")
    ap.add_argument(
        "--counties",
        type=int,
        default=0,
        help="(d): run both on a demo province of K counties (the cluster's start-up spread over K x 62 reports)",
    )
    args = ap.parse_args()
    base = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="batch-bench-"))
    base.mkdir(parents=True, exist_ok=True)
    if args.languages or args.cluster:
        try:
            return languages(base, args) if args.languages else cluster_overhead(base, args)
        finally:
            if not args.keep:
                shutil.rmtree(base, ignore_errors=True)
    try:
        x1 = base / "x1"
        shutil.rmtree(x1, ignore_errors=True)
        (x1 / "data").mkdir(parents=True)
        demo_data(x1 / "data" / "raw", 1)
        config_path = Path(args.config).resolve()
        extra = {k: yaml.safe_load(v) for k, v in (kv.split("=", 1) for kv in args.set)}
        a = run_batch(x1, x1 / "data" / "raw", args.jobs, config_path, extra)
        describe("x1 (demo data)", a)
        b = None
        if not args.skip_b:
            xs = base / f"x{args.scale}"
            shutil.rmtree(xs, ignore_errors=True)
            (xs / "data").mkdir(parents=True)
            gen = demo_data(xs / "data" / "raw", args.scale)
            print(f"\n(demo-data --scale {args.scale} took {gen:.1f} s, not counted)")
            # The x100 data is a province of 100 counties: 600 districts.  A sweep over all of them
            # would run 100 times as many reports; (b) is about data volume, so the x100 batch runs
            # the same number of reports as x1 (each sweep limited to as many values as at x1).
            limit = max(a["sweep_sizes"].values(), default=None)
            b_extra = {"sweep_limit": limit, **extra} if limit else extra
            print(f"(b) runs each sweep over its first {limit} values, as many as at x1")
            b = run_batch(xs, xs / "data" / "raw", args.jobs, config_path, b_extra)
            describe(f"x{args.scale}", b)
        print("\n== figures")
        ratio_a = a["wall"] / a["cells"] if a["cells"] else float("nan")
        print(
            f"(a) jobs={args.jobs}: wall {a['wall']:.1f} s / sum of cell times {a['cells']:.1f} s = {ratio_a:.2f} "
            f"(target <= 1.0: {'met' if ratio_a <= 1.0 else 'MISSED'})"
        )
        if b:
            ratio_b = b["wall"] / a["wall"]
            peak = max(a["peak_bytes"], b["peak_bytes"]) / 2**30
            print(
                f"(b) wall x{args.scale} {b['wall']:.1f} s / wall x1 {a['wall']:.1f} s = {ratio_b:.2f} "
                f"(target <= 3: {'met' if ratio_b <= 3 else 'MISSED'}); peak memory {peak:.2f} GB "
                f"(target <= 4: {'met' if peak <= 4 else 'MISSED'})"
            )
        return 0 if a["rc"] == 0 and (b is None or b["rc"] == 0) else 1
    finally:
        if not args.keep:
            shutil.rmtree(base, ignore_errors=True)


def languages(base: Path, args: argparse.Namespace) -> int:
    """(c): the x1 batch in every language against one language, alternating to share the machine's load."""
    import statistics

    raw = base / "raw"
    demo_data(raw, 1)
    config_path = Path(args.config).resolve()
    walls: dict[str, list[float]] = {"one": [], "both": []}
    cells: dict[str, list[float]] = {"one": [], "both": []}
    rc = 0
    for i in range(args.repeat):
        for label, run_args in (("one", ("--lang", "zh")), ("both", ())):
            work = base / f"{label}-{i}"
            shutil.rmtree(work, ignore_errors=True)
            r = run_batch(work, raw, args.jobs, config_path, None, run_args)
            rc |= r["rc"]
            walls[label].append(r["wall"])
            cells[label].append(r["cells"])
            print(
                f"{label:>4} language(s), run {i + 1}: {r['reports']} reports, wall {r['wall']:.1f} s, "
                f"cells {r['cells']:.1f} s, exit {r['rc']}",
                flush=True,
            )
    one, both = statistics.median(walls["one"]), statistics.median(walls["both"])
    ratio = both / one
    print("\n== figures")
    print(
        f"(c) jobs={args.jobs}: median wall, both languages {both:.1f} s / one language {one:.1f} s = {ratio:.2f} "
        f"(target <= 2.0: {'met' if ratio <= 2.0 else 'MISSED'}); cell time {statistics.median(cells['both']):.1f} s "
        f"/ {statistics.median(cells['one']):.1f} s"
    )
    return rc


def cluster_overhead(base: Path, args: argparse.Namespace) -> int:
    """(d): the x1 batch (or a --counties K province) on a Dask LocalCluster against the in-process pool,
    alternating, same jobs; also the cluster's extra wall per report (the start-up included)."""
    import statistics

    raw = base / "raw"
    demo_data(raw, 1, args.counties)
    config_path = Path(args.config).resolve()
    lang = ("--lang", args.lang) if args.lang else ()
    walls: dict[str, list[float]] = {"pool": [], "cluster": []}
    reports = 0
    rc = 0
    for i in range(args.repeat):
        for label, run_args in (("pool", lang), ("cluster", (*lang, "--cluster", "local"))):
            work = base / f"{label}-{i}"
            shutil.rmtree(work, ignore_errors=True)
            r = run_batch(work, raw, args.jobs, config_path, None, run_args)
            reports = r["reports"]
            rc |= r["rc"]
            walls[label].append(r["wall"])
            print(
                f"{label:>7}, run {i + 1}: {r['reports']} reports, wall {r['wall']:.1f} s, cells {r['cells']:.1f} s, "
                f"peak {r['peak_bytes'] / 2**30:.2f} GB, exit {r['rc']}",
                flush=True,
            )
    pool, cluster = statistics.median(walls["pool"]), statistics.median(walls["cluster"])
    ratio = cluster / pool
    where = f"a province of {args.counties} counties" if args.counties else "one county"
    print("\n== figures")
    print(
        f"(d) jobs={args.jobs}, {where}: median wall, LocalCluster {cluster:.1f} s / local pool {pool:.1f} s = "
        f"{ratio:.2f} (target <= 1.10: {'met' if ratio <= 1.10 else 'MISSED'}); the cluster's extra wall "
        f"{cluster - pool:.1f} s over {reports} reports"
    )
    return rc


if __name__ == "__main__":
    raise SystemExit(main())
