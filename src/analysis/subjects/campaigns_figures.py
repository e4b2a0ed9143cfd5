"""Figures of the campaign report: monthly series, the violations-per-deployment ratio, campus before/after.

Each ``*_figure(ctx, ...)`` draws, titles with the finding and finishes through the figure context.
"""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from analysis.core.text import count
from analysis.plotting.context import FigureContext
from analysis.plotting.theme import PALETTE
from analysis.subjects.campaigns import activity_pattern

SOURCE = "campaign activity ledger (campaign_activities), windows from the work report"

ACTIVITY_LABELS = {
    "open_letters": "open letters (copies)",
    "cartoons": "cartoons (posters)",
    "officer_times": "officer-times",
    "violations": "violations handled",
    "unstable_factors_resolved": "unstable factors resolved",
    "hazards_rectified": "hazards rectified",
    "booths_banned": "booths banned",
    "campus_posts": "campus police posts",
    "alarm_points": "alarm points",
    "infrared_systems": "infrared systems",
    "legal_vice_principals": "legal vice-principals",
    "items_handled": "items handled",
    "items_completed": "items completed",
    "yuan_saved": "yuan saved",
    "ranks_resolved": "ranks resolved",
    "trip_participants": "trip participants",
}


def label(activity: str) -> str:
    return ACTIVITY_LABELS.get(activity, activity.replace("_", " "))


def scope_text(ctx: FigureContext) -> str:
    """The rows a figure covers, in words: 'the county', or 'Anyi (its police station's rows)'."""
    # A district's ledger rows are its police station's (county-wide units belong to no district).
    return ctx.where if ctx.scope is None else f"{ctx.scope} (its police station's rows)"


def _monthly_bars(series: pd.DataFrame, campaign: str) -> plt.Figure:
    """One small bar chart per activity of ``campaign``: quantity per month (own y scale each)."""
    s = series[series["campaign"] == campaign]
    acts = sorted(s["activity"].unique())
    if not acts:
        raise ValueError(f"no ledger rows for campaign {campaign!r}")
    ncols = min(3, len(acts))
    nrows = math.ceil(len(acts) / ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(4 * ncols, 2.8 * nrows + 1), squeeze=False)
    for ax, act in zip(axes.flat, acts):
        d = s[s["activity"] == act]
        ax.bar(d["month"].astype(str), d["quantity"].astype(float), color=PALETTE[0])
        ax.set_title(label(act), fontsize=10, fontweight="normal")
        ax.set_xlabel("month")
        ax.set_ylabel("count per month")
        ax.tick_params(axis="x", rotation=90, labelsize=7)
    for ax in list(axes.flat)[len(acts) :]:
        ax.set_visible(False)
    return fig


def _ratio_line(monthly: pd.DataFrame, ylabel: str) -> plt.Figure:
    """A monthly ratio (e.g. violations per officer-time) as a line, months without a denominator left out."""
    fig, ax = plt.subplots()
    d = monthly.dropna(subset=["value"])
    ax.plot(d["month"].astype(str), d["value"].astype(float), marker="o", color=PALETTE[1])
    ax.set_xlabel("month")
    ax.set_ylabel(ylabel)
    top = float(d["value"].max()) if len(d) else 1.0
    ax.set_ylim(0, top * 1.15 if top > 0 else 1.0)
    ax.tick_params(axis="x", rotation=90)
    return fig


def _before_after_bars(table: pd.DataFrame) -> plt.Figure:
    """Counts in the window and in the same number of days before it, side by side per activity."""
    fig, ax = plt.subplots(figsize=(8, 0.5 * len(table) + 1.5))
    y = np.arange(len(table))
    ax.barh(y + 0.2, table["before"], height=0.4, color=PALETTE[6], label="before the campaign")
    ax.barh(y - 0.2, table["during"], height=0.4, color=PALETTE[0], label="during the campaign")
    ax.set_yticks(y, [label(a) for a in table["activity"]])
    ax.set_xlabel(f"count in {int(table['days'].iloc[0])} days" if len(table) else "count")
    ax.invert_yaxis()
    ax.legend(loc="lower right")
    return fig


def monthly_figure(ctx: FigureContext, series: pd.DataFrame, campaign: str) -> dict:
    """Each activity of ``campaign`` per month (:func:`analysis.subjects.campaigns.monthly_series`)."""
    pattern = activity_pattern(series, campaign)
    steady = int(pattern["every_month"].sum())
    title = f"{campaign.replace('_', ' ').capitalize()}: {steady} of {len(pattern)} activities recorded in every month"
    return ctx.finish(
        _monthly_bars(series, campaign),
        f"50_campaigns_monthly_{campaign}",
        title=title,
        caption=f"Quantity recorded per month in the campaign window, {scope_text(ctx)}; "
        "the first and last months of a window may be partial.",
        n=f"{count(pattern['rows'].sum())} ledger rows",
        source=SOURCE,
        alt=title,  # provisional: the finding in words, with its numbers, replaces it
        data=None,
    )


def violations_per_officer_time_figure(ctx: FigureContext, monthly: pd.DataFrame) -> dict:
    """Traffic violations handled per officer-time, month by month (:func:`analysis.subjects.campaigns.monthly_ratio`).

    Needs at least one month with deployments (a value that is not NA).
    """
    known = monthly.dropna(subset=["value"])
    if known.empty:
        raise ValueError("no month with traffic deployments: nothing to draw")
    low, high = monthly.loc[monthly["value"].idxmin()], monthly.loc[monthly["value"].idxmax()]
    title = f"Violations per officer-time: {low['value']:.1f} to {high['value']:.1f} a month"
    return ctx.finish(
        _ratio_line(monthly, "violations handled per officer-time"),
        "50_campaigns_violations_per_officer_time",
        title=title,
        caption=f"Traffic violations handled divided by officer-times deployed, per month, {scope_text(ctx)}; "
        f"lowest {low['month']}, highest {high['month']}.",
        n=f"{count(monthly['denominator'].sum())} officer-times",
        source=SOURCE,
        alt=title,  # provisional: the finding in words, with its numbers, replaces it
        data=None,
    )


def before_after_figure(ctx: FigureContext, table: pd.DataFrame) -> dict:
    """Counts in the campus window against the days before it (:func:`analysis.subjects.campaigns.before_after`)."""
    if table.empty:
        raise ValueError("no campus activity before or during the campaign: nothing to draw")
    first = table.iloc[0]
    during, before = int(table["during"].sum()), int(table["before"].sum())
    title = f"Campus work: {count(during)} items in the campaign, {count(before)} before it"
    return ctx.finish(
        _before_after_bars(table),
        "50_campaigns_campus_before_after",
        title=title,
        caption=f"Counts per activity, {first['period_before']} against {first['period_during']}, {scope_text(ctx)}.",
        n=f"{count(during + before)} counted items",
        source=SOURCE,
        alt=title,  # provisional: the finding in words, with its numbers, replaces it
        data=None,
    )
