"""Kaplan-Meier curves (here: share still open) with an at-risk table under the axis."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from analysis.i18n import _
from analysis.plotting.theme import PALETTE


def _steps(km: pd.DataFrame, column: str):
    x = np.concatenate([[0.0], km["time"].to_numpy(dtype=float)])
    y = np.concatenate([[1.0], km[column].to_numpy(dtype=float)])
    return x, y


def km_plot(
    curves: dict[str, pd.DataFrame],
    times_at,
    *,
    durations: dict[str, np.ndarray],
    xlabel: str,
    ylabel: str,
    band: bool = True,
) -> plt.Figure:
    """Step curves of ``surv`` (with the log-interval band when ``band``), at-risk counts below.

    ``curves``: label -> survival.kaplan_meier frame; ``durations``: label -> observed times,
    for the at-risk counts at ``times_at``.
    """
    if not curves:
        raise ValueError("no curves to draw")
    fig, (ax, tab) = plt.subplots(
        2,
        1,
        figsize=(9, 5.5 + 0.2 * len(curves)),
        sharex=True,
        gridspec_kw={"height_ratios": [4, 0.5 + 0.25 * len(curves)]},
    )
    for i, (name, km) in enumerate(curves.items()):
        colour = PALETTE[i % len(PALETTE)]
        x, y = _steps(km, "surv")
        ax.step(x, y * 100, where="post", color=colour, label=name)
        if band:
            lo = _steps(km, "lower")[1]
            hi = _steps(km, "upper")[1]
            ax.fill_between(x, lo * 100, hi * 100, step="post", color=colour, alpha=0.15, linewidth=0)
    ax.axhline(50, color="#808080", linestyle=":", linewidth=1)
    ax.set_ylabel(ylabel)
    ax.set_ylim(0, 102)
    ax.legend(fontsize=8, frameon=False, loc="upper right")
    tab.set_ylim(-0.5, len(curves) - 0.5)
    for i, name in enumerate(curves):
        t = np.asarray(durations[name], dtype=float)
        for u in times_at:
            tab.text(u, len(curves) - 1 - i, str(int((t >= u).sum())), ha="center", va="center", fontsize=8)
    tab.set_yticks(range(len(curves))[::-1], [f"{n}" for n in curves], fontsize=9)
    tab.set_title(_("Number still open (at risk)"), fontsize=8, loc="left")
    tab.grid(False)
    tab.tick_params(axis="x", length=0)
    for side in ("top", "right", "left"):
        tab.spines[side].set_visible(False)
    tab.set_xticks(list(times_at))
    tab.set_xlabel(xlabel)
    return fig
