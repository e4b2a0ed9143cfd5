"""What the data adds: findings the work report's narrative lacks, each computed by a function.

Each finding calls the subject module that owns the statistic (fitness, opinions/survival,
survey) and turns its result into one plain sentence and a small table. When that module, or
the data it needs, is not there, the finding says "Not yet available" and why; it never shows
a number it did not compute.

Interfaces used (the subject modules' public functions):
- ``fitness.pass_rates(fitness_tests, roster)``: per round; columns round, on_roster, tested,
  exempt, absent, not_recorded, passed, rate_tested(_low/_high), rate_roster(_low/_high).
- ``opinions.rectification_status(ledger, cutoff)`` (per opinion: days, rectified) and
  ``opinions.time_to_rectification(status)``: dict n, events, median (dict median, ci_low,
  ci_high from the Kaplan-Meier curve, NaN where not reached).
- ``survey.weight_respondents(responses, population).frame`` and
  ``survey.satisfaction_by(sample, by, domain=None)``: columns <by>, n_valid, top_box, se, ci_low, ci_high.
- ``survey.collection_rates(batches, responses, district=None)``, ``survey.top_box(responses, [item])``,
  ``survey.nonresponse_bounds(p, returned, distributed)``, ``survey.OVERALL``.
"""

from __future__ import annotations

import html
import importlib
import math
from dataclasses import dataclass, field

import pandas as pd

from analysis.core.errors import AnalysisError

NOT_AVAILABLE = "Not yet available"
SMALL = 10  # counts of officers below this are not printed (disclosure rule)

# Data sets each finding needs (the notebook loads what exists and passes None for the rest).
NEEDS = {
    "fitness_roster": ("fitness_tests", "officer_roster"),
    "rectification_time": ("rectification_ledger",),
    "satisfaction_spread": ("survey_responses", "population_margins"),
    "self_selection": ("survey_batches", "survey_responses"),
}


def default_cutoff() -> str:
    """The opinions cut-off date of the bureau's rules (data/reference/rules.csv), as key figures use it."""
    from analysis.summary.key_figures import rules

    return rules()["opinions.cutoff_date"]


class NotAvailable(Exception):
    """A finding cannot be computed yet: a module or a data set is missing."""


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
            parts.append(self.table.to_html(index=False, escape=True, na_rep="–", border=0, classes="finding-table"))
        parts.append("</div>")
        return "\n".join(parts)


def _module(name: str):
    try:
        return importlib.import_module(f"analysis.{name}")
    except ImportError as exc:
        raise NotAvailable(f"the {name} module is not in this build") from exc


def _need(frames: dict, *names: str) -> list[pd.DataFrame]:
    missing = [n for n in names if frames.get(n) is None]
    if missing:
        raise NotAvailable(f"no processed data for {', '.join(missing)}")
    return [frames[n] for n in names]


def _pct(x: float, places: int = 1) -> str:
    return "–" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{100 * x:.{places}f}%"


def _count(n: int) -> str:
    return f"fewer than {SMALL}" if 0 < n < SMALL else f"{n:,}"


# ---- the findings ---------------------------------------------------------------------------


def fitness_roster_denominator(fitness_tests: pd.DataFrame, roster: pd.DataFrame) -> Finding:
    """The final round's pass rate among officers tested and among all officers on the roster."""
    fitness = _module("fitness")
    rates = fitness.pass_rates(fitness_tests, roster)
    if rates.empty:
        raise NotAvailable("no fitness test rounds in the data")
    rates = rates.sort_values("round")
    first, last = rates.iloc[0], rates.iloc[-1]
    untested = max(int(last["on_roster"]) - int(last["tested"]), 0)
    text = (
        f"In the final round (round {int(last['round'])}), {_pct(last['rate_tested'])} of the "
        f"{int(last['tested']):,} officers tested passed (95% CI {_pct(last['rate_tested_low'])} to "
        f"{_pct(last['rate_tested_high'])}). Counting every officer on the roster, with the "
        f"{_count(untested)} not tested counted as not passed, the rate is {_pct(last['rate_roster'])} "
        f"(95% CI {_pct(last['rate_roster_low'])} to {_pct(last['rate_roster_high'])}); in the first "
        f"round it was {_pct(first['rate_tested'])} of those tested and {_pct(first['rate_roster'])} of the roster."
    )
    table = pd.DataFrame(
        {
            "Round": [int(first["round"]), int(last["round"])],
            "Officers on roster": [f"{int(first['on_roster']):,}", f"{int(last['on_roster']):,}"],
            "Tested": [f"{int(first['tested']):,}", f"{int(last['tested']):,}"],
            "Pass rate, tested": [_pct(first["rate_tested"]), _pct(last["rate_tested"])],
            "Pass rate, roster": [_pct(first["rate_roster"]), _pct(last["rate_roster"])],
        }
    )
    return Finding("fitness_roster", "Fitness pass rate under the roster denominator", True, text, table)


def rectification_time(ledger: pd.DataFrame, cutoff: str | None = None) -> Finding:
    """Median days from plan to rectification (Kaplan-Meier, open opinions censored at the cut-off)."""
    opinions = _module("opinions")
    cutoff = cutoff or default_cutoff()
    status = opinions.rectification_status(ledger, pd.Timestamp(cutoff))
    km = opinions.time_to_rectification(status)
    med, n, events = km["median"], int(km["n"]), int(km["events"])
    median = med["median"]
    if median is None or (isinstance(median, float) and math.isnan(median)):
        when = "fewer than half of the opinions were rectified by the cut-off, so the median is not reached"
    else:
        low = "–" if pd.isna(med["ci_low"]) else f"{med['ci_low']:.0f}"
        high = "not reached" if pd.isna(med["ci_high"]) else f"{med['ci_high']:.0f}"
        when = (
            f"half of the opinions were rectified within {median:.0f} days of their rectification plan "
            f"(95% CI {low} to {high})"
        )
    text = (
        f"Of {n:,} opinions, {events:,} were rectified by {pd.Timestamp(cutoff):%d %B %Y}; counting the "
        f"open ones as still running (Kaplan-Meier), {when}. The report gives counts only, not how long "
        f"people waited."
    )
    return Finding("rectification_time", "Median time to rectification", True, text)


def satisfaction_spread(responses: pd.DataFrame, population: pd.DataFrame, district: str | None = None) -> Finding:
    """Weighted overall satisfaction (top box) by district: highest, lowest and the gap between them."""
    survey = _module("survey")
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
        f"{_pct(lo['top_box'])} in {lo['district']} to {_pct(hi['top_box'])} in {hi['district']}, a gap of "
        f"{100 * gap:.1f} percentage points (95% CI {100 * (gap - 1.96 * se):.1f} to {100 * (gap + 1.96 * se):.1f}). "
        f"The report gives one county figure."
    )
    if district is not None:
        row = by[by["district"] == district]
        if row.empty:
            raise NotAvailable(f"no answers from district {district}")
        r = row.iloc[0]
        text += (
            f" {district}: {_pct(r['top_box'])} (95% CI {_pct(r['ci_low'])} to {_pct(r['ci_high'])}), "
            f"rank {int(row.index[0]) + 1} of {len(by)}."
        )
    table = pd.DataFrame(
        {
            "District": by["district"].astype(str),
            "Answers": [f"{int(n):,}" for n in by["n_valid"]],
            "Satisfied": [_pct(x) for x in by["top_box"]],
            "95% CI": [f"{_pct(a)} to {_pct(b)}" for a, b in zip(by["ci_low"], by["ci_high"])],
        }
    )
    return Finding("satisfaction_spread", "Spread of satisfaction across districts", True, text, table)


def self_selection(batches: pd.DataFrame, responses: pd.DataFrame, district: str | None = None) -> Finding:
    """Nonresponse bounds: where overall satisfaction among everyone handed a form could lie."""
    survey = _module("survey")
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
        f"In {where}, {returned:,} of {distributed:,} forms came back ({_pct(returned / distributed)}); the "
        f"police handed them out and people chose to answer. {_pct(p)} of those who answered were satisfied. "
        f"If the {distributed - returned:,} who did not answer could think anything, satisfaction among all "
        f"{distributed:,} lies between {_pct(low)} and {_pct(high)}. Intervals elsewhere cover sampling noise only."
    )
    table = pd.DataFrame(
        {
            "Forms handed out": [f"{distributed:,}"],
            "Returned": [f"{returned:,}"],
            "Satisfied among respondents": [_pct(p)],
            "Bounds among all handed a form": [f"{_pct(low)} to {_pct(high)}"],
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
    """Every finding, in order; one whose module, data or interface is missing says so instead."""
    out = []
    for key, (title, compute) in FINDINGS.items():
        try:
            out.append(compute(frames, district, cutoff))
        except NotAvailable as exc:
            out.append(Finding(key, title, False, f"{NOT_AVAILABLE}: {exc}."))
        except (ImportError, AttributeError, TypeError, KeyError) as exc:
            # A module that exists but not yet with the interface above: say so, show no number.
            out.append(
                Finding(
                    key, title, False, f"{NOT_AVAILABLE}: the module's interface differs ({type(exc).__name__}: {exc})."
                )
            )
    return out


def load_available(processed_dir, datasets=None) -> dict:
    """The processed data sets the findings need, None for any that cleaning has not written."""
    from analysis.data import processed

    names = sorted({n for needs in NEEDS.values() for n in needs} if datasets is None else datasets)
    frames = {}
    for name in names:
        try:
            frames[name] = processed.load(name, processed_dir)
        except AnalysisError:
            frames[name] = None
    return frames


def to_text(findings: list[Finding]) -> str:
    """Plain text of all findings (for a notebook's checked output)."""
    return "\n".join(f"- {f.title}: {f.text}" for f in findings)
