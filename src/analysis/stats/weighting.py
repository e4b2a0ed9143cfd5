"""Survey weights: raking (iterative proportional fitting) to population margins, trimming, Kish deff.

Raking adjusts the weights so that the weighted sample reproduces each population margin in
turn (here: sums of weights per cell of a margin equal the population counts), repeating until
every margin is met.  Which margins: by default the three two-way margins of district x age
band x sex (district x age band, district x sex, age band x sex).  The full three-way cross
(48 cells) would be post-stratification and leaves small cells with a handful of respondents
and extreme weights; the one-way margins alone ignore the clear district-by-age differences in
who returned forms.  The two-way margins are the middle road; `rake` accepts any list.

Convergence: iterate until the largest relative margin error (|weighted total - population| /
population, over every cell of every margin) is below ``tol``; raise ``ConvergenceError`` with
the iterations done and the error reached when ``max_iter`` passes first.

Trimming: weights are kept within [``lower``, ``upper``] x the mean weight by re-raking with the
weights capped at those bounds after every margin step, until both the bounds and the margins hold
(or ConvergenceError when they conflict). The capped weights are then polished to the exact
solution of bounded raking (R's ``calibrate(calfun = "raking", bounds = )``): the units at a bound
are held there and the others raked to the totals they leave, which is the unique minimiser of
sum d (g log g - g + 1) under the margins and the bounds when the held set is right (checked).

The margins and bounds the questionnaire uses are stated once, in data/reference/survey_design.csv
(``analysis.stats.design.SurveyDesign``); nothing here has a default of its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from analysis.core.errors import AnalysisError
from analysis.stats.design import ColumnSpace, calibration_matrix

# A weight within this relative distance of a trimming bound is taken to sit on it when polishing.
AT_BOUND = 1e-4


class ConvergenceError(AnalysisError):
    """Raking (or trim-and-rake) did not meet its tolerance within the iterations allowed."""

    def __init__(self, what: str, iterations: int, max_error: float, measure: str = "largest relative margin error"):
        self.iterations, self.max_error = iterations, max_error
        super().__init__(f"{what} did not converge: {iterations} iterations, {measure} {max_error:.3g}")


@dataclass
class RakeResult:
    """Weights (aligned with the sample's index) and how the fit went."""

    weights: pd.Series
    iterations: int
    max_error: float
    trimmed: int = 0
    rounds: int = 0
    margins: tuple[tuple[str, ...], ...] = field(default_factory=tuple)
    # Trimming bounds actually applied, as multiples of the mean weight (None: no trimming needed or possible).
    bounds: tuple[float, float] | None = None
    # Weights held at the lower and upper bound by the polish step (None: not polished; see trim_and_rake).
    at_bounds: tuple[int, int] | None = None

    def trimming_note(self) -> str:
        """What trimming did, in words, for the report."""
        if not self.trimmed:
            return "no weight needed trimming"
        if self.bounds is None:
            return (
                f"{self.trimmed:,} weights fell outside the trimming bounds, and no bounds compatible with the "
                "margins were found: weights left untrimmed"
            )
        widened = " (bounds widened to fit the margins)" if self.rounds > 1 else ""
        return f"{self.trimmed:,} weights trimmed to {self.bounds[0]:g}-{self.bounds[1]:g} x the mean weight{widened}"


def population_margins(population: pd.DataFrame, margins, count: str = "population") -> dict:
    """Population totals for each margin: {columns: Series indexed by the margin's cells}."""
    out = {}
    for cols in margins:
        cols = tuple(cols)
        missing = [c for c in (*cols, count) if c not in population.columns]
        if missing:
            raise KeyError(f"population table lacks columns {missing}")
        out[cols] = population.groupby(list(cols), observed=True)[count].sum().astype(float)
    return out


_SEP = "\x1f"


def _cell_index(sample: pd.DataFrame, cols: tuple[str, ...]) -> pd.Series:
    """One string key per respondent naming its cell of the margin ``cols``."""
    key = sample[cols[0]].astype(str)
    for c in cols[1:]:
        key = key + _SEP + sample[c].astype(str)
    return key


def _keyed(target: pd.Series) -> pd.Series:
    """The target totals re-indexed by the same string keys as `_cell_index`."""
    keys = [_SEP.join(map(str, k)) if isinstance(k, tuple) else str(k) for k in target.index]
    return pd.Series(target.to_numpy(dtype=float), index=pd.Index(keys, dtype=object))


def _check(sample: pd.DataFrame, targets: dict) -> None:
    for cols, target in targets.items():
        missing = [c for c in cols if c not in sample.columns]
        if missing:
            raise KeyError(f"sample lacks the margin columns {missing}")
        if sample[list(cols)].isna().any().any():
            raise ValueError(f"sample has missing values in {list(cols)}: drop or impute those rows before raking")
        cells = set(_cell_index(sample, cols).unique())
        tgt = _keyed(target)
        unknown = cells - set(tgt.index)
        if unknown:
            raise ValueError(
                f"sample cells {sorted(k.replace(_SEP, ' x ') for k in unknown)[:5]} of margin {cols} "
                "have no population total"
            )
        empty = tgt[(tgt > 0) & ~tgt.index.isin(list(cells))]
        if len(empty):
            raise ValueError(
                f"margin {cols}: population cells with no respondents, cannot rake: "
                f"{[k.replace(_SEP, ' x ') for k in empty.index[:5]]}; collapse cells or use coarser margins"
            )


def margin_errors(sample: pd.DataFrame, weights: pd.Series, targets: dict) -> float:
    """Largest relative error |weighted total - population| / population over all margin cells."""
    worst = 0.0
    for cols, target in targets.items():
        target = _keyed(target)
        got = weights.groupby(_cell_index(sample, cols)).sum()
        got = got.reindex(target.index, fill_value=0.0)
        pos = target > 0
        rel = (got[pos] - target[pos]).abs() / target[pos]
        worst = max(worst, float(rel.max()) if len(rel) else 0.0, float(got[~pos].abs().max()) if (~pos).any() else 0.0)
    return worst


def rake(
    sample: pd.DataFrame,
    targets: dict,
    base_weights: pd.Series | None = None,
    *,
    tol: float = 1e-10,
    max_iter: int = 1000,
    bounds: tuple[float, float] | None = None,
) -> RakeResult:
    """Raking weights for ``sample`` to the population ``targets`` (from `population_margins`).

    Returns weights that sum to the population total; raises ConvergenceError if the largest
    relative margin error is still above ``tol`` after ``max_iter`` full cycles, and ValueError
    for a population cell with no respondents or a respondent cell with no population.
    ``bounds`` (absolute weights) clips the weights after every margin step (used by trimming).
    """
    _check(sample, targets)
    w = pd.Series(1.0, index=sample.index) if base_weights is None else base_weights.astype(float).reindex(sample.index)
    if w.isna().any() or (w < 0).any():
        raise ValueError("base weights must be non-negative and given for every respondent")
    # Integer cell codes per margin, so each step is a bincount (fast enough for thousands of rows).
    codes, goals = [], []
    for cols, target in targets.items():
        keyed = _keyed(target)
        code = keyed.index.get_indexer(_cell_index(sample, cols))
        codes.append(code)
        goals.append(keyed.to_numpy(dtype=float))
    x = w.to_numpy(dtype=float).copy()

    def worst(x):
        e = 0.0
        for code, goal in zip(codes, goals):
            got = np.bincount(code, weights=x, minlength=len(goal))
            pos = goal > 0
            e = max(
                e,
                float(np.max(np.abs(got[pos] - goal[pos]) / goal[pos], initial=0.0)),
                float(np.max(np.abs(got[~pos]), initial=0.0)),
            )
        return e

    err = worst(x) if bounds is None else np.inf
    it = 0
    while err > tol and it < max_iter:
        it += 1
        for code, goal in zip(codes, goals):
            got = np.bincount(code, weights=x, minlength=len(goal))
            with np.errstate(divide="ignore", invalid="ignore"):
                factor = np.where(got > 0, goal / got, 0.0)
            x = x * factor[code]
            if bounds is not None:
                x = np.clip(x, *bounds)
        err = worst(x)
    w = pd.Series(x, index=sample.index)
    if err > tol:
        raise ConvergenceError("raking" if bounds is None else "raking within the trimming bounds", it, err)
    return RakeResult(weights=w.rename("weight"), iterations=it, max_error=err, margins=tuple(targets))


def polish_bounded(
    sample: pd.DataFrame, targets: dict, weights: pd.Series, bounds: tuple[float, float], *, tol: float = 1e-12
) -> tuple[pd.Series, tuple[int, int]] | None:
    """The exact bounded-raking weights near ``weights`` (absolute ``bounds``), or None if they cannot be confirmed.

    Capped IPF meets the margins and the bounds, but a weight clipped at a bound and later multiplied
    by a margin step can end a hair inside it, so the weights are close to, not at, the solution of
    the bounded raking problem. Hold every weight within ``AT_BOUND`` of a bound at that bound, rake
    the others from equal weights to the totals the held ones leave, and accept the result when it
    satisfies the optimality conditions: the free weights lie within the bounds, and the raking
    factor exp(x'eta) that the free weights fit (log g = X eta) is beyond the bound for every held
    unit. Returns the weights and the numbers held at the lower and upper bound.
    """
    lo, hi = bounds
    w = weights.to_numpy(dtype=float)
    at_low, at_high = np.abs(w / lo - 1) < AT_BOUND, np.abs(w / hi - 1) < AT_BOUND
    held = at_low | at_high
    fixed = np.where(at_low, lo, hi)
    free = sample.loc[~held]
    rest = {}
    for cols, target in targets.items():
        used = (
            pd.Series(np.where(held, fixed, 0.0), index=sample.index)
            .groupby([sample[c] for c in cols], observed=True)
            .sum()
        )
        left = target.astype(float).sub(used.reindex(target.index, fill_value=0.0), fill_value=0.0)
        if (left < 0).any():
            return None
        rest[cols] = left
    try:
        free_w = rake(free, rest, tol=tol, max_iter=5000).weights
    except (ConvergenceError, ValueError):
        return None
    out = w.copy()
    out[held] = fixed[held]
    out[~held] = free_w.to_numpy()
    if (out[~held] < lo * (1 - AT_BOUND)).any() or (out[~held] > hi * (1 + AT_BOUND)).any():
        return None
    if held.any():
        # log g of the free units is X eta; every held unit must lie beyond its bound on that scale.
        mean = out.mean()
        x = calibration_matrix(sample, list(targets))
        eta = ColumnSpace(x[~held]).coefficients(np.log(out[~held] / mean))
        lin = x @ eta
        slack = 1e-8
        if (lin[at_low] > np.log(lo / mean) + slack).any() or (lin[at_high] < np.log(hi / mean) - slack).any():
            return None
    return pd.Series(out, index=sample.index, name="weight"), (int(at_low.sum()), int(at_high.sum()))


def trim_and_rake(
    sample: pd.DataFrame,
    targets: dict,
    *,
    lower: float,
    upper: float,
    tol: float = 1e-10,
    max_iter: int = 5000,
    widenings: int = 3,
) -> RakeResult:
    """Raking weights kept within [lower, upper] x the mean weight, widening the bounds if they conflict.

    First an ordinary rake; if any weight falls outside the bounds (the mean weight is the
    population total over n, fixed by the margins), rake again from the start with every weight
    clipped to the bounds after each margin step ("capped raking"), so the result meets both the
    margins (to ``tol``) and the bounds.  When bounds and margins conflict (a cell with too few
    respondents for its population), the bounds are widened by a factor of 2 on each side, up to
    ``widenings`` times, and then dropped: the margins always hold, and ``bounds`` records the
    trimming actually applied.  ``trimmed`` counts the respondents whose plain raking weight was
    outside the requested bounds. Trimmed weights are polished to the exact bounded-raking solution
    (:func:`polish_bounded`; ``at_bounds`` says how many it holds at each bound); when the solution
    cannot be confirmed the capped weights are kept (``at_bounds`` None).
    """
    if not 0 <= lower < 1 < upper:
        raise ValueError("trimming bounds must satisfy 0 <= lower < 1 < upper (multiples of the mean weight)")
    res = rake(sample, targets, tol=tol, max_iter=max_iter)
    mean = res.weights.mean()
    outside = int(((res.weights < lower * mean) | (res.weights > upper * mean)).sum())
    if not outside:
        return res
    iterations = res.iterations
    for attempt in range(widenings + 1):
        lo, hi = lower / 2**attempt, upper * 2**attempt
        try:
            # Feasible capped raking converges in tens of iterations; an infeasible one never does.
            capped = rake(sample, targets, tol=tol, max_iter=max(100, max_iter // 5), bounds=(lo * mean, hi * mean))
        except ConvergenceError as exc:
            iterations += exc.iterations
            continue
        capped.trimmed, capped.rounds, capped.bounds = outside, attempt + 1, (lo, hi)
        capped.iterations += iterations
        polished = polish_bounded(sample, targets, capped.weights, (lo * mean, hi * mean))
        if polished is not None:
            capped.weights, capped.at_bounds = polished
            capped.max_error = margin_errors(sample, capped.weights, targets)
        return capped
    # ASSUMPTION(trimming-widened): if no trimming bounds up to 2^widenings times wider are compatible with the margins, the untrimmed raking weights are used (margins first); the report states the bounds applied.
    res.trimmed, res.rounds, res.iterations = outside, widenings + 2, iterations
    return res


def kish_deff(weights) -> float:
    """Kish's design effect from unequal weighting: 1 + CV^2 = n * sum(w^2) / (sum w)^2.

    The CV uses the population standard deviation (divisor n), so equal weights give exactly 1.
    """
    w = np.asarray(weights, dtype=float)
    if w.size == 0 or np.isnan(w).any() or (w < 0).any() or w.sum() == 0:
        raise ValueError("weights must be a non-empty set of non-negative numbers with a positive sum")
    return float(w.size * np.sum(w**2) / np.sum(w) ** 2)


def effective_sample_size(weights) -> float:
    """n / deff: the number of equally weighted respondents giving the same precision."""
    return float(len(np.asarray(weights)) / kish_deff(weights))
