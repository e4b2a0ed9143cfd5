"""The machine-readable record of every estimate a report prints: ``estimates.csv``.

A report's notebook turns the typed results it printed into :class:`EstimateRow` s (the subject
modules have a function for that) and writes them with :func:`write` into its figures folder;
after a run the batch runner concatenates every report's file into ``reports/estimates.csv`` with
:func:`collect`, filling in the report's name. One row per estimate:

``report, scope, id, label, estimate, se, ci_low, ci_high, df, deff, n, method``

``id`` is stable across runs and data sets (``top_box/q10_overall/channel=street``), ``scope`` the
district or unit the report covers (``county``/``bureau`` for the whole), ``method`` says how the
estimate and its interval were computed. A cell that does not apply is empty.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

import pandas as pd

from analysis.core.files import write_atomic_with

FILE = "estimates.csv"
COLUMNS = ("report", "scope", "id", "label", "estimate", "se", "ci_low", "ci_high", "df", "deff", "n", "method")
NAN = float("nan")


@dataclass(frozen=True)
class EstimateRow:
    """One estimate as the reports print it (numbers in the estimate's own units: proportions 0..1, days)."""

    id: str
    label: str
    estimate: float
    se: float = NAN
    ci_low: float = NAN
    ci_high: float = NAN
    df: float = NAN
    deff: float = NAN
    n: float = NAN
    method: str = ""


def frame(rows: Iterable[EstimateRow], scope: str, report: str = "") -> pd.DataFrame:
    """The rows as a frame with the file's columns; repeated ids are a bug of the caller and raise."""
    records = [asdict(r) for r in rows]
    out = pd.DataFrame(records, columns=[c for c in COLUMNS if c not in ("report", "scope")])
    if out["id"].duplicated().any():
        raise ValueError(f"estimate ids repeated: {sorted(set(out.loc[out['id'].duplicated(), 'id']))[:5]}")
    for column in ("estimate", "se", "ci_low", "ci_high", "df", "deff", "n"):
        out[column] = pd.to_numeric(out[column], errors="raise").astype(float)
    out.insert(0, "scope", scope)
    out.insert(0, "report", report)
    return out[list(COLUMNS)]


def write(folder: Path | str, rows: Iterable[EstimateRow], scope: str | None, whole: str = "county") -> Path:
    """Write ``<folder>/estimates.csv`` (replacing it) for one report; ``scope`` None means ``whole``."""
    table = frame(rows, whole if scope is None else str(scope))
    path = Path(folder) / FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic_with(path, lambda tmp: table.to_csv(tmp, index=False, encoding="utf-8", float_format="%.17g"))
    return path


def read(path: Path | str) -> pd.DataFrame:
    """An estimates file as written (numbers as floats, empty cells NaN, text as text)."""
    table = pd.read_csv(path, dtype={"report": str, "scope": str, "id": str, "label": str, "method": str})
    missing = [c for c in COLUMNS if c not in table.columns]
    if missing:
        raise ValueError(f"{path}: not an estimates file (missing columns {missing})")
    return table.fillna({"report": "", "label": "", "method": ""})[list(COLUMNS)]


def collect(figures_root: Path | str) -> pd.DataFrame:
    """Every report's ``<figures_root>/<report>/estimates.csv``, with its report name, in one frame."""
    parts = []
    for path in sorted(Path(figures_root).glob(f"*/{FILE}")):
        table = read(path)
        table["report"] = path.parent.name
        parts.append(table)
    if not parts:
        return pd.DataFrame(columns=list(COLUMNS))
    return pd.concat(parts, ignore_index=True)[list(COLUMNS)]


def write_collected(figures_root: Path | str, target: Path | str) -> Path | None:
    """``collect`` written to ``target`` (reports/estimates.csv); None, and nothing written, when no report has one."""
    table = collect(figures_root)
    if table.empty:
        return None
    write_atomic_with(Path(target), lambda tmp: table.to_csv(tmp, index=False, encoding="utf-8", float_format="%.17g"))
    return Path(target)
