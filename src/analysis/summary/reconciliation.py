"""The reconciliation table: each published figure of the work report next to the figure the data gives.

Built from two frames: ``data/processed/key_figures.csv`` (written by ``analysis.summary.key_figures``,
one row per computed id) and ``data/reference/published_figures.csv`` (the figures the report
printed). Nothing here computes a figure: this module compares and presents.
"""

from __future__ import annotations

import html

import pandas as pd

from analysis.core.text import MISSING, count, percent
from analysis.data.processed import require_columns
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
    pub = published[list(PUBLISHED_COLUMNS)].copy()
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


def display(table: pd.DataFrame) -> pd.DataFrame:
    """The table as text cells for a reader: published with its relation, value, n/N, interval."""
    rows = []
    for r in table.itertuples(index=False):
        places = _places(r.unit, r.published)
        # One more digit on the data's side than the report printed, so a near miss is visible.
        vplaces = places + 1 if r.unit == "proportion" else 0
        interval = MISSING
        if not (pd.isna(r.ci_low) or pd.isna(r.ci_high)):
            # An interval is read for its width: one decimal of a percentage is enough.
            interval = f"{format_figure(r.ci_low, r.unit, 1)} to {format_figure(r.ci_high, r.unit, 1)}"
        rows.append(
            {
                "Figure": r.id,
                "Published": _RELATION_SIGN[r.relation] + format_figure(r.published, r.unit, places),
                "From data": format_figure(r.value, r.unit, vplaces),
                "Numerator": format_figure(r.numerator, "count"),
                "Denominator": format_figure(r.denominator, "count"),
                "95% interval": interval,
                "Status": r.status,
                "Rows counted": "" if pd.isna(r.rows) else str(r.rows),
                "Report": "" if r.report is None or pd.isna(r.report) else str(r.report),
            }
        )
    return pd.DataFrame(rows)


def to_text(table: pd.DataFrame) -> str:
    """Plain-text rendering (for logs and the closing note), without the long columns."""
    shown = display(table).drop(columns=["Rows counted"])
    return shown.to_string(index=False)


def to_html(table: pd.DataFrame, *, report_prefix: str = "") -> str:
    """The table as HTML with id="reconciliation": every cell escaped, each figure linked to its report.

    ``report_prefix`` is put before each report file name (the reports sit side by side, so "").
    """
    shown = display(table)
    quotes = table["quote"].tolist()
    head = [
        "Figure",
        "What the report says",
        "Published",
        "From data",
        "Numerator",
        "Denominator",
        "95% interval",
        "Rows counted",
        "Status",
        "Detail",
    ]
    out = [
        '<table id="reconciliation" class="reconciliation">',
        "<thead><tr>" + "".join(f"<th>{html.escape(h)}</th>" for h in head) + "</tr></thead>",
        "<tbody>",
    ]
    esc = html.escape
    for quote, r in zip(quotes, shown.to_dict("records")):
        link = ""
        if r["Report"]:
            href = esc(report_prefix + r["Report"], quote=True)
            link = f'<a href="{href}">{esc(r["Report"])}</a>'
        status_class = "status-" + r["Status"].replace(" ", "-")
        quote_text = "" if quote is None or pd.isna(quote) else str(quote)
        cells = [f"<td><code>{esc(r['Figure'])}</code></td>", f"<td>{esc(quote_text)}</td>"]
        cells += [
            f"<td>{esc(r[c])}</td>"
            for c in ("Published", "From data", "Numerator", "Denominator", "95% interval", "Rows counted")
        ]
        cells += [f'<td class="{status_class}">{esc(r["Status"])}</td>', f"<td>{link}</td>"]
        out.append(
            f'<tr class="{status_class}" data-id="{esc(r["Figure"], quote=True)}" '
            f'data-status="{esc(r["Status"], quote=True)}">' + "".join(cells) + "</tr>"
        )
    out += ["</tbody>", "</table>"]
    return "\n".join(out)


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
        return "County-wide figures, as the work report published them."
    return (
        f"The published figures are county-wide, so this table is county-wide too; "
        f"{district} is covered in the findings below and in the detailed reports."
    )


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
