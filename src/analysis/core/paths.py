"""The one place that knows where things live.

Every path is derived from the project root (the folder holding ``pyproject.toml``),
never from the working directory, so notebooks, the CLI and tests agree wherever
they are started from.  ``ANALYSIS_DATA_DIR`` may point the data folders elsewhere
(a real export kept outside the repository, say); the reports, figures and the batch's state then go
next to that data (``ANALYSIS_DATA_DIR/reports``), so two data folders never overwrite each other's
reports, unless ``ANALYSIS_REPORTS_DIR`` names the reports folder.  Without either variable the
layout is the repository's own: ``data/`` and ``reports/``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]

DATA = Path(os.environ.get("ANALYSIS_DATA_DIR", ROOT / "data"))
RAW = DATA / "raw"
PROCESSED = DATA / "processed"
REFERENCE = ROOT / "data" / "reference"
QUARANTINE_DIRNAME = "quarantine"

NOTEBOOKS = ROOT / "notebooks"


def reports_for(data_dir: Path, environ: Mapping[str, str] = os.environ) -> Path:
    """Where the reports of ``data_dir`` go: ``ANALYSIS_REPORTS_DIR``, else ``<data_dir>/reports``, else (the
    repository's own data) the repository's ``reports/``."""
    if environ.get("ANALYSIS_REPORTS_DIR"):
        return Path(environ["ANALYSIS_REPORTS_DIR"])
    if Path(data_dir).resolve() == (ROOT / "data").resolve():
        return ROOT / "reports"
    return Path(data_dir) / "reports"


REPORTS = reports_for(DATA)
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
# Survey weights cached inside a processed data set (subjects/survey), derived from it: not an input of a report.
WEIGHTS_CACHE = "weights"


def generations_dir(processed_dir: Path) -> Path:
    """The folder beside ``processed_dir`` that holds its generations (``data/processed.generations``).

    ``processed_dir`` itself is a symbolic link to the current generation, switched in one step by
    ``data.processed.switch_generation``; every reader goes through the link.
    """
    processed_dir = Path(processed_dir)
    return processed_dir.with_name(processed_dir.name + ".generations")


def processed_file(dataset: str, processed_dir: Path | None = None) -> Path:
    """Parquet file of a cleaned data set."""
    return Path(processed_dir or PROCESSED) / f"{dataset}.parquet"
