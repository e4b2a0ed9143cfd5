"""The one theme every figure uses, and the one way figures are finished and saved.

A finished figure has a title that states the finding, a caption with n and the data
source, and, on demo data, a visible marker; it is saved as PNG and SVG.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import matplotlib.pyplot as plt
import seaborn as sns

from analysis.data.processed import DEMO_BANNER

PALETTE = ["#1f4e79", "#c55a11", "#548235", "#7f6000", "#7030a0", "#2e75b6", "#a5a5a5"]
# Diverging palette for 1-5 Likert bars: dissatisfied (red) .. satisfied (blue), neutral grey.
LIKERT_COLOURS = ["#b2182b", "#ef8a62", "#d9d9d9", "#67a9cf", "#2166ac"]
SIGNAL = "#c00000"


def apply_theme() -> None:
    sns.set_theme(style="whitegrid", context="notebook", palette=PALETTE)
    plt.rcParams.update(
        {
            "figure.dpi": 100,
            "savefig.dpi": 150,
            "svg.fonttype": "none",
            "axes.titlesize": 12,
            "axes.titleweight": "bold",
            "figure.figsize": (8, 4.5),
        }
    )


def finish(
    fig: plt.Figure,
    name: str,
    *,
    title: str,
    caption: str,
    n: int | str,
    source: str,
    figures_dir: Path | str,
    synthetic: bool,
) -> dict[str, Path]:
    """Title, caption (with n and source) and demo marker; save ``name``.png/.svg; return the paths."""
    # The demo marker gets its own row above the title, so a long title never runs under it.
    title_lines = textwrap.wrap(title, int(fig.get_figwidth() * 9.5))
    fig.suptitle("\n".join(title_lines), x=0.01, y=0.955, ha="left", va="top", fontsize=12, fontweight="bold")
    note = f"{caption} n = {n}. Source: {source}."
    fig.text(0.01, 0.005, "\n".join(textwrap.wrap(note, 130)), ha="left", va="bottom", fontsize=8, color="#404040")
    if synthetic:
        fig.text(
            0.99,
            0.997,
            DEMO_BANNER,
            ha="right",
            va="top",
            fontsize=8,
            color="white",
            bbox={"facecolor": SIGNAL, "edgecolor": "none", "pad": 3},
        )
    fig.tight_layout(rect=(0, 0.06, 1, 0.97))  # tight_layout leaves room for the suptitle itself
    out = Path(figures_dir)
    out.mkdir(parents=True, exist_ok=True)
    saved = {}
    for ext in ("png", "svg"):
        saved[ext] = out / f"{name}.{ext}"
        fig.savefig(saved[ext], metadata={"Date": None} if ext == "svg" else None)
    return saved
