"""Intervals and tests for proportions."""

from __future__ import annotations

import math
from dataclasses import dataclass

from statsmodels.stats.contingency_tables import mcnemar
from statsmodels.stats.proportion import proportion_confint


@dataclass(frozen=True)
class Proportion:
    """A share of counts with its Wilson interval."""

    numerator: int
    denominator: int
    rate: float  #: numerator / denominator, 0..1 (NaN when the denominator is 0)
    ci_low: float
    ci_high: float


def wilson_proportion(successes: int, n: int, alpha: float = 0.05) -> Proportion:
    """successes / n with its Wilson score interval (see :func:`wilson`)."""
    low, high = wilson(successes, n, alpha)
    return Proportion(int(successes), int(n), successes / n if n else float("nan"), low, high)


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


@dataclass(frozen=True)
class PairedDifference:
    """Difference of two paired proportions (p1 - p2, -1..1) with Newcombe's method-10 interval."""

    difference: float  #: p1 - p2
    low: float
    high: float
    p1: float  #: success share on the first occasion, 0..1
    p2: float  #: success share on the second occasion, 0..1
    n: int  #: pairs
    phi: float  #: continuity-corrected correlation of the pairs


def newcombe_paired_difference(a: int, b: int, c: int, d: int, alpha: float = 0.05) -> PairedDifference:
    """Difference of two paired proportions with Newcombe's (1998) method-10 interval.

    The 2x2 table of n pairs: ``a`` = success on both occasions, ``b`` = success on the first
    only, ``c`` = success on the second only, ``d`` = failure on both.  The difference is
    p1 - p2 = (a + b)/n - (a + c)/n = (b - c)/n (a proportion difference, -1..1).
    Method 10 combines the Wilson intervals of the two margins with a continuity-corrected
    correlation phi (Newcombe, Statistics in Medicine 1998; 17:2635-2650).

    Returns a :class:`PairedDifference`.
    """
    counts = [a, b, c, d]
    if any(int(x) != x or x < 0 for x in counts):
        raise ValueError(f"paired counts must be non-negative integers, got {counts}")
    a, b, c, d = (int(x) for x in counts)
    n = a + b + c + d
    if n == 0:
        raise ValueError("paired table is empty (n = 0)")
    p1, p2 = (a + b) / n, (a + c) / n
    l1, u1 = wilson(a + b, n, alpha)
    l2, u2 = wilson(a + c, n, alpha)
    denominator = (a + b) * (c + d) * (a + c) * (b + d)
    numerator = a * d - b * c
    # Newcombe's continuity correction of phi: shrink a positive a*d - b*c by n/2, never below 0.
    if numerator > 0:
        numerator = max(numerator - n / 2, 0.0)
    phi = numerator / math.sqrt(denominator) if denominator > 0 else 0.0
    dl1, du1, dl2, du2 = p1 - l1, u1 - p1, p2 - l2, u2 - p2
    lower_term = max(dl1**2 - 2 * phi * dl1 * du2 + du2**2, 0.0)
    upper_term = max(du1**2 - 2 * phi * du1 * dl2 + dl2**2, 0.0)
    diff = p1 - p2
    return PairedDifference(
        difference=diff,
        low=max(-1.0, diff - math.sqrt(lower_term)),
        high=min(1.0, diff + math.sqrt(upper_term)),
        p1=p1,
        p2=p2,
        n=n,
        phi=phi,
    )


def cohens_h(p1: float, p2: float) -> float:
    """Cohen's h effect size for two proportions: 2*asin(sqrt(p1)) - 2*asin(sqrt(p2)) (radians)."""
    for p in (p1, p2):
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"proportion out of [0, 1]: {p}")
    return 2 * math.asin(math.sqrt(p1)) - 2 * math.asin(math.sqrt(p2))


def mcnemar_exact(b: int, c: int) -> float:
    """Two-sided exact McNemar p-value from the discordant counts b and c (statsmodels)."""
    if b < 0 or c < 0:
        raise ValueError(f"discordant counts must be non-negative, got b={b}, c={c}")
    if b + c == 0:
        return 1.0
    return float(mcnemar([[0, int(b)], [int(c), 0]], exact=True).pvalue)
