"""Diverging stacked bars of Likert answers (weighted counts), neutral centred on zero."""

from __future__ import annotations

import textwrap

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from analysis.i18n import _
from analysis.i18n import label as code_label
from analysis.plotting.theme import LIKERT_COLOURS

LEVELS = (1, 2, 3, 4, 5)


def likert_bars(
    counts: pd.DataFrame,
    *,
    label: str = "question",
    scale: float = 1000.0,
    unit: str | None = None,
    ax: plt.Axes | None = None,
) -> plt.Figure:
    """One horizontal bar per item: answers 1-2 and half of 3 left of zero, half of 3 and 4-5 right.

    ``counts`` has one row per item with columns 1..5 (weighted counts, e.g. from
    survey.answer_counts) and a ``label`` column; items are drawn in the given order from the
    top.  Lengths are counts / ``scale`` in ``unit`` (default: thousand adults); don't know and blanks
    are not drawn. The answers are named from the label table (``likert_point``).
    """
    missing = [v for v in LEVELS if v not in counts.columns]
    if missing:
        raise KeyError(f"counts lack answer columns {missing}")
    values = counts[list(LEVELS)].to_numpy(dtype=float) / scale
    if (values < 0).any():
        raise ValueError("counts must be non-negative")
    fig, ax = plt.subplots(figsize=(9, 0.45 * len(counts) + 1.8)) if ax is None else (ax.figure, ax)
    y = np.arange(len(counts))[::-1]
    left = -(values[:, 0] + values[:, 1] + values[:, 2] / 2)
    names = [code_label("likert_point", level) for level in LEVELS]
    for k, (colour, name) in enumerate(zip(LIKERT_COLOURS, names)):
        ax.barh(y, values[:, k], left=left, color=colour, edgecolor="white", linewidth=0.5, label=name, height=0.7)
        left = left + values[:, k]
    ax.axvline(0, color="#404040", linewidth=0.8)
    ax.set_yticks(y, [textwrap.fill(str(v), 34) for v in counts[label]], fontsize=9)
    ax.set_xlabel(_("Weighted answers ({unit})").format(unit=unit or _("thousand adults")))
    lim = np.abs(ax.get_xlim()).max()
    ax.set_xlim(-lim, lim)
    ax.xaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{abs(v):,.0f}"))
    ax.legend(
        ncols=5,
        loc="upper center",
        bbox_to_anchor=(0.35, -0.16),
        frameon=False,
        fontsize=7,
        handlelength=1,
        columnspacing=0.8,
    )
    ax.grid(axis="y", visible=False)
    return fig
