"""Blocks of a report: escaping once, figures with one label, the key-points box."""

from __future__ import annotations

import pytest

from analysis.core import language
from analysis.present import blocks


def test_fill_escapes_text_and_keeps_figures_as_markup():
    fig = blocks.Figure("survey.satisfied", "satisfied (weighted)", "64.3%", note="95% CI 61.6% to 66.8%")
    out = blocks.fill("{figure} among <{who}>", figure=fig, who="A & B")
    assert 'data-figure="survey.satisfied"' in out and 'data-scope="county"' in out
    assert "&lt;" in out and "A &amp; B" in out
    assert "<span" in out  # the figure is not escaped a second time


def test_fill_names_a_part_the_sentence_needs_but_was_not_given():
    with pytest.raises(KeyError, match="who"):
        blocks.fill("{figure} among {who}", figure="x")


def test_key_points_box_has_its_heading_and_between_one_and_six_findings():
    box = blocks.key_points(["one", "two", "three"], scope="Anyi")
    assert box.html.startswith('<div class="key-points"><h2>Key points: Anyi</h2>')
    assert box.html.count("<li>") == 3
    with pytest.raises(ValueError, match="1 to 6"):
        blocks.key_points([])
    with language.using("zh"):
        assert "<h2>要点</h2>" in blocks.key_points(["一"]).html


def test_weak_points_link_to_their_detail():
    block = blocks.weak_points([blocks.Weakness("late", "Late", "33.1% on time", "opinions.html#deadlines")])
    assert 'id="weak-late"' in block.html and 'href="opinions.html#deadlines"' in block.html


def test_scope_words():
    assert blocks.scope_words(None) == "the county"
    assert blocks.scope_words(None, "unit") == "the whole bureau"
    with language.using("zh"):
        assert blocks.scope_words("Xi'anfeng") == "西安丰镇"
        assert blocks.scope_words("Anyi Police Station", "unit") == "安宜派出所"
