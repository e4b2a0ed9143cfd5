"""Control charts: XmR (individuals and moving range) and p-charts, special causes marked."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from analysis.core.text import percent
from analysis.i18n import _
from analysis.plotting.theme import PALETTE, SIGNAL
from analysis.stats.spc import XmRLimits


def xmr_caption() -> str:
    """How an XmR chart is read (its limits and the special-cause rules)."""
    return _(
        "XmR chart: natural process limits = mean +/- 2.66 x mean moving range; red points break a rule "
        "(beyond limits, 2 of 3 beyond 2 sigma, 4 of 5 beyond 1 sigma, run of 8, trend of 6)."
    )


def xmr_title(table: pd.DataFrame, what: str) -> str:
    """The finding of an XmR chart: how many points signal a special cause."""
    k = int(table["any_rule"].sum())
    if k:
        return _("{what}: {k} of {n} points signal a special cause").format(what=what, k=k, n=len(table))
    return _("{what}: stable, no point signals a special cause").format(what=what)


def xmr_figure(table: pd.DataFrame, limits: XmRLimits, *, label: str, ylabel: str) -> plt.Figure:
    """Individuals chart above, moving-range chart below; points breaking any rule in the signal colour."""
    fig, (ax, ax_mr) = plt.subplots(2, 1, sharex=True, figsize=(8, 5.5), height_ratios=(2, 1))
    x = np.arange(len(table))
    ax.plot(x, table["value"], "-o", color=PALETTE[0], ms=4)
    signal = table["any_rule"].astype(bool)
    ax.scatter(x[signal], table.loc[signal, "value"], color=SIGNAL, zorder=3, s=40, label=_("special cause"))
    for value, style in ((limits.centre, "-"), (limits.ucl, "--"), (limits.lcl, "--")):
        ax.axhline(value, ls=style, color="#404040", lw=1)
    for value, text in ((limits.ucl, _("UCL")), (limits.lcl, _("LCL")), (limits.centre, _("mean"))):
        ax.text(x[-1] + 0.6, value, f"{text} {value:.1f}", fontsize=7, va="bottom")
    ax.set_xlim(-0.5, x[-1] + 2.2)
    ax.set_ylabel(ylabel)
    if signal.any():
        ax.legend(fontsize=8, loc="best")
    ax_mr.plot(x, table["moving_range"], "-o", color=PALETTE[2], ms=3)
    ax_mr.axhline(limits.mr_mean, color="#404040", lw=1)
    ax_mr.axhline(limits.mr_ucl, color="#404040", lw=1, ls="--")
    ax_mr.set_ylabel(_("Moving range"))
    ax_mr.set_xticks(x, table[label].astype(str), rotation=45, ha="right", fontsize=8)
    return fig


def p_chart_figure(chart: pd.DataFrame, *, label: str, xlabel: str, ylabel: str) -> plt.Figure:
    """p-chart with stepped 3-sigma limits for varying subgroup sizes."""
    fig, ax = plt.subplots()
    x = np.arange(len(chart))
    ax.plot(x, chart["p"], "-o", color=PALETTE[0], ms=5, label=_("pass rate"))
    out = chart["beyond_limits"].astype(bool)
    ax.scatter(x[out], chart.loc[out, "p"], color=SIGNAL, zorder=3, s=45, label=_("beyond 3-sigma limits"))
    ax.step(x, chart["ucl"], where="mid", ls="--", color="#404040", lw=1, label=_("3-sigma limits"))
    ax.step(x, chart["lcl"], where="mid", ls="--", color="#404040", lw=1)
    ax.axhline(
        chart["centre"].iloc[0],
        color="#404040",
        lw=1,
        label=_("pooled rate {rate}").format(rate=percent(chart["centre"].iloc[0])),
    )
    ax.set_xticks(x, chart[label].astype(str))
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_ylim(-0.02, 1.02)
    ax.yaxis.set_major_formatter(plt.matplotlib.ticker.PercentFormatter(1.0))
    ax.legend(fontsize=8, loc="best")
    return fig
