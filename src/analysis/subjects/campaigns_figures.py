"""Figures of the campaign report: monthly series and the campus before/after comparison.

Each function draws and returns a matplotlib figure; the notebook finishes and saves it with
``theme.finish`` (title stating the finding, caption with n and source, demo marker).
"""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from analysis.plotting.theme import PALETTE

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


def monthly_figure(series: pd.DataFrame, campaign: str) -> plt.Figure:
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


def ratio_figure(monthly: pd.DataFrame, ylabel: str) -> plt.Figure:
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


def before_after_figure(table: pd.DataFrame) -> plt.Figure:
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
