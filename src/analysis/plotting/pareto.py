"""Pareto chart: categories by count, largest first, with the cumulative share."""

from __future__ import annotations

import textwrap

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from analysis.i18n import _
from analysis.plotting.theme import PALETTE, SIGNAL


def pareto(
    shares: pd.DataFrame,
    *,
    label: str = "label",
    count: str = "opinions",
    low: str | None = "ci_low",
    high: str | None = "ci_high",
    ylabel: str | None = None,
) -> plt.Figure:
    """Bars of ``count`` in the frame's order (sort it first), whiskers from the share interval
    (``low``/``high`` as proportions, drawn as counts), cumulative share on the right axis (%)."""
    fig, ax = plt.subplots(figsize=(8, 4.5))
    x = np.arange(len(shares))
    n = shares[count].sum()
    ax.bar(x, shares[count], color=PALETTE[0], width=0.6)
    if low and high:
        c = shares[count].to_numpy(dtype=float)
        ax.errorbar(x, c, yerr=[c - shares[low] * n, shares[high] * n - c], fmt="none", ecolor="#404040", capsize=4)
    ax.set_xticks(x, [textwrap.fill(str(v), 14) for v in shares[label]])
    ax.set_ylabel(ylabel or _("Opinions (count)"))
    ax.set_xlabel(_("Category (largest first)"))
    ax2 = ax.twinx()
    ax2.plot(x, shares[count].cumsum() / n * 100, color=SIGNAL, marker="o")
    ax2.set_ylim(0, 105)
    ax2.set_ylabel(_("Cumulative share of opinions (%)"))
    ax2.grid(False)
    return fig
