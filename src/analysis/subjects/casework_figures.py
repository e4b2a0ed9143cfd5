"""The case-file figure: monthly file quality on an XmR chart."""

from __future__ import annotations

import pandas as pd

from analysis.core.text import count
from analysis.plotting import control_charts
from analysis.plotting.context import FigureContext
from analysis.stats.spc import XmRLimits


def xmr_figure(ctx: FigureContext, table: pd.DataFrame, limits: XmRLimits) -> dict:
    """The XmR chart of :func:`analysis.subjects.casework.monthly_xmr`, titled with its special causes."""
    fig = control_charts.xmr_figure(table, limits, label="month", ylabel="Mean file score (points)")
    title = control_charts.xmr_title(table, "Monthly case-file quality")
    return ctx.finish(
        fig,
        "casework_xmr",
        title=title,
        caption=control_charts.XMR_CAPTION,
        n=f"{count(table['files'].sum())} files",
        source="case_files",
        alt=title,  # provisional: the finding in words, with its numbers, replaces it
        data=None,
    )
