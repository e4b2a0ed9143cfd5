"""The fitness notebook's figures: each titled with what it shows, worded through the catalog, with alt text and data.

A round whose rates the tables hide (:func:`analysis.subjects.fitness_text.protected_rates`) is not
drawn either, and the title says so.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from analysis.core.text import count, fewer_than, percent
from analysis.i18n import _, label
from analysis.plotting import control_charts, funnel, pass_rates
from analysis.plotting.context import FigureContext
from analysis.present.blocks import scope_words
from analysis.stats.disclosure import THRESHOLD
from analysis.subjects.fitness_text import protected_rates


def source() -> str:
    return _("fitness test records and officer roster")


def _visible_rates(rates: pd.DataFrame, whole_bureau: bool) -> pd.DataFrame:
    """The rates with every hidden round's rates set to NaN (not drawn)."""
    shown = protected_rates(rates, whole_bureau)
    out = rates.copy()
    for key in ("tested", "roster"):
        ok = shown["rates_shown"] if key == "tested" else shown["rates_shown"] & shown["roster_shown"]
        for col in (f"rate_{key}", f"rate_{key}_low", f"rate_{key}_high"):
            out[col] = out[col].where(ok.to_numpy(), np.nan)
    return out


def rates_figure(ctx: FigureContext, rates: pd.DataFrame) -> dict:
    """Pass rate per round under both denominators (:func:`analysis.subjects.fitness.pass_rates`)."""
    whole = ctx.scope is None
    drawn = _visible_rates(rates, whole)
    where = scope_words(ctx.scope, "unit")
    visible = drawn.dropna(subset=["rate_tested"])
    if len(visible) >= 2:
        b, f = visible.iloc[0], visible.iloc[-1]
        title = _(
            "In {where} the pass rate went from {tb} to {tf} of officers tested between round {rb} and round {rf} "
            "({ob} to {of} of all officers on the roster)"
        ).format(
            where=where,
            tb=percent(b["rate_tested"], 0),
            tf=percent(f["rate_tested"], 0),
            rb=int(b["round"]),
            rf=int(f["round"]),
            ob=percent(b["rate_roster"], 0) if pd.notna(b["rate_roster"]) else _("not shown"),
            of=percent(f["rate_roster"], 0) if pd.notna(f["rate_roster"]) else _("not shown"),
        )
        alt = _(
            "Pass rate per round in {where}: of officers tested from {tb} (round {rb}) to {tf} (round {rf}); of all "
            "officers on the roster from {ob} to {of}."
        ).format(
            where=where,
            tb=percent(b["rate_tested"]),
            rb=int(b["round"]),
            tf=percent(f["rate_tested"]),
            rf=int(f["round"]),
            ob=percent(b["rate_roster"]),
            of=percent(f["rate_roster"]),
        )
    else:
        title = _(
            "In {where} the pass rate can be shown for {k} of {n} rounds: in the others {fewer} officers passed or "
            "failed"
        ).format(where=where, k=len(visible), n=len(rates), fewer=fewer_than(THRESHOLD))
        alt = title + _(".")
    if len(visible) < len(rates):
        caption_hidden = _(" Rounds where {fewer} officers passed or failed are not drawn.").format(
            fewer=fewer_than(THRESHOLD)
        )
    else:
        caption_hidden = ""
    data = drawn[
        [
            "round",
            "date",
            "rate_tested",
            "rate_tested_low",
            "rate_tested_high",
            "rate_roster",
            "rate_roster_low",
            "rate_roster_high",
        ]
    ]
    return ctx.finish(
        pass_rates.rates_figure(drawn),
        "fitness_pass_rates",
        title=title,
        caption=_(
            "Officers passing every item; bars are 95% Wilson intervals. Untested officers (exempt, absent, no record) "
            "count as not passed under the roster denominator."
        )
        + caption_hidden,
        n=_("{n} rounds").format(n=len(rates)),
        source=source(),
        alt=alt,
        data=data,
    )


def item_failures_figure(ctx: FigureContext, change: pd.DataFrame) -> dict:
    """Share failing each item, first round against last (:func:`analysis.subjects.fitness.item_failure_change`)."""
    shown = change[change["failed_baseline"] >= THRESHOLD]
    if len(shown):
        top = shown.sort_values("fail_share_baseline", ascending=False).iloc[0]
        title = _("In the first round the most failed item in {where} was {item} ({share} of those tested)").format(
            where=scope_words(ctx.scope, "unit"),
            item=label("fitness_item", top["item"]),
            share=percent(top["fail_share_baseline"], 0),
        )
    else:
        title = _("In {where} {fewer} officers failed any one item in the first round: no share can be drawn").format(
            where=scope_words(ctx.scope, "unit"), fewer=fewer_than(THRESHOLD)
        )
    # A hidden share says why it is hidden ("fewer than 10 failed"), not a count where a share stood.
    hidden = _("not shown ({fewer} failed)").format(fewer=fewer_than(THRESHOLD))
    parts = _(", ").join(
        _("{item} {baseline} to {final}").format(
            item=label("fitness_item", r["item"]),
            baseline=percent(r["fail_share_baseline"]) if r["failed_baseline"] >= THRESHOLD else hidden,
            final=percent(r["fail_share_final"]) if r["failed_final"] >= THRESHOLD else hidden,
        )
        for _i, r in change.iterrows()
    )
    alt = _("Share of officers tested who failed each item, first round to last: {parts}.").format(parts=parts)
    data = change.assign(
        fail_share_baseline=change["fail_share_baseline"].where(change["failed_baseline"] >= THRESHOLD),
        fail_share_final=change["fail_share_final"].where(change["failed_final"] >= THRESHOLD),
    )[["item", "fail_share_baseline", "fail_share_final"]]
    return ctx.finish(
        pass_rates.item_failures_figure(change),
        "fitness_item_failures",
        title=title,
        caption=_(
            "Share of tested officers failing each item in the first and last rounds; shares resting on {fewer} "
            "failures are not drawn."
        ).format(fewer=fewer_than(THRESHOLD)),
        n=_("{baseline} tested in the first round, {final} in the last").format(
            baseline=count(change["tested_baseline"].max()), final=count(change["tested_final"].max())
        ),
        source=source(),
        alt=alt,
        data=data,
    )


def p_chart_figure(ctx: FigureContext, chart: pd.DataFrame, rates: pd.DataFrame) -> dict:
    """p-chart of the rounds (:func:`analysis.subjects.fitness.round_p_chart`); hidden rounds are not drawn."""
    shown = protected_rates(rates, ctx.scope is None)["rates_shown"].to_numpy()
    drawn = chart[shown].reset_index(drop=True)
    k = int(drawn["beyond_limits"].sum())
    if len(drawn) < 2:
        title = _(
            "The p-chart needs at least two rounds that can be shown; in {where} {fewer} officers passed or failed "
            "in most"
        ).format(where=scope_words(ctx.scope, "unit"), fewer=fewer_than(THRESHOLD))
    elif k:
        title = _(
            "{k} of {n} test rounds fall outside the p-chart limits: the pass rate moved beyond round-to-round noise"
        ).format(k=k, n=len(drawn))
    else:
        title = _("Every round lies within the p-chart limits: no shift beyond round-to-round noise")
    if len(drawn):
        fig = control_charts.p_chart_figure(
            drawn, label="round", xlabel=_("Test round"), ylabel=_("Officers tested who passed")
        )
    else:
        fig, ax = plt.subplots()
        ax.text(0.5, 0.5, _("No round can be shown (disclosure)"), transform=ax.transAxes, ha="center")
        ax.set_axis_off()
    alt = _(
        "p-chart of the pass rate per round: {k} of {n} rounds drawn lie outside the 3-sigma limits around the "
        "pooled rate {rate}."
    ).format(k=k, n=len(drawn), rate=percent(chart["centre"].iloc[0]) if len(drawn) else "–")
    return ctx.finish(
        fig,
        "fitness_p_chart",
        title=title,
        caption=_(
            "p-chart of the pass rate per round (denominator: officers tested), centre = pooled rate over all rounds, "
            "3-sigma binomial limits for each round's size."
        ),
        n=_("{n} officer-tests in {k} rounds").format(n=count(chart["n"].sum()), k=len(chart)),
        source=source(),
        alt=alt,
        data=drawn,
    )


def funnel_figure(ctx: FigureContext, table: pd.DataFrame, which: str, round_: int) -> dict:
    """Units of one round on a funnel (:func:`analysis.subjects.fitness.unit_funnel_table`).

    ``which`` is 'baseline' or 'final'."""
    what = (
        _("Round {round} (first round)").format(round=round_)
        if which == "baseline"
        else _("Round {round} (last round)").format(round=round_)
    )
    fig = funnel.funnel_figure(table, ylabel=_("Officers tested who passed"), xlabel=_("Officers tested in the unit"))
    shown = table[table["shown"].astype(bool)]
    data = shown[["unit", "n", "successes", "rate", "target", "zone", "p_adjusted", "flag"]]
    return ctx.finish(
        fig,
        f"fitness_funnel_{which}",
        title=funnel.funnel_title(table, what),
        caption=funnel.funnel_caption(table),
        n=_("{n} officers tested in {k} units").format(n=count(table["n"].sum()), k=len(table)),
        source=source(),
        alt=funnel.funnel_alt(table, what),
        data=data,
    )
