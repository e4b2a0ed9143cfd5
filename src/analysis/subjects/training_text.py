"""What readers see of the training credits: the printed key figures and the per-unit table, disclosure-safe."""

from __future__ import annotations

import pandas as pd

from analysis.core.text import count, p_value
from analysis.stats import disclosure
from analysis.stats.disclosure import count_text
from analysis.subjects.training import BunchingTest, CutoffSummary, unit_shares


def _bunching_p(test: BunchingTest) -> str:
    return f"exact binomial one-sided {p_value(test.p_value, digits=2, significant=True, floor=None)}"


def summary_text(
    summary: CutoffSummary, bunching_scores: BunchingTest, bunching_averages: BunchingTest, whole_bureau: bool = True
) -> str:
    """Key-figure text: officers below the pass mark, disqualified candidates, and the bunching tests."""
    # ASSUMPTION(published-small-count): the 5 disqualified candidates is a figure the report publishes for the whole bureau, so it is printed; within one unit small counts are hidden.
    disqualified = (
        count(summary.candidates_disqualified) if whole_bureau else count_text(summary.candidates_disqualified)
    )
    return "\n".join(
        [
            f"Pass mark: {summary.pass_mark:g} points (annual average of course scores)",
            f"Officers with an annual average: {count_text(summary.officers)}; below the mark: "
            f"{count_text(summary.below)}",
            f"Cadre candidates with scores by May: {count_text(summary.candidates)}; "
            f"below {summary.pass_mark:g} in May (disqualified): {disqualified}",
            # Course results, not officers: an officer sits many courses, so these counts identify no-one.
            f"Bunching, course scores: {count(bunching_scores.at)} at {bunching_scores.cutoff:g} vs "
            f"{count(bunching_scores.below)} at {bunching_scores.cutoff - bunching_scores.width:g} "
            f"({_bunching_p(bunching_scores)})",
            _bunching_line("annual averages", bunching_averages),
        ]
    )


def _bunching_line(what: str, b: BunchingTest) -> str:
    if b.at + b.below == 0:
        return f"Bunching, {what}: none within {b.width:g} point of {b.cutoff:g}, no test possible"
    return (
        f"Bunching, {what}: {count_text(b.at)} in [{b.cutoff:g}, {b.cutoff + b.width:g}) vs "
        f"{count_text(b.below)} just below ({_bunching_p(b)})"
    )


def below_by_unit(credits: pd.DataFrame, roster: pd.DataFrame, pass_mark: float) -> pd.DataFrame:
    """Officers at or above and below the pass mark per unit, through the disclosure gate."""
    counts = unit_shares(credits, roster, pass_mark).set_index("unit")[["meets", "below"]]
    return disclosure.protect(counts)
