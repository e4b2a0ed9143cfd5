"""reports/index.html (and index.en.html): the reports by topic, starting from the brief, a picker by
district and by station, and the run's provenance once (a report built from other code or data says so).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from analysis.batch.navigation import INDEX, Site
from analysis.batch.render import banner_html, esc, nav_html, standalone_page
from analysis.batch.schema import Report
from analysis.core import language
from analysis.i18n import N_, _

# The words for each status (message ids).
STATUS_WORDS = {
    "built": N_("built"),
    "skipped": N_("skipped (unchanged)"),
    "failed": N_("failed"),
    "missing": N_("notebook not in the repository yet"),
    "not-run": N_("not run this time"),
}
# What makes two builds come from different code or data: shown once for the run, per report only when it differs.
PROVENANCE_KEYS = ("commit", "dirty", "manifest_sha256", "lock_sha256")
SITE_TITLE = N_("Reports: Fair Law Enforcement, Build the Image")


def status_text(status: str) -> str:
    return _(STATUS_WORDS.get(status, status))


def _error_html(row: Mapping[str, Any]) -> str:
    if row.get("status") != "failed" or not row.get("error"):
        return ""
    err = row["error"]
    out = (
        f"<br><small>{esc(_('cell'))} {esc(err.get('cell_index', '?'))}: {esc(err.get('ename', ''))}: "
        f"{esc(err.get('evalue', ''))}</small>"
    )
    if row.get("failed_notebook"):
        out += (
            f'<br><small>{esc(_("executed notebook"))}: <a href="{esc(row["failed_notebook"])}">'
            f"{esc(row['failed_notebook'])}</a></small>"
        )
    if row.get("html"):
        out += f"<br><small>{esc(_('the link shows the last successful build'))}</small>"
    return out


def _report_link(report: Report | None, text: str, rows: Mapping[str, Mapping[str, Any]]) -> str:
    """A link to a report (its status beside it unless built), or the words alone when it has no page."""
    if report is None:
        return esc(text)
    row = rows.get(report.name, {"status": "not-run"})
    status = row.get("status", "not-run")
    attrs = f'data-report="{esc(report.name)}" data-status="{esc(status)}"'
    link = (
        f'<a href="{esc(row["html"])}" {attrs}>{esc(text)}</a>'
        if row.get("html")
        else f"<span {attrs}>{esc(text)}</span>"
    )
    if status not in ("built", "skipped"):
        link += f' <span class="status-{esc(status)}">({esc(status_text(status))})</span>{_error_html(row)}'
    return link


def differs(provenance: Mapping[str, Any], run: Mapping[str, Any]) -> bool:
    """Whether a report was built from other code or data than the run's (an older build kept, a failed rebuild)."""
    return bool(provenance) and any(provenance.get(k) != run.get(k) for k in PROVENANCE_KEYS if k in run)


def run_provenance_html(run: Mapping[str, Any], counts_text: str) -> str:
    commit = str(run.get("commit", ""))
    dirty = f" ({_('yes: uncommitted changes')})" if run.get("dirty") else ""
    rows = [
        (_("Last run"), f"{run.get('started', '')} UTC, {run.get('seconds', 0):.0f} s: {counts_text}"),
        (_("Git commit"), commit + dirty),
        (_("Data manifest sha256"), run.get("manifest_sha256", "")),
        (_("Dependency lock sha256"), run.get("lock_sha256", "")),
        (_("Packages"), ", ".join(f"{k} {v}" for k, v in (run.get("packages") or {}).items())),
    ]
    body = "".join(f"<tr><th>{esc(k)}</th><td><code>{esc(v)}</code></td></tr>" for k, v in rows)
    return f'<table class="analysis-provenance">{body}</table>'


def index_html(
    site: Site,
    rows: Iterable[Mapping[str, Any]],
    *,
    lang: str,
    banner: str | None,
    run: Mapping[str, Any],
    key_figures: str | None = "key_figures.csv",
    pdf: str | None = None,
    counties: Iterable[Mapping[str, Any]] | None = None,
) -> str:
    """The index page in ``lang``.  ``rows``: one mapping per report (name, status, html, parameters, provenance).

    ``counties`` (a province's page): one mapping per county (see ``counties_html``), shown after the
    province's own reports as the picker of the counties' indexes.
    """
    rows = list(rows)
    by_name = {row["name"]: row for row in rows}
    with language.using(lang):
        title = _(SITE_TITLE)
        page = site.special_page(INDEX, title, lang)
        parts: list[str] = []

        brief = site.brief(lang)
        if brief is not None:
            pdf_link = f' · <a href="{esc(pdf)}">PDF</a>' if pdf else ""
            parts.append(
                '<section class="index-start" id="start">'
                f"<p><strong>{esc(_('Start here'))}:</strong> "
                f"{_report_link(brief, site.title(brief), by_name)}{pdf_link}</p>"
                f"<p>{esc(site.entry_description(brief.entry, lang))}</p></section>"
            )

        topics = []
        for topic in site.topics(lang):
            if topic.entry == site.config.brief:
                continue
            variants = ""
            if topic.variants:
                links = " ".join(_report_link(r, site.variant_text(r), by_name) for r in topic.variants)
                variants = f'<p class="index-variants">{links}</p>'
            if topic.main is not None:
                head = _report_link(topic.main, topic.title, by_name)
            else:  # no report of this entry in the run: its notebook is missing
                row = by_name.get(topic.entry, {})
                status = row.get("status", "missing")
                attrs = f'data-report="{esc(topic.entry)}" data-status="{esc(status)}"'
                head = (
                    f"<span {attrs}>{esc(topic.title)}</span> "
                    f'<span class="status-{esc(status)}">({esc(status_text(status))})</span>'
                )
            topics.append(
                f'<li class="index-topic" data-entry="{esc(topic.entry)}"><h3>{head}</h3>'
                f"<p>{esc(topic.description)}</p>{variants}</li>"
            )
        listed = "".join(topics)
        parts.append(
            f'<section id="reports"><h2>{esc(_("Reports"))}</h2><ul class="index-topics">{listed}</ul></section>'
        )

        if counties is not None:
            parts.append(counties_html(site, lang, counties))
        parts.append(picker_html(site, lang, by_name))

        counts: dict[str, int] = {}
        for row in rows:
            counts[row.get("status", "not-run")] = counts.get(row.get("status", "not-run"), 0) + 1
        counts_text = ", ".join(f"{n} {status_text(s)}" for s, n in counts.items() if n)
        other = [row for row in rows if differs(row.get("provenance") or {}, run) and site_lang(site, row, lang)]
        differing = ""
        if other:
            items = "".join(
                f"<li>{esc(row.get('name'))}: {esc(_('Commit'))} {esc(str(row['provenance'].get('commit', ''))[:10])}, "
                f"{esc(_('Data'))} {esc(str(row['provenance'].get('manifest_sha256', ''))[:12])}, "
                f"{esc(_('Built'))} {esc(row['provenance'].get('started', ''))}</li>"
                for row in other
            )
            differing = f"<p>{esc(_('Built from other code or data than this run:'))}</p><ul>{items}</ul>"
        kf = (
            f'<p>{esc(_("Key figures for the record"))}: <a href="{esc(key_figures)}">{esc(key_figures)}</a></p>'
            if key_figures
            else ""
        )
        parts.append(
            f'<section id="provenance"><h2>{esc(_("Provenance"))}</h2>{run_provenance_html(run, counts_text)}'
            f"{differing}{kf}</section>"
        )
        body = "\n".join(parts)
        banner_text = banner_html(banner)
        nav = nav_html(page)
    return standalone_page(page.html_lang, title, body, banner_text, nav)


def site_lang(site: Site, row: Mapping[str, Any], lang: str) -> bool:
    """Whether an index row belongs to the ``lang`` page (rows of reports not in the site: every page)."""
    report = next((r for r in site.reports if r.name == row.get("name")), None)
    return report is None or site.lang_of(report) == lang


def picker_html(site: Site, lang: str, rows: Mapping[str, Mapping[str, Any]]) -> str:
    """Plain links (no script) to every variant: one table per swept parameter, a row per district or station."""
    tables = []
    for key, spec in site.config.schema.items():
        entries = [e for e in site.config.all_entries() if key in e.sweep]
        if not entries:
            continue
        values: dict[Any, dict[str, Report]] = {}
        for r in site.reports:
            if site.lang_of(r) != lang or len(r.scope) != 1 or r.scope[0][0] != key or r.variant_set:
                continue
            values.setdefault(r.scope[0][1], {})[r.entry] = r
        if not values:
            continue
        head = "".join(f"<th>{esc(site.entry_title(e.name, lang))}</th>" for e in entries)
        body = []
        for by_entry in values.values():
            some = next(iter(by_entry.values()))
            cells = "".join(
                f"<td>{_report_link(by_entry[e.name], site.entry_title(e.name, lang), rows)}</td>"
                if e.name in by_entry
                else "<td>–</td>"
                for e in entries
            )
            body.append(f'<tr><th scope="row">{esc(site.scope_text(some, lang))}</th>{cells}</tr>')
        heading = _(spec.picker) if spec.picker else key
        tables.append(
            f'<h3>{esc(heading)}</h3><div class="table-scroll">'
            f'<table class="analysis-picker" data-parameter="{esc(key)}">'
            f"<thead><tr><th></th>{head}</tr></thead><tbody>{''.join(body)}</tbody></table></div>"
        )
    if not tables:
        return ""
    return f'<section id="picker"><h2>{esc(_("By district / by station"))}</h2>{"".join(tables)}</section>'


def counties_html(site: Site, lang: str, counties: Iterable[Mapping[str, Any]]) -> str:
    """The province page's county picker: each county's index, or why it has none (its cleaning failed).

    Each county: ``slug``, ``name``, ``name_zh``, ``status`` ("clean" or "failed"), ``error``, ``counts``
    (report status -> number, from its run).
    """
    items = []
    for c in counties:
        name = c["name_zh"] if lang == "zh" else c["name"]
        attrs = f'data-county="{esc(c["slug"])}" data-status="{esc(c["status"])}"'
        if c["status"] == "clean":
            counts = ", ".join(f"{n} {status_text(s)}" for s, n in (c.get("counts") or {}).items() if n)
            head = f'<a href="{esc(c["slug"])}/{esc(site.index_file(lang))}" {attrs}>{esc(name)}</a>'
            detail = f" <small>({esc(counts)})</small>" if counts else ""
        else:
            head = f"<span {attrs}>{esc(name)}</span>"
            detail = (
                f' <span class="status-failed">({esc(_("not cleaned: its reports were not built"))})</span>'
                f"<br><small>{esc(c.get('error') or '')}</small>"
            )
        items.append(f'<li class="index-county">{head}{detail}</li>')
    listed = "".join(items)
    return f'<section id="counties"><h2>{esc(_("Counties"))}</h2><ul class="index-counties">{listed}</ul></section>'
