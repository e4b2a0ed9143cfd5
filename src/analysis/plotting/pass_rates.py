"""Fitness pass rates per round under both denominators, with Wilson intervals."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from analysis.plotting.theme import PALETTE


def rates_figure(rates: pd.DataFrame) -> plt.Figure:
    """Pass rate per round: of officers tested, and of all officers on the roster (untested = not passed)."""
    fig, ax = plt.subplots()
    x = np.arange(len(rates))
    for offset, key, colour, label in (
        (-0.08, "tested", PALETTE[0], "of officers tested"),
        (0.08, "roster", PALETTE[1], "of all officers on the roster"),
    ):
        rate = rates[f"rate_{key}"]
        # Clip float noise (a Wilson limit can sit 1e-16 inside the estimate at 0% or 100%).
        err = np.clip(np.vstack([rate - rates[f"rate_{key}_low"], rates[f"rate_{key}_high"] - rate]), 0, None)
        ax.errorbar(x + offset, rate, yerr=err, fmt="-o", color=colour, capsize=3, label=label)
    ax.set_xticks(x, [f"round {r}\n{d:%Y-%m-%d}" for r, d in zip(rates["round"], rates["date"])], fontsize=8)
    ax.set_ylabel("Officers passing every item")
    ax.set_ylim(0, 1.05)
    ax.yaxis.set_major_formatter(plt.matplotlib.ticker.PercentFormatter(1.0))
    ax.legend(fontsize=8, loc="upper left")
    return fig


def item_failures_figure(change: pd.DataFrame, threshold: int = 10) -> plt.Figure:
    """Share of tested officers failing each item, baseline against final round.

    A share resting on fewer than ``threshold`` failures is not drawn (marked "<threshold").
    """
    fig, ax = plt.subplots()
    y = np.arange(len(change))
    for offset, key, colour, label in (
        (0.2, "baseline", PALETTE[1], "baseline round"),
        (-0.2, "final", PALETTE[0], "final round"),
    ):
        small = change[f"failed_{key}"] < threshold
        ax.barh(y + offset, change[f"fail_share_{key}"].where(~small, 0), height=0.4, color=colour, label=label)
        for yi, is_small in zip(y, small):
            if is_small:
                ax.text(0.002, yi + offset, f"fewer than {threshold} failed", va="center", fontsize=7, color="#404040")
    ax.set_yticks(y, change["item"].astype(str))
    ax.set_xlabel("Officers tested who failed the item")
    ax.xaxis.set_major_formatter(plt.matplotlib.ticker.PercentFormatter(1.0))
    ax.legend(fontsize=8)
    return fig


def save_rates(rates: pd.DataFrame, *, figures_dir, synthetic: bool, name: str = "fitness_pass_rates") -> dict:
    """Draw :func:`rates_figure`, title it with the finding, save it (PNG + SVG) and return the paths."""
    from analysis.plotting.theme import finish
    from analysis.plotting.titles import wrap_title

    b, f = rates.iloc[0], rates.iloc[-1]
    title = (
        f"Pass rate went from {b['rate_tested']:.0%} to {f['rate_tested']:.0%} of officers tested "
        f"({b['rate_roster']:.0%} to {f['rate_roster']:.0%} of all officers on the roster)"
    )
    fig = rates_figure(rates)
    return finish(
        fig,
        name,
        title=wrap_title(title),
        caption="Officers passing every item; bars are 95% Wilson intervals. Untested officers (exempt, absent, "
        "no record) count as not passed under the roster denominator.",
        n=f"{int(b['on_roster'])} to {int(f['on_roster'])} officers on the roster per round",
        source="fitness_tests, officer_roster",
        figures_dir=figures_dir,
        synthetic=synthetic,
    )


def save_item_failures(
    change: pd.DataFrame, *, figures_dir, synthetic: bool, threshold: int = 10, name: str = "fitness_item_failures"
) -> dict:
    from analysis.plotting.theme import finish
    from analysis.plotting.titles import wrap_title

    top = change.sort_values("fail_share_baseline", ascending=False).iloc[0]
    fig = item_failures_figure(change, threshold)
    return finish(
        fig,
        name,
        title=wrap_title(
            f"At baseline the most failed item was {top['item']} ({top['fail_share_baseline']:.0%} of those tested)"
        ),
        caption="Share of tested officers failing each item in the baseline and final rounds; shares resting on "
        "fewer than "
        f"{threshold} failures are not drawn.",
        n=f"{int(change['tested_baseline'].max())} tested at baseline, {int(change['tested_final'].max())} in the "
        "final round",
        source="fitness_tests",
        figures_dir=figures_dir,
        synthetic=synthetic,
    )
