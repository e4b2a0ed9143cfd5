"""Funnel plots with exact binomial control limits (Spiegelhalter 2005, Statistics in Medicine 24:1185).

For a target proportion p0 and a unit of size n, the limit at tail probability P is the binomial
quantile r_P = the smallest r with F(r) >= P, interpolated so that the limit is continuous in n:
alpha = (F(r_P) - P) / (F(r_P) - F(r_P - 1)), limit = (r_P - alpha) / n  (Spiegelhalter 2005, appendix A.1.1).
95% limits use P = 0.025 / 0.975, 99.8% limits P = 0.001 / 0.999.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.stats.multitest import multipletests

LEVELS = {"95": 0.95, "99.8": 0.998}


def binomial_limit(n: int, p0: float, prob: float) -> float:
    """Interpolated exact binomial quantile of X/n at cumulative probability ``prob`` (a proportion)."""
    if n <= 0:
        raise ValueError(f"funnel limit needs n > 0, got {n}")
    if not 0 < p0 < 1:
        # Degenerate target: every unit sits on it.
        return float(p0)
    r = stats.binom.ppf(prob, n, p0)
    f_r = stats.binom.cdf(r, n, p0)
    f_below = stats.binom.cdf(r - 1, n, p0)
    alpha = (f_r - prob) / (f_r - f_below) if f_r > f_below else 0.0
    return float(np.clip((r - alpha) / n, 0.0, 1.0))


def funnel_limits(n_values, p0: float, levels=("95", "99.8")) -> pd.DataFrame:
    """Exact binomial funnel limits for each n: columns n, lower_<level>, upper_<level> (proportions)."""
    rows = []
    for n in np.asarray(n_values, dtype=int):
        row = {"n": int(n)}
        for level in levels:
            tail = (1 - LEVELS[level]) / 2
            row[f"lower_{level}"] = binomial_limit(int(n), p0, tail)
            row[f"upper_{level}"] = binomial_limit(int(n), p0, 1 - tail)
        rows.append(row)
    return pd.DataFrame(rows)


def unit_funnel(
    counts: pd.DataFrame,
    unit: str,
    successes: str,
    n: str,
    target: float | None = None,
    alpha: float = 0.05,
    method: str = "holm",
) -> pd.DataFrame:
    """Compare units with a target proportion.

    ``counts`` has one row per unit with successes and n.  The target is the pooled proportion
    unless given.  Returns one row per unit: unit, successes, n, rate, target, the 95% and 99.8%
    limits, ``zone`` ('within', 'outside 95%', 'outside 99.8%'), the two-sided exact binomial
    p-value against the target, the multiplicity-adjusted p-value (Holm by default,
    statsmodels.multipletests) and ``flag`` (adjusted p < alpha).
    """
    for col in (unit, successes, n):
        if col not in counts.columns:
            raise KeyError(f"unit_funnel: column {col!r} missing")
    data = counts[[unit, successes, n]].copy()
    data = data[data[n] > 0]
    if data.empty:
        raise ValueError("unit_funnel: no unit has n > 0")
    k = data[successes].astype(int).to_numpy()
    m = data[n].astype(int).to_numpy()
    p0 = float(k.sum() / m.sum()) if target is None else float(target)
    limits = funnel_limits(m, p0)
    out = data.reset_index(drop=True).rename(columns={successes: "successes", n: "n"})
    out["successes"], out["n"] = k, m
    out["rate"] = k / m
    out["target"] = p0
    for col in limits.columns.drop("n"):
        out[col] = limits[col].to_numpy()
    outside_998 = (out["rate"] < out["lower_99.8"]) | (out["rate"] > out["upper_99.8"])
    outside_95 = (out["rate"] < out["lower_95"]) | (out["rate"] > out["upper_95"])
    out["zone"] = np.where(outside_998, "outside 99.8%", np.where(outside_95, "outside 95%", "within"))
    if 0 < p0 < 1:
        out["p_value"] = [stats.binomtest(int(a), int(b), p0).pvalue for a, b in zip(k, m)]
    else:
        out["p_value"] = 1.0
    out["p_adjusted"] = multipletests(out["p_value"], alpha=alpha, method=method)[1]
    out["flag"] = out["p_adjusted"] < alpha
    return out
