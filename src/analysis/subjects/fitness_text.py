"""What readers see of the fitness tests: the printed key figures and the tables, through the disclosure gate.

Built from the results of :mod:`analysis.subjects.fitness`; numbers are worded by
:mod:`analysis.core.text` and officer counts below the disclosure threshold are never printed.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.core.text import count, fewer_than, interval, number, p_value, percent, rate_text
from analysis.stats import disclosure
from analysis.stats.disclosure import THRESHOLD, count_text
from analysis.subjects.fitness import BaselineFinal, InflationChecks

SUPPRESSED = "suppressed"
WITHHELD = "withheld"


def _is_count(value) -> bool:
    return isinstance(value, (int, np.integer)) or (isinstance(value, float) and float(value).is_integer())


def protected_counts(counts: pd.DataFrame, index: str | list[str]) -> pd.DataFrame:
    """Passed/failed counts through the disclosure gate, with pass rates only where both counts are shown.

    A group where fewer than the threshold passed or failed (including "all passed" / "all failed")
    has its counts suppressed by :func:`analysis.stats.disclosure.protect` and no rate printed, so
    no-one's result can be read off or recovered from the margins.
    """
    table = counts.set_index(index)[["passed", "failed"]]
    shown = disclosure.protect(table, count_columns=["passed", "failed"])
    both_shown = (table["passed"] >= THRESHOLD) & (table["failed"] >= THRESHOLD)
    shown = shown.copy()
    rate = (table["passed"] / (table["passed"] + table["failed"])).round(3)
    shown["pass_rate"] = [
        percent(r) if ok and _is_count(p) and _is_count(f) else SUPPRESSED
        for r, ok, p, f in zip(rate, both_shown, shown["passed"], shown["failed"])
    ]
    return shown


def inflation_table(checks: InflationChecks) -> pd.DataFrame:
    """One row per check: check, baseline, final, detail (plain text built from the numbers)."""
    b, f, pair = checks.baseline, checks.final, checks.pair
    corr = checks.unit_gain_correlation
    rows = [
        {
            "check": "denominator: officers tested",
            "baseline": b.tested,
            "final": f.tested,
            "detail": f"{count_text(b.tested)} officers were tested in round {b.round} and {count_text(f.tested)} in "
            f"round {f.round}; {count_text(b.on_roster)} and {count_text(f.on_roster)} were on the roster.",
        },
        {
            "check": "exempt or absent",
            "baseline": b.exempt + b.absent,
            "final": f.exempt + f.absent,
            "detail": f"exempt {count_text(b.exempt)} -> {count_text(f.exempt)}, absent {count_text(b.absent)} -> "
            f"{count_text(f.absent)}, on the roster but not recorded {count_text(b.not_recorded)} -> "
            f"{count_text(f.not_recorded)}.",
        },
        {
            "check": "rate of all officers on the roster",
            "baseline": round(b.rate_roster, 4),
            "final": round(f.rate_roster, 4),
            "detail": f"counting the untested as not passed, the rate goes from {percent(b.rate_roster)} to "
            f"{percent(f.rate_roster)} (of those tested: {percent(b.rate_tested)} to {percent(f.rate_tested)}).",
        },
        {
            "check": "same officers only",
            "baseline": round(pair.p_baseline, 4),
            "final": round(pair.p_final, 4),
            "detail": f"among the {count(pair.n_pairs)} officers tested in both rounds: {percent(pair.p_baseline)} to "
            f"{percent(pair.p_final)}.",
        },
        {
            "check": "changed standards",
            "baseline": 0,
            "final": checks.thresholds_changed,
            "detail": f"{count(checks.thresholds_changed)} of {count(checks.thresholds_final)} item x age band x sex "
            f"thresholds in the final round differ from the baseline round; {count(checks.thresholds_easier)} of "
            "them are easier.",
        },
        {
            "check": "regression to the mean: near misses",
            "baseline": checks.near_misses,
            "final": checks.near_misses_passed_final,
            "detail": f"{count_text(checks.near_misses)} of {count_text(checks.baseline_failers)} baseline failers "
            f"missed a single item by at most {percent(checks.margin, 0)} of its threshold; "
            f"{count_text(checks.near_misses_passed_final)} of them passed the final round.",
        },
        {
            "check": "regression to the mean: units",
            "baseline": round(corr, 3) if np.isfinite(corr) else None,
            "final": None,
            "detail": f"correlation between a unit's baseline pass rate and its gain: {number(corr)} "
            "(strongly negative when the weakest units gained most, as targeting and regression to the mean both "
            "predict).",
        },
    ]
    return pd.DataFrame(rows)


def inflation_text(checks: InflationChecks) -> str:
    """The short plain-text note for leaders: one line per check of :func:`inflation_table`."""
    lines = ["What could inflate the rise (computed from the records):"]
    lines += [f"- {row.check}: {row.detail}" for row in inflation_table(checks).itertuples()]
    return "\n".join(lines)


def round_text(rates: pd.DataFrame, round_: int, whole_bureau: bool = True) -> str:
    """Key-figure text for one round under both denominators.

    For a subset of the bureau (``whole_bureau`` False) the rates are suppressed when fewer than the
    threshold passed or failed; the bureau-wide rates are the published headline figures and are
    always printed.  Counts of exempt, absent and unrecorded officers below the threshold are not printed.
    """
    r = rates.set_index("round").loc[round_]
    lines = [f"Round {round_} ({r['date']:%Y-%m-%d}):"]
    failed = int(r["tested"] - r["passed"])
    # ASSUMPTION(headline-rates-printed): bureau-wide pass rates are printed even when fewer than 10 failed, because they are the report's published figures over hundreds of officers; unit-level rates follow the <10 rule.
    if not whole_bureau and (int(r["passed"]) < THRESHOLD or failed < THRESHOLD):
        lines.append(
            f"  officers tested: {count_text(r['tested'])}; pass rate suppressed "
            f"({fewer_than(THRESHOLD)} passed or failed)"
        )
    else:
        lines.append(
            "  of officers tested: " + rate_text(r["passed"], r["tested"], r["rate_tested_low"], r["rate_tested_high"])
        )
        lines.append(
            f"  of all {count(r['on_roster'])} on the roster (untested = not passed): {percent(r['rate_roster'])} "
            f"({interval(r['rate_roster_low'], r['rate_roster_high'])})"
        )
    lines.append(
        f"  exempt: {count_text(r['exempt'])}; absent: {count_text(r['absent'])}; "
        f"on the roster, no record: {count_text(r['not_recorded'])}"
    )
    return "\n".join(lines)


def paired_text(pair: BaselineFinal, whole_bureau: bool = True) -> str:
    """Key-figure text for baseline against final on the same officers (suppressed for small subsets)."""
    margins = (
        pair.both + pair.baseline_only,
        pair.final_only + pair.neither,
        pair.both + pair.final_only,
        pair.baseline_only + pair.neither,
    )
    if not whole_bureau and min(margins) < THRESHOLD:
        return (
            f"Same officers, rounds {pair.baseline_round} and {pair.final_round}: "
            f"{count_text(pair.n_pairs)} officers; figures suppressed ({fewer_than(THRESHOLD)} passed "
            "or failed in a round)"
        )
    mcnemar = p_value(pair.mcnemar_p, digits=2, significant=True, floor=None)
    return "\n".join(
        [
            f"Same officers tested in round {pair.baseline_round} and round {pair.final_round}: n = "
            f"{count(pair.n_pairs)}",
            f"  pass rate {percent(pair.p_baseline)} -> {percent(pair.p_final)}; difference {pair.difference:+.3f} "
            f"(Newcombe method-10 95% CI {pair.difference_low:+.3f} to {pair.difference_high:+.3f})",
            f"  exact McNemar {mcnemar} (discordant pairs: {count_text(pair.final_only)} improved, "
            f"{count_text(pair.baseline_only)} fell back)",
            f"  Cohen's h = {number(pair.cohens_h)}",
        ]
    )


def item_table(change: pd.DataFrame) -> pd.DataFrame:
    """Item failures, baseline and final, with counts through the disclosure gate and shares where shown."""
    counts = change.set_index("item")[["failed_baseline", "failed_final"]].astype(int)
    # Each round is its own one-column table (only its total is published next to it).
    shown = pd.concat([disclosure.protect(counts[[col]]) for col in counts.columns], axis=1)
    for key in ("baseline", "final"):
        share = change.set_index("item")[f"fail_share_{key}"]
        shown[f"fail_share_{key}"] = [
            percent(v) if isinstance(c, (int, np.integer)) else SUPPRESSED
            for v, c in zip(share, shown[f"failed_{key}"])
        ]
    tested = change.set_index("item")[["tested_baseline", "tested_final"]].astype(int)
    shown = pd.concat([shown] + [disclosure.protect(tested[[col]]) for col in tested.columns], axis=1)
    return shown


def item_failures_table(by_round: pd.DataFrame) -> pd.DataFrame:
    """Officers failing each item per round (:func:`analysis.subjects.fitness.item_failures_by_round`), protected."""
    return disclosure.protect(by_round)


def rates_display(rates: pd.DataFrame, whole_bureau: bool = True) -> pd.DataFrame:
    """The per-round table for readers: counts through the disclosure gate, rates as percentages with intervals."""
    counts = rates.set_index("round")[["on_roster", "tested", "passed", "exempt", "absent", "not_recorded"]].astype(int)
    # Each count column is protected on its own (a column total is the only margin a reader could add up).
    shown = pd.concat([disclosure.protect(counts[[c]]) for c in counts.columns], axis=1)
    r = rates.set_index("round")
    small = (r["passed"] < THRESHOLD) | ((r["tested"] - r["passed"]) < THRESHOLD)
    for key, label in (("tested", "rate of tested"), ("roster", "rate of roster")):
        shown[label] = [
            f"{percent(p)} ({percent(lo)} to {percent(hi)})" if whole_bureau or not s else SUPPRESSED
            for p, lo, hi, s in zip(r[f"rate_{key}"], r[f"rate_{key}_low"], r[f"rate_{key}_high"], small)
        ]
    if whole_bureau:
        # The bureau-wide numerators are the published figures' numerators.
        shown["passed"] = counts["passed"]
    return shown


def funnel_display(table: pd.DataFrame) -> pd.DataFrame:
    """Units on the funnel for readers: officers tested, pass rate and zone only where the unit is shown."""
    out = pd.DataFrame(
        {
            "unit": table["unit"],
            "officers tested": [int(n) if n >= THRESHOLD else disclosure.primary_marker() for n in table["n"]],
        }
    )
    out["pass rate"] = [percent(r) if s else WITHHELD for r, s in zip(table["rate"], table["shown"])]
    out["against the bureau rate"] = [z if s else WITHHELD for z, s in zip(table["zone"], table["shown"])]
    out["Holm-adjusted p"] = [
        p_value(p, floor=None, label=None) if s else WITHHELD for p, s in zip(table["p_adjusted"], table["shown"])
    ]
    return out.reset_index(drop=True)


def published_comparison(rates: pd.DataFrame, published: pd.DataFrame) -> str:
    """The report's baseline and final rates beside the computed ones under both denominators.

    ``published`` is the published-figures table (columns id, published), e.g.
    :func:`analysis.core.reference.published_figures`.
    """
    p = published.set_index("id")["published"]
    b, f = rates.iloc[0], rates.iloc[-1]
    return (
        f"Report: {percent(float(p['fitness.pass_rate_baseline']), 0)} -> "
        f"{percent(float(p['fitness.pass_rate_final']), 0)}. "
        f"Computed, of officers tested: {percent(b['rate_tested'])} -> {percent(f['rate_tested'])}; "
        f"of all officers on the roster: {percent(b['rate_roster'])} -> {percent(f['rate_roster'])}"
    )
