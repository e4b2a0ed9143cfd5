"""Reliability: Cohen's kappa between two coders, Cronbach's alpha of a scale (Feldt interval, and pairwise)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.stats.inter_rater import cohens_kappa


def agreement_table(first: pd.Series, second: pd.Series, categories=None) -> pd.DataFrame:
    """Square cross-table of two codings (rows: first coder, columns: second), pairs with a blank dropped."""
    both = pd.DataFrame({"first": first, "second": second}).dropna()
    if both.empty:
        raise ValueError("no item was coded by both coders")
    cats = sorted(set(both["first"]) | set(both["second"])) if categories is None else list(categories)
    unknown = (set(both["first"]) | set(both["second"])) - set(cats)
    if unknown:
        raise ValueError(f"codes outside the categories: {sorted(unknown)}")
    return pd.crosstab(
        pd.Categorical(both["first"], cats), pd.Categorical(both["second"], cats), dropna=False
    ).rename_axis(index="first_coder", columns="second_coder")


@dataclass(frozen=True)
class Kappa:
    """Cohen's kappa of an agreement table."""

    kappa: float  #: agreement beyond chance, -1..1 (1 = perfect, 0 = chance)
    se: float  #: asymptotic standard error under the alternative
    ci_low: float  #: Wald interval, clipped to [-1, 1]
    ci_high: float
    n: int  #: items coded by both coders
    observed_agreement: float  #: share of items coded alike, 0..1
    expected_agreement: float  #: share expected alike by chance from the margins, 0..1


@dataclass(frozen=True)
class CronbachAlpha:
    """Cronbach's alpha of a scale with Feldt's interval."""

    alpha: float  #: internal consistency, at most 1
    ci_low: float
    ci_high: float
    n: int  #: complete rows used (listwise)
    k: int  #: items in the scale


@dataclass(frozen=True)
class PairwiseAlpha:
    """Standardised alpha from the available-case (pairwise) correlations of the items."""

    alpha: float  #: k rbar / (1 + (k - 1) rbar)
    mean_r: float  #: rbar, the mean correlation over the item pairs
    min_pair_n: int  #: rows behind the least-answered pair of items
    max_pair_n: int  #: rows behind the most-answered pair
    any_item_n: int  #: rows with at least one item answered
    k: int


def kappa(table, alpha: float = 0.05) -> Kappa:
    """Cohen's kappa of a square agreement table with its asymptotic SE and Wald interval.

    The SE is the large-sample one under the alternative (Fleiss, Cohen & Everitt 1969), as
    statsmodels' cohens_kappa and SAS PROC FREQ report it; the interval is clipped to [-1, 1].
    Returns a :class:`Kappa`.
    """
    t = np.asarray(table, dtype=float)
    if t.ndim != 2 or t.shape[0] != t.shape[1] or t.shape[0] < 2:
        raise ValueError("kappa needs a square table with at least two categories")
    n = t.sum()
    if n == 0:
        raise ValueError("empty agreement table")
    res = cohens_kappa(t)
    z = stats.norm.ppf(1 - alpha / 2)
    k, se = float(res.kappa), float(res.std_kappa)
    po = np.trace(t) / n
    pe = float((t.sum(0) * t.sum(1)).sum() / n**2)
    # ASSUMPTION(kappa-ci-clipped): the Wald interval of kappa is clipped to [-1, 1] (as psych::cohen.kappa does); with few double-coded items it is only a rough guide.
    return Kappa(
        kappa=k,
        se=se,
        ci_low=max(-1.0, k - z * se),
        ci_high=min(1.0, k + z * se),
        n=int(n),
        observed_agreement=float(po),
        expected_agreement=pe,
    )


def cronbach_alpha(items: pd.DataFrame, alpha: float = 0.05) -> CronbachAlpha:
    """Cronbach's alpha of the columns of ``items`` on complete rows, with Feldt's (1965) interval.

    alpha = k/(k-1) (1 - sum of item variances / variance of the total), sample variances
    (ddof=1).  Feldt: (1 - alpha_hat) / (1 - alpha) ~ F(n-1, (n-1)(k-1)), giving
    [1 - (1 - a) F_{1-g/2}, 1 - (1 - a) F_{g/2}] (as psych::alpha.ci).  Rows with any missing
    item are dropped (listwise); returns a :class:`CronbachAlpha`.
    """
    # ASSUMPTION(alpha-unweighted-complete): alpha uses the unweighted answers of respondents who gave 1-5 on every item (listwise); it describes those respondents' answer consistency, not the population's.
    x = items.astype(float).dropna()
    n, k = x.shape
    if k < 2:
        raise ValueError("alpha needs at least two items")
    if n < 3:
        raise ValueError("alpha needs at least three complete rows")
    total_var = x.sum(axis=1).var(ddof=1)
    if total_var == 0:
        raise ValueError("the total score has no variance; alpha is undefined")
    a = k / (k - 1) * (1 - x.var(ddof=1).sum() / total_var)
    df1, df2 = n - 1, (n - 1) * (k - 1)
    low = 1 - (1 - a) * stats.f.ppf(1 - alpha / 2, df1, df2)
    high = 1 - (1 - a) * stats.f.ppf(alpha / 2, df1, df2)
    return CronbachAlpha(alpha=float(a), ci_low=float(low), ci_high=float(high), n=int(n), k=int(k))


def pairwise_standardised_alpha(items: pd.DataFrame) -> PairwiseAlpha:
    """Standardised alpha of the columns of ``items`` from pairwise-complete correlations (available cases).

    R = the items' correlations, each over the rows answering both items of the pair (R's
    ``cor(use = "pairwise.complete.obs")``, psych::alpha's default); alpha = k/(k-1) (1 - k / sum R)
    = k rbar / (1 + (k-1) rbar). Every answered pair counts, so no respondent is dropped for one
    missing item; no interval, because no single n stands behind a pairwise matrix (the pair counts
    are returned instead).
    """
    x = items.astype(float)
    k = x.shape[1]
    if k < 2:
        raise ValueError("alpha needs at least two items")
    r = x.corr(method="pearson", min_periods=3).to_numpy()
    if np.isnan(r).any():
        raise ValueError("a pair of items has fewer than three rows answering both, or no variance")
    answered = x.notna().to_numpy().astype(int)
    pairs = (answered.T @ answered)[np.triu_indices(k, 1)]
    mean_r = float(r[np.triu_indices(k, 1)].mean())
    return PairwiseAlpha(
        alpha=float(k / (k - 1) * (1 - k / r.sum())),
        mean_r=mean_r,
        min_pair_n=int(pairs.min()),
        max_pair_n=int(pairs.max()),
        any_item_n=int(answered.any(axis=1).sum()),
        k=int(k),
    )
