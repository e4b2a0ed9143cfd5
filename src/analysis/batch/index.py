"""reports/index.html: every report with its status, parameters and provenance; the summary first."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from analysis.batch.render import banner_html, css, esc, parameters_text

STATUS_WORDS = {
    "built": "built",
    "skipped": "skipped (unchanged)",
    "failed": "failed",
    "missing": "notebook missing",
    "not-run": "not run this time",
}


def _sort_key(row: Mapping[str, Any]) -> tuple:
    # The summary first, then the cleaning report, then the rest in reports.yml order.
    return (
        0 if row.get("entry") == "summary" else 1 if row.get("is_clean") else 2,
        row.get("order", 99),
        row.get("name", ""),
    )


def index_html(
    rows: Iterable[Mapping[str, Any]],
    *,
    banner: str | None,
    run: Mapping[str, Any],
    key_figures: str | None = "key_figures.csv",
) -> str:
    """The index page.  ``rows``: one mapping per report (name, title, status, html, parameters, provenance)."""
    body = []
    for row in sorted(rows, key=_sort_key):
        status = row.get("status", "not-run")
        prov = row.get("provenance") or {}
        link = esc(row.get("title") or row["name"])
        if row.get("html"):
            link = f'<a href="{esc(row["html"])}">{link}</a>'
        detail = ""
        if status == "failed" and row.get("error"):
            err = row["error"]
            detail = (
                f"<br><small>cell {esc(err.get('cell_index', '?'))}: {esc(err.get('ename', ''))}: "
                f"{esc(err.get('evalue', ''))}</small>"
            )
            if row.get("failed_notebook"):
                detail += (
                    f'<br><small>executed notebook: <a href="{esc(row["failed_notebook"])}">'
                    f"{esc(row['failed_notebook'])}</a></small>"
                )
            if row.get("html"):
                detail += "<br><small>the link shows the last successful build</small>"
        when = prov.get("started", "")
        commit = str(prov.get("commit", ""))[:10]
        dirty = " (dirty)" if prov.get("dirty") else ""
        prov_txt = (
            (
                f"{esc(when)}<br><small>commit {esc(commit)}{esc(dirty)}, data "
                f"{esc(str(prov.get('manifest_sha256', ''))[:12])}</small>"
            )
            if prov
            else ""
        )
        body.append(
            f'<tr class="report-row" data-report="{esc(row["name"])}" data-status="{esc(status)}">'
            f"<td>{link}<br><small>{esc(row['name'])}</small></td>"
            f'<td class="status-{esc(status)}">{esc(STATUS_WORDS.get(status, status))}{detail}</td>'
            f"<td><small>{esc(parameters_text(row.get('parameters') or {}))}</small></td>"
            f"<td>{prov_txt}</td></tr>"
        )
    kf = (
        f'<p>Key figures for the record: <a href="{esc(key_figures)}">{esc(key_figures)}</a></p>' if key_figures else ""
    )
    counts = run.get("counts", {})
    summary = ", ".join(f"{n} {STATUS_WORDS.get(s, s)}" for s, n in counts.items() if n)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>Reports: Fair Law Enforcement, Build the Image</title>
<style type="text/css">
{css()}
</style>
</head>
<body class="analysis-index-page">
{banner_html(banner)}
<main>
<h1>Reports</h1>
<p>Last run {esc(run.get("started", ""))} UTC, {esc(f"{run.get('seconds', 0):.0f}")} s: {esc(summary)}.
Commit <code>{esc(run.get("commit", ""))}</code>{" (uncommitted changes)" if run.get("dirty") else ""}.</p>
{kf}
<table class="analysis-index" id="reports">
<thead><tr><th>Report</th><th>Status</th><th>Parameters</th><th>Built</th></tr></thead>
<tbody>
{chr(10).join(body)}
</tbody>
</table>
</main>
</body>
</html>
"""
