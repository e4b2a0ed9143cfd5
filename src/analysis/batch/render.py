"""Executed notebook -> one self-contained HTML file for leadership, in the report's language.

Code cells, the ``parameters`` cell and papermill's injected-parameters cell are hidden; so are cells
tagged ``analyst`` (kept in the notebook for the analyst), and cells tagged ``lang-zh`` / ``lang-en``
outside their language's report (untagged cells are shown in both). Images are embedded (data URIs),
so a report opens offline from ``file://``; no script is loaded from the network; HTML in outputs is
sanitised (free text is shown escaped, never as markup). The page frame (demo banner, navigation,
provenance footer) is in the page's language (``<html lang="zh-CN">`` for Chinese).
One :class:`Renderer` is built per run and reused for every report (templates load once).
"""

from __future__ import annotations

import copy
import html
import re
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import nbformat

from analysis.core import language
from analysis.i18n import N_, _

if TYPE_CHECKING:
    from analysis.batch.navigation import Link, Page

TEMPLATES = Path(__file__).resolve().parent / "templates"
# Never shown to readers: the defaults, what papermill injected, cells for the analyst, anything tagged to hide.
HIDDEN_TAGS = frozenset({"parameters", "injected-parameters", "analyst", "remove-cell", "remove_cell", "hide"})
# A cell tagged lang-<code> is shown only in the report written in that language.
LANG_TAG = "lang-"
DEMO_BANNER_TEXT = N_(
    "SYNTHETIC DEMO DATA: not the bureau's records. Figures are calibrated to the published report and show how the "
    "analysis works; they are not evidence about the county."
)


@lru_cache(maxsize=1)
def css() -> str:
    return (TEMPLATES / "report.css").read_text(encoding="utf-8")


def esc(value: Any) -> str:
    return html.escape(str(value), quote=True)


def esc_code(value: Any) -> str:
    """``esc`` with `backticked` parts as <code>: names in the code, files and literal values a statement quotes."""
    return re.sub(r"`([^`]+)`", r'<code lang="en">\1</code>', esc(value))


def banner_html(text: str | None) -> str:
    """The demo-data banner in the current language ("" on real data: ``text`` None)."""
    if not text:
        return ""
    return f'<div class="analysis-banner" role="alert">{esc(_(DEMO_BANNER_TEXT))}</div>'


def parameters_text(parameters: Mapping[str, Any]) -> str:
    return ", ".join(f"{k}={v!r}" for k, v in parameters.items()) or _("notebook defaults")


def _dirty_text(dirty) -> str:
    return _("unknown") if dirty is None else (_("yes: uncommitted changes") if dirty else _("no"))


def provenance_rows(provenance: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(label, value) of a report's provenance, labels in the current language."""
    pk = provenance.get("packages", {})
    seconds = _("{seconds} s (cells {cell_seconds} s)").format(
        seconds=f"{provenance.get('seconds', 0):.1f}", cell_seconds=f"{provenance.get('cell_seconds', 0):.1f}"
    )
    return [
        (_("Report"), provenance.get("report", "")),
        (_("Notebook"), provenance.get("notebook", "")),
        (_("Parameters"), parameters_text(provenance.get("parameters", {}))),
        (_("Git commit"), provenance.get("commit", "")),
        (_("Working tree dirty"), _dirty_text(provenance.get("dirty"))),
        (_("Data manifest sha256"), provenance.get("manifest_sha256", "")),
        (_("Dependency lock sha256"), provenance.get("lock_sha256", "")),
        (_("Run"), f"{provenance.get('started', '')} UTC, {seconds}"),
        (_("Packages"), ", ".join(f"{k} {v}" for k, v in pk.items())),
    ]


def provenance_line(provenance: Mapping[str, Any]) -> str:
    """One line (shown folded, and in print): commit, data, when."""
    commit = str(provenance.get("commit", ""))[:10]
    dirty = f" ({_('yes: uncommitted changes')})" if provenance.get("dirty") else ""
    return (
        f"{_('Commit')} {commit}{dirty} · {_('Data')} {str(provenance.get('manifest_sha256', ''))[:12]} · "
        f"{_('Built')} {provenance.get('started', '')} UTC"
    )


def footer_html(provenance: Mapping[str, Any]) -> str:
    """The provenance footer: one line, the full table (commit, data, parameters, packages, time) folded under it."""
    body = "".join(f"<tr><th>{esc(k)}</th><td><code>{esc(v)}</code></td></tr>" for k, v in provenance_rows(provenance))
    return (
        f'<footer class="analysis-footer" id="provenance"><details><summary><strong>{esc(_("Provenance"))}</strong> '
        f"{esc(provenance_line(provenance))}</summary><table>{body}</table></details></footer>"
    )


def link_html(link: Link, cls: str = "") -> str:
    """A navigation link (the page itself as plain text), marked with its language when not the page's."""
    attrs = f' class="{cls}"' if cls else ""
    if link.lang:
        attrs += f' lang="{esc(language.HTML_LANG.get(link.lang, link.lang))}" hreflang="{esc(link.lang)}"'
    if link.href is None:
        return f'<span aria-current="page"{attrs}>{esc(link.text)}</span>'
    return f'<a href="{esc(link.href)}"{attrs}>{esc(link.text)}</a>'


def nav_html(page: Page) -> str:
    """The frame above a page's content: breadcrumb, index, methodology, language switch, the variants."""
    crumbs = esc(_(" › ")).join(link_html(c) for c in page.breadcrumb)
    tools = [link_html(page.index), link_html(page.methodology)]
    tools += [link_html(t, "analysis-lang-switch") for t in page.twins]
    out = [
        '<header class="analysis-nav">',
        f'<nav class="analysis-breadcrumb" aria-label="{esc(_("Breadcrumb"))}">{crumbs}</nav>',
        f'<nav class="analysis-tools">{" ".join(tools)}</nav>',
    ]
    if page.variants:
        words = _("By district / by station")
        links = " ".join(link_html(v) for v in page.variants)
        out.append(f'<nav class="analysis-variants" aria-label="{esc(words)}"><span>{esc(words)}:</span> {links}</nav>')
    out.append("</header>")
    return "\n".join(out)


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
    "*": ["class", "id", "title", "style", "align", "lang"],
    "td": ["colspan", "rowspan"],
    "th": ["colspan", "rowspan", "scope"],
    "table": ["border"],
    "a": ["href", "title"],
    "img": ["src", "alt", "width", "height"],
    "col": ["span"],
    # A headline figure's id and scope (present.blocks.Figure): the scan of rendered reports reads them.
    "span": ["data-figure", "data-scope"],
}
_STYLE_BLOCK = re.compile(r"<style[^>]*>(.*?)</style>", re.S | re.I)
# Inside the page, a sibling report, or a file of the figures folder (figures/<report>/<file>); never "..".
_LOCAL_HREF = re.compile(
    r"#[\w\-.:]*|(figures/((?!\.\.?/)[\w\-.]+/)?)?(?!\.\.)[\w\-.]+\.(html|png|svg|csv|pdf)(#[\w\-.:]*)?"
)
_DATA_IMG = re.compile(r"""\ssrc\s*=\s*["']?data:image/""", re.I)
_UNSAFE_CSS = re.compile(r"url\(|@import|expression|javascript:|<", re.I)
# A start or end tag (not a comment, doctype or stray "<"): the sanitiser escapes those it does not allow.
_ANY_TAG = re.compile(r"</?(?P<name>[A-Za-z][\w:-]*)\b[^>]*>")
# The style properties a cell output may set (bleach's CSS sanitiser's list): layout and colour, nothing that loads.
_CSS_PROPERTIES = frozenset(
    [
        "azimuth",
        "background-color",
        "border-bottom-color",
        "border-collapse",
        "border-color",
        "border-left-color",
        "border-right-color",
        "border-top-color",
        "clear",
        "color",
        "cursor",
        "direction",
        "display",
        "elevation",
        "float",
        "font",
        "font-family",
        "font-size",
        "font-style",
        "font-variant",
        "font-weight",
        "height",
        "letter-spacing",
        "line-height",
        "overflow",
        "pause",
        "pause-after",
        "pause-before",
        "pitch",
        "pitch-range",
        "richness",
        "speak",
        "speak-header",
        "speak-numeral",
        "speak-punctuation",
        "speech-rate",
        "stress",
        "text-align",
        "text-decoration",
        "text-indent",
        "unicode-bidi",
        "vertical-align",
        "voice-family",
        "volume",
        "white-space",
        "width",
    ]
)


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
    import nh3

    # An <img> that does not carry its picture (data: URI) is free text pretending to be markup: escape it.
    text = re.sub(
        r"<img\b[^>]*>",
        lambda m: m.group(0) if _DATA_IMG.search(m.group(0)) else html.escape(m.group(0)),
        text,
        flags=re.I,
    )
    styles = [m.group(0) for m in _STYLE_BLOCK.finditer(text) if not _UNSAFE_CSS.search(m.group(1))]
    text = _STYLE_BLOCK.sub("", text)
    # nh3 drops a tag it does not allow (and a script's text with it); a reader sees it as typed instead.
    text = _ANY_TAG.sub(lambda m: m.group(0) if m["name"].lower() in _TAGS else html.escape(m.group(0)), text)
    cleaned = nh3.clean(
        text,
        tags=set(_TAGS),
        clean_content_tags=set(),
        attributes={tag: set(names) for tag, names in _ATTRS.items()},
        attribute_filter=_attribute_filter,
        # http(s) listed so that relative links reach _attribute_filter, which decides what stays.
        url_schemes={"data", "http", "https"},
        strip_comments=True,
        link_rel=None,
        filter_style_properties=set(_CSS_PROPERTIES),
    )
    return "".join(styles) + cleaned


def _attribute_filter(tag: str, name: str, value: str) -> str | None:
    return value if _attribute_ok(tag, name, value) else None


def _is_notebook_banner(output) -> bool:
    value = output.get("data", {}).get("text/html", "")
    value = "".join(value) if isinstance(value, list) else value
    return value.startswith('<div class="demo-banner"') and value.count("<div") == 1


def shown_in(tags: set[str], lang: str) -> bool:
    """Whether a cell with ``tags`` is shown in the report written in ``lang``."""
    if tags & HIDDEN_TAGS:
        return False
    langs = {t[len(LANG_TAG) :] for t in tags if t.startswith(LANG_TAG)}
    return not langs or lang in langs


_H1 = re.compile(r"^# +(?P<title>.+?)\s*$", re.M)


def with_scope(source: str, scope: str) -> str:
    """A markdown cell's first top-level heading with the variant's district or station added."""
    return _H1.sub(lambda m: "# " + _("{title}: {scope}").format(title=m["title"], scope=scope), source, count=1)


def prepare(nb: nbformat.NotebookNode, lang: str | None = None, scope: str | None = None) -> nbformat.NotebookNode:
    """A copy for readers in ``lang`` (default: the current language).

    Hidden cells, the other languages' cells and stderr streams are dropped; HTML and markdown
    outputs are sanitised; with ``scope`` (a variant's district or station, in words) the first
    top-level heading names it.
    """
    lang = lang or language.current()
    nb = copy.deepcopy(nb)
    cells = []
    for cell in nb.cells:
        tags = set(cell.get("metadata", {}).get("tags", []))
        if not shown_in(tags, lang):
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
        elif cell.cell_type == "markdown" and scope and _H1.search(cell.source):
            with language.using(lang):
                cell.source = with_scope(cell.source, scope)
            scope = None  # the first heading only
        cells.append(cell)
    nb.cells = cells
    return nb


def set_html_lang(text: str, html_lang: str) -> str:
    """``<html lang=...>`` set to the page's language (nbconvert takes ISO 639-1 codes only, not zh-CN)."""
    fixed, n = re.subn(r'<html lang="[^"]*"', f'<html lang="{html_lang}"', text, count=1)
    if n != 1:
        raise ValueError("the rendered page has no <html lang=...> element")
    return fixed


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
        # Figures are shown as <figure> HTML with their alt text (FigureContext.show); an image without
        # one gets nbconvert's placeholder, which the browser test refuses: the log line adds nothing.
        self.exporter.log.addFilter(lambda record: "Alternative text is missing" not in record.getMessage())

    def render(
        self,
        nb: nbformat.NotebookNode,
        *,
        page: Page,
        provenance: Mapping[str, Any],
        banner: str | None = None,
    ) -> str:
        """The report's HTML text, its frame in ``page.lang``."""
        with language.using(page.lang):
            nb = prepare(nb, page.lang, page.scope)
            nb.metadata["title"] = page.title
            resources = {
                "metadata": {"name": page.title},
                "analysis_css": css(),
                "analysis_banner": banner_html(banner),
                "analysis_heading": nav_html(page),
                "analysis_footer": footer_html(provenance),
            }
            body, _resources = self.exporter.from_notebook_node(nb, resources=resources)
        return set_html_lang(body, page.html_lang)


_FIGURE_ID = re.compile(r"""<figure\b[^>]*\bid=["']fig-([^"']+)["']""", re.I)


def figure_ids(text: str) -> set[str]:
    """The names of the figures a page shows (``<figure id="fig-<name>">``, as FigureContext.show writes them)."""
    return set(_FIGURE_ID.findall(text))


def missing_figures(text: str, names: list[str]) -> list[str]:
    """The declared figure names a rendered page does not show, in declared order."""
    shown = figure_ids(text)
    return [n for n in names if n not in shown]


def standalone_page(
    html_lang: str, title: str, body: str, banner_text: str, nav: str, body_class: str = "analysis-index-page"
) -> str:
    """A page the batch writes itself (the index, the methodology page): report stylesheet, banner, navigation."""
    return f"""<!DOCTYPE html>
<html lang="{esc(html_lang)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>{esc(title)}</title>
<style type="text/css">
{css()}
</style>
</head>
<body class="{body_class}">
{banner_text}
{nav}
<main>
<h1>{esc(title)}</h1>
{body}
</main>
</body>
</html>
"""
