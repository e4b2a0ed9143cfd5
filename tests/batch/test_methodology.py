"""The methodology page: the code's assumptions in the page's language, the sections still to come named."""

from __future__ import annotations

import re

import pytest

from analysis.batch.methodology import PENDING, methodology_html
from analysis.batch.navigation import Site
from analysis.batch.render import esc_code
from analysis.batch.schema import AllowedValues, expand, load_config, notebook_parameters
from analysis.core import paths
from analysis.summary.assumptions import Marker, collect


@pytest.fixture(scope="module")
def site():
    config = load_config(paths.REPORTS_CONFIG)
    params = {e.name: notebook_parameters(e.notebook) for e in config.all_entries() if e.notebook.exists()}
    _, reports = expand(config, {}, params, AllowedValues(None), include_clean=True)
    return Site(config, reports)


def test_every_assumption_of_the_code_is_listed_in_both_languages(site):
    slugs = {m.slug for m in collect()}
    for lang in ("zh", "en"):
        page = methodology_html(site, lang, banner=None)
        assert {*re.findall(r'id="assumption-([a-z0-9-]+)"', page)} == slugs
    zh = methodology_html(site, "zh", banner="demo")
    assert '<html lang="zh-CN">' in zh and "计算中采用的技术性假设" in zh and "模拟演示数据" in zh
    assert re.search(r'<a [^>]*href="methodology\.en\.html"[^>]*>English</a>', zh)


def test_a_statement_without_a_translation_is_shown_in_english_and_marked_so(site):
    markers = [Marker("new-rule", "a rule nobody translated yet.", "src/analysis/x.py", 3)]
    zh = methodology_html(site, "zh", banner=None, markers=markers)
    assert '<td lang="en">a rule nobody translated yet.</td>' in zh


def test_no_section_of_the_methodology_is_left_to_come(site):
    page = methodology_html(site, "zh", banner=None)
    # the class is in the page's inlined CSS; a pending section would carry it as its class
    assert PENDING == () and 'class="analysis-pending"' not in page and "data-pending" not in page


def test_the_design_statement_and_the_whole_population_note_in_both_languages(site, tmp_path):
    from analysis.core import language
    from analysis.stats.design import SurveyDesign
    from analysis.summary import methodology

    en = methodology_html(site, "en", banner=None)
    with language.using("en"):
        statement, note = methodology.design_statement(), methodology.whole_population_note()
    assert 'id="survey-design"' in en and 'id="whole-population"' in en
    assert esc_code(statement) in en and esc_code(note) in en
    assert "stratified by district" in statement and "raking is credited" in statement
    assert "not over a sample, so they carry no sampling error" in note
    zh = methodology_html(site, "zh", banner=None)
    with language.using("zh"):
        assert esc_code(methodology.design_statement()) in zh and esc_code(methodology.whole_population_note()) in zh
    assert statement not in zh  # translated, not the English
    # the statement follows the design file: no strata, weights fixed
    earlier = SurveyDesign.stated().earlier()
    with language.using("en"):
        changed = methodology.design_statement(earlier)
    assert "There are no strata." in changed and "treated as fixed" in changed
