"""Basic physical-fitness tests: pass rates per round, baseline against final, and what could inflate the rise.

Inputs are the processed frames ``fitness_tests`` (one row per officer, round and item) and
``officer_roster``.  An officer passes a round when tested and every item meets its threshold
(result >= threshold when ``better`` is 'higher', <= when 'lower').  Rates are proportions (0..1).
Computations only: what readers see (printed figures, protected tables) is in
:mod:`analysis.subjects.fitness_text`, the charts in :mod:`analysis.subjects.fitness_figures`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.data.processed import require_columns
from analysis.stats import proportions, spc
from analysis.stats.disclosure import THRESHOLD
from analysis.stats.funnel import unit_funnel

TEST_COLUMNS = ("officer_id", "round", "date", "status", "item", "result", "threshold", "better")
ROSTER_COLUMNS = ("officer_id", "unit", "age_band", "sex", "joined", "left")


def item_results(fitness_tests: pd.DataFrame) -> pd.DataFrame:
    """The item rows with ``meets`` (boolean; <NA> when the officer was not tested or the result is blank)."""
    require_columns(fitness_tests, TEST_COLUMNS, "fitness_tests")
    t = fitness_tests.copy()
    higher = t["better"] == "higher"
    lower = t["better"] == "lower"
    bad = ~(higher | lower)
    if bad.any():
        raise ValueError(
            "fitness_tests: 'better' must be 'higher' or 'lower', got "
            f"{sorted(t.loc[bad, 'better'].astype(str).unique())}"
        )
    result = t["result"].astype("Float64")
    threshold = t["threshold"].astype("Float64")
    meets = pd.Series(pd.NA, index=t.index, dtype="boolean")
    meets[higher] = (result >= threshold)[higher]
    meets[lower] = (result <= threshold)[lower]
    meets[t["status"] != "tested"] = pd.NA
    t["meets"] = meets
    return t


def officer_round_results(fitness_tests: pd.DataFrame) -> pd.DataFrame:
    """One row per officer and round: officer_id, round, date, status, passed (boolean).

    ``passed`` is True when the officer was tested and met every item's threshold; False otherwise
    (exempt, absent, or a failed or blank item).
    """
    t = item_results(fitness_tests)
    statuses = t.groupby(["officer_id", "round"])["status"].nunique()
    if (statuses > 1).any():
        raise ValueError(
            "fitness_tests: an officer has more than one status within a round "
            f"({int((statuses > 1).sum())} officer-rounds)"
        )
    # ASSUMPTION(fitness-blank-item): a tested officer with a blank result on any item did not pass that round.
    t["met"] = t["meets"].fillna(False).astype(bool)  # vectorised: a lambda per group took a minute at scale 100
    grouped = t.groupby(["officer_id", "round"], as_index=False).agg(
        date=("date", "min"), status=("status", "first"), items=("item", "nunique"), items_met=("met", "all")
    )
    # ASSUMPTION(fitness-missing-item-row): a tested officer with no row for an item tested in that round (by anyone) did not pass it.
    expected = t.groupby("round")["item"].nunique()
    complete = grouped["items"].to_numpy() == grouped["round"].map(expected).to_numpy()
    grouped["passed"] = (grouped["status"] == "tested") & grouped["items_met"] & complete
    grouped["passed"] = grouped["passed"].astype("boolean")
    return (
        grouped[["officer_id", "round", "date", "status", "passed"]]
        .sort_values(["round", "officer_id"])
        .reset_index(drop=True)
    )


def round_dates(results: pd.DataFrame) -> pd.Series:
    """The date of each round (the first test day), indexed by round."""
    return results.groupby("round")["date"].min()


def on_roster(roster: pd.DataFrame, date: pd.Timestamp) -> pd.Series:
    """Boolean mask of officers serving on ``date`` (joined on or before it, not yet left)."""
    require_columns(roster, ("officer_id", "joined", "left"), "officer_roster")
    joined_ok = roster["joined"].isna() | (roster["joined"] <= date)
    # ASSUMPTION(roster-left-date): an officer who left on the round date still counts as on the roster that day.
    not_left = roster["left"].isna() | (roster["left"] >= date)
    return (joined_ok & not_left).astype(bool)


def pass_rates(fitness_tests: pd.DataFrame, roster: pd.DataFrame, alpha: float = 0.05) -> pd.DataFrame:
    """Pass rate per round under two denominators, with Wilson intervals.

    Columns: round, date, on_roster, tested, exempt, absent, not_recorded (on the roster but with no
    row in the round), passed, rate_tested (passed / tested) with low/high, rate_roster
    (passed / on_roster, untested counted as not passed) with low/high, and
    ``passed_off_roster`` (passes by officers not on the roster at that date, excluded from the
    roster numerator).
    """
    results = officer_round_results(fitness_tests)
    dates = round_dates(results)
    rows = []
    for rnd, date in dates.items():
        r = results[results["round"] == rnd]
        serving = set(roster.loc[on_roster(roster, date), "officer_id"])
        tested = r[r["status"] == "tested"]
        passed = int(tested["passed"].sum())
        passed_on_roster = int(tested.loc[tested["officer_id"].isin(serving), "passed"].sum())
        row = {
            "round": int(rnd),
            "date": date,
            "on_roster": len(serving),
            "tested": len(tested),
            "exempt": int((r["status"] == "exempt").sum()),
            "absent": int((r["status"] == "absent").sum()),
            "not_recorded": len(serving - set(r["officer_id"])),
            "passed": passed,
            "passed_off_roster": passed - passed_on_roster,
        }
        row["rate_tested"] = passed / len(tested) if len(tested) else np.nan
        row["rate_tested_low"], row["rate_tested_high"] = proportions.wilson(passed, len(tested), alpha)
        row["rate_roster"] = passed_on_roster / len(serving) if serving else np.nan
        row["rate_roster_low"], row["rate_roster_high"] = proportions.wilson(passed_on_roster, len(serving), alpha)
        rows.append(row)
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class BaselineFinal:
    """Baseline against final round on the same officers (those tested in both)."""

    baseline_round: int
    final_round: int
    n_pairs: int  #: officers tested in both rounds
    both: int  #: passed both rounds
    baseline_only: int  #: passed the baseline round only (fell back)
    final_only: int  #: passed the final round only (improved)
    neither: int  #: passed neither
    p_baseline: float  #: pass rate among the pairs at baseline, 0..1
    p_final: float  #: pass rate among the pairs in the final round, 0..1
    difference: float  #: p_final - p_baseline, proportion points (-1..1)
    difference_low: float  #: Newcombe method-10 95% interval
    difference_high: float
    mcnemar_p: float  #: exact McNemar p-value, two-sided
    cohens_h: float  #: effect size, final vs baseline (radians)


def baseline_final(
    fitness_tests: pd.DataFrame, baseline: int | None = None, final: int | None = None, alpha: float = 0.05
) -> BaselineFinal:
    """Baseline against final round on the same officers (tested in both); see :class:`BaselineFinal`."""
    results = officer_round_results(fitness_tests)
    rounds = sorted(results["round"].unique())
    if len(rounds) < 2:
        raise ValueError(f"baseline_final needs two rounds, found {rounds}")
    # ASSUMPTION(fitness-baseline-final-rounds): the report's "initial" and final rates are the first and last test rounds of the year.
    baseline = rounds[0] if baseline is None else baseline
    final = rounds[-1] if final is None else final
    # ASSUMPTION(fitness-paired-tested-both): the paired comparison keeps officers tested in both rounds; exempt or absent officers in either round drop out of it.
    tested = results[results["status"] == "tested"]
    b = tested[tested["round"] == baseline].set_index("officer_id")["passed"]
    f = tested[tested["round"] == final].set_index("officer_id")["passed"]
    both_ids = b.index.intersection(f.index)
    if len(both_ids) == 0:
        raise ValueError(f"no officer was tested in both round {baseline} and round {final}")
    pb, pf = b.loc[both_ids].astype(bool), f.loc[both_ids].astype(bool)
    table = {
        "both": int((pb & pf).sum()),
        "baseline_only": int((pb & ~pf).sum()),
        "final_only": int((~pb & pf).sum()),
        "neither": int((~pb & ~pf).sum()),
    }
    # Order (a, b, c, d) so that p1 is the final round: difference = final - baseline.
    nc = proportions.newcombe_paired_difference(
        table["both"], table["final_only"], table["baseline_only"], table["neither"], alpha
    )
    return BaselineFinal(
        baseline_round=int(baseline),
        final_round=int(final),
        n_pairs=len(both_ids),
        **table,
        p_baseline=nc.p2,
        p_final=nc.p1,
        difference=nc.difference,
        difference_low=nc.low,
        difference_high=nc.high,
        mcnemar_p=proportions.mcnemar_exact(table["baseline_only"], table["final_only"]),
        cohens_h=proportions.cohens_h(nc.p1, nc.p2),
    )


def with_officer_attributes(results: pd.DataFrame, roster: pd.DataFrame) -> pd.DataFrame:
    """Officer-round results joined to unit, age band and sex from the roster."""
    require_columns(roster, ROSTER_COLUMNS, "officer_roster")
    out = results.merge(
        roster[["officer_id", "unit", "age_band", "sex"]], on="officer_id", how="left", validate="many_to_one"
    )
    # ASSUMPTION(fitness-unit-from-roster): an officer's unit is the roster unit (one per officer for the year); transfers within the year are not tracked.
    return out


def by_group(
    fitness_tests: pd.DataFrame, roster: pd.DataFrame, group: str | list[str], round_: int | None = None
) -> pd.DataFrame:
    """Passed and failed counts among officers tested in one round (default: the final round), by group.

    Returns counts only (group columns, passed, failed, tested); pass them through
    :func:`analysis.subjects.fitness_text.protected_counts` before printing.
    """
    results = with_officer_attributes(officer_round_results(fitness_tests), roster)
    round_ = int(results["round"].max()) if round_ is None else round_
    tested = results[(results["round"] == round_) & (results["status"] == "tested")]
    groups = [group] if isinstance(group, str) else list(group)
    out = tested.groupby(groups, dropna=False)["passed"].agg(passed="sum", tested="size").reset_index()
    out["passed"] = out["passed"].astype(int)
    out["failed"] = out["tested"] - out["passed"]
    return out[groups + ["passed", "failed", "tested"]]


def unit_funnel_table(fitness_tests: pd.DataFrame, roster: pd.DataFrame, round_: int | None = None) -> pd.DataFrame:
    """Units' pass rates in one round against the bureau rate, with exact binomial limits and Holm flags.

    Adds ``shown``: False where fewer officers than the disclosure threshold passed or failed in the
    unit, so plots and tables leave the unit's rate out (an "all passed" unit would otherwise be exposed).
    """
    counts = by_group(fitness_tests, roster, "unit", round_)
    out = unit_funnel(counts, "unit", "passed", "tested")
    # ASSUMPTION(funnel-withhold-small-sides): a unit is drawn only when at least `threshold` officers passed and failed; at 98% almost every unit is withheld in the final round.
    failed = out["n"] - out["successes"]
    out["shown"] = (out["successes"] >= THRESHOLD) & (failed >= THRESHOLD)
    return out


def item_failures(fitness_tests: pd.DataFrame) -> pd.DataFrame:
    """Per round and item: officers tested, failing the item, and the failure share (of those tested)."""
    t = item_results(fitness_tests)
    t = t[t["status"] == "tested"].assign(failed=lambda f: ~f["meets"].fillna(False).astype(bool))
    out = t.groupby(["round", "item"]).agg(tested=("officer_id", "nunique"), failed=("failed", "sum")).reset_index()
    out["failed"] = out["failed"].astype(int)
    out["fail_share"] = out["failed"] / out["tested"]
    return out


def item_failure_change(
    fitness_tests: pd.DataFrame, baseline: int | None = None, final: int | None = None
) -> pd.DataFrame:
    """Failure share of each item in the baseline and final rounds, and the change (proportion points)."""
    f = item_failures(fitness_tests)
    baseline = int(f["round"].min()) if baseline is None else baseline
    final = int(f["round"].max()) if final is None else final
    b = f[f["round"] == baseline].set_index("item")
    e = f[f["round"] == final].set_index("item")
    out = pd.DataFrame(
        {
            "failed_baseline": b["failed"],
            "tested_baseline": b["tested"],
            "fail_share_baseline": b["fail_share"],
            "failed_final": e["failed"],
            "tested_final": e["tested"],
            "fail_share_final": e["fail_share"],
        }
    )
    out["change"] = out["fail_share_final"] - out["fail_share_baseline"]
    return out.reset_index().rename(columns={"index": "item"}).sort_values("fail_share_baseline", ascending=False)


def round_p_chart(rates: pd.DataFrame) -> pd.DataFrame:
    """p-chart of the rounds (denominator: officers tested), centre = pooled pass rate of all rounds."""
    # ASSUMPTION(p-chart-pooled-centre): the centre line pools all rounds, so a steady rise puts early and late rounds outside the limits by design; the chart tests "one stable rate all year".
    chart = spc.p_chart(rates["passed"], rates["tested"])
    chart.insert(0, "round", rates["round"].to_numpy())
    return chart


def changed_standards(standards: pd.DataFrame) -> pd.DataFrame:
    """The rows of :func:`standards_by_round` whose threshold changed, keyed by item, age band, sex and round."""
    changed = standards[standards["changed"]]
    return changed.set_index(["item", "age_band", "sex", "round"])[["threshold_baseline", "threshold", "easier"]]


def standards_by_round(fitness_tests: pd.DataFrame, roster: pd.DataFrame) -> pd.DataFrame:
    """Thresholds in force per item, age band and sex in each round, with a flag where they changed.

    Returns one row per item, age_band, sex and round: standard(s), threshold (the value if unique,
    else NaN), n_thresholds, and ``changed`` (threshold differs from the baseline round's for the same
    item, age band and sex).
    """
    t = fitness_tests.merge(roster[["officer_id", "age_band", "sex"]], on="officer_id", how="left")
    keys = ["item", "age_band", "sex"]
    g = (
        t.groupby(keys + ["round"], dropna=False)
        .agg(
            standard=("standard", lambda s: ";".join(sorted(s.dropna().astype(str).unique()))),
            n_thresholds=("threshold", "nunique"),
            threshold=("threshold", "first"),
            better=("better", "first"),
        )
        .reset_index()
    )
    g.loc[g["n_thresholds"] > 1, "threshold"] = np.nan
    first_round = g["round"].min()
    base = g[g["round"] == first_round].set_index(keys)[["threshold", "standard"]]
    base.columns = ["threshold_baseline", "standard_baseline"]
    g = g.merge(base, left_on=keys, right_index=True, how="left")
    # A group with nobody tested in the baseline round (a recruit's age band, say) has nothing to change from.
    has_base = g["standard_baseline"].notna()
    differs = (
        g["threshold"].ne(g["threshold_baseline"]).fillna(True).astype(bool)
        | g["standard"].ne(g["standard_baseline"]).fillna(True).astype(bool)
        | g["n_thresholds"].gt(1)
    )
    g["changed"] = (has_base & differs).astype(bool)
    # Easier = a 'higher' item's threshold went down, or a 'lower' item's threshold went up.
    delta = g["threshold"] - g["threshold_baseline"]
    g["easier"] = np.where(g["better"] == "higher", delta < 0, delta > 0) & g["changed"]
    return g


def near_misses(fitness_tests: pd.DataFrame, margin: float = 0.05, baseline: int | None = None) -> pd.DataFrame:
    """Baseline failers by how close they came: failed exactly one item, by at most ``margin`` of its threshold.

    Officers who barely failed once are the ones most likely to pass a retest by chance alone
    (regression to the mean).  Returns one row per baseline failer with ``items_failed``,
    ``worst_gap`` (relative shortfall on the worst item, a proportion of the threshold) and ``near_miss``.
    """
    t = item_results(fitness_tests)
    baseline = int(t["round"].min()) if baseline is None else baseline
    # ASSUMPTION(near-miss-margin): a "near miss" is a single failed item within 5% (default margin) of its threshold; the share depends on that choice.
    t = t[(t["round"] == baseline) & (t["status"] == "tested")].copy()
    result, threshold = t["result"].astype("float64"), t["threshold"].astype("float64")
    gap = np.where(t["better"] == "higher", (threshold - result) / threshold, (result - threshold) / threshold)
    t["gap"] = np.where(t["meets"].fillna(False).astype(bool), 0.0, np.nan_to_num(gap, nan=np.inf))
    t["failed"] = ~t["meets"].fillna(False).astype(bool)
    per = t.groupby("officer_id").agg(items_failed=("failed", "sum"), worst_gap=("gap", "max")).reset_index()
    per["items_failed"] = per["items_failed"].astype(int)
    per = per[per["items_failed"] > 0]
    per["near_miss"] = (per["items_failed"] == 1) & (per["worst_gap"] <= margin)
    return per


@dataclass(frozen=True)
class RoundFigures:
    """One round's counts (officers) and pass rates (0..1) under both denominators."""

    round: int
    tested: int
    on_roster: int
    exempt: int
    absent: int
    not_recorded: int  #: on the roster but with no row in the round
    rate_tested: float  #: passed / tested
    rate_roster: float  #: passed on the roster / on the roster (untested = not passed)


@dataclass(frozen=True)
class InflationChecks:
    """The numbers behind each check of what could inflate the baseline-to-final rise."""

    baseline: RoundFigures
    final: RoundFigures
    pair: BaselineFinal  #: the same officers in both rounds
    thresholds_final: int  #: item x age band x sex thresholds in force in the final round
    thresholds_changed: int  #: of them, differing from the baseline round
    thresholds_easier: int  #: of the changed ones, easier to meet
    margin: float  #: a near miss is one failed item within this share of its threshold
    baseline_failers: int  #: officers tested at baseline who failed
    near_misses: int  #: baseline failers who nearly passed
    near_misses_passed_final: int  #: near misses who passed the final round
    unit_gain_correlation: float  #: correlation of a unit's baseline pass rate with its gain (NaN for < 3 units)


def _round_figures(row: pd.Series) -> RoundFigures:
    return RoundFigures(
        round=int(row["round"]),
        tested=int(row["tested"]),
        on_roster=int(row["on_roster"]),
        exempt=int(row["exempt"]),
        absent=int(row["absent"]),
        not_recorded=int(row["not_recorded"]),
        rate_tested=float(row["rate_tested"]),
        rate_roster=float(row["rate_roster"]),
    )


def inflation_checks(fitness_tests: pd.DataFrame, roster: pd.DataFrame, margin: float = 0.05) -> InflationChecks:
    """Computed checks of what could inflate the baseline-to-final rise (see :class:`InflationChecks`)."""
    rates = pass_rates(fitness_tests, roster)
    b, f = rates.iloc[0], rates.iloc[-1]
    standards = standards_by_round(fitness_tests, roster)
    final_std = standards[standards["round"] == f["round"]]
    misses = near_misses(fitness_tests, margin)
    results = officer_round_results(fitness_tests)
    final_passers = set(results[(results["round"] == f["round"]) & results["passed"].fillna(False)]["officer_id"])
    near_and_passed = int(misses.loc[misses["near_miss"], "officer_id"].isin(final_passers).sum())
    unit_base = unit_funnel_table(fitness_tests, roster, int(b["round"]))
    unit_final = unit_funnel_table(fitness_tests, roster, int(f["round"]))
    merged = unit_base[["unit", "rate"]].merge(unit_final[["unit", "rate"]], on="unit", suffixes=("_b", "_f"))
    rtm_corr = (
        float(np.corrcoef(merged["rate_b"], merged["rate_f"] - merged["rate_b"])[0, 1]) if len(merged) > 2 else np.nan
    )
    return InflationChecks(
        baseline=_round_figures(b),
        final=_round_figures(f),
        pair=baseline_final(fitness_tests),
        thresholds_final=len(final_std),
        thresholds_changed=int(final_std["changed"].sum()),
        thresholds_easier=int(final_std["easier"].sum()),
        margin=margin,
        baseline_failers=len(misses),
        near_misses=int(misses["near_miss"].sum()),
        near_misses_passed_final=near_and_passed,
        unit_gain_correlation=rtm_corr,
    )


def item_failures_by_round(fitness_tests: pd.DataFrame) -> pd.DataFrame:
    """Officers failing each item (columns) in each round (rows): counts, to pass through the disclosure gate."""
    f = item_failures(fitness_tests)
    table = f.pivot(index="round", columns="item", values="failed").fillna(0).astype(int)
    table.columns.name = None
    return table


def standard_changes(standards: pd.DataFrame) -> pd.DataFrame:
    """Each changed threshold once: item, age band, sex, the round it changed from, old and new value, easier.

    Built from :func:`standards_by_round`; a threshold that changed in round 5 and stayed changed is one row
    (from_round 5), not four.
    """
    changed = standards[standards["changed"]]
    if changed.empty:
        return pd.DataFrame(
            columns=["item", "age_band", "sex", "from_round", "threshold_baseline", "threshold", "easier"]
        )
    keys = ["item", "age_band", "sex"]
    first = changed.sort_values("round").groupby(keys, dropna=False).first().reset_index()
    out = first.rename(columns={"round": "from_round"})[
        keys + ["from_round", "threshold_baseline", "threshold", "easier"]
    ]
    return out.sort_values(["item", "age_band", "sex"]).reset_index(drop=True)
