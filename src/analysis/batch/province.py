"""The batch on a province (``data/raw/<county>/`` folders, see ``data.layout``): clean every county, in
parallel, then build each county's reports, then the province's.

1. **Cleaning**: every county is a task (a process pool of ``--jobs``, or Dask tasks under
   ``--cluster``) writing ``data/processed/county=<slug>/``; the province switches in one step
   (``data.cleaning.clean_province``).  Skipped when every county's partition is current.  A county
   that fails is named (file, row, reason) and its reports are not built; the others go on.
2. **Each county's reports**: the reports.yml entries of scope ``county`` (the default), with their
   district and station sweeps, into ``reports/<slug>/`` (pages, figures, state, index), each run by a
   ``Runner`` whose raw and processed folders are the county's.  The county's cleaning report is built
   like the cleaning's twins: cleaning the county again into a scratch folder, its processed partition
   being written by step 1 only.  The counties run one after another, sharing one kernel pool, fork
   server or cluster; each county's reports run in parallel.
3. **The province's reports** (scope ``province``): once, with ``processed_dir`` = the province root,
   into ``reports/``; then ``reports/index.html``, the province page: its reports and the counties.
"""

from __future__ import annotations

import dataclasses
import json
import time
from pathlib import Path
from typing import Any, TextIO

from analysis.batch import provenance as prov
from analysis.batch.navigation import CountyTrail
from analysis.batch.outcomes import RunResult
from analysis.batch.runner import Runner
from analysis.batch.schema import Config
from analysis.core import paths
from analysis.data.layout import Layout


def province_freshness(layout: Layout, processed_root: Path) -> prov.Freshness:
    """Current when the province manifest lists exactly these counties, all cleaned, each partition current."""
    path = Path(processed_root) / paths.MANIFEST
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return prov.Freshness(False, f"{path}: not written yet")
    counties = manifest.get("counties") if isinstance(manifest, dict) else None
    if manifest.get("layout") != "province" or not isinstance(counties, dict):
        return prov.Freshness(False, f"{path}: not a province's manifest")
    if set(counties) != {c.slug for c in layout.counties}:
        return prov.Freshness(False, "the county folders changed")
    for c in layout.counties:
        if counties[c.slug].get("status") != "clean":
            return prov.Freshness(False, f"county {c.slug} was not cleaned last time")
        fresh = prov.processed_freshness(c.folder, c.processed_dir(processed_root))
        if not fresh.current:
            return prov.Freshness(False, f"county {c.slug}: {fresh.reason}")
    return prov.Freshness(True, "")


def run_province(
    cfg: Config,
    layout: Layout,
    *,
    out: TextIO,
    jobs: int | None = None,
    only: list[str] | None = None,
    force: bool = False,
    **runner_kwargs: Any,
) -> RunResult:
    """The whole batch on a province; ``runner_kwargs`` go to every ``Runner`` (overrides, execute, cluster...)."""
    from analysis.batch.command import clean_province_and_compute
    from analysis.core.errors import ParameterError

    t0 = time.monotonic()
    only = list(only or [])

    def say(text: str) -> None:
        print(text, file=out, flush=True)

    names = {e.name for e in cfg.all_entries()} | {e.notebook.stem for e in cfg.all_entries()}
    unknown = [n for n in only if n not in names and not any(n.startswith(f"{e.name}--") for e in cfg.entries)]
    if unknown:
        raise ParameterError(
            "\n".join(f"--only {n}: no such report (reports: {', '.join(sorted(names))})" for n in unknown)
        )

    cluster = runner_kwargs.pop("cluster", None)
    keep_executed = runner_kwargs.pop("keep_executed", None)
    root = cfg.processed_dir
    clean_names = {cfg.clean.name, cfg.clean.notebook.stem} if cfg.clean else set()
    fresh = province_freshness(layout, root)
    reclean = not fresh.current or (force and (not only or bool(clean_names & set(only))))
    if reclean:
        why = f" ({fresh.reason})" if not fresh.current else ""
        where = "on the Dask cluster" if cluster is not None else f"in up to {jobs or 'all'} processes"
        say(f"province: cleaning {len(layout.counties)} counties {where}{why}")
        executor = None
        if cluster is not None:
            cluster.start()
            executor = cluster.executor()
        cleaned = clean_province_and_compute(layout.raw_dir, root, jobs=jobs, executor=executor)
        say(cleaned.summary_text())
    else:
        say(f"province: {len(layout.counties)} counties, cleaned data current: cleaning skipped")
    manifest = json.loads((root / paths.MANIFEST).read_text(encoding="utf-8"))

    outcomes, missing, counties, failed_counties = [], [], [], []
    previous: Runner | None = None
    county_entries = cfg.scoped("county")
    try:
        for c in layout.counties:
            entry = manifest["counties"][c.slug]
            info = {"slug": c.slug, "name": c.name, "name_zh": c.name_zh, "status": entry["status"]}
            counties.append(info)
            if entry["status"] != "clean":
                info["error"] = entry.get("error")
                failed_counties.append(c.slug)
                say(f"county {c.slug}: NOT cleaned, its reports are not built: {entry.get('error')}")
                continue
            say(f"\ncounty {c.slug} ({c.name_zh}): its reports into {cfg.reports_dir / c.slug}")
            county_cfg = dataclasses.replace(
                cfg,
                entries=county_entries,
                raw_override=c.folder,
                processed_override=c.processed_dir(root),
                reports_dir=cfg.reports_dir / c.slug,
            )
            runner = Runner(
                county_cfg,
                jobs=jobs,
                only=only,
                force=force,
                out=out,
                county=CountyTrail(c.name, c.name_zh),
                clean_scratch=True,
                cluster=cluster,
                keep_executed=None if keep_executed is None else Path(keep_executed) / c.slug,
                **runner_kwargs,
            )
            runner.keep_helpers, runner.check_only = True, False
            if previous is not None:
                runner.take_helpers(previous)
            result = runner.run()
            previous = runner
            outcomes += result.outcomes
            missing += result.missing
            info["counts"] = _counts(result)

        province_entries = cfg.scoped("province")
        say(f"\nprovince: {len(province_entries)} province report(s) and the province page")
        province_cfg = dataclasses.replace(cfg, clean=None, entries=province_entries)
        runner = Runner(
            province_cfg,
            jobs=jobs,
            only=only,
            force=force,
            out=out,
            counties=counties,
            cluster=cluster,
            keep_executed=keep_executed,
            **runner_kwargs,
        )
        runner.keep_helpers, runner.check_only = True, False
        if previous is not None:
            runner.take_helpers(previous)
        previous = runner
        result = runner.run()
        outcomes += result.outcomes
        missing += result.missing
    finally:
        if previous is not None:
            previous.close_helpers()
        elif cluster is not None:
            cluster.close()
    seconds = time.monotonic() - t0
    built = sum(o.status == "built" for o in outcomes)
    failed = sum(o.status == "failed" for o in outcomes)
    say(
        f"\nprovince: {len(layout.counties) - len(failed_counties)} of {len(layout.counties)} counties cleaned; "
        f"{built} reports built, {failed} failed, in {seconds:.1f}s; index: {result.index}"
    )
    for slug in failed_counties:
        say(f"FAILED county {slug}: not cleaned, no reports (see {root / paths.MANIFEST})")
    return RunResult(outcomes, seconds, result.index, missing=missing, failed_counties=failed_counties)


def _counts(result: RunResult) -> dict[str, int]:
    counts: dict[str, int] = {}
    for o in result.outcomes:
        counts[o.status] = counts.get(o.status, 0) + 1
    return counts
