"""Intervals and tests for proportions."""
from __future__ import annotations

from statsmodels.stats.proportion import proportion_confint


def wilson(successes: int, n: int, alpha: float = 0.05) -> tuple[float, float]:
    """Wilson score interval for successes/n, as (low, high) proportions; (nan, nan) when n is 0."""
    if n == 0:
        return float("nan"), float("nan")
    low, high = proportion_confint(int(successes), int(n), alpha=alpha, method="wilson")
    return float(low), float(high)
