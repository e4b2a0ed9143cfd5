"""Tables for readers: formatting by column kind, notes for dashes and suppressed cells, the people check."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.core import language
from analysis.present.tables import Column, natural_order, reader_table
from analysis.stats import disclosure


def frame():
    return pd.DataFrame(
        {
            "district": ["Anyi", "Xi'anfeng"],
            "respondents": [1234, 56],
            "share": [0.6464, float("nan")],
            "low": [0.61, 0.4],
            "high": [0.66, 0.5],
        }
    )


COLUMNS = [
    Column("district", "District", "label", label_kind="district"),
    Column("respondents", "Respondents", "people"),
    Column("share", "Satisfied", "percent"),
    Column("ci", "95% CI", "interval", low="low", high="high"),
]


def test_cells_read_as_a_reader_reads_them_and_no_index_is_shown():
    table = reader_table(frame(), COLUMNS)
    shown = table.to_frame()
    assert list(shown.columns) == ["District", "Respondents", "Satisfied", "95% CI"]
    assert shown.iloc[0].tolist() == ["Anyi", "1,234", "64.6%", "61.0% to 66.0%"]
    assert shown.iloc[1, 2] == "–"
    html = table.to_html()
    assert "<th></th>" not in html and 'class="num people"' in html
    assert any("no data" in n for n in table.notes)  # the dash is explained under the table


def test_the_same_table_in_chinese_names_the_district_and_the_range_in_chinese():
    with language.using("zh"):
        shown = reader_table(frame(), COLUMNS).to_frame()
    assert shown.iloc[1, 0] == "西安丰镇"
    assert shown.iloc[0, 3] == "61.0%～66.0%"


def test_a_visible_count_of_fewer_than_ten_people_is_refused_with_the_table_named():
    small = frame().assign(respondents=[1234, 7])
    with pytest.raises(ValueError, match=r"survey by district.*respondents.*7 people"):
        reader_table(small, COLUMNS, where="survey by district")


def test_a_protected_table_passes_and_explains_its_markers():
    small = frame().assign(respondents=[1234, 7])
    protected = disclosure.protect_estimates(small, "respondents", ["share", "low", "high"])
    table = reader_table(protected, COLUMNS)
    assert table.to_frame().iloc[1].tolist()[1:] == ["<10", "<10", "<10"]
    assert any("<10" in n and "x:" in n for n in table.notes)


def test_an_unknown_kind_or_a_missing_column_is_an_error():
    with pytest.raises(ValueError, match="unknown kind"):
        Column("x", "X", "percentage")
    with pytest.raises(KeyError, match="'nope'"):
        reader_table(frame(), [Column("nope", "Nope")])


def test_bands_in_their_natural_order_not_alphabetical():
    bands = pd.DataFrame({"age_band": ["50+", "under 30", "30-39", "40-49"], "n": [1, 2, 3, 4]})
    ordered = natural_order(bands, "age_band", "officer_age_band")
    assert ordered["age_band"].tolist() == ["under 30", "30-39", "40-49", "50+"]
