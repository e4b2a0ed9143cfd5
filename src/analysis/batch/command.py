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

    from analysis.data.cleaning import CleanResult


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
