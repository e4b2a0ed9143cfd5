"""What the command line runs: ``clean`` (the cleaning, then the key figures) and ``run`` (the batch).

Each is one Python function the CLI (``analysis.cli``) and the tests call alike.  Cleaning lives in
the data layer and the key figures in the summary layer; the order "clean, then compute the key
figures from what was cleaned" is orchestration, so it lives here, above both.
"""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported where used: `run` with every report unchanged never loads the statistics
    import pandas as pd

    from analysis.data.cleaning import CleanResult, ProvinceResult


@dataclass
class Cleaned:
    """The cleaning's per-file result and the key-figures table written beside the processed data."""

    clean: CleanResult
    key_figures: pd.DataFrame

    def summary_text(self) -> str:
        matched = int(self.key_figures["matches"].sum())
        return (
            f"{self.clean.summary_text()}\n"
            f"key figures: {matched} of {len(self.key_figures)} published figures reproduced"
        )


def clean_and_compute(raw_dir: Path, processed_dir: Path) -> Cleaned:
    """Clean ``raw_dir`` into ``processed_dir``, then write ``key_figures.csv`` there from the cleaned data."""
    from analysis.data.cleaning import clean_all
    from analysis.summary.key_figures import write_key_figures

    key_figures = []
    # Written into the new generation before the switch: a reader never sees data without its key figures.
    result = clean_all(
        Path(raw_dir), Path(processed_dir), before_switch=lambda g: key_figures.append(write_key_figures(g))
    )
    return Cleaned(result, key_figures[0])


@dataclass
class ProvinceCleaned:
    """A province's cleaning (one task per county) and the province's key figures (every county's, by county)."""

    clean: ProvinceResult
    key_figures: pd.DataFrame

    def summary_text(self) -> str:
        lines = [self.clean.summary_text()]
        for c in self.clean.failed:
            lines.append(f"county {c.county.slug} ({c.county.folder}) NOT cleaned: {c.error}")
        if len(self.key_figures):
            by_county = self.key_figures.groupby("county")["matches"].agg(["sum", "size"])
            lines += [
                f"key figures {county}: {int(r['sum'])} of {int(r['size'])} reproduced"
                for county, r in by_county.iterrows()
            ]
        return "\n".join(lines)


def province_key_figures(generation: Path) -> pd.DataFrame:
    """Every cleaned county's key figures in one table (a ``county`` column first), written at the province root."""
    import pandas as pd

    from analysis.core import paths
    from analysis.core.files import write_csv
    from analysis.data.layout import PARTITION

    frames = [
        pd.read_csv(f).assign(**{PARTITION: f.parent.name.split("=", 1)[1]})
        for f in sorted(Path(generation).glob(f"{PARTITION}=*/{paths.KEY_FIGURES}"))
    ]
    table = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=[PARTITION, "matches"])
    table = table[[PARTITION, *[c for c in table.columns if c != PARTITION]]]
    write_csv(Path(generation) / paths.KEY_FIGURES, table, float_format="%.10g")
    return table


def clean_province_and_compute(
    raw_dir: Path, processed_dir: Path, *, jobs: int | None = None, executor=None
) -> ProvinceCleaned:
    """Clean every county of the province ``raw_dir`` (in parallel) with its key figures, into ``processed_dir``."""
    from analysis.data.cleaning import clean_province
    from analysis.summary.key_figures import write_key_figures

    key_figures = []
    result = clean_province(
        Path(raw_dir),
        Path(processed_dir),
        jobs=jobs,
        executor=executor,
        after_county=write_key_figures,
        before_switch=lambda g: key_figures.append(province_key_figures(g)),
    )
    return ProvinceCleaned(result, key_figures[0])


def clean_any(raw_dir: Path, processed_dir: Path, *, jobs: int | None = None) -> Cleaned | ProvinceCleaned:
    """``python -m analysis clean``: one county's exports, or a province's county folders (``data.layout``)."""
    from analysis.data.layout import is_province

    if is_province(Path(raw_dir)):
        return clean_province_and_compute(raw_dir, processed_dir, jobs=jobs)
    return clean_and_compute(raw_dir, processed_dir)


def main(args: argparse.Namespace) -> int:
    """``python -m analysis run``: the batch; exit code 0, 1 (a report failed or a notebook is missing), 130."""
    from analysis.batch.runner import run

    try:
        result = run(
            args.config,
            jobs=args.jobs,
            only=args.only,
            force=args.force,
            params=args.param,
            lang=args.lang,
            cluster=getattr(args, "cluster", None),
        )
    except KeyboardInterrupt:
        # Kernels and temporary files are cleaned up by now (the runner's finally blocks); threads
        # still waiting on a dead kernel must not hold the exit.  Published reports are untouched.
        print("\ninterrupted: the previous reports are kept as they were", file=sys.stderr, flush=True)
        os._exit(130)
    return result.exit_code
