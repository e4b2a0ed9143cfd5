"""The training notebook's figures: score distributions against the pass mark, bunching, the unit funnel."""

from __future__ import annotations

import pandas as pd

from analysis.core.text import count, fewer_than, p_value
from analysis.plotting import distributions, funnel
from analysis.plotting.context import FigureContext
from analysis.stats.disclosure import THRESHOLD, count_text
from analysis.subjects.training import BunchingTest, distribution_bins

SOURCE = "training_credits, officer_roster"


def _average_histogram(ctx: FigureContext, values: pd.Series, pass_mark: float, what: str, stem: str, width: int):
    below = int((values < pass_mark).sum())
    fig = distributions.cutoff_histogram(
        distribution_bins(values, lo=40, hi=100, width=width, anchor=pass_mark),
        pass_mark,
        xlabel=f"{what[0].upper() + what[1:]} (points)",
        ylabel="Officers",
        width=width,
    )
    title = f"{count_text(below)} officers' {what} fell below the pass mark of {pass_mark:g}"
    return ctx.finish(
        fig,
        stem,
        title=title,
        caption=f"Officers per {width}-point band of the {what}; red bands are below the pass mark; bands with "
        f"{fewer_than(THRESHOLD)} officers are not drawn.",
        n=f"{count_text(len(values))} officers",
        source=SOURCE,
        alt=title,  # provisional: the finding in words, with its numbers, replaces it
        data=None,
    )


def annual_averages_figure(ctx: FigureContext, annual: pd.DataFrame, pass_mark: float) -> dict:
    """Officers' annual averages (:func:`analysis.subjects.training.annual_averages`) in 2-point bands."""
    return _average_histogram(ctx, annual["average"], pass_mark, "annual average", "training_annual_averages", 2)


def may_scores_figure(ctx: FigureContext, may: pd.DataFrame, pass_mark: float) -> dict:
    """Cadre candidates' January-May averages (:func:`analysis.subjects.training.may_scores`) in 5-point bands."""
    what = "January-May average of cadre candidates"
    return _average_histogram(ctx, may["average"], pass_mark, what, "training_may_scores", 5)


def score_bunching_figure(ctx: FigureContext, credits: pd.DataFrame, bunching: BunchingTest) -> dict:
    """Course results per score point around the pass mark, titled with the bunching test."""
    fig = distributions.cutoff_histogram(
        distribution_bins(credits["score"], lo=40, hi=100),
        bunching.cutoff,
        xlabel="Course score (points)",
        ylabel="Course results",
    )
    p = p_value(bunching.p_value, digits=2, significant=True, floor=None)
    title = (
        f"{count(bunching.at)} course scores sit at exactly {bunching.cutoff:g}, against "
        f"{count(bunching.below)} one point below (exact binomial {p})"
    )
    return ctx.finish(
        fig,
        "training_score_bunching",
        title=title,
        caption="Course results per score point; the dashed line is the pass mark; points with "
        f"{fewer_than(THRESHOLD)} results are not drawn.",
        n=f"{count(len(credits))} course results",
        source="training_credits",
        alt=title,  # provisional: the finding in words, with its numbers, replaces it
        data=None,
    )


def funnel_figure(ctx: FigureContext, table: pd.DataFrame, pass_mark: float) -> dict:
    """Units' course results at or above the mark (:func:`analysis.subjects.training.unit_funnel_table`)."""
    fig = funnel.funnel_figure(
        table, ylabel=f"Course results at or above {pass_mark:g}", xlabel="Course results in the unit"
    )
    title = funnel.funnel_title(table, "Course results at or above the pass mark")
    return ctx.finish(
        fig,
        "training_funnel",
        title=title,
        caption=funnel.funnel_caption(table),
        n=f"{count(table['n'].sum())} in {len(table)} units",
        source=SOURCE,
        alt=title,  # provisional: the finding in words, with its numbers, replaces it
        data=None,
    )
