"""Fitness pass rates per round under both denominators, with Wilson intervals."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from analysis.core.text import fewer_than
from analysis.i18n import _, label
from analysis.plotting.theme import PALETTE
from analysis.stats.disclosure import THRESHOLD


def rates_figure(rates: pd.DataFrame) -> plt.Figure:
    """Pass rate per round: of officers tested, and of all officers on the roster (untested = not passed)."""
    fig, ax = plt.subplots()
    x = np.arange(len(rates))
    for offset, key, colour, name in (
        (-0.08, "tested", PALETTE[0], _("of officers tested")),
        (0.08, "roster", PALETTE[1], _("of all officers on the roster")),
    ):
        rate = rates[f"rate_{key}"]
        # Clip float noise (a Wilson limit can sit 1e-16 inside the estimate at 0% or 100%).
        err = np.clip(np.vstack([rate - rates[f"rate_{key}_low"], rates[f"rate_{key}_high"] - rate]), 0, None)
        ax.errorbar(x + offset, rate, yerr=err, fmt="-o", color=colour, capsize=3, label=name)
    ticks = [
        _("round {round}\n{date}").format(round=r, date=f"{d:%Y-%m-%d}") for r, d in zip(rates["round"], rates["date"])
    ]
    ax.set_xticks(x, ticks, fontsize=8)
    ax.set_ylabel(_("Officers passing every item"))
    ax.set_ylim(0, 1.05)
    ax.yaxis.set_major_formatter(plt.matplotlib.ticker.PercentFormatter(1.0))
    ax.legend(fontsize=8, loc="upper left")
    return fig


def item_failures_figure(change: pd.DataFrame) -> plt.Figure:
    """Share of tested officers failing each item, baseline against final round.

    A share resting on fewer failures than the disclosure threshold is not drawn (marked so).
    """
    fig, ax = plt.subplots()
    y = np.arange(len(change))
    for offset, key, colour, name in (
        (0.2, "baseline", PALETTE[1], _("baseline round")),
        (-0.2, "final", PALETTE[0], _("final round")),
    ):
        small = change[f"failed_{key}"] < THRESHOLD
        ax.barh(y + offset, change[f"fail_share_{key}"].where(~small, 0), height=0.4, color=colour, label=name)
        for yi, is_small in zip(y, small):
            if is_small:
                words = _("{fewer_than} failed").format(fewer_than=fewer_than(THRESHOLD))
                ax.text(0.002, yi + offset, words, va="center", fontsize=7, color="#404040")
    ax.set_yticks(y, [label("fitness_item", i) for i in change["item"]])
    ax.set_xlabel(_("Officers tested who failed the item"))
    ax.xaxis.set_major_formatter(plt.matplotlib.ticker.PercentFormatter(1.0))
    ax.legend(fontsize=8)
    return fig
