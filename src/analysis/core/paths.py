"""The one place that knows where things live.

Every path is derived from the project root (the folder holding ``pyproject.toml``),
never from the working directory, so notebooks, the CLI and tests agree wherever
they are started from.  ``ANALYSIS_DATA_DIR`` may point the data folders elsewhere
(a real export kept outside the repository, say).
"""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]

DATA = Path(os.environ.get("ANALYSIS_DATA_DIR", ROOT / "data"))
RAW = DATA / "raw"
PROCESSED = DATA / "processed"
REFERENCE = ROOT / "data" / "reference"
QUARANTINE_DIRNAME = "quarantine"

NOTEBOOKS = ROOT / "notebooks"
REPORTS = ROOT / "reports"
FIGURES = REPORTS / "figures"
DOCS = ROOT / "docs"
REPORTS_CONFIG = ROOT / "reports.yml"
LOCK_FILE = ROOT / "requirements.lock"

PUBLISHED_FIGURES = REFERENCE / "published_figures.csv"
ALIASES = REFERENCE / "aliases.csv"
RULES = REFERENCE / "rules.csv"
CAMPAIGN_WINDOWS = REFERENCE / "campaign_windows.csv"
SURVEY_DESIGN = REFERENCE / "survey_design.csv"

# Written by the demo generator next to the raw files; its presence marks the data as synthetic.
SYNTHETIC_MARKER = "SYNTHETIC"
MANIFEST = "manifest.json"
KEY_FIGURES = "key_figures.csv"


def processed_file(dataset: str, processed_dir: Path | None = None) -> Path:
    """Parquet file of a cleaned data set."""
    return Path(processed_dir or PROCESSED) / f"{dataset}.parquet"
