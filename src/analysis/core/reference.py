"""The one reader of data/reference/: the facts the work report states, kept as data.

- ``rules.csv``: the bureau's rules the report quotes (the training pass mark, the review redo
  mark, the opinions cut-off date, the May disqualification window), with typed accessors.  An
  accessor takes the analyst's override (a notebook parameter): ``None`` means "the bureau's rule".
- ``campaign_windows.csv``: start and end of each campaign.
- ``published_figures.csv``: the figures the report printed, as text (a figure's printed digits
  are part of what was published).
- ``aliases.csv``: spellings of districts and units (Chinese, full-width, ...) and the canonical name.
- ``survey_design.csv``: the questionnaire's design, stated once (cluster, strata, weights, margins,
  trimming, whether the raking is credited); ``analysis.stats.design.SurveyDesign`` reads it.

Every function reads the file when called (nothing is cached: the files are small, and a test
may point at other ones); a missing file or rule raises an :class:`AnalysisError` naming it.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from analysis.core import paths
from analysis.core.errors import AnalysisError, ParameterError

PASS_MARK = "training.pass_mark"
REDO_MARK = "review.redo_mark"
CUTOFF_DATE = "opinions.cutoff_date"
DISQUALIFICATION_MONTHS = "training.disqualification_months"


def _read(path: Path, **kwargs) -> pd.DataFrame:
    if not Path(path).exists():
        raise AnalysisError(f"{path}: reference file not found")
    return pd.read_csv(path, **kwargs)


def rules(path: Path = paths.RULES) -> dict[str, str]:
    """Every rule of rules.csv as text: rule id -> value."""
    table = _read(path, dtype=str)
    return dict(zip(table["rule"], table["value"]))


def rule(name: str, path: Path = paths.RULES) -> str:
    """One rule's value as text; an unknown rule raises naming the file."""
    table = rules(path)
    if name not in table:
        raise AnalysisError(f"{path}: no rule {name!r}; the rules are {sorted(table)}")
    return table[name]


def _number(value, what: str) -> float:
    """A mark as a number: whole marks stay whole (70, not 70.0, in titles), others keep their decimals."""
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise ParameterError(f"{what} must be a number, got {value!r}") from None
    if x != x:
        raise ParameterError(f"{what} must be a number, got {value!r}")
    return int(x) if x.is_integer() else x


def training_pass_mark(override: float | None = None, path: Path = paths.RULES) -> float:
    """Points: an annual training average below it bars promotion (the bureau's is 70)."""
    return _number(rule(PASS_MARK, path) if override is None else override, "pass_mark")


def review_redo_mark(override: float | None = None, path: Path = paths.RULES) -> float:
    """Points: a unit scoring below it in the democratic review redoes the review (the bureau's is 80)."""
    return _number(rule(REDO_MARK, path) if override is None else override, "redo_mark")


def opinions_cutoff(override: str | None = None, path: Path = paths.RULES) -> str:
    """The date (YYYY-MM-DD) every opinion's status is read at: the report's date unless overridden."""
    return rule(CUTOFF_DATE, path) if override is None else override


def disqualification_months(path: Path = paths.RULES) -> tuple[str, str]:
    """First and last month ('YYYY-MM') of the average the May cadre check used."""
    value = rule(DISQUALIFICATION_MONTHS, path)
    first, sep, last = value.partition("..")
    if not sep:
        raise AnalysisError(f"{path}: rule {DISQUALIFICATION_MONTHS!r} must read 'YYYY-MM..YYYY-MM', got {value!r}")
    return first, last


def campaign_windows(path: Path = paths.CAMPAIGN_WINDOWS) -> pd.DataFrame:
    """One row per campaign: campaign, start, end (dates), quote."""
    return _read(path, parse_dates=["start", "end"])


def published_figures(path: Path = paths.PUBLISHED_FIGURES) -> pd.DataFrame:
    """The published figures, every column as text: id, published, relation, unit, dataset, section, quote."""
    return _read(path, dtype=str)


def aliases(path: Path = paths.ALIASES) -> pd.DataFrame:
    """Spellings: kind ('district' or 'unit'), alias, canonical; all text, blanks kept as ''."""
    return _read(path, dtype=str, keep_default_na=False)


SURVEY_DESIGN_SETTINGS = ("cluster", "strata", "weights", "margins", "trim", "raking_credited")


def survey_design(path: Path = paths.SURVEY_DESIGN) -> dict[str, str]:
    """The survey design's settings as text (setting -> value; blank as ''); every setting must be there once."""
    table = _read(path, dtype=str, keep_default_na=False)
    missing = [s for s in SURVEY_DESIGN_SETTINGS if s not in set(table["setting"])]
    unknown = sorted(set(table["setting"]) - set(SURVEY_DESIGN_SETTINGS))
    repeated = sorted(table.loc[table["setting"].duplicated(), "setting"])
    if missing or unknown or repeated:
        raise AnalysisError(
            f"{path}: the survey design needs each of {', '.join(SURVEY_DESIGN_SETTINGS)} once"
            f" (missing: {missing or 'none'}; unknown: {unknown or 'none'}; repeated: {repeated or 'none'})"
        )
    return {k: v.strip() for k, v in zip(table["setting"], table["value"])}
