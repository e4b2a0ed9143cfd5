"""The one formatter: every printed style the reports use, and the missing-value text."""

import math

import numpy as np
import pandas as pd
import pytest

from analysis.core import text


@pytest.mark.parametrize("missing", [None, float("nan"), np.nan, pd.NA, math.inf])
def test_one_text_for_a_missing_value(missing):
    assert text.MISSING == "–"
    for formatted in (
        text.percent(missing),
        text.count(missing),
        text.small_count(missing, 10),
        text.p_value(missing),
        text.number(missing),
    ):
        assert formatted == "–"
    assert text.interval(missing, 0.5) == "95% CI – to 50.0%"
    assert text.duration(missing) == "not reached"


def test_percent_and_count():
    assert text.percent(0.6464) == "64.6%"
    assert text.percent(0.6464, 0) == "65%"
    assert text.percent(np.float64(0.98)) == "98.0%"
    assert text.percent(1) == "100.0%"
    assert text.count(6464) == "6,464"
    assert text.count(np.int64(10000)) == "10,000"
    assert text.count(0) == "0"
    assert text.number(3.7412) == "3.74" and text.number(-0.934, 2) == "-0.93" and text.number(0.8753, 3) == "0.875"


def test_small_count_hides_zero_and_everything_below_the_threshold():
    assert text.small_count(10, 10) == "10"
    assert text.small_count(1234, 10) == "1,234"
    assert text.small_count(9, 10) == "fewer than 10"
    assert text.small_count(0, 10) == "fewer than 10"
    assert text.small_count(4, 5) == "fewer than 5"
    assert text.fewer_than(10) == "fewer than 10"


def test_p_value_styles_of_the_reports():
    # chi-square and Wald tests: three decimals below a floor of 0.001
    assert text.p_value(0.0421) == "p = 0.042"
    assert text.p_value(0.00002) == "p < 0.001"
    # log-rank: four decimals, no floor
    assert text.p_value(0.000155, digits=4, floor=None) == "p = 0.0002"
    # McNemar and bunching: two significant digits, no floor
    assert text.p_value(1.2987e-57, digits=2, significant=True, floor=None) == "p = 1.3e-57"
    # table cells and 'Holm p 0.5': bare values
    assert text.p_value(0.5, significant=True, label=None) == "0.5"
    assert text.p_value(0.0001, significant=True, label=None) == "< 0.001"
    assert text.p_value(0.1234, floor=None, label=None) == "0.123"


def test_interval_and_rate_text():
    assert text.interval(0.63698, 0.65571) == "95% CI 63.7% to 65.6%"
    assert text.interval(0.6891, 0.9423, places=3, as_percent=False) == "95% CI 0.689 to 0.942"
    assert text.rate_text(6464, 10000, 0.63698, 0.65571) == "6,464 of 10,000 = 64.6% (95% CI 63.7% to 65.6%)"
    assert text.rate_text(0, 0, float("nan"), float("nan")) == "0 of 0 = – (95% CI – to –)"


def test_duration():
    assert text.duration(142.5) == "142.5"
    assert text.duration(95.0) == "95"


def test_dates_in_the_report_language():
    import analysis.i18n  # noqa: F401  (registers the catalog with core.language)
    from analysis.core import language

    assert text.date("2004-12-20") == "20 December 2004" and text.month("2004-03") == "Mar 2004"
    with language.using("zh"):
        assert text.date(pd.Timestamp("2004-12-20")) == "2004年12月20日" and text.month("2004-03") == "2004年3月"
        assert text.fewer_than(10) == "不足10" and text.interval(0.1, 0.2) == "95%置信区间10.0%～20.0%"
    assert text.date(None) == text.MISSING


def test_slug():
    assert text.slug("Xi'anfeng Police Station") == "xianfeng-police-station"
    assert text.slug("Sheyanghu") == "sheyanghu"
    assert text.slug("安宜") == "x"  # nothing ASCII left: still a usable name
    assert text.slug("  Anyi / Fanshui  ") == "anyi-fanshui"


# --- the report's language ----------------------------------------------------------------------
import contextvars  # noqa: E402
import datetime as dt  # noqa: E402

from analysis.core import language  # noqa: E402


def test_the_reports_default_language_is_chinese():
    assert contextvars.Context().run(language.current) == "zh" == language.DEFAULT
    assert language.babel_locale("zh") == "zh_CN" and language.babel_locale("en") == "en_GB"


def test_chinese_formatting_keeps_the_digits_and_translates_the_words():
    import analysis.i18n  # noqa: F401  (installs the catalog for the formatter's words)

    with language.using("zh"):
        assert text.percent(0.6464) == "64.6%" and text.count(10000) == "10,000" and text.number(3.7412) == "3.74"
        assert text.fewer_than(10) == "不足10" and text.small_count(3, 10) == "不足10"
        assert text.interval(0.63698, 0.65571) == "95%置信区间63.7%～65.6%"
        assert text.rate_text(6464, 10000, 0.63698, 0.65571) == "6,464/10,000 = 64.6%（95%置信区间63.7%～65.6%）"
        assert text.duration(None) == "未达到"
        assert text.p_value(0.0421) == "p = 0.042"
        assert text.date(dt.date(2004, 12, 20)) == "2004年12月20日"
    with language.using("en"):
        assert text.date("2004-12-20") == "20 December 2004" and text.date(None) == "–" and text.date("") == "–"


@pytest.mark.parametrize("value", [2.675, 0.125, 1.005, -0.935, 12345.6789, 0.0449999])
@pytest.mark.parametrize("places", [0, 1, 2, 3])
def test_numbers_round_once_as_python_does_in_both_languages(value, places):
    # Babel would round the decimal text of a float again (2.675 -> 2.68); the digits must stay Python's.
    for lang in language.LANGUAGES:
        with language.using(lang):
            assert text.number(value, places) == f"{value:.{places}f}"
            assert text.percent(value / 100, places) == f"{100 * (value / 100):.{places}f}%"
            assert text.count(value) == f"{int(value):,}"
