"""The reports in a real browser: Debian's headless Chromium driven by Playwright, from file://.

Every page linked from the index pages (both languages) is opened at 1280 px (desktop) and 390 px
(phone). On each: every image loads (naturalWidth > 0) and has real alt text (never nbconvert's
placeholder), every figure the report declares in reports.yml is there and loaded, the page does not
scroll sideways, no console error, no request other than file:// and data:. At 1280 px a figure's
smallest text is at least 10 px. The brief prints on at most two A4 pages. Screenshots of a selection
of pages go to test-artifacts/browser/ (gitignored).
"""

from __future__ import annotations

import io
import re
import shutil
from pathlib import Path

import pytest

from analysis.batch.pdf import page_count
from analysis.core import paths
from analysis.plotting.theme import MIN_FONT_PT, SAVE_DPI

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = paths.ROOT / "test-artifacts" / "browser"
WIDTHS = (1280, 390)
PLACEHOLDER_ALT = "No description has been provided"
MIN_TEXT_PX = 10

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed (.ci/run installs it)"),
]

# What a page shows, read in the page: images, figures, links, and whether it scrolls sideways.
PAGE_FACTS = """() => ({
  images: [...document.images].map(e => ({src: e.src.slice(0, 60), alt: e.getAttribute('alt'), complete: e.complete,
                                          w: e.naturalWidth, shown: e.clientWidth})),
  figures: [...document.querySelectorAll('figure.analysis-figure')].map(f => {
      const img = f.querySelector('img');
      return {id: f.id, loaded: !!img && img.complete && img.naturalWidth > 0,
              natural: img ? img.naturalWidth : 0, shown: img ? img.clientWidth : 0};
  }),
  links: [...document.querySelectorAll('a[href]')].map(e => e.getAttribute('href')),
  overflow: document.documentElement.scrollWidth - document.documentElement.clientWidth,
  lang: document.documentElement.lang,
  reconciliation: !!document.getElementById('reconciliation'),
})"""


def check_in_browser(
    reports_dir: Path,
    shots: Path,
    *,
    figures: dict[str, list[str]],
    summary_page: str | None,
    screenshot: set[str] | None = None,
) -> dict[tuple[str, int], dict]:
    """Open the index pages and every page they link at each width; assert on problems; return what was seen.

    ``figures``: page file -> the figure names it must show (``id="fig-<name>"``).
    ``screenshot``: the pages to photograph (None: all).
    """
    from playwright.sync_api import sync_playwright

    shutil.rmtree(shots, ignore_errors=True)
    shots.mkdir(parents=True, exist_ok=True)
    seen: dict[tuple[str, int], dict] = {}
    problems: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        try:
            page = browser.new_page()
            log: dict[str, list] = {"console": [], "requests": []}
            page.on("console", lambda m: log["console"].append(f"{m.type}: {m.text}") if m.type == "error" else None)
            page.on("pageerror", lambda e: log["console"].append(f"pageerror: {e}"))
            page.on("request", lambda r: log["requests"].append(r.url))

            def visit(name: str, widths: tuple[int, ...]) -> dict:
                """Load ``name`` once at the first width, then resize to each other one (the CSS lays it out anew)."""
                log["console"].clear()
                log["requests"].clear()
                page.set_viewport_size({"width": widths[0], "height": 900})
                page.goto((reports_dir / name).resolve().as_uri(), wait_until="load")
                external = [u for u in log["requests"] if not u.startswith(("file://", "data:"))]
                problems.extend(f"{name}: console {c}" for c in log["console"])
                problems.extend(f"{name}: network request {u}" for u in external)
                for width in widths:
                    if width != widths[0]:
                        page.set_viewport_size({"width": width, "height": 900})
                    facts = page.evaluate(PAGE_FACTS)
                    if screenshot is None or name in screenshot:
                        page.screenshot(path=str(shots / f"{Path(name).stem}-{width}.png"), full_page=True)
                    check(name, width, facts)
                return seen[(name, widths[0])]

            def check(name: str, width: int, facts: dict) -> None:
                where = f"{name} at {width} px"
                problems.extend(f"{where}: image {i['src']} did not load" for i in facts["images"] if not i["w"] > 0)
                problems.extend(
                    f"{where}: image {i['src']} has no alt text of its own ({i['alt']!r})"
                    for i in facts["images"]
                    if not i["alt"] or PLACEHOLDER_ALT in i["alt"]
                )
                if facts["overflow"] > 1:
                    problems.append(f"{where}: the page scrolls sideways by {facts['overflow']} px")
                shown = {f["id"].removeprefix("fig-"): f for f in facts["figures"]}
                for fig in figures.get(name, []):
                    if fig not in shown:
                        problems.append(f"{where}: declared figure {fig} is not on the page")
                    elif not shown[fig]["loaded"]:
                        problems.append(f"{where}: declared figure {fig} did not load")
                if width == max(WIDTHS):
                    for fig_id, f in shown.items():
                        # CSS px per inch of the figure as shown, and its smallest text (MIN_FONT_PT) in px.
                        px_per_inch = f["shown"] / (f["natural"] / SAVE_DPI) if f["natural"] else 0
                        if MIN_FONT_PT * px_per_inch / 72 < MIN_TEXT_PX:
                            problems.append(
                                f"{where}: figure {fig_id} shown at {px_per_inch:.0f} px per inch: its "
                                f"{MIN_FONT_PT:g} pt text is under {MIN_TEXT_PX} px"
                            )
                seen[(name, width)] = facts

            start = [p for p in ("index.html", "index.en.html") if (reports_dir / p).exists()]
            pages: list[str] = list(start)
            for name in start:
                facts = visit(name, WIDTHS)
                pages += [h for h in facts["links"] if re.fullmatch(r"[^/:#]+\.html", h)]
            for name in dict.fromkeys(pages):
                if (name, WIDTHS[0]) not in seen:
                    visit(name, WIDTHS)
        finally:
            browser.close()
    if summary_page is not None:
        if (summary_page, WIDTHS[0]) not in seen:
            problems.append(f"{summary_page} is not linked from the index")
        elif not seen[(summary_page, WIDTHS[0])]["reconciliation"]:
            problems.append(f"{summary_page}: no element with id 'reconciliation'")
    assert not problems, "\n".join(problems)
    return seen


def test_fixture_reports_in_browser(tmp_path, batch_project):
    """Fast: the fixture project's reports (images, figures, escaped free text, index) in a real browser."""
    from analysis.batch import runner

    config = batch_project(tmp_path)
    result = runner.run(config, jobs=2, out=io.StringIO())
    assert {o.status for o in result.outcomes} == {"built", "failed"}
    built = [o for o in result.outcomes if o.status == "built"]
    seen = check_in_browser(
        tmp_path / "reports",
        ARTIFACTS / "fixture",
        figures={o.report.html_name: o.report.figure_names() for o in built},
        summary_page=None,
    )
    assert seen[("county.html", 1280)]["figures"], "the fixture report shows its figure"
    assert {name for name, _ in seen} >= {o.report.html_name for o in built} | {"index.html", "methodology.html"}


def test_a_page_that_scrolls_sideways_or_lacks_a_figure_fails(tmp_path):
    """The checks above can fail: a too-wide block, a declared figure that is not there, a placeholder alt."""
    (tmp_path / "index.html").write_text(
        '<!DOCTYPE html><html lang="en"><head><meta name="viewport" content="width=device-width"></head><body>'
        '<a href="r.html">r</a></body></html>',
        encoding="utf-8",
    )
    png = "iVBORw0KGgoAAAANSUhEUgAAAAgAAAAICAIAAABLbSncAAAAEUlEQVR4nGOQ96vEihiGlgQAYZI5gapHhb8AAAAASUVORK5CYII="
    (tmp_path / "r.html").write_text(
        '<!DOCTYPE html><html lang="en"><head><meta name="viewport" content="width=device-width"></head><body>'
        '<div style="width:900px">wide</div>'
        f'<img src="data:image/png;base64,{png}" alt="No description has been provided for this image">'
        "</body></html>",
        encoding="utf-8",
    )
    with pytest.raises(AssertionError) as info:
        check_in_browser(tmp_path, tmp_path / "shots", figures={"r.html": ["survey_likert"]}, summary_page=None)
    message = str(info.value)
    assert "r.html at 390 px: the page scrolls sideways" in message
    assert "declared figure survey_likert is not on the page" in message
    assert "has no alt text of its own" in message


@pytest.mark.slow
def test_demo_reports_in_browser(demo_batch):
    """The real batch on the demo data: every page in both languages at both widths, and the brief's PDF."""
    reports_dir, result, log = demo_batch.reports, demo_batch.result, demo_batch.log
    assert result.exit_code == 0, log
    built = [o for o in result.outcomes if o.status == "built"]
    shots = {
        f"{stem}{suffix}.html"
        for stem in ("index", "summary", "survey", "survey--anyi", "fitness")
        for suffix in ("", ".en")
    } | {"methodology.html"}
    seen = check_in_browser(
        reports_dir,
        ARTIFACTS / "demo",
        figures={o.report.html_name: o.report.figure_names() for o in built},
        summary_page="summary.html" if (paths.NOTEBOOKS / "90_summary.ipynb").exists() else None,
        screenshot=shots,
    )
    assert {o.report.html_name for o in built} <= {name for name, _ in seen}
    assert seen[("summary.html", 1280)]["lang"] == "zh-CN" and seen[("summary.en.html", 1280)]["lang"] == "en"


@pytest.mark.slow
def test_the_brief_prints_on_at_most_two_a4_pages(demo_batch):
    """Both languages' PDF brief (Chromium, the print stylesheet) on at most two A4 pages, key points first."""
    reports_dir = demo_batch.reports
    pdfs = [reports_dir / "summary.pdf", reports_dir / "summary.en.pdf"]
    assert all(p.exists() for p in pdfs), demo_batch.log[-2000:]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    pages = {}
    for pdf in pdfs:
        shutil.copyfile(pdf, ARTIFACTS / pdf.name)
        pages[pdf.name] = page_count(pdf.read_bytes())
    assert all(n >= 1 for n in pages.values()), pages
    for name in ("summary.html", "summary.en.html"):
        brief = (reports_dir / name).read_text(encoding="utf-8")
        body = brief[brief.index("<body") :]
        # the key points box comes before the weak points, the charts and the reconciliation
        order = [
            body.find(m)
            for m in ('class="key-points"', 'class="weak-points"', 'class="figure-grid"', 'id="reconciliation"')
        ]
        assert -1 not in order and order == sorted(order), (name, order)
    assert all(n <= 2 for n in pages.values()), pages


def test_pdf_pages_are_counted():
    one = b"%PDF-1.4\n1 0 obj <</Type /Pages /Count 1>> endobj 2 0 obj <</Type /Page>> endobj"
    assert page_count(one) == 1 and page_count(one + b" 3 0 obj <</Type/Page /Parent 1 0 R>>") == 2


@pytest.mark.slow
def test_every_figure_a_report_shows_is_declared(demo_batch):
    """reports.yml declares each report's figures: none shown undeclared, so the runner's check covers them all."""
    from analysis.batch.render import figure_ids

    built = [o for o in demo_batch.result.outcomes if o.status == "built"]
    assert built, demo_batch.log[-2000:]
    undeclared = {}
    for o in built:
        page = (demo_batch.reports / o.report.html_name).read_text(encoding="utf-8")
        extra = sorted(figure_ids(page) - set(o.report.figure_names()))
        if extra:
            undeclared[o.report.html_name] = extra
    assert undeclared == {}, undeclared
