"""Funnel plot: unit proportions against their size, with exact binomial 95% and 99.8% limits."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from analysis.core.text import fewer_than, percent
from analysis.plotting.theme import PALETTE, SIGNAL
from analysis.stats.disclosure import THRESHOLD
from analysis.stats.funnel import funnel_limits


def funnel_title(table: pd.DataFrame, what: str) -> str:
    """The finding of a unit funnel: how many units differ from the bureau rate after Holm correction."""
    flagged = int(table["flag"].sum())
    return (
        f"{what}: {flagged} of {len(table)} units differ from the bureau rate after Holm correction"
        if flagged
        else f"{what}: no unit differs from the bureau rate beyond chance (Holm-corrected)"
    )


def funnel_caption(table: pd.DataFrame) -> str:
    """The limits, and how many units are withheld by the disclosure rule."""
    withheld = int((~table["shown"]).sum())
    return (
        "Exact binomial 95% and 99.8% limits around the bureau rate (Spiegelhalter 2005). "
        f"{withheld} of {len(table)} units are not drawn because {fewer_than(THRESHOLD)} were on one side "
        "(an 'all passed' unit would expose its officers)."
    )


def funnel_figure(table: pd.DataFrame, *, ylabel: str, xlabel: str = "Officers in the unit") -> plt.Figure:
    """Draw units (rows of :func:`analysis.stats.funnel.unit_funnel` with a boolean ``shown``) on a funnel.

    Units with ``shown`` False (disclosure) are left out of the plot; their count goes in the caption.
    Unit names are not printed on the plot, only the points (flagged units in the signal colour).
    """
    fig, ax = plt.subplots()
    target = float(table["target"].iloc[0])
    n_max = max(int(table["n"].max() * 1.15), 10)
    n_min = max(2, int(table["n"].min() * 0.5))
    grid = funnel_limits(np.unique(np.linspace(n_min, n_max, 120).astype(int)), target)
    ax.axhline(target, color="#404040", lw=1, label=f"bureau rate {percent(target)}")
    for level, style in (("95", "--"), ("99.8", ":")):
        ax.plot(grid["n"], grid[f"lower_{level}"], style, color=PALETTE[0], lw=1, label=f"{level}% limits")
        ax.plot(grid["n"], grid[f"upper_{level}"], style, color=PALETTE[0], lw=1)
    shown = table[table["shown"]]
    flagged = shown["flag"].astype(bool)
    ax.scatter(shown.loc[~flagged, "n"], shown.loc[~flagged, "rate"], color=PALETTE[1], zorder=3, label="unit")
    if flagged.any():
        ax.scatter(
            shown.loc[flagged, "n"],
            shown.loc[flagged, "rate"],
            color=SIGNAL,
            marker="D",
            zorder=4,
            label="unit flagged (Holm-adjusted p < 0.05)",
        )
    # Only flagged units are named: the rest are, by the funnel's own logic, not different.
    for row in shown[flagged].itertuples():
        ax.annotate(str(row.unit), (row.n, row.rate), fontsize=7, xytext=(4, -3), textcoords="offset points")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    low = min(grid["lower_99.8"].min(), shown["rate"].min() if len(shown) else target)
    high = max(grid["upper_99.8"].max(), shown["rate"].max() if len(shown) else target)
    ax.set_ylim(max(-0.02, low - 0.05), min(1.02, high + 0.05))
    ax.yaxis.set_major_formatter(plt.matplotlib.ticker.PercentFormatter(1.0))
    ax.legend(fontsize=7, loc="best", framealpha=0.8)
    return fig
