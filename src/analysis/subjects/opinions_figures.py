"""The opinions notebook's figures: Pareto of areas, time to rectification, opinions rectified over time.

Each is titled with what it shows, worded through the catalog, with alt text stating the finding and the
chart's data; the brief draws the same figures (one function each).
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from analysis.core.text import count, date, duration, month, p_value, percent
from analysis.i18n import _, label
from analysis.plotting.context import FigureContext
from analysis.plotting.km import km_plot
from analysis.plotting.pareto import pareto
from analysis.plotting.theme import PALETTE, SIGNAL
from analysis.present.blocks import scope_words
from analysis.subjects.opinions import RECEIPT, TimeToRectification
from analysis.subjects.opinions_text import clock, days


def source() -> str:
    return _("opinions register (suggestions merged into opinions) and rectification ledger")


def pareto_figure(ctx: FigureContext, shares: pd.DataFrame) -> dict:
    """Opinions per area in Pareto order (:func:`analysis.subjects.opinions.category_shares`)."""
    named = shares.assign(name=[label("opinion_category", c) for c in shares["category"]])
    fig = pareto(named, label="name", count="opinions")
    top = named.iloc[0]
    two = named["cumulative_share"].iloc[min(1, len(named) - 1)]
    title = _("{area} drew the most opinions ({k}, {share}); the top two areas hold {two} in {where}").format(
        area=top["name"],
        k=count(top["opinions"]),
        share=percent(top["share"], 0),
        two=percent(two, 0),
        where=scope_words(ctx.scope),
    )
    alt = _("Opinions per area, largest first: {parts}.").format(
        parts=_(", ").join(
            _("{area} {k} ({share})").format(area=r["name"], k=count(r["opinions"]), share=percent(r["share"]))
            for _i, r in named.iterrows()
        )
    )
    return ctx.finish(
        fig,
        "opinions_pareto",
        title=title,
        n=_("{n} merged opinions").format(n=count(shares["opinions"].sum())),
        caption=_(
            "Bars: merged opinions per area; whiskers: Goodman 95% simultaneous intervals for the shares, drawn as "
            "counts; line: cumulative share."
        ),
        source=source(),
        alt=alt,
        data=shares[["category", "opinions", "share", "ci_low", "ci_high", "cumulative_share"]],
    )


def km_figure(
    ctx: FigureContext, ttr: TimeToRectification, status: pd.DataFrame, categories: pd.Series, cutoff: str
) -> dict:
    """Share of opinions still open by days on the ttr's clock (from receipt or from the plan), all and per area."""
    on_clock = status[ttr.column].notna().to_numpy()
    waited = status[ttr.column].to_numpy(dtype=float)[on_clock]
    cats = categories.to_numpy()[on_clock]
    everyone = _("All opinions")
    curves = {everyone: ttr.km}
    durations = {everyone: waited}
    for cat, r in ttr.by_category.items():
        name = label("opinion_category", cat)
        curves[name] = r.km
        durations[name] = waited[cats == cat]
    step = 30 if waited.max() <= 240 else 60
    times = list(range(0, int(waited.max()) + 1, step))
    fig = km_plot(
        curves,
        times,
        durations=durations,
        xlabel=_("Days from receipt of the opinion")
        if ttr.clock == RECEIPT
        else _("Days since the rectification plan"),
        ylabel=_("Opinions not yet rectified (%)"),
        band=True,
    )
    m = ttr.median
    med = (
        _("not reached")
        if not np.isfinite(m.median)
        else _("{days} (95% CI {low} to {high})").format(
            days=days(m.median), low=duration(m.ci_low), high=duration(m.ci_high)
        )
    )
    lr = ttr.logrank
    if lr and lr.p_value < 0.05:
        tail = _("; areas differ (log-rank {p})").format(p=p_value(lr.p_value, digits=2, significant=True, floor=None))
    elif lr:
        tail = _("; no clear difference between areas")
    else:
        tail = ""
    within = (
        _("Half of the opinions were rectified within {median} of being received in {where}{tail}")
        if ttr.clock == RECEIPT
        else _("Half of the opinions were rectified within {median} of their plan in {where}{tail}")
    )
    title = within.format(median=med, where=scope_words(ctx.scope), tail=tail)
    medians = _(", ").join(
        _("{area} {days}").format(area=label("opinion_category", c), days=days(r.median.median))
        for c, r in ttr.by_category.items()
    )
    alt = _(
        "Kaplan-Meier curves of opinions not yet rectified, {clock}: median {median} for all {n} opinions; by area: "
        "{medians}."
    ).format(clock=clock(ttr.clock), median=days(m.median), n=count(ttr.n), medians=medians or _("none"))
    data = pd.concat(
        [km[["time", "n_risk", "n_event", "surv", "lower", "upper"]].assign(curve=name) for name, km in curves.items()],
        ignore_index=True,
    )
    return ctx.finish(
        fig,
        "opinions_km",
        title=title,
        n=_("{n} opinions, {k} rectified by {cutoff}").format(n=count(ttr.n), k=count(ttr.events), cutoff=date(cutoff)),
        caption=_(
            "Kaplan-Meier estimate; opinions still open are censored at the cut-off {cutoff}. Band: 95% interval (log, "
            "Greenwood) for all opinions and each area."
        ).format(cutoff=date(cutoff)),
        source=source(),
        alt=alt,
        data=data,
    )


def rectified_over_time_figure(ctx: FigureContext, by_month: pd.DataFrame, cutoff: str) -> dict:
    """Opinions rectified so far, month by month, against the opinions whose deadline had passed
    (:func:`analysis.subjects.opinions.rectified_by_month`)."""
    fig, ax = plt.subplots(figsize=(8, 4))
    x = np.arange(len(by_month))
    ax.plot(x, by_month["due"], "--", color="#404040", label=_("deadline passed"))
    ax.plot(x, by_month["rectified"], "-o", color=PALETTE[0], ms=4, label=_("rectified"))
    ax.plot(x, by_month["on_time"], "-s", color=SIGNAL, ms=4, label=_("rectified by its own deadline"))
    ax.axhline(by_month["opinions"].iloc[-1], color="#a5a5a5", lw=1)
    ax.set_xticks(x, [month(m) for m in by_month["month"]], rotation=45, ha="right", fontsize=8)
    ax.set_ylabel(_("Opinions (cumulative)"))
    ax.set_ylim(0, by_month["opinions"].iloc[-1] * 1.08)
    ax.legend(fontsize=8, loc="upper left")
    last = by_month.iloc[-1]
    title = _("{k} of {n} opinions rectified by {cutoff} in {where}; {on_time} by their own deadline").format(
        k=count(last["rectified"]),
        n=count(last["opinions"]),
        cutoff=date(cutoff),
        where=scope_words(ctx.scope),
        on_time=count(last["on_time"]),
    )
    alt = _(
        "Opinions rectified month by month up to {cutoff}: {k} of {n} rectified, {on_time} of them by their own "
        "deadline, while the deadline of {due} had passed."
    ).format(
        cutoff=date(cutoff),
        k=count(last["rectified"]),
        n=count(last["opinions"]),
        on_time=count(last["on_time"]),
        due=count(last["due"]),
    )
    return ctx.finish(
        fig,
        "opinions_rectified_over_time",
        title=title,
        n=_("{n} opinions in the ledger").format(n=count(last["opinions"])),
        caption=_(
            "Cumulative counts at each month's end (the last point is the cut-off). Rectified: closed in the ledger; "
            "dashed: opinions whose own deadline had passed."
        ),
        source=source(),
        alt=alt,
        data=by_month,
    )
