"""Every report in every language: file names, twins, navigation, declared figures, one cleaning.

Runs the fixture notebooks (real papermill, tiny kernels) under a configuration with a language axis.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from analysis.batch import runner
from analysis.batch.navigation import Site
from analysis.batch.schema import AllowedValues, expand, load_config, notebook_parameters, parse_overrides
from analysis.core.errors import ParameterError

CONFIG = """
reports_dir: reports
data_dir: data
fork: false
brief: survey
parameters:
  raw_dir: {{type: path, injected: raw}}
  processed_dir: {{type: path, injected: processed}}
  figures_dir: {{type: path, injected: figures}}
  lang: {{type: str, allowed: [zh, en], language: true}}
  district: {{type: str, nullable: true, allowed: districts, label: district, whole: "Whole county",
             picker: "By district"}}
  unit: {{type: str, nullable: true, allowed: units, label: unit}}
clean:
  name: clean
  title: "Data cleaning: what was read, kept and quarantined"
  notebook: "{fixtures}/clean.ipynb"
reports:
  - name: survey
    title: "Public satisfaction survey"
    description: "A one-line description for the index."
    notebook: "{fixtures}/report.ipynb"
    sweep: {{district: districts}}
    figures: [{figures}]
"""


def write_config(root: Path, figures: str = "square") -> Path:
    from conftest import FIXTURES, write_tiny_data

    write_tiny_data(root / "data" / "raw")
    config = root / "reports.yml"
    config.write_text(CONFIG.format(fixtures=FIXTURES / "batch", figures=figures), encoding="utf-8")
    return config


@pytest.fixture(scope="module")
def both(tmp_path_factory):
    root = tmp_path_factory.mktemp("languages")
    config = write_config(root)
    out = io.StringIO()
    result = runner.run(config, jobs=2, out=out)
    return root / "reports", result, out.getvalue()


def test_every_report_is_built_in_both_languages_with_the_default_unsuffixed(both):
    reports, result, log = both
    assert result.exit_code == 0, log
    built = {o.report.name for o in result.outcomes if o.status == "built"}
    assert built == {
        "clean",
        "clean.en",
        "survey",
        "survey.en",
        "survey--anyi",
        "survey--anyi.en",
        "survey--xianfeng",
        "survey--xianfeng.en",
    }
    for name in built:
        assert (reports / f"{name}.html").exists()
    for page in ("index.html", "index.en.html", "methodology.html", "methodology.en.html"):
        assert (reports / page).exists(), page
    # Figures per report and language.
    assert (reports / "figures" / "survey--anyi.en" / "square.png").exists()
    assert (reports / "figures" / "survey--anyi" / "square.png").exists()


def test_pages_are_in_their_language_and_link_their_twin(both):
    reports, _, _ = both
    zh = (reports / "survey--anyi.html").read_text(encoding="utf-8")
    en = (reports / "survey--anyi.en.html").read_text(encoding="utf-8")
    assert '<html lang="zh-CN">' in zh and '<html lang="en">' in en
    assert re.search(r'<a [^>]*href="survey--anyi\.en\.html"[^>]*>English</a>', zh)
    assert re.search(r'<a [^>]*href="survey--anyi\.html"[^>]*>中文</a>', en)
    # The notebook received its language, and kept only its language's cells.
    assert "只在中文报告中显示的段落" in zh and "A paragraph shown only in the English report." not in zh
    assert "A paragraph shown only in the English report." in en and "只在中文报告中显示的段落" not in en
    assert "FOR THE ANALYST ONLY" not in zh + en and "Markdown for analysts only" not in zh + en


def test_a_variant_names_its_district_in_the_title_and_breadcrumb(both):
    reports, _, _ = both
    zh = (reports / "survey--xianfeng.html").read_text(encoding="utf-8")
    en = (reports / "survey--xianfeng.en.html").read_text(encoding="utf-8")
    assert "西安丰镇" in zh.split("<title>")[1].split("</title>")[0]
    assert "Xi&#x27;anfeng" in en.split("<title>")[1].split("</title>")[0] or "Xi'anfeng" in en.split("</title>")[0]
    nav = zh[zh.index('class="analysis-nav"') : zh.index("</header>")]
    # breadcrumb: the brief (here the survey report itself is the brief) > the variant; the variants listed
    assert 'href="survey.html"' in nav and "西安丰镇" in nav and 'href="survey--anyi.html"' in nav


def test_the_index_in_each_language_lists_reports_by_topic_with_a_picker(both):
    reports, _, _ = both
    zh = (reports / "index.html").read_text(encoding="utf-8")
    en = (reports / "index.en.html").read_text(encoding="utf-8")
    assert '<html lang="zh-CN">' in zh and '<html lang="en">' in en
    assert re.search(r'<a [^>]*href="index\.en\.html"[^>]*>English</a>', zh)
    assert 'id="picker"' in en and 'href="survey--anyi.en.html"' in en and 'href="survey--anyi.html"' not in en
    assert "A one-line description for the index." in en
    # Provenance once, for the run: every report here was built by this run.
    assert en.count("Data manifest sha256") == 1 and "Built from other code or data" not in en


def test_the_cleaning_runs_once_its_twin_cleans_into_a_scratch_folder(both):
    reports, _, log = both
    zh = (reports / "clean.html").read_text(encoding="utf-8")
    en = (reports / "clean.en.html").read_text(encoding="utf-8")
    assert re.search(r"lang=zh processed_dir=\S+/data/processed", zh)
    scratch = re.search(r"lang=en processed_dir=(\S+)", en).group(1)
    assert "/.staging/" in scratch and not Path(scratch).exists()  # thrown away with the staging folder
    assert log.count("cleaning the raw data") == 1


def test_one_language_on_request(tmp_path):
    config = write_config(tmp_path)
    result = runner.run(config, jobs=2, lang="en", out=io.StringIO())
    assert {o.report.name for o in result.outcomes} == {
        "clean.en",
        "survey.en",
        "survey--anyi.en",
        "survey--xianfeng.en",
    }
    assert result.exit_code == 0
    assert not (tmp_path / "reports" / "survey.html").exists()
    # -p lang=... is the same request
    cfg = load_config(config)
    _, reports = expand(
        cfg, parse_overrides(["lang=zh"], cfg.schema), _nb_params(cfg), _allowed(tmp_path), include_clean=True
    )
    assert {r.lang for r in reports} == {"zh"} and {r.name for r in reports} >= {"clean", "survey", "survey--anyi"}


def _nb_params(cfg):
    return {e.name: notebook_parameters(e.notebook) for e in cfg.all_entries()}


def _allowed(root: Path) -> AllowedValues:
    return AllowedValues(root / "data" / "raw")  # the tiny data set (population margins, roster, manifest)


def test_an_unknown_language_is_refused_before_any_kernel(tmp_path):
    config = write_config(tmp_path)
    with pytest.raises(ParameterError, match=r"lang='fr' does not exist.*zh, en"):
        runner.run(config, jobs=1, lang="fr", out=io.StringIO())


def test_a_declared_figure_missing_from_the_page_fails_that_report(tmp_path):
    config = write_config(tmp_path, figures="square, square_chart_never_drawn")
    out = io.StringIO()
    result = runner.run(config, jobs=2, only=["survey"], lang="en", out=out)
    failed = {o.report.name: o for o in result.outcomes if o.status == "failed"}
    assert set(failed) == {"survey.en", "survey--anyi.en", "survey--xianfeng.en"}
    error = failed["survey--anyi.en"].error
    assert error["ename"] == "MissingFigure" and "square_chart_never_drawn_anyi" in error["evalue"]
    assert "MissingFigure" in out.getvalue() and result.exit_code == 1


def test_figure_names_of_a_variant_carry_its_scope(tmp_path):
    config = load_config(write_config(tmp_path))
    _, reports = expand(config, {}, _nb_params(config), _allowed(tmp_path), include_clean=True)
    by_name = {r.name: r for r in reports}
    assert by_name["survey--xianfeng.en"].figure_names() == ["square_xianfeng"]
    assert by_name["survey"].figure_names() == ["square"] and by_name["clean"].figure_names() == []
    site = Site(config, reports)
    assert site.title(by_name["survey--xianfeng"]) == "群众满意度问卷调查（西安丰镇）"
    assert site.title(by_name["survey--xianfeng.en"]) == "Public satisfaction survey: Xi'anfeng"
    page = site.page(by_name["survey--xianfeng.en"])
    assert [t.href for t in page.twins] == ["survey--xianfeng.html"]
    assert [c.text for c in page.breadcrumb] == ["Public satisfaction survey", "Xi'anfeng"]
    assert [(v.text, v.href) for v in page.variants] == [
        ("Whole county", "survey.en.html"),
        ("Anyi", "survey--anyi.en.html"),
        ("Xi'anfeng", None),
    ]
