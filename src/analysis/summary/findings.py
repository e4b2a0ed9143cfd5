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
    "rectification_time": ("rectification_ledger",),
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


def rectification_time(ledger: pd.DataFrame, cutoff: str | None = None) -> Finding:
    """Median days from plan to rectification (Kaplan-Meier, open opinions censored at the cut-off)."""
    cutoff = reference.opinions_cutoff(cutoff)
    status = opinions.rectification_status(ledger, pd.Timestamp(cutoff))
    km = opinions.time_to_rectification(status)
    med, n, events = km.median, int(km.n), int(km.events)
    if math.isnan(med.median):
        when = "fewer than half of the opinions were rectified by the cut-off, so the median is not reached"
    else:
        when = (
            f"half of the opinions were rectified within {duration(med.median)} days of their rectification plan "
            f"(95% CI {duration(med.ci_low)} to {duration(med.ci_high)})"
        )
    text = (
        f"Of {count(n)} opinions, {count(events)} were rectified by {pd.Timestamp(cutoff):%d %B %Y}; counting the "
        f"open ones as still running (Kaplan-Meier), {when}. The report gives counts only, not how long "
        f"people waited."
    )
    return Finding("rectification_time", "Median time to rectification", True, text)


def satisfaction_spread(responses: pd.DataFrame, population: pd.DataFrame, district: str | None = None) -> Finding:
    """Weighted overall satisfaction (top box) by district: highest, lowest and the gap between them."""
    sample = survey.weight_respondents(responses, population).frame
    by = survey.satisfaction_by(sample, "district").dropna(subset=["top_box"])
    if len(by) < 2:
        raise NotAvailable("fewer than two districts with answers")
    by = by.sort_values("top_box", ascending=False).reset_index(drop=True)
    hi, lo = by.iloc[0], by.iloc[-1]
    gap = hi["top_box"] - lo["top_box"]
    # ASSUMPTION(districts-independent): each distribution batch lies in one district, so district estimates are independent and the gap's standard error is the root of the summed squared standard errors (normal approximation).
    se = math.sqrt(hi["se"] ** 2 + lo["se"] ** 2)
    text = (
        f"Overall satisfaction (weighted share satisfied or very satisfied) ranges from "
        f"{percent(lo['top_box'])} in {lo['district']} to {percent(hi['top_box'])} in {hi['district']}, a gap of "
        f"{100 * gap:.1f} percentage points (95% CI {100 * (gap - 1.96 * se):.1f} to {100 * (gap + 1.96 * se):.1f}). "
        f"The report gives one county figure."
    )
    if district is not None:
        row = by[by["district"] == district]
        if row.empty:
            raise NotAvailable(f"no answers from district {district}")
        r = row.iloc[0]
        text += (
            f" {district}: {percent(r['top_box'])} ({interval(r['ci_low'], r['ci_high'])}), "
            f"rank {int(row.index[0]) + 1} of {len(by)}."
        )
    table = pd.DataFrame(
        {
            "District": by["district"].astype(str),
            "Answers": [f"{count(n)}" for n in by["n_valid"]],
            "Satisfied": [percent(x) for x in by["top_box"]],
            "95% CI": [f"{percent(a)} to {percent(b)}" for a, b in zip(by["ci_low"], by["ci_high"])],
        }
    )
    return Finding("satisfaction_spread", "Spread of satisfaction across districts", True, text, table)


def self_selection(batches: pd.DataFrame, responses: pd.DataFrame, district: str | None = None) -> Finding:
    """Nonresponse bounds: where overall satisfaction among everyone handed a form could lie."""
    rates = survey.collection_rates(batches, responses, district=district)
    distributed, returned = int(rates["distributed"].sum()), int(rates["returned"].sum())
    rows = responses if district is None else responses[responses["district"] == district]
    tb = survey.top_box(rows, [survey.OVERALL])[survey.OVERALL].dropna()
    if tb.empty or distributed == 0:
        raise NotAvailable("no valid answers to the overall satisfaction question")
    p = float(tb.mean())
    # ASSUMPTION(bounds-unweighted): the nonresponse bounds use the unweighted share among respondents who answered the overall question, since the bounds concern the forms handed out, not the population.
    low, high = survey.nonresponse_bounds(p, returned, distributed)
    where = "the county" if district is None else district
    text = (
        f"In {where}, {count(returned)} of {count(distributed)} forms came back "
        f"({percent(returned / distributed)}); the "
        f"police handed them out and people chose to answer. {percent(p)} of those who answered were satisfied. "
        f"If the {count(distributed - returned)} who did not answer could think anything, satisfaction among all "
        f"{count(distributed)} lies between {percent(low)} and {percent(high)}. Intervals elsewhere cover sampling "
        "noise only."
    )
    table = pd.DataFrame(
        {
            "Forms handed out": [count(distributed)],
            "Returned": [count(returned)],
            "Satisfied among respondents": [percent(p)],
            "Bounds among all handed a form": [f"{percent(low)} to {percent(high)}"],
        }
    )
    return Finding("self_selection", "Self-selection: the nonresponse bounds", True, text, table)


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
        "Spread of satisfaction across districts",
        lambda f, district, cutoff: satisfaction_spread(*_need(f, *NEEDS["satisfaction_spread"]), district),
    ),
    "self_selection": (
        "Self-selection: the nonresponse bounds",
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
