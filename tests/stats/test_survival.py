import numpy as np
import pytest

from analysis.stats import survival

# The acute myelogenous leukaemia data shipped with R's survival package (`aml`; Miller 1981),
# and its published output: print(survfit(Surv(time, status) ~ x, data = aml)) gives
#   x=Maintained    n 11 events 7  median 31  0.95LCL 18  0.95UCL NA
#   x=Nonmaintained n 12 events 11 median 23  0.95LCL 8   0.95UCL NA
# and survdiff(Surv(time, status) ~ x, data = aml): Chisq = 3.4 on 1 df, p = 0.07 (3.396389).
MAINT = ([9, 13, 13, 18, 23, 28, 31, 34, 45, 48, 161], [1, 1, 0, 1, 1, 0, 1, 1, 0, 1, 0])
NONMAINT = ([5, 5, 8, 8, 12, 16, 23, 27, 30, 33, 43, 45], [1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1])


@pytest.mark.parametrize("data, expected", [(MAINT, (31, 18)), (NONMAINT, (23, 8))])
def test_km_median_matches_r_on_aml(data, expected):
    km = survival.kaplan_meier(*data)
    m = survival.km_median(km)
    assert (m.median, m.ci_low) == expected
    assert np.isnan(m.ci_high)


def test_km_curve_and_greenwood_match_r_summary_on_aml():
    # summary(survfit(Surv(time, status) ~ 1, data = aml[aml$x == "Maintained", ])):
    # time 9: n.risk 11, surv 0.909, std.err 0.0867 (R reports SE of S; ours is SE of log S)
    km = survival.kaplan_meier(*MAINT).set_index("time")
    assert km.loc[9, "n_risk"] == 11 and km.loc[9, "surv"] == pytest.approx(10 / 11)
    assert km.loc[13, "surv"] == pytest.approx(10 / 11 * 9 / 10)
    assert km.loc[9, "std_err"] * km.loc[9, "surv"] == pytest.approx(0.0867, abs=5e-5)
    assert km.loc[18, "surv"] == pytest.approx(10 / 11 * 9 / 10 * 7 / 8)
    assert km.loc[13, "n_censor"] == 1 and km.loc[13, "n_event"] == 1
    assert (km["upper"] <= 1).all()


def test_logrank_matches_r_on_aml():
    t = MAINT[0] + NONMAINT[0]
    e = MAINT[1] + NONMAINT[1]
    r = survival.logrank(t, e, ["M"] * 11 + ["N"] * 12)
    assert r.chisq == pytest.approx(3.396389, abs=1e-6)
    assert r.df == 1 and r.p_value == pytest.approx(0.0653, abs=1e-4)


def test_median_midpoint_rule_when_curve_sits_at_half():
    # 4 items, events at 1 and 2 then censored at 3 and 4: S = 0.75, 0.5 flat from 2 until 4.
    # R: median = (2 + 4) / 2 = 3 (midpoint of the flat stretch up to the last time)
    km = survival.kaplan_meier([1, 2, 3, 4], [1, 1, 0, 0])
    assert survival.km_median(km).median == pytest.approx(3.0)
    # events at 1, 2, 3, 4: S hits 0.5 at 2, next change at 3 -> median 2.5
    km = survival.kaplan_meier([1, 2, 3, 4], [1, 1, 1, 1])
    assert survival.km_median(km).median == pytest.approx(2.5)


def test_median_not_reached():
    km = survival.kaplan_meier([1, 2, 3, 4, 5], [1, 0, 0, 0, 0])
    assert np.isnan(survival.km_median(km).median)


def test_at_risk_and_failures():
    assert survival.at_risk([1, 2, 3, 4], [0, 2, 5])["n_risk"].tolist() == [4, 3, 0]
    with pytest.raises(ValueError, match="negative"):
        survival.kaplan_meier([-1, 2], [1, 1])
    with pytest.raises(ValueError, match="missing"):
        survival.kaplan_meier([np.nan, 2], [1, 1])
    with pytest.raises(ValueError, match="same length"):
        survival.kaplan_meier([1, 2], [1])
    with pytest.raises(ValueError, match="two groups"):
        survival.logrank([1, 2], [1, 1], ["a", "a"])
