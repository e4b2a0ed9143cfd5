"""Intervals and tests for proportions."""
from __future__ import annotations

from statsmodels.stats.proportion import proportion_confint


def wilson(successes: int, n: int, alpha: float = 0.05) -> tuple[float, float]:
    """Wilson score interval for successes/n, as (low, high) proportions; (nan, nan) when n is 0."""
    if n == 0:
        return float("nan"), float("nan")
    low, high = proportion_confint(int(successes), int(n), alpha=alpha, method="wilson")
    return float(low), float(high)


def goodman(counts, alpha: float = 0.05):
    """Goodman (1965) simultaneous intervals for multinomial shares, as an array of (low, high) rows.

    Thin wrapper over statsmodels' multinomial_proportions_confint(method='goodman'); the
    intervals hold jointly for all categories at level 1 - alpha (Bonferroni over categories).
    """
    import numpy as np
    from statsmodels.stats.proportion import multinomial_proportions_confint

    counts = np.asarray(counts, dtype=float)
    if counts.ndim != 1 or counts.size < 2:
        raise ValueError("need the counts of at least two categories")
    if (counts < 0).any() or counts.sum() == 0:
        raise ValueError("counts must be non-negative with a positive total")
    return multinomial_proportions_confint(counts, alpha=alpha, method="goodman")
