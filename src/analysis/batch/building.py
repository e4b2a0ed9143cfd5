"""One report's page from its execution: the provenance it carries and its HTML.

The same two steps run in the batch process (the in-process pool) and on a Dask worker
(``batch.cluster``), so a report built either way is the same page.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from analysis.batch.render import missing_figures

if TYPE_CHECKING:
    from analysis.batch.execution import Execution
    from analysis.batch.navigation import Page
    from analysis.batch.render import Renderer
    from analysis.batch.schema import Report


def report_provenance(run: Mapping[str, Any], report: Report, notebook: str, started: str, ex: Execution) -> dict:
    """What the page's footer and the report's state record: the run's provenance and this execution's."""
    return {
        **run,
        "report": report.name,
        "notebook": notebook,
        "parameters": report.parameters,
        "started": started,
        "seconds": round(ex.seconds, 2),
        "cell_seconds": round(ex.cell_seconds, 2),
    }


def render_report(
    renderer: Renderer,
    report: Report,
    ex: Execution,
    *,
    page: Page,
    provenance: Mapping[str, Any],
    banner: str | None,
) -> str | None:
    """The page's HTML, or None with ``ex.error`` set (a rendering problem, a declared figure not shown)."""
    try:
        text = renderer.render(ex.nb, page=page, provenance=provenance, banner=banner)
    except Exception as exc:  # a rendering problem is a failure of this report, not of the run
        ex.error = {"cell_index": "render", "exec_count": None, "ename": type(exc).__name__, "evalue": str(exc)}
        return None
    missing = missing_figures(text, report.figure_names())
    if missing:
        ex.error = {
            "cell_index": "render",
            "exec_count": None,
            "ename": "MissingFigure",
            "evalue": f"declared in reports.yml but not shown: {', '.join(missing)}",
        }
        return None
    return text
