"""Case-file quality: monthly scores as an XmR chart, best/worst files per unit, collective decisions.

Input: the processed ``case_files`` frame (unit, month 'YYYY-MM', file_id, score 0-100,
rating 'best'/'worst'/<NA>, collective_decision).
"""

from __future__ import annotations

import pandas as pd

from analysis.data.processed import require_columns
from analysis.stats import spc

CASE_COLUMNS = ("unit", "month", "file_id", "score", "rating", "collective_decision")


def _require(frame: pd.DataFrame) -> None:
    require_columns(frame, CASE_COLUMNS, "case_files")


def monthly_scores(case_files: pd.DataFrame) -> pd.DataFrame:
    """Per month: files reviewed and mean file score (points), in month order."""
    _require(case_files)
    out = case_files.groupby("month").agg(files=("file_id", "size"), mean_score=("score", "mean")).reset_index()
    out["mean_score"] = out["mean_score"].astype("float64")
    return out.sort_values("month").reset_index(drop=True)


def enough_months(case_files: pd.DataFrame, minimum: int = 2) -> bool:
    """True when the files span at least ``minimum`` months (an XmR chart needs two points to have a moving range)."""
    _require(case_files)
    return case_files["month"].nunique() >= minimum


def monthly_xmr(case_files: pd.DataFrame) -> tuple[pd.DataFrame, spc.XmRLimits]:
    """XmR chart of the monthly mean file score with the special-cause rules (see :mod:`analysis.stats.spc`)."""
    monthly = monthly_scores(case_files)
    # ASSUMPTION(casework-xmr-monthly-mean): each month's point is the mean score of the files reviewed that month; months with few files carry more noise than the limits assume.
    table, limits = spc.xmr_chart(monthly, "mean_score", label="month")
    table.insert(1, "files", monthly["files"].to_numpy())
    return table, limits


def best_worst_by_unit(case_files: pd.DataFrame) -> pd.DataFrame:
    """Per unit: number of months' best files and worst files (counts of files, not of officers)."""
    _require(case_files)
    rated = case_files[case_files["rating"].notna()]
    out = pd.crosstab(rated["unit"], rated["rating"]).reindex(columns=["best", "worst"], fill_value=0)
    out = out.reset_index()
    out.columns.name = None
    out["net"] = out["best"] - out["worst"]
    return out.sort_values(["net", "best"], ascending=False).reset_index(drop=True)


def collective_decisions(case_files: pd.DataFrame) -> pd.DataFrame:
    """Difficult cases decided collectively, counted by unit."""
    _require(case_files)
    c = case_files[case_files["collective_decision"].fillna(False).astype(bool)]
    return (
        c.groupby("unit")
        .size()
        .rename("cases")
        .reset_index()
        .sort_values("cases", ascending=False)
        .reset_index(drop=True)
    )


def collective_total(case_files: pd.DataFrame) -> int:
    """Number of distinct files decided collectively in the year."""
    _require(case_files)
    c = case_files[case_files["collective_decision"].fillna(False).astype(bool)]
    return int(c["file_id"].nunique())
