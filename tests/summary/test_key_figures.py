"""Key figures: computed from processed data, with their status against the published value."""

from __future__ import annotations

import math

import pytest

from analysis.core.reference import published_figures
from analysis.data.cleaning import clean_all
from analysis.summary.key_figures import COLUMNS, FIGURES, compute_key_figures, matches
from minimal_raw import write_minimal_raw


def test_a_function_for_every_published_id():
    assert set(published_figures()["id"]) == set(FIGURES)


@pytest.mark.parametrize(
    "value, published, relation, expected",
    [
        (0.32, 0.32, "exact", True),
        (96 / 300, 0.32, "exact", True),
        (0.3249, 0.32, "exact", True),
        (0.3251, 0.32, "exact", False),
        (0.996, 1.0, "exact", False),
        (1.0, 1.0, "exact", True),
        (114 / 166, 0.6867, "approx", True),
        (0.6869, 0.6867, "approx", False),
        (13000, 13000, "at_least", True),
        (13250, 13000, "at_least", True),
        (12999, 13000, "at_least", False),
        (6464, 6464, "exact", True),
        (6463, 6464, "exact", False),
        (math.nan, 5, "exact", False),
    ],
)
def test_matches(value, published, relation, expected):
    unit = "proportion" if isinstance(published, float) and published <= 1 else "count"
    assert matches(value, published, relation, unit) is expected


def test_key_figures_from_a_tiny_processed_set(tmp_path):
    raw = write_minimal_raw(tmp_path / "raw")
    clean_all(raw, tmp_path / "p")
    table = compute_key_figures(tmp_path / "p").set_index("id")
    assert list(table.reset_index().columns) == COLUMNS
    assert table.at["survey.distributed", "value"] == 90
    assert table.at["survey.return_rate", "numerator"] == 4 and table.at["survey.return_rate", "denominator"] == 90
    low, high = table.at["survey.return_rate", "ci_low"], table.at["survey.return_rate", "ci_high"]
    assert low < 4 / 90 < high
    assert table.at["opinions.rectified", "value"] == 1 and not table.at["opinions.rectified", "matches"]
    # officer 321002 (not a cadre candidate) scored 69 in May; officer 321001 (a candidate) 82.
    assert table.at["training.cadre_candidates_disqualified", "value"] == 0
    # Each officer has a row for only one of the two items tested in round 1: neither passed.
    assert table.at["fitness.pass_rate_baseline", "value"] == 0.0
    assert table.at["fitness.pass_rate_baseline", "denominator"] == 2
    assert table.at["traffic.open_letters", "value"] == 100


def test_redo_mark_is_held_against_the_review_data(tmp_path):
    review = [{"unit": "Anyi Police Station", "round": "1", "score": "75", "raters": "40"}]
    raw = write_minimal_raw(tmp_path / "raw", rows={"democratic_review": review})
    clean_all(raw, tmp_path / "p")
    table = compute_key_figures(tmp_path / "p").set_index("id")
    assert math.isnan(table.at["review.redo_mark", "value"]), "a unit below 80 that did not redo breaks the rule"
    assert not table.at["review.redo_mark", "matches"]
