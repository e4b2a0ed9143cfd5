"""The survey design stated once, and the design-based estimators on it, checked by hand on tiny frames.

The agreement with R's survey package on the demo and the mini fixture is in tests/subjects/test_survey.py
(stored R values) and tests/reference/test_live_r.py (R run on the current data).
"""

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from scipy import sparse, stats

from analysis.core.errors import AnalysisError
from analysis.stats import design
from analysis.stats.design import ColumnSpace, Design, SurveyDesign, calibration_matrix

T1 = stats.t.ppf(0.975, 1)


def test_the_stated_design_is_read_from_the_reference_file():
    d = SurveyDesign.stated()
    assert (d.cluster, d.strata, d.raking_credited) == ("batch_id", "district", True)
    assert d.margins == (("district", "age_band"), ("district", "sex"), ("age_band", "sex"))
    assert d.trim == (0.2, 5.0) and d.calibration_columns == ["age_band", "district", "sex"]
    assert d.earlier() == replace(d, strata=None, raking_credited=False)


def _design_file(tmp_path, **changes):
    rows = {
        "cluster": "batch_id",
        "strata": "district",
        "weights": "raking",
        "margins": "district:sex",
        "trim": "",
        "raking_credited": "no",
    } | changes
    path = tmp_path / "survey_design.csv"
    pd.DataFrame({"setting": list(rows), "value": list(rows.values()), "meaning": ""}).to_csv(path, index=False)
    return path


def test_a_design_file_with_a_bad_setting_is_refused_naming_the_file(tmp_path):
    d = SurveyDesign.stated(_design_file(tmp_path, strata=""))
    assert d.strata is None and d.trim is None and d.raking_credited is False and d.margins == (("district", "sex"),)
    for bad, message in (
        ({"trim": "5..0.2"}, "trim must read"),
        ({"raking_credited": "maybe"}, "raking_credited must be yes or no"),
        ({"weights": "post-stratification"}, "weights must be 'raking'"),
        ({"margins": "district:"}, "margins must read"),
    ):
        with pytest.raises(AnalysisError, match=rf"survey_design.csv: {message}"):
            SurveyDesign.stated(_design_file(tmp_path, **bad))
    path = _design_file(tmp_path)
    pd.read_csv(path).iloc[:-1].to_csv(path, index=False)
    with pytest.raises(AnalysisError, match=r"missing: \['raking_credited'\]"):
        SurveyDesign.stated(path)


def test_mean_and_se_by_hand_one_stratum():
    # y = (1, 0, 1, 1), w = (1, 1, 2, 2), clusters (a, a, b, b): mean 5/6;
    # linearised z_i = w_i (y_i - 5/6) / 6 -> cluster totals -4/36 and +4/36;
    # var = 2/(2-1) * 2 * (4/36)^2 = (8/36)^2
    r = Design([1, 1, 2, 2], ["a", "a", "b", "b"]).mean([1, 0, 1, 1])
    assert r.estimate == pytest.approx(5 / 6)
    assert r.se == pytest.approx(8 / 36)
    assert r.df == 1 and r.n_clusters == 2 and r.n == 4 and r.n_domain == 4
    assert r.ci_high - r.estimate == pytest.approx(T1 * 8 / 36)  # symmetric t interval on 1 df


def test_design_effect_as_svymean_deff_true_by_hand():
    y = np.array([1.0, 0, 1, 1, 0, 1])
    w = np.array([10.0, 20, 10, 30, 10, 20])
    r = Design(w, ["a", "a", "b", "b", "c", "c"]).mean(y)
    n, total = 6, w.sum()
    p = np.sum(w * y) / total
    s2 = n / (n - 1) * np.sum(w * (y - p) ** 2) / total
    assert r.deff == pytest.approx(r.se**2 / (s2 * (total - n) / (total * n)), rel=1e-12)
    assert r.deff_replace == pytest.approx(r.se**2 / (s2 / n), rel=1e-12)
    # weights summing to n: no population larger than the sample, deff = TRUE is undefined
    assert np.isnan(Design(np.ones(6), ["a", "a", "b", "b", "c", "c"]).mean(y).deff)


def test_a_domain_keeps_every_cluster_and_its_df_counts_the_domains_rows_whatever_they_answered():
    y = [1.0, np.nan, 0.0, 1.0, 1.0, 0.0, np.nan]
    cl = ["a", "a", "b", "b", "c", "c", "d"]
    dom = np.array([True, True, True, True, False, False, True])
    r = Design(np.ones(7), cl).mean(y, dom)
    # valid rows: 1 (a), 0 and 1 (b): mean 2/3; clusters c and d contribute zero totals but still count
    assert r.estimate == pytest.approx(2 / 3)
    z = np.array([(1 - 2 / 3) / 3, ((0 - 2 / 3) + (1 - 2 / 3)) / 3, 0.0, 0.0])
    assert r.se == pytest.approx(np.sqrt(4 / 3 * ((z - z.mean()) ** 2).sum()))
    # R's degf of the domain: a, b and d hold a row of it (d only an unanswered one): 3 - 1
    assert r.n_clusters == 4 and r.df == 2 and (r.n, r.n_domain) == (3, 5)
    empty = Design([1, 1], ["a", "b"]).mean([np.nan, np.nan])
    assert np.isnan(empty.estimate) and empty.n == 0


def test_strata_centre_the_cluster_totals_within_each_stratum():
    y = np.array([1.0, 0, 1, 1, 0, 0, 1, 0])
    cl = ["a", "a", "b", "b", "c", "c", "d", "d"]
    st = ["h", "h", "h", "h", "k", "k", "k", "k"]
    r = Design(np.ones(8), cl, st).mean(y)
    t = np.array([1 + 0, 1 + 1, 0 + 0, 1 + 0]) / 8 - np.array([2, 2, 2, 2]) * r.estimate / 8
    v = sum(2 / (2 - 1) * ((t[i : i + 2] - t[i : i + 2].mean()) ** 2).sum() for i in (0, 2))
    assert r.se == pytest.approx(np.sqrt(v), rel=1e-12)
    assert r.df == 4 - 2
    # a domain in one stratum: df = its clusters - 1
    assert Design(np.ones(8), cl, st).mean(y, np.array(st) == "k").df == 1


def test_a_cluster_in_two_strata_and_a_lonely_cluster_are_refused():
    with pytest.raises(ValueError, match="clusters in more than one stratum"):
        Design(np.ones(4), ["a", "a", "b", "b"], ["h", "k", "k", "k"])
    with pytest.raises(AnalysisError, match="stratum k holds a single cluster"):
        Design(np.ones(4), ["a", "b", "c", "c"], ["h", "h", "k", "k"])


def test_raking_credited_is_the_residual_on_the_calibration_cells():
    # One margin (post-stratification by g): the calibration residual of e is e minus its unweighted
    # mean within each cell of g (least squares on the cell indicators).
    rng = np.random.default_rng(3)
    n = 60
    cl = np.repeat(np.arange(12), 5)
    g = np.where(rng.random(n) < 0.4, "x", "y")
    w = rng.uniform(1, 3, n)
    y = (rng.random(n) < 0.6).astype(float)
    x = pd.get_dummies(g, dtype=float).to_numpy()
    credited = Design(w, cl, calibration=x).mean(y)
    total = w.sum()
    e = (y - credited.estimate) / total
    r = e - pd.Series(e).groupby(g).transform("mean").to_numpy()
    t = np.bincount(cl, weights=w * r)
    assert credited.se == pytest.approx(np.sqrt(12 / 11 * ((t - t.mean()) ** 2).sum()), rel=1e-12)
    fixed = Design(w, cl).mean(y)
    assert fixed.estimate == credited.estimate and fixed.se != pytest.approx(credited.se)
    # any basis of the same cells gives the same residual (a redundant, rank-deficient one too)
    redundant = np.column_stack([x, x.sum(axis=1), 2 * x[:, 0]])
    assert Design(w, cl, calibration=redundant).mean(y).se == pytest.approx(credited.se, rel=1e-12)


def test_logit_interval_in_closed_form():
    rng = np.random.default_rng(4)
    y = (rng.random(200) < 0.9).astype(float)
    r = Design(rng.uniform(0.5, 2, 200), np.repeat(np.arange(20), 10)).mean(y, logit=True)
    eta = np.log(r.estimate / (1 - r.estimate))
    half = stats.t.ppf(0.975, 19) * r.se / (r.estimate * (1 - r.estimate))
    assert (r.ci_low, r.ci_high) == pytest.approx((1 / (1 + np.exp(-(eta - half))), 1 / (1 + np.exp(-(eta + half)))))
    assert (r.ci_high - r.estimate) < (r.estimate - r.ci_low)
    assert np.isnan(design.logit_interval(1.0, 0.1, 5)[0]) and np.isnan(design.logit_interval(0.5, 0.1, 0)[0])


def _two_groups():
    rng = np.random.default_rng(7)
    n = 120
    cluster = np.repeat(np.arange(12), 10)
    group = np.where(rng.random(n) < 0.5, "x", "y")
    y = (rng.random(n) < np.where(group == "x", 0.4, 0.7)).astype(float)
    y[[3, 50]] = np.nan  # don't know: left out
    w = rng.uniform(0.5, 2.0, n)
    return y, group, w, cluster


def test_wald_test_of_two_groups_equals_the_delta_method_by_hand():
    y, group, w, cluster = _two_groups()
    t = Design(w, cluster).share_wald_test(y, group)
    # Independent route: linearise logit(p_y) - logit(p_x); influence of logit(p_j) at row i is
    # w_i (y_i - p_j) 1[i in j] / (W_j p_j (1 - p_j)); variance from centred cluster totals.
    ok = ~np.isnan(y)
    infl = np.zeros(len(y))
    logits = {}
    for sign, g in ((-1, "x"), (1, "y")):
        m = ok & (group == g)
        p = np.sum(w[m] * y[m]) / np.sum(w[m])
        logits[g] = np.log(p / (1 - p))
        infl[m] += sign * w[m] * (y[m] - p) / (np.sum(w[m]) * p * (1 - p))
    totals = np.bincount(cluster, weights=infl)
    var = 12 / 11 * np.sum((totals - totals.mean()) ** 2)
    wald = (logits["y"] - logits["x"]) ** 2 / var
    assert t.f_statistic == pytest.approx(wald, rel=1e-9)
    # df2 = degf of the rows used + 1 - groups = (12 - 1) + 1 - 2
    assert (t.df1, t.df2) == (1, 10) and t.levels == ["x", "y"]
    assert t.p_value == pytest.approx(stats.f.sf(wald, 1, 10), rel=1e-9)


def test_wald_test_ignores_relabelling_and_blank_groups():
    y, group, w, cluster = _two_groups()
    des = Design(w, cluster)
    a = des.share_wald_test(y, group)
    b = des.share_wald_test(y, pd.Series(group).map({"x": "z", "y": "a"}))
    assert a.f_statistic == pytest.approx(b.f_statistic, rel=1e-9)
    blank = pd.Series(group, dtype=object)
    blank[[0, 1]] = None
    dropped = y.copy()
    dropped[[0, 1]] = np.nan
    assert des.share_wald_test(y, blank).f_statistic == pytest.approx(
        des.share_wald_test(dropped, group).f_statistic, rel=1e-12
    )


def test_wald_test_failures_name_the_grouping():
    y, group, w, cluster = _two_groups()
    des = Design(w, cluster)
    with pytest.raises(ValueError, match="need at least two groups of 'channel'"):
        des.share_wald_test(y, group, domain=group == "x", name="channel")
    all_yes = np.where(group == "x", 1.0, y)
    with pytest.raises(ValueError, match="a group of 'channel' has a top-box share of 0 or 1"):
        des.share_wald_test(all_yes, group, name="channel", outcome="top-box share")


def test_rao_scott_with_every_form_its_own_cluster_is_pearsons_chi_square():
    # Forms independent (each its own cluster, weight 1): the generalised design effects are ~ n/(n-1),
    # so F x tr(Delta) is Pearson's X^2 and the correction is tiny.
    rng = np.random.default_rng(11)
    n = 400
    group = rng.choice(["a", "b", "c"], n)
    returned = (rng.random(n) < np.where(group == "a", 0.5, 0.65)).astype(int)
    test = Design(np.ones(n), np.arange(n)).chisq_test(returned, group)
    table = pd.crosstab(returned, group).to_numpy()
    chi2, p, dof, _ = stats.chi2_contingency(table, correction=False)
    assert test.pearson_chi2 == pytest.approx(chi2, rel=1e-12) and test.pearson_df == dof == 2
    assert test.pearson_p == pytest.approx(p, rel=1e-10)
    assert test.f_statistic * test.ndf == pytest.approx(chi2 * (n - 1) / n, rel=1e-6)
    assert test.ndf == pytest.approx(2, rel=1e-3) and test.design_df == n - 1


def test_rao_scott_clustered_returns_shrink_the_statistic():
    # Whole batches come back or not: forms in a batch are alike, the correction divides X^2 by ~ the batch size.
    batch = np.repeat(np.arange(30), 20)
    group = np.repeat(np.where(np.arange(30) < 15, "a", "b"), 20)
    rng = np.random.default_rng(5)
    returned = np.repeat((rng.random(30) < np.where(np.arange(30) < 15, 0.4, 0.7)).astype(int), 20)
    test = Design(np.ones(600), batch).chisq_test(returned, group)
    assert test.f_statistic < test.pearson_chi2 / 10 and test.p_value > test.pearson_p
    with pytest.raises(ValueError, match="two levels"):
        Design(np.ones(600), batch).chisq_test(returned, np.repeat("a", 600))


def test_contrast_variance_splits_by_stratum_and_gives_satterthwaite_df():
    rng = np.random.default_rng(2)
    cl = np.repeat(np.arange(9), 4)
    st = np.repeat(["h", "h", "h", "k", "k", "k", "m", "m", "m"], 4)
    e = rng.normal(size=36)
    des = Design(np.ones(36), cl, st)
    v = des.stratum_variances(e)
    assert v.sum() == pytest.approx(des.variance(e), rel=1e-12)
    c = des.contrast(0.1, e)
    assert c.se == pytest.approx(np.sqrt(v.sum())) and c.df_satterthwaite == pytest.approx(
        v.sum() ** 2 / (v**2 / 2).sum()
    )
    assert 2 <= c.df_satterthwaite <= 6


def test_holm_keeps_missing_values():
    out = design.holm([0.01, np.nan, 0.04, 0.03])
    assert np.isnan(out[1]) and out[0] == pytest.approx(0.03) and out[2] == pytest.approx(0.06)


def test_column_space_projects_as_least_squares_on_the_dense_matrix():
    # Two margins sharing the total (rank 4 of 5 columns), sparse: the projection and the minimum-norm
    # coefficients are numpy's lstsq (an SVD of the dense matrix), an independent computation.
    frame = pd.DataFrame({"a": list("xxyyyz"), "b": list("pqpqpq")})
    x = calibration_matrix(frame, [("a",), ("b",)])
    assert sparse.issparse(x) and x.shape == (6, 5) and x.nnz == 12
    dense = x.toarray()
    e = np.array([1.0, -2.0, 0.5, 3.0, 0.0, 4.0])
    coef, *_ = np.linalg.lstsq(dense, e, rcond=None)
    space = ColumnSpace(x)
    assert space.rank == 4
    np.testing.assert_allclose(space.coefficients(e), coef, atol=1e-12)
    np.testing.assert_allclose(space.project(e), dense @ coef, atol=1e-12)
    both = np.column_stack([e, e[::-1]])
    np.testing.assert_allclose(space.project(both)[:, 1], dense @ np.linalg.lstsq(dense, e[::-1], rcond=None)[0])


def test_wald_and_chisq_tests_without_the_dense_matrices_match_them_under_calibration():
    # The tests take cluster totals level by level; the dense n x k score and indicator matrices
    # through Design.variance (which projects each column on the calibration space) give the same.
    rng = np.random.default_rng(5)
    n = 400
    frame = pd.DataFrame(
        {"d": rng.choice(list("abcd"), n), "s": rng.choice(list("mf"), n), "cl": rng.integers(0, 40, n)}
    )
    frame["h"] = frame["cl"] % 4
    x = calibration_matrix(frame, [("d",), ("s",)])
    des = Design(rng.uniform(0.5, 2.0, n), frame["cl"], frame["h"], calibration=x)
    y = (rng.random(n) < 0.5).astype(float)
    t = des.share_wald_test(y, frame["d"])
    levels = sorted(frame["d"].unique())
    lvl = pd.Categorical(frame["d"], categories=levels).codes
    shares = np.array([np.average(y[lvl == j], weights=des.w[lvl == j]) for j in range(4)])
    resid = y - shares[lvl]
    scores = np.zeros((n, 4))
    scores[:, 0] = resid
    scores[lvl > 0, lvl[lvl > 0]] = resid[lvl > 0]
    v_level = np.array([np.sum((des.w * shares[lvl] * (1 - shares[lvl]))[lvl == j]) for j in range(4)])
    xwx = np.diag(np.r_[v_level.sum(), v_level[1:]])
    xwx[0, 1:] = xwx[1:, 0] = v_level[1:]
    bread = np.linalg.inv(xwx)
    cov = bread @ des.variance(scores) @ bread
    b = np.log(shares / (1 - shares))[1:] - np.log(shares[0] / (1 - shares[0]))
    assert t.f_statistic == pytest.approx(float(b @ np.linalg.solve(cov[1:, 1:], b)) / 3, rel=1e-9)

    r = des.chisq_test(frame["s"], frame["d"])
    cell = pd.factorize(frame["s"], sort=True)[0] + 2 * pd.factorize(frame["d"], sort=True)[0]
    ind = np.eye(8)[cell]
    p = (des.w[:, None] * ind).sum(axis=0) / des.w.sum()
    v = des.variance((ind - p) / des.w.sum())
    inv_d = 1 / p
    table = (p * n).reshape(4, 2).T
    expected = np.outer(table.sum(axis=1), table.sum(axis=0)) / n
    x2 = float(np.sum((table - expected) ** 2 / expected))
    assert r.pearson_chi2 == pytest.approx(x2, rel=1e-12)
    ri, ci = np.tile(np.arange(2), 4), np.repeat(np.arange(4), 2)
    main = np.column_stack([np.ones(8), ri == 1] + [ci == j for j in range(1, 4)])
    inter = np.column_stack([(ri == 1) & (ci == j) for j in range(1, 4)]).astype(float)
    cmat = inter - main @ np.linalg.lstsq(main, inter, rcond=None)[0]
    delta = np.linalg.solve(cmat.T @ (inv_d[:, None] * cmat) / n, cmat.T @ (inv_d[:, None] * v * inv_d[None, :]) @ cmat)
    assert r.f_statistic == pytest.approx(x2 / np.trace(delta), rel=1e-9)
