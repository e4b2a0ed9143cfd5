"""Design-based estimation as R's ``survey`` package (Lumley, 4.1) does it, with the design stated once.

The design (:class:`SurveyDesign`) is data: ``data/reference/survey_design.csv`` names the cluster
(primary sampling unit, drawn with replacement, no finite-population correction), the strata, the
weights (raking to population margins, trimmed) and whether the raking is credited in the variance.
:class:`Design` is that design built once over the rows of a sample (R's design object); every
estimator is a method of it, so every survey estimate uses the same design.

The variance of a statistic linearised as per-row values ``e`` (zero outside its domain and for
answers it leaves out) is R's ``svyrecvar``:

1. raking credited: ``r = e - X b``, the residual of ``e`` on the calibration model matrix ``X``
   (the cells of every raking margin), ``b`` its least-squares coefficient (unweighted, because the
   starting weights are equal): ``qr.resid`` in R's ``calibrate()`` design; otherwise ``r = e``;
2. ``z = w r`` with the final weights, and cluster totals ``t_c``;
3. ``V = sum_h n_h / (n_h - 1) sum_{c in h} (t_c - mean_h t)^2`` over the strata, ``n_h`` the
   clusters of stratum ``h`` in the whole design (a domain keeps every cluster, as R's subset does).

Degrees of freedom are R's ``degf`` of the domain: clusters holding a row of the domain minus the
strata holding one. The design effect is ``svymean(deff = TRUE)``: V over the variance of the same
estimate under simple random sampling from a population of the weights' total,
``(1 - n/N) S_w^2 / n`` with ``S_w^2`` the weighted variance with divisor n - 1 (``deff_replace``
drops the ``1 - n/N``, as ``deff = "replace"``). Kish's design effect of the weights (1 + CV^2,
:func:`analysis.stats.weighting.kish_deff`) is a different quantity.

Nothing here knows what the rows are (respondents, forms): the subject modules choose ``y``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import sparse, stats
from statsmodels.stats.multitest import multipletests

from analysis.core import paths, reference
from analysis.core.errors import AnalysisError

NAN = float("nan")


# --- the design as data ----------------------------------------------------------------------------


@dataclass(frozen=True)
class SurveyDesign:
    """The survey design, as stated in ``data/reference/survey_design.csv``."""

    cluster: str  #: column naming each row's primary sampling unit
    strata: str | None  #: column naming each cluster's stratum; None: one stratum
    margins: tuple[tuple[str, ...], ...]  #: raking margins (each a tuple of columns)
    trim: tuple[float, float] | None  #: weights kept within these multiples of the mean weight
    raking_credited: bool  #: the variance allows for the raking (calibration residuals)

    @classmethod
    def stated(cls, path: Path = paths.SURVEY_DESIGN) -> SurveyDesign:
        """The design stated in the reference file; a setting that cannot be read raises naming the file."""
        s = reference.survey_design(path)
        if s["weights"] != "raking":
            raise AnalysisError(
                f"{path}: weights must be 'raking' (the only weighting implemented), got {s['weights']!r}"
            )
        # ASSUMPTION(raking-two-way-margins): weights match the population on the three two-way margins of district x age band x sex (data/reference/survey_design.csv), not on the full 48-cell cross; a three-way interaction in who answered is not corrected.
        margins = tuple(tuple(c.strip() for c in m.split(":")) for m in s["margins"].split(";") if m.strip())
        if not margins or any(not all(m) for m in margins):
            raise AnalysisError(f"{path}: margins must read 'a:b;c:d;...', got {s['margins']!r}")
        # ASSUMPTION(trim-bounds): weights are trimmed to 0.2-5 times the mean weight (data/reference/survey_design.csv; a common rule of thumb); trimming trades a little bias on the margins' correlates for lower variance.
        trim = None
        if s["trim"]:
            lo, sep, hi = s["trim"].partition("..")
            try:
                trim = (float(lo), float(hi))
            except ValueError:
                trim = None
            if not sep or trim is None or not 0 <= trim[0] < 1 < trim[1]:
                raise AnalysisError(
                    f"{path}: trim must read 'lower..upper' with 0 <= lower < 1 < upper, got {s['trim']!r}"
                )
        if s["raking_credited"] not in ("yes", "no"):
            raise AnalysisError(f"{path}: raking_credited must be yes or no, got {s['raking_credited']!r}")
        if not s["cluster"]:
            raise AnalysisError(f"{path}: the design needs a cluster column")
        # ASSUMPTION(design-batches-strata-raked): distribution batches are primary sampling units drawn with replacement within district strata (no finite-population correction), and the raking is credited in the variance, as R's svydesign(ids = ~batch_id, strata = ~district) then calibrate(calfun = "raking"); data/reference/survey_design.csv states it.
        return cls(
            cluster=s["cluster"],
            strata=s["strata"] or None,
            margins=margins,
            trim=trim,
            raking_credited=s["raking_credited"] == "yes",
        )

    def earlier(self) -> SurveyDesign:
        """The project's first design, kept as a sensitivity line: no strata, raking not credited (weights fixed)."""
        return replace(self, strata=None, raking_credited=False)

    @property
    def calibration_columns(self) -> list[str]:
        return sorted({c for m in self.margins for c in m})


# --- results ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DesignEstimate:
    """A weighted mean (or proportion) over the valid rows of a domain, with its design-based interval."""

    estimate: float  #: in the units of y (a proportion 0..1 for 0/1 data)
    se: float  #: Taylor-linearised standard error on the design
    ci_low: float
    ci_high: float
    n: int  #: valid rows in the domain (the estimate's sample size)
    n_domain: int  #: rows of the domain, whatever they answered
    n_clusters: int  #: clusters in the whole design
    df: int  #: R's degf of the domain: clusters holding a row of it minus the strata holding one
    deff: float  #: R's svymean(deff = TRUE); NaN when undefined
    deff_replace: float  #: R's svymean(deff = "replace"): without the (1 - n/N) factor


@dataclass(frozen=True)
class WaldTest:
    """Design-based Wald test that a 0/1 outcome has the same share in every group."""

    f_statistic: float  #: W / (k - 1)
    df1: int  #: groups - 1
    df2: int  #: degf of the rows used + 1 - groups (R's svyglm df.residual)
    p_value: float  #: from F(df1, df2); NaN when df2 <= 0
    levels: list  #: the groups compared, sorted as text


@dataclass(frozen=True)
class RaoScottTest:
    """Pearson's X^2 of a two-way table with the Rao-Scott second-order correction (R's svychisq, statistic "F")."""

    f_statistic: float  #: X^2 / tr(Delta)
    ndf: float  #: d0 = tr(Delta)^2 / tr(Delta^2)
    ddf: float  #: d0 times the design's degrees of freedom
    p_value: float
    pearson_chi2: float  #: Pearson's X^2 of the table scaled to the row count (the rows taken as independent)
    pearson_df: int
    pearson_p: float
    first_order_p: float  #: statistic "Chisq": X^2 / mean eigenvalue on (r-1)(c-1) df
    design_df: int  #: clusters minus strata of the rows tested


@dataclass(frozen=True)
class Contrast:
    """A linearised contrast (e.g. a district's share minus the county's) and its variance over strata."""

    estimate: float
    se: float
    df_satterthwaite: float  #: (sum_h v_h)^2 / sum_h v_h^2 / (n_h - 1)


def logit_interval(p: float, se: float, df: float, alpha: float = 0.05) -> tuple[float, float]:
    """R's svyciprop(method = "logit") in closed form: expit(logit p -/+ t(df) se / (p (1 - p)))."""
    if not (0 < p < 1) or not df > 0 or math.isnan(se):
        return NAN, NAN
    eta, half = math.log(p / (1 - p)), stats.t.ppf(1 - alpha / 2, df) * se / (p * (1 - p))
    return 1 / (1 + math.exp(-(eta - half))), 1 / (1 + math.exp(-(eta + half)))


def t_interval(estimate: float, se: float, df: float, alpha: float = 0.05) -> tuple[float, float]:
    """estimate -/+ t(1 - alpha/2, df) se (R's confint(..., df = degf)); NaN without degrees of freedom."""
    if not df > 0:
        return NAN, NAN
    q = stats.t.ppf(1 - alpha / 2, df)
    return estimate - q * se, estimate + q * se


def holm(p_values) -> np.ndarray:
    """Holm-adjusted p-values (statsmodels multipletests), NaN kept as NaN."""
    p = np.asarray(p_values, dtype=float)
    out = np.full(p.shape, NAN)
    ok = ~np.isnan(p)
    if ok.any():
        out[ok] = multipletests(p[ok], method="holm")[1]
    return out


# --- the design built over a sample ----------------------------------------------------------------


def _factorize(values) -> tuple[np.ndarray, list]:
    codes, uniques = pd.factorize(pd.Series(values).astype(str).to_numpy(), sort=True)
    return codes.astype(np.int64), list(uniques)


def calibration_matrix(frame: pd.DataFrame, margins) -> sparse.csr_matrix:
    """Indicator columns of every cell of every margin (rows x cells): the raking's model matrix.

    Sparse, one 1 per row and margin: dense, a province's respondents by its district cells would
    take gigabytes (646,400 x 3,608 at the benchmark's x100: 18.7 GB).
    """
    blocks = []
    for cols in margins:
        missing = [c for c in cols if c not in frame.columns]
        if missing:
            raise KeyError(f"sample lacks the margin columns {missing}")
        if frame[list(cols)].isna().any().any():
            raise ValueError(f"sample has missing values in {list(cols)}: rows without them cannot be weighted")
        key = frame[cols[0]].astype(str)
        for c in cols[1:]:
            key = key + "\x1f" + frame[c].astype(str)
        codes, levels = _factorize(key)
        n = len(frame)
        blocks.append(sparse.csr_matrix((np.ones(n), (np.arange(n), codes)), shape=(n, len(levels))))
    return sparse.hstack(blocks, format="csr") if blocks else sparse.csr_matrix((len(frame), 0))


class ColumnSpace:
    """Least squares on the column space of ``x`` (rows x cells, sparse or dense), through the cells' Gram matrix.

    The eigenvectors V of x'x (cells x cells, small) with the eigenvalues above rounding give
    M = V diag(1/lambda) V', the pseudo-inverse of x'x: the projection x M x'e and the minimum-norm
    coefficients M x'b, as the SVD of x gives them, for a fraction of its cost on many rows and with no
    rows x cells matrix but ``x`` itself (indicator columns are well conditioned; a rank deficiency
    such as margins sharing the total drops out).
    """

    def __init__(self, x):
        self.x = sparse.csr_matrix(x, dtype=float)
        gram = (self.x.T @ self.x).toarray()
        values, vectors = np.linalg.eigh(gram)
        keep = values > values.max() * self.x.shape[1] * 1e-10 if values.size else values > 0
        v = vectors[:, keep]
        self.m = (v / values[keep]) @ v.T
        self.rank = int(keep.sum())

    def coefficients(self, b: np.ndarray) -> np.ndarray:
        """The minimum-norm least-squares coefficients of ``b`` (rows, or rows x k) on the columns."""
        return self.m @ (self.x.T @ b)

    def project(self, e: np.ndarray) -> np.ndarray:
        """The projection of ``e`` (rows, or rows x k) on the column space."""
        return self.x @ self.coefficients(e)


class Design:
    """Clusters within strata, final weights and (raking credited) the calibration model matrix, over n rows.

    ``calibration``: the raking's model matrix (rows x cells), or None when the raking is not
    credited; only its column space matters, so any basis of the same cells will do.
    A stratum with a single cluster is refused, as R's ``options(survey.lonely.psu = "fail")``.
    """

    def __init__(self, weights, cluster, strata=None, calibration: np.ndarray | None = None):
        self.w = np.asarray(weights, dtype=float)
        n = self.w.size
        if np.isnan(self.w).any() or (self.w < 0).any():
            raise ValueError("weights must be given for every row and non-negative")
        self.cluster, self.cluster_names = _factorize(cluster)
        if self.cluster.size != n:
            raise ValueError("weights and clusters differ in length")
        self.n_clusters = len(self.cluster_names)
        strata_codes, self.strata_names = _factorize(np.zeros(n, dtype=int) if strata is None else strata)
        # Each cluster must lie in one stratum (a batch in one district).
        first = np.full(self.n_clusters, -1)
        first[self.cluster[::-1]] = strata_codes[::-1]
        if (first[self.cluster] != strata_codes).any():
            bad = sorted({self.cluster_names[c] for c in self.cluster[first[self.cluster] != strata_codes]})
            raise ValueError(f"clusters in more than one stratum: {bad[:5]}")
        self.cluster_stratum = first
        self.n_strata = len(self.strata_names)
        self.clusters_per_stratum = np.bincount(first, minlength=self.n_strata)
        lonely = [self.strata_names[h] for h in np.flatnonzero(self.clusters_per_stratum < 2)]
        if lonely and n:
            raise AnalysisError(
                f"stratum {', '.join(map(str, lonely))} holds a single cluster: its variance cannot be estimated "
                "(R: survey.lonely.psu = 'fail'); merge it with another stratum"
            )
        self.space = None
        if calibration is not None:
            if calibration.shape[0] != n:
                raise ValueError("the calibration matrix has another number of rows than the weights")
            if calibration.shape[1]:
                self.space = ColumnSpace(calibration)
                # The clusters' weighted sums of the calibration cells (clusters x cells, sparse).
                self.cluster_cells = (
                    sparse.csr_matrix((self.w, (self.cluster, np.arange(n))), shape=(self.n_clusters, n)) @ self.space.x
                )

    @classmethod
    def of(cls, frame: pd.DataFrame, spec: SurveyDesign, weight: str = "weight") -> Design:
        """The stated design over the rows of ``frame`` (weights in column ``weight``)."""
        strata = frame[spec.strata] if spec.strata else None
        calibration = calibration_matrix(frame, spec.margins) if spec.raking_credited else None
        return cls(frame[weight], frame[spec.cluster], strata, calibration)

    @property
    def n(self) -> int:
        return self.w.size

    @property
    def df(self) -> int:
        """Degrees of freedom of the whole design: clusters minus strata."""
        return self.n_clusters - self.n_strata

    def degf(self, rows=None) -> int:
        """R's degf of the rows (a domain): clusters holding one of them minus the strata holding one."""
        keep = self.w > 0 if rows is None else np.asarray(rows, dtype=bool) & (self.w > 0)
        clusters = np.unique(self.cluster[keep])
        return int(clusters.size - np.unique(self.cluster_stratum[clusters]).size)

    def _residual(self, e: np.ndarray) -> np.ndarray:
        if self.space is None:
            return e
        return e - self.space.project(e)

    def _centred_totals(self, e: np.ndarray) -> np.ndarray:
        """Cluster totals of w * residual(e), centred within their stratum and scaled by sqrt(n_h / (n_h - 1))."""
        z = self.w[:, None] * self._residual(e.reshape(self.n, -1))
        totals = np.zeros((self.n_clusters, z.shape[1]))
        np.add.at(totals, self.cluster, z)
        means = np.zeros((self.n_strata, z.shape[1]))
        np.add.at(means, self.cluster_stratum, totals)
        means /= self.clusters_per_stratum[:, None]
        n_h = self.clusters_per_stratum[self.cluster_stratum].astype(float)
        return (totals - means[self.cluster_stratum]) * np.sqrt(n_h / (n_h - 1))[:, None]

    def _level_totals(self, e: np.ndarray, codes: np.ndarray, k: int) -> np.ndarray:
        """Cluster totals of w * residual(e 1[level j]) for every level j at once (clusters x k), centred and scaled.

        ``e`` holds each row's value in its own level (``codes``, -1: none): the n x k matrix of the
        levels' linearised values is never built. Sums by cluster and level, and (raking credited) the
        calibration correction W_C x M x'E: the clusters' weighted cell sums times the coefficients of
        each level's values on the cells (cells x k).
        """
        has = codes >= 0
        cells = self.cluster[has] * k + codes[has]
        totals = np.bincount(cells, weights=(self.w * e)[has], minlength=self.n_clusters * k).reshape(-1, k)
        if self.space is not None:
            # x'E (cells x k), E the rows' values each in its level's column, then W_C x M x'E.
            level_values = sparse.csr_matrix((e[has], (np.flatnonzero(has), codes[has])), shape=(self.n, k))
            g = self.space.m @ (self.space.x.T @ level_values).toarray()
            totals = totals - self.cluster_cells @ g
        means = np.zeros((self.n_strata, k))
        np.add.at(means, self.cluster_stratum, totals)
        means /= self.clusters_per_stratum[:, None]
        n_h = self.clusters_per_stratum[self.cluster_stratum].astype(float)
        return (totals - means[self.cluster_stratum]) * np.sqrt(n_h / (n_h - 1))[:, None]

    def degf_by(self, codes: np.ndarray, k: int) -> np.ndarray:
        """R's degf of every level's rows at once: clusters holding one minus strata holding one."""
        keep = (codes >= 0) & (self.w > 0)
        pairs = np.unique(codes[keep] * self.n_clusters + self.cluster[keep])
        level, cluster = pairs // self.n_clusters, pairs % self.n_clusters
        strata = np.unique(level * self.n_strata + self.cluster_stratum[cluster]) // self.n_strata
        return np.bincount(level, minlength=k) - np.bincount(strata, minlength=k)

    def means_by(self, y, codes, k: int, *, logit: bool = False, alpha: float = 0.05) -> list[DesignEstimate]:
        """Every level's domain mean of ``y`` in one pass, each as :meth:`mean` on that level's rows would give it.

        ``codes``: each row's level, 0..k-1 (-1: in no level). Sums by level and by cluster and level;
        no matrix of rows by levels.
        """
        y = np.asarray(y, dtype=float)
        codes = np.asarray(codes, dtype=np.int64)
        if y.size != self.n or codes.size != self.n:
            raise ValueError(f"y and codes must have the design's {self.n} rows")
        rows = (codes >= 0) & (self.w > 0)
        use = rows & ~np.isnan(y)
        lv = codes[use]
        n = np.bincount(lv, minlength=k)
        n_domain = np.bincount(codes[rows], minlength=k)
        total = np.bincount(lv, weights=self.w[use], minlength=k)
        with np.errstate(invalid="ignore", divide="ignore"):
            est = np.bincount(lv, weights=(self.w * y)[use], minlength=k) / total
        e = np.zeros(self.n)
        e[use] = (y[use] - est[lv]) / total[lv]
        var = (self._level_totals(e, np.where(use, codes, -1), k) ** 2).sum(axis=0)
        dfs = self.degf_by(codes, k)
        ss = np.bincount(
            lv, weights=(self.w * (np.where(use, y, 0.0) - est[np.maximum(codes, 0)]) ** 2)[use], minlength=k
        )
        out = []
        for j in range(k):
            nj, tj, df = int(n[j]), float(total[j]), int(dfs[j])
            if nj == 0 or tj <= 0:
                out.append(DesignEstimate(NAN, NAN, NAN, NAN, nj, int(n_domain[j]), self.n_clusters, df, NAN, NAN))
                continue
            p, se = float(est[j]), math.sqrt(var[j])
            low, high = logit_interval(p, se, df, alpha) if logit else t_interval(p, se, df, alpha)
            deff = deff_replace = NAN
            if nj > 1:
                s2 = nj / (nj - 1) * float(ss[j]) / tj
                if s2 > 0:
                    deff_replace = var[j] / (s2 / nj)
                    if tj > nj:
                        deff = var[j] / (s2 * (tj - nj) / (tj * nj))
            out.append(
                DesignEstimate(
                    p, se, float(low), float(high), nj, int(n_domain[j]), self.n_clusters, df, deff, deff_replace
                )
            )
        return out

    def variance(self, e) -> float | np.ndarray:
        """Design variance of the linearised values ``e`` (n, or n x k: then the k x k covariance)."""
        e = np.asarray(e, dtype=float)
        c = self._centred_totals(e)
        v = c.T @ c
        return float(v[0, 0]) if e.ndim == 1 else v

    def stratum_variances(self, e) -> np.ndarray:
        """The variance of ``e`` split into its strata's terms v_h (they sum to :meth:`variance`)."""
        c = self._centred_totals(np.asarray(e, dtype=float))[:, 0]
        return np.bincount(self.cluster_stratum, weights=c**2, minlength=self.n_strata)

    def contrast(self, estimate: float, e) -> Contrast:
        """A statistic linearised as ``e`` with its SE and Satterthwaite degrees of freedom over the strata."""
        v = self.stratum_variances(e)
        keep = self.clusters_per_stratum > 1
        denom = np.sum(v[keep] ** 2 / (self.clusters_per_stratum[keep] - 1))
        return Contrast(estimate, float(np.sqrt(v.sum())), float(v.sum() ** 2 / denom) if denom > 0 else NAN)

    def mean(self, y, domain=None, *, logit: bool = False, alpha: float = 0.05) -> DesignEstimate:
        """Weighted mean (or proportion) of ``y`` over the valid rows of a domain, as R's svymean on a subset.

        ``y`` NaN marks rows this estimate leaves out (don't know, blank); ``domain`` (boolean) is the
        domain's rows, whatever they answered: it sets the degrees of freedom (R's degf of the subset).
        ``logit``: the interval of R's svyciprop(method = "logit"), in closed form; otherwise
        symmetric, ``confint(svymean, df = degf)``. Both on t with the domain's df.
        """
        y = np.asarray(y, dtype=float)
        if y.size != self.n:
            raise ValueError(f"y has {y.size} rows, the design {self.n}")
        rows = self.w > 0 if domain is None else np.asarray(domain, dtype=bool) & (self.w > 0)
        use = rows & ~np.isnan(y)
        n, n_domain, df = int(use.sum()), int(rows.sum()), self.degf(rows)
        total = float(self.w[use].sum())
        if n == 0 or total <= 0:
            return DesignEstimate(NAN, NAN, NAN, NAN, n, n_domain, self.n_clusters, df, NAN, NAN)
        yv = np.where(use, y, 0.0)
        est = float(np.sum(self.w * yv) / total)
        e = np.where(use, (yv - est) / total, 0.0)
        var = self.variance(e)
        se = math.sqrt(var)
        low, high = logit_interval(est, se, df, alpha) if logit else t_interval(est, se, df, alpha)
        deff = deff_replace = NAN
        if n > 1:
            s2 = n / (n - 1) * float(np.sum(self.w[use] * (y[use] - est) ** 2)) / total
            if s2 > 0:
                deff_replace = var / (s2 / n)
                if total > n:
                    deff = var / (s2 * (total - n) / (total * n))
        return DesignEstimate(est, se, float(low), float(high), n, n_domain, self.n_clusters, df, deff, deff_replace)

    def share_wald_test(self, y, group, domain=None, *, name: str = "group", outcome: str = "share") -> WaldTest:
        """Design-based Wald test that the share of the 0/1 outcome ``y`` is the same in every group.

        As R's ``regTermTest(svyglm(y ~ group, design, family = quasibinomial), ~group)``: the
        saturated logistic model (its fitted values are the groups' weighted shares), the sandwich
        covariance of its coefficients on this design (the score columns go through the same
        calibration residual and stratified cluster variance as every estimate), and
        F = W / (k - 1) on (k - 1, degf + 1 - k) degrees of freedom, degf that of the rows used.
        Rows with y NaN or a blank group are left out; ``name`` and ``outcome`` word the errors.
        """
        y = np.asarray(y, dtype=float)
        g = pd.Series(group).reset_index(drop=True).astype(object)
        g = g.where(g.notna(), None)
        use = ~np.isnan(y) & g.notna().to_numpy() & (self.w > 0)
        if domain is not None:
            use &= np.asarray(domain, dtype=bool)
        levels = sorted(pd.unique(g[use]), key=str)
        k = len(levels)
        if k < 2:
            raise ValueError(f"need at least two groups of {name!r} to compare")
        # Level of each used row (-1 elsewhere). The n x k design matrix is never built: a province has
        # hundreds of levels.
        lvl = np.full(len(y), -1)
        lvl[use] = pd.Categorical(g[use], categories=levels).codes
        w = self.w
        wy = np.bincount(lvl[use], weights=(w * y)[use], minlength=k)
        wsum = np.bincount(lvl[use], weights=w[use], minlength=k)
        shares = wy / wsum
        if any(p <= 0 or p >= 1 for p in shares):
            raise ValueError(f"a group of {name!r} has a {outcome} of 0 or 1: the logistic contrast is infinite")
        logit = np.log(shares / (1 - shares))
        beta = np.concatenate([[logit[0]], logit[1:] - logit[0]])
        mu = np.where(use, shares[np.maximum(lvl, 0)], 0.0)
        resid = np.where(use, y - mu, 0.0)
        # X'WX of the dummy design: v_j = sum of w mu (1 - mu) in level j.
        v_level = np.bincount(lvl[use], weights=(w * mu * (1 - mu))[use], minlength=k)
        xwx = np.diag(np.concatenate([[v_level.sum()], v_level[1:]]))
        xwx[0, 1:] = xwx[1:, 0] = v_level[1:]
        bread = np.linalg.inv(xwx)
        # Unweighted score values x_i (y_i - mu_i) per coefficient, which the design weights: the intercept's
        # column holds every used row, level j's column its own rows. Their centred cluster totals are
        # taken column by column without the n x k score matrix (at x100: 646,400 x 600).
        totals = self._level_totals(resid, np.where(use & (lvl > 0), lvl, -1), k)
        totals[:, 0] = self._centred_totals(resid)[:, 0]
        cov = bread @ (totals.T @ totals) @ bread
        b, v = beta[1:], cov[1:, 1:]
        wald = float(b @ np.linalg.solve(v, b))
        df1, df2 = k - 1, self.degf(use) + 1 - k
        f = wald / df1
        return WaldTest(f, df1, df2, float(stats.f.sf(f, df1, df2)) if df2 > 0 else NAN, levels)

    def chisq_test(self, rows_factor, cols_factor, domain=None) -> RaoScottTest:
        """Rao-Scott test of independence of two factors, as R's ``svychisq(~rows + cols, design)`` ("F").

        p: the design-weighted cell shares (rows varying fastest), V their design covariance;
        Pearson's X^2 of the weighted table scaled to the number of rows; Delta = (C'D^-1C/N)^-1
        C'D^-1 V D^-1 C with C the interaction columns of the cells' model matrix residualised on the
        main effects and D = diag(p); F = X^2 / tr(Delta) on (d0, d0 nu), d0 = tr(Delta)^2 / tr(Delta^2),
        nu = degf of the rows tested. Rows with either factor blank are left out.
        """
        a = pd.Series(rows_factor).reset_index(drop=True)
        b = pd.Series(cols_factor).reset_index(drop=True)
        use = a.notna().to_numpy() & b.notna().to_numpy() & (self.w > 0)
        if domain is not None:
            use &= np.asarray(domain, dtype=bool)
        ra, rlev = _factorize(a[use])
        cb, clev = _factorize(b[use])
        nr, nc = len(rlev), len(clev)
        if nr < 2 or nc < 2:
            raise ValueError("need two levels of each factor to test")
        cell = np.full(self.n, -1)
        cell[use] = ra + nr * cb
        k = nr * nc
        w = np.where(use, self.w, 0.0)
        total = w.sum()
        p = np.bincount(cell[use], weights=w[use], minlength=k) / total
        # e = (1[cell] - p) / total on the used rows: the cells' columns of 1[cell] / total (one per row)
        # less p times the used rows' 1 / total, so no n x k matrix is built.
        inv = np.where(use, 1.0 / total, 0.0)
        totals = self._level_totals(inv, cell, k) - np.outer(self._centred_totals(inv)[:, 0], p)
        v = totals.T @ totals
        n_rows = int(use.sum())
        table = (p * n_rows).reshape(nc, nr).T
        expected = np.outer(table.sum(axis=1), table.sum(axis=0)) / n_rows
        x2 = float(np.sum((table - expected) ** 2 / expected))
        # Cells' model matrix: intercept, row and column dummies, interactions (rows fastest, as expand.grid).
        ri, ci = np.tile(np.arange(nr), nc), np.repeat(np.arange(nc), nr)
        main = np.column_stack([np.ones(k)] + [ri == j for j in range(1, nr)] + [ci == j for j in range(1, nc)])
        inter = np.column_stack([(ri == i) & (ci == j) for j in range(1, nc) for i in range(1, nr)]).astype(float)
        cmat = inter - main @ np.linalg.lstsq(main, inter, rcond=None)[0]
        inv_d = np.where(p > 0, 1 / np.where(p > 0, p, 1), 0.0)
        denom = cmat.T @ (inv_d[:, None] * cmat) / n_rows
        numr = cmat.T @ (inv_d[:, None] * v * inv_d[None, :]) @ cmat
        delta = np.linalg.solve(denom, numr)
        tr, tr2 = float(np.trace(delta)), float(np.trace(delta @ delta))
        d0, nu = tr**2 / tr2, self.degf(use)
        f = x2 / tr
        pdf = (nr - 1) * (nc - 1)
        return RaoScottTest(
            f_statistic=f,
            ndf=d0,
            ddf=d0 * nu,
            p_value=float(stats.f.sf(f, d0, d0 * nu)) if nu > 0 else NAN,
            pearson_chi2=x2,
            pearson_df=pdf,
            pearson_p=float(stats.chi2.sf(x2, pdf)),
            first_order_p=float(stats.chi2.sf(x2 / np.mean(np.diag(delta)), delta.shape[0])),
            design_df=nu,
        )


# --- designs side by side: counties as strata ------------------------------------------------------


class Pooled(Design):
    """Several independent designs side by side (a province's counties), as one design with their strata.

    Each part keeps its own clusters, strata and calibration (each county raked to its own population),
    so a statistic's variance is the sum of the parts' variances: counties are strata of the province,
    and a county's estimate on the pooled design equals the estimate on its own design. The pooled
    weighted mean is the stratified estimator sum_c W_c p_c / sum_c W_c, W_c a county's weight total
    (its population when the weights are raked to it). Rows are the parts' rows one after the other.
    No matrix spans the parts: the cost grows linearly with the counties.
    """

    def __init__(self, parts: list[Design]):
        if not parts:
            raise ValueError("a pooled design needs at least one part")
        self.parts = list(parts)
        self.w = np.concatenate([d.w for d in parts])
        self.bounds = np.cumsum([0] + [d.n for d in parts])
        cluster_offsets = np.cumsum([0] + [d.n_clusters for d in parts])
        strata_offsets = np.cumsum([0] + [d.n_strata for d in parts])
        self.cluster = np.concatenate([d.cluster + o for d, o in zip(parts, cluster_offsets)])
        self.cluster_names = [(i, c) for i, d in enumerate(parts) for c in d.cluster_names]
        self.n_clusters = int(cluster_offsets[-1])
        self.cluster_stratum = np.concatenate([d.cluster_stratum + o for d, o in zip(parts, strata_offsets)])
        self.strata_names = [(i, h) for i, d in enumerate(parts) for h in d.strata_names]
        self.n_strata = int(strata_offsets[-1])
        self.clusters_per_stratum = np.concatenate([d.clusters_per_stratum for d in parts])
        self.space = None

    def part_rows(self, i: int) -> np.ndarray:
        """Boolean mask of part ``i``'s rows (a county as a domain of the province)."""
        mask = np.zeros(self.n, dtype=bool)
        mask[self.bounds[i] : self.bounds[i + 1]] = True
        return mask

    def _level_totals(self, e: np.ndarray, codes: np.ndarray, k: int) -> np.ndarray:
        return np.vstack(
            [d._level_totals(e[a:b], codes[a:b], k) for d, a, b in zip(self.parts, self.bounds[:-1], self.bounds[1:])]
        )

    def _centred_totals(self, e: np.ndarray) -> np.ndarray:
        e = e.reshape(self.n, -1)
        return np.vstack([d._centred_totals(e[a:b]) for d, a, b in zip(self.parts, self.bounds[:-1], self.bounds[1:])])


@dataclass(frozen=True)
class AgainstWhole:
    """Every level of a grouping against the whole: differences, Holm p-values, Bonferroni intervals."""

    table: pd.DataFrame  #: level, n, estimate, whole, difference, se, df, ci_low, ci_high, p_value, p_holm
    whole: float
    comparisons: int
    df: int


def against_whole(design: Design, y, codes, levels: list, alpha: float = 0.05) -> AgainstWhole:
    """Each level's weighted share (or mean) of ``y`` minus the whole's, all levels at once.

    The contrast p_j - p is linearised as e_i = 1[i in j] (y_i - p_j) / W_j - (y_i - p) / W over
    the valid rows (W the weighted valid rows), so the whole's dependence on the level is allowed
    for; its variance is taken on the design. Intervals are Bonferroni, t(1 - alpha / 2k) on the
    design's degrees of freedom; p-values two-sided on the same t, Holm-adjusted. ``codes``: each
    row's level index into ``levels`` (-1: no level). The level totals are one pass of sums by level.
    """
    y = np.asarray(y, dtype=float)
    codes = np.asarray(codes, dtype=np.int64)
    k = len(levels)
    if k < 2:
        raise ValueError("need at least two levels to compare with the whole")
    w = design.w
    valid = ~np.isnan(y) & (w > 0)
    yv = np.where(valid, y, 0.0)
    total = w[valid].sum()
    whole = float(np.sum(w * yv) / total)
    in_level = valid & (codes >= 0)
    wy = np.bincount(codes[in_level], weights=(w * yv)[in_level], minlength=k)
    wt = np.bincount(codes[in_level], weights=w[in_level], minlength=k)
    nv = np.bincount(codes[in_level], minlength=k)
    df = design.df
    q = stats.t.ppf(1 - alpha / (2 * k), df) if df > 0 else NAN
    base = np.where(valid, (yv - whole) / total, 0.0)
    rows = []
    for j, level in enumerate(levels):
        p_j = wy[j] / wt[j] if wt[j] > 0 else NAN
        use = in_level & (codes == j)
        e = np.where(use, (yv - p_j) / wt[j], 0.0) - base if wt[j] > 0 else base * NAN
        c = design.contrast(p_j - whole, e)
        t = c.estimate / c.se if c.se > 0 else NAN
        rows.append(
            {
                "level": level,
                "n": int(nv[j]),
                "estimate": float(p_j),
                "whole": whole,
                "difference": c.estimate,
                "se": c.se,
                "df": df,
                "ci_low": c.estimate - q * c.se,
                "ci_high": c.estimate + q * c.se,
                "p_value": float(2 * stats.t.sf(abs(t), df)) if df > 0 and not math.isnan(t) else NAN,
            }
        )
    table = pd.DataFrame(rows)
    table["p_holm"] = holm(table["p_value"])
    return AgainstWhole(table, whole, k, df)
