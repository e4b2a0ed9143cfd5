"""The province comparison: every county on the same measures, against the province, all at once.

A province root holds one processed data set per county (``<root>/county=<slug>/``, each what a
county's reports read) and ``manifest.json``. For each county, on its own data and its own design:

- satisfaction: the weighted top-box share of the overall question (the county report's estimator:
  its raking weights, its batches as clusters within district strata, the logit interval);
- return rate: valid forms over forms handed out, batch-clustered (the county report's estimator);
- opinions rectified by the cut-off (over the ledger at the cut-off) and the median days from
  receipt to rectification (Kaplan-Meier, open opinions censored at the cut-off);
- the final fitness round's pass rate under both denominators (officers tested; officers on the roster);
- the share of officers whose annual training average is below the pass mark.

The province value is the pooled estimate with counties as strata: for the survey, every county's
respondents with their own weights (raked to the county's population) and their own clusters and
strata side by side (:class:`analysis.stats.design.Pooled`), so the pooled share is the
population-weighted mean of the county shares and its variance the sum of the counties'; for whole
counts (opinions, officers), the counties' totals added up (sum of numerators over sum of denominators).

Counties are compared with the province all at once, never the top against the bottom: survey
measures by the design-based contrast county minus province (t on the pooled design's degrees of
freedom), counts by the exact binomial test against the province value (Spiegelhalter's funnel), the
median by its interval; p-values Holm-adjusted over the counties, intervals on the caterpillar charts
Bonferroni-adjusted (95% jointly). A county is outlying on a measure when its Holm-adjusted
p-value is below 0.05 (for the median: when its Bonferroni interval excludes the province's).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.core import paths, reference
from analysis.core.errors import AnalysisError
from analysis.data import processed
from analysis.stats import survival
from analysis.stats.design import Pooled, against_whole
from analysis.stats.disclosure import THRESHOLD
from analysis.stats.funnel import funnel_limits, unit_funnel
from analysis.stats.proportions import wilson
from analysis.subjects import fitness, opinions, survey, training

ALPHA = 0.05
PREFIX = "county="
DATASETS = (
    "survey_batches",
    "survey_responses",
    "population_margins",
    "opinions_register",
    "rectification_ledger",
    "fitness_tests",
    "officer_roster",
    "training_credits",
)

# measure id -> (kind, higher is better)
MEASURES: dict[str, tuple[str, bool]] = {
    "satisfaction": ("survey", True),
    "return_rate": ("survey", True),
    "rectified": ("count", True),
    "median_days": ("median", False),
    "pass_tested": ("count", True),
    "pass_roster": ("count", True),
    "training_below": ("count", False),
}
# Counts of officers: their numerators are never printed (disclosure); the rates and denominators are.
OFFICER_MEASURES = ("pass_tested", "pass_roster", "training_below")


# --- inputs ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class County:
    """One county's processed tables (those the comparison reads) and its reconciliation counts."""

    slug: str
    frames: dict[str, pd.DataFrame] = field(repr=False)
    matched: int | None = None  #: key figures reproduced (key_figures.csv), None without the file
    figures: int | None = None  #: key figures checked
    folder: Path | None = None  #: its processed data set (where its survey weights are kept)


def county_slugs(root: Path | str) -> list[str]:
    """The counties of a province root: its ``county=<slug>`` folders, sorted; an empty root raises."""
    root = Path(root)
    if not root.is_dir():
        raise AnalysisError(f"{root}: not a folder; give the processed province root (county=<slug> folders)")
    # A county folder is a link to its current generation; the generations folders beside it are not counties.
    slugs = sorted(
        p.name[len(PREFIX) :]
        for p in root.iterdir()
        if p.is_dir() and p.name.startswith(PREFIX) and p != paths.generations_dir(p.with_name(p.name.split(".")[0]))
    )
    if not slugs:
        raise AnalysisError(f"{root}: no county=<slug> folder; clean a province first (demo-data --counties K)")
    return slugs


def county_dir(root: Path | str, slug: str) -> Path:
    return Path(root) / f"{PREFIX}{slug}"


def reconciliation_counts(county_processed: Path) -> tuple[int | None, int | None]:
    """(matched, total) of the county's key_figures.csv; (None, None) when it has none."""
    path = Path(county_processed) / paths.KEY_FIGURES
    if not path.exists():
        return None, None
    kf = pd.read_csv(path)
    if "matches" not in kf.columns:
        raise AnalysisError(f"{path}: no 'matches' column; recompute it with `python -m analysis key-figures`")
    return int(kf["matches"].astype(bool).sum()), len(kf)


def single_county(root: Path | str) -> str | None:
    """The county of a root that is one county's processed data set (the default layout), else None.

    Named by the demo marker's "county: k of K (slug)" line when there is one; otherwise "county"
    (the label table's "the county"): a single bureau's export does not say which county it is.
    """
    root = Path(root)
    if not (root / paths.MANIFEST).exists():
        return None
    marker = str(processed.manifest(root).get("synthetic_marker") or "")
    found = re.search(r"county: \d+ of \d+ \(([^)]+)\)", marker)
    return found.group(1) if found else "county"


def _load_county(slug: str, folder: Path) -> County:
    frames = {name: processed.load(name, folder) for name in DATASETS}
    matched, figures = reconciliation_counts(folder)
    return County(slug, frames, matched, figures, folder)


def load(root: Path | str) -> list[County]:
    """Every county of the province root, its tables loaded as each county's reports load them.

    A root that is one county's data set (the single-county layout) gives that one county.
    """
    one = single_county(root)
    if one is not None and not any(Path(root).glob(f"{PREFIX}*")):
        return [_load_county(one, Path(root))]
    return [_load_county(slug, county_dir(root, slug)) for slug in county_slugs(root)]


def folders(root: Path | str) -> list[Path]:
    """The processed folder of every county of the root (the root itself in the single-county layout)."""
    one = single_county(root)
    if one is not None and not any(Path(root).glob(f"{PREFIX}*")):
        return [Path(root)]
    return [county_dir(root, s) for s in county_slugs(root)]


def is_synthetic(root: Path | str) -> bool:
    """Whether any county of the root is synthetic (the demo marker is shown when one is)."""
    return any(processed.is_synthetic(folder) for folder in folders(root))


def manifest(root: Path | str) -> dict:
    """The province manifest (``<root>/manifest.json``), empty when the root has none."""
    path = Path(root) / "manifest.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


# --- results -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Comparison:
    """One measure in every county against the province.

    ``table``, one row per county: county, estimate, ci_low, ci_high (its own 95% interval), n (the
    denominator: valid answers, forms, opinions, officers), successes (counts; NaN for survey
    estimates), n_effective (n over the design effect for survey estimates: the funnel's x), adj_low,
    adj_high (Bonferroni intervals: 95% jointly over the counties), difference (county - province),
    p_value, p_adjusted (Holm), outlying, direction ("above", "below" or "").
    """

    measure: str
    table: pd.DataFrame
    province: float
    province_low: float
    province_high: float
    province_n: int
    test: str  #: "design" (contrast on the pooled design), "binomial" (exact, funnel) or "interval"
    higher_is_better: bool
    province_shown: bool = True  #: False when the province value would expose a withheld county (one county)

    @property
    def comparisons(self) -> int:
        return len(self.table)

    def outlying(self) -> pd.DataFrame:
        """Counties outlying on this measure and shown (a withheld county is not named: disclosure)."""
        return self.table[self.table["outlying"] & self.table["shown"]]


@dataclass(frozen=True)
class ProvinceComparison:
    """Every measure's comparison, the counties in order, each county's reconciliation status."""

    counties: list[str]
    measures: dict[str, Comparison]
    reconciliation: pd.DataFrame  #: county, matched, figures
    cutoff: str
    pass_mark: float
    final_round: dict[str, int]  #: county -> its final fitness round
    logrank_p: float  #: one log-rank test of equal times to rectification in every county

    def outlying_counties(self) -> dict[str, list[str]]:
        """county -> the measures on which it is outlying (counties with none left out)."""
        out: dict[str, list[str]] = {}
        for m, c in self.measures.items():
            for county in c.outlying()["county"]:
                out.setdefault(county, []).append(m)
        return {k: out[k] for k in self.counties if k in out}


# --- the comparison ----------------------------------------------------------------------------------


def _direction(diff: np.ndarray, outlying: np.ndarray) -> list[str]:
    return ["" if not o else ("above" if d > 0 else "below") for d, o in zip(diff, outlying)]


def _bonferroni(k: int, alpha: float = ALPHA) -> float:
    return alpha / k


def survey_comparison(
    measure: str, parts: list, y_parts: list[np.ndarray], slugs: list[str], *, logit: bool = True
) -> Comparison:
    """A survey measure: each county on its own design (part i of the pooled design), the pooled province.

    ``parts``: each county's :class:`analysis.stats.design.Design`; ``y_parts``: its rows' values
    (NaN: left out). The county's estimate is the domain mean of its own rows on the pooled design,
    which equals the estimate on its own design (the other counties add nothing to its variance).
    """
    pooled = Pooled(parts)
    y = np.concatenate(y_parts)
    codes = np.concatenate([np.full(len(p), i) for i, p in enumerate(y_parts)])
    k = len(slugs)
    whole = pooled.mean(y, logit=logit)
    if k > 1:
        comp = against_whole(pooled, y, codes, slugs, ALPHA).table
    else:  # one county is the whole province: nothing to compare
        comp = pd.DataFrame({"difference": [0.0], "p_value": [np.nan], "p_holm": [np.nan]})
    rows = []
    for i, slug in enumerate(slugs):
        own = pooled.mean(y, pooled.part_rows(i), logit=logit)
        adj = pooled.mean(y, pooled.part_rows(i), logit=logit, alpha=_bonferroni(k))
        deff = own.deff_replace if np.isfinite(own.deff_replace) and own.deff_replace > 0 else 1.0
        rows.append(
            {
                "county": slug,
                "estimate": own.estimate,
                "ci_low": own.ci_low,
                "ci_high": own.ci_high,
                "n": own.n,
                "successes": np.nan,
                "n_effective": own.n / deff,
                "deff": own.deff_replace,
                "df": own.df,
                "adj_low": adj.ci_low,
                "adj_high": adj.ci_high,
            }
        )
    table = pd.DataFrame(rows)
    table["difference"] = comp["difference"].to_numpy()
    table["p_value"] = comp["p_value"].to_numpy()
    table["p_adjusted"] = comp["p_holm"].to_numpy()
    table["outlying"] = table["p_adjusted"] < ALPHA
    table["direction"] = _direction(table["difference"].to_numpy(), table["outlying"].to_numpy())
    table["shown"] = True
    return Comparison(
        measure, table, whole.estimate, whole.ci_low, whole.ci_high, whole.n, "design", MEASURES[measure][1]
    )


def count_comparison(measure: str, counts: pd.DataFrame) -> Comparison:
    """A whole count (successes of n per county): Wilson intervals, the pooled rate, exact binomial tests (Holm).

    ``counts``: county, successes, n. The province value is sum of successes over sum of n
    (counties as strata of a census: each county's own total).
    """
    k = len(counts)
    s, n = int(counts["successes"].sum()), int(counts["n"].sum())
    if n == 0:
        raise ValueError(f"{measure}: no county has any row to count")
    p0 = s / n
    funnel = unit_funnel(counts, "county", "successes", "n", target=p0, alpha=ALPHA, method="holm")
    funnel = funnel.set_index("county").reindex(counts["county"])
    rows = []
    for r in counts.itertuples():
        low, high = wilson(int(r.successes), int(r.n), ALPHA)
        alow, ahigh = wilson(int(r.successes), int(r.n), _bonferroni(k))
        rows.append(
            {
                "county": r.county,
                "estimate": r.successes / r.n if r.n else np.nan,
                "ci_low": low,
                "ci_high": high,
                "n": int(r.n),
                "successes": int(r.successes),
                "n_effective": float(r.n),
                "deff": 1.0,
                "df": np.nan,
                "adj_low": alow,
                "adj_high": ahigh,
            }
        )
    table = pd.DataFrame(rows)
    table["difference"] = table["estimate"] - p0
    table["p_value"] = funnel["p_value"].to_numpy()
    table["p_adjusted"] = funnel["p_adjusted"].to_numpy()
    table["outlying"] = (table["p_adjusted"] < ALPHA).fillna(False).astype(bool)
    table["direction"] = _direction(table["difference"].to_numpy(), table["outlying"].to_numpy())
    if measure in OFFICER_MEASURES:
        # ASSUMPTION(province-withhold-small-sides): a county's officer rate is shown only when at least `threshold` officers are on each side (as the unit funnels); it still counts in the province value and the tests.
        small = np.minimum(table["successes"], table["n"] - table["successes"])
        table["shown"] = small >= THRESHOLD
        if (~table["shown"]).sum() == 1 and k > 1:
            # The province total less the counties shown would give the one withheld: withhold a second county
            # (the one with the fewest on its smaller side), as the disclosure rule does with a second cell.
            table.loc[small.where(table["shown"]).idxmin(), "shown"] = False
    else:
        table["shown"] = True
    low, high = wilson(s, n, ALPHA)
    return Comparison(
        measure,
        table,
        p0,
        low,
        high,
        n,
        "binomial",
        MEASURES[measure][1],
        province_shown=bool(k > 1 or table["shown"].all()),
    )


def median_comparison(times: dict[str, pd.DataFrame]) -> tuple[Comparison, float]:
    """Median days to rectification per county (Kaplan-Meier), the pooled province median, a log-rank test.

    ``times``: county -> frame of ``days`` and ``rectified``. A county is outlying when its Bonferroni
    interval of the median lies wholly on one side of the province median.
    """
    k = len(times)
    rows = []
    for slug, t in times.items():
        km = survival.kaplan_meier(t["days"], t["rectified"], ALPHA)
        m = survival.km_median(km)
        adj = survival.km_median(survival.kaplan_meier(t["days"], t["rectified"], _bonferroni(k)))
        rows.append(
            {
                "county": slug,
                "estimate": m.median,
                "ci_low": m.ci_low,
                "ci_high": m.ci_high,
                "n": len(t),
                "successes": int(t["rectified"].sum()),
                "n_effective": float(len(t)),
                "deff": np.nan,
                "df": np.nan,
                "adj_low": adj.ci_low,
                "adj_high": adj.ci_high,
            }
        )
    allt = pd.concat([t.assign(county=s) for s, t in times.items()], ignore_index=True)
    whole = survival.km_median(survival.kaplan_meier(allt["days"], allt["rectified"], ALPHA))
    table = pd.DataFrame(rows)
    table["difference"] = table["estimate"] - whole.median
    table["p_value"] = np.nan
    table["p_adjusted"] = np.nan
    # An interval not reached (NaN) does not exclude anything.
    table["outlying"] = (table["adj_low"] > whole.median) | (table["adj_high"] < whole.median)
    # A median not reached (fewer than half rectified) is longer than any time observed: read off the interval.
    table["direction"] = np.where(
        ~table["outlying"], "", np.where(table["adj_low"] > whole.median, "above", "below")
    ).tolist()
    table["shown"] = True
    lr = survival.logrank(allt["days"], allt["rectified"], allt["county"].to_numpy()) if k > 1 else None
    comp = Comparison("median_days", table, whole.median, whole.ci_low, whole.ci_high, len(allt), "interval", False)
    return comp, (lr.p_value if lr is not None else np.nan)


def compare(counties: list[County], cutoff=None, pass_mark: float | None = None, design=None) -> ProvinceComparison:
    """Every measure in every county against the province (see the module's docstring)."""
    if not counties:
        raise AnalysisError("a province comparison needs at least one county")
    cutoff = reference.opinions_cutoff(cutoff)
    pass_mark = reference.training_pass_mark(pass_mark)
    slugs = [c.slug for c in counties]
    resp_designs, tb, form_designs, returned = [], [], [], []
    times, rect, tested, roster, below, final_round = {}, [], [], [], [], {}
    for c in counties:
        f = c.frames
        weighted = survey.weight_respondents(
            f["survey_responses"], f["population_margins"], design=design, processed_dir=c.folder
        )
        resp_designs.append(survey.sample_design(weighted.frame, design))
        tb.append(survey.top_box(weighted.frame, [survey.OVERALL])[survey.OVERALL].to_numpy(dtype=float))
        fd = survey.form_design(f["survey_batches"], f["survey_responses"], design)
        form_designs.append(fd.design)
        returned.append(fd.forms["returned"].to_numpy(dtype=float))
        table = opinions.opinion_table(f["opinions_register"])
        status = opinions.rectification_status(opinions.ledger_for(f["rectification_ledger"], table), cutoff, table)
        rect.append({"county": c.slug, "successes": int(status["rectified"].sum()), "n": len(status)})
        on_clock = status[status["days_from_receipt"].notna()]
        times[c.slug] = pd.DataFrame(
            {"days": on_clock["days_from_receipt"].to_numpy(float), "rectified": on_clock["rectified"].to_numpy(bool)}
        )
        rates = fitness.pass_rates(f["fitness_tests"], f["officer_roster"])
        last = rates.sort_values("round").iloc[-1]
        final_round[c.slug] = int(last["round"])
        tested.append({"county": c.slug, "successes": int(last["passed"]), "n": int(last["tested"])})
        on_roster_passed = int(last["passed"]) - int(last["passed_off_roster"])
        roster.append({"county": c.slug, "successes": on_roster_passed, "n": int(last["on_roster"])})
        annual = training.annual_averages(f["training_credits"])
        below.append({"county": c.slug, "successes": int((annual["average"] < pass_mark).sum()), "n": len(annual)})
    median, logrank_p = median_comparison(times)
    measures = {
        "satisfaction": survey_comparison("satisfaction", resp_designs, tb, slugs, logit=True),
        "return_rate": survey_comparison("return_rate", form_designs, returned, slugs, logit=True),
        "rectified": count_comparison("rectified", pd.DataFrame(rect)),
        "median_days": median,
        "pass_tested": count_comparison("pass_tested", pd.DataFrame(tested)),
        "pass_roster": count_comparison("pass_roster", pd.DataFrame(roster)),
        "training_below": count_comparison("training_below", pd.DataFrame(below)),
    }
    recon = pd.DataFrame([{"county": c.slug, "matched": c.matched, "figures": c.figures} for c in counties])
    return ProvinceComparison(slugs, measures, recon, str(cutoff), float(pass_mark), final_round, float(logrank_p))


def funnel_frame(comparison: Comparison) -> pd.DataFrame:
    """What a funnel chart draws: each county's rate on its (effective) count, the province value, its limits.

    Columns as :func:`analysis.stats.funnel.unit_funnel` (unit, n, rate, target, lower_/upper_ limits,
    flag) plus shown: True (a county's rate is published by the county itself). For survey measures n is
    the effective sample size (n over the design effect), so the binomial limits allow for the design.
    """
    t = comparison.table
    n = np.maximum(np.round(t["n_effective"].to_numpy(float)).astype(int), 1)
    limits = funnel_limits(n, comparison.province)
    out = pd.DataFrame(
        {"unit": t["county"], "n": n, "rate": t["estimate"].to_numpy(float), "target": comparison.province}
    )
    for col in limits.columns.drop("n"):
        out[col] = limits[col].to_numpy()
    out["flag"] = t["outlying"].to_numpy(bool)
    out["shown"] = True
    return out
