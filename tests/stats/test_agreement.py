import numpy as np
import pandas as pd
import pytest

from analysis.stats import agreement


def test_kappa_wikipedia_worked_example():
    # Wikipedia "Cohen's kappa", worked example: 50 grant proposals, Yes/Yes 20, Yes/No 5,
    # No/Yes 10, No/No 15: p_o = 0.7, p_e = 0.5, kappa = 0.4.
    r = agreement.kappa([[20, 5], [10, 15]])
    assert r.kappa == pytest.approx(0.4)
    assert r.observed_agreement == pytest.approx(0.7) and r.expected_agreement == pytest.approx(0.5)
    # Interval: R psych::cohen.kappa(matrix(c(20, 10, 5, 15), 2)) prints 0.15 .. 0.65
    # (Fleiss, Cohen & Everitt 1969 large-sample variance)
    assert (r.ci_low, r.ci_high) == pytest.approx((0.151092290476661, 0.6489077095233389), abs=1e-9)
    assert r.n == 50


def test_kappa_perfect_and_failures():
    assert agreement.kappa(np.diag([5, 7, 3])).kappa == pytest.approx(1.0)
    with pytest.raises(ValueError, match="square"):
        agreement.kappa([[1, 2, 3], [4, 5, 6]])
    with pytest.raises(ValueError, match="empty"):
        agreement.kappa([[0, 0], [0, 0]])


def test_agreement_table_keeps_all_categories_and_drops_uncoded():
    first = pd.Series(["a", "b", "a", "a", None])
    second = pd.Series(["a", "a", "a", None, "b"])
    t = agreement.agreement_table(first, second, ["a", "b", "c"])
    assert t.shape == (3, 3) and t.to_numpy().sum() == 3
    assert t.loc["a", "a"] == 2 and t.loc["b", "a"] == 1
    with pytest.raises(ValueError, match="outside"):
        agreement.agreement_table(pd.Series(["z"]), pd.Series(["a"]), ["a", "b"])
    with pytest.raises(ValueError, match="no item"):
        agreement.agreement_table(pd.Series([None]), pd.Series(["a"]))


def test_alpha_by_hand_and_feldt_interval():
    # items x = (1,2,3,4,5), y = x + (0,1,0,1,0) = (1,3,3,5,5): var x 2.5, var y 2.8,
    # x + y = (2,5,6,9,10), var 10.3: alpha = 2 (1 - 5.3 / 10.3) = 0.970874
    x = np.array([1, 2, 3, 4, 5.0])
    items = pd.DataFrame({"x": x, "y": x + [0, 1, 0, 1, 0]})
    r = agreement.cronbach_alpha(items)
    assert r.alpha == pytest.approx(2 * (1 - 5.3 / 10.3))
    # Feldt: F quantiles on (n-1, (n-1)(k-1)) = (4, 4) degrees of freedom; R: qf(0.975, 4, 4) = 9.60453
    assert r.ci_low == pytest.approx(1 - (1 - r.alpha) * 9.6045299, rel=1e-6)
    assert r.ci_high == pytest.approx(1 - (1 - r.alpha) / 9.6045299, rel=1e-6)
    assert (r.n, r.k) == (5, 2)


def test_alpha_listwise_and_failures():
    items = pd.DataFrame({"a": [1, 2, 3, np.nan, 5], "b": [2, 2, 4, 4, 5], "c": [1, 3, 3, 4, 4]})
    assert agreement.cronbach_alpha(items).n == 4
    with pytest.raises(ValueError, match="two items"):
        agreement.cronbach_alpha(items[["a"]])
    with pytest.raises(ValueError, match="three complete"):
        agreement.cronbach_alpha(items.iloc[:2])
    with pytest.raises(ValueError, match="no variance"):
        agreement.cronbach_alpha(pd.DataFrame({"a": [1, 1, 1], "b": [2, 2, 2]}))


def test_kappa_interval_clipped_to_one():
    r = agreement.kappa([[5, 0], [1, 6]])
    assert r.ci_high == 1.0 and r.ci_low < r.kappa < 1


def test_pairwise_standardised_alpha_by_hand_and_with_missing_answers():
    import numpy as np
    import pandas as pd
    import pytest

    from analysis.stats.agreement import pairwise_standardised_alpha

    rng = np.random.default_rng(5)
    common = rng.normal(size=300)
    items = pd.DataFrame({f"q{j}": common + rng.normal(size=300) for j in range(4)})
    complete = pairwise_standardised_alpha(items)
    r = np.corrcoef(items.to_numpy(), rowvar=False)
    rbar = r[np.triu_indices(4, 1)].mean()
    assert complete.alpha == pytest.approx(4 * rbar / (1 + 3 * rbar), rel=1e-12)
    assert complete.mean_r == pytest.approx(rbar) and complete.min_pair_n == complete.max_pair_n == 300
    # a missing answer drops the respondent from its pairs only (the listwise alpha would drop the respondent)
    holes = items.copy()
    holes.iloc[:50, 0] = np.nan
    holes.iloc[50:80, 1] = np.nan
    p = pairwise_standardised_alpha(holes)
    pair01 = holes[["q0", "q1"]].dropna()
    assert p.min_pair_n == len(pair01) == 220 and p.max_pair_n == 300 and p.any_item_n == 300
    r01 = np.corrcoef(pair01["q0"], pair01["q1"])[0, 1]
    r = holes.corr().to_numpy()
    assert r[0, 1] == pytest.approx(r01)
    assert p.alpha == pytest.approx(4 / 3 * (1 - 4 / r.sum()), rel=1e-12)
    with pytest.raises(ValueError, match="at least two items"):
        pairwise_standardised_alpha(items[["q0"]])
