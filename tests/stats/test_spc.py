"""XmR and p-chart limits against published examples, and the special-cause rules on built series."""

import numpy as np
import pandas as pd
import pytest

from analysis.stats import spc

# NIST/SEMATECH e-Handbook of Statistical Methods, section 6.3.2.2 (Individuals control charts),
# example: flow rate of the first 10 batches of a new process.  Published: mean 50.81,
# average moving range 1.8778, individuals limits 55.8041 / 45.8159 (mean +/- 3 MRbar / 1.128),
# moving-range chart centre 1.8778, UCL 6.1349 (D4 = 3.267), LCL 0.
NIST_FLOW = [49.6, 47.6, 49.9, 51.3, 47.8, 51.2, 52.6, 52.4, 53.6, 52.1]


def test_xmr_limits_match_nist_example():
    lim = spc.xmr_limits(NIST_FLOW)
    assert lim.centre == pytest.approx(50.81)
    assert lim.mr_mean == pytest.approx(1.8778, abs=1e-4)
    assert lim.ucl == pytest.approx(55.8041, abs=2e-3)  # 2.66 vs 3/1.128 = 2.6596
    assert lim.lcl == pytest.approx(45.8159, abs=2e-3)
    assert lim.mr_ucl == pytest.approx(6.1349, abs=2e-4)
    table, _ = spc.xmr_chart(pd.DataFrame({"batch": range(1, 11), "flow": NIST_FLOW}), "flow", label="batch")
    # The handbook reads the chart as in control.
    assert not table["beyond_limits"].any()
    assert np.isnan(table["moving_range"].iloc[0]) and table["moving_range"].iloc[1] == pytest.approx(2.0)


# Montgomery, Introduction to Statistical Quality Control, Example 7.1 (orange-juice cans), the
# 30 trial samples of n = 50 (R package qcc, data set orangejuice): pbar = 0.2313, UCL = 0.4102,
# LCL = 0.0524 (qcc: 0.2313333, 0.4102391, 0.05242755); samples 15 and 23 lie above the UCL.
ORANGE_JUICE = [
    12,
    15,
    8,
    10,
    4,
    7,
    16,
    9,
    14,
    10,
    5,
    6,
    17,
    12,
    22,
    8,
    10,
    5,
    13,
    11,
    20,
    18,
    24,
    15,
    9,
    12,
    7,
    13,
    9,
    6,
]


def test_p_chart_matches_montgomery_orange_juice_example():
    chart = spc.p_chart(ORANGE_JUICE, [50] * 30)
    assert chart["centre"].iloc[0] == pytest.approx(0.2313333, abs=1e-7)
    assert chart["ucl"].iloc[0] == pytest.approx(0.4102391, abs=1e-7)
    assert chart["lcl"].iloc[0] == pytest.approx(0.05242755, abs=1e-8)
    assert [i + 1 for i in chart.index[chart["beyond_limits"]]] == [15, 23]


def test_p_chart_flags_a_jump_and_rejects_bad_input():
    # centre fixed from the first three rounds (phase I), then a jump in round 4
    chart = spc.p_chart([30, 32, 31, 95], [100, 100, 100, 100], centre=0.31)
    assert chart["beyond_limits"].tolist() == [False, False, False, True]
    with pytest.raises(ValueError):
        spc.p_chart([5], [0])
    with pytest.raises(ValueError):
        spc.p_chart([6], [5])


def _rules(x, centre=0.0, sigma=1.0):
    return spc.special_causes(x, centre, sigma)


def test_rule_beyond_limits():
    r = _rules([0, 0.5, 3.5, 0, -3.2])
    assert r["beyond_limits"].tolist() == [False, False, True, False, True]


def test_rule_two_of_three_beyond_two_sigma_same_side():
    r = _rules([0, 2.5, 0.1, 2.4, 0])
    assert r["two_of_three"].tolist() == [False, True, False, True, False]
    # opposite sides do not count
    assert not _rules([0, 2.5, -2.5, 0])["two_of_three"].any()


def test_rule_four_of_five_beyond_one_sigma():
    r = _rules([1.5, 1.2, 0.2, 1.8, 1.1, 0])
    assert r["four_of_five"].sum() == 4
    assert not _rules([1.5, 1.2, 0.2, -1.8, 1.1, 0])["four_of_five"].any()


def test_rule_run_of_eight():
    assert _rules([0.1] * 8)["run_of_8"].all()
    assert not _rules([0.1] * 7 + [-0.1])["run_of_8"].any()


def test_rule_trend_of_six():
    assert _rules([0, 0.1, 0.2, 0.3, 0.4, 0.5])["trend_of_6"].all()
    assert not _rules([0, 0.1, 0.2, 0.3, 0.4, 0.4])["trend_of_6"].any()
    assert _rules([0.5, 0.4, 0.3, 0.2, 0.1, 0.0, 0.3])["trend_of_6"].sum() == 6


def test_xmr_rejects_short_or_missing_series():
    with pytest.raises(ValueError):
        spc.xmr_limits([1.0])
    with pytest.raises(ValueError):
        spc.xmr_limits([1.0, None, 2.0])
    with pytest.raises(KeyError):
        spc.xmr_chart(pd.DataFrame({"a": [1, 2]}), "b")
