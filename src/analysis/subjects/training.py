"""Training credits: annual averages, the pass-mark rule, the May cadre check and bunching at the cutoff.

Input: the processed ``training_credits`` frame (one row per officer, month 'YYYY-MM' and course,
integer score 0-100) and ``officer_roster``.  The pass mark is always a parameter (the bureau's, 70, is
:func:`analysis.core.reference.training_pass_mark`).  What readers see is in :mod:`analysis.subjects.training_text`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from analysis.data.processed import require_columns
from analysis.stats.disclosure import THRESHOLD
from analysis.stats.funnel import unit_funnel

CREDIT_COLUMNS = ("officer_id", "month", "course", "score")


def annual_averages(credits: pd.DataFrame, year: int | None = None) -> pd.DataFrame:
    """One row per officer: courses (count) and average (mean course score in points) over the year."""
    require_columns(credits, CREDIT_COLUMNS, "training_credits")
    c = credits.dropna(subset=["score"])
    if year is not None:
        c = c[c["month"].str.startswith(f"{year}-")]
    # ASSUMPTION(training-average-per-course): the annual average is the mean over all assessed courses, each course weighted equally (not a mean of monthly means).
    out = c.groupby("officer_id").agg(courses=("score", "size"), average=("score", "mean")).reset_index()
    out["average"] = out["average"].astype("float64")
    return out


def may_scores(
    credits: pd.DataFrame, roster: pd.DataFrame, year: int | None = None, through_month: int = 5
) -> pd.DataFrame:
    """Cadre candidates' average score from January to ``through_month`` (default May).

    One row per cadre candidate with any score in that window: officer_id, courses, average.
    """
    require_columns(credits, CREDIT_COLUMNS, "training_credits")
    require_columns(roster, ("officer_id", "cadre_candidate"), "officer_roster")
    months = credits["month"].astype(str)
    yr = months.str.slice(0, 4).astype(int)
    mo = months.str.slice(5, 7).astype(int)
    year = int(yr.max()) if year is None else year
    window = credits[(yr == year) & (mo <= through_month)]
    candidates = roster.loc[roster["cadre_candidate"].fillna(False).astype(bool), "officer_id"]
    window = window[window["officer_id"].isin(candidates)]
    # ASSUMPTION(may-average-window): "scores in May" means the mean of every course assessed from January to May inclusive.
    out = window.groupby("officer_id").agg(courses=("score", "size"), average=("score", "mean")).reset_index()
    out["average"] = out["average"].astype("float64")
    return out


def below_cutoff(averages: pd.DataFrame, pass_mark: float) -> pd.DataFrame:
    """Officers whose average is below ``pass_mark`` (the rule: below the mark bars promotion)."""
    return averages[averages["average"] < pass_mark]


@dataclass(frozen=True)
class CutoffSummary:
    """Officers against the pass mark: counts of officers."""

    pass_mark: float  #: points
    officers: int  #: officers with an annual average
    below: int  #: of them, with an annual average below the mark
    candidates: int  #: cadre candidates with scores January to May
    candidates_disqualified: int  #: of them, below the mark in May


@dataclass(frozen=True)
class BunchingTest:
    """Exact binomial test of an excess of values just at or above a cutoff."""

    cutoff: float  #: points
    width: float  #: points: the bins are [cutoff, cutoff + width) and [cutoff - width, cutoff)
    at: int  #: values in the bin at the cutoff
    below: int  #: values in the bin just below
    ratio: float  #: at / below (inf when below is 0 and at is not; NaN when both are 0)
    p_value: float  #: one-sided (excess at the cutoff); NaN when both bins are empty


def cutoff_summary(credits: pd.DataFrame, roster: pd.DataFrame, pass_mark: float) -> CutoffSummary:
    """Counts for the text: officers with an annual average, below the mark, candidates checked in May, disqualified."""
    annual = annual_averages(credits)
    may = may_scores(credits, roster)
    return CutoffSummary(
        pass_mark=pass_mark,
        officers=len(annual),
        below=int((annual["average"] < pass_mark).sum()),
        candidates=len(may),
        candidates_disqualified=int((may["average"] < pass_mark).sum()),
    )


def bunching_test(values, cutoff: float, width: float = 1.0) -> BunchingTest:
    """Exact binomial test of bunching just at or above a cutoff.

    Counts values in [cutoff, cutoff + width) ("at") and in [cutoff - width, cutoff) ("below").
    Without manipulation and with a locally flat distribution each is equally likely, so
    at ~ Binomial(at + below, 1/2); the one-sided p-value tests for an excess at the cutoff
    (scipy.stats.binomtest, alternative='greater').  Returns a :class:`BunchingTest`.
    """
    v = pd.to_numeric(pd.Series(values), errors="coerce").dropna().astype(float)
    at = int(((v >= cutoff) & (v < cutoff + width)).sum())
    below = int(((v >= cutoff - width) & (v < cutoff)).sum())
    # ASSUMPTION(bunching-flat-density): the bunching test assumes the density is flat across the two bins next to the cutoff; a steep slope there mimics or masks bunching.
    n = at + below
    p = float(stats.binomtest(at, n, 0.5, alternative="greater").pvalue) if n else float("nan")
    return BunchingTest(
        cutoff=cutoff,
        width=width,
        at=at,
        below=below,
        ratio=at / below if below else float("inf") if at else float("nan"),
        p_value=p,
    )


def unit_shares(credits: pd.DataFrame, roster: pd.DataFrame, pass_mark: float) -> pd.DataFrame:
    """Per unit: officers with an annual average, number at or above the mark and below it."""
    annual = annual_averages(credits).merge(roster[["officer_id", "unit"]], on="officer_id", how="left")
    annual["meets"] = annual["average"] >= pass_mark
    out = annual.groupby("unit").agg(officers=("officer_id", "size"), meets=("meets", "sum")).reset_index()
    out["meets"] = out["meets"].astype(int)
    out["below"] = out["officers"] - out["meets"]
    return out


def unit_course_shares(credits: pd.DataFrame, roster: pd.DataFrame, pass_mark: float) -> pd.DataFrame:
    """Per unit: course results assessed, at or above the mark, and below it (counts of results, not officers)."""
    require_columns(credits, CREDIT_COLUMNS, "training_credits")
    c = credits.dropna(subset=["score"]).merge(roster[["officer_id", "unit"]], on="officer_id", how="left")
    c["meets"] = c["score"] >= pass_mark
    out = c.groupby("unit").agg(results=("score", "size"), meets=("meets", "sum")).reset_index()
    out["meets"] = out["meets"].astype(int)
    out["below"] = out["results"] - out["meets"]
    return out


def unit_funnel_table(
    credits: pd.DataFrame, roster: pd.DataFrame, pass_mark: float, level: str = "officer"
) -> pd.DataFrame:
    """Units' share at or above the pass mark against the bureau share: exact limits, Holm-adjusted flags.

    ``level`` 'officer' compares officers' annual averages; 'course' compares individual course
    results (larger counts, so fewer units need suppressing).  ``shown`` is False where fewer than the
    disclosure threshold are above or below the mark in the unit.
    """
    if level == "officer":
        counts, n_col = unit_shares(credits, roster, pass_mark), "officers"
    elif level == "course":
        # ASSUMPTION(training-funnel-course-level): the drawn unit funnel counts course results, which treats an officer's results as independent; it understates the limits' width for units with consistently weak or strong officers.
        counts, n_col = unit_course_shares(credits, roster, pass_mark), "results"
    else:
        raise ValueError(f"level must be 'officer' or 'course', got {level!r}")
    out = unit_funnel(counts, "unit", "meets", n_col, method="holm")
    out["shown"] = (out["successes"] >= THRESHOLD) & ((out["n"] - out["successes"]) >= THRESHOLD)
    return out


def distribution_bins(values, lo: int = 0, hi: int = 100, width: int = 1, anchor: float = 0) -> pd.DataFrame:
    """Counts per bin [points, points + width) between lo and hi, bins aligned on ``anchor`` (use the cutoff).

    ``points`` is each bin's lower edge in points; aligning on the cutoff keeps it on a bin edge.
    """
    if width < 1:
        raise ValueError("width must be at least 1 point")
    v = pd.to_numeric(pd.Series(values), errors="coerce").dropna().astype(float)
    edges = np.floor((v - anchor) / width) * width + anchor
    edges = edges.clip(np.floor((lo - anchor) / width) * width + anchor, hi)
    start = np.floor((lo - anchor) / width) * width + anchor
    grid = np.arange(start, hi + 1, width)
    counts = edges.value_counts().reindex(grid, fill_value=0)
    return pd.DataFrame({"points": grid, "count": counts.to_numpy().astype(int)})
