"""What the data adds: findings the work report's narrative lacks, each computed by a function.

Each finding calls the subject module that owns the statistic (fitness, opinions, survey) and
turns its result into one plain sentence and a small table. When the data it needs is not there,
the finding says "Not yet available" and why (:class:`NotAvailable`); it never shows a number it
did not compute. Any other error is a bug and propagates.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass, field

import pandas as pd

from analysis.core import paths, reference
from analysis.core.text import MISSING, count, duration, interval, percent
from analysis.data import processed
from analysis.stats.disclosure import count_text
from analysis.subjects import fitness, opinions, survey

NOT_AVAILABLE = "Not yet available"

# Data sets each finding needs (the notebook loads what exists and passes None for the rest).
NEEDS = {
    "fitness_roster": ("fitness_tests", "officer_roster"),
    "rectification_time": ("rectification_ledger", "opinions_register"),
    "satisfaction_spread": ("survey_responses", "population_margins"),
    "self_selection": ("survey_batches", "survey_responses"),
}


class NotAvailable(Exception):
    """A finding cannot be computed: a data set it needs is missing or holds nothing to compute from."""


@dataclass
class Finding:
    key: str
    title: str
    available: bool
    text: str
    table: pd.DataFrame | None = field(default=None, repr=False)

    def to_html(self) -> str:
        """The finding as an escaped HTML section (table included when available)."""
        # <div>, not <section>: the report renderer's HTML allowlist keeps div but escapes section.
        parts = [
            f'<div class="finding" id="finding-{html.escape(self.key, quote=True)}">',
            f"<h3>{html.escape(self.title)}</h3>",
        ]
        cls = "finding-text" if self.available else "finding-text not-available"
        parts.append(f'<p class="{cls}">{html.escape(self.text)}</p>')
        if self.available and self.table is not None and len(self.table):
            parts.append(
                self.table.to_html(index=False, escape=True, na_rep=MISSING, border=0, classes="finding-table")
            )
        parts.append("</div>")
        return "\n".join(parts)


def _need(frames: dict, *names: str) -> list[pd.DataFrame]:
    missing = [n for n in names if frames.get(n) is None]
    if missing:
        raise NotAvailable(f"no processed data for {', '.join(missing)}")
    return [frames[n] for n in names]


# ---- the findings ---------------------------------------------------------------------------


def fitness_roster_denominator(fitness_tests: pd.DataFrame, roster: pd.DataFrame) -> Finding:
    """The final round's pass rate among officers tested and among all officers on the roster."""
    rates = fitness.pass_rates(fitness_tests, roster)
    if rates.empty:
        raise NotAvailable("no fitness test rounds in the data")
    rates = rates.sort_values("round")
    first, last = rates.iloc[0], rates.iloc[-1]
    untested = max(int(last["on_roster"]) - int(last["tested"]), 0)
    text = (
        f"In the final round (round {int(last['round'])}), {percent(last['rate_tested'])} of the "
        f"{count(last['tested'])} officers tested passed "
        f"({interval(last['rate_tested_low'], last['rate_tested_high'])}). Counting every officer on the roster, "
        "with the "
        f"{count_text(untested)} not tested counted as not passed, the rate is {percent(last['rate_roster'])} "
        f"({interval(last['rate_roster_low'], last['rate_roster_high'])}); in the first "
        f"round it was {percent(first['rate_tested'])} of those tested and {percent(first['rate_roster'])} of the "
        "roster."
    )
    table = pd.DataFrame(
        {
            "Round": [int(first["round"]), int(last["round"])],
            "Officers on roster": [count(first["on_roster"]), count(last["on_roster"])],
            "Tested": [count(first["tested"]), count(last["tested"])],
            "Pass rate, tested": [percent(first["rate_tested"]), percent(last["rate_tested"])],
            "Pass rate, roster": [percent(first["rate_roster"]), percent(last["rate_roster"])],
        }
    )
    return Finding("fitness_roster", "Fitness pass rate under the roster denominator", True, text, table)


def rectification_time(ledger: pd.DataFrame, register: pd.DataFrame, cutoff: str | None = None) -> Finding:
    """Median days to rectification from receipt of the opinion (and from the plan), Kaplan-Meier at the cut-off."""
    cutoff = reference.opinions_cutoff(cutoff)
    table = opinions.opinion_table(register)
    status = opinions.rectification_status(opinions.ledger_for(ledger, table), pd.Timestamp(cutoff), table)
    waits = [opinions.time_to_rectification(status, clock=clock) for clock in (opinions.RECEIPT, opinions.PLAN)]
    receipt, plan = waits
    n, events = int(receipt.n), int(receipt.events)

    def median(t) -> str:
        m = t.median
        if math.isnan(m.median):
            return "not reached (fewer than half rectified)"
        return f"{duration(m.median)} days (95% CI {duration(m.ci_low)} to {duration(m.ci_high)})"

    text = (
        f"Of {count(n)} opinions, {count(events)} were rectified by {pd.Timestamp(cutoff):%d %B %Y}; counting the "
        f"open ones as still running (Kaplan-Meier), half were rectified within {median(receipt)} of being "
        f"received, the wait the public sees; {median(plan)} from the rectification plan. The report gives counts "
        "only, not how long people waited."
    )
    return Finding("rectification_time", "Median time to rectification", True, text)


def satisfaction_spread(responses: pd.DataFrame, population: pd.DataFrame, district: str | None = None) -> Finding:
    """Every district's weighted overall satisfaction against the county's, with multiplicity-adjusted intervals.

    Not the largest minus the smallest district (a gap picked after seeing the data): each district
    is compared with the county, Bonferroni over the districts on the design's degrees of freedom
    (:func:`analysis.subjects.survey.districts_against_county`).
    """
    sample = survey.weight_respondents(responses, population).frame
    if sample["district"].nunique() < 2:
        raise NotAvailable("fewer than two districts with answers")
    comparison = survey.districts_against_county(sample)
    text = survey.districts_against_county_text(comparison) + " The report gives one county figure."
    if district is not None:
        row = comparison[comparison["district"] == district]
        if row.empty:
            raise NotAvailable(f"no answers from district {district}")
        r = row.iloc[0]
        text += (
            f" {district}: {percent(r['top_box'])}, {100 * r['difference']:+.1f} points against the county "
            f"({100 * r['ci_low']:+.1f} to {100 * r['ci_high']:+.1f})."
        )
    table = pd.DataFrame(
        {
            "District": comparison["district"].astype(str),
            "Answers": [count(n) for n in comparison["n_valid"]],
            "Satisfied": [percent(x) for x in comparison["top_box"]],
            "Against the county (points)": [f"{100 * x:+.1f}" for x in comparison["difference"]],
            "Adjusted 95% CI": [
                f"{100 * a:+.1f} to {100 * b:+.1f}" for a, b in zip(comparison["ci_low"], comparison["ci_high"])
            ],
        }
    )
    return Finding("satisfaction_spread", "Satisfaction across districts, each against the county", True, text, table)


def self_selection(batches: pd.DataFrame, responses: pd.DataFrame, district: str | None = None) -> Finding:
    """The nonresponse bounds, worst case (survey.worst_case_bounds: the one definition the survey report shows)."""
    try:
        b = survey.worst_case_bounds(batches, responses, district)
    except ValueError as exc:
        raise NotAvailable(str(exc)) from None
    if b.answered == 0:
        raise NotAvailable("no valid answers to the overall satisfaction question")
    where = "the county" if district is None else district
    text = (
        f"In {where}, {count(b.returned)} of {count(b.distributed)} forms came back "
        f"({percent(b.returned / b.distributed)}); the police handed them out and people chose to answer. "
        f"{count(b.satisfied)} of the {count(b.answered)} valid answers were satisfied. Counting the "
        f"{count(b.unknown)} forms not returned or without a valid answer as all dissatisfied, then as all "
        f"satisfied (worst case), satisfaction among all {count(b.distributed)} lies between {percent(b.lower)} "
        f"and {percent(b.upper)}. Intervals elsewhere cover sampling noise only."
    )
    table = pd.DataFrame(
        {
            "Forms handed out": [count(b.distributed)],
            "Returned": [count(b.returned)],
            "Valid answers": [count(b.answered)],
            "Worst-case bounds among all handed a form": [f"{percent(b.lower)} to {percent(b.upper)}"],
        }
    )
    return Finding("self_selection", "Self-selection: the nonresponse bounds (worst case)", True, text, table)


FINDINGS = {
    "fitness_roster": (
        "Fitness pass rate under the roster denominator",
        lambda f, district, cutoff: fitness_roster_denominator(*_need(f, *NEEDS["fitness_roster"])),
    ),
    "rectification_time": (
        "Median time to rectification",
        lambda f, district, cutoff: rectification_time(*_need(f, *NEEDS["rectification_time"]), cutoff),
    ),
    "satisfaction_spread": (
        "Satisfaction across districts, each against the county",
        lambda f, district, cutoff: satisfaction_spread(*_need(f, *NEEDS["satisfaction_spread"]), district),
    ),
    "self_selection": (
        "Self-selection: the nonresponse bounds (worst case)",
        lambda f, district, cutoff: self_selection(*_need(f, *NEEDS["self_selection"]), district),
    ),
}


def what_the_data_adds(frames: dict, district: str | None = None, cutoff: str | None = None) -> list[Finding]:
    """Every finding, in order; one whose data is missing says so instead (any other error propagates)."""
    out = []
    for key, (title, compute) in FINDINGS.items():
        try:
            out.append(compute(frames, district, cutoff))
        except NotAvailable as exc:
            out.append(Finding(key, title, False, f"{NOT_AVAILABLE}: {exc}."))
    return out


def load_available(processed_dir, datasets=None) -> dict:
    """The processed data sets the findings need, None for any that cleaning has not written.

    Only a missing file counts as missing data: a file that cannot be read raises.
    """
    names = sorted({n for needs in NEEDS.values() for n in needs} if datasets is None else datasets)
    return {
        name: processed.load(name, processed_dir) if paths.processed_file(name, processed_dir).exists() else None
        for name in names
    }


def to_text(findings: list[Finding]) -> str:
    """Plain text of all findings (for a notebook's checked output)."""
    return "\n".join(f"- {f.title}: {f.text}" for f in findings)
