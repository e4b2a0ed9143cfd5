"""Score distributions with a cutoff line (training averages, May scores, review scores)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd

from analysis.core.text import fewer_than
from analysis.i18n import _, label
from analysis.plotting.theme import PALETTE, SIGNAL
from analysis.stats.disclosure import THRESHOLD


def cutoff_histogram(
    bins: pd.DataFrame,
    cutoff: float,
    *,
    xlabel: str,
    ylabel: str | None = None,
    cutoff_label: str | None = None,
    width: float = 1,
) -> plt.Figure:
    """Bars of counts per integer point; bars below the disclosure threshold are drawn at height 0 with a hatch.

    Small bars are hidden rather than drawn so the figure cannot be read as an officer-level table.
    """
    fig, ax = plt.subplots()
    data = bins[bins["count"] > 0]
    small = data["count"] < THRESHOLD
    colours = [SIGNAL if p < cutoff else PALETTE[0] for p in data["points"]]
    ax.bar(data["points"], data["count"].where(~small, 0), width=0.9 * width, align="edge", color=colours)
    if small.any():
        ax.bar(
            data.loc[small, "points"],
            [THRESHOLD * 0.5] * int(small.sum()),
            width=0.9 * width,
            align="edge",
            color="none",
            edgecolor="#a5a5a5",
            hatch="///",
            label=_("{fewer_than} (not shown)").format(fewer_than=fewer_than(THRESHOLD)),
        )
    words = _("{what} {points:g}").format(what=cutoff_label or _("pass mark"), points=cutoff)
    ax.axvline(cutoff, color="#404040", ls="--", lw=1.2, label=words)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel or _("Officers"))
    ax.legend(fontsize=8)
    return fig


MAX_UNITS_LISTED = 40


def unit_scores_figure(outcome: pd.DataFrame, redo_mark: float) -> plt.Figure:
    """Democratic review: each unit's first-round score, and the redo score where there was one.

    Past ``MAX_UNITS_LISTED`` units (a province) one row per unit is unreadable (and a metre-tall
    image): the scores are shown as histograms of the first round and of the redos instead."""
    if len(outcome) > MAX_UNITS_LISTED:
        fig, ax = plt.subplots()
        redo = outcome["redid"].astype(bool)
        first = outcome["score_round1"].astype(float)
        ax.hist(first, bins=30, color=PALETTE[0], alpha=0.8, label=_("first round"))
        second = outcome.loc[redo, "score_round2"].astype(float).dropna()
        ax.hist(second, bins=30, color=PALETTE[2], alpha=0.8, label=_("redo"))
        ax.axvline(redo_mark, color=SIGNAL, ls="--", lw=1.2, label=_("redo mark {points:g}").format(points=redo_mark))
        ax.set_xlabel(_("Democratic review score (points of 100)"))
        ax.set_ylabel(_("Units"))
        ax.legend(fontsize=8)
        return fig
    fig, ax = plt.subplots(figsize=(8, max(3.5, 0.3 * len(outcome) + 1)))
    y = range(len(outcome))
    ax.scatter(outcome["score_round1"], y, color=PALETTE[0], label=_("first round"), zorder=3)
    redo = outcome["redid"].astype(bool)
    ax.scatter(
        outcome.loc[redo, "score_round2"],
        [i for i, r in zip(y, redo) if r],
        color=PALETTE[2],
        marker="s",
        label=_("redo"),
        zorder=3,
    )
    for i, row in enumerate(outcome.itertuples()):
        if row.redid:
            ax.plot([row.score_round1, row.score_round2], [i, i], color="#a5a5a5", lw=1)
    ax.axvline(redo_mark, color=SIGNAL, ls="--", lw=1.2, label=_("redo mark {points:g}").format(points=redo_mark))
    ax.set_yticks(list(y), [label("unit", u) for u in outcome["unit"]], fontsize=8)
    ax.set_xlabel(_("Democratic review score (points of 100)"))
    ax.legend(fontsize=8, loc="lower right")
    return fig
