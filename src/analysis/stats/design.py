"""Design-based estimation for a one-stage cluster sample with weights: means, proportions, a Wald test.

The design is R ``survey``'s ``svydesign(ids = ~cluster, weights = ~w)``: primary sampling units
drawn with replacement, no strata, no finite-population correction, weights taken as fixed.
Standard errors come from Taylor linearisation of the ratio estimator sum(w y) / sum(w).  A
domain keeps every cluster of the design, clusters without a valid row in the domain
contributing zero (as R's ``subset`` does).  Intervals use Student's t with (clusters holding
the domain) - 1 degrees of freedom, as ``confint(svymean(...), df = degf(design))`` and
``svyciprop(method = "logit")`` do.

Nothing here knows what the rows are (respondents, batches): the subject modules choose ``y``,
the weights and the cluster.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats


@dataclass(frozen=True)
class DesignEstimate:
    """A weighted mean (or proportion) over the valid rows of a domain, with its design-based interval."""

    estimate: float  #: in the units of y (a proportion 0..1 for 0/1 data)
    se: float  #: Taylor-linearised standard error, clusters as PSUs
    ci_low: float
    ci_high: float
    n: int  #: valid rows in the domain
    n_clusters: int  #: clusters in the whole design
    df: int  #: clusters holding a valid row of the domain, minus 1
    deff: float  #: design variance over simple random sampling's of the same size (NaN when undefined)


@dataclass(frozen=True)
class WaldTest:
    """Design-based Wald test that a 0/1 outcome has the same share in every group."""

    f_statistic: float  #: W / (k - 1)
    df1: int  #: groups - 1
    df2: int  #: clusters holding a used row, minus the number of groups
    p_value: float  #: from F(df1, df2); NaN when df2 <= 0
    levels: list  #: the groups compared, sorted as text


def cluster_codes(cluster) -> tuple[np.ndarray, int]:
    """Integer code of each row's cluster, and the number of clusters.

    Codes already computed (an integer array) pass through: estimating hundreds of domains
    re-factorised the cluster labels of every row for each one."""
    if isinstance(cluster, np.ndarray) and cluster.dtype.kind in "iu":
        return cluster, int(cluster.max()) + 1 if cluster.size else 0
    codes, uniques = pd.factorize(pd.Series(cluster).astype(str))
    return codes, len(uniques)


def design_mean(y, weights, cluster, domain=None, alpha: float = 0.05, logit: bool = False) -> DesignEstimate:
    """Weighted mean (or proportion) of ``y`` over the valid rows of a domain, with its Taylor SE.

    ``y`` NaN marks rows excluded from this estimate; ``domain`` (boolean) restricts further.
    ``deff`` is the variance over p(1-p)/n for 0/1 data, over s^2/n otherwise.  ``logit``:
    interval on the logit scale (R's svyciprop default); otherwise symmetric, both with t(df).
    """
    y = np.asarray(y, dtype=float)
    w = np.asarray(weights, dtype=float)
    codes, n_clusters = cluster_codes(cluster)
    valid = ~np.isnan(y)
    if domain is not None:
        valid &= np.asarray(domain, dtype=bool)
    n = int(valid.sum())
    nan = float("nan")
    if n == 0 or w[valid].sum() <= 0:
        return DesignEstimate(nan, nan, nan, nan, n=n, n_clusters=n_clusters, df=0, deff=nan)
    wv = np.where(valid, w, 0.0)
    total = wv.sum()
    est = float(np.sum(wv * np.where(valid, y, 0.0)) / total)
    z = np.where(valid, wv * (np.where(valid, y, 0.0) - est) / total, 0.0)
    zc = np.bincount(codes, weights=z, minlength=n_clusters)
    var = n_clusters / (n_clusters - 1) * np.sum((zc - zc.mean()) ** 2) if n_clusters > 1 else nan
    se = float(np.sqrt(var))
    df = int(np.count_nonzero(np.bincount(codes[valid], minlength=n_clusters)) - 1)
    q = stats.t.ppf(1 - alpha / 2, df) if df > 0 else nan
    if logit:
        if 0 < est < 1:
            eta, se_eta = np.log(est / (1 - est)), se / (est * (1 - est))
            low, high = (1 / (1 + np.exp(-(eta - q * se_eta))), 1 / (1 + np.exp(-(eta + q * se_eta))))
        else:
            low, high = nan, nan
    else:
        low, high = est - q * se, est + q * se
    yv = y[valid]
    srs_var = np.var(yv, ddof=1) / n if n > 1 else nan
    return DesignEstimate(
        estimate=est,
        se=se,
        ci_low=float(low),
        ci_high=float(high),
        n=n,
        n_clusters=n_clusters,
        df=df,
        deff=float(var / srs_var) if srs_var and srs_var > 0 else nan,
    )


def share_wald_test(
    y, group, weights, cluster, domain=None, *, name: str = "group", outcome: str = "share"
) -> WaldTest:
    """Design-based Wald test that the share of the 0/1 outcome ``y`` is the same in every group.

    Fits the saturated logistic model y ~ group by weighted maximum likelihood (its fitted values
    are the groups' weighted shares), estimates the covariance of the coefficients with the
    cluster sandwich (Taylor linearisation) and tests all group contrasts at once:
    F = W / (k - 1) on (k - 1, clusters - k) degrees of freedom, as R's
    ``regTermTest(svyglm(y ~ group, design, family = quasibinomial), ~group)`` does.  Rows with y
    NaN or a blank group are left out; ``name`` (the grouping) and ``outcome`` (what the share is
    of) word the error messages.
    """
    y = np.asarray(y, dtype=float)
    g = pd.Series(group).reset_index(drop=True).astype(object)
    g = g.where(g.notna(), None)
    use = ~np.isnan(y) & g.notna().to_numpy()
    if domain is not None:
        use &= np.asarray(domain, dtype=bool)
    levels = sorted(pd.unique(g[use]), key=str)
    k = len(levels)
    if k < 2:
        raise ValueError(f"need at least two groups of {name!r} to compare")
    w = np.asarray(weights, dtype=float)
    codes, n_c = cluster_codes(cluster)
    # Level of each used row (-1 elsewhere). The design matrix (intercept + one dummy per level but
    # the first) is never built: a province has hundreds of levels and n x k floats ran to gigabytes.
    lvl = np.full(len(y), -1)
    lvl[use] = pd.Categorical(g[use], categories=levels).codes
    wy = np.bincount(lvl[use], weights=(w * y)[use], minlength=k)
    wsum = np.bincount(lvl[use], weights=w[use], minlength=k)
    shares = wy / wsum  # saturated model: each row's fitted value is its group's weighted share
    if any(p <= 0 or p >= 1 for p in shares):
        raise ValueError(f"a group of {name!r} has a {outcome} of 0 or 1: the logistic contrast is infinite")
    logit = np.log(shares / (1 - shares))
    beta = np.concatenate([[logit[0]], logit[1:] - logit[0]])
    mu = np.where(use, shares[np.maximum(lvl, 0)], 0.0)
    wu = np.where(use, w, 0.0)
    resid = np.where(use, y - mu, 0.0)
    # X'WX for the dummy design: v_j = sum of w mu (1 - mu) in level j.
    v_level = np.bincount(lvl[use], weights=(wu * mu * (1 - mu))[use], minlength=k)
    xwx = np.diag(np.concatenate([[v_level.sum()], v_level[1:]]))
    xwx[0, 1:] = xwx[1:, 0] = v_level[1:]
    bread = np.linalg.inv(xwx)
    # Cluster totals of the score contributions x_i w_i r_i: by cluster and level, then into columns.
    by_level = np.zeros((n_c, k))
    np.add.at(by_level, (codes[use], lvl[use]), (wu * resid)[use])
    totals = np.column_stack([by_level.sum(axis=1), by_level[:, 1:]])
    centred = totals - totals.mean(axis=0)
    meat = n_c / (n_c - 1) * centred.T @ centred
    cov = bread @ meat @ bread
    b, v = beta[1:], cov[1:, 1:]
    wald = float(b @ np.linalg.solve(v, b))
    df1 = k - 1
    df2 = len(np.unique(codes[use])) - k
    f = wald / df1
    return WaldTest(
        f_statistic=f,
        df1=df1,
        df2=df2,
        p_value=float(stats.f.sf(f, df1, df2)) if df2 > 0 else float("nan"),
        levels=levels,
    )
