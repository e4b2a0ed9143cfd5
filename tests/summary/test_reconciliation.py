import html

import pandas as pd
import pytest

from analysis.core import paths, reference
from analysis.summary import findings
from analysis.summary import reconciliation as rec


@pytest.fixture
def published() -> pd.DataFrame:
    # The project's real published-figures table, read as text so printed digits are kept.
    return reference.published_figures()


def _key_figures_equal_to(published: pd.DataFrame) -> pd.DataFrame:
    """A key_figures frame whose every value is the published one (a data set that reproduces the report)."""
    kf = pd.DataFrame(
        {
            "id": published["id"],
            "value": pd.to_numeric(published["published"]),
            "numerator": pd.NA,
            "denominator": pd.NA,
            "ci_low": pd.NA,
            "ci_high": pd.NA,
            "rows": "all rows",
            "source": "test",
        }
    )
    return kf


def _set(kf: pd.DataFrame, fid: str, value) -> None:
    kf.loc[kf["id"] == fid, "value"] = value


def test_every_published_id_gets_exactly_one_row_in_published_order(published):
    table = rec.build(_key_figures_equal_to(published), published)
    assert table["id"].tolist() == published["id"].tolist()
    assert (table["status"] == rec.MATCHES).all()


def test_three_differing_figures_are_marked_and_only_they(published):
    kf = _key_figures_equal_to(published)
    _set(kf, "survey.valid_returned", 6463)  # a count one short
    _set(kf, "fitness.pass_rate_final", 0.9749)  # rounds to 97%, not 98%
    _set(kf, "traffic.violations", 119_999)  # below an "at least" figure
    table = rec.build(kf, published)
    differing = set(table.loc[table["status"] == rec.DIFFERS, "id"])
    assert differing == {"survey.valid_returned", "fitness.pass_rate_final", "traffic.violations"}
    counts = rec.status_counts(table)
    assert counts.to_dict() == {rec.MATCHES: len(published) - 3, rec.DIFFERS: 3, rec.NO_DATA: 0}


def test_missing_id_and_missing_value_are_no_data(published):
    kf = _key_figures_equal_to(published)
    kf = kf[kf["id"] != "cases.difficult_collective"].copy()
    _set(kf, "agency.yuan_saved", pd.NA)
    table = rec.build(kf, published).set_index("id")
    assert table.loc["cases.difficult_collective", "status"] == rec.NO_DATA
    assert table.loc["agency.yuan_saved", "status"] == rec.NO_DATA
    assert (table["status"] == rec.NO_DATA).sum() == 2


@pytest.mark.parametrize(
    "value, relation, published, expected",
    [
        (13_000, "at_least", "13000", rec.MATCHES),
        (13_650, "at_least", "13000", rec.MATCHES),
        (12_999, "at_least", "13000", rec.DIFFERS),
        (114 / 166, "approx", "0.6867", rec.MATCHES),  # 0.686747 -> 0.6867
        (0.6868, "approx", "0.6867", rec.DIFFERS),
        (64 / 200, "exact", "0.32", rec.MATCHES),
        (0.3249, "exact", "0.32", rec.MATCHES),  # printed as 32%
        (0.3251, "exact", "0.32", rec.DIFFERS),  # would be printed 33%
        (1.0, "exact", "1.0", rec.MATCHES),
        (0.996, "exact", "1.0", rec.DIFFERS),  # 99.6% is not "100%": every item or not
        (0.30, "exact", "0.30", rec.MATCHES),
        (0.2951, "exact", "0.3", rec.MATCHES),  # a proportion written 0.3 was printed "30%"
        (0.31, "exact", "0.3", rec.DIFFERS),
        (166, "exact", "166", rec.MATCHES),
        (166.4, "exact", "166", rec.DIFFERS),  # counts are equal or they differ
        (float("nan"), "exact", "166", rec.NO_DATA),
        (None, "at_least", "60", rec.NO_DATA),
    ],
)
def test_compare_relations(value, relation, published, expected):
    unit = "proportion" if "." in published else "count"
    assert rec.compare(value, published, relation, unit) == expected


def test_unknown_relation_and_bad_inputs_raise(published):
    with pytest.raises(ValueError, match="relation"):
        rec.compare(1, "1", "roughly")
    kf = _key_figures_equal_to(published)
    with pytest.raises(KeyError, match="value"):
        rec.build(kf.drop(columns="value"), published)
    with pytest.raises(ValueError, match="duplicated"):
        rec.build(pd.concat([kf, kf.head(1)]), published)


def test_every_published_dataset_links_to_a_report(published):
    table = rec.build(_key_figures_equal_to(published), published)
    assert table["report"].notna().all()
    assert set(table["report"]) <= {f"{stem}.html" for stem in rec.REPORT_NOTEBOOKS.values()}


def test_report_names_come_from_reports_yml(published, tmp_path):
    config = tmp_path / "reports.yml"
    config.write_text(
        "reports:\n"
        "  - {name: survey, notebook: notebooks/10_survey_satisfaction.ipynb, sweep: {district: districts}}\n"
        "  - {name: campaigns, notebook: notebooks/50_campaigns.ipynb}\n",
        encoding="utf-8",
    )
    reports = rec.report_files(config)
    assert reports == {"10_survey_satisfaction": "survey.html", "50_campaigns": "campaigns.html"}
    table = rec.build(_key_figures_equal_to(published), published, reports).set_index("id")
    assert table.loc["survey.distributed", "report"] == "survey.html"
    assert table.loc["campus.alarm_points", "report"] == "campaigns.html"
    assert table.loc["fitness.pass_rate_final", "report"] == "30_fitness.html"  # not configured: the stem
    assert rec.report_files(tmp_path / "absent.yml") == {}


def test_html_is_escaped_linked_and_carries_the_id(published):
    kf = _key_figures_equal_to(published)
    kf["source"] = "<script>alert(1)</script>"
    pub = published.copy()
    pub.loc[0, "quote"] = 'A "quoted" <b>tag</b> & more'
    table = rec.build(kf, pub)
    out = rec.to_html(table)
    assert '<table id="reconciliation"' in out
    assert "<script>" not in out and "<b>" not in out
    assert html.escape('A "quoted" <b>tag</b> & more', quote=False) in out.replace("&quot;", '"')
    assert '<a href="10_survey_satisfaction.en.html">' in out  # an English report links to the English twin
    assert out.count(" data-id=") == len(published)
    # a row is the figure in words, published, from data, status; the detail is folded under the name
    assert "<summary>Questionnaires distributed</summary>" in out and "survey.distributed</td>" not in out


def test_chinese_rows_name_the_figure_and_mark_the_back_translation(published):
    from analysis.core import language

    table = rec.build(_key_figures_equal_to(published), published)
    with language.using("zh"):
        out = rec.to_html(table)
    assert "<summary>发放问卷</summary>" in out and "共发放调查问卷10000份" in out
    assert out.count("据工作报告英文译本回译") == len(published)
    assert '<a href="10_survey_satisfaction.html">' in out and ">一致</td>" in out


def test_the_quotes_note_says_where_the_quotes_come_from():
    from analysis.core import language

    with language.using("zh"):
        assert "英文译本回译" in rec.quotes_note()
    with language.using("en"):
        assert rec.quotes_note() == "The work report's sentences are quoted from its English translation."


def test_display_formats_relations_and_percentages(published):
    kf = _key_figures_equal_to(published)
    kf.loc[kf["id"] == "survey.return_rate", ["numerator", "denominator", "ci_low", "ci_high"]] = [
        6464,
        10000,
        0.6370,
        0.6557,
    ]
    shown = rec.display(rec.build(kf, published)).set_index("id")
    assert shown.loc["traffic.officer_times", "Published"] == "≥ 13,000"
    assert shown.loc["opinions.rectified_rate", "Published"] == "≈ 68.67%"
    assert shown.loc["fitness.pass_rate_baseline", "Published"] == "32%"
    assert shown.loc["survey.return_rate", "95% interval"] == "63.7% to 65.6%"
    assert shown.loc["survey.return_rate", "Denominator"] == "10,000"
    assert shown.loc["survey.return_rate", "Figure"] == "Questionnaire return rate"
    assert "traffic.officer_times" in rec.to_text(rec.build(kf, published))


def test_counts_and_differing_lines(published):
    kf = _key_figures_equal_to(published)
    _set(kf, "opinions.rectified", 113)
    table = rec.build(kf, published)
    assert (
        rec.counts_line(table)
        == f"{len(published)} published figures: {len(published) - 1} match the data, 1 differ, 0 have no data"
    )
    assert rec.differing_line(table) == "Figures that do not match: opinions.rectified (differs)"
    assert rec.counts_sentence(table).startswith(f"{len(published) - 1} of {len(published)} published figures")


def test_read_inputs_needs_key_figures(tmp_path):
    from analysis.core.errors import AnalysisError

    with pytest.raises(AnalysisError, match="key-figures"):
        rec.read_inputs(tmp_path)
    pd.DataFrame({"id": ["survey.distributed"], "value": [10000]}).to_csv(tmp_path / "key_figures.csv", index=False)
    kf, pub = rec.read_inputs(tmp_path)
    assert pub.loc[pub["id"] == "fitness.pass_rate_baseline", "published"].item() == "0.32"
    assert rec.build(kf, pub).set_index("id").loc["survey.distributed", "status"] == rec.MATCHES


# ---- the summary notebook, executed ---------------------------------------------------------

SUMMARY = paths.NOTEBOOKS / "90_summary.ipynb"


def _execute(tmp_path, **parameters):
    import nbformat

    import forked_kernels

    out = tmp_path / "summary.ipynb"
    forked_kernels.execute(SUMMARY, out, parameters, cwd=tmp_path)
    nb = nbformat.read(out, as_version=4)
    texts, htmls = [], []
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            texts.append(o.get("text", ""))
            htmls.append(o.get("data", {}).get("text/html", ""))
    return "\n".join(texts), "\n".join(htmls)


@pytest.mark.slow
@pytest.mark.parametrize("district", [None, "Dongdang"])
def test_summary_marks_exactly_the_three_differing_figures(tmp_path, published, district):
    import json

    processed = tmp_path / "processed"
    processed.mkdir()
    (processed / "manifest.json").write_text(json.dumps({"synthetic": True}), encoding="utf-8")
    kf = _key_figures_equal_to(published)
    _set(kf, "survey.valid_returned", 6463)
    _set(kf, "opinions.rectified", 113)
    _set(kf, "campus.alarm_points", 197)
    kf.to_csv(processed / "key_figures.csv", index=False)
    text, html_out = _execute(
        tmp_path, processed_dir=str(processed), figures_dir=str(tmp_path / "fig"), district=district, lang="en"
    )
    assert f"{len(published)} published figures: {len(published) - 3} match the data, 3 differ, 0 have no data" in text
    assert (
        "Figures that do not match: survey.valid_returned (differs), opinions.rectified (differs), "
        "campus.alarm_points (differs)"
    ) in text
    assert 'id="reconciliation"' in html_out and "SYNTHETIC DEMO DATA" in html_out
    assert html_out.count('data-status="differs"') == 3
    # No processed data sets beyond the key figures: every finding says so, with no number.
    n = len(findings.FINDINGS)
    assert f"0 of {n} findings available" in text
    # the brief shows its six strongest, each saying why it is missing; none is offered as detail elsewhere
    assert html_out.count("Not yet available: no processed data for") == min(n, findings.BRIEF_MOST)
    assert "weak-more" not in html_out
    assert "The data shipped with the project is synthetic" in html_out  # the reader caveats, on demo data
    if district:
        assert "Dongdang is covered in the findings below" in html_out


@pytest.mark.slow
def test_summary_runs_with_defaults_on_the_processed_data(demo_batch):
    """At its defaults, as the demo batch executed it: not run again here."""
    nb = demo_batch.executed("summary.en")
    outputs = [o for c in nb.cells for o in c.get("outputs", [])]
    text = "\n".join(o.get("text", "") for o in outputs)
    html_out = "\n".join(o.get("data", {}).get("text/html", "") for o in outputs)
    assert 'id="reconciliation"' in html_out and "published figures:" in text


@pytest.mark.slow
def test_summary_runs_for_a_district_on_the_processed_data(tmp_path):
    if not (paths.PROCESSED / "key_figures.csv").exists():
        pytest.skip("data/processed not built: run `python -m analysis clean` (tests/conftest.py does it)")
    text, html_out = _execute(tmp_path, figures_dir=str(tmp_path / "fig"), district="Shanyang", lang="en")
    assert 'id="reconciliation"' in html_out and "published figures:" in text


# Tags the report renderer (analysis.batch) keeps; anything else would be shown escaped as text.
REPORT_TAGS = {
    "dl",
    "dt",
    "dd",
    "small",
    "span",
    "h2",
    "caption",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "code",
    "a",
    "div",
    "h3",
    "p",
    "ul",
    "li",
    "strong",
    "details",
    "summary",
}


def test_summary_html_uses_only_tags_reports_keep(published):
    import re

    kf = _key_figures_equal_to(published)
    from analysis.summary import brief

    parts = [
        rec.to_html(rec.build(kf, published)),
        findings.weak_points([findings.Finding("on_time", "t", True, "x", "opinions.html#deadlines")]).html,
        findings.weak_points([findings.Finding("k", "t", False, "Not yet available: x.")]).html,
        findings.brief_weak_points(
            [findings.Finding(k, "t", True, "x", "opinions.html#deadlines") for k in findings.FINDINGS]
        ).html,
        brief.caveats_block(True).html,
    ]
    tags = set(re.findall(r"</?([a-zA-Z0-9]+)", "".join(parts)))
    assert tags <= REPORT_TAGS, tags - REPORT_TAGS
