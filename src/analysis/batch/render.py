"""Executed notebook -> one self-contained HTML file for leadership.

Code cells, the ``parameters`` cell and papermill's injected-parameters cell are hidden; images are
embedded (data URIs), so a report opens offline from ``file://``; no script is loaded from the
network; HTML in outputs and markdown is sanitised (free text is shown escaped, never as markup).
One :class:`Renderer` is built per run and reused for every report (templates load once).
"""

from __future__ import annotations

import copy
import html
import re
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

import nbformat

TEMPLATES = Path(__file__).resolve().parent / "templates"
# Cells never shown to readers: the defaults, what papermill injected, and anything tagged to hide.
HIDDEN_TAGS = frozenset({"parameters", "injected-parameters", "remove-cell", "remove_cell", "hide"})


@lru_cache(maxsize=1)
def css() -> str:
    return (TEMPLATES / "report.css").read_text(encoding="utf-8")


def esc(value: Any) -> str:
    return html.escape(str(value), quote=True)


def banner_html(text: str | None) -> str:
    if not text:
        return ""
    return (
        f'<div class="analysis-banner" role="alert">{esc(text)}. Figures are calibrated to the published report '
        "and show how the analysis works; they are not evidence about the county.</div>"
    )


def parameters_text(parameters: Mapping[str, Any]) -> str:
    return ", ".join(f"{k}={v!r}" for k, v in parameters.items()) or "notebook defaults"


def footer_html(provenance: Mapping[str, Any]) -> str:
    """The provenance footer: commit and dirty flag, data manifest hash, parameters, packages, time."""
    dirty = provenance.get("dirty")
    dirty_txt = "unknown" if dirty is None else ("yes: uncommitted changes" if dirty else "no")
    pk = provenance.get("packages", {})
    rows = [
        ("Report", provenance.get("report", "")),
        ("Notebook", provenance.get("notebook", "")),
        ("Parameters", parameters_text(provenance.get("parameters", {}))),
        ("Git commit", provenance.get("commit", "")),
        ("Working tree dirty", dirty_txt),
        ("Data manifest sha256", provenance.get("manifest_sha256", "")),
        ("Dependency lock sha256", provenance.get("lock_sha256", "")),
        (
            "Run",
            f"{provenance.get('started', '')} UTC, {provenance.get('seconds', 0):.1f} s "
            f"(cells {provenance.get('cell_seconds', 0):.1f} s)",
        ),
        ("Packages", ", ".join(f"{k} {v}" for k, v in pk.items())),
    ]
    body = "".join(f"<tr><th>{esc(k)}</th><td><code>{esc(v)}</code></td></tr>" for k, v in rows)
    return f'<footer class="analysis-footer" id="provenance"><strong>Provenance</strong><table>{body}</table></footer>'


_TAGS = frozenset(
    {
        "a",
        "abbr",
        "b",
        "blockquote",
        "br",
        "caption",
        "code",
        "col",
        "colgroup",
        "dd",
        "details",
        "div",
        "dl",
        "dt",
        "em",
        "figcaption",
        "figure",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "hr",
        "i",
        "img",
        "li",
        "ol",
        "p",
        "pre",
        "small",
        "span",
        "strong",
        "sub",
        "summary",
        "sup",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "tr",
        "u",
        "ul",
    }
)
_ATTRS = {
    "*": ["class", "id", "title", "style", "align"],
    "td": ["colspan", "rowspan"],
    "th": ["colspan", "rowspan", "scope"],
    "table": ["border"],
    "a": ["href", "title"],
    "img": ["src", "alt", "width", "height"],
    "col": ["span"],
}
_STYLE_BLOCK = re.compile(r"<style[^>]*>(.*?)</style>", re.S | re.I)
_LOCAL_HREF = re.compile(r"#[\w\-.:]*|(figures/)?[\w\-.]+\.(html|png|svg|csv)(#[\w\-.:]*)?")
_DATA_IMG = re.compile(r"""\ssrc\s*=\s*["']?data:image/""", re.I)
_UNSAFE_CSS = re.compile(r"url\(|@import|expression|javascript:|<", re.I)


def _attribute_ok(tag: str, name: str, value: str) -> bool:
    if name in _ATTRS.get("*", ()) or name in _ATTRS.get(tag, ()):
        if tag == "img" and name == "src":
            return value.startswith("data:image/")  # embedded only: a report never fetches anything
        if name == "href":
            # Links inside the page, or to a sibling report or figure: nothing leaves the folder.
            return bool(_LOCAL_HREF.fullmatch(value))
        return True
    return False


def sanitize_html(text: str) -> str:
    """HTML from a cell output with anything that could run or fetch escaped (shown as text).

    Tables, headings and lists survive (pandas tables, the summary's reconciliation table);
    ``<script>``, event handlers, external images and links are escaped or dropped;
    ``<style>`` blocks survive only when they cannot load anything (pandas Styler).
    """
    import bleach
    from bleach.css_sanitizer import CSSSanitizer

    # An <img> that does not carry its picture (data: URI) is free text pretending to be markup: escape it.
    text = re.sub(
        r"<img\b[^>]*>",
        lambda m: m.group(0) if _DATA_IMG.search(m.group(0)) else html.escape(m.group(0)),
        text,
        flags=re.I,
    )
    styles = [m.group(0) for m in _STYLE_BLOCK.finditer(text) if not _UNSAFE_CSS.search(m.group(1))]
    text = _STYLE_BLOCK.sub("", text)
    # http(s) listed so that bleach lets relative links through; _attribute_ok decides what stays.
    cleaned = bleach.clean(
        text,
        tags=_TAGS,
        attributes=_attribute_ok,
        protocols=["data", "http", "https"],
        strip=False,
        strip_comments=True,
        css_sanitizer=CSSSanitizer(),
    )
    return "".join(styles) + cleaned


def _is_notebook_banner(output) -> bool:
    value = output.get("data", {}).get("text/html", "")
    value = "".join(value) if isinstance(value, list) else value
    return value.startswith('<div class="demo-banner"') and value.count("<div") == 1


def prepare(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A copy without hidden cells and stderr streams, its HTML and markdown outputs sanitised."""
    nb = copy.deepcopy(nb)
    cells = []
    for cell in nb.cells:
        tags = set(cell.get("metadata", {}).get("tags", []))
        if tags & HIDDEN_TAGS:
            continue
        if cell.cell_type == "code":
            # ASSUMPTION(no-stderr-in-reports): stderr (warnings) is left out of the HTML reports; analysts see it in the notebook.
            cell.outputs = [
                o
                for o in cell.get("outputs", [])
                if not (o.get("output_type") == "stream" and o.get("name") == "stderr")
            ]
            if not cell.outputs:
                continue
            # The page carries the demo banner itself; a notebook's own banner output would repeat it.
            cell.outputs = [o for o in cell.outputs if not _is_notebook_banner(o)]
            if not cell.outputs:
                continue
            for o in cell.outputs:
                data = o.get("data")
                if not data:
                    continue
                # ASSUMPTION(outputs-untrusted): HTML/markdown outputs may carry free text and are sanitised; markdown cells are trusted.
                for mime in ("text/html", "text/markdown"):
                    if mime in data:
                        value = data[mime]
                        data[mime] = sanitize_html("".join(value) if isinstance(value, list) else value)
        cells.append(cell)
    nb.cells = cells
    return nb


class Renderer:
    """nbconvert's HTML exporter configured once for every report of a run."""

    def __init__(self) -> None:
        from nbconvert import HTMLExporter

        self.exporter = HTMLExporter(
            template_name="lab",
            extra_template_paths=[str(TEMPLATES)],
            template_file="analysis_report.html.j2",
            exclude_input=True,
            exclude_input_prompt=True,
            exclude_output_prompt=True,
            embed_images=True,
            sanitize_html=False,  # sanitised in prepare()
            exclude_anchor_links=True,
        )
        # nbconvert warns per report that matplotlib images have no alt text; the figures' titles
        # and captions are in the image itself, so the warning is noise in `make reports`.
        self.exporter.log.addFilter(lambda record: "Alternative text is missing" not in record.getMessage())

    def render(
        self,
        nb: nbformat.NotebookNode,
        *,
        title: str,
        provenance: Mapping[str, Any],
        banner: str | None = None,
        index_href: str | None = "index.html",
    ) -> str:
        """The report's HTML text."""
        nb = prepare(nb)
        nb.metadata["title"] = title
        heading = (
            f'<div class="analysis-heading"><a href="{esc(index_href)}">All reports</a></div>' if index_href else ""
        )
        resources = {
            "metadata": {"name": title},
            "analysis_css": css(),
            "analysis_banner": banner_html(banner),
            "analysis_heading": heading,
            "analysis_footer": footer_html(provenance),
        }
        body, _ = self.exporter.from_notebook_node(nb, resources=resources)
        return body
