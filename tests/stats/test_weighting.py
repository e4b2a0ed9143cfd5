import numpy as np
import pandas as pd
import pytest

from analysis.stats import weighting as W

POP = pd.DataFrame(
    [
        ("A", "18-29", "M", 100),
        ("A", "18-29", "F", 120),
        ("A", "60+", "M", 80),
        ("A", "60+", "F", 90),
        ("B", "18-29", "M", 50),
        ("B", "18-29", "F", 60),
        ("B", "60+", "M", 70),
        ("B", "60+", "F", 75),
    ],
    columns=["district", "age_band", "sex", "population"],
)
ONE_WAY = (("district",), ("age_band",), ("sex",))
TWO_WAY = (("district", "age_band"), ("district", "sex"), ("age_band", "sex"))


def sample(n=60, seed=1, probs=(1, 3, 1, 1, 2, 2, 1, 1)):
    return POP.sample(n, replace=True, random_state=seed, weights=list(probs))[
        ["district", "age_band", "sex"]
    ].reset_index(drop=True)


def weighted_totals(s, w, cols):
    return w.groupby([s[c] for c in cols]).sum()


@pytest.mark.parametrize("margins", [ONE_WAY, TWO_WAY])
def test_rake_meets_every_margin(margins):
    s = sample()
    targets = W.population_margins(POP, margins)
    res = W.rake(s, targets)
    assert res.iterations >= 1
    assert res.max_error < 1e-10
    assert res.weights.sum() == pytest.approx(POP["population"].sum())
    for cols, target in targets.items():
        got = weighted_totals(s, res.weights, cols)
        np.testing.assert_allclose(got.reindex(target.index).to_numpy(), target.to_numpy(), rtol=1e-9)


def test_full_cross_margin_is_post_stratification():
    # one pass over the full cross gives weight = population of the cell / respondents in it
    s = sample(80, seed=3)
    res = W.rake(s, W.population_margins(POP, [("district", "age_band", "sex")]))
    n_cell = s.groupby(["district", "age_band", "sex"])["sex"].transform("size")
    pop_cell = s.merge(POP, on=["district", "age_band", "sex"], how="left")["population"]
    np.testing.assert_allclose(res.weights.to_numpy(), (pop_cell / n_cell).to_numpy(), rtol=1e-12)
    assert res.iterations == 1


def test_two_by_two_raking_matches_hand_computed_fixed_point():
    # sample 2x2 counts [[30, 10], [10, 30]] raked to row totals (60, 40) and column totals (50, 50):
    # the fixed point has cell weights a*r_i*c_j with odds ratio preserved; check margins + odds ratio
    s = pd.DataFrame({"r": ["1"] * 40 + ["2"] * 40, "c": ["1"] * 30 + ["2"] * 10 + ["1"] * 10 + ["2"] * 30})
    targets = {("r",): pd.Series({"1": 60.0, "2": 40.0}), ("c",): pd.Series({"1": 50.0, "2": 50.0})}
    res = W.rake(s, targets)
    cell = res.weights.groupby([s["r"], s["c"]]).sum()
    # raking preserves the sample odds ratio (30*30)/(10*10) = 9 in the weighted table
    assert cell[("1", "1")] * cell[("2", "2")] / (cell[("1", "2")] * cell[("2", "1")]) == pytest.approx(9.0)
    assert cell.loc["1"].sum() == pytest.approx(60) and cell.xs("1", level="c").sum() == pytest.approx(50)
    # closed form: the (1,1) cell x solves 9 = x (x - 10) / ((60 - x)(50 - x)),
    # i.e. 8x^2 - 980x + 27000 = 0, whose root in (10, 50) is (122.5 - sqrt(1506.25)) / 2
    assert cell[("1", "1")] == pytest.approx((122.5 - np.sqrt(1506.25)) / 2, rel=1e-9)


def test_not_converged_raises_with_iterations_and_error():
    s = sample()
    with pytest.raises(W.ConvergenceError, match=r"1 iterations, largest relative margin error") as err:
        W.rake(s, W.population_margins(POP, TWO_WAY), max_iter=1, tol=1e-14)
    assert err.value.iterations == 1 and err.value.max_error > 1e-14


def test_empty_population_cell_and_unknown_cell_and_missing_values_raise():
    s = sample()
    s = s[~((s["district"] == "B") & (s["sex"] == "M"))]
    with pytest.raises(ValueError, match="no respondents"):
        W.rake(s, W.population_margins(POP, TWO_WAY))
    s2 = sample()
    s2.loc[0, "district"] = "C"
    with pytest.raises(ValueError, match="no population total"):
        W.rake(s2, W.population_margins(POP, ONE_WAY))
    s3 = sample()
    s3.loc[0, "sex"] = None
    with pytest.raises(ValueError, match="missing values"):
        W.rake(s3, W.population_margins(POP, ONE_WAY))
    with pytest.raises(KeyError):
        W.population_margins(POP.drop(columns="sex"), ONE_WAY)


def test_trimming_respects_bounds_and_margins():
    s = sample(60, seed=1)
    targets = W.population_margins(POP, ONE_WAY)
    plain = W.rake(s, targets)
    assert plain.weights.max() / plain.weights.mean() > 1.8  # the bound below binds
    res = W.trim_and_rake(s, targets, lower=0.3, upper=1.8)
    ratio = res.weights / res.weights.mean()
    assert ratio.max() <= 1.8 + 1e-9 and ratio.min() >= 0.3 - 1e-9
    assert res.trimmed > 0 and res.max_error < 1e-10
    assert W.kish_deff(res.weights) < W.kish_deff(plain.weights)


def test_trimming_not_needed_returns_plain_rake():
    s = sample(60, seed=1)
    targets = W.population_margins(POP, ONE_WAY)
    res = W.trim_and_rake(s, targets, lower=0.2, upper=5)
    assert res.trimmed == 0
    np.testing.assert_allclose(res.weights, W.rake(s, targets).weights)


def test_trimming_bounds_conflicting_with_margins_are_widened_then_dropped():
    # with the two-way margins on 8 cells the weights are nearly pinned down: tight bounds conflict
    s = sample(60, seed=1)
    targets = W.population_margins(POP, TWO_WAY)
    res = W.trim_and_rake(s, targets, lower=0.5, upper=1.6, max_iter=300)
    assert res.rounds > 1 and res.trimmed > 0
    if res.bounds is not None:
        assert res.bounds[0] < 0.5 and res.bounds[1] > 1.6
        mean = res.weights.mean()
        assert res.weights.min() >= res.bounds[0] * mean * (1 - 1e-9)
        assert res.weights.max() <= res.bounds[1] * mean * (1 + 1e-9)
        assert "bounds widened" in res.trimming_note()
    else:
        assert "left untrimmed" in res.trimming_note()
    for cols, target in targets.items():  # the margins hold whatever the trimming
        got = res.weights.groupby([s[c] for c in cols]).sum()
        np.testing.assert_allclose(got.reindex(target.index).to_numpy(), target.to_numpy(), rtol=1e-8)
    untrimmed = W.trim_and_rake(s, targets, lower=0.5, upper=1.6, max_iter=300, widenings=0)
    assert untrimmed.bounds is None or untrimmed.bounds == (0.5, 1.6)
    with pytest.raises(ValueError, match="bounds"):
        W.trim_and_rake(s, W.population_margins(POP, ONE_WAY), lower=1.2, upper=3)


def test_kish_deff():
    assert W.kish_deff([2.0, 2.0, 2.0]) == pytest.approx(1.0)
    # w = (1, 3): mean 2, population sd 1, CV 0.5 -> 1 + 0.25
    assert W.kish_deff([1.0, 3.0]) == pytest.approx(1.25)
    w = np.array([1.0, 2.0, 2.0, 5.0])
    assert W.kish_deff(w) == pytest.approx(1 + (w.std() / w.mean()) ** 2)
    assert W.effective_sample_size([1.0, 3.0]) == pytest.approx(1.6)
    for bad in ([], [1.0, -1.0], [0.0, 0.0], [1.0, np.nan]):
        with pytest.raises(ValueError):
            W.kish_deff(bad)


def test_capped_raking_widens_its_bounds_by_two_until_they_fit_a_hand_worked_case():
    """One margin, group A: 1 respondent for 50 people, group B: 9 for 50 (n 10, total 100, mean weight 10).

    By hand: A's weight must be 50 (5 x the mean), B's 50/9 (0.556 x). Bounds 0.5-1.6 cannot hold A;
    widened once (0.25-3.2) still not; twice (0.125-6.4) they do: rounds 3, one respondent trimmed.
    """
    pop = pd.DataFrame({"g": ["A", "B"], "population": [50, 50]})
    s = pd.DataFrame({"g": ["A"] + ["B"] * 9})
    targets = W.population_margins(pop, (("g",),))
    res = W.trim_and_rake(s, targets, lower=0.5, upper=1.6)
    assert res.bounds == (0.125, 6.4) and res.rounds == 3 and res.trimmed == 1
    np.testing.assert_allclose(res.weights.to_numpy(), [50.0] + [50 / 9] * 9, rtol=1e-9)
    assert "bounds widened" in res.trimming_note()
    # Allowed one widening only, no bounds fit: the plain weights are kept and the note says so.
    once = W.trim_and_rake(s, targets, lower=0.5, upper=1.6, widenings=1)
    assert once.bounds is None and once.rounds == 3 and once.trimmed == 1
    assert "left untrimmed" in once.trimming_note()
    # Bounds that fit at once are not widened: A at 5 x, B at 0.556 x the mean are inside 0.5-5.5.
    fits = W.trim_and_rake(s, targets, lower=0.5, upper=5.5)
    assert fits.trimmed == 0 and fits.bounds is None


def test_kish_deff_of_unequal_weights_by_hand():
    # w = (50, 50/9 x 9): sum 100, sum of squares 2500 + 9 x 2500/81 = 2777.78; n = 10.
    # deff = n * sum(w^2) / (sum w)^2 = 10 * 2777.78 / 10000 = 2.7778 (exactly 25/9).
    assert W.kish_deff([50.0] + [50 / 9] * 9) == pytest.approx(25 / 9)


def _bounded_raking_conditions(s, targets, w, lower, upper):
    """The optimality conditions of bounded raking (equal starting weights), checked independently of the code.

    g = w / mean w solves min sum (g log g - g + 1) s.t. the margins and lower <= g <= upper iff the
    margins hold, the bounds hold, and log g = X eta for the units strictly inside the bounds, with
    X eta <= log(lower) at the lower bound and >= log(upper) at the upper bound.
    """
    for cols, target in targets.items():
        got = w.groupby([s[c] for c in cols]).sum()
        np.testing.assert_allclose(got.reindex(target.index).to_numpy(), target.to_numpy(), rtol=1e-10)
    g = (w / w.mean()).to_numpy()
    assert g.min() >= lower * (1 - 1e-12) and g.max() <= upper * (1 + 1e-12)
    x = pd.get_dummies(pd.concat([s[list(c)].astype(str).agg("|".join, axis=1) for c in targets], axis=1), dtype=float)
    x = x.to_numpy()
    low, high = np.isclose(g, lower, rtol=1e-9), np.isclose(g, upper, rtol=1e-9)
    free = ~(low | high)
    eta = np.linalg.lstsq(x[free], np.log(g[free]), rcond=None)[0]
    np.testing.assert_allclose(x[free] @ eta, np.log(g[free]), atol=1e-9)
    assert (x[low] @ eta <= np.log(lower) + 1e-7).all() and (x[high] @ eta >= np.log(upper) - 1e-7).all()
    return int(low.sum()), int(high.sum())


def test_trimmed_weights_are_polished_to_the_exact_bounded_raking_solution():
    s = sample(60, seed=1)
    targets = W.population_margins(POP, ONE_WAY)
    res = W.trim_and_rake(s, targets, lower=0.3, upper=1.8)
    assert res.at_bounds is not None and sum(res.at_bounds) > 0
    assert _bounded_raking_conditions(s, targets, res.weights, 0.3, 1.8) == res.at_bounds
    # the capped IPF alone stops near, not at, that solution: the polish moves it
    capped = W.rake(s, targets, bounds=(0.3 * res.weights.mean(), 1.8 * res.weights.mean()))
    assert not np.allclose(capped.weights, res.weights, rtol=1e-12, atol=0)


def test_polish_refuses_a_wrong_set_of_units_at_the_bounds():
    s = sample(60, seed=1)
    targets = W.population_margins(POP, ONE_WAY)
    plain = W.rake(s, targets).weights
    mean = plain.mean()
    # every weight at the upper bound is no solution: the margins cannot be met from there
    assert W.polish_bounded(s, targets, pd.Series(1.8 * mean, index=s.index), (0.3 * mean, 1.8 * mean)) is None
