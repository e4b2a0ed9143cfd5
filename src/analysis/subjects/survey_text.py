"""What readers see of the questionnaire: key points, headline figures, sentences and tables, in the report's language.

Built from the results of :mod:`analysis.subjects.survey`; nothing is computed here that the survey
module does not compute. The headline figures (:func:`return_rate_figure`, :func:`satisfaction_figure`,
:func:`bounds_figure`) are the one label and value of each statistic: the survey report and the brief
both call them.
"""

from __future__ import annotations

import pandas as pd

from analysis.core.text import count, interval, number, p_value, percent, rate_text
from analysis.i18n import _, label
from analysis.present import blocks
from analysis.present.tables import Column, natural_order, reader_table
from analysis.stats import disclosure
from analysis.subjects import survey

# The label-table kind naming each grouping variable's codes.
GROUP_KINDS = {
    "channel": "channel",
    "district": "district",
    "age_band": "age_band",
    "sex": "sex",
    "police_contact": "bool",
    "occupation": "occupation",
}


def variable_name(variable: str) -> str:
    """A grouping variable in words (a panel title, a table heading)."""
    names = {
        "channel": _("Channel"),
        "district": _("District"),
        "age_band": _("Age band"),
        "sex": _("Sex"),
        "police_contact": _("Dealings with the police"),
        "occupation": _("Occupation"),
    }
    return names.get(variable, variable)


def group_name(variable: str, code) -> str:
    """One group's name from the label table (channel 'street' -> 'On the street')."""
    if variable == "police_contact" and not pd.isna(code):
        code = bool(code)
    return label(GROUP_KINDS.get(variable, variable), code)


def scope_id(district: str | None) -> str:
    return "county" if district is None else district


# --- headline figures: one function, one label each -----------------------------------------------


def return_rate_figure(overall: pd.Series, district: str | None = None) -> blocks.Figure:
    """The return rate (valid forms returned / forms handed out) with its interval."""
    return blocks.Figure(
        "survey.return_rate",
        _("return rate"),
        percent(overall["rate"]),
        scope_id(district),
        interval(overall["ci_low"], overall["ci_high"]),
    )


def satisfaction_figure(estimates: pd.DataFrame, district: str | None = None) -> blocks.Figure:
    """Overall satisfaction, weighted: the share answering 4 or 5 to the overall question, with its interval."""
    q = estimates.set_index("item").loc[survey.OVERALL]
    return blocks.Figure(
        "survey.satisfied_weighted",
        _("overall satisfaction rate (weighted)"),
        percent(q["top_box"]),
        scope_id(district),
        interval(q["top_box_low"], q["top_box_high"]),
    )


def bounds_figure(b: survey.NonresponseBounds, district: str | None = None) -> blocks.Figure:
    """The nonresponse bounds (worst case, :func:`analysis.subjects.survey.worst_case_bounds`): satisfaction among
    all forms handed out, whatever those not returned or without a valid answer think."""
    return blocks.Figure(
        "survey.satisfied_bounds",
        _("satisfaction among everyone handed a form, worst case"),
        _("{low} to {high}").format(low=percent(b.lower), high=percent(b.upper)),
        scope_id(district),
    )


# --- key points ------------------------------------------------------------------------------------


def _extremes(table: pd.DataFrame, variable: str, value: str) -> tuple[pd.Series, pd.Series]:
    t = table.dropna(subset=[value])
    return t.loc[t[value].idxmax()], t.loc[t[value].idxmin()]


def key_points(
    overall: pd.Series,
    by_channel: pd.DataFrame,
    estimates: pd.DataFrame,
    groups: dict[str, pd.DataFrame],
    worst: survey.NonresponseBounds,
    district: str | None = None,
) -> list[blocks.Safe]:
    """The survey report's key points: return rate, satisfaction, the lowest items, contact, the bounds."""
    points = []
    shown = by_channel[visible(by_channel, "returned")]
    hi, lo = _extremes(shown, "channel", "rate") if len(shown) > 1 else (None, None)
    spread = (
        _("; by channel from {low} ({low_name}) to {high} ({high_name})").format(
            low=percent(lo["rate"]),
            low_name=group_name("channel", lo["channel"]),
            high=percent(hi["rate"]),
            high_name=group_name("channel", hi["channel"]),
        )
        if hi is not None
        else ""
    )
    points.append(
        blocks.fill(
            _("{returned} of {distributed} questionnaires came back: {figure}{spread}."),
            returned=count(overall["returned"]),
            distributed=count(overall["distributed"]),
            figure=return_rate_figure(overall, district),
            spread=spread,
        )
    )
    q = estimates.set_index("item").loc[survey.OVERALL]
    points.append(
        blocks.fill(
            _("Of the {n} valid answers to the overall question: {figure}."),
            figure=satisfaction_figure(estimates, district),
            n=count(q["n_valid"]),
        )
    )
    e = estimates[estimates["item"] != survey.OVERALL].sort_values("top_box")
    low1, low2, top = e.iloc[0], e.iloc[1], e.iloc[-1]
    points.append(
        blocks.fill(
            _("Rated lowest: {item1} ({share1}) and {item2} ({share2}); rated highest: {item3} ({share3})."),
            item1=label("likert_item", low1["item"]),
            share1=percent(low1["top_box"]),
            item2=label("likert_item", low2["item"]),
            share2=percent(low2["top_box"]),
            item3=label("likert_item", top["item"]),
            share3=percent(top["top_box"]),
        )
    )
    contact = groups.get("police_contact")
    if contact is not None and visible(contact, "respondents").all() and contact["top_box"].notna().sum() == 2:
        c = contact.assign(police_contact=contact["police_contact"].astype(bool)).set_index("police_contact")
        yes, no = c.loc[True, "top_box"], c.loc[False, "top_box"]
        template = (
            _("People who had dealt with the police in the past year were less satisfied: {yes} against {no}.")
            if yes < no
            else _("People who had dealt with the police in the past year were more satisfied: {yes} against {no}.")
        )
        points.append(blocks.fill(template, yes=percent(yes), no=percent(no)))
    points.append(
        blocks.fill(
            _(
                "The {missing} forms not returned or without a valid answer could move this far: {figure}. The "
                "intervals cover sampling noise only; the questionnaire was handed out by the police and answered by "
                "those who chose to."
            ),
            missing=count(worst.unknown),
            figure=bounds_figure(worst, district),
        )
    )
    return points


# --- disclosure of small groups --------------------------------------------------------------------


def visible(table: pd.DataFrame, base: str) -> pd.Series:
    """True for the rows whose base count the disclosure gate shows (the same rows a chart may draw)."""
    protected = disclosure.protect_estimates(table, base)
    return ~protected[base].map(disclosure.is_suppressed)


# --- sentences and tables for readers --------------------------------------------------------------


def collection_table(rates: pd.DataFrame, by: str):
    """Return rates by channel or district, base counts through the disclosure gate."""
    shown = disclosure.protect_estimates(rates, "returned", ["rate", "ci_low", "ci_high"])
    shown = natural_order(shown, by, GROUP_KINDS[by])
    return reader_table(
        shown,
        [
            Column(by, variable_name(by), "label", label_kind=GROUP_KINDS[by]),
            Column("distributed", _("Forms handed out"), "count"),
            Column("returned", _("Returned (valid)"), "people"),
            Column("rate", _("Return rate"), "percent"),
            Column("ci", _("95% CI"), "interval", low="ci_low", high="ci_high"),
        ],
        where=f"return rates by {by}",
    )


def collection_tests(
    batches: pd.DataFrame, responses: pd.DataFrame, tables: dict[str, pd.DataFrame], district: str | None = None
) -> dict:
    """The design-adjusted (Rao-Scott) test of return rates for each grouping with more than one group."""
    return {
        by: survey.return_rate_test(batches, responses, by, district) for by, table in tables.items() if len(table) > 1
    }


def collection_test_sentence(variable: str, test) -> str:
    """The Rao-Scott test of return rates across groups (forms clustered in batches), for readers."""
    if test.p_value < 0.05:
        template = _(
            "The return rate differs by {variable} by more than chance would explain (Rao-Scott F = {f} on ({ndf}, "
            "{ddf}) df, {p}; forms handed out in one batch are counted as a cluster)."
        )
    else:
        template = _(
            "The return rate does not differ clearly by {variable} (Rao-Scott F = {f} on ({ndf}, {ddf}) df, {p}; "
            "forms handed out in one batch are counted as a cluster)."
        )
    return template.format(
        variable=variable_name(variable).lower(),
        f=f"{test.f_statistic:.2f}",
        ndf=f"{test.ndf:.2f}",
        ddf=f"{test.ddf:.1f}",
        p=p_value(test.p_value),
    )


def collection_lines(overall: pd.Series, tests: dict, where: str) -> str:
    """The analyst's printed figures of section 1 (checked by nbval)."""
    lines = [
        _("Forms returned in {where}: {rate}").format(
            where=where,
            rate=rate_text(overall["returned"], overall["distributed"], overall["ci_low"], overall["ci_high"]),
        )
    ]
    lines += [survey.return_rate_test_text(by, test) for by, test in tests.items()]
    return "\n".join(lines)


def weighting_lines(weighted: survey.WeightedSample, district: str | None, in_domain: int) -> str:
    """The analyst's printed figures of the weighting (checked by nbval)."""
    fit = weighted.rake
    if not fit.trimmed:
        trimming = _("no weight needed trimming")
    elif fit.bounds is None:
        trimming = _("{k} weights outside the trimming bounds, no bounds fit the margins: left untrimmed").format(
            k=count(fit.trimmed)
        )
    else:
        trimming = _("{k} weights trimmed to {low:g}-{high:g} x the mean weight").format(
            k=count(fit.trimmed), low=fit.bounds[0], high=fit.bounds[1]
        )
    lines = [
        _("Weighted respondents, county: {n} (left out, age band or sex blank: {dropped})").format(
            n=count(weighted.n), dropped=count(weighted.dropped)
        )
    ]
    if district is not None:
        lines.append(
            _("Weighted respondents in {district}: {n}").format(
                district=label("district", district), n=count(in_domain)
            )
        )
    lines.append(
        _("Raking: {iterations} iterations, largest margin error {error}; {trimming}").format(
            iterations=fit.iterations, error=f"{fit.max_error:.1e}", trimming=trimming
        )
    )
    lines.append(
        _("Kish design effect of the weights: {deff} (effective sample size {ess})").format(
            deff=number(weighted.deff), ess=count(round(weighted.n / weighted.deff))
        )
    )
    return "\n".join(lines)


def weighting_sentence(weighted: survey.WeightedSample) -> str:
    """What the weighting did and cost, for readers."""
    return _(
        "{n} respondents could be weighted ({dropped} left age band or sex blank and are left out of the weighted "
        "figures). Unequal weights cost precision: the {n} weighted answers are worth about {ess} unweighted ones "
        "(Kish design effect {deff})."
    ).format(
        n=count(weighted.n),
        dropped=count(weighted.dropped),
        ess=count(round(weighted.n / weighted.deff)),
        deff=number(weighted.deff),
    )


def profile_table(profile: pd.DataFrame):
    """Respondents against the population per district, age band and sex (small groups suppressed)."""
    shown = disclosure.protect_estimates(profile, "respondents", ["sample_share", "weighted_share"])
    parts = []
    for var in dict.fromkeys(shown["variable"]):
        part = natural_order(shown[shown["variable"] == var], "level", GROUP_KINDS[var])
        parts.append(part.assign(group=[group_name(var, v) for v in part["level"]], what=variable_name(var)))
    return reader_table(
        pd.concat(parts, ignore_index=True),
        [
            Column("what", _("Variable")),
            Column("group", _("Group")),
            Column("respondents", _("Respondents"), "people"),
            Column("sample_share", _("Share of respondents"), "percent"),
            Column("population_share", _("Share of the population"), "percent"),
            Column("weighted_share", _("Share after weighting"), "percent"),
        ],
        where="respondent profile",
    )


def items_table(estimates: pd.DataFrame):
    """Per question: valid answers, the satisfied share with its interval and the mean score."""
    shown = disclosure.protect_estimates(
        estimates, "n_valid", ["top_box", "top_box_low", "top_box_high", "mean", "mean_low", "mean_high"]
    )
    return reader_table(
        natural_order(shown, "item", "likert_item"),
        [
            Column("item", _("Question"), "label", label_kind="likert_item"),
            Column("n_valid", _("Valid answers"), "people"),
            Column("top_box", _("Satisfied (weighted)"), "percent"),
            Column("ci", _("95% CI"), "interval", low="top_box_low", high="top_box_high"),
            Column("mean", _("Mean score (1-5)"), "number", places=2),
            Column(
                "mean_ci",
                _("95% CI of the mean"),
                "interval",
                low="mean_low",
                high="mean_high",
                as_percent=False,
                places=2,
            ),
        ],
        notes=[_("Satisfied: an answer of 4 or 5 of 5 among the answers 1-5; 'don't know' and blanks are left out.")],
        where="items",
    )


def answers_left_out_table(counts: pd.DataFrame):
    """Per question: 'don't know' and blank answers (left out of that question's figures)."""
    shown = disclosure.protect(counts[["item", "dont_know", "blank"]], count_columns=["dont_know", "blank"])
    return reader_table(
        natural_order(shown, "item", "likert_item"),
        [
            Column("item", _("Question"), "label", label_kind="likert_item"),
            Column("dont_know", label("likert_point", 9), "people"),
            Column("blank", _("Not answered"), "people"),
        ],
        where="answers left out",
    )


def overall_lines(estimates: pd.DataFrame, where: str) -> str:
    """The analyst's printed figures of overall satisfaction (checked by nbval)."""
    q = estimates.set_index("item").loc[survey.OVERALL]
    return "\n".join(
        [
            _(
                "Overall satisfaction in {where}: {share} satisfied or very satisfied ({interval}; {n} valid answers)"
            ).format(
                where=where,
                share=percent(q["top_box"]),
                interval=interval(q["top_box_low"], q["top_box_high"]),
                n=count(q["n_valid"]),
            ),
            _("Mean score: {mean} of 5 ({interval})").format(
                mean=number(q["mean"]), interval=interval(q["mean_low"], q["mean_high"], places=2, as_percent=False)
            ),
            _("Design effect of clustering and weighting for this share: {deff}").format(
                deff=number(q["top_box_deff"])
            ),
        ]
    )


def overall_sentence(estimates: pd.DataFrame, district: str | None = None) -> blocks.Safe:
    """Overall satisfaction and the mean score, for readers."""
    q = estimates.set_index("item").loc[survey.OVERALL]
    return blocks.fill(
        _("{figure}; the mean score is {mean} of 5 ({interval})."),
        figure=satisfaction_figure(estimates, district),
        mean=number(q["mean"]),
        interval=interval(q["mean_low"], q["mean_high"], places=2, as_percent=False),
    )


def alpha_line(reliability: survey.ScaleReliability) -> str:
    """Cronbach's alpha with its n and base, and the pairwise standardised alpha (checked by nbval)."""
    return survey.scale_reliability_text(reliability)


def alpha_sentence(reliability: survey.ScaleReliability) -> str:
    """What alpha says, for readers, with the people it is computed from."""
    alpha = reliability.complete
    template = (
        _(
            "The ten questions measure one thing consistently: Cronbach's alpha {alpha} ({interval}), from the {n} "
            "of {base} people who answered all ten (don't know counts as missing); from every answered pair of "
            "questions, {pairwise}."
        )
        if alpha.alpha >= 0.8
        else _(
            "The ten questions hang together only loosely: Cronbach's alpha {alpha} ({interval}), from the {n} "
            "of {base} people who answered all ten (don't know counts as missing); from every answered pair of "
            "questions, {pairwise}."
        )
    )
    return template.format(
        alpha=number(alpha.alpha, 2),
        interval=interval(alpha.ci_low, alpha.ci_high, places=2, as_percent=False),
        n=count(alpha.n),
        base=count(reliability.respondents),
        pairwise=number(reliability.pairwise.alpha, 2),
    )


def group_table(table: pd.DataFrame, variable: str):
    """Overall satisfaction in each group of ``variable`` (small groups suppressed)."""
    shown = disclosure.protect_estimates(table, "respondents", ["n_valid", "top_box", "ci_low", "ci_high", "mean"])
    if variable != "police_contact":
        shown = natural_order(shown, variable, GROUP_KINDS[variable])
    shown = shown.assign(group=[group_name(variable, v) for v in shown[variable]])
    return reader_table(
        shown,
        [
            Column("group", variable_name(variable)),
            Column("respondents", _("Respondents"), "people"),
            Column("n_valid", _("Valid answers"), "people"),
            Column("top_box", _("Satisfied (weighted)"), "percent"),
            Column("ci", _("95% CI"), "interval", low="ci_low", high="ci_high"),
            Column("mean", _("Mean score (1-5)"), "number", places=2),
        ],
        where=f"satisfaction by {variable}",
    )


def group_test_line(sample: pd.DataFrame, variable: str, domain=None) -> str:
    """The design-based Wald test across the groups of ``variable`` (checked by nbval), or why it was not done."""
    try:
        t = survey.group_difference_test(sample, variable, domain=domain)
    except ValueError:  # the design refuses fewer than two groups (a district's own report)
        return _("Satisfaction by {variable}: not tested ({reason})").format(
            variable=variable_name(variable).lower(), reason=_("fewer than two groups")
        )
    return _("Satisfaction by {variable}: F = {f} on ({df1}, {df2}) df, {p}").format(
        variable=variable_name(variable).lower(), f=f"{t.f_statistic:.2f}", df1=t.df1, df2=t.df2, p=p_value(t.p_value)
    )


def bounds_lines(b: survey.NonresponseBounds) -> str:
    """The analyst's printed nonresponse bounds (checked by nbval)."""
    return "\n".join(
        [
            _("{returned} of {n} forms returned, {answered} with a valid answer, {satisfied} of them satisfied").format(
                returned=count(b.returned),
                n=count(b.distributed),
                answered=count(b.answered),
                satisfied=count(b.satisfied),
            ),
            _("Satisfied among all {n} people handed a form (worst case): between {low} and {high}").format(
                n=count(b.distributed), low=percent(b.lower), high=percent(b.upper)
            ),
        ]
    )


def bounds_sentence(b: survey.NonresponseBounds, district: str | None = None) -> blocks.Safe:
    """The nonresponse bounds for readers."""
    return blocks.fill(
        _(
            "If every one of the {missing} people who did not return a form or gave no valid answer were dissatisfied, "
            "or every one satisfied, satisfaction among all {n} handed a form would lie at the ends of this range: "
            "{figure}."
        ),
        missing=count(b.unknown),
        n=count(b.distributed),
        figure=bounds_figure(b, district),
    )
