"""The democratic review's figure: each unit's score against the redo mark (unit scores, not officers')."""

from __future__ import annotations

import pandas as pd

from analysis.core.text import count
from analysis.i18n import _
from analysis.plotting import distributions
from analysis.plotting.context import FigureContext


def unit_scores_figure(ctx: FigureContext, outcome: pd.DataFrame, redo_mark: float) -> dict:
    """First-round and redo scores per unit (:func:`analysis.subjects.review.outcomes`)."""
    below = int(outcome["below_mark"].sum())
    passed = int((outcome["status"] == "redid and passed").sum())
    title = _(
        "{below} of {n} units scored below {mark:g} in the democratic review; {passed} passed on the redo"
    ).format(below=count(below), n=count(len(outcome)), mark=redo_mark, passed=count(passed))
    low = outcome["score_round1"].min()
    alt = _(
        "Democratic review scores of {n} units against the redo mark of {mark:g}: {below} below it (lowest {low}), "
        "{passed} of them passed on the redo."
    ).format(n=count(len(outcome)), mark=redo_mark, below=count(below), low=f"{low:.1f}", passed=count(passed))
    return ctx.finish(
        distributions.unit_scores_figure(outcome, redo_mark),
        "review_unit_scores",
        title=title,
        caption=_("Unit scores (points of 100) in the July democratic review; squares are redo scores."),
        n=_("{n} units").format(n=count(len(outcome))),
        source=_("democratic review scores"),
        alt=alt,
        data=outcome[["unit", "score_round1", "score_round2", "status"]],
    )
