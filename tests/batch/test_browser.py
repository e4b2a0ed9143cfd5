"""The reports in a real browser: Debian's headless Chromium driven by Playwright, from file://.

Every page (index.html and each report it links) must load every image (naturalWidth > 0), log no
console error, make no request other than file:// (and data: images), and the summary must show
its reconciliation table.  Screenshots go to test-artifacts/browser/ (gitignored).
"""

from __future__ import annotations

import io
import re
import shutil
from pathlib import Path

import pytest

from analysis.core import paths

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

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed (.ci/run installs it)"),
]


def check_in_browser(reports_dir: Path, shots: Path, *, summary_page: str | None) -> dict[str, dict]:
    """Open index.html and every report it links; return what was seen per page, assert on problems."""
    from playwright.sync_api import sync_playwright

    shutil.rmtree(shots, ignore_errors=True)
    shots.mkdir(parents=True, exist_ok=True)
    seen: dict[str, dict] = {}
    problems: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            log: dict[str, list] = {"console": [], "requests": []}
            page.on("console", lambda m: log["console"].append(f"{m.type}: {m.text}") if m.type == "error" else None)
            page.on("pageerror", lambda e: log["console"].append(f"pageerror: {e}"))
            page.on("request", lambda r: log["requests"].append(r.url))

            def visit(name: str) -> None:
                log["console"].clear()
                log["requests"].clear()
                page.goto((reports_dir / name).resolve().as_uri(), wait_until="load")
                images = page.eval_on_selector_all(
                    "img", "els => els.map(e => ({src: e.src.slice(0, 60), complete: e.complete, w: e.naturalWidth}))"
                )
                links = page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))")
                has_recon = page.locator("#reconciliation").count() > 0
                page.screenshot(path=str(shots / f"{Path(name).stem}.png"), full_page=True)
                external = [u for u in log["requests"] if not u.startswith(("file://", "data:"))]
                seen[name] = {
                    "images": images,
                    "links": links,
                    "reconciliation": has_recon,
                    "console": list(log["console"]),
                    "external": external,
                }
                problems.extend(f"{name}: image {i['src']} did not load" for i in images if not i["w"] > 0)
                problems.extend(f"{name}: console {c}" for c in log["console"])
                problems.extend(f"{name}: network request {u}" for u in external)

            visit("index.html")
            reports = [h for h in seen["index.html"]["links"] if re.fullmatch(r"[^/:]+\.html", h)]
            for name in dict.fromkeys(reports):
                visit(name)
        finally:
            browser.close()
    if summary_page is not None:
        if summary_page not in seen:
            problems.append(f"{summary_page} is not linked from index.html")
        elif not seen[summary_page]["reconciliation"]:
            problems.append(f"{summary_page}: no element with id 'reconciliation'")
    assert not problems, "\n".join(problems)
    return seen


def test_fixture_reports_in_browser(tmp_path, batch_project):
    """Fast: the fixture project's reports (images, escaped free text, index) in a real browser."""
    from analysis.batch import runner

    config = batch_project(tmp_path)
    result = runner.run(config, jobs=2, out=io.StringIO())
    assert {o.status for o in result.outcomes} == {"built", "failed"}
    seen = check_in_browser(tmp_path / "reports", ARTIFACTS / "fixture", summary_page=None)
    assert "county.html" in seen and seen["county.html"]["images"], "the fixture report shows its figure"
    assert len(seen) == 1 + sum(o.status == "built" for o in result.outcomes)


@pytest.mark.slow
def test_demo_reports_in_browser(demo_batch):
    """The real batch on the demo data: every report, and the summary's reconciliation table."""
    reports_dir, result, log = demo_batch.reports, demo_batch.result, demo_batch.log
    assert result.exit_code == 0, log
    has_summary = (paths.NOTEBOOKS / "90_summary.ipynb").exists()
    seen = check_in_browser(reports_dir, ARTIFACTS / "demo", summary_page="summary.html" if has_summary else None)
    built = [o.report.html_name for o in result.outcomes if o.status == "built"]
    assert set(built) <= set(seen)
