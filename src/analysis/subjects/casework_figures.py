"""The case-file figure: monthly file quality on an XmR chart."""

from __future__ import annotations

import pandas as pd

from analysis.core.text import count, month
from analysis.i18n import _
from analysis.plotting import control_charts
from analysis.plotting.context import FigureContext
from analysis.stats.spc import XmRLimits


def xmr_figure(ctx: FigureContext, table: pd.DataFrame, limits: XmRLimits) -> dict:
    """The XmR chart of :func:`analysis.subjects.casework.monthly_xmr`, titled with its special causes."""
    named = table.assign(month_words=[month(m) for m in table["month"]])
    fig = control_charts.xmr_figure(named, limits, label="month_words", ylabel=_("Mean file score (points)"))
    signals = named.loc[named["any_rule"].astype(bool), "month_words"].tolist()
    alt = _(
        "Monthly mean case-file score on an XmR chart: mean {mean}, natural limits {lcl} to {ucl}; months signalling a "
        "special cause: {signals}."
    ).format(
        mean=f"{limits.centre:.1f}",
        lcl=f"{limits.lcl:.1f}",
        ucl=f"{limits.ucl:.1f}",
        signals=_(", ").join(signals) if signals else _("none"),
    )
    return ctx.finish(
        fig,
        "casework_xmr",
        title=control_charts.xmr_title(table, _("Monthly case-file quality")),
        caption=control_charts.xmr_caption(),
        n=_("{n} files").format(n=count(table["files"].sum())),
        source=_("case-file evaluation"),
        alt=alt,
        data=table,
    )
