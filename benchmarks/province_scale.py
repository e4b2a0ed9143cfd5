"""Does the cost grow linearly with counties?  Prints issue 13's (c), measured in one run of this script.

(c1) every report (both languages) of a province of K counties (`demo-data --counties K`, default 20)
     against the same batch on county 1 alone (its folder as one county's exports, the default
     layout): target wall(province) / (K x wall(county 1)) <= 1.1 on the same cores (`--jobs 2`).
     The counties differ in size, so the script also prints each county's sum of report times in
     the province run: K x county 1 is the denominator the issue names, the sum over counties is the
     one their sizes imply.
(c2) county 1's county-wide survey report, in the province run against alone: target <= 1.2x
     (the report reads only its county's partition and the weights cached for it).
(c3) cleaning a province of --clean-counties counties (default 100), `python -m analysis clean` (a
     pool of 2 processes, one county per task): peak memory of the process tree, target <= 4 GB.

Each batch runs through the command line in a fresh tmp folder, as `batch_speed.py` does (its
`run_batch`, PSS of the process tree sampled every 0.5 s).

    .venv/bin/python benchmarks/province_scale.py [--counties 20] [--clean-counties 100] [--skip-c1] [--skip-c3]
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

sys.path.insert(0, str(Path(__file__).resolve().parent))

from batch_speed import ROOT, run_batch, tree_memory  # noqa: E402


def province_data(out: Path, counties: int) -> float:
    t0 = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "analysis", "demo-data", "--counties", str(counties), "--out", str(out)],
        check=True,
        stdout=subprocess.DEVNULL,
        cwd=ROOT,
    )
    return time.perf_counter() - t0


def county_states(reports: Path) -> dict[str, dict[str, float]]:
    """{county folder: {report: seconds}} from the province run's per-county state (reports/<county>/.state)."""
    out: dict[str, dict[str, float]] = {}
    for state_dir in sorted(reports.glob("*/.state")):
        rows = {}
        for p in state_dir.glob("*.json"):
            s = json.loads(p.read_text())
            if s.get("provenance"):
                rows[s["provenance"].get("report", p.stem)] = float(s.get("seconds", 0.0))
        out[state_dir.parent.name] = rows
    return out


def one_state(reports: Path) -> dict[str, float]:
    rows = {}
    for p in (reports / ".state").glob("*.json"):
        s = json.loads(p.read_text())
        if s.get("provenance"):
            rows[s["provenance"].get("report", p.stem)] = float(s.get("seconds", 0.0))
    return rows


def clean_memory(raw: Path, processed: Path) -> tuple[int, float, int]:
    """Exit code, wall seconds and peak PSS (bytes) of `python -m analysis clean` on a province."""
    cmd = [sys.executable, "-m", "analysis", "clean", "--raw-dir", str(raw), "--processed-dir", str(processed)]
    peak = 0
    t0 = time.perf_counter()
    with open(processed.parent / "clean.log", "w") as log:
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT, env=dict(os.environ))
        stop = threading.Event()

        def sample():
            nonlocal peak
            while not stop.is_set():
                peak = max(peak, tree_memory(proc.pid)[0])
                stop.wait(0.5)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        rc = proc.wait()
        stop.set()
        sampler.join()
    return rc, time.perf_counter() - t0, peak


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--counties", type=int, default=20)
    ap.add_argument("--clean-counties", type=int, default=100)
    ap.add_argument("--skip-c1", action="store_true", help="no batch runs: (c3) only")
    ap.add_argument("--skip-c3", action="store_true", help="no 100-county cleaning")
    ap.add_argument("--keep", help="keep the work folders here (default: a deleted tmp folder)")
    args = ap.parse_args()
    base = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="province-bench-"))
    base.mkdir(parents=True, exist_ok=True)
    rc = 0
    figures = []
    try:
        if not args.skip_c1:
            raw = base / f"raw{args.counties}"
            shutil.rmtree(raw, ignore_errors=True)
            gen = province_data(raw, args.counties)
            print(f"(demo-data --counties {args.counties} took {gen:.1f} s, not counted)", flush=True)
            first = sorted(p for p in raw.iterdir() if p.is_dir())[0]
            alone = run_batch(base / "alone", first, args.jobs)
            print(
                f"county 1 alone ({first.name}): {alone['reports']} reports, wall {alone['wall']:.1f} s, "
                f"peak {alone['peak_bytes'] / 2**30:.2f} GB, exit {alone['rc']}",
                flush=True,
            )
            prov = run_batch(base / "province", raw, args.jobs)
            print(
                f"province of {args.counties}: wall {prov['wall']:.1f} s, peak {prov['peak_bytes'] / 2**30:.2f} GB, "
                f"exit {prov['rc']}",
                flush=True,
            )
            rc |= alone["rc"] | prov["rc"]
            states = county_states(base / "province" / "reports")
            solo = one_state(base / "alone" / "reports")
            solo_sum = sum(solo.values())
            print(f"\n{'county':<16} {'reports':>7} {'sum of report s':>16} {'x county 1 alone':>17}")
            for county, rows in states.items():
                print(f"{county:<16} {len(rows):>7} {sum(rows.values()):>16.1f} {sum(rows.values()) / solo_sum:>17.2f}")
            print(f"{'(county 1 alone)':<16} {len(solo):>7} {solo_sum:>16.1f}")
            k = args.counties
            ratio = prov["wall"] / (k * alone["wall"])
            size = sum(sum(r.values()) for r in states.values()) / solo_sum
            figures.append(
                f"(c) wall, province of {k} {prov['wall']:.1f} s / ({k} x county 1 alone {alone['wall']:.1f} s) = "
                f"{ratio:.2f} (target <= 1.1: {'met' if ratio <= 1.1 else 'MISSED'}); the counties' sizes "
                f"(sum of their report times / county 1's) make {size:.1f} county-1 equivalents: wall / "
                f"({size:.1f} x {alone['wall']:.1f} s) = {prov['wall'] / (size * alone['wall']):.2f}"
            )
            survey = states.get(first.name, {}).get("survey")
            if survey is not None and solo.get("survey"):
                r2 = survey / solo["survey"]
                figures.append(
                    f"(c) county 1's survey report: {survey:.1f} s in the province / {solo['survey']:.1f} s alone = "
                    f"{r2:.2f} (target <= 1.2: {'met' if r2 <= 1.2 else 'MISSED'})"
                )
        if not args.skip_c3:
            raw = base / f"raw{args.clean_counties}"
            shutil.rmtree(raw, ignore_errors=True)
            gen = province_data(raw, args.clean_counties)
            print(f"(demo-data --counties {args.clean_counties} took {gen:.1f} s, not counted)", flush=True)
            work = base / "clean100"
            work.mkdir(exist_ok=True)
            code, wall, peak = clean_memory(raw, work / "processed")
            rc |= code
            figures.append(
                f"(c) cleaning {args.clean_counties} counties: exit {code}, wall {wall:.1f} s, peak memory "
                f"{peak / 2**30:.2f} GB (PSS of the process tree; target <= 4: "
                f"{'met' if peak <= 4 * 2**30 else 'MISSED'})"
            )
        print("\n== figures")
        print("\n".join(figures))
        return rc
    finally:
        if not args.keep:
            shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
