import pandas as pd
import pytest

from analysis.subjects import review


@pytest.fixture
def frame():
    return pd.DataFrame(
        {
            "unit": ["U1", "U2", "U2", "U3", "U3", "U4", "U5", "U5"],
            "round": [1, 1, 2, 1, 2, 1, 1, 2],
            "score": [91.0, 76.5, 84.0, 78.0, 79.0, 70.0, 85.0, 90.0],
            "raters": [30, 25, 25, 20, 20, 15, 22, 22],
        }
    )


def test_outcomes_against_the_redo_mark(frame):
    o = review.outcomes(frame, redo_mark=80).set_index("unit")["status"]
    assert o["U1"] == "passed first round"
    assert o["U2"] == "redid and passed"
    assert o["U3"] == "redid and still below"
    assert o["U4"] == "below the mark but no redo recorded"
    assert o["U5"] == "redid although at or above the mark"
    s = review.summary(review.outcomes(frame, 80))
    assert (s.units, s.below_mark, s.redid, s.passed_on_redo) == (5, 3, 3, 1)


def test_redo_mark_is_a_parameter(frame):
    assert review.summary(review.outcomes(frame, redo_mark=75)).below_mark == 1
    assert review.summary(review.outcomes(frame, redo_mark=95)).below_mark == 5


def test_failure_cases(frame):
    with pytest.raises(KeyError):
        review.outcomes(frame.drop(columns="raters"), 80)
    with pytest.raises(ValueError):
        review.outcomes(pd.concat([frame, frame.iloc[[0]]]), 80)


def test_review_figure_for_a_province_is_a_histogram_not_a_row_per_unit():
    import numpy as np
    import pandas as pd

    from analysis.plotting.distributions import MAX_UNITS_LISTED, unit_scores_figure

    rng = np.random.default_rng(0)
    n = MAX_UNITS_LISTED * 5
    outcome = pd.DataFrame({"unit": [f"u{i}" for i in range(n)], "score_round1": rng.normal(86, 5, n)})
    outcome["redid"] = outcome["score_round1"] < 80
    outcome["score_round2"] = np.where(outcome["redid"], 85.0, np.nan)
    fig = unit_scores_figure(outcome, 80)
    assert fig.get_size_inches()[1] < 10
    assert fig.axes[0].get_ylabel() == "Units"
