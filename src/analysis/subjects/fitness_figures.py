"""The fitness notebook's figures: each finished with a title that states what the data show."""

from __future__ import annotations

import pandas as pd

from analysis.core.text import count, fewer_than, percent
from analysis.plotting import control_charts, funnel, pass_rates
from analysis.plotting.context import FigureContext
from analysis.stats.disclosure import THRESHOLD

SOURCE = "fitness_tests, officer_roster"


def rates_figure(ctx: FigureContext, rates: pd.DataFrame) -> dict:
    """Pass rate per round under both denominators (:func:`analysis.subjects.fitness.pass_rates`)."""
    b, f = rates.iloc[0], rates.iloc[-1]
    title = (
        f"Pass rate went from {percent(b['rate_tested'], 0)} to {percent(f['rate_tested'], 0)} of officers tested "
        f"({percent(b['rate_roster'], 0)} to {percent(f['rate_roster'], 0)} of all officers on the roster)"
    )
    return ctx.finish(
        pass_rates.rates_figure(rates),
        "fitness_pass_rates",
        title=title,
        caption="Officers passing every item; bars are 95% Wilson intervals. Untested officers (exempt, absent, "
        "no record) count as not passed under the roster denominator.",
        n=f"{count(b['on_roster'])} to {count(f['on_roster'])} officers on the roster per round",
        source=SOURCE,
        alt=title,  # provisional: the finding in words, with its numbers, replaces it
        data=None,
    )


def item_failures_figure(ctx: FigureContext, change: pd.DataFrame) -> dict:
    """Share failing each item, baseline against final (:func:`analysis.subjects.fitness.item_failure_change`)."""
    top = change.sort_values("fail_share_baseline", ascending=False).iloc[0]
    title = (
        f"At baseline the most failed item was {top['item']} ({percent(top['fail_share_baseline'], 0)} of those tested)"
    )
    return ctx.finish(
        pass_rates.item_failures_figure(change),
        "fitness_item_failures",
        title=title,
        caption="Share of tested officers failing each item in the baseline and final rounds; shares resting on "
        f"{fewer_than(THRESHOLD)} failures are not drawn.",
        n=f"{count(change['tested_baseline'].max())} tested at baseline, {count(change['tested_final'].max())} in "
        "the final round",
        source="fitness_tests",
        alt=title,  # provisional: the finding in words, with its numbers, replaces it
        data=None,
    )


def p_chart_figure(ctx: FigureContext, chart: pd.DataFrame) -> dict:
    """p-chart of the rounds (:func:`analysis.subjects.fitness.round_p_chart`)."""
    k = int(chart["beyond_limits"].sum())
    title = (
        f"{k} of {len(chart)} test rounds fall outside the p-chart limits: the rise is a real shift, not "
        "round-to-round noise"
        if k
        else "Every round lies within the p-chart limits: no shift beyond round-to-round noise"
    )
    fig = control_charts.p_chart_figure(chart, label="round", xlabel="Test round", ylabel="Officers tested who passed")
    return ctx.finish(
        fig,
        "fitness_p_chart",
        title=title,
        caption="p-chart of the pass rate per round (denominator: officers tested), centre = pooled rate over all "
        "rounds, 3-sigma binomial limits for each round's size.",
        n=f"{count(chart['n'].sum())} officer-tests in {len(chart)} rounds",
        source="fitness_tests",
        alt=title,  # provisional: the finding in words, with its numbers, replaces it
        data=None,
    )


def funnel_figure(ctx: FigureContext, table: pd.DataFrame, which: str, round_: int) -> dict:
    """Units of one round on a funnel (:func:`analysis.subjects.fitness.unit_funnel_table`).

    ``which`` is 'baseline' or 'final'."""
    fig = funnel.funnel_figure(table, ylabel="Officers tested who passed", xlabel="Officers tested in the unit")
    title = funnel.funnel_title(table, f"Round {round_} ({which})")
    return ctx.finish(
        fig,
        f"fitness_funnel_{which}",
        title=title,
        caption=funnel.funnel_caption(table),
        n=f"{count(table['n'].sum())} in {len(table)} units",
        source=SOURCE,
        alt=title,  # provisional: the finding in words, with its numbers, replaces it
        data=None,
    )
