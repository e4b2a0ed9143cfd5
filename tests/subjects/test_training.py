"""Training credits on tiny frames: averages, the pass-mark rule as a parameter, May check, bunching, funnel."""

import pandas as pd
import pytest
from scipy import stats

from analysis.subjects import training, training_text


@pytest.fixture
def roster():
    return pd.DataFrame(
        {
            "officer_id": ["A", "B", "C", "D"],
            "unit": ["U1", "U1", "U2", "U2"],
            "cadre_candidate": [True, True, False, True],
        }
    )


@pytest.fixture
def credits():
    rows = [
        ("A", "2004-01", "c1", 60),
        ("A", "2004-03", "c2", 70),
        ("A", "2004-07", "c3", 95),  # May avg 65, year 75
        ("B", "2004-02", "c1", 80),
        ("B", "2004-05", "c2", 72),
        ("B", "2004-09", "c3", 40),  # May avg 76, year 64
        ("C", "2004-02", "c1", 50),
        ("C", "2004-04", "c2", 55),  # not a candidate
        ("D", "2004-06", "c1", 90),  # no score by May
    ]
    f = pd.DataFrame(rows, columns=["officer_id", "month", "course", "score"])
    f["score"] = f["score"].astype("Int64")
    f["course_type"] = "public"
    return f


def test_annual_averages(credits):
    a = training.annual_averages(credits).set_index("officer_id")["average"]
    assert a["A"] == pytest.approx(75) and a["B"] == pytest.approx(64) and a["C"] == pytest.approx(52.5)


def test_may_scores_only_candidates_through_may(credits, roster):
    m = training.may_scores(credits, roster).set_index("officer_id")["average"]
    assert set(m.index) == {"A", "B"}
    assert m["A"] == pytest.approx(65) and m["B"] == pytest.approx(76)


def test_cutoff_follows_the_parameter(credits, roster):
    s70 = training.cutoff_summary(credits, roster, pass_mark=70)
    s75 = training.cutoff_summary(credits, roster, pass_mark=75)
    assert (s70.below, s70.candidates_disqualified) == (2, 1)  # B, C ; A
    assert (s75.below, s75.candidates_disqualified) == (2, 1)  # A at 75 is not below
    s80 = training.cutoff_summary(credits, roster, pass_mark=80)
    assert (s80.below, s80.candidates_disqualified) == (3, 2)


def test_bunching_test_exact_binomial():
    values = [70] * 12 + [70.5] * 3 + [69] * 4 + [69.9] + [50, 90]
    r = training.bunching_test(values, 70)
    assert (r.at, r.below) == (15, 5)
    assert r.p_value == pytest.approx(stats.binomtest(15, 20, 0.5, alternative="greater").pvalue)
    assert r.p_value < 0.05
    flat = training.bunching_test([69] * 10 + [70] * 10, 70)
    assert flat.p_value > 0.5
    empty = training.bunching_test([10, 20], 70)
    assert empty.at == 0 and empty.below == 0


def test_unit_funnel_and_failure_cases(credits, roster):
    u = training.unit_shares(credits, roster, 70).set_index("unit")
    assert (u.loc["U1", "meets"], u.loc["U1", "below"]) == (1, 1)
    f = training.unit_funnel_table(credits, roster, 70)
    assert not f["shown"].any()  # every unit has fewer than 10 above or below
    with pytest.raises(KeyError):
        training.annual_averages(credits.drop(columns="score"))


def test_distribution_bins():
    b = training.distribution_bins([69.5, 70, 70.9, 100], lo=60, hi=100).set_index("points")["count"]
    w = training.distribution_bins([67.9, 68, 69.9, 70, 71.9, 72], lo=60, hi=100, width=2, anchor=70).set_index(
        "points"
    )["count"]
    assert (w[66], w[68], w[70], w[72]) == (1, 2, 2, 1)
    with pytest.raises(ValueError):
        training.distribution_bins([1], width=0)
    assert b[69] == 1 and b[70] == 2 and b[100] == 1 and b.sum() == 4


def test_course_level_funnel(credits, roster):
    c = training.unit_course_shares(credits, roster, 70).set_index("unit")
    assert (c.loc["U1", "results"], c.loc["U1", "below"]) == (6, 2)  # A 60, B 40
    f = training.unit_funnel_table(credits, roster, 70, level="course")
    assert set(f["unit"]) == {"U1", "U2"}
    with pytest.raises(ValueError):
        training.unit_funnel_table(credits, roster, 70, level="month")


# --- the notebook, executed for real ------------------------------------------------------------

from test_fitness import _needs_processed, assert_nothing_disclosed, outputs_text, run_notebook  # noqa: E402

from analysis.core import paths  # noqa: E402
from analysis.stats.disclosure import count_text  # noqa: E402

NOTEBOOK = paths.NOTEBOOKS / "40_training_and_review.ipynb"


def _below_line(text: str) -> str:
    return next(line for line in text.splitlines() if line.startswith("Officers with an annual average"))


@pytest.mark.slow
def test_training_notebook_defaults_and_disclosure(demo_batch):
    """The notebook at its defaults, as the demo batch executed it (English report): not run again here."""
    nb = demo_batch.executed("training.en")
    assert_nothing_disclosed(nb, demo_batch.processed, demo_batch.raw)
    text = outputs_text(nb)
    assert "Pass mark: 70 points" in text and "Redo mark 80" in text
    assert "difficult cases decided collectively" in text


@pytest.mark.slow
def test_training_notebook_follows_the_pass_mark(tmp_path):
    _needs_processed()
    import pandas as pd

    credits = pd.read_parquet(paths.PROCESSED / "training_credits.parquet")
    roster = pd.read_parquet(paths.PROCESSED / "officer_roster.parquet")
    reviews = pd.read_parquet(paths.PROCESSED / "democratic_review.parquet")
    nb = run_notebook(NOTEBOOK, tmp_path, pass_mark=75, redo_mark=85)
    text = outputs_text(nb)
    assert "Pass mark: 75 points" in text and "Pass mark: 70" not in text
    expected = training.cutoff_summary(credits, roster, 75)
    assert f"below the mark: {count_text(expected.below)}" in _below_line(text)
    assert f"(disqualified): {expected.candidates_disqualified}" in text
    from analysis.subjects import review

    s = review.summary(review.outcomes(reviews, 85))
    assert f"Redo mark 85: {s.units} units reviewed, {s.below_mark} below the mark" in text
    assert_nothing_disclosed(nb)


@pytest.mark.slow
def test_training_notebook_for_the_smallest_unit(tmp_path):
    """The smallest unit: every count is small, some data sets have no rows for it; nothing may leak or fail."""
    _needs_processed()
    import pandas as pd

    roster = pd.read_parquet(paths.PROCESSED / "officer_roster.parquet")
    unit = roster["unit"].value_counts().index[-1]
    nb = run_notebook(NOTEBOOK, tmp_path, unit=unit)
    assert_nothing_disclosed(nb)
    from analysis.i18n import label

    assert label("unit", unit) in outputs_text(nb)  # the report names its unit (in the key points' heading)


def test_summary_text_hides_small_counts_but_keeps_published_disqualified(credits, roster):
    s = training.cutoff_summary(credits, roster, 70)
    text = training_text.summary_text(s, training.bunching_test([70, 69], 70), training.bunching_test([10], 70))
    assert "below the mark: fewer than 10" in text
    assert "(disqualified): 1" in text  # bureau-wide: the report publishes this count
    assert "no test possible" in text
    unit_text = training_text.summary_text(
        s, training.bunching_test([70, 69], 70), training.bunching_test([10], 70), whole_bureau=False
    )
    assert "(disqualified): fewer than 10" in unit_text
    assert "Bunching, course scores: 1 at 70 vs 1 at 69 (exact binomial one-sided p = 0.75)" in text


def test_a_candidate_exactly_at_the_mark_is_not_disqualified():
    """The rule is "below 70", not "70 or below": by hand, E's May average (68 + 72) / 2 = 70 keeps E
    eligible, F's (69 + 70) / 2 = 69.5 does not; over the year E stays at 70 and F's 69.5 is below."""
    roster = pd.DataFrame({"officer_id": ["E", "F"], "unit": ["U1", "U1"], "cadre_candidate": [True, True]})
    credits = pd.DataFrame(
        [
            ("E", "2004-02", "c1", 68),
            ("E", "2004-04", "c2", 72),
            ("F", "2004-01", "c1", 69),
            ("F", "2004-05", "c2", 70),
        ],
        columns=["officer_id", "month", "course", "score"],
    ).assign(course_type="public")
    s = training.cutoff_summary(credits, roster, 70)
    assert (s.candidates, s.candidates_disqualified) == (2, 1)
    assert (s.officers, s.below) == (2, 1)
    assert training.below_cutoff(training.annual_averages(credits), 70)["officer_id"].tolist() == ["F"]
