"""The training notebook's figures: score distributions against the pass mark, bunching, the unit funnel.

Each is titled with what it shows, worded through the catalog, with alt text and the chart's data;
bins and points with fewer than 10 officers are not drawn (and their counts are left out of the data).
"""

from __future__ import annotations

import pandas as pd

from analysis.core.text import count, fewer_than, p_value
from analysis.i18n import _
from analysis.plotting import distributions, funnel
from analysis.plotting.context import FigureContext
from analysis.present.blocks import scope_words
from analysis.stats.disclosure import THRESHOLD, count_text
from analysis.subjects.training import BunchingTest, distribution_bins


def source() -> str:
    return _("training credits and officer roster")


def _protected_bins(bins: pd.DataFrame) -> pd.DataFrame:
    """Bins as the chart draws them: counts below the threshold left out (not zero: unknown)."""
    return bins.assign(count=bins["count"].where(bins["count"] >= THRESHOLD))


def _average_histogram(ctx: FigureContext, values: pd.Series, pass_mark: float, what: str, stem: str, width: int):
    below = int((values < pass_mark).sum())
    bins = distribution_bins(values, lo=40, hi=100, width=width, anchor=pass_mark)
    fig = distributions.cutoff_histogram(
        bins, pass_mark, xlabel=_("{what} (points)").format(what=what), ylabel=_("Officers"), width=width
    )
    title = _("{below} officers' {what} fell below the pass mark of {mark:g} in {where}").format(
        below=count_text(below), what=what, mark=pass_mark, where=scope_words(ctx.scope, "unit")
    )
    above = len(values) - below
    if min(below, above) < THRESHOLD:
        # The total is printed under the chart: one side shown would give the hidden side back.
        alt = _(
            "Officers per {width}-point band of the {what}: {below} below the pass mark of {mark:g}, the rest at or "
            "above it."
        ).format(width=width, what=what, below=count_text(below) if below < THRESHOLD else _("most"), mark=pass_mark)
    else:
        alt = _(
            "Officers per {width}-point band of the {what}: {below} below the pass mark of {mark:g}, {above} at or "
            "above it."
        ).format(width=width, what=what, below=count_text(below), mark=pass_mark, above=count_text(above))
    return ctx.finish(
        fig,
        stem,
        title=title,
        caption=_(
            "Officers per {width}-point band of the {what}; red bands are below the pass mark; bands with {fewer} "
            "officers are not drawn."
        ).format(width=width, what=what, fewer=fewer_than(THRESHOLD)),
        n=_("{n} officers").format(n=count_text(len(values))),
        source=source(),
        alt=alt,
        data=_protected_bins(bins),
    )


def annual_averages_figure(ctx: FigureContext, annual: pd.DataFrame, pass_mark: float) -> dict:
    """Officers' annual averages (:func:`analysis.subjects.training.annual_averages`) in 2-point bands."""
    return _average_histogram(ctx, annual["average"], pass_mark, _("annual average"), "training_annual_averages", 2)


def may_scores_figure(ctx: FigureContext, may: pd.DataFrame, pass_mark: float) -> dict:
    """Cadre candidates' January-May averages (:func:`analysis.subjects.training.may_scores`) in 5-point bands."""
    what = _("January-May average of cadre candidates")
    return _average_histogram(ctx, may["average"], pass_mark, what, "training_may_scores", 5)


def score_bunching_figure(ctx: FigureContext, credits: pd.DataFrame, bunching: BunchingTest) -> dict:
    """Course results per score point around the pass mark, titled with the bunching test."""
    bins = distribution_bins(credits["score"], lo=40, hi=100)
    fig = distributions.cutoff_histogram(
        bins, bunching.cutoff, xlabel=_("Course score (points)"), ylabel=_("Course results")
    )
    p = p_value(bunching.p_value, digits=2, significant=True, floor=None)
    title = _(
        "{at} course scores sit at exactly {mark:g}, against {below} one point below (exact binomial {p})"
    ).format(at=count(bunching.at), mark=bunching.cutoff, below=count(bunching.below), p=p)
    alt = _(
        "Course results per score point from 40 to 100: {at} at exactly {mark:g} against {below} at {just_below:g}, "
        "an excess at the pass mark (exact binomial {p})."
    ).format(
        at=count(bunching.at),
        mark=bunching.cutoff,
        below=count(bunching.below),
        just_below=bunching.cutoff - bunching.width,
        p=p,
    )
    return ctx.finish(
        fig,
        "training_score_bunching",
        title=title,
        caption=_(
            "Course results per score point; the dashed line is the pass mark; points with {fewer} results are not "
            "drawn."
        ).format(fewer=fewer_than(THRESHOLD)),
        n=_("{n} course results").format(n=count(len(credits))),
        source=_("training credits"),
        alt=alt,
        data=_protected_bins(bins),
    )


def funnel_figure(ctx: FigureContext, table: pd.DataFrame, pass_mark: float) -> dict:
    """Units' course results at or above the mark (:func:`analysis.subjects.training.unit_funnel_table`)."""
    ylabel = _("Course results at or above {mark:g}").format(mark=pass_mark)
    fig = funnel.funnel_figure(table, ylabel=ylabel, xlabel=_("Course results in the unit"))
    what = _("Course results at or above the pass mark")
    shown = table[table["shown"].astype(bool)]
    return ctx.finish(
        fig,
        "training_funnel",
        title=funnel.funnel_title(table, what),
        caption=funnel.funnel_caption(table),
        n=_("{n} course results in {k} units").format(n=count(table["n"].sum()), k=len(table)),
        source=source(),
        alt=funnel.funnel_alt(table, what),
        data=shown[["unit", "n", "successes", "rate", "target", "zone", "p_adjusted", "flag"]],
    )
