"""The one figure API: where a report's figures go, and how each is finished, saved and shown.

Every chart of every notebook is drawn by a ``subjects/<subject>_figures.<name>_figure(ctx, ...)``
function, which computes its title (the finding) and hands the figure to :meth:`FigureContext.finish`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd

from analysis.core.files import write_atomic_with
from analysis.core.text import slug
from analysis.plotting.theme import finish
from analysis.plotting.titles import wrap_title


@dataclass(frozen=True)
class FigureContext:
    """Where figures go, whether the data is synthetic, and the scope a report covers.

    ``scope`` is the district or unit a report is restricted to (None: all of it, called
    ``whole`` in titles); it suffixes every file name so the figures of two scopes never collide.
    ``show`` displays a finished figure in the notebook (IPython's ``display``); None only saves it.
    """

    figures_dir: Path | str
    synthetic: bool
    scope: str | None = None
    whole: str = "the county"
    show: Callable | None = None

    @property
    def where(self) -> str:
        """The scope in words, for titles: 'the county', or 'Anyi'."""
        return self.whole if self.scope is None else self.scope

    def name(self, stem: str) -> str:
        """The file name (without extension) of figure ``stem`` in this scope."""
        return stem if self.scope is None else f"{stem}_{slug(self.scope)}"

    def finish(
        self,
        fig: plt.Figure,
        stem: str,
        *,
        title: str,
        caption: str,
        n,
        source: str,
        alt: str | None = None,
        data: pd.DataFrame | None = None,
    ) -> dict[str, Path]:
        """Title (capital first letter), caption with n and source, demo marker; save PNG and SVG; show; close.

        ``alt``: a sentence stating the finding with its numbers, for readers who cannot see the chart
        (the rendered report's alt text). ``data``: the frame the chart plots, saved as ``<name>.csv``
        beside the images so a reader can check it. Returns the saved paths by extension.
        """
        saved = finish(
            fig,
            self.name(stem),
            title=wrap_title(title),
            caption=caption,
            n=n,
            source=source,
            figures_dir=self.figures_dir,
            synthetic=self.synthetic,
        )
        if data is not None:
            saved["csv"] = Path(self.figures_dir) / f"{self.name(stem)}.csv"
            write_atomic_with(saved["csv"], lambda tmp: data.to_csv(tmp, index=False, encoding="utf-8"))
        if self.show is not None:
            self.show(fig)
        plt.close(fig)
        return saved
