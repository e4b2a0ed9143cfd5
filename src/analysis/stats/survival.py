"""Time-to-event: Kaplan-Meier with Greenwood log intervals, median as R's survival computes it, log-rank.

`kaplan_meier` reproduces R's ``survfit(Surv(time, status) ~ 1)`` with its defaults
(conf.type = "log", Greenwood variance) and `km_median` reproduces ``quantile.survfit`` /
the median printed by ``print(survfit)``: the median is the first time the curve reaches 0.5,
the midpoint of a flat stretch lying exactly at 0.5, and its interval the same read off the
lower and upper confidence curves (the lower curve gives the lower limit).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.duration.survfunc import survdiff

_TOL = np.sqrt(np.finfo(float).eps)


@dataclass(frozen=True)
class KMMedian:
    """The median time of a Kaplan-Meier curve, in the curve's time unit (here days); NaN where not reached."""

    median: float
    ci_low: float  #: read off the lower confidence curve
    ci_high: float  #: read off the upper confidence curve


@dataclass(frozen=True)
class LogRank:
    """Log-rank test that the survival curves of all groups are equal."""

    chisq: float  #: the chi-square statistic
    df: int  #: groups - 1
    p_value: float
    groups: int


def _check(time, event) -> tuple[np.ndarray, np.ndarray]:
    t = np.asarray(time, dtype=float)
    e = np.asarray(event, dtype=bool)
    if t.shape != e.shape or t.ndim != 1:
        raise ValueError("time and event must be 1-D and of the same length")
    if t.size == 0:
        raise ValueError("no observations")
    if np.isnan(t).any():
        raise ValueError("missing times")
    if (t < 0).any():
        raise ValueError(f"negative times (event before start): {t[t < 0][:5].tolist()}")
    return t, e


def kaplan_meier(time, event, alpha: float = 0.05) -> pd.DataFrame:
    """Kaplan-Meier estimate at every distinct time (events and censorings).

    Columns: time, n_risk, n_event, n_censor, surv, std_err (Greenwood SE of log S, as R's
    survfit reports it), lower, upper (log-transformed interval, upper capped at 1).
    """
    t, e = _check(time, event)
    times = np.unique(t)
    n_risk = np.array([(t >= u).sum() for u in times])
    n_event = np.array([((t == u) & e).sum() for u in times])
    n_censor = np.array([((t == u) & ~e).sum() for u in times])
    surv = np.cumprod(1 - n_event / n_risk)
    with np.errstate(divide="ignore", invalid="ignore"):
        green = np.cumsum(np.where(n_event > 0, n_event / (n_risk * (n_risk - n_event)), 0.0))
    se = np.sqrt(green)
    z = stats.norm.ppf(1 - alpha / 2)
    with np.errstate(invalid="ignore", over="ignore"):
        lower = np.where(surv > 0, surv * np.exp(-z * se), np.nan)
        upper = np.where(surv > 0, np.minimum(1.0, surv * np.exp(z * se)), np.nan)
    return pd.DataFrame(
        {
            "time": times,
            "n_risk": n_risk,
            "n_event": n_event,
            "n_censor": n_censor,
            "surv": surv,
            "std_err": se,
            "lower": lower,
            "upper": upper,
        }
    )


def _findq(x: np.ndarray, y: np.ndarray, p: float, xmax: float) -> float:
    """R survival's findq: first x where the cumulative curve y = 1 - S reaches p (midpoint rule)."""
    if np.nanmax(y) < p:
        return float("nan")
    keep = ~pd.Series(y).duplicated().to_numpy()
    x, y = x[keep], y[keep]

    def first_reaching(yy):
        # approx(yy, 1:n, p, method="constant", f=1): index of the first node with yy >= p
        if np.isnan(yy).all() or p < np.nanmin(yy) or p > np.nanmax(yy):
            return None
        idx = np.flatnonzero(yy >= p)
        return int(idx[0]) if idx.size else None

    i1, i2 = first_reaching(y + _TOL), first_reaching(y - _TOL)
    if i1 is None:
        return float("nan")
    if not np.isnan(y[-1]) and abs(p - y[-1]) < _TOL:
        return float((x[i1] + xmax) / 2)
    if i2 is None:
        return float("nan")
    return float((x[i1] + x[i2]) / 2)


def km_median(km: pd.DataFrame, p: float = 0.5) -> KMMedian:
    """Median (quantile p of the time distribution) with its interval, as R's survival gives them.

    Returns a :class:`KMMedian` (NaN where the curve or its bound never reaches 0.5, which R
    prints as NA: e.g. fewer than half the items closed).
    """
    x = np.concatenate([[0.0], km["time"].to_numpy(dtype=float)])
    xmax = float(km["time"].iloc[-1])

    def q(curve):
        return _findq(x, np.concatenate([[0.0], 1 - km[curve].to_numpy(dtype=float)]), p, xmax)

    return KMMedian(median=q("surv"), ci_low=q("lower"), ci_high=q("upper"))


def at_risk(time, times_at) -> pd.DataFrame:
    """Number still at risk (time >= t) at each of ``times_at``, for the table under a KM plot."""
    t = np.asarray(time, dtype=float)
    return pd.DataFrame({"time": list(times_at), "n_risk": [int((t >= u).sum()) for u in times_at]})


def logrank(time, event, group) -> LogRank:
    """Log-rank test that the survival curves of all groups are equal (statsmodels survdiff)."""
    t, e = _check(time, event)
    g = np.asarray(group)
    levels = pd.unique(g)
    if len(levels) < 2:
        raise ValueError("the log-rank test needs at least two groups")
    chisq, p = survdiff(t, e.astype(int), g)
    return LogRank(chisq=float(chisq), df=len(levels) - 1, p_value=float(p), groups=len(levels))
