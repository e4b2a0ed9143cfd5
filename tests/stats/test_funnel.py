"""Exact binomial funnel limits checked against the binomial distribution computed by hand."""

from math import comb
from pathlib import Path

import pandas as pd
import pytest

from analysis.stats import funnel


def _cdf(r, n, p):
    return sum(comb(n, k) * p**k * (1 - p) ** (n - k) for k in range(0, r + 1))


def _spiegelhalter_limit(n, p, prob):
    """Spiegelhalter (2005) appendix A.1.1, written out independently with exact sums."""
    r = 0
    while _cdf(r, n, p) < prob:
        r += 1
    f_r, f_below = _cdf(r, n, p), _cdf(r - 1, n, p) if r > 0 else 0.0
    alpha = (f_r - prob) / (f_r - f_below)
    return (r - alpha) / n


@pytest.mark.parametrize("n, p", [(20, 0.32), (50, 0.5), (100, 0.9), (37, 0.98)])
def test_limits_equal_the_interpolated_binomial_quantiles(n, p):
    lim = funnel.funnel_limits([n], p).iloc[0]
    assert lim["lower_95"] == pytest.approx(_spiegelhalter_limit(n, p, 0.025), abs=1e-9)
    assert lim["upper_95"] == pytest.approx(_spiegelhalter_limit(n, p, 0.975), abs=1e-9)
    assert lim["lower_99.8"] == pytest.approx(_spiegelhalter_limit(n, p, 0.001), abs=1e-9)
    assert lim["upper_99.8"] == pytest.approx(_spiegelhalter_limit(n, p, 0.999), abs=1e-9)


def test_limits_narrow_as_n_grows_and_nest():
    lim = funnel.funnel_limits([10, 40, 160, 640], 0.3)
    width = lim["upper_95"] - lim["lower_95"]
    assert width.is_monotonic_decreasing
    assert (lim["lower_99.8"] <= lim["lower_95"]).all() and (lim["upper_99.8"] >= lim["upper_95"]).all()


def test_unit_funnel_flags_an_outlying_unit_after_holm():
    counts = pd.DataFrame({"unit": list("ABCDE"), "passed": [30, 31, 29, 30, 5], "tested": [100] * 5})
    out = funnel.unit_funnel(counts, "unit", "passed", "tested")
    assert out.loc[out["unit"] == "E", "zone"].item() == "outside 99.8%"
    assert out.loc[out["unit"] == "E", "flag"].item()
    assert not out.loc[out["unit"] != "E", "flag"].any()
    # Holm-adjusted p-values are never below the raw ones
    assert (out["p_adjusted"] >= out["p_value"] - 1e-15).all()


def test_unit_funnel_failure_cases():
    with pytest.raises(KeyError):
        funnel.unit_funnel(pd.DataFrame({"unit": ["A"], "k": [1]}), "unit", "k", "n")
    with pytest.raises(ValueError):
        funnel.unit_funnel(pd.DataFrame({"unit": ["A"], "k": [0], "n": [0]}), "unit", "k", "n")
    with pytest.raises(ValueError):
        funnel.binomial_limit(0, 0.5, 0.025)


REFERENCE = Path(__file__).parents[1] / "reference" / "funnel_limits.csv"


def test_limits_and_p_values_match_r():
    """R 4.2 qbinom/pbinom/binom.test values (tests/reference/funnel_limits.R, run once, output committed)."""
    from scipy import stats

    ref = pd.read_csv(REFERENCE)
    assert len(ref) == 25
    for _, row in ref.iterrows():
        lim = funnel.funnel_limits([int(row["n"])], float(row["p0"])).iloc[0]
        for col in ("lower_95", "upper_95", "lower_99.8", "upper_99.8"):
            assert lim[col] == pytest.approx(row[col], abs=1e-9), (row["n"], row["p0"], col)
        p = stats.binomtest(int(row["k"]), int(row["n"]), float(row["p0"])).pvalue
        assert p == pytest.approx(row["binom_p"], rel=1e-6)
