"""The analysis's quality-assurance logs: assumptions and caveats, and the data log.

``docs/assumptions.md`` has two parts: caveats written by hand for readers, and a generated
list of every assumption marker in ``src/analysis`` (a one-line comment, "#" then
``ASSUMPTION(short-slug): statement``), each linked to the file and line that makes it.
``docs/data-log.md`` lists each raw file of the data contract with its source, owner and a
quality rating (after the UK government analysis template's data log).

Regenerate both with ``write_docs()``; ``stale_docs()`` says which are out of date (a test
keeps them current).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from analysis.core import paths

MARKER = re.compile(r"#\s*ASSUMPTION\((?P<slug>[a-z0-9][a-z0-9-]*)\):\s*(?P<text>\S.*?)\s*$")
# Anything that looks like a marker, to catch malformed ones (bad slug, no text).
LOOSE = re.compile(r"#\s*ASSUMPTION\b")
BEGIN = "<!-- BEGIN GENERATED: do not edit by hand; run python -m analysis assumptions-doc --write -->"
END = "<!-- END GENERATED -->"
CAVEATS_HEADING = "## Caveats for readers"
CAVEAT_ITEM = re.compile(r"^- \*\*(?P<slug>[a-z0-9][a-z0-9-]*)\*\*:\s*(?P<text>.+)$")

SOURCE_DIR = paths.ROOT / "src" / "analysis"
ASSUMPTIONS_DOC = paths.DOCS / "assumptions.md"
DATA_LOG_DOC = paths.DOCS / "data-log.md"


@dataclass(frozen=True)
class Marker:
    slug: str
    text: str
    path: str  # relative to the project root, with forward slashes
    line: int


def collect(source_dir: Path = SOURCE_DIR, root: Path = paths.ROOT) -> list[Marker]:
    """Every assumption marker under ``source_dir`` (``*.py``), ordered by slug, file and line.

    Raises ValueError naming file and line of any malformed marker (a slug that is not
    lower-case-with-hyphens, or no statement after the colon).
    """
    found, bad = [], []
    for file in sorted(Path(source_dir).rglob("*.py")):
        rel = file.relative_to(root).as_posix()
        for number, line in enumerate(file.read_text(encoding="utf-8").splitlines(), start=1):
            if not LOOSE.search(line):
                continue
            m = MARKER.search(line)
            if m:
                found.append(Marker(m["slug"], m["text"], rel, number))
            else:
                bad.append(f"{rel}:{number}")
    if bad:
        form = "#" + " ASSUMPTION(lower-case-slug): statement"  # split so it is not a marker itself
        raise ValueError(f"malformed assumption marker(s) at {', '.join(bad)}; write '{form}'")
    return sorted(found, key=lambda m: (m.slug, m.path, m.line))


def _md_escape(text: str) -> str:
    return text.replace("|", "\\|")


def render_markers(markers: list[Marker], link_prefix: str = "../") -> str:
    """The generated part: one table row per slug, with every place that makes it."""
    lines = [BEGIN, "", "| Assumption | Statement | Where |", "|---|---|---|"]
    by_slug: dict[str, list[Marker]] = {}
    for m in markers:
        by_slug.setdefault(m.slug, []).append(m)
    for slug, ms in by_slug.items():
        texts = list(dict.fromkeys(m.text for m in ms))
        where = ", ".join(f"[{m.path}:{m.line}]({link_prefix}{m.path}#L{m.line})" for m in ms)
        lines.append(f"| `{slug}` | {_md_escape(' / '.join(texts))} | {where} |")
    lines += ["", END]
    return "\n".join(lines)


DEFAULT_DOC = f"""# Assumptions and caveats

This log lists every assumption the analysis makes and the caveats a reader needs, after the
UK government analysis template's assumptions-and-caveats log. The caveats below are written
by hand; the table after them is generated from the assumption markers in the code.

{CAVEATS_HEADING}

{{caveats}}

## Assumptions made in the code

Each row links to the line of code that makes the assumption.

{{generated}}
"""


def update(doc: str, markers: list[Marker]) -> str:
    """``doc`` with its generated part replaced by the current markers (hand-written text kept)."""
    generated = render_markers(markers)
    if BEGIN in doc and END in doc:
        head, rest = doc.split(BEGIN, 1)
        _, tail = rest.split(END, 1)
        return head + generated + tail
    raise ValueError("docs/assumptions.md lacks the generated-section markers; restore them")


def caveats(doc: str) -> list[dict]:
    """The hand-written caveats of the doc: list of {slug, text}, in order."""
    if CAVEATS_HEADING not in doc:
        return []
    section = doc.split(CAVEATS_HEADING, 1)[1].split("\n## ", 1)[0]
    out = []
    for line in section.splitlines():
        m = CAVEAT_ITEM.match(line.strip())
        if m:
            out.append({"slug": m["slug"], "text": m["text"].strip()})
    return out


def read_caveats(doc_path: Path = ASSUMPTIONS_DOC) -> tuple[list[dict], list[Marker]]:
    """For the summary: the hand-written caveats and the code's markers (empty when the doc is missing)."""
    doc_path = Path(doc_path)
    hand = caveats(doc_path.read_text(encoding="utf-8")) if doc_path.exists() else []
    try:
        markers = collect()
    except (OSError, ValueError):
        markers = []
    return hand, markers


def caveats_html(hand: list[dict], markers: list[Marker]) -> str:
    """The caveats section of a report: hand-written caveats, then the code's assumptions (escaped)."""
    from html import escape

    out = ['<div class="caveats">']
    if hand:
        out.append(
            "<ul>"
            + "".join(f"<li><strong>{escape(c['slug'])}</strong>: {escape(c['text'])}</li>" for c in hand)
            + "</ul>"
        )
    if markers:
        out.append(
            "<details><summary>Assumptions made in the code "
            f'({len({m.slug for m in markers})})</summary><table class="assumptions">'
            "<thead><tr><th>Assumption</th><th>Statement</th><th>Where</th></tr></thead><tbody>"
        )
        by_slug: dict[str, list[Marker]] = {}
        for m in markers:
            by_slug.setdefault(m.slug, []).append(m)
        for slug, ms in by_slug.items():
            text = " / ".join(dict.fromkeys(m.text for m in ms))
            where = ", ".join(f"{m.path}:{m.line}" for m in ms)
            out.append(f"<tr><td><code>{escape(slug)}</code></td><td>{escape(text)}</td><td>{escape(where)}</td></tr>")
        out.append("</tbody></table></details>")
    if not hand and not markers:
        out.append("<p>No caveats recorded: docs/assumptions.md is missing.</p>")
    out.append("</div>")
    return "\n".join(out)


# ---- the data log -------------------------------------------------------------------------------

RAG = {
    "GREEN": "Administrative data kept for the purpose, few known errors; reliable for the figures built on it.",
    "AMBER": "Usable with care: kept by hand or for another purpose, with known gaps or errors that cleaning "
    "catches in part.",
    "RED": "Little assurance: collected in a way that can bias what it measures; figures need strong caveats.",
}

# Source and quality judgement for each raw file of the contract. The rating is for the kind of
# export the bureau would hand over; the demo files in data/raw are synthetic whatever the rating.
DATA_SOURCES = {
    "officer_roster": (
        "Personnel system export (Excel, one sheet per unit, merged)",
        "GREEN",
        "Kept for pay and posting; joined/left dates decide who is on the roster on a date.",
    ),
    "population_margins": (
        "Household register tables, adults by district, age band and sex",
        "GREEN",
        "Registered, not resident, population: migrant workers are missing from the weighting margins.",
    ),
    "households": (
        "Household register: households per district",
        "GREEN",
        "Registered households; the denominator of letters per household.",
    ),
    "survey_batches": (
        "Campaign office distribution log, kept by hand",
        "AMBER",
        "Forms handed out per batch were counted by the officers who handed them out.",
    ),
    "survey_responses": (
        "Returned questionnaires keyed in by hand",
        "RED",
        "Self-selected, police-run sample; blank forms and duplicates are quarantined by cleaning, a keying slip in "
        "one answer only sets that answer missing (logged in quarantine/survey_responses.cells.csv).",
    ),
    "opinions_register": (
        "Campaign office register of suggestions, merged into opinions",
        "AMBER",
        "Merging and coding are judgements; a second coder's category on a subset measures their reliability.",
    ),
    "rectification_ledger": (
        "Supervision Office rectification ledger",
        "AMBER",
        "Status 'rectified' is the owning unit's own report; closed dates may be entered late.",
    ),
    "fitness_tests": (
        "Training Section test sheets per round",
        "AMBER",
        "Exempt and absent officers change the denominator between rounds; standards may change.",
    ),
    "training_credits": (
        "Training Section score sheets per month",
        "AMBER",
        "Scores are marked by the course providers; bunching at the 70-point mark is tested.",
    ),
    "democratic_review": (
        "Supervision Office review sheets per unit",
        "AMBER",
        "Unit averages only; raters' individual scores are not exported.",
    ),
    "case_files": (
        "Legal Affairs Section monthly file evaluations",
        "AMBER",
        "Scores by one section's reviewers; best/worst ratings are relative within a month.",
    ),
    "cadre_competition": ("Political Department competition records", "GREEN", "Formal appointment records."),
    "campaign_activities": (
        "Command Centre campaign ledger, from units' reports",
        "AMBER",
        "Counts reported by the units that did the work; complete counts, not samples; no outcome measures.",
    ),
}
REFERENCE_SOURCES = {
    "data/reference/published_figures.csv": "The 34 figures printed in the 2004 work report, with the sentence each "
    "comes from.",
    "data/reference/aliases.csv": "Canonical spellings of districts and units (Chinese and English variants).",
    "data/reference/campaign_windows.csv": "Start and end of each campaign, as the work report states them.",
    "data/reference/rules.csv": "The bureau's rules the report quotes (pass marks, the opinions cut-off date).",
    "data/reference/survey_design.csv": "The questionnaire's survey design, stated once: clusters, strata, raking "
    "margins, trimming, whether the raking is credited in the variance (the analysts' choice, not the bureau's).",
}


def render_data_log(raw_files=None, sources: dict | None = None) -> str:
    """docs/data-log.md: the RAG definitions, then one section per raw file and per reference file.

    Raises ValueError if a raw file of the contract has no source entry (or an entry names a
    file the contract does not have), so the log cannot fall behind the contract.
    """
    if raw_files is None:
        from analysis.data.contract import RAW_FILES as raw_files
    sources = DATA_SOURCES if sources is None else sources
    datasets = [f.dataset for f in raw_files]
    missing, extra = sorted(set(datasets) - set(sources)), sorted(set(sources) - set(datasets))
    if missing or extra:
        raise ValueError(f"data log out of step with the contract: missing {missing}, unknown {extra}")
    out = [
        "# Data log",
        "",
        "Every data source the analysis uses, after the UK government analysis template's data log.",
        "Generated by `python -m analysis assumptions-doc --write` from the data contract",
        "(`analysis.data.contract.RAW_FILES`) and the ratings in `analysis.summary.assumptions.DATA_SOURCES`;",
        "edit those, not this file. The demo files in `data/raw/` are synthetic, whatever the rating says",
        "about the real export. Rows read, kept and quarantined per file are in `data/processed/manifest.json`.",
        "",
        "## Quality ratings",
        "",
        "| Rating | Meaning |",
        "|---|---|",
    ]
    out += [f"| {k} | {v} |" for k, v in RAG.items()]
    out += ["", "## Raw files", ""]
    for f in raw_files:
        source, rating, note = sources[f.dataset]
        if rating not in RAG:
            raise ValueError(f"{f.dataset}: rating {rating!r} is not one of {sorted(RAG)}")
        out += [
            f"### {f.dataset}",
            "",
            f"- **File**: `data/raw/{f.stem}` (.csv in UTF-8 or GB18030, or .xlsx)",
            f"- **Description**: {f.description}",
            f"- **Source**: {source}",
            f"- **Owner**: {f.owner or 'not recorded'}",
            f"- **Key**: {', '.join(f.key)}",
            f"- **Quality**: {rating}. {note}",
            "",
        ]
    out += ["## Reference files", ""]
    out += [f"- `{path}`: {text}" for path, text in REFERENCE_SOURCES.items()]
    return "\n".join(out) + "\n"


# ---- keeping the docs current ---------------------------------------------------------------------


def _expected(doc_path: Path, data_log_path: Path) -> dict[Path, str]:
    current = (
        Path(doc_path).read_text(encoding="utf-8")
        if Path(doc_path).exists()
        else DEFAULT_DOC.format(caveats="", generated=f"{BEGIN}\n{END}")
    )
    return {Path(doc_path): update(current, collect()), Path(data_log_path): render_data_log()}


def stale_docs(doc_path: Path = ASSUMPTIONS_DOC, data_log_path: Path = DATA_LOG_DOC) -> list[Path]:
    """The QA docs whose text differs from what ``write_docs`` would write (empty when current)."""
    return [
        p
        for p, text in _expected(doc_path, data_log_path).items()
        if not p.exists() or p.read_text(encoding="utf-8") != text
    ]


def write_docs(doc_path: Path = ASSUMPTIONS_DOC, data_log_path: Path = DATA_LOG_DOC) -> list[Path]:
    """Regenerate docs/assumptions.md (generated part only) and docs/data-log.md; return what changed."""
    changed = []
    for p, text in _expected(doc_path, data_log_path).items():
        if not p.exists() or p.read_text(encoding="utf-8") != text:
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_text(text, encoding="utf-8")
            changed.append(p)
    return changed
