"""The batch run (``python -m analysis run``): clean, then execute and render every report of reports.yml.

Order of work:
1. read reports.yml, cast ``-p`` overrides, check every key, type and (when the processed data is
   there) every value against the data: all problems at once, before any kernel starts;
2. the cleaning notebook, alone (skipped when the processed data is current by
   ``provenance.processed_freshness`` and the notebook and its parameters are unchanged);
3. the analysis notebooks in parallel (``--jobs``), each skipped when its key is unchanged;
   each executed notebook is rendered to HTML in this process as soon as it finishes;
4. reports/index.html (and its twin per language), the methodology page, key_figures.csv, estimates.csv (every
   report's printed estimates), the brief
   as PDF (headless Chromium, where installed), a summary table; exit code 1 if any report failed
   or a configured notebook is missing.

Every report is built in every language of reports.yml's language parameter (``lang``: Chinese
first, with the plain file names; English twins carry ``.en``), unless ``-p lang=...`` asks for one.
The cleaning runs once, in the default language; its other-language twins re-run the cleaning
notebook into a scratch folder (so the processed data is written once and never while read).

Every file under reports/ is written with ``core.files`` (a temporary name, then ``os.replace``),
so an interrupted run leaves the previous reports as they were.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from pathlib import Path
from typing import Any, TextIO

from analysis.batch import provenance as prov
from analysis.batch.building import render_report, report_provenance
from analysis.batch.cluster import Cluster, ReportTask, run_report
from analysis.batch.execution import Execution, execute_notebook
from analysis.batch.navigation import CountyTrail, Site
from analysis.batch.outcomes import FAILED_DIR, Outcome, RunResult, missing_row
from analysis.batch.pool import KernelPool, kernel_manager_class
from analysis.batch.schema import (
    AllowedValues,
    Config,
    Report,
    check_entries,
    expand,
    load_config,
    notebook_parameters,
    parse_overrides,
)
from analysis.core import paths
from analysis.core.errors import ParameterError
from analysis.core.files import copy_atomic, publish_folder, sha256_file, tree_hashes, write_atomic
from analysis.stats import estimates

STATE_DIR = ".state"
STAGING_DIR = ".staging"
FIGURES_DIR = "figures"
HEARTBEAT_SECONDS = 15.0


def _fmt_elapsed(seconds: float) -> str:
    m, s = divmod(int(seconds), 60)
    return f"{m}:{s:02d}"


class Runner:
    """One batch run; see the module docstring.  ``execute`` is replaceable (tests)."""

    def __init__(
        self,
        config: Config,
        *,
        jobs: int | None = None,
        only: list[str] | None = None,
        force: bool = False,
        overrides: Mapping[str, Any] | None = None,
        out: TextIO | None = None,
        execute: Callable[..., Execution] | None = None,
        keep_executed: Path | None = None,
        cluster: Cluster | None = None,
        county: CountyTrail | None = None,
        clean_scratch: bool = False,
        counties: list[dict] | None = None,
    ):
        self.config = config
        # A province (batch.province): ``county`` names the county whose reports these are; its data
        # is cleaned already, so its cleaning report cleans into a scratch folder (``clean_scratch``).
        # ``counties``: the province's page, whose index lists the counties.  ``keep_helpers``: the
        # pool, fork server and cluster outlive this run (the next county's run takes them over).
        self.county = county
        self.clean_scratch = clean_scratch
        self.counties = counties
        self.keep_helpers = False
        self.check_only = True
        # A folder that receives each built report's executed notebook (<name>.ipynb): the tests read
        # the batch's execution instead of running the notebook once more.
        self.keep_executed = Path(keep_executed) if keep_executed is not None else None
        self.cluster = cluster  # None: the in-process pool; else reports run as Dask tasks (batch.cluster)
        self.jobs = max(1, jobs or os.cpu_count() or 1)
        self.only = list(only or [])
        self.force = force
        self.overrides = dict(overrides or {})
        self.out = out or sys.stdout
        self.execute = execute or execute_notebook
        self.reports_dir = config.reports_dir
        self.state_dir = self.reports_dir / STATE_DIR
        self.staging = self.reports_dir / STAGING_DIR / uuid.uuid4().hex[:12]
        self.started = prov.now_utc()
        self.t0 = time.monotonic()
        self._running: dict[str, float] = {}
        self._lock = threading.Lock()
        self._renderer = None
        self._warm = threading.Thread(target=self._warm_up, name="warm-up", daemon=True)
        self._run_prov: dict | None = None
        self.pool: KernelPool | None = None
        self.site: Site | None = None
        self._scratch_clean: set[str] = set()
        self.forkserver = None
        self._fork_dir: Path | None = None
        self.done = 0
        self.total = 0

    # -- output
    def say(self, text: str) -> None:
        print(text, file=self.out, flush=True)

    def progress(self, event: str) -> None:
        with self._lock:
            running = ", ".join(self._running) or "-"
        self.say(
            f"[{self.done}/{self.total}] {event} | running: {running} | elapsed "
            f"{_fmt_elapsed(time.monotonic() - self.t0)}"
        )

    # -- state
    def _state_path(self, name: str) -> Path:
        return self.state_dir / f"{name}.json"

    def load_state(self, name: str) -> dict:
        p = self._state_path(name)
        try:
            return json.loads(p.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}

    def save_state(self, name: str, state: Mapping[str, Any]) -> None:
        write_atomic(self._state_path(name), json.dumps(state, indent=1, default=str))

    # -- helpers
    def _warm_up(self) -> None:
        """Import papermill and build the HTML exporter while the main thread validates and cleans."""
        try:
            kernel_manager_class()  # papermill and the Jupyter stack, under the pool's import lock

            from analysis.batch.render import Renderer

            self._renderer = Renderer()
        except Exception:  # built again (and the error raised) where it is needed
            self._renderer = None

    @property
    def renderer(self):
        if self._warm.is_alive():
            self._warm.join()
        if self._renderer is None:
            from analysis.batch.render import Renderer

            self._renderer = Renderer()
        return self._renderer

    def banner(self) -> str | None:
        from analysis.data.processed import DEMO_BANNER, is_synthetic

        try:
            return DEMO_BANNER if is_synthetic(self.config.processed_dir) else None
        except Exception:
            return None

    def run_provenance(self) -> dict:
        if self._run_prov is None:
            self._run_prov = prov.run_provenance(self.config.processed_dir)
        return self._run_prov

    def figures_staging(self, report: Report) -> Path:
        """Where a report's figures are written: ``.../figures/<report name>``, the folder name the page links."""
        return self.staging / report.name / FIGURES_DIR / report.name

    def injected(self, report: Report, nb_params: Mapping[str, Any]) -> dict[str, Any]:
        """The path parameters the runner fills in, for those the notebook declares."""
        secondary_clean = report.name in self._scratch_clean
        where = {
            "raw": self.config.raw_dir,
            # ASSUMPTION(clean-twin-scratch): a cleaning report's other-language twins clean again into a scratch folder; data/processed is written once per run.
            "processed": self.staging / report.name / "processed" if secondary_clean else self.config.processed_dir,
            "figures": self.figures_staging(report),
        }
        return {
            spec.name: str(where[spec.injected])
            for spec in self.config.schema.values()
            if spec.injected and spec.name in nb_params
        }

    def selected(self, report: Report) -> bool:
        if not self.only:
            return True
        return any(n in (report.name, report.base, report.entry, report.notebook.stem) for n in self.only)

    # -- one report
    def _work(self, report: Report, params: dict, use_pool: bool = True) -> Execution:
        with self._lock:
            self._running[report.name] = time.monotonic()
        try:
            return self.execute(
                report.notebook,
                self.staging / report.name / f"{report.name}.ipynb",
                params,
                timeout=self.config.timeout,
                pool=self.pool if use_pool else None,
            )
        finally:
            with self._lock:
                self._running.pop(report.name, None)

    def _task(self, report: Report, params: dict, started: str) -> ReportTask:
        """One report as a Dask task: what its worker needs to execute and render it."""
        return ReportTask(
            report=report,
            output=self.staging / report.name / f"{report.name}.ipynb",
            parameters=params,
            timeout=self.config.timeout,
            page=self.site.page(report),
            run_provenance=self.run_provenance(),
            notebook_display=_display_path(report.notebook),
            started=started,
            banner=self.banner(),
            html=self.staging / report.name / report.html_name,
        )

    def _render(self, report: Report, ex: Execution, report_prov: dict) -> str | None:
        """The page's HTML, or None with ``ex.error`` set (see ``building.render_report``)."""
        return render_report(
            self.renderer, report, ex, page=self.site.page(report), provenance=report_prov, banner=self.banner()
        )

    def finish(self, report: Report, key: str, ex: Execution, started: str) -> Outcome:
        """Render and publish a finished execution (main thread), or file its failure."""
        previous = self.load_state(report.name)
        report_prov = report_provenance(self.run_provenance(), report, _display_path(report.notebook), started, ex)
        text = None
        if ex.error is None:  # rendered already where it ran (a Dask worker), or here
            text = ex.rendered.read_text(encoding="utf-8") if ex.rendered else self._render(report, ex, report_prov)
        if text is not None:
            write_atomic(self.reports_dir / report.html_name, text)
            publish_folder(self.figures_staging(report), self.reports_dir / FIGURES_DIR / report.name)
            if self.keep_executed is not None and ex.executed_path and Path(ex.executed_path).exists():
                self.keep_executed.mkdir(parents=True, exist_ok=True)
                copy_atomic(Path(ex.executed_path), self.keep_executed / f"{report.name}.ipynb")
            self.save_state(
                report.name,
                {
                    "key": key,
                    "status": "built",
                    "html": report.html_name,
                    "title": report.title,
                    "parameters": report.parameters,
                    "provenance": report_prov,
                    "seconds": ex.seconds,
                    "cell_seconds": ex.cell_seconds,
                },
            )
            return Outcome(report, "built", ex.seconds, ex.cell_seconds, html=report.html_name, provenance=report_prov)
        kept = None
        if ex.executed_path and Path(ex.executed_path).exists():
            kept = self.reports_dir / FAILED_DIR / f"{report.name}.ipynb"
            copy_atomic(Path(ex.executed_path), kept)
        old_html = (
            previous.get("html") if previous.get("html") and (self.reports_dir / previous["html"]).exists() else None
        )
        self.save_state(
            report.name,
            {
                "key": None,
                "status": "failed",
                "html": old_html,
                "title": report.title,
                "parameters": report.parameters,
                "provenance": previous.get("provenance", {}),
                "error": ex.error,
                "failed_notebook": str(kept) if kept else None,
            },
        )
        return Outcome(
            report,
            "failed",
            ex.seconds,
            ex.cell_seconds,
            error=ex.error,
            html=old_html,
            provenance=previous.get("provenance", {}),
            failed_notebook=kept,
        )

    def skip_or_none(self, report: Report, key: str, force: bool) -> Outcome | None:
        state = self.load_state(report.name)
        if (
            not force
            and state.get("status") == "built"
            and state.get("key") == key
            and state.get("html")
            and (self.reports_dir / state["html"]).exists()
        ):
            return Outcome(
                report,
                "skipped",
                html=state["html"],
                provenance=state.get("provenance", {}),
                cell_seconds=state.get("cell_seconds", 0.0),
            )
        return None

    # -- the run
    def run(self) -> RunResult:
        cfg = self.config
        nb_params: dict[str, Mapping[str, Any] | None] = {}
        for e in cfg.all_entries():
            nb_params[e.name] = notebook_parameters(e.notebook) if e.notebook.exists() else None
        errors = check_entries(cfg, self.overrides, nb_params)
        allowed = AllowedValues(cfg.processed_dir)
        # ASSUMPTION(values-after-clean): with no processed data yet (fresh clone) values are checked after cleaning, before any report.
        if allowed.available:
            errs, reports = expand(cfg, self.overrides, nb_params, allowed, include_clean=True)
            errors += errs
            errors += self._check_only(reports, cfg, data_known=True)
        if errors:
            raise ParameterError("\n".join(dict.fromkeys(errors)))

        missing = [e for e in cfg.all_entries() if nb_params[e.name] is None]
        for e in missing:
            self.say(f"error: report '{e.name}': notebook missing: {_display_path(e.notebook)}")

        self.reports_dir.mkdir(parents=True, exist_ok=True)
        shutil.rmtree(self.reports_dir / STAGING_DIR, ignore_errors=True)  # leftovers of an interrupted run
        self.staging.mkdir(parents=True, exist_ok=True)
        outcomes: list[Outcome] = []
        # The pages known before cleaning (sweeps need the data): enough for the cleaning report's frame.
        _, known = expand(cfg, self.overrides, nb_params, AllowedValues(None), include_clean=True)
        self.site = Site(cfg, known, county=self.county)
        cleans = [r for r in known if r.is_clean]
        try:
            clean_outcome = self._run_clean(cleans[0], nb_params) if cleans and not self.clean_scratch else None
            if clean_outcome is not None:
                outcomes.append(clean_outcome)
                if clean_outcome.status == "failed":
                    self.say("cleaning failed: the analysis reports were not run (previous reports kept)")
                    return self._finish_run(outcomes, [], missing, nb_params)
            if not (cfg.processed_dir / paths.MANIFEST).exists():
                raise ParameterError(
                    f"{cfg.processed_dir}: no processed data; run `python -m analysis clean` "
                    "or add the cleaning notebook to reports.yml"
                )
            self._publish_key_figures()
            errs, reports = expand(cfg, self.overrides, nb_params, AllowedValues(cfg.processed_dir))
            errs += self._check_only(reports, cfg, data_known=True)
            if errs:
                raise ParameterError("\n".join(dict.fromkeys(errs)))
            self.site = Site(cfg, cleans + reports, county=self.county)
            # The cleaning's other-language twins run with the reports, each cleaning into its own scratch folder
            # (a province's county: every language's, the county's data being cleaned already).
            scratch = cleans if self.clean_scratch else cleans[1:]
            self._scratch_clean = {r.name for r in scratch}
            outcomes += self._run_reports(scratch + reports, nb_params)
            return self._finish_run(outcomes, scratch + reports, missing, nb_params)
        finally:
            if not self.keep_helpers:
                self.close_helpers()
            shutil.rmtree(self.staging, ignore_errors=True)
            try:
                (self.reports_dir / STAGING_DIR).rmdir()
            except OSError:
                pass

    def take_helpers(self, other: Runner) -> None:
        """Use ``other``'s pool, fork server and cluster (a province's counties run one after another)."""
        self.pool, self.forkserver, self._fork_dir = other.pool, other.forkserver, other._fork_dir
        self.cluster = other.cluster if other.cluster is not None else self.cluster

    def close_helpers(self) -> None:
        """Stop the kernel pool, the fork server and the cluster this run used."""
        if self.pool is not None:
            self.pool.close()
        if self.forkserver is not None:
            self.forkserver.close()
            shutil.rmtree(self._fork_dir, ignore_errors=True)
        if self.cluster is not None:
            self.cluster.close()

    def _check_only(self, reports: list[Report], cfg: Config, *, data_known: bool) -> list[str]:
        if not self.check_only:  # a province's part: --only was checked against the whole configuration
            return []
        names = (
            {r.name for r in reports}
            | {e.name for e in cfg.all_entries()}
            | {e.notebook.stem for e in cfg.all_entries()}
        )
        return [
            f"--only {n}: no such report (reports: {', '.join(sorted(r.name for r in reports))})"
            for n in self.only
            if n not in names
        ]

    def _data_inputs(self) -> dict[str, str]:
        d = self.config.processed_dir
        # The survey weights cached beside the data are derived from it (keyed by its hashes): not an input.
        parquet = {
            k: v for k, v in tree_hashes(d, ("*.parquet",)).items() if paths.WEIGHTS_CACHE not in k.split("/")[:-1]
        }
        inputs = parquet | {p.name: sha256_file(p) for p in sorted(d.glob("*.csv"))}
        inputs["synthetic"] = str(self.banner() is not None)
        return inputs

    def _key(self, report: Report, inputs: Mapping[str, str]) -> str:
        """The cache key: a cleaning report's inputs are the raw exports, an analysis report's the processed data."""
        return prov.report_key(
            report.notebook, report.parameters, tree_hashes(self.config.raw_dir) if report.is_clean else inputs
        )

    def _run_clean(self, report: Report, nb_params) -> Outcome | None:
        """The cleaning, alone, in the first language asked for; the processed data is written here only."""
        cfg = self.config
        key = self._key(report, {})
        force = self.force and (not self.only or self.selected(report))
        self.total = 1
        freshness = prov.processed_freshness(cfg.raw_dir, cfg.processed_dir)
        skipped = self.skip_or_none(report, key, force) if freshness.current else None
        if skipped:
            self.done = 1
            self.progress(f"{report.name}: skipped (unchanged)")
            return skipped
        why = "" if freshness.current else f" ({freshness.reason})"
        self.progress(f"{report.name}: cleaning the raw data{why}")
        self._start_helpers()
        # While the cleaning runs on one core, boot the first analysis kernels on the others.
        upcoming = [str(e.notebook.parent) for e in cfg.entries if nb_params.get(e.name) is not None]
        if upcoming and self.execute is execute_notebook and cfg.prestart and self.cluster is None:
            self._pool().plan(upcoming[: self.jobs], ahead=self.jobs)
        params = {**report.parameters, **self.injected(report, nb_params[report.entry])}
        started = prov.now_utc()
        # A kernel of its own, started now: the forked kernels wait for the zygote's imports,
        # which run on the other core meanwhile.
        ex = self._work(report, params, use_pool=False)
        self._run_prov = None  # the manifest has changed
        outcome = self.finish(report, key, ex, started)
        self.done = 1
        self.progress(f"{report.name}: {outcome.status} in {ex.seconds:.1f}s")
        return outcome

    def _pool(self) -> KernelPool:
        if self.pool is None:
            modules = self.config.preload
            self.pool = KernelPool(preload="\n".join(f"import {m}" for m in modules), forkserver=self.forkserver)
        return self.pool

    def _start_helpers(self) -> None:
        """Once something will execute: papermill and the exporter, and the zygote, load in the background."""
        if not self._warm.is_alive() and self._renderer is None and self._warm.ident is None:
            self._warm.start()
        if self.cluster is not None:  # the workers start their own fork servers (batch.cluster.KernelsPlugin)
            self.cluster.start()
        if (
            self.config.fork
            and self.cluster is None
            and self.execute is execute_notebook
            and self.forkserver is None
            and hasattr(os, "fork")
        ):
            import tempfile

            from analysis.batch.forkserver import ForkServer

            self._fork_dir = Path(tempfile.mkdtemp(prefix="analysis-fork-"))
            self.forkserver = ForkServer(self._fork_dir)

    def _publish_key_figures(self) -> None:
        src = self.config.processed_dir / paths.KEY_FIGURES
        if src.exists():
            copy_atomic(src, self.reports_dir / paths.KEY_FIGURES)

    def _run_reports(self, reports: list[Report], nb_params) -> list[Outcome]:
        inputs = self._data_inputs()
        outcomes: list[Outcome] = []
        todo: list[tuple[Report, str]] = []
        for r in reports:
            if not self.selected(r):
                continue
            key = self._key(r, inputs)
            skipped = self.skip_or_none(r, key, self.force)
            if skipped:
                outcomes.append(skipped)
            else:
                todo.append((r, key))
        self.done, self.total = len(outcomes), len(outcomes) + len(todo)
        if outcomes:
            self.progress(f"{len(outcomes)} skipped (unchanged): {', '.join(o.report.name for o in outcomes)}")
        if not todo:
            return outcomes
        # Longest first (by the last build's time; never built: first), so no long report starts last
        # while the other cores sit idle.  Ties keep reports.yml order.
        last = {r.name: self.load_state(r.name).get("seconds") for r, _ in todo}
        todo.sort(key=lambda rk: -(last[rk[0].name] if last[rk[0].name] is not None else float("inf")))
        self._start_helpers()
        if self.execute is execute_notebook and self.config.prestart and self.cluster is None:
            self._pool().plan([str(r.notebook.parent) for r, _ in todo], ahead=self.jobs)
        if self.cluster is not None:
            executor = self.cluster.executor()
            self.say(self.cluster.describe())
        else:
            executor = ThreadPoolExecutor(max_workers=min(self.jobs, len(todo)), thread_name_prefix="report")
        try:
            futures: dict[Future, tuple[Report, str, str]] = {}
            for r, key in todo:
                params = {**r.parameters, **self.injected(r, nb_params[r.entry])}
                started = prov.now_utc()
                fut = (
                    executor.submit(run_report, self._task(r, params, started))
                    if self.cluster is not None
                    else executor.submit(self._work, r, params)
                )
                futures[fut] = (r, key, started)
            pending = set(futures)
            while pending:
                finished, pending = wait(pending, timeout=HEARTBEAT_SECONDS, return_when=FIRST_COMPLETED)
                if not finished:
                    self.progress("working")
                for fut in finished:
                    r, key, started = futures[fut]
                    try:
                        ex = fut.result()
                    except Exception as exc:  # the executor itself broke: still a named failure
                        ex = Execution.of_exception(exc)
                    outcome = self.finish(r, key, ex, started)
                    outcomes.append(outcome)
                    self.done += 1
                    word = "built" if outcome.status == "built" else "FAILED"
                    self.progress(f"{r.name}: {word} in {ex.seconds:.1f}s")
        except BaseException:
            # Interrupted (Ctrl-C): do not wait for the running notebooks; their kernels are killed
            # by the pool's close() in run(), and nothing half-done has been published.
            executor.shutdown(wait=False, cancel_futures=True)
            raise
        executor.shutdown(wait=True)
        return outcomes

    def _finish_run(self, outcomes: list[Outcome], reports: list[Report], missing, nb_params) -> RunResult:
        seconds = time.monotonic() - self.t0
        by_name = {o.report.name: o for o in outcomes}
        rows = []
        listed = list({r.name: r for r in reports + [o.report for o in outcomes if o.report.is_clean]}.values())
        for r in listed:
            o = by_name.get(r.name)
            if o is None:  # not selected by --only: show its last build
                st = self.load_state(r.name)
                o = Outcome(
                    r,
                    "not-run",
                    html=st.get("html") if st.get("html") and (self.reports_dir / st["html"]).exists() else None,
                    provenance=st.get("provenance", {}),
                )
            rows.append(o.index_row())
        rows += [missing_row(e) for e in missing]
        counts: dict[str, int] = {}
        for row in rows:
            counts[row["status"]] = counts.get(row["status"], 0) + 1
        from analysis.batch.index import index_html
        from analysis.batch.methodology import methodology_html

        run_info = {**self.run_provenance(), "started": self.started, "seconds": seconds, "counts": counts}
        kf = paths.KEY_FIGURES if (self.reports_dir / paths.KEY_FIGURES).exists() else None
        # Every report's printed estimates in one file (reports/estimates.csv), skipped reports' included.
        estimates.write_collected(self.reports_dir / FIGURES_DIR, self.reports_dir / estimates.FILE)
        pdfs = self._print_brief(rows)
        for lang in self.site.languages:
            write_atomic(
                self.reports_dir / self.site.index_file(lang),
                index_html(
                    self.site,
                    rows,
                    lang=lang,
                    banner=self.banner(),
                    run=run_info,
                    key_figures=kf,
                    pdf=pdfs.get(lang),
                    counties=self.counties,
                ),
            )
            write_atomic(
                self.reports_dir / self.site.methodology_file(lang),
                methodology_html(self.site, lang, banner=self.banner()),
            )
        index = self.reports_dir / self.site.index_file(self.site.default)
        self._summary(outcomes, missing, seconds, index)
        # A missing notebook fails the run that asked for it (all, or it by --only), as a failing one would.
        asked = [e.name for e in missing if not self.only or any(n in (e.name, e.notebook.stem) for n in self.only)]
        return RunResult(outcomes, seconds, index, missing=asked)

    def _print_brief(self, rows: list[dict]) -> dict[str, str]:
        """The brief of each language as PDF beside its HTML (when Chromium is installed); lang -> file name."""
        from analysis.batch.pdf import find_chromium, print_pdf

        briefs = [(lang, self.site.brief(lang)) for lang in self.site.languages]
        built = {row["name"]: row for row in rows if row.get("html")}
        briefs = [(lang, r) for lang, r in briefs if r is not None and r.name in built]
        if not briefs:
            return {}
        chromium = find_chromium()
        if chromium is None:
            self.say("the brief is not printed as PDF: Chromium not found (install chromium, or set ANALYSIS_CHROMIUM)")
            return {}
        written: dict[str, str] = {}
        for lang, r in briefs:
            html = self.reports_dir / built[r.name]["html"]
            pdf = html.with_suffix(".pdf")
            try:
                if not pdf.exists() or pdf.stat().st_mtime < html.stat().st_mtime:
                    print_pdf(html, pdf, chromium)
                written[lang] = pdf.name
            except (RuntimeError, OSError, subprocess.SubprocessError) as exc:
                self.say(f"the brief is not printed as PDF: {exc}")
        if written:
            self.say(f"brief as PDF: {', '.join(written.values())} (Chromium {chromium})")
        return written

    def _summary(self, outcomes: list[Outcome], missing, seconds: float, index: Path) -> None:
        self.say("")
        w = max([len(o.report.name) for o in outcomes] + [len(e.name) for e in missing] + [6])
        self.say(f"{'report':<{w}}  {'status':<20}  {'wall s':>7}  {'cells s':>7}")
        for o in outcomes:
            word = {"skipped": "skipped (unchanged)"}.get(o.status, o.status)
            self.say(f"{o.report.name:<{w}}  {word:<20}  {o.seconds:>7.1f}  {o.cell_seconds:>7.1f}")
        for e in missing:
            self.say(f"{e.name:<{w}}  {'notebook missing':<20}")
        failed = [o for o in outcomes if o.status == "failed"]
        n_built = sum(o.status == "built" for o in outcomes)
        n_skip = sum(o.status == "skipped" for o in outcomes)
        self.say(
            f"\n{n_built} built, {n_skip} skipped (unchanged), {len(failed)} failed, "
            f"{len(missing)} notebooks missing; {seconds:.1f}s; index: {index}"
        )
        for o in failed:
            self.say(f"FAILED {o.describe_error()}")
        for e in missing:
            self.say(f"MISSING {e.name}: notebook {_display_path(e.notebook)} does not exist (listed in reports.yml)")


def _display_path(p: Path) -> str:
    try:
        return Path(p).resolve().relative_to(paths.ROOT).as_posix()
    except ValueError:
        return str(p)


def run(
    config: Path | str | None = None,
    *,
    jobs: int | None = None,
    only: list[str] | None = None,
    force: bool = False,
    params: list[str] | None = None,
    lang: str | None = None,
    out: TextIO | None = None,
    execute: Callable[..., Execution] | None = None,
    keep_executed: Path | None = None,
    cluster: str | Cluster | None = None,
) -> RunResult:
    """The whole batch as a function (the CLI is a thin wrapper).  ``lang``: build that language only.

    ``cluster``: None for the in-process pool; ``"local"``, a scheduler address or a ``Cluster``
    to run the reports as Dask tasks (``batch.cluster``).
    """
    cfg = load_config(config or paths.REPORTS_CONFIG)
    pairs = list(params or [])
    if lang is not None:
        if cfg.language_param is None:
            raise ParameterError(f"--lang {lang}: {cfg.path.name} declares no language parameter")
        pairs.append(f"{cfg.language_param.name}={lang}")
    overrides = parse_overrides(pairs, cfg.schema)
    if isinstance(cluster, str):
        cluster = Cluster(
            cluster,
            workers=jobs or os.cpu_count() or 1,
            fork=cfg.fork,
            preload="\n".join(f"import {m}" for m in cfg.preload),
            kernel_folder=str(cfg.entries[0].notebook.parent) if cfg.entries else None,
        )
    kept = {"keep_executed": keep_executed, "cluster": cluster}
    from analysis.data.layout import detect_layout, is_province

    if is_province(cfg.raw_dir):  # data/raw/<county>/ folders: every county's reports, then the province's
        from analysis.batch.province import run_province

        layout = detect_layout(cfg.raw_dir)
        return run_province(
            cfg,
            layout,
            jobs=jobs,
            only=only,
            force=force,
            overrides=overrides,
            out=out or sys.stdout,
            execute=execute,
            **kept,
        )
    # One county: today's reports; the province's (scope: province) need a province.
    cfg = dataclasses.replace(cfg, entries=cfg.scoped("county"))
    return Runner(cfg, jobs=jobs, only=only, force=force, overrides=overrides, out=out, execute=execute, **kept).run()
