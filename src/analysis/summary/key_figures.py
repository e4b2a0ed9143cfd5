"""Every figure of the work report (data/reference/published_figures.csv), computed from data/processed.

Each figure comes with its numerator and denominator, the rows it counts, and, where it is an
estimate, a 95% Wilson interval. ``write_key_figures`` writes data/processed/key_figures.csv.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cached_property, partial
from pathlib import Path

import pandas as pd

from analysis.core import paths, reference
from analysis.core.files import write_csv
from analysis.data.processed import load
from analysis.stats.proportions import wilson
from analysis.subjects.fitness import officer_round_results

COLUMNS = [
    "id",
    "value",
    "numerator",
    "denominator",
    "ci_low",
    "ci_high",
    "published",
    "relation",
    "unit",
    "matches",
    "rows",
    "source",
]


@dataclass
class Figure:
    value: float
    rows: str
    source: str
    numerator: float | None = None
    denominator: float | None = None
    interval: tuple[float, float] | None = None


class Tables:
    """Processed data sets, each loaded once when first needed."""

    def __init__(self, processed_dir: Path | str | None = None):
        self.processed_dir = Path(processed_dir or paths.PROCESSED)
        self._cache: dict[str, pd.DataFrame] = {}

    def __getitem__(self, dataset: str) -> pd.DataFrame:
        if dataset not in self._cache:
            self._cache[dataset] = load(dataset, self.processed_dir)
        return self._cache[dataset]

    @cached_property
    def windows(self) -> pd.DataFrame:
        return reference.campaign_windows().set_index("campaign")


def _count(value: int, rows: str, source: str) -> Figure:
    return Figure(float(value), rows, source)


def _share(numerator: int, denominator: int, rows: str, source: str, *, estimate: bool = True) -> Figure:
    value = numerator / denominator if denominator else math.nan
    return Figure(value, rows, source, numerator, denominator, wilson(numerator, denominator) if estimate else None)


# --- survey --------------------------------------------------------------------------------------
def _distributed(t: Tables) -> Figure:
    return _count(
        t["survey_batches"]["forms_distributed"].sum(),
        "forms handed out, all batches",
        "survey_batches.forms_distributed",
    )


def _valid(t: Tables) -> Figure:
    return _count(len(t["survey_responses"]), "returned forms passing cleaning", "survey_responses")


def _return_rate(t: Tables) -> Figure:
    return _share(
        len(t["survey_responses"]),
        int(t["survey_batches"]["forms_distributed"].sum()),
        "valid returned forms / forms handed out",
        "survey_responses, survey_batches",
    )


# --- opinions ------------------------------------------------------------------------------------
def _opinions(t: Tables) -> pd.DataFrame:
    """One row per merged opinion: its category (the first coder's) and its ledger status."""
    register = t["opinions_register"].sort_values("source_row")
    merged = register.groupby("opinion_id", as_index=False).agg(category=("category", "first"))
    return merged.merge(t["rectification_ledger"][["opinion_id", "status"]], on="opinion_id", how="left")


# The figures that take arguments are module-level functions bound with functools.partial in FIGURES (not
# closures made at import), so a mutation test (make mutation) reaches their code.
def _status_count(t: Tables, status: str) -> Figure:
    opinions = _opinions(t)
    return Figure(
        float((opinions["status"] == status).sum()),
        f"merged opinions with ledger status '{status}'",
        "rectification_ledger.status",
        float((opinions["status"] == status).sum()),
        float(len(opinions)),
    )


def _opinion_total(t: Tables) -> Figure:
    return _count(
        t["opinions_register"]["opinion_id"].nunique(),
        "distinct merged opinions in the register",
        "opinions_register.opinion_id",
    )


def _opinion_categories(t: Tables) -> Figure:
    return _count(
        _opinions(t)["category"].nunique(), "distinct categories of merged opinions", "opinions_register.category"
    )


def _rectified_rate(t: Tables) -> Figure:
    opinions = _opinions(t)
    return _share(
        int((opinions["status"] == "rectified").sum()),
        len(opinions),
        "rectified / all merged opinions, as recorded in the ledger",
        "rectification_ledger.status",
    )


# --- officers ------------------------------------------------------------------------------------
def _pass_mark(t: Tables) -> Figure:
    return Figure(
        float(reference.training_pass_mark()),
        "the bureau's rule, applied to training averages",
        "data/reference/rules.csv",
    )


def _disqualified(t: Tables) -> Figure:
    mark = float(reference.training_pass_mark())
    first, last = reference.disqualification_months()
    credits = t["training_credits"]
    to_may = credits[(credits["month"] >= first) & (credits["month"] <= last)]
    average = to_may.groupby("officer_id")["score"].mean()
    roster = t["officer_roster"]
    candidates = roster.loc[roster["cadre_candidate"].fillna(False), "officer_id"]
    below = average.reindex(candidates).lt(mark).sum()
    return Figure(
        float(below),
        f"cadre candidates whose average score {first}..{last} is below {mark:g}",
        "training_credits, officer_roster.cadre_candidate",
        float(below),
        float(len(candidates)),
    )


def _redo_mark(t: Tables) -> Figure:
    """The rule, held against the data: units below it in round 1 must have redone the review, no others."""
    mark = float(reference.review_redo_mark())
    review = t["democratic_review"]
    first = review[review["round"] == 1].set_index("unit")["score"]
    redone = set(review.loc[review["round"] > 1, "unit"])
    consistent = all((score < mark) == (unit in redone) for unit, score in first.items())
    return Figure(
        mark if consistent else math.nan,
        f"the bureau's rule; {len(redone)} of {len(first)} units redid the review, "
        + ("exactly those below it" if consistent else "NOT exactly those below it"),
        "data/reference/rules.csv, democratic_review",
    )


def _collective(t: Tables) -> Figure:
    return _count(
        t["case_files"]["collective_decision"].fillna(False).sum(),
        "case files marked as decided collectively",
        "case_files.collective_decision",
    )


def _fitness(t: Tables, which: str) -> Figure:
    results = officer_round_results(t["fitness_tests"])  # the fitness module's pass rule, one source
    round_ = results["round"].min() if which == "first" else results["round"].max()
    tested = results[(results["round"] == round_) & (results["status"] == "tested")]
    return _share(
        int(tested["passed"].sum()),
        len(tested),
        f"officers tested in round {round_} ({which} round) passing every item",
        "fitness_tests",
    )


# --- competition ---------------------------------------------------------------------------------
def _posts(t: Tables, level: str | None = None, deputy: bool = False) -> Figure:
    c = t["cadre_competition"]
    rows = c[c["deputy_director"].fillna(False)] if deputy else c[c["level"] == level]
    what = "deputy-director posts" if deputy else f"{level}-level posts"
    return _count(rows["post_id"].nunique(), f"distinct {what} opened to competition", "cadre_competition")


def _applicants(t: Tables) -> Figure:
    c = t["cadre_competition"]
    return _count(
        c.loc[c["level"] == "middle", "officer_id"].nunique(),
        "distinct officers applying for middle-level posts",
        "cadre_competition",
    )


# --- campaigns -----------------------------------------------------------------------------------
def _activity(t: Tables, campaign: str, activity: str, unit: str | None = None) -> Figure:
    ledger = t["campaign_activities"]
    window = t.windows.loc[campaign]
    rows = ledger[
        (ledger["campaign"] == campaign)
        & (ledger["activity"] == activity)
        & ledger["date"].between(window["start"], window["end"])
    ]
    if unit:
        rows = rows[rows["unit"] == unit]
    where = f" by {unit}" if unit else ""
    return _count(
        rows["quantity"].sum(),
        f"sum of '{activity}'{where}, {window['start']:%Y-%m-%d}..{window['end']:%Y-%m-%d}",
        "campaign_activities",
    )


def _completion(t: Tables) -> Figure:
    handled, completed = (_activity(t, "agency_service", a).value for a in ("items_handled", "items_completed"))
    return _share(
        int(completed),
        int(handled),
        "items completed / items handled (agency service); a complete count",
        "campaign_activities",
        estimate=False,
    )


FIGURES: dict[str, Callable[[Tables], Figure]] = {
    "survey.distributed": _distributed,
    "survey.valid_returned": _valid,
    "survey.return_rate": _return_rate,
    "opinions.total": _opinion_total,
    "opinions.categories": _opinion_categories,
    "opinions.rectified": partial(_status_count, status="rectified"),
    "opinions.in_progress": partial(_status_count, status="in_progress"),
    "opinions.rectified_rate": _rectified_rate,
    "training.pass_mark": _pass_mark,
    "training.cadre_candidates_disqualified": _disqualified,
    "review.redo_mark": _redo_mark,
    "cases.difficult_collective": _collective,
    "fitness.pass_rate_baseline": partial(_fitness, which="first"),
    "fitness.pass_rate_final": partial(_fitness, which="last"),
    "competition.positions": partial(_posts, level="middle"),
    "competition.applicants": _applicants,
    "competition.section_chief_posts": partial(_posts, level="section"),
    "competition.deputy_director_posts": partial(_posts, deputy=True),
    "traffic.open_letters": partial(_activity, campaign="traffic", activity="open_letters"),
    "traffic.cartoons": partial(_activity, campaign="traffic", activity="cartoons"),
    "traffic.officer_times": partial(_activity, campaign="traffic", activity="officer_times"),
    "traffic.violations": partial(_activity, campaign="traffic", activity="violations"),
    "campus.unstable_factors_resolved": partial(_activity, campaign="campus", activity="unstable_factors_resolved"),
    "campus.hazards_rectified": partial(_activity, campaign="campus", activity="hazards_rectified"),
    "campus.booths_banned": partial(_activity, campaign="campus", activity="booths_banned"),
    "campus.campus_posts": partial(_activity, campaign="campus", activity="campus_posts"),
    "campus.alarm_points": partial(_activity, campaign="campus", activity="alarm_points"),
    "campus.infrared_systems": partial(_activity, campaign="campus", activity="infrared_systems"),
    "campus.legal_vice_principals": partial(_activity, campaign="campus", activity="legal_vice_principals"),
    "agency.items_handled": partial(_activity, campaign="agency_service", activity="items_handled"),
    "agency.completion_rate": _completion,
    "agency.yuan_saved": partial(_activity, campaign="agency_service", activity="yuan_saved"),
    "veterans.ranks_resolved": partial(_activity, campaign="veterans", activity="ranks_resolved"),
    "veterans.trip_participants": partial(_activity, campaign="veterans", activity="trip_participants"),
}


RELATIONS = ("exact", "approx", "at_least")


def _decimals(published) -> int:
    """Decimal places the figure is written with in the published table (0.32 -> 2; 10000 -> 0)."""
    text = str(published).strip()
    try:
        exponent = Decimal(text).as_tuple().exponent
    except InvalidOperation as exc:
        raise ValueError(f"published figure {published!r} is not a number") from exc
    if text.endswith(".0"):
        exponent = 0  # "1.0", "10000.0": a whole number written by a CSV writer
    return max(0, -int(exponent))


def printed_places(published, unit: str | None = None) -> int:
    """Decimal places of the figure as the report printed it (a proportion is a percentage: >= 2)."""
    places = _decimals(published)
    return max(places, 2) if unit == "proportion" else places


def matches(value, published, relation: str, unit: str | None = None) -> bool:
    """Does the value from data back the published figure? The one rule, used everywhere.

    ``exact``: counts must be equal; a published fraction (0.32 for "32%") was rounded by the
    report, so the data's value matches when it rounds to it (within half a unit of the last
    printed digit); "100%" and "0%" are claims about every item and must hold exactly.
    ``approx``: the half-unit tolerance. ``at_least`` ("more than 13,000"): value >= published.
    A missing value never matches.
    """
    if relation not in RELATIONS:
        raise ValueError(f"unknown relation {relation!r}; expected one of {RELATIONS}")
    if value is None or pd.isna(value):
        return False
    value, target = float(value), float(published)
    if relation == "at_least":
        # ASSUMPTION(at-least-inclusive): "more than N" in the report is checked as value >= N, as the data issue specifies.
        return value >= target
    places = printed_places(published, unit)
    # ASSUMPTION(all-or-none-exact): a published 100% (or 0%) is read as "every item", so 99.6% differs from it.
    if relation == "exact" and (places == 0 or (unit == "proportion" and target in (0.0, 1.0))):
        return math.isclose(value, target, rel_tol=0, abs_tol=1e-9)
    # ASSUMPTION(rounded-published-fractions): a published fraction such as 32% is taken as rounded to its printed digits, so any value that rounds to it matches.
    return abs(value - target) <= 0.5 * 10.0**-places + 1e-12


def compute_key_figures(processed_dir: Path | str | None = None, published: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per published id: the value from data, its numerator, denominator, interval and status."""
    tables = Tables(processed_dir)
    published = reference.published_figures() if published is None else published
    rows = []
    for spec in published.itertuples(index=False):
        compute = FIGURES.get(spec.id)
        figure = compute(tables) if compute else Figure(math.nan, "no function computes this id", "")
        low, high = figure.interval or (math.nan, math.nan)
        rows.append(
            {
                "id": spec.id,
                "value": figure.value,
                "numerator": figure.numerator,
                "denominator": figure.denominator,
                "ci_low": low,
                "ci_high": high,
                "published": spec.published,
                "relation": spec.relation,
                "unit": spec.unit,
                "matches": matches(figure.value, spec.published, spec.relation, spec.unit),
                "rows": figure.rows,
                "source": figure.source,
            }
        )
    return pd.DataFrame(rows, columns=COLUMNS)


def write_key_figures(processed_dir: Path | str | None = None) -> pd.DataFrame:
    processed_dir = Path(processed_dir or paths.PROCESSED)
    table = compute_key_figures(processed_dir)
    write_csv(processed_dir / paths.KEY_FIGURES, table, float_format="%.10g")
    return table
