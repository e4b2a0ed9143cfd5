"""The one reader of data/reference/: the bureau's rules, windows, published figures and spellings."""

import pandas as pd
import pytest

from analysis.core import reference
from analysis.core.errors import AnalysisError, ParameterError


def _rules(tmp_path, rows: dict[str, str]):
    path = tmp_path / "rules.csv"
    pd.DataFrame({"rule": list(rows), "value": list(rows.values()), "quote": ""}).to_csv(path, index=False)
    return path


def test_the_bureaus_rules():
    assert reference.training_pass_mark() == 70 and isinstance(reference.training_pass_mark(), int)
    assert reference.review_redo_mark() == 80
    assert reference.opinions_cutoff() == "2004-12-20"
    assert reference.disqualification_months() == ("2004-01", "2004-05")


def test_an_override_replaces_the_rule_and_none_means_the_rule(tmp_path):
    path = _rules(
        tmp_path, {"training.pass_mark": "69.5", "review.redo_mark": "85", "opinions.cutoff_date": "2004-06-30"}
    )
    assert reference.training_pass_mark(path=path) == 69.5
    assert reference.training_pass_mark(75, path=path) == 75
    assert reference.training_pass_mark(75.0, path=path) == 75  # whole marks print as 75, not 75.0
    assert reference.review_redo_mark(None, path=path) == 85
    assert reference.opinions_cutoff(path=path) == "2004-06-30"
    assert reference.opinions_cutoff("2004-09-30", path=path) == "2004-09-30"


def test_bad_rules_and_overrides_are_named(tmp_path):
    path = _rules(tmp_path, {"training.pass_mark": "seventy", "training.disqualification_months": "2004-01"})
    with pytest.raises(ParameterError, match="pass_mark must be a number, got 'seventy'"):
        reference.training_pass_mark(path=path)
    with pytest.raises(ParameterError, match="redo_mark must be a number"):
        reference.review_redo_mark("high")
    with pytest.raises(AnalysisError, match=r"rules.csv: no rule 'review.redo_mark'"):
        reference.review_redo_mark(path=path)
    with pytest.raises(AnalysisError, match="YYYY-MM..YYYY-MM"):
        reference.disqualification_months(path=path)
    with pytest.raises(AnalysisError, match="reference file not found"):
        reference.rules(tmp_path / "nowhere.csv")


def test_published_figures_keep_their_printed_digits():
    published = reference.published_figures().set_index("id")["published"]
    assert published["fitness.pass_rate_baseline"] == "0.32"
    assert published["survey.distributed"] == "10000"
    assert len(published) == 34


def test_campaign_windows_are_dates():
    windows = reference.campaign_windows().set_index("campaign")
    assert windows.loc["campus", "start"] == pd.Timestamp("2004-09-20")
    assert windows.loc["campus", "end"] == pd.Timestamp("2004-11-19")


def test_aliases_are_text_with_blanks_kept(tmp_path):
    table = reference.aliases()
    assert {"kind", "alias", "canonical"} <= set(table.columns)
    assert ("district", "安宜镇", "Anyi") in set(
        table[["kind", "alias", "canonical"]].itertuples(index=False, name=None)
    )
    path = tmp_path / "aliases.csv"
    path.write_text("kind,alias,canonical\nunit,NA,\n", encoding="utf-8")
    row = reference.aliases(path).iloc[0]
    assert (row["alias"], row["canonical"]) == ("NA", "")  # 'NA' is a spelling, not a missing value
