"""Every figure of the work report (data/reference/published_figures.csv), computed from data/processed.

Each figure comes with its numerator and denominator, the rows it counts, and, where it is an
estimate, a 95% Wilson interval. ``write_key_figures`` writes data/processed/key_figures.csv.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Callable

import pandas as pd

from analysis import paths
from analysis.processed import load
from analysis.proportions import wilson

COLUMNS = ["id", "value", "numerator", "denominator", "ci_low", "ci_high", "published", "relation",
           "unit", "matches", "rows", "source"]


@dataclass
class Figure:
    value: float
    rows: str
    source: str
    numerator: float | None = None
    denominator: float | None = None
    interval: tuple[float, float] | None = None


def rules(path: Path = paths.REFERENCE / "rules.csv") -> dict[str, str]:
    """The bureau's rules quoted in the report (pass marks, cut-off date), kept as reference data."""
    table = pd.read_csv(path, dtype=str)
    return dict(zip(table["rule"], table["value"]))


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
    def rules(self) -> dict[str, str]:
        return rules()


def _count(value: int, rows: str, source: str) -> Figure:
    return Figure(float(value), rows, source)


def _share(numerator: int, denominator: int, rows: str, source: str, *, estimate: bool = True) -> Figure:
    value = numerator / denominator if denominator else math.nan
    return Figure(value, rows, source, numerator, denominator, wilson(numerator, denominator) if estimate else None)


# --- survey --------------------------------------------------------------------------------------
def _distributed(t: Tables) -> Figure:
    return _count(t["survey_batches"]["forms_distributed"].sum(), "forms handed out, all batches",
                  "survey_batches.forms_distributed")


def _valid(t: Tables) -> Figure:
    return _count(len(t["survey_responses"]), "returned forms passing cleaning", "survey_responses")


def _return_rate(t: Tables) -> Figure:
    return _share(len(t["survey_responses"]), int(t["survey_batches"]["forms_distributed"].sum()),
                  "valid returned forms / forms handed out", "survey_responses, survey_batches")


# --- opinions ------------------------------------------------------------------------------------
def _opinions(t: Tables) -> pd.DataFrame:
    """One row per merged opinion: its category (the first coder's) and its ledger status."""
    register = t["opinions_register"].sort_values("source_row")
    merged = register.groupby("opinion_id", as_index=False).agg(category=("category", "first"))
    return merged.merge(t["rectification_ledger"][["opinion_id", "status"]], on="opinion_id", how="left")


def _status_count(status: str) -> Callable[[Tables], Figure]:
    def figure(t: Tables) -> Figure:
        opinions = _opinions(t)
        return Figure(float((opinions["status"] == status).sum()), f"merged opinions with ledger status '{status}'",
                      "rectification_ledger.status", float((opinions["status"] == status).sum()), float(len(opinions)))
    return figure


def _opinion_total(t: Tables) -> Figure:
    return _count(t["opinions_register"]["opinion_id"].nunique(), "distinct merged opinions in the register",
                  "opinions_register.opinion_id")


def _opinion_categories(t: Tables) -> Figure:
    return _count(_opinions(t)["category"].nunique(), "distinct categories of merged opinions",
                  "opinions_register.category")


def _rectified_rate(t: Tables) -> Figure:
    opinions = _opinions(t)
    return _share(int((opinions["status"] == "rectified").sum()), len(opinions),
                  "rectified / all merged opinions, as recorded in the ledger", "rectification_ledger.status")


# --- officers ------------------------------------------------------------------------------------
def _pass_mark(t: Tables) -> Figure:
    return Figure(float(t.rules["training.pass_mark"]), "the bureau's rule, applied to training averages",
                  "data/reference/rules.csv")


def _disqualified(t: Tables) -> Figure:
    mark = float(t.rules["training.pass_mark"])
    first, last = t.rules["training.disqualification_months"].split("..")
    credits = t["training_credits"]
    to_may = credits[(credits["month"] >= first) & (credits["month"] <= last)]
    average = to_may.groupby("officer_id")["score"].mean()
    roster = t["officer_roster"]
    candidates = roster.loc[roster["cadre_candidate"].fillna(False), "officer_id"]
    below = average.reindex(candidates).lt(mark).sum()
    return Figure(float(below), f"cadre candidates whose average score {first}..{last} is below {mark:g}",
                  "training_credits, officer_roster.cadre_candidate", float(below), float(len(candidates)))


def _redo_mark(t: Tables) -> Figure:
    """The rule, held against the data: units below it in round 1 must have redone the review, no others."""
    mark = float(t.rules["review.redo_mark"])
    review = t["democratic_review"]
    first = review[review["round"] == 1].set_index("unit")["score"]
    redone = set(review.loc[review["round"] > 1, "unit"])
    consistent = all((score < mark) == (unit in redone) for unit, score in first.items())
    return Figure(mark if consistent else math.nan,
                  f"the bureau's rule; {len(redone)} of {len(first)} units redid the review, "
                  + ("exactly those below it" if consistent else "NOT exactly those below it"),
                  "data/reference/rules.csv, democratic_review")


def _collective(t: Tables) -> Figure:
    return _count(t["case_files"]["collective_decision"].fillna(False).sum(),
                  "case files marked as decided collectively", "case_files.collective_decision")


def officer_round_results(fitness_tests: pd.DataFrame) -> pd.DataFrame:
    """One row per officer and round: status and whether every item met its threshold."""
    tests = fitness_tests.copy()
    meets = (tests["result"] >= tests["threshold"]).where(tests["better"] == "higher",
                                                          tests["result"] <= tests["threshold"])
    # ASSUMPTION(fitness-missing-item): a tested officer with an item left blank has not passed that item.
    tests["meets"] = meets.fillna(False).astype(bool)
    grouped = tests.groupby(["officer_id", "round"], as_index=False).agg(
        status=("status", "first"), items=("item", "nunique"), passed=("meets", "all"))
    grouped["passed"] = grouped["passed"] & (grouped["status"] == "tested")
    return grouped


def _fitness(which: str) -> Callable[[Tables], Figure]:
    def figure(t: Tables) -> Figure:
        results = officer_round_results(t["fitness_tests"])
        round_ = results["round"].min() if which == "first" else results["round"].max()
        tested = results[(results["round"] == round_) & (results["status"] == "tested")]
        return _share(int(tested["passed"].sum()), len(tested),
                      f"officers tested in round {round_} ({which} round) passing every item", "fitness_tests")
    return figure


# --- competition ---------------------------------------------------------------------------------
def _posts(level: str | None = None, deputy: bool = False) -> Callable[[Tables], Figure]:
    def figure(t: Tables) -> Figure:
        c = t["cadre_competition"]
        rows = c[c["deputy_director"].fillna(False)] if deputy else c[c["level"] == level]
        what = "deputy-director posts" if deputy else f"{level}-level posts"
        return _count(rows["post_id"].nunique(), f"distinct {what} opened to competition", "cadre_competition")
    return figure


def _applicants(t: Tables) -> Figure:
    c = t["cadre_competition"]
    return _count(c.loc[c["level"] == "middle", "officer_id"].nunique(),
                  "distinct officers applying for middle-level posts", "cadre_competition")


# --- campaigns -----------------------------------------------------------------------------------
def campaign_windows(path: Path = paths.REFERENCE / "campaign_windows.csv") -> pd.DataFrame:
    return pd.read_csv(path, parse_dates=["start", "end"])


def _activity(campaign: str, activity: str, unit: str | None = None) -> Callable[[Tables], Figure]:
    def figure(t: Tables) -> Figure:
        ledger = t["campaign_activities"]
        window = campaign_windows().set_index("campaign").loc[campaign]
        rows = ledger[(ledger["campaign"] == campaign) & (ledger["activity"] == activity)
                      & ledger["date"].between(window["start"], window["end"])]
        if unit:
            rows = rows[rows["unit"] == unit]
        where = f" by {unit}" if unit else ""
        return _count(rows["quantity"].sum(), f"sum of '{activity}'{where}, {window['start']:%Y-%m-%d}.."
                      f"{window['end']:%Y-%m-%d}", "campaign_activities")
    return figure


def _completion(t: Tables) -> Figure:
    handled, completed = (_activity("agency_service", a)(t).value for a in ("items_handled", "items_completed"))
    return _share(int(completed), int(handled), "items completed / items handled (agency service); a complete count",
                  "campaign_activities", estimate=False)


FIGURES: dict[str, Callable[[Tables], Figure]] = {
    "survey.distributed": _distributed,
    "survey.valid_returned": _valid,
    "survey.return_rate": _return_rate,
    "opinions.total": _opinion_total,
    "opinions.categories": _opinion_categories,
    "opinions.rectified": _status_count("rectified"),
    "opinions.in_progress": _status_count("in_progress"),
    "opinions.rectified_rate": _rectified_rate,
    "training.pass_mark": _pass_mark,
    "training.cadre_candidates_disqualified": _disqualified,
    "review.redo_mark": _redo_mark,
    "cases.difficult_collective": _collective,
    "fitness.pass_rate_baseline": _fitness("first"),
    "fitness.pass_rate_final": _fitness("last"),
    "competition.positions": _posts("middle"),
    "competition.applicants": _applicants,
    "competition.section_chief_posts": _posts("section"),
    "competition.deputy_director_posts": _posts(deputy=True),
    "traffic.open_letters": _activity("traffic", "open_letters"),
    "traffic.cartoons": _activity("traffic", "cartoons"),
    "traffic.officer_times": _activity("traffic", "officer_times"),
    "traffic.violations": _activity("traffic", "violations"),
    "campus.unstable_factors_resolved": _activity("campus", "unstable_factors_resolved"),
    "campus.hazards_rectified": _activity("campus", "hazards_rectified"),
    "campus.booths_banned": _activity("campus", "booths_banned"),
    "campus.campus_posts": _activity("campus", "campus_posts"),
    "campus.alarm_points": _activity("campus", "alarm_points"),
    "campus.infrared_systems": _activity("campus", "infrared_systems"),
    "campus.legal_vice_principals": _activity("campus", "legal_vice_principals"),
    "agency.items_handled": _activity("agency_service", "items_handled"),
    "agency.completion_rate": _completion,
    "agency.yuan_saved": _activity("agency_service", "yuan_saved"),
    "veterans.ranks_resolved": _activity("veterans", "ranks_resolved"),
    "veterans.trip_participants": _activity("veterans", "trip_participants"),
}


def published_figures(path: Path = paths.PUBLISHED_FIGURES) -> pd.DataFrame:
    return pd.read_csv(path)


def _decimals(number: float) -> int:
    text = repr(float(number))
    return 0 if float(number).is_integer() else len(text.split(".")[1])


def matches(value: float, published: float, relation: str) -> bool:
    """Does the value from data back the published one? ``exact``/``approx`` at the published precision."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return False
    if relation == "at_least":
        return value >= published
    if relation in ("exact", "approx"):
        return abs(value - published) <= 0.5 * 10 ** -_decimals(published) + 1e-12 if relation == "approx" \
            else abs(value - published) <= 1e-9 * max(1.0, abs(published))
    raise ValueError(f"unknown relation {relation!r}")


def compute_key_figures(processed_dir: Path | str | None = None,
                        published: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per published id: the value from data, its numerator, denominator, interval and status."""
    tables = Tables(processed_dir)
    published = published_figures() if published is None else published
    rows = []
    for spec in published.itertuples(index=False):
        compute = FIGURES.get(spec.id)
        figure = compute(tables) if compute else Figure(math.nan, "no function computes this id", "")
        low, high = figure.interval or (math.nan, math.nan)
        rows.append({"id": spec.id, "value": figure.value, "numerator": figure.numerator,
                     "denominator": figure.denominator, "ci_low": low, "ci_high": high,
                     "published": spec.published, "relation": spec.relation, "unit": spec.unit,
                     "matches": matches(figure.value, float(spec.published), spec.relation),
                     "rows": figure.rows, "source": figure.source})
    return pd.DataFrame(rows, columns=COLUMNS)


def write_key_figures(processed_dir: Path | str | None = None) -> pd.DataFrame:
    processed_dir = Path(processed_dir or paths.PROCESSED)
    table = compute_key_figures(processed_dir)
    tmp = processed_dir / f".{paths.KEY_FIGURES}.tmp"
    table.to_csv(tmp, index=False, float_format="%.10g")
    tmp.replace(processed_dir / paths.KEY_FIGURES)
    return table
