"""Rendering an executed notebook: hidden code, embedded images, banner, provenance, escaped free text."""

from __future__ import annotations

import base64
import re

import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from analysis.batch.index import index_html
from analysis.batch.render import Renderer, sanitize_html

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
    return new_notebook(
        cells=[new_markdown_cell("# Title of the report\nSome *narrative*."), params, injected, body, fig, text, table],
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
    )


@pytest.fixture(scope="module")
def html_text():
    return Renderer().render(
        _executed_notebook(),
        title="Fixture <report>",
        provenance=PROV,
        banner="SYNTHETIC DEMO DATA: not the bureau's records",
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


def test_no_banner_on_real_data():
    text = Renderer().render(_executed_notebook(), title="t", provenance=PROV, banner=None)
    assert "analysis-banner" not in text.split("</style>")[-1]


def test_sanitize_keeps_data_images_only():
    assert "data:image/png" in sanitize_html('<img src="data:image/png;base64,AAAA">')
    out = sanitize_html('<img src="https://evil.example/x.png">')
    assert not re.search(r"<img", out) and out.startswith("&lt;img")


def test_index_lists_summary_first_with_status_parameters_and_provenance():
    rows = [
        {
            "name": "survey--anyi",
            "entry": "survey",
            "title": "Survey: Anyi",
            "status": "built",
            "html": "survey--anyi.html",
            "order": 1,
            "parameters": {"district": "Anyi"},
            "provenance": PROV,
        },
        {
            "name": "broken",
            "entry": "broken",
            "title": "Broken <b>",
            "status": "failed",
            "html": None,
            "order": 2,
            "parameters": {},
            "provenance": {},
            "error": {"cell_index": 4, "ename": "ValueError", "evalue": "<oops>"},
        },
        {
            "name": "summary",
            "entry": "summary",
            "title": "Summary",
            "status": "skipped",
            "html": "summary.html",
            "order": 9,
            "parameters": {},
            "provenance": PROV,
        },
    ]
    text = index_html(
        rows, banner="DEMO", run={"started": "now", "seconds": 3, "counts": {"built": 1}, "commit": "abc"}
    )
    order = [m.group(1) for m in re.finditer(r'data-report="([^"]+)"', text)]
    assert order == ["summary", "survey--anyi", "broken"]
    assert "skipped (unchanged)" in text and "district=&#x27;Anyi&#x27;" in text and "abc123" in text
    assert "cell 4: ValueError: &lt;oops&gt;" in text and "Broken &lt;b&gt;" in text
    assert '<a href="summary.html">' in text and "DEMO" in text


def test_links_stay_inside_the_reports_folder():
    out = sanitize_html(
        '<a href="survey--anyi.html">s</a><a href="#recon">r</a><a href="../../etc/passwd">p</a>'
        '<a href="https://x.example/">x</a><a href="javascript:alert(1)">j</a>'
    )
    assert 'href="survey--anyi.html"' in out and 'href="#recon"' in out
    assert 'passwd"' not in out and "x.example" not in out and "javascript" not in out
