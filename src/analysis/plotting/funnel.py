"""Funnel plot: unit proportions against their size, with exact binomial 95% and 99.8% limits."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from analysis.core.text import fewer_than, percent
from analysis.i18n import _, label
from analysis.plotting.theme import PALETTE, SIGNAL
from analysis.stats.disclosure import THRESHOLD
from analysis.stats.funnel import funnel_limits


def funnel_title(table: pd.DataFrame, what: str) -> str:
    """What a unit funnel shows: how many of the units drawn differ from the bureau rate (Holm), or why it is empty.

    Only drawn units are counted: a unit withheld by the disclosure rule is neither shown nor named
    as different (saying so would reveal that almost all of its officers passed or failed).
    """
    shown = table[table["shown"].astype(bool)]
    withheld = len(table) - len(shown)
    if shown.empty:
        return _("{what}: no unit can be drawn; in every unit {fewer_than} officers were on one side").format(
            what=what, fewer_than=fewer_than(THRESHOLD)
        )
    flagged = int(shown["flag"].astype(bool).sum())
    if flagged:
        head = _("{what}: {k} of the {n} units drawn differ from the bureau rate after Holm correction").format(
            what=what, k=flagged, n=len(shown)
        )
    else:
        head = _("{what}: none of the {n} units drawn differs from the bureau rate beyond chance (Holm)").format(
            what=what, n=len(shown)
        )
    if withheld:
        head += _("; {k} not drawn").format(k=withheld)
    return head


def funnel_caption(table: pd.DataFrame) -> str:
    """The limits, and how many units are withheld by the disclosure rule."""
    withheld = int((~table["shown"].astype(bool)).sum())
    return _(
        "Exact binomial 95% and 99.8% limits around the bureau rate (Spiegelhalter 2005). {withheld} of {n} units are "
        "not drawn because {fewer_than} were on one side (an 'all passed' unit would expose its officers)."
    ).format(withheld=withheld, n=len(table), fewer_than=fewer_than(THRESHOLD))


def funnel_alt(table: pd.DataFrame, what: str) -> str:
    """The funnel's finding in words for readers who cannot see it: the bureau rate, the units drawn and flagged."""
    shown = table[table["shown"].astype(bool)]
    flagged = shown[shown["flag"].astype(bool)]
    names = _(", ").join(label("unit", u) for u in flagged["unit"]) if len(flagged) else _("none")
    return _(
        "{what}. Bureau rate {rate}; {n} units drawn, {k} outside the limits after Holm correction ({names}); "
        "{withheld} units not drawn (disclosure)."
    ).format(
        what=what,
        rate=percent(float(table["target"].iloc[0])),
        n=len(shown),
        k=len(flagged),
        names=names,
        withheld=len(table) - len(shown),
    )


def funnel_figure(
    table: pd.DataFrame,
    *,
    ylabel: str,
    xlabel: str | None = None,
    label_kind: str = "unit",
    target_words: str | None = None,
    point_words: str | None = None,
    flag_words: str | None = None,
) -> plt.Figure:
    """Draw units (rows of :func:`analysis.stats.funnel.unit_funnel` with a boolean ``shown``) on a funnel.

    Units with ``shown`` False (disclosure) are left out of the plot; their count goes in the caption.
    Unit names are not printed on the plot, only the points (flagged units in the signal colour).
    ``label_kind`` names the flagged points (label table kind; "county" on the province funnels),
    ``target_words`` the line (default "bureau rate {rate}"), ``point_words`` and ``flag_words`` the points' legend.
    """
    fig, ax = plt.subplots()
    target = float(table["target"].iloc[0])
    n_max = max(int(table["n"].max() * 1.15), 10)
    n_min = max(2, int(table["n"].min() * 0.5))
    grid = funnel_limits(np.unique(np.linspace(n_min, n_max, 120).astype(int)), target)
    line = target_words or _("bureau rate {rate}").format(rate=percent(target))
    ax.axhline(target, color="#404040", lw=1, label=line)
    for level, style in (("95", "--"), ("99.8", ":")):
        ax.plot(
            grid["n"],
            grid[f"lower_{level}"],
            style,
            color=PALETTE[0],
            lw=1,
            label=_("{level}% limits").format(level=level),
        )
        ax.plot(grid["n"], grid[f"upper_{level}"], style, color=PALETTE[0], lw=1)
    shown = table[table["shown"]]
    flagged = shown["flag"].astype(bool)
    ax.scatter(
        shown.loc[~flagged, "n"],
        shown.loc[~flagged, "rate"],
        color=PALETTE[1],
        zorder=3,
        label=point_words or _("unit"),
    )
    if flagged.any():
        ax.scatter(
            shown.loc[flagged, "n"],
            shown.loc[flagged, "rate"],
            color=SIGNAL,
            marker="D",
            zorder=4,
            label=flag_words or _("unit flagged (Holm-adjusted p < 0.05)"),
        )
    # Only flagged units are named: the rest are, by the funnel's own logic, not different.
    for row in shown[flagged].itertuples():
        ax.annotate(
            label(label_kind, row.unit), (row.n, row.rate), fontsize=7, xytext=(4, -3), textcoords="offset points"
        )
    if shown.empty:
        ax.text(0.5, 0.5, _("No unit can be drawn (disclosure)"), transform=ax.transAxes, ha="center", color="#404040")
    ax.set_xlabel(xlabel or _("Officers in the unit"))
    ax.set_ylabel(ylabel)
    low = min(grid["lower_99.8"].min(), shown["rate"].min() if len(shown) else target)
    high = max(grid["upper_99.8"].max(), shown["rate"].max() if len(shown) else target)
    ax.set_ylim(max(-0.02, low - 0.05), min(1.02, high + 0.05))
    ax.yaxis.set_major_formatter(plt.matplotlib.ticker.PercentFormatter(1.0))
    ax.legend(fontsize=7, loc="best", framealpha=0.8)
    return fig
