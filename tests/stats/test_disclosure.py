"""Disclosure control: small cells hidden, and no hidden cell recoverable from the totals.

The recoverability check here is independent of the one inside `protect`: for each suppressed
cell we build an explicit second table that agrees with the published one on every visible
cell and every row, column and grand total, yet differs in that cell (a direction in the null
space of the margin equations).  If such a table exists, the cell cannot be recomputed.
"""

import itertools

import numpy as np
import pandas as pd
import pytest
from scipy.linalg import null_space

from analysis.stats import disclosure


def published_alternative(counts: np.ndarray, hidden: np.ndarray, cell: tuple[int, int]) -> np.ndarray | None:
    """A table with the same visible cells and margins as ``counts`` but a different ``cell``, or None."""
    r, c = counts.shape
    idx = np.flatnonzero(hidden.ravel())
    rows = []
    if c > 1:
        rows += [[1.0 if divmod(i, c)[0] == k else 0.0 for i in idx] for k in range(r)]
    if r > 1:
        rows += [[1.0 if divmod(i, c)[1] == k else 0.0 for i in idx] for k in range(c)]
    rows.append([1.0] * idx.size)
    basis = null_space(np.array(rows))
    j = list(idx).index(cell[0] * c + cell[1])
    if basis.size == 0 or np.abs(basis[j]).max() < 1e-9:
        return None
    direction = basis[:, np.abs(basis[j]).argmax()]
    alt = counts.astype(float).ravel().copy()
    alt[idx] += direction
    return alt.reshape(r, c)


def hidden_mask(protected: pd.DataFrame) -> np.ndarray:
    return protected.map(disclosure.is_suppressed).to_numpy()


def assert_safe(counts: np.ndarray, protected: pd.DataFrame):
    hidden = hidden_mask(protected)
    assert hidden[counts < 10].all(), "every cell below 10 must be hidden"
    for cell in zip(*np.nonzero(hidden)):
        alt = published_alternative(counts, hidden, cell)
        assert alt is not None, f"cell {cell} can be recomputed from the totals"
        # same visible cells, same totals, different hidden cell
        np.testing.assert_allclose(alt[~hidden], counts[~hidden])
        # row totals are published only for tables with several columns, and vice versa
        if counts.shape[0] > 1:
            np.testing.assert_allclose(alt.sum(0), counts.sum(0))
        if counts.shape[1] > 1:
            np.testing.assert_allclose(alt.sum(1), counts.sum(1))
        assert alt.sum() == pytest.approx(counts.sum())
        assert abs(alt[cell] - counts[cell]) > 1e-6


def test_single_small_cell_gets_three_partners():
    counts = np.array([[40, 35, 50], [30, 3, 60], [25, 44, 70]])
    t = pd.DataFrame(counts, index=list("abc"), columns=list("xyz"))
    p = disclosure.protect(t)
    assert p.loc["b", "y"] == "<10"
    assert (p.to_numpy() == "x").sum() == 3  # a 2x2 rectangle is the minimum pattern
    assert_safe(counts, p)
    assert p.dtypes.eq(object).all()
    assert p.loc["a", "x"] == 40


def test_zero_is_suppressed_and_unsafe_naive_pattern_detected():
    counts = np.array([[0, 20, 30], [15, 25, 35]])
    p = disclosure.protect(pd.DataFrame(counts))
    assert p.iat[0, 0] == "<10"
    assert_safe(counts, p)
    # the naive pattern "only the small cell" is recoverable: the helper must say so
    naive = np.zeros_like(counts, dtype=bool)
    naive[0, 0] = True
    assert disclosure.recoverable_cells(naive) == [(0, 0)]
    assert published_alternative(counts, naive, (0, 0)) is None


def test_one_small_cell_per_row_in_same_column_needs_more():
    # two small cells in one column: hiding just them leaves each recoverable from its row total
    counts = np.array([[5, 40, 41], [6, 50, 52], [70, 80, 90]])
    p = disclosure.protect(pd.DataFrame(counts))
    assert_safe(counts, p)


def test_single_column_table():
    counts = np.array([[120], [4], [300], [55]])
    p = disclosure.protect(pd.DataFrame(counts, columns=["n"]))
    assert p.iat[1, 0] == "<10"
    assert p.iat[3, 0] == "x"  # smallest other cell protects it from the column total
    assert_safe(counts, p)


@pytest.mark.parametrize("seed", range(25))
def test_random_tables_are_safe(seed):
    rng = np.random.default_rng(seed)
    counts = rng.integers(0, 40, size=(rng.integers(2, 6), rng.integers(2, 6)))
    assert_safe(counts, disclosure.protect(pd.DataFrame(counts)))


def test_labels_pass_through_and_count_columns_choose():
    t = pd.DataFrame({"unit": ["A", "B", "C"], "passed": [30, 2, 40], "failed": [12, 11, 13]})
    p = disclosure.protect(t, count_columns=["passed", "failed"])
    assert list(p["unit"]) == ["A", "B", "C"]
    assert p.loc[1, "passed"] == "<10"
    assert_safe(t[["passed", "failed"]].to_numpy(), p[["passed", "failed"]])


def test_nothing_small_nothing_hidden():
    t = pd.DataFrame({"a": [10, 20], "b": [30, 40]})
    p = disclosure.protect(t)
    assert not hidden_mask(p).any()
    assert p.iat[0, 0] == 10


def test_failures():
    with pytest.raises(ValueError, match="missing"):
        disclosure.protect(pd.DataFrame({"a": [1.0, None], "b": [20, 30]}))
    with pytest.raises(ValueError, match="non-negative"):
        disclosure.protect(pd.DataFrame({"a": [-1, 20], "b": [20, 30]}))
    with pytest.raises(KeyError):
        disclosure.protect(pd.DataFrame({"a": [1, 2]}), count_columns=["zz"])
    with pytest.raises(ValueError, match="too small"):
        disclosure.protect(pd.DataFrame({"a": [3]}))


def test_threshold_parameter_changes_marker():
    p = disclosure.protect(pd.DataFrame({"a": [4, 50, 60], "b": [70, 80, 90]}), threshold=5)
    assert p.iat[0, 0] == "<5"


def test_one_threshold_for_tables_and_text():
    assert disclosure.THRESHOLD == 10 and disclosure.primary_marker() == "<10"
    assert disclosure.protect(pd.DataFrame({"a": [9, 50, 60], "b": [70, 80, 90]})).iat[0, 0] == "<10"
    assert disclosure.count_text(10) == "10"
    assert disclosure.count_text(9) == "fewer than 10"
    assert disclosure.count_text(0) == "fewer than 10"  # a zero ("none failed") reveals as much as a 3


def test_protect_rates_hides_small_denominators_and_their_partners():
    den = pd.DataFrame({"r1": [50, 8, 40], "r2": [60, 70, 45]}, index=list("abc"))
    num = pd.DataFrame({"r1": [25, 4, 20], "r2": [30, 35, 9]}, index=list("abc"))
    out = disclosure.protect_rates(num, den)
    assert out.loc["b", "r1"] == "<10"
    hidden = hidden_mask(out)
    assert hidden.sum() >= 4
    assert_safe(den.to_numpy(), out)
    # By hand: b/r1 (8) is hidden; its partners form the cheapest rectangle, rows b and c
    # (8 + 70 + 40 + 45 = 163 people hidden, against 8 + 70 + 50 + 60 = 188 with row a).
    assert hidden.tolist() == [[False, False], [True, True], [True, True]]
    assert out.loc["a", "r1"] == pytest.approx(25 / 50) and out.loc["a", "r2"] == pytest.approx(30 / 60)
    with pytest.raises(ValueError, match="exceeds"):
        disclosure.protect_rates(den, num)
    with pytest.raises(ValueError, match="same rows"):
        disclosure.protect_rates(num.iloc[:2], den)


def test_every_2x2_pattern_of_single_suppression_is_fixed():
    for r, c in itertools.product(range(3), range(3)):
        counts = np.full((3, 3), 50)
        counts[r, c] = 1
        assert_safe(counts, disclosure.protect(pd.DataFrame(counts)))


def test_protect_estimates_hides_estimates_of_small_bases():
    t = pd.DataFrame({"group": ["a", "b", "c"], "n": [120, 6, 40], "share": [0.5, 1.0, 0.25]})
    p = disclosure.protect_estimates(t, "n", ["share"])
    assert p.loc[1, "n"] == "<10" and p.loc[1, "share"] == "<10"
    assert p.loc[2, "n"] == "x" and p.loc[2, "share"] == "x"  # else 6 = 166 - 120 - 40
    assert p.loc[0, "share"] == 0.5 and p.loc[0, "group"] == "a"
    with pytest.raises(KeyError):
        disclosure.protect_estimates(t, "zz")


@pytest.mark.parametrize("seed", range(40))
def test_graph_check_agrees_with_linear_algebra(seed):
    """recoverable_cells (bridges of the row-column graph) == cells with no null-space freedom."""
    rng = np.random.default_rng(seed)
    shape = (int(rng.integers(1, 6)), int(rng.integers(1, 6)))
    hidden = rng.random(shape) < rng.uniform(0.1, 0.7)
    counts = rng.integers(0, 50, size=shape)
    expected = {
        (int(r), int(c))
        for r, c in zip(*np.nonzero(hidden))
        if published_alternative(counts, hidden, (int(r), int(c))) is None
    }
    assert set(disclosure.recoverable_cells(hidden)) == expected


def test_province_sized_table_is_protected():
    # 1,600 units: the size of a scale-100 bureau table (the linear-algebra check took minutes here).
    rng = np.random.default_rng(1)
    counts = rng.integers(0, 40, size=(1600, 3))
    protected = disclosure.protect(pd.DataFrame(counts, columns=list("abc")))
    hidden = hidden_mask(protected)
    assert hidden[counts < 10].all() and not disclosure.recoverable_cells(hidden)
