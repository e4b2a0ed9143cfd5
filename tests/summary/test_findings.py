import types

import numpy as np
import pandas as pd
import pytest

from analysis.stats.survival import KMMedian
from analysis.subjects import survey
from analysis.subjects.opinions import TimeToRectification
from analysis.summary import findings


def _only(key: str) -> dict:
    """Placeholder frames for one finding's data sets, None (missing) for every other's.

    The patched subject functions below ignore the placeholders' contents."""
    frames = {name: None for needs in findings.NEEDS.values() for name in needs}
    return frames | {name: pd.DataFrame({"x": [1]}) for name in findings.NEEDS[key]}


def _patch(monkeypatch, module, **functions):
    """Replace functions of a real subject module for one test (the findings' text is what is tested)."""
    for key, value in functions.items():
        monkeypatch.setattr(module, key, value)


def test_missing_data_is_named_and_shows_no_number():
    frames = {name: None for needs in findings.NEEDS.values() for name in needs}
    out = findings.what_the_data_adds(frames)
    assert [f.key for f in out] == list(findings.FINDINGS)
    for f in out:
        assert not f.available and f.text.startswith(findings.NOT_AVAILABLE + ": no processed data for ")
        assert not any(ch.isdigit() for ch in f.text)
        assert "not-available" in f.to_html()
    frames = _only("fitness_roster")
    frames["fitness_tests"] = None
    f = findings.what_the_data_adds(frames)[0]
    assert not f.available and f.text == "Not yet available: no processed data for fitness_tests."


def test_a_bug_in_a_subject_function_raises_instead_of_reading_as_missing_data(monkeypatch):
    def broken(tests, roster):
        raise TypeError("unsupported operand")

    _patch(monkeypatch, findings.fitness, pass_rates=broken)
    with pytest.raises(TypeError, match="unsupported operand"):
        findings.what_the_data_adds(_only("fitness_roster"))
    _patch(monkeypatch, findings.fitness, pass_rates=lambda tests, roster: pd.DataFrame({"round": [1]}))
    with pytest.raises(KeyError):  # a frame without the columns the finding reads: a bug, not missing data
        findings.what_the_data_adds(_only("fitness_roster"))


def test_no_rounds_is_not_available(monkeypatch):
    _patch(monkeypatch, findings.fitness, pass_rates=lambda tests, roster: pd.DataFrame())
    f = findings.what_the_data_adds(_only("fitness_roster"))[0]
    assert not f.available and f.text == "Not yet available: no fitness test rounds in the data."


def test_fitness_finding_uses_both_denominators(monkeypatch):
    rates = pd.DataFrame(
        {
            "round": [1, 6],
            "on_roster": [250, 252],
            "tested": [200, 240],
            "passed": [64, 235],
            "rate_tested": [0.32, 235 / 240],
            "rate_tested_low": [0.26, 0.95],
            "rate_tested_high": [0.39, 0.99],
            "rate_roster": [64 / 250, 235 / 252],
            "rate_roster_low": [0.20, 0.90],
            "rate_roster_high": [0.31, 0.96],
        }
    )
    _patch(monkeypatch, findings.fitness, pass_rates=lambda tests, roster: rates.iloc[::-1])
    f = findings.what_the_data_adds(_only("fitness_roster"))[0]
    assert f.available
    assert "97.9% of the 240 officers tested" in f.text  # 235/240
    assert "the 12 not tested" in f.text and "93.3%" in f.text  # 252 - 240; 235/252
    assert "32.0% of those tested and 25.6% of the roster" in f.text
    assert f.table["Round"].tolist() == [1, 6]


def test_small_untested_count_is_not_printed(monkeypatch):
    rates = pd.DataFrame(
        {
            "round": [1],
            "on_roster": [100],
            "tested": [97],
            "passed": [90],
            "rate_tested": [90 / 97],
            "rate_tested_low": [0.86],
            "rate_tested_high": [0.96],
            "rate_roster": [0.9],
            "rate_roster_low": [0.82],
            "rate_roster_high": [0.94],
        }
    )
    _patch(monkeypatch, findings.fitness, pass_rates=lambda tests, roster: rates)
    f = findings.fitness_roster_denominator(pd.DataFrame(), pd.DataFrame())
    assert "fewer than 10 not tested" in f.text and " 3 not tested" not in f.text
    # the one small-count rule: none untested is hidden too ("everyone was tested" reveals as much)
    _patch(monkeypatch, findings.fitness, pass_rates=lambda tests, roster: rates.assign(tested=[100]))
    f = findings.fitness_roster_denominator(pd.DataFrame(), pd.DataFrame())
    assert "fewer than 10 not tested" in f.text and " 0 not tested" not in f.text


def _ttr(n, events, median, low, high):
    return TimeToRectification(km=pd.DataFrame(), median=KMMedian(median, low, high), n=n, events=events)


def test_rectification_median_and_not_reached(monkeypatch):
    seen = {}

    def status(ledger, cutoff, table):
        seen["cutoff"], seen["table"] = cutoff, table
        return "status-frame"

    def km(result, clock):
        assert result == "status-frame"
        return {"receipt": _ttr(4, 3, 25.0, 10.0, np.nan), "plan": _ttr(4, 3, 20.0, 8.0, 30.0)}[clock]

    _patch(
        monkeypatch,
        findings.opinions,
        opinion_table=lambda register: "table",
        ledger_for=lambda ledger, table: ledger,
        rectification_status=status,
        time_to_rectification=km,
    )
    f = findings.what_the_data_adds(_only("rectification_time"))[1]
    assert f.available and seen["cutoff"] == pd.Timestamp("2004-12-20")  # the rule in data/reference/rules.csv
    assert seen["table"] == "table"  # the receipt clock needs the register's merged opinions
    assert "Of 4 opinions, 3 were rectified by 20 December 2004" in f.text
    assert "within 25 days (95% CI 10 to not reached) of being received" in f.text
    assert "20 days (95% CI 8 to 30) from the rectification plan" in f.text
    _patch(monkeypatch, findings.opinions, time_to_rectification=lambda r, clock: _ttr(4, 1, np.nan, np.nan, np.nan))
    f = findings.rectification_time(pd.DataFrame(), pd.DataFrame(), "2004-06-30")
    assert "not reached (fewer than half rectified)" in f.text and "30 June 2004" in f.text
    # a half-day median reads as the opinions notebook prints it
    _patch(monkeypatch, findings.opinions, time_to_rectification=lambda r, clock: _ttr(4, 3, 142.5, 95.0, 172.0))
    assert "within 142.5 days (95% CI 95 to 172)" in findings.rectification_time(pd.DataFrame(), pd.DataFrame()).text


def _fake_survey(monkeypatch):
    comparison = pd.DataFrame(
        {
            "district": ["Anyi", "Dongdang", "Fanshui"],
            "n_valid": [880, 650, 790],
            "top_box": [0.80, 0.70, 0.60],
            "county": [0.70, 0.70, 0.70],
            "difference": [0.10, 0.0, -0.10],
            "ci_low": [0.05, -0.04, -0.13],
            "ci_high": [0.15, 0.04, -0.07],
            "df": [30, 30, 30],
            "comparisons": [3, 3, 3],
        }
    )
    responses = pd.DataFrame({"district": ["Anyi"] * 3 + ["Fanshui"] * 2, "q10_overall": [5, 4, 1, 4, 9]})

    def bounds(batches, responses, district=None):
        d, r, a, k = {"Anyi": (20, 3, 3, 2), None: (30, 5, 4, 3)}[district]
        return survey.NonresponseBounds(d, r, a, k, k / d, (k + d - a) / d)

    _patch(
        monkeypatch,
        findings.survey,
        worst_case_bounds=bounds,
        weight_respondents=lambda r, pop: types.SimpleNamespace(frame=r),
        districts_against_county=lambda sample: comparison,
    )
    return responses


def test_satisfaction_spread_is_every_district_against_the_county(monkeypatch):
    responses = _fake_survey(monkeypatch)
    f = findings.satisfaction_spread(responses, pd.DataFrame(), district="Dongdang")
    assert "Every district against the county (70.0%), 3 comparisons with Bonferroni-adjusted 95% intervals" in f.text
    assert "above the county: Anyi +10.0 points (+5.0 to +15.0)" in f.text
    assert "below the county: Fanshui -10.0 points (-13.0 to -7.0)" in f.text
    assert "the other 1 are not distinguishable" in f.text and "gap" not in f.text
    assert "Dongdang: 70.0%, +0.0 points against the county (-4.0 to +4.0)" in f.text
    assert list(f.table["Adjusted 95% CI"]) == ["+5.0 to +15.0", "-4.0 to +4.0", "-13.0 to -7.0"]
    with pytest.raises(findings.NotAvailable, match="Sheyanghu"):
        findings.satisfaction_spread(responses, pd.DataFrame(), district="Sheyanghu")


def test_self_selection_bounds_county_and_district(monkeypatch):
    responses = _fake_survey(monkeypatch)
    f = findings.self_selection(pd.DataFrame(), responses)
    # D = 30, A = 4 valid answers, S = 3: worst case 3/30 = 10.0% .. (3 + 26)/30 = 96.7%
    assert "5 of 30 forms came back" in f.text and "3 of the 4 valid answers were satisfied" in f.text
    assert "between 10.0% and 96.7%" in f.text and "26 forms not returned or without a valid answer" in f.text
    g = findings.self_selection(pd.DataFrame(), responses, district="Anyi")
    assert g.text.startswith("In Anyi, 3 of 20 forms")


def test_finding_html_is_escaped():
    f = findings.Finding("k", "A <b> title", True, "x < y & z", pd.DataFrame({"District": ["<script>x</script>"]}))
    out = f.to_html()
    assert "<b>" not in out and "<script>" not in out and "x &lt; y &amp; z" in out


def test_load_available_gives_none_for_missing_data(tmp_path):
    frames = findings.load_available(tmp_path, ["survey_responses"])
    assert frames == {"survey_responses": None}


@pytest.mark.needs_processed
def test_every_finding_is_available_on_the_processed_demo_data():
    """The wiring: each finding computes on the real processed data through the real subject modules."""
    from analysis.core import paths

    out = findings.what_the_data_adds(findings.load_available(paths.PROCESSED))
    assert [f.key for f in out] == list(findings.FINDINGS)
    for f in out:
        assert f.available, f.text
    assert "half were rectified within" in out[1].text and "of being received" in out[1].text
