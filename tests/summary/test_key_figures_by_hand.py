"""Key figures on tables small enough to count by hand (issue 14 item 17: tests that kill mutants).

Each expected value is counted in the comment beside it from the rows written here, not taken from
the function under test; the tables are in memory (no cleaning), so a mutation run (make mutation)
can run these for every mutant of summary/key_figures.py.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from analysis.summary import key_figures as kf


class HandTables(dict):
    """What key figures read from a Tables: data sets by name, and the campaign windows."""

    windows = pd.DataFrame(
        {
            "campaign": ["traffic", "agency_service"],
            "start": pd.to_datetime(["2004-03-01", "2004-03-01"]),
            "end": pd.to_datetime(["2004-06-30", "2004-06-30"]),
        }
    ).set_index("campaign")


def opinions_tables() -> HandTables:
    # Opinions A and B were coded twice (two register rows each): 3 merged opinions, 2 categories.
    register = pd.DataFrame(
        {
            "opinion_id": ["A", "A", "B", "B", "C"],
            "source_row": [1, 2, 3, 4, 5],
            "category": ["attitude", "speed", "speed", "attitude", "speed"],
        }
    )
    ledger = pd.DataFrame({"opinion_id": ["A", "B", "C"], "status": ["rectified", "in_progress", "rectified"]})
    return HandTables(opinions_register=register, rectification_ledger=ledger)


def test_opinion_counts_and_rectified_share_by_hand():
    t = opinions_tables()
    rectified = kf.FIGURES["opinions.rectified"](t)
    assert (rectified.value, rectified.numerator, rectified.denominator) == (2.0, 2.0, 3.0)  # A and C of A, B, C
    assert "rectified" in rectified.rows
    in_progress = kf.FIGURES["opinions.in_progress"](t)
    assert (in_progress.value, in_progress.numerator, in_progress.denominator) == (1.0, 1.0, 3.0)  # B
    assert kf.FIGURES["opinions.total"](t).value == 3.0
    # the first coder's category of each merged opinion: A attitude, B speed, C speed -> 2 categories
    assert kf.FIGURES["opinions.categories"](t).value == 2.0
    rate = kf.FIGURES["opinions.rectified_rate"](t)
    assert rate.value == pytest.approx(2 / 3) and (rate.numerator, rate.denominator) == (2, 3)
    # Wilson 95% for 2 of 3, by hand: centre (2 + 1.96^2/2) / (3 + 1.96^2) = 0.5731, half-width
    # 1.96 * sqrt(2/3 * 1/3 / 3 + 1.96^2 / 36) / (1 + 1.96^2 / 3) = 0.3654
    assert rate.interval == pytest.approx((0.2077, 0.9385), abs=5e-4)


def competition_tables() -> HandTables:
    competition = pd.DataFrame(
        {
            "post_id": ["m1", "m1", "m2", "s1", "s2", "s2", "d1"],
            "level": ["middle", "middle", "middle", "section", "section", "section", "middle"],
            "deputy_director": [False, False, None, False, False, False, True],
            "officer_id": ["o1", "o2", "o1", "o3", "o4", "o5", "o6"],
        }
    )
    return HandTables(cadre_competition=competition)


def test_competition_posts_and_applicants_by_hand():
    t = competition_tables()
    assert kf.FIGURES["competition.positions"](t).value == 3.0  # middle posts m1, m2, d1
    assert kf.FIGURES["competition.section_chief_posts"](t).value == 2.0  # s1, s2
    assert kf.FIGURES["competition.deputy_director_posts"](t).value == 1.0  # d1 (the missing flag is not deputy)
    assert kf.FIGURES["competition.applicants"](t).value == 3.0  # o1, o2, o6 applied for middle posts
    assert "deputy-director" in kf.FIGURES["competition.deputy_director_posts"](t).rows
    assert "section-level" in kf.FIGURES["competition.section_chief_posts"](t).rows


def training_tables(may_scores: dict[str, float]) -> HandTables:
    """Officer o1..: a score of 90 in January..April and the given score in May; June (outside the rule) 0."""
    rows = []
    for officer, may in may_scores.items():
        rows += [{"officer_id": officer, "month": f"2004-0{m}", "score": 90.0} for m in range(1, 5)]
        rows += [
            {"officer_id": officer, "month": "2004-05", "score": may},
            {"officer_id": officer, "month": "2004-06", "score": 0.0},
        ]
    roster = pd.DataFrame({"officer_id": list(may_scores), "cadre_candidate": [True] * (len(may_scores) - 1) + [None]})
    return HandTables(training_credits=pd.DataFrame(rows), officer_roster=roster)


def test_cadre_candidates_below_the_pass_mark_by_hand():
    # averages Jan..May: (4*90 + 30)/5 = 78, (4*90 + 0)/5 = 72, (4*90 - 10)/5 = 70 exactly, (4*90 - 20)/5 = 68.
    # The rule is "below 70": 68 only; 70 exactly is not below; the last officer is no candidate (flag missing).
    t = training_tables({"o1": 30.0, "o2": 0.0, "o3": -10.0, "o4": -20.0, "o5": -20.0})
    figure = kf.FIGURES["training.cadre_candidates_disqualified"](t)
    assert (figure.value, figure.numerator, figure.denominator) == (1.0, 1.0, 4.0)
    assert "below 70" in figure.rows and "2004-01..2004-05" in figure.rows


def test_campaign_activity_sums_inside_the_window_by_hand():
    ledger = pd.DataFrame(
        {
            "campaign": ["traffic", "traffic", "traffic", "traffic", "agency_service", "agency_service"],
            "activity": [
                "open_letters",
                "open_letters",
                "open_letters",
                "cartoons",
                "items_handled",
                "items_completed",
            ],
            "date": pd.to_datetime(
                ["2004-03-01", "2004-06-30", "2004-07-01", "2004-04-01", "2004-04-01", "2004-04-02"]
            ),
            "quantity": [100, 20, 5000, 7, 40, 30],
            "unit": ["Traffic Brigade"] * 6,
        }
    )
    t = HandTables(campaign_activities=ledger)
    # 100 + 20 on the window's first and last days; 5000 on 1 July is outside
    assert kf.FIGURES["traffic.open_letters"](t).value == 120.0
    assert kf.FIGURES["traffic.cartoons"](t).value == 7.0
    assert kf._activity(t, "traffic", "open_letters", unit="Anyi Police Station").value == 0.0
    completion = kf.FIGURES["agency.completion_rate"](t)
    assert (completion.value, completion.numerator, completion.denominator) == (0.75, 30, 40)  # 30 of 40
    assert completion.interval is None  # a complete count, no interval


def test_a_share_of_nothing_is_missing_not_zero():
    figure = kf._share(0, 0, "rows", "source")
    assert math.isnan(figure.value)
