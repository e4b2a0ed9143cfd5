"""The democratic review's figure: each unit's score against the redo mark."""

from __future__ import annotations

import pandas as pd

from analysis.core.text import count
from analysis.plotting import distributions
from analysis.plotting.context import FigureContext


def unit_scores_figure(ctx: FigureContext, outcome: pd.DataFrame, redo_mark: float) -> dict:
    """First-round and redo scores per unit (:func:`analysis.subjects.review.outcomes`)."""
    below = int(outcome["below_mark"].sum())
    passed = int((outcome["status"] == "redid and passed").sum())
    title = (
        f"{count(below)} of {count(len(outcome))} units scored below {redo_mark:g} in the democratic review; "
        f"{count(passed)} passed on the redo"
    )
    return ctx.finish(
        distributions.unit_scores_figure(outcome, redo_mark),
        "review_unit_scores",
        title=title,
        caption="Unit scores (points of 100) in the July democratic review; squares are redo scores.",
        n=f"{count(len(outcome))} units",
        source="democratic_review",
        alt=title,  # provisional: the finding in words, with its numbers, replaces it
        data=None,
    )
