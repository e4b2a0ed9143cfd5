"""Figures of the campaign report: monthly series, the violations-per-deployment ratio, campus before/after.

Each ``*_figure(ctx, ...)`` draws, titles with what the chart shows and finishes through the figure
context with alt text and its data. Activities that count people are drawn only where the monthly
table shows them (the disclosure gate); activities are named from the label table.
"""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from analysis.core.text import count, date, month
from analysis.i18n import _, label
from analysis.plotting.context import FigureContext
from analysis.plotting.theme import PALETTE
from analysis.present.blocks import scope_words
from analysis.stats import disclosure
from analysis.subjects.campaigns import PEOPLE_ACTIVITIES
from analysis.subjects.campaigns_text import comparable


def _period(text: str) -> str:
    """A period 'YYYY-MM-DD to YYYY-MM-DD' (subjects.campaigns' table) in the report's language."""
    start, end = text.split(" to ")
    return _("{start} to {end}").format(start=date(start), end=date(end))


def source() -> str:
    return _("campaign activity ledger, windows from the work report")


def scope_text(ctx: FigureContext) -> str:
    """The rows a figure covers, in words: 'the county', or 'Anyi (its police station's rows)'."""
    # A district's ledger rows are its police station's (county-wide units belong to no district).
    if ctx.scope is None:
        return scope_words(None)
    return _("{district} (its police station's rows)").format(district=label("district", ctx.scope))


def protected_series(series: pd.DataFrame) -> pd.DataFrame:
    """The monthly series with the months a table would hide for people-counting activities set to NaN."""
    out = series.copy()
    out["quantity"] = out["quantity"].astype(float)
    for (_campaign, activity), d in series.groupby(["campaign", "activity"]):
        if activity not in PEOPLE_ACTIVITIES:
            continue
        shown = disclosure.protect(d[["quantity"]].astype(float).reset_index(drop=True))["quantity"]
        hidden = shown.map(disclosure.is_suppressed).to_numpy()
        out.loc[d.index[hidden], "quantity"] = np.nan
    return out


def _monthly_bars(series: pd.DataFrame, campaign: str) -> plt.Figure:
    """One small bar chart per activity of ``campaign``: quantity per month (own y scale each)."""
    s = series[series["campaign"] == campaign]
    acts = sorted(s["activity"].unique())
    if not acts:
        raise ValueError(f"no ledger rows for campaign {campaign!r}")
    ncols = min(3, len(acts))
    nrows = math.ceil(len(acts) / ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(4 * ncols, 2.8 * nrows + 1), squeeze=False)
    for ax, act in zip(axes.flat, acts):
        d = s[s["activity"] == act]
        ax.bar([month(m) for m in d["month"]], d["quantity"].astype(float).fillna(0), color=PALETTE[0])
        ax.set_title(label("activity", act), fontsize=10, fontweight="normal")
        ax.set_ylabel(_("per month"))
        ax.tick_params(axis="x", rotation=90, labelsize=7)
    for ax in list(axes.flat)[len(acts) :]:
        ax.set_visible(False)
    return fig


def monthly_figure(ctx: FigureContext, series: pd.DataFrame, campaign: str) -> dict:
    """Each activity of ``campaign`` per month (:func:`analysis.subjects.campaigns.monthly_series`)."""
    drawn = protected_series(series)
    s = drawn[drawn["campaign"] == campaign]
    totals = s.groupby("month")["rows"].sum()
    busiest = totals.idxmax() if totals.max() > 0 else None
    first, last = s["month"].min(), s["month"].max()
    title = _("{campaign}, month by month ({first} to {last}): {k} activities; most ledger rows in {busiest}").format(
        campaign=label("campaign", campaign),
        first=month(first),
        last=month(last),
        k=s["activity"].nunique(),
        busiest=month(busiest) if busiest else _("none"),
    )
    peaks = []
    for act, d in s.groupby("activity"):
        d = d.dropna(subset=["quantity"])
        if len(d) and d["quantity"].max() > 0:
            top = d.loc[d["quantity"].idxmax()]
            peaks.append(
                _("{activity} peaked in {month} ({n})").format(
                    activity=label("activity", act), month=month(top["month"]), n=count(top["quantity"])
                )
            )
    alt = _("Monthly ledger counts of the {campaign} campaign in {where}: {peaks}.").format(
        campaign=label("campaign", campaign), where=scope_text(ctx), peaks=_("; ").join(peaks) or _("none")
    )
    hidden = s["quantity"].isna().any()
    return ctx.finish(
        _monthly_bars(drawn, campaign),
        f"50_campaigns_monthly_{campaign}",
        title=title,
        caption=_(
            "Quantity recorded per month in the campaign window, {where}; the first and last months of a window may "
            "be partial."
        ).format(where=scope_text(ctx))
        + (_(" Months with fewer than 10 people counted are not drawn.") if hidden else ""),
        n=_("{n} ledger rows").format(n=count(s["rows"].sum())),
        source=source(),
        alt=alt,
        data=s[["campaign", "activity", "month", "quantity", "rows"]],
    )


def _ratio_line(monthly: pd.DataFrame, ylabel: str) -> plt.Figure:
    """A monthly ratio (e.g. violations per officer-time) as a line, months without a denominator left out."""
    fig, ax = plt.subplots()
    d = monthly.dropna(subset=["value"])
    ax.plot([month(m) for m in d["month"]], d["value"].astype(float), marker="o", color=PALETTE[1])
    ax.set_ylabel(ylabel)
    top = float(d["value"].max()) if len(d) else 1.0
    ax.set_ylim(0, top * 1.15 if top > 0 else 1.0)
    ax.tick_params(axis="x", rotation=90)
    return fig


def violations_per_officer_time_figure(ctx: FigureContext, monthly: pd.DataFrame) -> dict:
    """Traffic violations handled per officer deployment, month by month (:func:`...campaigns.monthly_ratio`).

    Needs at least one month with deployments (a value that is not NA).
    """
    known = monthly.dropna(subset=["value"])
    if known.empty:
        raise ValueError("no month with traffic deployments: nothing to draw")
    low, high = known.loc[known["value"].idxmin()], known.loc[known["value"].idxmax()]
    title = _(
        "Violations handled per officer deployment ranged from {low} ({low_month}) to {high} ({high_month}) a month"
    ).format(
        low=f"{low['value']:.1f}",
        low_month=month(low["month"]),
        high=f"{high['value']:.1f}",
        high_month=month(high["month"]),
    )
    alt = _(
        "Traffic violations handled per officer deployment, month by month in {where}: from {low} in {low_month} to "
        "{high} in {high_month}; {total} deployments in all."
    ).format(
        where=scope_text(ctx),
        low=f"{low['value']:.1f}",
        low_month=month(low["month"]),
        high=f"{high['value']:.1f}",
        high_month=month(high["month"]),
        total=count(monthly["denominator"].sum()),
    )
    return ctx.finish(
        _ratio_line(monthly, _("violations handled per officer deployment")),
        "50_campaigns_violations_per_officer_time",
        title=title,
        caption=_(
            "Traffic violations handled divided by officer deployments, per month, {where}. An output: more is not "
            "better order."
        ).format(where=scope_text(ctx)),
        n=_("{n} officer deployments").format(n=count(monthly["denominator"].sum())),
        source=source(),
        alt=alt,
        data=monthly,
    )


def _before_after_bars(table: pd.DataFrame) -> plt.Figure:
    """Counts in the window and in the same number of days before it, side by side per activity."""
    fig, ax = plt.subplots(figsize=(8, 0.5 * len(table) + 1.5))
    y = np.arange(len(table))
    ax.barh(y + 0.2, table["before"], height=0.4, color=PALETTE[6], label=_("before the campaign"))
    ax.barh(y - 0.2, table["during"], height=0.4, color=PALETTE[0], label=_("during the campaign"))
    ax.set_yticks(y, [label("activity", a) for a in table["activity"]])
    ax.set_xlabel(_("count in {days} days").format(days=int(table["days"].iloc[0])) if len(table) else _("count"))
    ax.invert_yaxis()
    ax.legend(loc="lower right")
    return fig


def before_after_figure(ctx: FigureContext, table: pd.DataFrame) -> dict:
    """Counts in the campus window against the days before it (:func:`analysis.subjects.campaigns.before_after`);
    counts of people are not compared (:func:`analysis.subjects.campaigns_text.comparable`)."""
    table = comparable(table)
    if table.empty:
        raise ValueError("no campus activity before or during the campaign: nothing to draw")
    first = table.iloc[0]
    during, before = int(table["during"].sum()), int(table["before"].sum())
    start, end = first["period_during"].split(" to ")
    title = _(
        "Campus work in {where}: {during} items in the campaign's two months, {before} in the two months before"
    ).format(where=scope_text(ctx), during=count(during), before=count(before))
    alt = _(
        "Campus activities counted in the campaign ({start} to {end}) against the same number of days before: {parts}."
    ).format(
        start=date(start),
        end=date(end),
        parts=_("; ").join(
            _("{activity} {before} before, {during} during").format(
                activity=label("activity", r["activity"]), before=count(r["before"]), during=count(r["during"])
            )
            for _i, r in table.iterrows()
        ),
    )
    return ctx.finish(
        _before_after_bars(table),
        "50_campaigns_campus_before_after",
        title=title,
        caption=_("Counts per activity, {before} against {during}, {where}.").format(
            before=_period(first["period_before"]), during=_period(first["period_during"]), where=scope_text(ctx)
        ),
        n=_("{n} counted items").format(n=count(during + before)),
        source=source(),
        alt=alt,
        data=table[["activity", "before", "during", "days", "ratio", "ci_low", "ci_high", "p_holm"]],
    )
