"""Democratic review of units in the July rectification: scores against the redo mark, redos, second-round outcome.

Input: the processed ``democratic_review`` frame (unit, round, score 0-100, raters).  Unit-level
scores, not officer-level: no disclosure control is needed beyond not printing rater identities
(which the data does not hold).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

REVIEW_COLUMNS = ("unit", "round", "score", "raters")


@dataclass(frozen=True)
class ReviewSummary:
    """Counts of units in the democratic review."""

    redo_mark: float  #: points
    units: int  #: units reviewed
    below_mark: int  #: first-round score below the redo mark
    redid: int  #: units with a second-round score
    passed_on_redo: int
    still_below: int  #: redid and still below the mark
    no_redo_recorded: int  #: below the mark with no second round


def outcomes(review: pd.DataFrame, redo_mark: float) -> pd.DataFrame:
    """One row per unit: first-round score, below the mark, whether it redid, second-round score and outcome.

    ``status`` is one of: 'passed first round', 'redid and passed', 'redid and still below',
    'below the mark but no redo recorded', 'redid although at or above the mark'.
    """
    missing = [c for c in REVIEW_COLUMNS if c not in review.columns]
    if missing:
        raise KeyError(f"democratic_review: missing column(s) {missing}")
    if review.duplicated(["unit", "round"]).any():
        raise ValueError("democratic_review: more than one row for a unit and round")
    wide = review.pivot(index="unit", columns="round", values="score")
    raters = review.pivot(index="unit", columns="round", values="raters")
    first = wide.get(1, pd.Series(np.nan, index=wide.index)).astype("float64")
    second = wide.get(2, pd.Series(np.nan, index=wide.index)).astype("float64")
    out = pd.DataFrame(
        {
            "unit": wide.index,
            "score_round1": first.to_numpy(),
            "raters_round1": raters.get(1, pd.Series(pd.NA, index=wide.index)).to_numpy(),
            "score_round2": second.to_numpy(),
        }
    )
    out["below_mark"] = out["score_round1"] < redo_mark
    out["redid"] = out["score_round2"].notna()
    out["passed_second"] = np.where(out["redid"], out["score_round2"] >= redo_mark, np.nan)
    conditions = [
        ~out["below_mark"] & ~out["redid"],
        out["below_mark"] & out["redid"] & (out["score_round2"] >= redo_mark),
        out["below_mark"] & out["redid"] & (out["score_round2"] < redo_mark),
        out["below_mark"] & ~out["redid"],
        ~out["below_mark"] & out["redid"],
    ]
    labels = [
        "passed first round",
        "redid and passed",
        "redid and still below",
        "below the mark but no redo recorded",
        "redid although at or above the mark",
    ]
    out["status"] = np.select(conditions, labels, default="no first-round score")
    out["redo_mark"] = redo_mark
    return out.sort_values("score_round1").reset_index(drop=True)


def summary(outcome: pd.DataFrame) -> ReviewSummary:
    """Counts for the text: units reviewed, below the mark, redid, passed on the redo, anomalies."""
    return ReviewSummary(
        redo_mark=float(outcome["redo_mark"].iloc[0]) if len(outcome) else float("nan"),
        units=len(outcome),
        below_mark=int(outcome["below_mark"].sum()),
        redid=int(outcome["redid"].sum()),
        passed_on_redo=int((outcome["status"] == "redid and passed").sum()),
        still_below=int((outcome["status"] == "redid and still below").sum()),
        no_redo_recorded=int((outcome["status"] == "below the mark but no redo recorded").sum()),
    )
