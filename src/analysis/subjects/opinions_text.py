"""What readers see of the opinions and their rectification: key points, headline figures, sentences, tables.

Built from the results of :mod:`analysis.subjects.opinions`. The headline figures (rectification rate,
on-time rate, median time to rectification) are the one label and value of each statistic: the
opinions report and the brief both call these functions.
"""

from __future__ import annotations

import pandas as pd

from analysis.core.text import count, date, duration, interval, number, p_value, percent, rate_text
from analysis.i18n import _, label
from analysis.present import blocks
from analysis.present.tables import Column, reader_table
from analysis.stats import disclosure
from analysis.stats.proportions import Proportion
from analysis.subjects import opinions
from analysis.subjects.opinions import PLAN, RECEIPT, CoderAgreement, TimeToRectification


def scope_id(district: str | None) -> str:
    return "county" if district is None else district


def days(value) -> str:
    """A number of days read off a curve, or 'not reached'."""
    text = duration(value)
    return text if text == _("not reached") else _("{days} days").format(days=text)


def clock(which: str = PLAN) -> str:
    """Where the time to rectification starts, in words (the one place the clock is named)."""
    return _("from receipt of the opinion") if which == RECEIPT else _("from the rectification plan")


# --- headline figures ------------------------------------------------------------------------------


def rectified_figure(done: Proportion, district: str | None = None) -> blocks.Figure:
    """Opinions rectified by the cut-off over all opinions in the ledger, with the Wilson interval."""
    return blocks.Figure(
        "opinions.rectified_share",
        _("rectification rate"),
        percent(done.rate),
        scope_id(district),
        interval(done.ci_low, done.ci_high),
    )


def on_time_figure(on_time: pd.DataFrame, district: str | None = None) -> blocks.Figure:
    """Opinions closed by their own deadline among all opinions whose deadline had passed by the cut-off."""
    r = on_time.set_index("denominator_rows").loc["due by cut-off"]
    return blocks.Figure(
        "opinions.on_time_share",
        _("on-time rectification rate"),
        percent(r["rate"]),
        scope_id(district),
        interval(r["ci_low"], r["ci_high"]),
    )


def median_figure(ttr: TimeToRectification, district: str | None = None) -> blocks.Figure:
    """The Kaplan-Meier median time to rectification with its interval (open opinions censored)."""
    m = ttr.median
    return blocks.Figure(
        f"opinions.median_days.{ttr.clock}",
        _("median time to rectification, {clock}").format(clock=clock(ttr.clock)),
        days(m.median),
        scope_id(district),
        _("95% CI {low} to {high}").format(low=duration(m.ci_low), high=duration(m.ci_high)),
    )


# --- key points ------------------------------------------------------------------------------------


def _slowest(ttr: TimeToRectification) -> tuple[str, float] | None:
    found = [(c, r.median.median) for c, r in ttr.by_category.items() if pd.notna(r.median.median)]
    return max(found, key=lambda x: x[1]) if found else None


def key_points(
    table: pd.DataFrame,
    shares: pd.DataFrame,
    done: Proportion,
    on_time: pd.DataFrame,
    ttr: TimeToRectification,
    cutoff: str,
    district: str | None = None,
) -> list[blocks.Safe]:
    """The opinions report's key points: what was raised, how much was rectified, how late, how long."""
    top = shares.iloc[0]
    points = [
        blocks.fill(
            _(
                "{n} distinct opinions were recorded (merged from {s} suggestions); the most concern {area}: {k} "
                "({share})."
            ),
            n=count(len(table)),
            s=count(int(table["suggestions"].sum())),
            area=label("opinion_category", top["category"]),
            k=count(top["opinions"]),
            share=percent(top["share"]),
        ),
        blocks.fill(
            _("By {cutoff}, {k} of {n} were rectified: {figure}; {still} are still being worked on."),
            cutoff=date(cutoff),
            k=count(done.numerator),
            n=count(done.denominator),
            figure=rectified_figure(done, district),
            still=count(done.denominator - done.numerator),
        ),
    ]
    r = on_time.set_index("denominator_rows").loc["due by cut-off"]
    if r["n"]:
        points.append(
            blocks.fill(
                _(
                    "Only {k} of the {n} opinions whose deadline had passed were closed by their own deadline: "
                    "{figure}."
                ),
                k=count(r["on_time"]),
                n=count(r["n"]),
                figure=on_time_figure(on_time, district),
            )
        )
    slow = _slowest(ttr)
    tail = (
        _("; slowest: {area} (median {days})").format(area=label("opinion_category", slow[0]), days=days(slow[1]))
        if slow and len(ttr.by_category) > 1
        else ""
    )
    points.append(blocks.fill(_("{figure}{tail}."), figure=median_figure(ttr, district), tail=tail))
    return points


# --- the analyst's printed figures (checked by nbval) ----------------------------------------------


def shares_lines(table: pd.DataFrame, shares: pd.DataFrame, where: str) -> str:
    shown = disclosure.protect_estimates(shares, "opinions", ["share", "ci_low", "ci_high", "cumulative_share"])
    lines = [
        _("Distinct opinions in {where}: {n} (from {s} suggestions)").format(
            where=where, n=len(table), s=int(table["suggestions"].sum())
        )
    ]
    for _i, row in shown.iterrows():
        name = label("opinion_category", row["category"])
        if disclosure.is_suppressed(row["opinions"]):
            lines.append(_("  {area}: {k} (small count, not shown)").format(area=name, k=row["opinions"]))
        else:
            lines.append(
                _("  {area}: {k} ({share}; 95% simultaneous CI {low} to {high})").format(
                    area=name,
                    k=row["opinions"],
                    share=percent(row["share"]),
                    low=percent(row["ci_low"]),
                    high=percent(row["ci_high"]),
                )
            )
    return "\n".join(lines)


def rectified_lines(done: Proportion, cutoff: str, where: str) -> str:
    return "\n".join(
        [
            _("Rectified by {cutoff} in {where}: {rate}").format(
                cutoff=cutoff, where=where, rate=rate_text(done.numerator, done.denominator, done.ci_low, done.ci_high)
            ),
            _("Still being worked on: {n}").format(n=done.denominator - done.numerator),
        ]
    )


def time_lines(ttr: TimeToRectification, cutoff: str, second: TimeToRectification | None = None) -> str:
    """The median time to rectification on its clock (and a second clock), with the log-rank test (nbval)."""
    return opinions.time_to_rectification_text(ttr, cutoff, second)


def on_time_lines(on_time: pd.DataFrame) -> str:
    words = {"due by cut-off": _("due by cut-off"), "rectified": _("rectified")}
    return "\n".join(
        _("On time, among opinions {rows}: {rate}").format(
            rows=words[r["denominator_rows"]], rate=rate_text(r["on_time"], r["n"], r["ci_low"], r["ci_high"])
        )
        for _i, r in on_time.iterrows()
    )


def kappa_line(result: CoderAgreement) -> str:
    k = result.kappa
    return _("Cohen's kappa: {kappa} ({interval}; {n} double-coded suggestions, raw agreement {agreement})").format(
        kappa=f"{k.kappa:.3f}",
        interval=interval(k.ci_low, k.ci_high, places=3, as_percent=False),
        n=count(k.n),
        agreement=percent(k.observed_agreement),
    )


# --- sentences and tables for readers ---------------------------------------------------------------


def shares_table(shares: pd.DataFrame):
    shown = disclosure.protect_estimates(shares, "opinions", ["share", "ci_low", "ci_high", "cumulative_share"])
    return reader_table(
        shown,
        [
            Column("category", _("Area"), "label", label_kind="opinion_category"),
            Column("opinions", _("Opinions"), "count"),
            Column("share", _("Share"), "percent"),
            Column("ci", _("95% simultaneous CI (Goodman)"), "interval", low="ci_low", high="ci_high"),
            Column("cumulative_share", _("Cumulative share"), "percent"),
        ],
    )


def rectified_sentence(done: Proportion, cutoff: str, district: str | None = None) -> blocks.Safe:
    return blocks.fill(
        _(
            "By the cut-off date ({cutoff}) {k} of {n} opinions were rectified: {figure}. {still} were still being "
            "worked on."
        ),
        cutoff=date(cutoff),
        k=count(done.numerator),
        n=count(done.denominator),
        figure=rectified_figure(done, district),
        still=count(done.denominator - done.numerator),
    )


def time_sentences(
    ttr: TimeToRectification, second: TimeToRectification | None = None, district: str | None = None
) -> list:
    """The median wait on the primary clock (from receipt), the second clock beside it, and the log-rank test.

    ``district``: the scope the figures cover (a district's report shows the district's median).
    """
    out = [
        blocks.fill(
            _("{figure}; the opinions still open are counted as still running."), figure=median_figure(ttr, district)
        )
    ]
    if second is not None:
        out.append(
            blocks.fill(
                _("Counted from the rectification plan instead: {figure}."), figure=median_figure(second, district)
            )
        )
    if ttr.logrank is not None:
        lr = ttr.logrank
        template = (
            _("The areas differ in how fast their opinions were rectified (log-rank test, {p}).")
            if lr.p_value < 0.05
            else _("The areas do not differ clearly in how fast they were rectified (log-rank test, {p}).")
        )
        out.append(template.format(p=p_value(lr.p_value, digits=4, floor=None)))
    return out


def medians_table(ttr: TimeToRectification):
    rows = pd.DataFrame(
        [
            {
                "category": c,
                "opinions": r.n,
                "median": days(r.median.median),
                "ci": _("{low} to {high}").format(low=duration(r.median.ci_low), high=duration(r.median.ci_high)),
            }
            for c, r in ttr.by_category.items()
        ]
    )
    return reader_table(
        rows,
        [
            Column("category", _("Area"), "label", label_kind="opinion_category"),
            Column("opinions", _("Opinions"), "count"),
            Column("median", _("Median time to rectification")),
            Column("ci", _("95% CI (days)")),
        ],
        notes=[
            _(
                "'Not reached': the curve (or its upper confidence band) has not fallen to one half by the cut-off, so "
                "the data cannot yet rule out that the typical opinion takes much longer."
            )
        ],
    )


def on_time_sentences(on_time: pd.DataFrame) -> list[str]:
    out = []
    for _i, r in on_time.iterrows():
        template = (
            _(
                "Of the {n} opinions whose deadline had passed by the cut-off, {k} were closed by it: {rate} "
                "({interval})."
            )
            if r["denominator_rows"] == "due by cut-off"
            else _("Of the {n} opinions already rectified, {k} were closed by their deadline: {rate} ({interval}).")
        )
        out.append(
            template.format(
                n=count(r["n"]),
                k=count(r["on_time"]),
                rate=percent(r["rate"]),
                interval=interval(r["ci_low"], r["ci_high"]),
            )
        )
    return out


def kappa_sentence(result: CoderAgreement) -> str:
    k = result.kappa
    template = (
        _(
            "The two coders agree well beyond chance: Cohen's kappa {kappa} ({interval}) on {n} double-coded "
            "suggestions."
        )
        if k.kappa >= 0.6
        else _(
            "The two coders agree only moderately: Cohen's kappa {kappa} ({interval}) on {n} double-coded suggestions."
        )
    )
    return template.format(
        kappa=number(k.kappa, 3), interval=interval(k.ci_low, k.ci_high, places=3, as_percent=False), n=count(k.n)
    )


def agreement_table(result: CoderAgreement):
    t = result.table
    frame = t.rename_axis(index=None, columns=None).reset_index(names="first")
    columns = [Column("first", _("First coder / second coder"), "label", label_kind="opinion_category")]
    columns += [Column(c, label("opinion_category", c), "count") for c in t.columns]
    return reader_table(frame, columns, notes=[_("Counts of double-coded suggestions.")])


def open_items_table(items: pd.DataFrame):
    """Opinions still open at the cut-off, oldest deadline first (the text is already escaped)."""
    frame = items.assign(deadline_words=[date(d) for d in items["deadline"]])
    return reader_table(
        frame,
        [
            Column("opinion_id", _("Opinion")),
            Column("category", _("Area"), "label", label_kind="opinion_category"),
            Column("owner_unit", _("Unit responsible"), "label", label_kind="unit"),
            Column("deadline_words", _("Deadline")),
            Column("overdue_days", _("Days overdue"), "count"),
            Column("opinion", _("What was raised (first suggestion)"), "html"),
        ],
    )
