"""The opinions notebook's figures: Pareto of categories, time to rectification."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.core.text import count, duration, p_value, percent
from analysis.plotting.context import FigureContext
from analysis.plotting.km import km_plot
from analysis.plotting.pareto import pareto
from analysis.subjects.opinions import RECEIPT, TimeToRectification, clock_name

SOURCE_OPINIONS = "opinions register (suggestions merged into opinions) and rectification ledger"


def pareto_figure(ctx: FigureContext, shares: pd.DataFrame) -> dict:
    """Opinions per area in Pareto order (:func:`analysis.subjects.opinions.category_shares`)."""
    fig = pareto(shares, label="label", count="opinions")
    top = shares.iloc[0]
    two = shares["cumulative_share"].iloc[min(1, len(shares) - 1)]
    title = (
        f"{top['label']} drew the most opinions ({count(top['opinions'])}, {percent(top['share'], 0)}); "
        f"the top two areas hold {percent(two, 0)} in {ctx.where}"
    )
    return ctx.finish(
        fig,
        "opinions_pareto",
        title=title,
        n=f"{count(shares['opinions'].sum())} merged opinions",
        caption="Bars: merged opinions per area; whiskers: Goodman 95% simultaneous intervals for the shares, drawn "
        "as counts; line: cumulative share.",
        source=SOURCE_OPINIONS,
        alt=title,  # provisional: the finding in words, with its numbers, replaces it
        data=None,
    )


def km_figure(
    ctx: FigureContext,
    ttr: TimeToRectification,
    status: pd.DataFrame,
    categories: pd.Series,
    cutoff: str,
    labels: dict[str, str],
) -> dict:
    """Share of opinions still open by days on the ttr's clock (from receipt or from the plan), all and per area."""
    on_clock = status[ttr.column].notna().to_numpy()
    days = status[ttr.column].to_numpy(dtype=float)[on_clock]
    cats = categories.to_numpy()[on_clock]
    curves = {"All opinions": ttr.km}
    durations = {"All opinions": days}
    for cat, r in ttr.by_category.items():
        name = labels.get(cat, cat)
        curves[name] = r.km
        durations[name] = days[cats == cat]
    step = 30 if days.max() <= 240 else 60
    times = list(range(0, int(days.max()) + 1, step))
    fig = km_plot(
        curves,
        times,
        durations=durations,
        xlabel=clock_name(ttr.clock).capitalize(),
        ylabel="Opinions not yet rectified (%)",
        band=True,
    )
    m = ttr.median
    med = (
        "not reached"
        if not np.isfinite(m.median)
        else f"{duration(m.median)} days (95% CI {duration(m.ci_low)} to {duration(m.ci_high)})"
    )
    lr = ttr.logrank
    tail = (
        f"; areas differ (log-rank {p_value(lr.p_value, digits=2, significant=True, floor=None)})"
        if lr and lr.p_value < 0.05
        else ("; no clear difference between areas" if lr else "")
    )
    since = "of being received" if ttr.clock == RECEIPT else "of their plan"
    title = f"Half of the opinions were rectified within {med} {since} in {ctx.where}{tail}"
    return ctx.finish(
        fig,
        "opinions_km",
        title=title,
        n=f"{count(ttr.n)} opinions, {count(ttr.events)} rectified by {cutoff}",
        caption=f"Kaplan-Meier estimate; opinions still open are censored at the cut-off {cutoff}. Band: 95% "
        "interval (log, Greenwood) for all opinions and each area.",
        source=SOURCE_OPINIONS,
        alt=title,  # provisional: the finding in words, with its numbers, replaces it
        data=None,
    )
