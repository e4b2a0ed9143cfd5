"""Paired-proportion statistics (Newcombe method 10, McNemar, Cohen's h) against published values."""

import math

import pytest

from analysis.stats import proportions

# Newcombe RG (1998) "Improved confidence intervals for the difference between binomial proportions
# based on paired data", Statistics in Medicine 17:2635-2650, method-10 limits for the paper's
# illustrative tables (a, b, c, d) -> (lower, upper), 4 decimals.  Transcribed from the paper's table
# of 95% intervals as reproduced in two independent public implementations that self-test against it.
NEWCOMBE_1998_METHOD_10 = [
    ((36, 12, 2, 0), (0.0569, 0.3404)),
    ((20, 12, 2, 16), (0.0562, 0.3292)),
    ((18, 12, 2, 18), (0.0562, 0.3290)),
    ((36, 14, 0, 0), (0.1528, 0.4167)),
    ((35, 14, 0, 1), (0.1461, 0.4175)),
    ((18, 14, 0, 18), (0.1441, 0.3963)),
    ((2, 97, 1, 0), (0.8721, 0.9854)),
    ((1, 97, 1, 1), (0.8736, 0.9850)),
    ((0, 29, 1, 0), (0.6666, 0.9882)),
    ((2, 98, 0, 0), (0.9178, 0.9945)),
    ((1, 98, 0, 1), (0.9171, 0.9916)),
    ((0, 30, 0, 0), (0.8395, 1.0)),
    ((54, 0, 0, 0), (-0.0664, 0.0664)),
    ((53, 0, 0, 1), (-0.0729, 0.0729)),
    ((30, 0, 0, 24), (-0.0358, 0.0358)),
]


@pytest.mark.parametrize("table, expected", NEWCOMBE_1998_METHOD_10)
def test_newcombe_method_10_matches_the_paper(table, expected):
    r = proportions.newcombe_paired_difference(*table)
    a, b, c, d = table
    assert r.difference == pytest.approx((b - c) / sum(table))
    assert r.low == pytest.approx(expected[0], abs=1.5e-4)
    assert r.high == pytest.approx(expected[1], abs=1.5e-4)


def test_newcombe_matches_fagerland_lydersen_laake_cavo_example():
    # Fagerland, Lydersen & Laake (2017) Statistical Analysis of Contingency Tables, chapter 8:
    # complete response before/after consolidation therapy (Cavo et al. 2012), table [[59, 6], [16, 80]]:
    # Newcombe square-and-add interval: estimate -0.0621, 95% CI -0.1186 to -0.0046.
    r = proportions.newcombe_paired_difference(59, 6, 16, 80)
    assert round(r.difference, 4) == -0.0621
    assert round(r.low, 4) == -0.1186
    assert round(r.high, 4) == -0.0046


def test_newcombe_is_antisymmetric_and_rejects_bad_tables():
    r1 = proportions.newcombe_paired_difference(36, 12, 2, 0)
    r2 = proportions.newcombe_paired_difference(36, 2, 12, 0)
    assert r2.difference == pytest.approx(-r1.difference)
    assert r2.low == pytest.approx(-r1.high)
    with pytest.raises(ValueError):
        proportions.newcombe_paired_difference(0, 0, 0, 0)
    with pytest.raises(ValueError):
        proportions.newcombe_paired_difference(1, -1, 0, 0)
    with pytest.raises(ValueError):
        proportions.newcombe_paired_difference(1.5, 1, 0, 0)


def test_mcnemar_exact_is_the_binomial_test_on_discordant_pairs():
    # 9 vs 2 discordant pairs: two-sided exact p = 2 * P(X <= 2 | n = 11, p = 1/2) = 2 * 67 / 2048
    assert proportions.mcnemar_exact(9, 2) == pytest.approx(2 * (1 + 11 + 55) / 2048)
    assert proportions.mcnemar_exact(0, 0) == 1.0
    assert proportions.mcnemar_exact(5, 5) == pytest.approx(1.0)
    with pytest.raises(ValueError):
        proportions.mcnemar_exact(-1, 3)


def test_cohens_h():
    # Cohen (1988): h = phi1 - phi2 with phi = 2 arcsin sqrt(p); 0.98 vs 0.32
    assert proportions.cohens_h(0.98, 0.32) == pytest.approx(
        2 * math.asin(math.sqrt(0.98)) - 2 * math.asin(math.sqrt(0.32))
    )
    # Cohen's table: p = 0.5 -> phi = 1.5708; p = 0.25 -> 1.0472; h = 0.5236
    assert proportions.cohens_h(0.5, 0.25) == pytest.approx(0.5236, abs=1e-4)
    assert proportions.cohens_h(0.3, 0.3) == 0.0
    with pytest.raises(ValueError):
        proportions.cohens_h(1.2, 0.3)


# --- mutants the mutation run (make mutation) left alive: hand-worked values --------------------------------


def test_mcnemar_exact_by_hand():
    from analysis.stats.proportions import mcnemar_exact

    # b=1, c=6: two-sided exact = 2 * P(X <= 1), X ~ Bin(7, 1/2) = 2 * (1 + 7) / 128 = 0.125
    # (the chi-square with continuity correction would give (|1-6|-1)^2/7 = 2.286, p = 0.131)
    assert mcnemar_exact(1, 6) == pytest.approx(0.125, abs=1e-12)
    assert mcnemar_exact(6, 1) == pytest.approx(0.125, abs=1e-12)
    # b=0, c=5: 2 * (1/2)^5 = 0.0625
    assert mcnemar_exact(0, 5) == pytest.approx(0.0625, abs=1e-12)
    assert mcnemar_exact(0, 0) == 1.0
    with pytest.raises(ValueError, match="non-negative, got b=-1, c=2"):
        mcnemar_exact(-1, 2)


def test_cohens_h_at_the_ends_of_the_range_by_hand():
    from analysis.stats.proportions import cohens_h

    assert cohens_h(0.0, 1.0) == pytest.approx(-math.pi)  # 2 asin(0) - 2 asin(1)
    assert cohens_h(1.0, 0.0) == pytest.approx(math.pi)
    assert cohens_h(0.5, 0.5) == 0.0
    for bad in (1.5, -0.1):
        with pytest.raises(ValueError, match=r"proportion out of \[0, 1\]"):
            cohens_h(bad, 0.5)
