"""The survey notebook's figures: each titled with what it shows, with alt text stating the finding and its data.

Words come from the catalog and codes are named from the label table, so a figure reads in the
report's language; ``where`` is the scope in words (:func:`analysis.present.blocks.scope_words`).
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from analysis.core.text import count, interval, percent
from analysis.i18n import _, label
from analysis.plotting.caterpillar import caterpillar
from analysis.plotting.context import FigureContext
from analysis.plotting.intervals import dot_interval
from analysis.plotting.likert import likert_bars
from analysis.plotting.theme import PALETTE
from analysis.present.blocks import scope_words
from analysis.subjects.survey_text import GROUP_KINDS, group_name, variable_name, visible


def source() -> str:
    return _(
        "police-and-people dialogue questionnaire (distribution log and returned forms), household register margins"
    )


def _where(ctx: FigureContext) -> str:
    return scope_words(ctx.scope)


def collection_figure(
    ctx: FigureContext, by_channel: pd.DataFrame, by_district: pd.DataFrame, overall: pd.Series
) -> dict:
    """Return rate with its interval by channel and by district, the overall rate as reference.

    A group the tables suppress (too few forms returned) is not drawn either."""
    by_channel = by_channel[visible(by_channel, "returned")]
    by_district = by_district[visible(by_district, "returned")]
    panels = [("channel", by_channel)] + ([("district", by_district)] if len(by_district) > 1 else [])
    fig, axes = plt.subplots(1, len(panels), figsize=(11 if len(panels) > 1 else 7, 4.2), squeeze=False)
    for ax, (col, frame) in zip(axes[0], panels):
        f = frame.sort_values("rate", ascending=False).assign(
            name=[group_name(col, c) for c in frame.sort_values("rate", ascending=False)[col]],
        )
        f["note"] = [_("{k} of {n}").format(k=count(r), n=count(n)) for r, n in zip(f["returned"], f["distributed"])]
        dot_interval(
            f,
            label="name",
            estimate="rate",
            low="ci_low",
            high="ci_high",
            ax=ax,
            annotate="note",
            xlabel=_("Forms returned (% of distributed)"),
            reference=overall["rate"],
            reference_label=_("overall {rate}").format(rate=percent(overall["rate"], 1)),
        )
        ax.set_title(_("By {variable}").format(variable=variable_name(col)), fontsize=10)
        ax.set_xlim(min(30, f["ci_low"].min() * 100 - 5), min(100, f["ci_high"].max() * 100 + 12))
    if len(by_channel) >= 2:
        hi, lo = by_channel.loc[by_channel["rate"].idxmax()], by_channel.loc[by_channel["rate"].idxmin()]
        spread = _("; {high_name} {high_rate} against {low_name} {low_rate}").format(
            high_name=group_name("channel", hi["channel"]),
            high_rate=percent(hi["rate"], 0),
            low_name=group_name("channel", lo["channel"]),
            low_rate=percent(lo["rate"], 0),
        )
        alt_spread = _("; by channel from {low_rate} ({low_name}) to {high_rate} ({high_name})").format(
            low_rate=percent(lo["rate"]),
            low_name=group_name("channel", lo["channel"]),
            high_rate=percent(hi["rate"]),
            high_name=group_name("channel", hi["channel"]),
        )
    else:
        spread = alt_spread = ""
    title = _("{rate} of forms came back in {where}{spread}").format(
        rate=percent(overall["rate"], 1), where=_where(ctx), spread=spread
    )
    alt = _("Return rate: {returned} of {distributed} forms came back in {where}, {rate} ({interval}){spread}.").format(
        returned=count(overall["returned"]),
        distributed=count(overall["distributed"]),
        where=_where(ctx),
        rate=percent(overall["rate"]),
        interval=interval(overall["ci_low"], overall["ci_high"]),
        spread=alt_spread,
    )
    data = pd.concat(
        [
            f.rename(columns={col: "group"}).assign(variable=col)[
                ["variable", "group", "distributed", "returned", "rate", "ci_low", "ci_high"]
            ]
            for col, f in panels
        ],
        ignore_index=True,
    )
    return ctx.finish(
        fig,
        "survey_collection",
        title=title,
        n=_("{n} forms distributed").format(n=count(overall["distributed"])),
        caption=_(
            "Dots: share of distributed forms returned and valid; whiskers: 95% intervals with forms clustered in "
            "their batches (logit, t on the batches' df); the process's variation only."
        ),
        source=source(),
        alt=alt,
        data=data,
    )


def profile_figure(ctx: FigureContext, profile: pd.DataFrame) -> dict:
    """Respondents' shares against the population's, per district, age band and sex (small groups not drawn)."""
    profile = profile[visible(profile, "respondents")]
    variables = list(dict.fromkeys(profile["variable"]))
    fig, axes = plt.subplots(
        1,
        len(variables),
        figsize=(12, 4),
        gridspec_kw={"width_ratios": [max(1, profile["variable"].eq(v).sum()) for v in variables]},
        squeeze=False,
    )
    for ax, var in zip(axes[0], variables):
        p = profile[profile["variable"] == var]
        x = np.arange(len(p))
        ax.bar(x - 0.2, p["sample_share"] * 100, width=0.4, color=PALETTE[1], label=_("respondents"))
        ax.bar(x + 0.2, p["population_share"] * 100, width=0.4, color=PALETTE[0], label=_("population"))
        ax.set_xticks(x, [group_name(var, v) for v in p["level"]], rotation=30, ha="right")
        ax.set_title(variable_name(var), fontsize=10)
        ax.set_ylabel(_("Share (%)"))
    axes[0][0].legend(fontsize=8, frameon=False)
    gap = profile["sample_share"] - profile["population_share"]
    worst = profile.loc[gap.abs().idxmax()]
    g = gap.loc[gap.abs().idxmax()]
    template = (
        _(
            "{level} ({variable}) is over-represented among respondents by {points} points in {where}; "
            "weighting restores the population's mix"
        )
        if g > 0
        else _(
            "{level} ({variable}) is under-represented among respondents by {points} points in {where}; "
            "weighting restores the population's mix"
        )
    )
    title = template.format(
        level=group_name(worst["variable"], worst["level"]),
        variable=variable_name(worst["variable"]),
        points=f"{abs(g) * 100:.0f}",
        where=_where(ctx),
    )
    alt = _(
        "Respondents against the adult population by district, age band and sex: the largest gap is {level} "
        "({variable}), {sample} of respondents against {population} of the population."
    ).format(
        level=group_name(worst["variable"], worst["level"]),
        variable=variable_name(worst["variable"]),
        sample=percent(worst["sample_share"]),
        population=percent(worst["population_share"]),
    )
    known = int(profile.loc[profile["variable"] == variables[0], "respondents"].sum())
    return ctx.finish(
        fig,
        "survey_profile",
        title=title,
        n=_("{n} respondents with a known profile").format(n=count(known)),
        caption=_(
            "Orange: respondents' shares (unweighted); blue: adult population (household register). After raking, "
            "the weighted shares equal the population's."
        ),
        source=source(),
        alt=alt,
        data=profile[["variable", "level", "sample_share", "population_share"]],
    )


def likert_figure(ctx: FigureContext, counts: pd.DataFrame, estimates: pd.DataFrame) -> dict:
    """Every item's weighted answers as a diverging bar, items sorted by their satisfied share."""
    order = estimates.sort_values("top_box", ascending=False)["item"]
    c = counts.set_index("item").loc[order].reset_index()
    e = estimates.set_index("item").loc[order]
    c["name"] = [
        _("{item} ({share})").format(item=label("likert_item", i), share=percent(t, 0))
        for i, t in zip(c["item"], e["top_box"])
    ]
    fig = likert_bars(c, label="name")
    best, worst = e.iloc[0], e.iloc[-1]
    title = _(
        "In {where}, satisfaction was highest for {best} ({best_share} satisfied) "
        "and lowest for {worst} ({worst_share})"
    ).format(
        where=_where(ctx),
        best=label("likert_item", best.name),
        best_share=percent(best["top_box"], 0),
        worst=label("likert_item", worst.name),
        worst_share=percent(worst["top_box"], 0),
    )
    alt = _(
        "Answers to the ten questions, weighted: the satisfied share (4 or 5 of 5) is highest for {best} "
        "({best_share}) and lowest for {worst} ({worst_share})."
    ).format(
        best=label("likert_item", best.name),
        best_share=percent(best["top_box"]),
        worst=label("likert_item", worst.name),
        worst_share=percent(worst["top_box"]),
    )
    data = c[["item", 1, 2, 3, 4, 5, "dont_know", "blank", "n_valid"]].rename(
        columns={1: "answer_1", 2: "answer_2", 3: "answer_3", 4: "answer_4", 5: "answer_5"}
    )
    return ctx.finish(
        fig,
        "survey_likert",
        title=title,
        n=_("{low}-{high} valid answers per item").format(
            low=count(c["n_valid"].min()), high=count(c["n_valid"].max())
        ),
        caption=_(
            "Weighted counts (raking weights, estimated adults); dissatisfied answers left of 0, satisfied right, "
            "neutral split across 0. Percent in brackets: weighted share answering 4 or 5 among valid answers; "
            "'don't know' and blanks excluded."
        ),
        source=source(),
        alt=alt,
        data=data,
    )


def top_box_figure(ctx: FigureContext, estimates: pd.DataFrame) -> dict:
    """The satisfied share per item with its design-based (batch-clustered) interval."""
    e = estimates.sort_values("top_box", ascending=False).assign(
        name=lambda d: d["item"].map(lambda i: label("likert_item", i))
    )
    fig = dot_interval(
        e,
        label="name",
        estimate="top_box",
        low="top_box_low",
        high="top_box_high",
        xlabel=_("Satisfied or very satisfied (weighted %)"),
    )
    half_width = 100 * (e["top_box_high"] - e["top_box_low"]).median() / 2
    title = _(
        "Satisfaction ranged from {low} to {high} across the ten items in {where}; intervals about ±{half} points"
    ).format(
        low=percent(e["top_box"].min(), 0),
        high=percent(e["top_box"].max(), 0),
        where=_where(ctx),
        half=f"{half_width:.0f}",
    )
    lowest = e.iloc[-2:][::-1]
    alt = _(
        "Weighted satisfied share per item with 95% intervals: from {high} ({high_item}) down to {low2} ({low2_item}) "
        "and {low} ({low_item})."
    ).format(
        high=percent(e["top_box"].iloc[0]),
        high_item=e["name"].iloc[0],
        low2=percent(lowest["top_box"].iloc[1]),
        low2_item=lowest["name"].iloc[1],
        low=percent(lowest["top_box"].iloc[0]),
        low_item=lowest["name"].iloc[0],
    )
    return ctx.finish(
        fig,
        "survey_top_box",
        title=title,
        n=_("{low}-{high} valid answers per item").format(
            low=count(e["n_valid"].min()), high=count(e["n_valid"].max())
        ),
        caption=_(
            "Weighted share answering 4 or 5 of 5; intervals: Taylor linearisation with the distribution batch "
            "as cluster within district strata, raking credited, logit scale, t on batches - strata df (as R survey's "
            "svyciprop). Sampling noise only: self-selection is not covered."
        ),
        source=source(),
        alt=alt,
        data=e[["item", "n_valid", "top_box", "top_box_low", "top_box_high"]],
    )


def district_comparison_figure(ctx: FigureContext, comparison: pd.DataFrame) -> dict:
    """Every district's overall satisfaction minus the county's with Bonferroni intervals (districts_against_county)."""
    first = comparison.iloc[0]
    named = comparison.assign(name=[label("district", d) for d in comparison["district"]])
    fig = caterpillar(
        named,
        label="name",
        estimate="difference",
        low="ci_low",
        high="ci_high",
        scale=100,
        xlabel=_("Satisfied overall: district minus county (percentage points)"),
        reference_label=_("county {rate}").format(rate=percent(first["county"], 1)),
    )
    above = named.loc[named["ci_low"] > 0, "name"].tolist()
    below = named.loc[named["ci_high"] < 0, "name"].tolist()
    county = percent(first["county"], 0)
    rest = len(named) - len(above) - len(below)
    if above or below:
        parts = ([_("{names} above").format(names=_(", ").join(above))] if above else []) + (
            [_("{names} below").format(names=_(", ").join(below))] if below else []
        )
        title = _(
            "Against the county's {county}: {parts}; the other {n} districts are not distinguishable from it"
        ).format(county=county, parts=_(" and ").join(parts), n=rest)
    else:
        title = _("No district is distinguishable from the county's {county} satisfied").format(county=county)

    def points(x: float) -> str:
        return f"{100 * x:+.1f}"

    alt = _("Overall satisfaction by district minus the county's {county}: {districts}").format(
        county=percent(first["county"]),
        districts=_("; ").join(
            _("{district} {difference} points ({low} to {high})").format(
                district=r.name, difference=points(r.difference), low=points(r.ci_low), high=points(r.ci_high)
            )
            for r in named.itertuples()
        ),
    )
    return ctx.finish(
        fig,
        "survey_districts",
        title=title,
        n=_("{n} valid answers in {k} districts").format(n=count(comparison["n_valid"].sum()), k=len(comparison)),
        caption=_(
            "District minus county; whiskers: Bonferroni 95% intervals over {k} districts, t on the design's {df} df. "
            "Red: the interval excludes the county."
        ).format(k=int(first["comparisons"]), df=int(first["df"])),
        source=source(),
        alt=alt,
        data=comparison[["district", "n_valid", "top_box", "county", "difference", "ci_low", "ci_high", "p_holm"]],
    )


def groups_figure(
    ctx: FigureContext, tables: dict[str, pd.DataFrame], overall: float, question: str, n_valid: int
) -> dict:
    """The satisfied share of the overall item by channel, district, age band and police contact."""
    # Groups the tables suppress (too few respondents) are not drawn either.
    tables = {k: v[visible(v, "respondents")].dropna(subset=["top_box"]) for k, v in tables.items()}
    tables = {k: v for k, v in tables.items() if len(v) > 1}
    fig, axes = plt.subplots(
        len(tables),
        1,
        figsize=(8, sum(0.35 * len(v) + 0.8 for v in tables.values()) + 1.2),
        gridspec_kw={"height_ratios": [len(v) for v in tables.values()]},
        sharex=True,
        squeeze=False,
    )
    spreads = {}
    for ax, (var, t) in zip(axes[:, 0], tables.items()):
        t = t.assign(name=t[var].map(lambda c, var=var: group_name(var, c)))
        dot_interval(
            t, label="name", estimate="top_box", low="ci_low", high="ci_high", ax=ax, xlabel="", reference=overall
        )
        ax.set_title(variable_name(var), fontsize=9, loc="left")
        spreads[var] = t["top_box"].max() - t["top_box"].min()
    axes[-1, 0].set_xlabel(_("{question}: satisfied (weighted %)").format(question=question))
    widest = max(spreads, key=spreads.get)
    title = _("Overall satisfaction {share} in {where}; the widest gap is by {variable} ({points} points)").format(
        share=percent(overall, 0),
        where=_where(ctx),
        variable=variable_name(widest),
        points=f"{spreads[widest] * 100:.0f}",
    )
    t = tables[widest]
    hi, lo = t.loc[t["top_box"].idxmax()], t.loc[t["top_box"].idxmin()]
    alt = _(
        "Overall satisfaction (weighted) {share} in {where}. By {variable} it ranges from {low} ({low_name}) to "
        "{high} ({high_name})."
    ).format(
        share=percent(overall),
        where=_where(ctx),
        variable=variable_name(widest),
        low=percent(lo["top_box"]),
        low_name=group_name(widest, lo[widest]),
        high=percent(hi["top_box"]),
        high_name=group_name(widest, hi[widest]),
    )
    data = pd.concat(
        [
            t.rename(columns={var: "group"}).assign(variable=var, group=lambda d: d["group"].astype(str))[
                ["variable", "group", "n_valid", "top_box", "ci_low", "ci_high"]
            ]
            for var, t in tables.items()
        ],
        ignore_index=True,
    )
    return ctx.finish(
        fig,
        "survey_groups",
        title=title,
        n=_("{n} valid answers (groups with a blank are left out of that panel)").format(n=count(n_valid)),
        caption=_(
            "Dashed line: all respondents. Domain estimates with batch-clustered Taylor intervals (logit, t df). "
            "Groups overlap in time and place: differences are descriptive, not causal."
        ),
        source=source(),
        alt=alt,
        data=data,
    )


__all__ = [
    "GROUP_KINDS",
    "collection_figure",
    "groups_figure",
    "likert_figure",
    "profile_figure",
    "source",
    "top_box_figure",
]
