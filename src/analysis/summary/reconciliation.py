"""The reconciliation table: each published figure of the work report next to the figure the data gives.

Built from two frames: ``data/processed/key_figures.csv`` (written by ``analysis.summary.key_figures``,
one row per computed id) and ``data/reference/published_figures.csv`` (the figures the report
printed). Nothing here computes a figure: this module compares and presents.
"""

from __future__ import annotations

import html
from dataclasses import replace

import pandas as pd

from analysis.core import language
from analysis.core.text import MISSING, count, percent
from analysis.data.processed import require_columns
from analysis.i18n import _, label
from analysis.subjects.campaigns import CAMPAIGN_DATASETS, ID_PREFIX_TO_CAMPAIGN
from analysis.summary.key_figures import RELATIONS, matches, printed_places

MATCHES, DIFFERS, NO_DATA = "matches", "differs", "no data"
STATUSES = (MATCHES, DIFFERS, NO_DATA)

# The one place that maps a published figure's data set to the notebook that details it. The
# report file a notebook becomes is reports.yml's business (its entry's ``name`` + ".html", read by
# ``report_files``); without reports.yml it is the notebook stem + ".html". Sweeps add a suffix
# per district or unit; the reconciliation links to the county-wide report of each notebook.
REPORT_NOTEBOOKS = {
    "survey": "10_survey_satisfaction",
    "opinions": "20_opinions",
    "fitness": "30_fitness",
    "training": "40_training_and_review",
    "review": "40_training_and_review",
    "casework": "40_training_and_review",
    "competition": "40_training_and_review",
    "campaigns": "50_campaigns",
    "welfare": "50_campaigns",
}
SUMMARY_NOTEBOOK = "90_summary"

KEY_FIGURE_COLUMNS = ("id", "value", "numerator", "denominator", "ci_low", "ci_high", "rows", "source")
PUBLISHED_COLUMNS = ("id", "published", "relation", "unit", "dataset", "quote")

TABLE_COLUMNS = [
    "id",
    "dataset",
    "unit",
    "quote",
    "quote_zh",
    "relation",
    "published",
    "value",
    "numerator",
    "denominator",
    "ci_low",
    "ci_high",
    "rows",
    "source",
    "status",
    "report",
]


def report_files(config_path=None) -> dict[str, str]:
    """Notebook stem -> HTML file name of its county-wide report, from reports.yml ({} if it is absent)."""
    from pathlib import Path

    import yaml

    from analysis.core import paths

    path = Path(config_path or paths.REPORTS_CONFIG)
    if not path.exists():
        return {}
    config = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    out = {}
    for entry in config.get("reports", []) or []:
        if isinstance(entry, dict) and entry.get("name") and entry.get("notebook"):
            out[Path(entry["notebook"]).stem] = f"{entry['name']}.html"
    return out


def report_file(dataset: str, reports: dict[str, str] | None = None) -> str | None:
    """File name of the detailed report for a published figure's data set (None if there is none).

    ``reports``: notebook stem -> report file (``report_files()``); a notebook not in it is
    assumed to render to ``<stem>.html``.
    """
    stem = REPORT_NOTEBOOKS.get(dataset)
    if not stem:
        return None
    return (reports or {}).get(stem, f"{stem}.html")


def compare(value, published, relation: str, unit: str | None = None) -> str:
    """Status of one figure: 'no data' when the value is missing, else 'matches' or 'differs' by
    ``analysis.summary.key_figures.matches`` (the project's one matching rule)."""
    if relation not in RELATIONS:
        raise ValueError(f"unknown relation {relation!r}; expected one of {RELATIONS}")
    if value is None or pd.isna(value):
        return NO_DATA
    return MATCHES if matches(value, published, relation, unit) else DIFFERS


def build(key_figures: pd.DataFrame, published: pd.DataFrame, reports: dict[str, str] | None = None) -> pd.DataFrame:
    """One row per published id, in the published table's order.

    Columns: id, dataset, unit, quote, relation, published, value, numerator, denominator,
    ci_low, ci_high (NA unless the figure is an estimate), rows (which rows it counts), source,
    status (matches / differs / no data) and report (file name of the detailed report; see
    ``report_file`` for ``reports``).
    An id absent from ``key_figures`` or with a missing value has status 'no data'.
    """
    require_columns(key_figures, ("id", "value"), "key_figures")
    require_columns(published, PUBLISHED_COLUMNS, "published figures")
    if key_figures["id"].duplicated().any():
        dupes = sorted(key_figures.loc[key_figures["id"].duplicated(), "id"].unique())
        raise ValueError(f"key_figures has duplicated ids: {dupes}")
    kf = key_figures.copy()
    for col in KEY_FIGURE_COLUMNS:
        if col not in kf.columns:
            kf[col] = pd.NA
    kf = kf[list(KEY_FIGURE_COLUMNS)]
    pub = published[list(PUBLISHED_COLUMNS) + (["quote_zh"] if "quote_zh" in published.columns else [])].copy()
    if "quote_zh" not in pub.columns:
        pub["quote_zh"] = pd.NA
    table = pub.merge(kf, on="id", how="left", validate="one_to_one")
    table["status"] = [
        compare(v, p, r, u) for v, p, r, u in zip(table["value"], table["published"], table["relation"], table["unit"])
    ]
    table["report"] = [report_file(d, reports) for d in table["dataset"]]
    for col in ("published", "value", "numerator", "denominator", "ci_low", "ci_high"):
        table[col] = pd.to_numeric(table[col], errors="coerce").astype("Float64")
    return table[TABLE_COLUMNS].reset_index(drop=True)


def status_counts(table: pd.DataFrame) -> pd.Series:
    """How many published figures match, differ, or have no data (all three statuses listed)."""
    return table["status"].value_counts().reindex(list(STATUSES), fill_value=0)


# ---- presentation -------------------------------------------------------------------------


def status_words(status: str) -> str:
    """A status in the report's language ('matches' -> '一致')."""
    words = {MATCHES: _("matches"), DIFFERS: _("differs"), NO_DATA: _("no data")}
    return words.get(status, status)


def figure_name(figure_id: str) -> str:
    """A published figure named in words (the label table's ``figure`` kind), not by its id."""
    return label("figure", figure_id)


def _places(unit: str, published) -> int:
    return printed_places(published, unit) - 2 if unit == "proportion" else 0


def format_figure(x, unit: str, places: int = 0) -> str:
    """A figure as a reader sees it: proportions as percentages, counts with thousands separators."""
    if x is None or pd.isna(x):
        return MISSING
    x = float(x)
    if unit == "proportion":
        return percent(x, places)
    if x.is_integer():
        return count(x)
    return f"{x:,.1f}"


_RELATION_SIGN = {"exact": "", "approx": "≈ ", "at_least": "≥ "}


def sources_words(source) -> str:
    """The data sets a figure is computed from, named for readers ('survey_batches.forms_distributed' ->
    'questionnaire distribution log')."""
    if source is None or pd.isna(source) or not str(source).strip():
        return MISSING
    names = []
    for part in str(source).split(","):
        name = part.strip().split(".")[0]
        name = "rules" if "rules" in part else name
        if name and name not in names:
            names.append(name)
    return _(", ").join(label("dataset", n) for n in names)


def report_href(report: str | None) -> str | None:
    """The detailed report's file in the report's language: 'survey.html' in Chinese, 'survey.en.html' in English."""
    if report is None or pd.isna(report) or not str(report):
        return None
    report = str(report)
    return report if language.current() == "zh" else report.removesuffix(".html") + ".en.html"


def display(table: pd.DataFrame) -> pd.DataFrame:
    """The table as text cells for a reader: the figure in words, published with its relation, value, n/N, interval."""
    rows = []
    for r in table.itertuples(index=False):
        places = _places(r.unit, r.published)
        # One more digit on the data's side than the report printed, so a near miss is visible.
        vplaces = places + 1 if r.unit == "proportion" else 0
        interval = MISSING
        if not (pd.isna(r.ci_low) or pd.isna(r.ci_high)):
            # An interval is read for its width: one decimal of a percentage is enough.
            interval = _("{low} to {high}").format(
                low=format_figure(r.ci_low, r.unit, 1), high=format_figure(r.ci_high, r.unit, 1)
            )
        rows.append(
            {
                "id": r.id,
                "Figure": figure_name(r.id),
                "Published": _RELATION_SIGN[r.relation] + format_figure(r.published, r.unit, places),
                "From data": format_figure(r.value, r.unit, vplaces),
                "Numerator": format_figure(r.numerator, "count"),
                "Denominator": format_figure(r.denominator, "count"),
                "95% interval": interval,
                "Status": status_words(r.status),
                "Counted": label("figure_rows", r.id),
                "Source": sources_words(r.source),
                "Report": "" if r.report is None or pd.isna(r.report) else str(r.report),
            }
        )
    return pd.DataFrame(rows)


def to_text(table: pd.DataFrame) -> str:
    """Plain-text rendering (for logs and the closing note), without the long columns."""
    shown = display(table)[["id", "Published", "From data", "Numerator", "Denominator", "95% interval", "Status"]]
    return shown.to_string(index=False)


def quote_for_reader(row) -> tuple[str, bool]:
    """The work report's sentence in the report's language, and whether it is a translation back from English.

    The report exists here only in an English translation, so the Chinese is translated back from it
    (``quote_zh`` of published_figures.csv) and marked so."""
    quote_zh = getattr(row, "quote_zh", None)
    if language.current() == "zh" and quote_zh is not None and not pd.isna(quote_zh) and str(quote_zh):
        return str(quote_zh), True
    quote = getattr(row, "quote", None)
    return ("" if quote is None or pd.isna(quote) else str(quote)), False


def counts_sentence(table: pd.DataFrame) -> str:
    """The answer first: how many published figures the data reproduces, in words."""
    counts = status_counts(table)
    return _(
        "{matches} of {n} published figures are reproduced from the data; {differs} differ; {no_data} have no data."
    ).format(matches=counts[MATCHES], n=len(table), differs=counts[DIFFERS], no_data=counts[NO_DATA])


def quotes_note() -> str:
    """Where the quoted sentences come from: the project holds the work report only in an English translation,
    so in Chinese each quote is translated back from it (and marked so under each row)."""
    if language.current() == "zh":
        return _("The work report's sentences quoted here are translated back from its English version.")
    return _("The work report's sentences are quoted from its English translation.")


def counts_line(table: pd.DataFrame) -> str:
    """The analyst's printed count of statuses (checked by nbval)."""
    counts = status_counts(table)
    return _("{n} published figures: {matches} match the data, {differs} differ, {no_data} have no data").format(
        n=len(table), matches=counts[MATCHES], differs=counts[DIFFERS], no_data=counts[NO_DATA]
    )


def differing_line(table: pd.DataFrame) -> str:
    """The analyst's printed list of the figures that do not match, by id (checked by nbval)."""
    differing = table.loc[table["status"] != MATCHES, ["id", "status"]]
    listed = _(", ").join(f"{r.id} ({status_words(r.status)})" for r in differing.itertuples())
    return _("Figures that do not match: {figures}").format(figures=listed or _("none"))


def to_html(table: pd.DataFrame, *, report_prefix: str = "") -> str:
    """The reconciliation as rows a person reads (figure in words, published, from data, status), with the
    quote, numerator, denominator, interval, what is counted, the source and the link folded under each row.

    Every cell escaped; ``id="reconciliation"``; each row carries ``data-id`` and ``data-status``. Rows are
    published figures (``class="published-figure"``): their counts are quoted as the report published them.
    """
    esc = html.escape
    shown = display(table)
    head = [_("Figure"), _("published"), _("from data"), _("status")]
    out = [
        '<table id="reconciliation" class="reconciliation reader-table">',
        "<thead><tr>" + "".join(f'<th scope="col">{esc(h)}</th>' for h in head) + "</tr></thead>",
        "<tbody>",
    ]
    translated_mark = _("(translated back from the English version of the work report)")
    for src, r in zip(table.itertuples(index=False), shown.to_dict("records")):
        quote, translated = quote_for_reader(src)
        quote_html = ""
        if quote:
            mark = f' <small class="translated">{esc(translated_mark)}</small>' if translated else ""
            words = _("“{quote}”").format(quote=quote)
            quote_html = f'<p class="quote">{esc(words)}{mark}</p>'
        href = report_href(r["Report"])
        link = MISSING
        if href:
            name = label("report", r["Report"].removesuffix(".html"))
            link = f'<a href="{esc(report_prefix + href, quote=True)}">{esc(name)}</a>'
        pairs = [
            (_("numerator"), r["Numerator"]),
            (_("denominator"), r["Denominator"]),
            (_("interval"), r["95% interval"]),
            (_("rows counted"), r["Counted"]),
            (_("source"), r["Source"]),
        ]
        detail = "".join(f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in pairs)
        details_words = _("Details")
        detail += f"<dt>{esc(details_words)}</dt><dd>{link}</dd>"
        status_class = "status-" + src.status.replace(" ", "-")
        first = f"<td><details><summary>{esc(r['Figure'])}</summary>{quote_html}<dl>{detail}</dl></details></td>"
        cells = [
            first,
            f'<td class="num">{esc(r["Published"])}</td>',
            f'<td class="num">{esc(r["From data"])}</td>',
            f'<td class="{status_class}">{esc(r["Status"])}</td>',
        ]
        out.append(
            f'<tr class="published-figure" data-id="{esc(r["id"], quote=True)}" '
            f'data-status="{esc(src.status, quote=True)}">' + "".join(cells) + "</tr>"
        )
    out += ["</tbody>", "</table>"]
    return '<div class="table-wrap">' + "\n".join(out) + "</div>"


def campaign_table(totals: pd.DataFrame):
    """The campaign figures of the report against the ledger, as a table for readers."""
    from analysis.present.tables import Column, reader_table

    shown = display(totals).assign(campaign=totals["campaign"].to_numpy())
    table = reader_table(
        shown,
        [
            Column("campaign", _("Campaign"), "label", label_kind="campaign"),
            Column("Figure", _("Figure")),
            Column("Published", _("published")),
            Column("From data", _("from data")),
            Column("Status", _("status")),
        ],
        notes=[_('≥: the report gave the figure as "more than"; the data matches when it reaches it.')],
    )
    # The rows are the work report's published figures (some count a few people, e.g. 3 veterans): marked so.
    return replace(table, css_class="reader-table published-figure")


# ---- inputs and cross-checks --------------------------------------------------------------


def read_inputs(processed_dir=None, published_path=None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """key_figures.csv from ``processed_dir`` and the published-figures table (printed digits kept as text).

    Raises AnalysisError when key_figures.csv is missing (run `python -m analysis key-figures`).
    """
    from pathlib import Path

    from analysis.core import paths, reference
    from analysis.core.errors import AnalysisError

    kf_path = Path(processed_dir or paths.PROCESSED) / paths.KEY_FIGURES
    if not kf_path.exists():
        raise AnalysisError(f"{kf_path}: not found; run `python -m analysis key-figures` first")
    key_figures = pd.read_csv(kf_path)
    published = reference.published_figures(published_path or paths.PUBLISHED_FIGURES)
    return key_figures, published


def scope_note(district: str | None) -> str:
    """What the table covers, given the report's district parameter."""
    if district is None:
        return _("County-wide figures, as the work report published them.")
    return _(
        "The published figures are county-wide, so this table is county-wide too; {district} is covered in the "
        "findings below and in the detailed reports."
    ).format(district=label("district", district))


def campaign_totals(key_figures: pd.DataFrame, published: pd.DataFrame, reports=None) -> pd.DataFrame:
    """The campaign figures of the report against the data (rows of the reconciliation table).

    Columns: campaign, activity, then those of :func:`build` (so :func:`display` renders it).
    """
    pub = published[published["dataset"].isin(CAMPAIGN_DATASETS)]
    table = build(key_figures, pub, reports)
    prefix = table["id"].str.split(".", n=1).str[0]
    table.insert(0, "campaign", prefix.map(ID_PREFIX_TO_CAMPAIGN))
    table.insert(1, "activity", table["id"].str.split(".", n=1).str[1])
    return table
