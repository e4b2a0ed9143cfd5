"""Statistical process control: XmR (individuals and moving range) charts and p-charts.

XmR limits follow Wheeler and the NIST/SEMATECH e-Handbook (section 6.3.2.2): centre = mean of
the values, moving range MR_i = |x_i - x_(i-1)|, natural process limits = mean +/- 2.66 * mean(MR)
(2.66 = 3 / d2 with d2 = 1.128 for ranges of two), upper range limit = 3.267 * mean(MR).
Sigma for the zone rules is mean(MR) / 1.128.

Special-cause rules (Western Electric / Nelson), each reported per point:
  beyond_limits  a point outside the natural process limits (3 sigma)
  two_of_three   2 of 3 consecutive points beyond 2 sigma on the same side
  four_of_five   4 of 5 consecutive points beyond 1 sigma on the same side
  run_of_8       8 consecutive points on the same side of the centre line
  trend_of_6     6 consecutive points steadily increasing or decreasing (5 rising or falling steps)
A point is flagged when it completes (or lies in) a qualifying window.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

D2 = 1.128  # d2 for moving ranges of two consecutive values
E2 = 3 / D2  # 2.66: the XmR multiplier for the natural process limits
D4 = 3.267  # upper limit factor for the moving-range chart (n = 2; Montgomery's table, NIST 6.3.2.2)

RULES = ("beyond_limits", "two_of_three", "four_of_five", "run_of_8", "trend_of_6")


def _values(values) -> np.ndarray:
    x = pd.to_numeric(pd.Series(values), errors="coerce").astype("float64").to_numpy()
    if np.isnan(x).any():
        raise ValueError("XmR chart: values contain missing or non-numeric entries")
    if len(x) < 2:
        raise ValueError(f"XmR chart needs at least 2 values, got {len(x)}")
    return x


@dataclass(frozen=True)
class XmRLimits:
    """Centre line and limits of an XmR chart, all in the units of the values."""

    centre: float  #: mean of the values
    mr_mean: float  #: mean moving range
    sigma: float  #: mr_mean / 1.128, for the zone rules
    lcl: float  #: lower natural process limit, centre - 2.66 * mr_mean
    ucl: float  #: upper natural process limit, centre + 2.66 * mr_mean
    mr_ucl: float  #: upper limit of the moving range, 3.267 * mr_mean


def xmr_limits(values) -> XmRLimits:
    """Centre line and limits of an XmR chart (see :class:`XmRLimits`)."""
    x = _values(values)
    mr = np.abs(np.diff(x))
    mr_mean = float(mr.mean())
    centre = float(x.mean())
    return XmRLimits(
        centre=centre,
        mr_mean=mr_mean,
        sigma=mr_mean / D2,
        lcl=centre - E2 * mr_mean,
        ucl=centre + E2 * mr_mean,
        mr_ucl=D4 * mr_mean,
    )


def _window_flags(condition: np.ndarray, window: int, needed: int) -> np.ndarray:
    """Flag every point of each window of ``window`` consecutive points where ``needed`` meet ``condition``."""
    n = len(condition)
    flags = np.zeros(n, dtype=bool)
    for start in range(0, n - window + 1):
        sl = slice(start, start + window)
        if condition[sl].sum() >= needed:
            # Flag the points in the window that meet the condition (those are the signal).
            flags[sl] |= condition[sl]
    return flags


def special_causes(values, centre: float, sigma: float) -> pd.DataFrame:
    """One row per value with a boolean column per rule in ``RULES`` and ``any_rule``."""
    x = np.asarray(pd.to_numeric(pd.Series(values), errors="coerce"), dtype=float)
    if np.isnan(x).any():
        raise ValueError("special_causes: values contain missing or non-numeric entries")
    if sigma <= 0 or not np.isfinite(sigma):
        # No variation: nothing can be a special cause by these rules except leaving the (zero-width) band.
        sigma = np.finfo(float).tiny
    z = (x - centre) / sigma
    out = pd.DataFrame(index=range(len(x)))
    out["beyond_limits"] = np.abs(z) > 3
    out["two_of_three"] = _window_flags(z > 2, 3, 2) | _window_flags(z < -2, 3, 2)
    out["four_of_five"] = _window_flags(z > 1, 5, 4) | _window_flags(z < -1, 5, 4)
    out["run_of_8"] = _window_flags(z > 0, 8, 8) | _window_flags(z < 0, 8, 8)
    steps = np.diff(x)
    trend = np.zeros(len(x), dtype=bool)
    for start in range(0, len(x) - 5):
        seg = steps[start : start + 5]
        if (seg > 0).all() or (seg < 0).all():
            trend[start : start + 6] = True
    out["trend_of_6"] = trend
    out["any_rule"] = out[list(RULES)].any(axis=1)
    return out


def xmr_chart(frame: pd.DataFrame, value: str, label: str | None = None) -> tuple[pd.DataFrame, XmRLimits]:
    """XmR chart table for ``frame[value]`` in row order.

    Returns (table, limits): the table has ``label`` (if given), ``value``, ``moving_range``,
    ``centre``, ``lcl``, ``ucl`` and one boolean column per special-cause rule plus ``any_rule``;
    ``limits`` is :func:`xmr_limits`.
    """
    if value not in frame.columns:
        raise KeyError(f"xmr_chart: column {value!r} not in frame (has {list(frame.columns)})")
    limits = xmr_limits(frame[value])
    x = frame[value].astype("float64").to_numpy()
    table = pd.DataFrame({"value": x})
    if label is not None:
        table.insert(0, label, frame[label].to_numpy())
    table["moving_range"] = np.r_[np.nan, np.abs(np.diff(x))]
    table["centre"], table["lcl"], table["ucl"] = limits.centre, limits.lcl, limits.ucl
    rules = special_causes(x, limits.centre, limits.sigma)
    table = pd.concat([table, rules], axis=1)
    table["mr_beyond_limit"] = table["moving_range"] > limits.mr_ucl
    return table, limits


def p_chart(successes, n, centre: float | None = None, sigmas: float = 3.0) -> pd.DataFrame:
    """p-chart limits for proportions successes/n with varying n.

    centre = pooled proportion sum(successes) / sum(n) unless given; limits are
    centre +/- sigmas * sqrt(centre (1 - centre) / n_i), clipped to [0, 1].
    Returns a frame with ``successes``, ``n``, ``p``, ``centre``, ``lcl``, ``ucl``, ``beyond_limits``.
    """
    s = np.asarray(successes, dtype=float)
    m = np.asarray(n, dtype=float)
    if s.shape != m.shape:
        raise ValueError("p_chart: successes and n differ in length")
    if (m <= 0).any():
        raise ValueError("p_chart: every subgroup needs n > 0")
    if ((s < 0) | (s > m)).any():
        raise ValueError("p_chart: successes must lie between 0 and n")
    pbar = float(s.sum() / m.sum()) if centre is None else float(centre)
    half = sigmas * np.sqrt(pbar * (1 - pbar) / m)
    p = s / m
    out = pd.DataFrame(
        {
            "successes": s.astype(int),
            "n": m.astype(int),
            "p": p,
            "centre": pbar,
            "lcl": np.clip(pbar - half, 0, 1),
            "ucl": np.clip(pbar + half, 0, 1),
        }
    )
    out["beyond_limits"] = (out["p"] > out["ucl"]) | (out["p"] < out["lcl"])
    return out
