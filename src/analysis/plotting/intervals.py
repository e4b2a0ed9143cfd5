"""Estimates with their intervals: dots and whiskers, one row per group."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from analysis.plotting.theme import PALETTE, SIGNAL


def dot_interval(
    frame: pd.DataFrame,
    *,
    label: str,
    estimate: str,
    low: str,
    high: str,
    xlabel: str,
    percent: bool = True,
    reference: float | None = None,
    reference_label: str | None = None,
    annotate: str | None = None,
    ax: plt.Axes | None = None,
) -> plt.Figure:
    """Horizontal dot-and-whisker chart, first row at the top.

    ``percent`` shows proportions as percentages; ``reference`` draws a vertical line (e.g. the
    county figure); ``annotate`` names a column whose text is written right of each whisker.
    """
    for c in (label, estimate, low, high):
        if c not in frame.columns:
            raise KeyError(f"column {c!r} not in the frame")
    k = 100.0 if percent else 1.0
    fig, ax = plt.subplots(figsize=(8, 0.4 * len(frame) + 1.8)) if ax is None else (ax.figure, ax)
    y = np.arange(len(frame))[::-1]
    est, lo, hi = (frame[c].to_numpy(dtype=float) * k for c in (estimate, low, high))
    ax.errorbar(est, y, xerr=[est - lo, hi - est], fmt="o", color=PALETTE[0], ecolor=PALETTE[0], capsize=3)
    if reference is not None:
        ax.axvline(reference * k, color=SIGNAL, linestyle="--", linewidth=1, label=reference_label)
        if reference_label:
            ax.legend(loc="lower right", fontsize=8, frameon=False)
    if annotate:
        for yi, x, text in zip(y, hi, frame[annotate]):
            ax.annotate(str(text), (x, yi), xytext=(4, 0), textcoords="offset points", va="center", fontsize=8)
    ax.set_yticks(y, frame[label].astype(str).tolist())
    ax.set_xlabel(xlabel)
    ax.grid(axis="y", visible=False)
    return fig
