"""What readers see of the campaigns: key points, sentences and tables in the report's language.

Built from :mod:`analysis.subjects.campaigns`. Activities that count people (officers appointed legal
vice-principals, veterans) follow the disclosure rule month by month; their published totals are
quoted as the work report printed them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.core.text import count, interval, month, number, p_value
from analysis.i18n import _, label
from analysis.present import blocks
from analysis.present.tables import Column, natural_order, reader_table
from analysis.stats import disclosure
from analysis.subjects.campaigns import PEOPLE_ACTIVITIES


def rate_words() -> dict[str, str]:
    """Each rate of :func:`analysis.subjects.campaigns.rates` in words."""
    return {
        "violations per officer-time": _("violations handled per officer deployment"),
        "open letters per household": _("open letters per registered household"),
        "alarm points per school": _("alarm points per school"),
        "hazards rectified per school": _("hazards rectified per school"),
        "items handled per month": _("matters handled per month"),
        "items completed per item handled": _("matters completed per matter handled"),
        "yuan saved per item handled": _("yuan saved per matter handled"),
    }


def count_words() -> dict[str, str]:
    """The numerators and denominators of the rates in words."""
    return {
        "violations handled": _("violations handled"),
        "officer-times deployed": _("officer deployments"),
        "open letters issued": _("open letters issued"),
        "registered households": _("registered households"),
        "alarm points set up": _("alarm points set up"),
        "schools in the ledger": _("schools in the ledger"),
        "hazards rectified": _("hazards rectified"),
        "items handled": _("matters handled"),
        "months of the service": _("months of the service"),
        "items completed": _("matters completed"),
        "yuan saved": _("yuan saved"),
    }


def logic_model_reasons() -> dict[str, str]:
    """Why each ledger activity is an output or an outcome (the judgement of campaigns.LOGIC_MODEL)."""
    return {
        "open_letters": _("Letters handed out: a measure of effort; says nothing about whether anyone read them."),
        "cartoons": _("Posters put up: effort, not effect."),
        "officer_times": _("Officer deployments (patrols): resources put in; the denominator of enforcement."),
        "violations": _(
            "Violations handled are enforcement actions: they rise with enforcement effort, so more is not better "
            "order. The outcome would be fewer violations or accidents, which the ledger does not record."
        ),
        "unstable_factors_resolved": _(
            "A dispute or threat around a school settled: a change in the situation, though self-reported."
        ),
        "hazards_rectified": _(
            "A safety hazard removed is a change in the schools' surroundings (an intermediate outcome); the count "
            "also "
            "depends on how many were looked for."
        ),
        "booths_banned": _("Illegal booths banned: an enforcement action; whether they stay away is not recorded."),
        "campus_posts": _("Police posts set up: provision."),
        "alarm_points": _("Alarm points installed: provision."),
        "infrared_systems": _("Alarm systems installed: provision."),
        "legal_vice_principals": _("Officers appointed as legal vice-principals: provision."),
        "items_handled": _("Matters taken on for citizens: service effort."),
        "items_completed": _("Matters concluded for the citizen: the result the service exists for."),
        "yuan_saved": _("Money citizens did not spend: a benefit, estimated by the station rather than measured."),
        "ranks_resolved": _("A veteran's rank settled: the result the care aimed at."),
        "trip_participants": _("Veterans taken on the trip: provision."),
    }


def class_words(cls: str) -> str:
    return {"output": _("output"), "outcome": _("outcome")}.get(cls, cls)


# --- the analyst's printed figures (checked by nbval) ----------------------------------------------


def totals_line(counts: pd.Series, n: int) -> str:
    return _("{matches} of {n} campaign figures match the ledger; {differs} differ; {no_data} have no data").format(
        matches=counts["matches"], n=n, differs=counts["differs"], no_data=counts["no data"]
    )


def rate_lines(rates: pd.DataFrame) -> str:
    rw, cw = rate_words(), count_words()
    lines = []
    for r in rates.itertuples(index=False):
        value = _("no denominator") if pd.isna(r.value) else f"{r.value:,.2f}"
        lines.append(
            _("{rate}: {value} ({numerator} {numerator_label} / {denominator} {denominator_label})").format(
                rate=rw.get(r.rate, r.rate),
                value=value,
                numerator=f"{r.numerator:,.0f}",
                numerator_label=cw.get(r.numerator_label, r.numerator_label),
                denominator=f"{r.denominator:,.0f}",
                denominator_label=cw.get(r.denominator_label, r.denominator_label),
            )
        )
    return "\n".join(lines)


def before_after_line(row) -> str:
    """One line for one activity of ``before_after``: counts, the ratio or its lower bound, Holm p."""
    holm = _("Holm p {p}").format(p=p_value(row["p_holm"], significant=True, label=None))
    counts = _("{activity}: {before} before, {during} during").format(
        activity=label("activity", row["activity"]), before=row["before"], during=row["during"]
    )
    if pd.isna(row["ratio"]):
        return _("{counts}; nothing to compare").format(counts=counts)
    if np.isinf(row["ratio"]):
        return _(
            "{counts}; none before, so the rate ratio has only a lower bound: at least {low} (95%), {holm}"
        ).format(counts=counts, low=f"{row['ci_low']:.2f}", holm=holm)
    return _("{counts}; rate ratio {ratio} (95% CI {low} to {high}), {holm}").format(
        counts=counts, ratio=f"{row['ratio']:.2f}", low=f"{row['ci_low']:.2f}", high=f"{row['ci_high']:.2f}", holm=holm
    )


# --- key points ------------------------------------------------------------------------------------


def key_points(counts: pd.Series, n: int, rates: pd.DataFrame, before_after: pd.DataFrame) -> list[blocks.Safe]:
    """The campaigns report's key points: the published totals, the rates, the campus comparison."""
    points = [
        blocks.fill(
            _("{matches} of {n} campaign totals the work report published match the activity ledger."),
            matches=count(counts["matches"]),
            n=count(n),
        )
    ]
    r = rates.set_index("rate")
    rw, cw = rate_words(), count_words()
    for key in ("violations per officer-time", "open letters per household", "alarm points per school"):
        if key in r.index and pd.notna(r.loc[key, "value"]):
            row = r.loc[key]
            points.append(
                blocks.fill(
                    _("{rate}: {value} ({numerator} {numerator_label} over {denominator} {denominator_label})."),
                    rate=rw[key][:1].upper() + rw[key][1:],
                    value=number(row["value"]),
                    numerator=count(row["numerator"]),
                    numerator_label=cw[row["numerator_label"]],
                    denominator=count(row["denominator"]),
                    denominator_label=cw[row["denominator_label"]],
                )
            )
    compared = before_after[np.isfinite(before_after["ratio"].astype(float))]
    if len(compared):
        top = compared.sort_values("ratio", ascending=False).iloc[0]
        points.append(
            blocks.fill(
                _(
                    "Campus campaign: {activity} {during} in its two months against {before} in the two before (rate "
                    "ratio {ratio}, {interval}); outputs, not proof of safer schools."
                ),
                activity=label("activity", top["activity"]),
                during=count(top["during"]),
                before=count(top["before"]),
                ratio=number(top["ratio"]),
                interval=interval(top["ci_low"], top["ci_high"], places=2, as_percent=False),
            )
        )
    return points[:5]


# --- tables for readers -----------------------------------------------------------------------------


def monthly_table(series: pd.DataFrame):
    """Activity per month: counts; activities that count people through the disclosure gate."""
    wide = series.pivot_table(index=["campaign", "activity"], columns="month", values="quantity", aggfunc="sum")
    wide = wide.fillna(0).astype(float)
    people = wide.index.get_level_values("activity").isin(PEOPLE_ACTIVITIES)
    shown = wide.astype(object)
    if people.any():
        shown.loc[people] = disclosure.protect(wide[people].reset_index(drop=True)).to_numpy()
    months = list(wide.columns)
    frame = shown.reset_index()
    frame = natural_order(frame, "activity", "activity")
    columns = [
        Column("campaign", _("Campaign"), "label", label_kind="campaign"),
        Column("activity", _("Activity"), "label", label_kind="activity"),
    ] + [Column(m, month(m), "count") for m in months]
    return reader_table(
        frame,
        columns,
        notes=[_("A month with no ledger row is shown as zero: the ledger is meant to be complete.")],
    )


def rates_table(rates: pd.DataFrame):
    rw, cw = rate_words(), count_words()
    frame = rates.assign(
        rate_words=[rw.get(r, r) for r in rates["rate"]],
        numerator_words=[cw.get(x, x) for x in rates["numerator_label"]],
        denominator_words=[cw.get(x, x) for x in rates["denominator_label"]],
    )
    return reader_table(
        frame,
        [
            Column("rate_words", _("Rate")),
            Column("value", _("Value"), "number", places=2),
            Column("numerator", _("Numerator"), "count"),
            Column("numerator_words", _("counts")),
            Column("denominator", _("Denominator"), "count"),
            Column("denominator_words", _("over")),
        ],
        notes=[_("Complete counts, not samples: no sampling interval.")],
    )


def comparable(before_after: pd.DataFrame) -> pd.DataFrame:
    """The activities the before/after comparison shows: counts of people are left out (a zero before would be
    a count of people under the threshold)."""
    return before_after[~before_after["activity"].isin(PEOPLE_ACTIVITIES)].reset_index(drop=True)


def before_after_table(before_after: pd.DataFrame):
    shown = comparable(before_after)
    ratio = []
    for _i, r in shown.iterrows():
        if pd.isna(r["ratio"]):
            ratio.append(_("nothing to compare"))
        elif np.isinf(r["ratio"]):
            ratio.append(_("at least {low}").format(low=number(r["ci_low"])))
        else:
            ratio.append(
                _("{ratio} ({low} to {high})").format(
                    ratio=number(r["ratio"]), low=number(r["ci_low"]), high=number(r["ci_high"])
                )
            )
    frame = shown.assign(ratio_words=ratio)
    return reader_table(
        frame,
        [
            Column("activity", _("Activity"), "label", label_kind="activity"),
            Column("before", _("Two months before"), "count"),
            Column("during", _("Campaign's two months"), "count"),
            Column("ratio_words", _("Rate ratio (95% CI)")),
            Column("p_holm", _("Holm-adjusted p"), "p"),
        ],
        notes=[_("Officers appointed as legal vice-principals are people, not events: they are not compared.")],
    )


def logic_model_table(model: pd.DataFrame, seen: list[str]):
    reasons = logic_model_reasons()
    frame = model.assign(
        class_words=[class_words(c) for c in model["class"]],
        why=[reasons.get(a, "") for a in model["activity"]],
        seen=model["activity"].isin(seen),
    )
    return reader_table(
        frame,
        [
            Column("campaign", _("Campaign"), "label", label_kind="campaign"),
            Column("activity", _("Activity"), "label", label_kind="activity"),
            Column("class_words", _("Output or outcome")),
            Column("why", _("Why")),
            Column("seen", _("In this data"), "yes_no"),
        ],
    )


def no_deployments_note(where: str) -> str:
    return _("No traffic deployments recorded for {where}.").format(where=where)
