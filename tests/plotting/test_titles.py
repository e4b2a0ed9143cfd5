"""Wrapping text drawn in figures by display width: a Chinese character takes two columns."""

from __future__ import annotations

import textwrap

import pytest

from analysis.plotting.titles import display_width, wrap_lines, wrap_title


def test_display_width_counts_wide_characters_twice():
    assert display_width("abc") == 3
    assert display_width("满意率") == 6
    assert display_width("满意率64.3%") == 11
    assert display_width("（）") == 4  # full-width brackets


def test_english_wraps_as_textwrap_does():
    text = "In the county, satisfaction was highest for safety (69% satisfied) and lowest for traffic (49%)"
    assert wrap_lines(text, 40) == textwrap.wrap(text, 40)


@pytest.mark.parametrize("width", [10, 17, 30, 41])
def test_chinese_breaks_between_characters_within_the_width(width):
    text = "全县满意率最高的是治安状况（满意率69%），最低的是交通秩序（49%），两者相差20个百分点。"
    lines = wrap_lines(text, width)
    assert "".join(lines) == text
    assert all(display_width(line) <= width for line in lines)
    # closing punctuation never starts a line, an opening bracket never ends one
    assert not any(line[0] in "，。）%" for line in lines[1:])
    assert not any(line[-1] == "（" for line in lines)


def test_a_word_longer_than_the_line_keeps_its_own_line_and_bad_widths_are_refused():
    assert wrap_lines("a verylongword b", 5) == ["a", "verylongword", "b"]
    assert wrap_lines("first\nsecond", 80) == ["first", "second"]
    with pytest.raises(ValueError, match="at least 1"):
        wrap_lines("x", 0)


def test_title_gets_a_capital_first_letter():
    assert wrap_title("fewer than 10 failed") == "Fewer than 10 failed"
    assert wrap_title("不足10人") == "不足10人"
