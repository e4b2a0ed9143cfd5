"""The province comparison in words, tables and charts (the numbers: :mod:`analysis.summary.province`)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.core.text import duration, fewer_than, percent
from analysis.i18n import _, label, sentences
from analysis.plotting.caterpillar import caterpillar
from analysis.plotting.funnel import funnel_figure
from analysis.present.tables import Column, ReaderTable, reader_table
from analysis.stats.disclosure import THRESHOLD
from analysis.summary.province import Comparison, ProvinceComparison, funnel_frame


def source() -> str:
    """Where the charts' numbers come from, in the report's language."""
    return _("each county's processed data, on its own design")


def county_name(slug: str) -> str:
    return label("county", slug)


def measure_name(measure: str) -> str:
    """The measure in words, in the report's language."""
    names = {
        "satisfaction": _("Satisfied overall (weighted share answering 4 or 5)"),
        "return_rate": _("Questionnaire return rate"),
        "rectified": _("Opinions rectified by the cut-off"),
        "median_days": _("Median days from receipt to rectification"),
        "pass_tested": _("Final fitness round: pass rate of officers tested"),
        "pass_roster": _("Final fitness round: pass rate of officers on the roster"),
        "training_below": _("Officers with a training average below the pass mark"),
    }
    return names[measure]


def _value(comparison: Comparison, x) -> str:
    return duration(x) if comparison.measure == "median_days" else percent(x)


def _difference(comparison: Comparison, x) -> str:
    if x is None or (isinstance(x, float) and np.isnan(x)):
        return "–"
    if comparison.measure == "median_days":
        return f"{x:+g}"
    return f"{100 * x:+.1f}"


def verdict(row) -> str:
    """A county against the province on one measure, in words."""
    if not row.shown:
        return _("not shown (disclosure)")
    if row.direction == "above":
        return _("above the province")
    if row.direction == "below":
        return _("below the province")
    return _("not distinguishable")


def province_line(comparison: Comparison) -> str:
    """The province value with its interval and how it is pooled."""
    if not comparison.province_shown:
        return _("{measure}: not shown (disclosure).").format(measure=measure_name(comparison.measure))
    how = {
        "satisfaction": _(
            "pooled with counties as strata: each county's respondents with their own weights and design"
        ),
        "return_rate": _("pooled with counties as strata: every form handed out, each county's batches as clusters"),
        "median_days": _("Kaplan-Meier over every county's opinions"),
    }.get(comparison.measure, _("the counties' totals added up"))
    return _("{measure}: province {value} (95% CI {low} to {high}), {how}.").format(
        measure=measure_name(comparison.measure),
        value=_value(comparison, comparison.province),
        low=_value(comparison, comparison.province_low),
        high=_value(comparison, comparison.province_high),
        how=how,
    )


def comparison_sentence(comparison: Comparison) -> str:
    """Which counties differ from the province on a measure, all compared at once, and how."""
    t = comparison.table
    k = comparison.comparisons
    if k == 1:
        return _("One county only: its figures are the province's, and there is nothing to compare.")
    if comparison.test == "interval":
        how = _("{k} counties against the province, each with its Bonferroni-adjusted interval (95% jointly):").format(
            k=k
        )
    elif comparison.test == "design":
        how = _(
            "{k} counties against the province by the design-based difference, p-values Holm-adjusted over the {k} "
            "comparisons:"
        ).format(k=k)
    else:
        how = _(
            "{k} counties against the province by the exact binomial test (funnel), p-values Holm-adjusted over the "
            "{k} comparisons:"
        ).format(k=k)
    shown = t[t["shown"]]
    above = shown[shown["direction"] == "above"]
    below = shown[shown["direction"] == "below"]

    def named(rows: pd.DataFrame) -> str:
        return _(", ").join(
            _("{county} {value}").format(county=county_name(r.county), value=_value(comparison, r.estimate))
            for r in rows.itertuples()
        )

    parts = [how]
    if len(above):
        parts.append(_("above the province: {counties};").format(counties=named(above)))
    if len(below):
        parts.append(_("below the province: {counties};").format(counties=named(below)))
    rest = len(shown) - len(above) - len(below)
    parts.append(
        _("the other {n} are not distinguishable from the province.").format(n=rest)
        if rest
        else _("every county shown differs from the province.")
    )
    withheld = len(t) - len(shown)
    if withheld:
        parts.append(
            _("{k} counties are not shown because {fewer_than} officers were on one side.").format(
                k=withheld, fewer_than=fewer_than(THRESHOLD)
            )
        )
    return sentences(parts)


def outlying_words(result: ProvinceComparison) -> list[str]:
    """One sentence per outlying county: the measures on which it stands out, and which way."""
    lines = []
    for county, measures in result.outlying_counties().items():
        parts = []
        for m in measures:
            c = result.measures[m]
            row = c.table.set_index("county").loc[county]
            way = _("above") if row["direction"] == "above" else _("below")
            parts.append(
                _("{measure} {value} ({way} the province's {province})").format(
                    measure=measure_name(m), value=_value(c, row["estimate"]), way=way, province=_value(c, c.province)
                )
            )
        lines.append(_("{county}: {measures}.").format(county=county_name(county), measures=_("; ").join(parts)))
    return lines


def key_points(result: ProvinceComparison, synthetic: bool) -> list[str]:
    """The box the report opens with: the counties, the clearest outliers, the reconciliation."""
    k = len(result.counties)
    out = result.outlying_counties()
    sat = result.measures["satisfaction"]
    if k == 1:
        return [
            _(
                "This data holds one county ({county}): a comparison needs the counties of a province, one folder "
                "each (demo-data --counties K); the figures below are the county's own."
            ).format(county=county_name(result.counties[0]))
        ] + ([_("These figures come from synthetic demo data, not from the counties' records.")] if synthetic else [])
    points = [
        _(
            "{k} counties compared on {m} measures, each against the province with multiplicity control (Holm); "
            "province satisfaction {sat} (95% CI {low} to {high})."
        ).format(
            k=k,
            m=len(result.measures),
            sat=percent(sat.province),
            low=percent(sat.province_low),
            high=percent(sat.province_high),
        )
    ]
    if out:
        most = sorted(out.items(), key=lambda kv: -len(kv[1]))[:3]
        points.append(
            _("Outlying most often: {counties}.").format(
                counties=_(", ").join(
                    _("{county} ({n} of {m} measures)").format(county=county_name(c), n=len(ms), m=len(result.measures))
                    for c, ms in most
                )
            )
        )
    else:
        points.append(_("No county differs from the province beyond chance on any measure."))
    low_sat = sat.table[sat.table["direction"] == "below"]
    if len(low_sat):
        points.append(
            _("Satisfaction below the province in {counties}.").format(
                counties=_(", ").join(
                    _("{county} {value}").format(county=county_name(r.county), value=percent(r.estimate))
                    for r in low_sat.itertuples()
                )
            )
        )
    rec = result.reconciliation.dropna(subset=["figures"])
    if len(rec):
        full = int((rec["matched"] == rec["figures"]).sum())
        points.append(
            _("{full} of {k} counties reproduce every published key figure from their own data.").format(
                full=full, k=len(rec)
            )
        )
    if synthetic:
        points.append(_("These figures come from synthetic demo data, not from the counties' records."))
    return points


def comparison_table(comparison: Comparison) -> ReaderTable:
    """One measure: every county's value with its 95% interval, its denominator, the difference and the verdict."""
    t = comparison.table.copy()
    is_median = comparison.measure == "median_days"
    t["value"] = [_value(comparison, r.estimate) if r.shown else "–" for r in t.itertuples()]
    t["interval"] = [
        _("{low} to {high}").format(low=_value(comparison, r.ci_low), high=_value(comparison, r.ci_high))
        if r.shown
        else "–"
        for r in t.itertuples()
    ]
    t["diff"] = [_difference(comparison, r.difference) if r.shown else "–" for r in t.itertuples()]
    t["verdict"] = [verdict(r) for r in t.itertuples()]
    t["p_shown"] = t["p_adjusted"].where(t["shown"])
    columns = [
        Column("county", _("County"), "label", label_kind="county"),
        Column("value", _("Median (days)") if is_median else _("Rate")),
        Column("interval", _("95% interval")),
        Column("n", denominator_words(comparison.measure), "count"),
        Column("diff", _("Difference from the province (days)") if is_median else _("Difference (points)")),
    ]
    if comparison.test != "interval":
        columns.append(Column("p_shown", _("Holm-adjusted p"), "p"))
    columns.append(Column("verdict", _("Against the province")))
    return reader_table(t, columns, caption=province_line(comparison), where=f"province {comparison.measure}")


def reconciliation_table(result: ProvinceComparison) -> ReaderTable:
    """Each county's published key figures reproduced from its own data."""
    t = result.reconciliation.copy()
    t["status"] = [
        _("no key figures")
        if pd.isna(r.figures)
        else _("{m} of {n} matched").format(m=int(r.matched), n=int(r.figures))
        for r in t.itertuples()
    ]
    columns = [Column("county", _("County"), "label", label_kind="county"), Column("status", _("Key figures"))]
    return reader_table(
        t,
        columns,
        caption=_("Each county's key figures recomputed from its data against the published figures"),
        where="province reconciliation",
    )


def denominator_words(measure: str) -> str:
    """What a measure's denominator counts, as a table header."""
    return {
        "satisfaction": _("Valid answers"),
        "return_rate": _("Forms handed out"),
        "rectified": _("Opinions"),
        "median_days": _("Opinions"),
    }.get(measure, _("Officers"))


def _ylabel(comparison: Comparison) -> str:
    return _("Days") if comparison.measure == "median_days" else _("Rate")


def funnel_chart(ctx, comparison: Comparison):
    """The counties on a funnel around the province value (a proportion measure), flagged counties named."""
    if not comparison.province_shown:
        return None
    frame = funnel_frame(comparison)
    frame["shown"] = comparison.table["shown"].to_numpy(bool)
    survey = comparison.test == "design"
    xlabel = (
        _("Effective sample size (the count over the design effect)")
        if survey
        else denominator_words(comparison.measure)
    )
    fig = funnel_figure(
        frame,
        ylabel=_ylabel(comparison),
        xlabel=xlabel,
        label_kind="county",
        target_words=_("province {rate}").format(rate=percent(comparison.province)),
        point_words=_("county"),
        flag_words=_("county outlying (Holm-adjusted p < 0.05)"),
    )
    shown = frame[frame["shown"]]
    flagged = shown[shown["flag"]]
    names = _(", ").join(county_name(c) for c in flagged["unit"]) if len(flagged) else _("none")
    alt = _("{measure}: province {rate}; {n} counties drawn, outlying: {names}.").format(
        measure=measure_name(comparison.measure), rate=percent(comparison.province), n=len(shown), names=names
    )
    caption = _(
        "Exact binomial 95% and 99.8% limits around the province value (Spiegelhalter 2005); the flags are the "
        "Holm-adjusted tests of the table."
    )
    if survey:
        caption += " " + _("A survey county is drawn at its effective sample size, so the limits allow for its design.")
    data = frame.assign(county=frame["unit"].map(county_name))[["county", "n", "rate", "target", "flag", "shown"]]
    data.loc[~data["shown"], "rate"] = np.nan
    return ctx.finish(
        fig,
        f"province_{comparison.measure}_funnel",
        title=_("{measure}: counties against the province").format(measure=measure_name(comparison.measure)),
        caption=caption,
        n=int(comparison.province_n),
        source=source(),
        alt=alt,
        data=data,
    )


def caterpillar_chart(ctx, comparison: Comparison):
    """Every county with its Bonferroni-adjusted interval (95% jointly) and the province line."""
    t = comparison.table[comparison.table["shown"]].copy()
    if t.empty or not comparison.province_shown:
        return None
    t["name"] = t["county"].map(county_name)
    is_median = comparison.measure == "median_days"
    # A median or bound not reached is drawn at the longest time observed (the chart's right edge).
    for col in ("estimate", "adj_low", "adj_high"):
        t[col] = t[col].astype(float)
    if is_median:
        edge = float(np.nanmax(t[["estimate", "adj_low", "adj_high"]].to_numpy()))
        t[["estimate", "adj_low", "adj_high"]] = t[["estimate", "adj_low", "adj_high"]].fillna(edge)
    scale = 1.0 if is_median else 100.0
    fig = caterpillar(
        t,
        label="name",
        estimate="estimate",
        low="adj_low",
        high="adj_high",
        xlabel=_("Days") if is_median else _("Percent"),
        scale=scale,
        reference=comparison.province,
        reference_label=_("province {value}").format(value=_value(comparison, comparison.province)),
    )
    flagged = t[t["outlying"]]
    names = _(", ").join(flagged["name"]) if len(flagged) else _("none")
    alt = _(
        "{measure} in {n} counties with Bonferroni-adjusted intervals; province {value}; outlying: {names}."
    ).format(
        measure=measure_name(comparison.measure), n=len(t), value=_value(comparison, comparison.province), names=names
    )
    data = t[["name", "estimate", "adj_low", "adj_high", "outlying"]].rename(columns={"name": "county"})
    return ctx.finish(
        fig,
        f"province_{comparison.measure}_caterpillar",
        title=_("{measure}: every county with its interval").format(measure=measure_name(comparison.measure)),
        caption=_(
            "Intervals are Bonferroni-adjusted over the {k} counties (95% jointly), so every county can be read "
            "against the province line at once."
        ).format(k=comparison.comparisons),
        n=int(comparison.province_n),
        source=source(),
        alt=alt,
        data=data,
    )


def method_lines(result: ProvinceComparison) -> list[str]:
    """How the comparison was made, for the statistician."""
    return [
        _(
            "Each county's figures come from its own data and design: satisfaction and return rates with its own "
            "raking weights, batches as clusters and districts as strata (the county report's estimators)."
        ),
        _(
            "The province value is the pooled estimate with counties as strata: for the survey the counties' "
            "respondents side by side, each county weighted to its own population, so the variance is the sum of the "
            "counties'; for whole counts the counties' totals added up."
        ),
        _(
            "Every county is compared with the province at once (never the best against the worst): p-values are "
            "Holm-adjusted and the chart intervals Bonferroni-adjusted over the {k} counties."
        ).format(k=len(result.counties)),
        _(
            "Opinions are read on {cutoff}; training uses the pass mark of {mark} points; fitness uses each county's "
            "final round. Whole counts (all opinions, all officers) have intervals that describe the process, not "
            "sampling."
        ).format(cutoff=result.cutoff, mark=f"{result.pass_mark:g}"),
        _("Log-rank test that times to rectification are the same in every county: p = {p}.").format(
            p=f"{result.logrank_p:.2g}"
        ),
    ]


def counties_line(result: ProvinceComparison) -> str:
    """A plain line for the checked output: counties and outlying counts per measure."""
    parts = [f"{m}: {len(c.outlying())} of {c.comparisons} outlying" for m, c in result.measures.items()]
    return f"{len(result.counties)} counties ({', '.join(result.counties)}); " + "; ".join(parts)
