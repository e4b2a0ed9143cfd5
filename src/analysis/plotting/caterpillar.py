"""Caterpillar chart: every unit's estimate against the whole, sorted, with (multiplicity-adjusted) intervals."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from analysis.plotting.theme import PALETTE, SIGNAL


def caterpillar(
    frame: pd.DataFrame,
    *,
    label: str,
    estimate: str,
    low: str,
    high: str,
    xlabel: str,
    scale: float = 1.0,
    reference: float = 0.0,
    reference_label: str | None = None,
    ax: plt.Axes | None = None,
) -> plt.Figure:
    """Units sorted by ``estimate`` (largest at the top), whiskers ``low``-``high``, a line at ``reference``.

    Units whose interval lies wholly on one side of the reference are drawn in the signal colour:
    the chart compares every unit with the whole at once, never the top with the bottom.
    ``scale`` multiplies the values for display (100 for proportions or differences in points).
    """
    for c in (label, estimate, low, high):
        if c not in frame.columns:
            raise KeyError(f"column {c!r} not in the frame")
    if frame.empty:
        raise ValueError("no units to draw")
    f = frame.sort_values(estimate, ascending=True, kind="stable")
    est, lo, hi = (f[c].to_numpy(dtype=float) * scale for c in (estimate, low, high))
    ref = reference * scale
    outside = (lo > ref) | (hi < ref)
    fig, ax = plt.subplots(figsize=(8, 0.45 * len(f) + 2.6)) if ax is None else (ax.figure, ax)
    y = np.arange(len(f))
    for flag, colour in ((False, PALETTE[0]), (True, SIGNAL)):
        m = outside == flag
        if m.any():
            ax.errorbar(est[m], y[m], xerr=[est[m] - lo[m], hi[m] - est[m]], fmt="o", color=colour, capsize=3)
    ax.axvline(ref, color="#404040", linestyle="--", linewidth=1, label=reference_label)
    if reference_label:
        ax.legend(loc="lower right", fontsize=8, frameon=False)
    ax.set_yticks(y, f[label].astype(str).tolist())
    ax.set_xlabel(xlabel)
    ax.grid(axis="y", visible=False)
    return fig
