"""Reading the cleaned data sets and their manifest (what `clean` wrote to data/processed)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from analysis.core import paths
from analysis.core.errors import AnalysisError

DEMO_BANNER = "SYNTHETIC DEMO DATA: not the bureau's records"


def load(dataset: str, processed_dir: Path | str | None = None) -> pd.DataFrame:
    """One cleaned data set as a typed frame."""
    path = paths.processed_file(dataset, Path(processed_dir) if processed_dir else None)
    if not path.exists():
        raise AnalysisError(f"{path}: not found; run `python -m analysis clean` first")
    return pd.read_parquet(path)


def manifest(processed_dir: Path | str | None = None) -> dict:
    """The manifest written by cleaning: hashes, row counts, and whether the data is synthetic."""
    path = Path(processed_dir or paths.PROCESSED) / paths.MANIFEST
    if not path.exists():
        raise AnalysisError(f"{path}: not found; run `python -m analysis clean` first")
    return json.loads(path.read_text(encoding="utf-8"))


def is_synthetic(processed_dir: Path | str | None = None) -> bool:
    """True when the cleaned data came from the demo generator (its marker was in data/raw)."""
    return bool(manifest(processed_dir).get("synthetic", False))


def banner_html(processed_dir: Path | str | None = None) -> str:
    """The demo-data banner for the top of a report ("" on real data)."""
    if not is_synthetic(processed_dir):
        return ""
    return (
        '<div class="demo-banner" style="background:#c00000;color:#fff;padding:8px 12px;font-weight:bold;">'
        f"{DEMO_BANNER}. Figures are calibrated to the published report and show how the analysis works; "
        "they are not evidence about the county.</div>"
    )


def require_columns(frame: pd.DataFrame, columns, name: str) -> None:
    """KeyError naming the data set and the columns a function needs but ``frame`` lacks."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise KeyError(f"{name} lacks column(s) {missing}")
