"""The survey notebook's figures: each finished with a title that states what the data show."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from analysis.core.text import count, percent
from analysis.plotting.caterpillar import caterpillar
from analysis.plotting.context import FigureContext
from analysis.plotting.intervals import dot_interval
from analysis.plotting.likert import likert_bars
from analysis.plotting.theme import PALETTE

SOURCE_SURVEY = (
    "police-and-people dialogue questionnaire (distribution log and returned forms), household register margins"
)


def short(item: str) -> str:
    """Short name of a questionnaire item for titles: q03_attitude -> attitude."""
    return item.split("_", 1)[-1].replace("_", " ")


def collection_figure(
    ctx: FigureContext, by_channel: pd.DataFrame, by_district: pd.DataFrame, overall: pd.Series
) -> dict:
    """Return rate with batch-clustered intervals by channel and by district, overall rate as reference."""
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
    for ax, frame, col in ((axes[0], by_channel, "channel"), (axes[1], by_district, "district")):
        f = frame.sort_values("rate", ascending=False).assign(
            note=lambda d: d["returned"].map(count) + " of " + d["distributed"].map(count)
        )
        dot_interval(
            f,
            label=col,
            estimate="rate",
            low="ci_low",
            high="ci_high",
            ax=ax,
            annotate="note",
            xlabel="Forms returned (% of distributed)",
            reference=overall["rate"],
            reference_label=f"overall {percent(overall['rate'], 1)}",
        )
        ax.set_title(f"By {col.replace('_', ' ')}", fontsize=10)
        ax.set_xlim(min(30, f["ci_low"].min() * 100 - 5), min(100, f["ci_high"].max() * 100 + 12))
    hi, lo = by_channel.loc[by_channel["rate"].idxmax()], by_channel.loc[by_channel["rate"].idxmin()]
    title = (
        f"{percent(overall['rate'], 1)} of forms came back in {ctx.where}; "
        f"{hi['channel'].replace('_', ' ')} {percent(hi['rate'], 0)} vs "
        f"{lo['channel'].replace('_', ' ')} {percent(lo['rate'], 0)}"
    )
    return ctx.finish(
        fig,
        "survey_collection",
        title=title,
        n=f"{count(overall['distributed'])} forms distributed",
        caption="Dots: share of distributed forms returned and valid; whiskers: 95% intervals with forms clustered in "
        "their batches (logit, t on the batches' df); the process's variation only.",
        source=SOURCE_SURVEY,
        alt=title,  # provisional: the finding in words, with its numbers, replaces it
        data=None,
    )


def profile_figure(ctx: FigureContext, profile: pd.DataFrame) -> dict:
    """Respondents' shares against the population's, per district, age band and sex."""
    variables = list(dict.fromkeys(profile["variable"]))
    fig, axes = plt.subplots(
        1,
        len(variables),
        figsize=(12, 4),
        gridspec_kw={"width_ratios": [profile["variable"].eq(v).sum() for v in variables]},
    )
    for ax, var in zip(np.atleast_1d(axes), variables):
        p = profile[profile["variable"] == var]
        x = np.arange(len(p))
        ax.bar(x - 0.2, p["sample_share"] * 100, width=0.4, color=PALETTE[1], label="respondents")
        ax.bar(x + 0.2, p["population_share"] * 100, width=0.4, color=PALETTE[0], label="population")
        ax.set_xticks(x, p["level"].astype(str).tolist(), rotation=30, ha="right")
        ax.set_title(var.replace("_", " "), fontsize=10)
        ax.set_ylabel("Share (%)")
    np.atleast_1d(axes)[0].legend(fontsize=8, frameon=False)
    gap = profile["sample_share"] - profile["population_share"]
    worst = profile.loc[gap.abs().idxmax()]
    g = gap.loc[gap.abs().idxmax()]
    title = (
        f"{worst['variable'].replace('_', ' ').capitalize()} {worst['level']} is "
        f"{'over' if g > 0 else 'under'}-represented "
        f"among respondents by {abs(g) * 100:.0f} points; raking weights restore the population profile"
    )
    return ctx.finish(
        fig,
        "survey_profile",
        title=title,
        n=f"{count(profile.loc[profile['variable'] == variables[0], 'respondents'].sum())} respondents with a known "
        "profile",
        caption="Orange: respondents' shares (unweighted); blue: adult population (household register). After "
        "raking, the weighted shares equal the population's.",
        source=SOURCE_SURVEY,
        alt=title,  # provisional: the finding in words, with its numbers, replaces it
        data=None,
    )


def likert_figure(ctx: FigureContext, counts: pd.DataFrame, estimates: pd.DataFrame) -> dict:
    """Every item's weighted answers as a diverging bar, items sorted by top-box share."""
    order = estimates.sort_values("top_box", ascending=False)["item"]
    c = counts.set_index("item").loc[order].reset_index()
    e = estimates.set_index("item").loc[order]
    c["label"] = [f"{q} ({percent(t, 0)})" for q, t in zip(c["question"], e["top_box"])]
    fig = likert_bars(c, label="label")
    best, worst = e.iloc[0], e.iloc[-1]
    title = (
        f"In {ctx.where}, satisfaction was highest for {short(best.name)} ({percent(best['top_box'], 0)} satisfied) "
        f"and lowest for {short(worst.name)} ({percent(worst['top_box'], 0)})"
    )
    return ctx.finish(
        fig,
        "survey_likert",
        title=title,
        n=f"{count(c['n_valid'].min())}-{count(c['n_valid'].max())} valid answers per item",
        caption="Weighted counts (raking weights, estimated adults); dissatisfied answers left of 0, satisfied "
        "right, neutral split across 0. Percent in brackets: weighted share answering 4 or 5 among valid answers; "
        "'don't know' and blanks excluded.",
        source=SOURCE_SURVEY,
        alt=title,  # provisional: the finding in words, with its numbers, replaces it
        data=None,
    )


def top_box_figure(ctx: FigureContext, estimates: pd.DataFrame) -> dict:
    """Top-box share per item with its design-based (batch-clustered) logit interval."""
    e = estimates.sort_values("top_box", ascending=False)
    fig = dot_interval(
        e,
        label="question",
        estimate="top_box",
        low="top_box_low",
        high="top_box_high",
        xlabel="Satisfied or very satisfied (weighted %)",
    )
    title = (
        f"Satisfaction ranged from {percent(e['top_box'].min(), 0)} to {percent(e['top_box'].max(), 0)} across the "
        "ten items "
        f"in {ctx.where}; intervals about ±{100 * (e['top_box_high'] - e['top_box_low']).median() / 2:.0f} points"
    )
    return ctx.finish(
        fig,
        "survey_top_box",
        title=title,
        n=f"{count(e['n_valid'].min())}-{count(e['n_valid'].max())} valid answers per item",
        caption="Weighted share answering 4 or 5 of 5; intervals: Taylor linearisation with the distribution batch "
        "as cluster within district strata, raking credited, logit scale, t on batches - strata df (as R survey's "
        "svyciprop). Sampling noise only: self-selection is not covered.",
        source=SOURCE_SURVEY,
        alt=title,  # provisional: the finding in words, with its numbers, replaces it
        data=None,
    )


def district_comparison_figure(ctx: FigureContext, comparison: pd.DataFrame) -> dict:
    """Every district's overall satisfaction minus the county's with Bonferroni intervals (districts_against_county)."""
    first = comparison.iloc[0]
    fig = caterpillar(
        comparison,
        label="district",
        estimate="difference",
        low="ci_low",
        high="ci_high",
        scale=100,
        xlabel="Satisfied overall: district minus county (percentage points)",
        reference_label=f"county {percent(first['county'], 1)}",
    )
    above = comparison.loc[comparison["ci_low"] > 0, "district"].tolist()
    below = comparison.loc[comparison["ci_high"] < 0, "district"].tolist()
    if above or below:
        parts = ([f"{', '.join(above)} above"] if above else []) + ([f"{', '.join(below)} below"] if below else [])
        title = (
            f"Against the county's {percent(first['county'], 0)}: {' and '.join(parts)}; the other "
            f"{len(comparison) - len(above) - len(below)} districts are not distinguishable from it"
        )
    else:
        title = f"No district is distinguishable from the county's {percent(first['county'], 0)} satisfied"
    return ctx.finish(
        fig,
        "survey_districts",
        title=title,
        n=f"{count(comparison['n_valid'].sum())} valid answers in {len(comparison)} districts",
        caption=f"District minus county; whiskers: Bonferroni 95% intervals over {int(first['comparisons'])} "
        f"districts, t on the design's {int(first['df'])} df. Red: the interval excludes the county.",
        source=SOURCE_SURVEY,
        alt=f"Overall satisfaction by district minus the county's {percent(first['county'])}: "
        + "; ".join(
            f"{r.district} {100 * r.difference:+.1f} points ({100 * r.ci_low:+.1f} to {100 * r.ci_high:+.1f})"
            for r in comparison.itertuples()
        ),
        data=comparison[["district", "n_valid", "top_box", "county", "difference", "ci_low", "ci_high", "p_holm"]],
    )


def groups_figure(
    ctx: FigureContext, tables: dict[str, pd.DataFrame], overall: float, question: str, n_valid: int
) -> dict:
    """Top-box share of the overall item by channel, district, age band and police contact."""
    tables = {k: v for k, v in tables.items() if len(v) > 1}
    fig, axes = plt.subplots(
        len(tables),
        1,
        figsize=(8, sum(0.35 * len(v) + 0.8 for v in tables.values()) + 1.2),
        gridspec_kw={"height_ratios": [len(v) for v in tables.values()]},
        sharex=True,
    )
    spreads = {}
    for ax, (var, t) in zip(np.atleast_1d(axes), tables.items()):
        t = t.copy()
        t[var] = t[var].astype(str).map(lambda s: {"True": "contact with police", "False": "no contact"}.get(s, s))
        dot_interval(
            t, label=var, estimate="top_box", low="ci_low", high="ci_high", ax=ax, xlabel="", reference=overall
        )
        ax.set_title(var.replace("_", " "), fontsize=9, loc="left")
        spreads[var] = t["top_box"].max() - t["top_box"].min()
    np.atleast_1d(axes)[-1].set_xlabel(f"{question}: satisfied (weighted %)")
    widest = max(spreads, key=spreads.get)
    title = (
        f"Overall satisfaction {percent(overall, 0)} in {ctx.where}; the widest gap is by {widest.replace('_', ' ')} "
        f"({spreads[widest] * 100:.0f} points)"
    )
    return ctx.finish(
        fig,
        "survey_groups",
        title=title,
        n=f"{count(n_valid)} valid answers (groups with a blank are left out of that panel)",
        caption="Dashed line: all respondents. Domain estimates with batch-clustered Taylor intervals (logit, t df). "
        "Groups overlap in time and place: differences are descriptive, not causal.",
        source=SOURCE_SURVEY,
        alt=title,  # provisional: the finding in words, with its numbers, replaces it
        data=None,
    )
