"""Rendering an executed notebook: hidden code and analyst cells, language cells, embedded images, the frame
(banner, navigation, provenance) in the page's language, escaped free text, figures kept as they are shown."""

from __future__ import annotations

import base64
import re

import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from analysis.batch.navigation import Link, Page
from analysis.batch.render import Renderer, missing_figures, prepare, sanitize_html, shown_in

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAgAAAAICAIAAABLbSncAAAAEUlEQVR4nGOQ96vEihiGlgQAYZI5gapHhb8AAAAASUVORK5CYII="
)
EVIL = '<script>alert(1)</script><img src=x onerror=alert(2)> Tom & Jerry <a href="https://evil.example">x</a>'
PROV = {
    "report": "r",
    "notebook": "notebooks/x.ipynb",
    "parameters": {"district": "Anyi"},
    "commit": "abc123",
    "dirty": True,
    "manifest_sha256": "f" * 64,
    "lock_sha256": "e" * 64,
    "started": "2026-01-01T00:00:00Z",
    "seconds": 1.5,
    "cell_seconds": 1.0,
    "packages": {"pandas": "3.1.1"},
}


def _executed_notebook():
    params = new_code_cell("district = None", metadata={"tags": ["parameters"]})
    injected = new_code_cell(
        "# Parameters\ndistrict = 'Anyi'\nSECRET_INJECTED = 1", metadata={"tags": ["injected-parameters"]}
    )
    body = new_code_cell("SOURCE_CODE_SHOULD_NOT_SHOW = 1\nprint('visible output')")
    body.outputs = [
        new_output("stream", name="stdout", text="visible output\n"),
        new_output("stream", name="stderr", text="a warning for analysts\n"),
    ]
    fig = new_code_cell("plt.show()")
    fig.outputs = [
        new_output("display_data", data={"image/png": base64.b64encode(PNG).decode(), "text/plain": "<Figure>"})
    ]
    text = new_code_cell("display(HTML(opinion))")
    text.outputs = [
        new_output("display_data", data={"text/html": f"<p>{EVIL}</p>", "text/plain": "x"}),
        new_output("display_data", data={"text/markdown": EVIL, "text/plain": "x"}),
        new_output("stream", name="stdout", text=EVIL + "\n"),
    ]
    table = new_code_cell("recon")
    table.outputs = [
        new_output(
            "execute_result",
            execution_count=5,
            data={
                "text/html": '<style>#T_1 td {color: red}</style><table id="reconciliation" class="dataframe">'
                "<thead><tr><th>id</th></tr></thead><tbody><tr><td>A1</td></tr></tbody></table>",
                "text/plain": "x",
            },
        )
    ]
    analyst = new_code_cell("print('checks for the analyst')", metadata={"tags": ["analyst"]})
    analyst.outputs = [new_output("stream", name="stdout", text="ANALYST-ONLY OUTPUT\n")]
    zh = new_markdown_cell("中文的叙述段落。", metadata={"tags": ["lang-zh"]})
    en = new_markdown_cell("The English narrative paragraph.", metadata={"tags": ["lang-en"]})
    return new_notebook(
        cells=[
            new_markdown_cell("# Title of the report\nSome *narrative*."),
            params,
            injected,
            body,
            fig,
            text,
            table,
            analyst,
            zh,
            en,
        ],
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
    )


def page(lang="en", title="Fixture <report>", scope=None) -> Page:
    return Page(
        lang=lang,
        title=title,
        breadcrumb=(Link("Brief", "summary.html"), Link("Survey", "survey.html"), Link("Anyi", None)),
        twins=(Link("中文", "survey--anyi.html", lang="zh"),)
        if lang == "en"
        else (Link("English", "x.en.html", "en"),),
        variants=(Link("Whole county", "survey.html"), Link("Anyi", None)),
        index=Link("All reports", "index.en.html"),
        methodology=Link("Methodology", "methodology.en.html"),
        scope=scope,
    )


@pytest.fixture(scope="module")
def renderer():
    return Renderer()


@pytest.fixture(scope="module")
def html_text(renderer):
    return renderer.render(
        _executed_notebook(),
        page=page("en"),
        provenance=PROV,
        banner="SYNTHETIC DEMO DATA: not the bureau's records",
    )


@pytest.fixture(scope="module")
def html_zh(renderer):
    return renderer.render(
        _executed_notebook(), page=page("zh", "调查（安宜镇）", "安宜镇"), provenance=PROV, banner="x"
    )


def test_code_and_parameter_cells_are_hidden(html_text):
    assert "SOURCE_CODE_SHOULD_NOT_SHOW" not in html_text
    assert "SECRET_INJECTED" not in html_text and "district = None" not in html_text
    assert "visible output" in html_text
    assert "a warning for analysts" not in html_text


def test_markdown_narrative_is_rendered(html_text):
    assert re.search(r"<h1[^>]*>Title of the report", html_text)
    assert "<em>narrative</em>" in html_text


def test_images_are_embedded_and_nothing_is_fetched(html_text):
    assert "data:image/png;base64," in html_text
    assert not re.search(r"<script[^>]+src=", html_text)
    assert not re.search(r"<link[^>]+href=\"?https?:", html_text)
    assert not re.search(r"""src=["']?(https?:|//)""", html_text)
    assert "mathjax" not in html_text.lower() or "cdn" not in html_text.lower()


def test_free_text_is_escaped_everywhere(html_text):
    assert "<script>alert(1)</script>" not in html_text
    assert "onerror=alert" not in html_text.replace("onerror=alert(2)&gt;", "")
    assert not re.search(r"<img[^>]*onerror", html_text)
    assert not re.search(r"<a[^>]*https://evil", html_text)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html_text
    assert "Tom &amp; Jerry" in html_text


def test_tables_keep_their_id_and_safe_style(html_text):
    assert 'id="reconciliation"' in html_text
    assert "#T_1 td {color: red}" in html_text


def test_banner_and_provenance_footer(html_text):
    assert re.search(r"SYNTHETIC DEMO DATA: not the bureau(&#x27;|')s records", html_text)
    footer = html_text[html_text.index('id="provenance"') :]
    for needle in (
        "abc123",
        "yes: uncommitted changes",
        "f" * 64,
        "district='Anyi'",
        "pandas 3.1.1",
        "2026-01-01T00:00:00Z",
    ):
        assert needle in footer
    assert "<title>Fixture &lt;report&gt;</title>" in html_text


def test_no_banner_on_real_data(renderer):
    text = renderer.render(_executed_notebook(), page=page(), provenance=PROV, banner=None)
    assert "analysis-banner" not in text.split("</style>")[-1]


def test_sanitize_keeps_data_images_only():
    assert "data:image/png" in sanitize_html('<img src="data:image/png;base64,AAAA">')
    out = sanitize_html('<img src="https://evil.example/x.png">')
    assert not re.search(r"<img", out) and out.startswith("&lt;img")


def test_links_stay_inside_the_reports_folder():
    out = sanitize_html(
        '<a href="survey--anyi.html">s</a><a href="#recon">r</a><a href="../../etc/passwd">p</a>'
        '<a href="https://x.example/">x</a><a href="javascript:alert(1)">j</a>'
    )
    assert 'href="survey--anyi.html"' in out and 'href="#recon"' in out
    assert 'passwd"' not in out and "x.example" not in out and "javascript" not in out


def test_analyst_cells_are_hidden_and_language_cells_kept_in_their_language(html_text, html_zh):
    for text in (html_text, html_zh):
        assert "ANALYST-ONLY OUTPUT" not in text and "checks for the analyst" not in text
    assert "The English narrative paragraph." in html_text and "中文的叙述段落" not in html_text
    assert "中文的叙述段落" in html_zh and "The English narrative paragraph." not in html_zh


@pytest.mark.parametrize(
    "tags, lang, shown",
    [
        (set(), "zh", True),
        ({"lang-zh"}, "zh", True),
        ({"lang-zh"}, "en", False),
        ({"lang-en"}, "zh", False),
        ({"lang-zh", "lang-en"}, "en", True),
        ({"analyst"}, "zh", False),
        ({"analyst", "lang-zh"}, "zh", False),
        ({"parameters"}, "en", False),
    ],
)
def test_which_cells_a_language_shows(tags, lang, shown):
    assert shown_in(tags, lang) is shown


def test_the_page_is_in_its_language(html_text, html_zh):
    assert '<html lang="en">' in html_text and '<html lang="zh-CN">' in html_zh
    assert "<title>调查（安宜镇）</title>" in html_zh
    # The frame's words: the Chinese banner and provenance labels, not the English ones.
    assert "模拟演示数据" in html_zh and "SYNTHETIC DEMO DATA" not in html_zh.split("</style>")[-1]
    assert "溯源信息" in html_zh and "Provenance" not in html_zh.split("</style>")[-1]


def test_a_variants_first_heading_names_its_scope(html_zh):
    assert re.search(r"<h1[^>]*>Title of the report（安宜镇）", html_zh)
    nb = prepare(_executed_notebook(), "en", "Anyi")
    assert nb.cells[0].source.startswith("# Title of the report: Anyi\n")


def test_navigation_breadcrumb_twin_and_variants(html_text):
    nav = html_text[html_text.index('class="analysis-nav"') : html_text.index("</header>")]
    assert '<a href="summary.html">Brief</a>' in nav and '<span aria-current="page">Anyi</span>' in nav
    twin = re.search(r'<a [^>]*href="survey--anyi.html"[^>]*>中文</a>', nav)
    assert twin and 'lang="zh-CN"' in twin.group(0) and 'hreflang="zh"' in twin.group(0)
    assert 'href="methodology.en.html"' in nav and 'href="index.en.html"' in nav
    assert '<a href="survey.html">Whole county</a>' in nav


FIGURE = (
    '<figure class="analysis-figure" id="fig-survey_top_box_anyi"><img src="data:image/png;base64,iVBORw0KGgo=" '
    'alt="Satisfaction was 64% (95% CI 62% to 66%)" width="800" height="450"><figcaption>'
    '<a href="figures/survey--anyi.en/survey_top_box_anyi.csv">Download the chart\'s data (CSV)</a>'
    "</figcaption></figure>"
)


def test_the_sanitiser_keeps_a_figure_as_shown():
    out = sanitize_html(FIGURE)
    for kept in (
        '<figure class="analysis-figure" id="fig-survey_top_box_anyi">',
        'src="data:image/png;base64,iVBORw0KGgo="',
        'alt="Satisfaction was 64% (95% CI 62% to 66%)"',
        'width="800"',
        "<figcaption>",
        'href="figures/survey--anyi.en/survey_top_box_anyi.csv"',
    ):
        assert kept in out, kept
    assert missing_figures(out, ["survey_top_box_anyi", "survey_likert_anyi"]) == ["survey_likert_anyi"]


@pytest.mark.parametrize(
    "href",
    ["figures/../secret.csv", "figures/../../x.html", "figures/a/b/c.csv", "/etc/passwd.csv", "..html", "x.exe"],
)
def test_links_out_of_the_figures_folder_are_dropped(href):
    assert "href" not in sanitize_html(f'<a href="{href}">x</a>')


def test_styles_and_event_handlers_lose_what_could_load_or_run():
    styled = '<p style="color:red;background:url(https://x.example/a.png)" onclick="go()">p</p><!-- c -->'
    assert sanitize_html(styled) == '<p style="color:red">p</p>'
    assert sanitize_html("<svg onload=alert(1)>") == "&lt;svg onload=alert(1)&gt;"


def test_backticked_names_in_a_statement_become_code_and_stay_escaped():
    from analysis.batch.render import esc_code

    assert esc_code("读取 `quarantine/<dataset>.csv` 与 `NaN`") == (
        '读取 <code lang="en">quarantine/&lt;dataset&gt;.csv</code> 与 <code lang="en">NaN</code>'
    )
    assert esc_code("no code <here>") == "no code &lt;here&gt;"
