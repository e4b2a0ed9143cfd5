"""The design-based estimator: weighted means with Taylor SEs, and the Wald test of equal shares."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analysis.stats import design


def test_design_mean_by_hand():
    # y = (1, 0, 1, 1), w = (1, 1, 2, 2), clusters (a, a, b, b): mean 5/6;
    # linearised z_i = w_i (y_i - 5/6) / 6 -> cluster totals -4/36 and +4/36;
    # var = 2/(2-1) * 2 * (4/36)^2 = (8/36)^2
    r = design.design_mean([1, 0, 1, 1], [1, 1, 2, 2], ["a", "a", "b", "b"])
    assert r.estimate == pytest.approx(5 / 6)
    assert r.se == pytest.approx(8 / 36)
    assert r.df == 1 and r.n_clusters == 2 and r.n == 4
    # symmetric t interval with 1 df
    assert r.ci_high - r.estimate == pytest.approx(12.706204736 * 8 / 36)


def test_design_mean_domain_keeps_all_clusters_and_excludes_nan():
    y = [1.0, np.nan, 0.0, 1.0, 1.0, 0.0]
    w = [1, 1, 1, 1, 1, 1]
    cl = ["a", "a", "b", "b", "c", "c"]
    dom = [True, True, True, True, False, False]
    r = design.design_mean(y, w, cl, dom)
    # valid rows: 1 (a), 0 and 1 (b): mean 2/3; cluster c contributes a zero total but still counts
    assert r.estimate == pytest.approx(2 / 3)
    z = np.array([(1 - 2 / 3) / 3, ((0 - 2 / 3) + (1 - 2 / 3)) / 3, 0.0])
    assert r.se == pytest.approx(np.sqrt(3 / 2 * ((z - z.mean()) ** 2).sum()))
    assert r.n_clusters == 3 and r.df == 1
    empty = design.design_mean([np.nan, np.nan], [1, 1], ["a", "b"])
    assert np.isnan(empty.estimate) and empty.n == 0 and empty.df == 0


def test_logit_interval_inside_unit_interval_and_asymmetric():
    rng = np.random.default_rng(4)
    y = (rng.random(200) < 0.9).astype(float)
    r = design.design_mean(y, rng.uniform(0.5, 2, 200), np.repeat(np.arange(20), 10), logit=True)
    assert 0 < r.ci_low < r.estimate < r.ci_high < 1
    assert (r.ci_high - r.estimate) < (r.estimate - r.ci_low)
    all_one = design.design_mean(np.ones(10), np.ones(10), np.arange(10), logit=True)
    assert np.isnan(all_one.ci_low)


def test_cluster_codes_pass_integer_codes_through():
    codes, n = design.cluster_codes(["b", "a", "b", "c"])
    assert codes.tolist() == [0, 1, 0, 2] and n == 3
    again, m = design.cluster_codes(codes)
    assert again is codes and m == 3


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
    t = design.share_wald_test(y, group, w, cluster)
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
    assert (t.df1, t.df2) == (1, 12 - 2) and t.levels == ["x", "y"]
    assert t.p_value == pytest.approx(stats.f.sf(wald, 1, 10), rel=1e-9)


def test_wald_test_ignores_relabelling_and_blank_groups():
    y, group, w, cluster = _two_groups()
    a = design.share_wald_test(y, group, w, cluster)
    b = design.share_wald_test(y, pd.Series(group).map({"x": "z", "y": "a"}), w, cluster)
    assert a.f_statistic == pytest.approx(b.f_statistic, rel=1e-9)
    blank = pd.Series(group, dtype=object)
    blank[[0, 1]] = None
    dropped = y.copy()
    dropped[[0, 1]] = np.nan
    assert design.share_wald_test(y, blank, w, cluster).f_statistic == pytest.approx(
        design.share_wald_test(dropped, group, w, cluster).f_statistic, rel=1e-12
    )


def test_wald_test_failures_name_the_grouping():
    y, group, w, cluster = _two_groups()
    with pytest.raises(ValueError, match="need at least two groups of 'channel'"):
        design.share_wald_test(y, group, w, cluster, domain=group == "x", name="channel")
    all_yes = np.where(group == "x", 1.0, y)
    with pytest.raises(ValueError, match="a group of 'channel' has a top-box share of 0 or 1"):
        design.share_wald_test(all_yes, group, w, cluster, name="channel", outcome="top-box share")
