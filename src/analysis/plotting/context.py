"""The one figure API: where a report's figures go, and how each is finished, saved and shown.

Every chart of every notebook is drawn by a ``subjects/<subject>_figures.<name>_figure(ctx, ...)``
function, which computes its title (the finding) and hands the figure to :meth:`FigureContext.finish`.
``finish`` saves PNG and SVG (and the chart's data as CSV), then shows the figure in the notebook as
HTML the report keeps as it is::

    <figure class="analysis-figure" id="fig-<name>">
      <img src="data:image/png;base64,..." alt="<the finding, in words>" width=... height=...>
      <figcaption><a href="figures/<report>/<name>.csv">the chart's data (CSV)</a></figcaption>
    </figure>
"""

from __future__ import annotations

import base64
import html
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd

from analysis.core.files import write_csv
from analysis.core.text import slug
from analysis.i18n import _
from analysis.plotting.theme import finish
from analysis.plotting.titles import wrap_title

# A figure is shown at 100 CSS pixels per inch of its size (8 in -> 800 px), scaled down only to fit the page.
DISPLAY_PX_PER_INCH = 100


def report_href(path: Path) -> str:
    """How a report links ``path``: relative to the folder that holds ``figures/`` (``figures/<report>/x.csv``)."""
    parts = Path(path).parts
    if "figures" in parts:
        start = len(parts) - 1 - parts[::-1].index("figures")
        return "/".join(parts[start:])
    return Path(path).name


class FigureHTML:
    """A finished figure for IPython's ``display``: HTML for the report, the alt text as plain text."""

    def __init__(self, markup: str, alt: str):
        self.markup = markup
        self.alt = alt

    def _repr_html_(self) -> str:
        return self.markup

    def __repr__(self) -> str:
        return self.alt


def figure_html(name: str, png: bytes, *, alt: str, size_in: tuple[float, float], data_href: str | None) -> str:
    """The ``<figure>`` a report shows: the PNG embedded, its alt text, the link to the chart's data."""
    width, height = (round(v * DISPLAY_PX_PER_INCH) for v in size_in)
    encoded = base64.b64encode(png).decode("ascii")
    caption = ""
    if data_href:
        words = html.escape(_("Download the chart's data (CSV)"))
        caption = f'<figcaption><a href="{html.escape(data_href, quote=True)}">{words}</a></figcaption>'

    return (
        f'<figure class="analysis-figure" id="fig-{html.escape(name, quote=True)}">'
        f'<img src="data:image/png;base64,{encoded}" alt="{html.escape(alt, quote=True)}" '
        f'width="{width}" height="{height}">{caption}</figure>'
    )


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
        alt: str,
        data: pd.DataFrame | None,
    ) -> dict[str, Path]:
        """Title (capital first letter), caption with n and source, demo marker; save PNG, SVG, CSV; show; close.

        ``alt``: a sentence stating the finding with its numbers, for readers who cannot see the chart
        (the rendered report's alt text); required, never left to a placeholder. ``data``: the frame the
        chart plots, saved as ``<name>.csv`` beside the images (cells neutralised against formula
        injection) and linked under the chart; None only while a chart has no table of its own.
        Returns the saved paths by extension.
        """
        if not isinstance(alt, str) or not alt.strip():
            plt.close(fig)
            raise ValueError(f"figure {stem!r}: alt must be a sentence stating the finding and its numbers")
        name = self.name(stem)
        saved = finish(
            fig,
            name,
            title=wrap_title(title),
            caption=caption,
            n=n,
            source=source,
            figures_dir=self.figures_dir,
            synthetic=self.synthetic,
        )
        if data is not None:
            saved["csv"] = Path(self.figures_dir) / f"{name}.csv"
            write_csv(saved["csv"], data)
        if self.show is not None:
            markup = figure_html(
                name,
                saved["png"].read_bytes(),
                alt=alt.strip(),
                size_in=(fig.get_figwidth(), fig.get_figheight()),
                data_href=report_href(saved["csv"]) if "csv" in saved else None,
            )
            self.show(FigureHTML(markup, alt.strip()))
        plt.close(fig)
        return saved
