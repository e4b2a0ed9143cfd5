"""methodology.html (and methodology.en.html): how the figures were made, linked from every report.

Sections: what an interval means when the data is a whole population, and the survey design (both
written by ``summary.methodology`` from the design file, issue 12); the engineering assumptions, one row per
``ASSUMPTION(slug)`` marker in the code (``summary.assumptions``), each statement in the page's
language when the catalog has it (msgctxt ``assumption``), else in English and marked so.
The caveats a reader needs beside the figures stay on the brief.
"""

from __future__ import annotations

from analysis.batch.navigation import METHODOLOGY, Site
from analysis.batch.render import banner_html, esc, esc_code, nav_html, standalone_page
from analysis.core import language
from analysis.i18n import N_, _, pgettext
from analysis.summary import methodology as statistics_text
from analysis.summary.assumptions import Marker, collect

ASSUMPTION_CONTEXT = "assumption"
# Sections still to come from other work: (id, heading message id). The page shows each as a marked
# placeholder, and tests/batch/test_methodology.py fails while one is left.
PENDING: tuple[tuple[str, str], ...] = ()
# The statistics' sections: (id, heading, text), each a function of the current language.
STATISTICS_SECTIONS = (
    ("whole-population", statistics_text.whole_population_heading, statistics_text.whole_population_note),
    ("survey-design", statistics_text.design_heading, statistics_text.design_statement),
)


def assumption_text(marker_texts: list[str], lang: str) -> tuple[str, bool]:
    """A marker's statement in ``lang`` and whether it is translated (English source otherwise)."""
    english = " / ".join(dict.fromkeys(marker_texts))
    if lang == "en":
        return english, True
    with language.using(lang):
        text = pgettext(ASSUMPTION_CONTEXT, english)
    return text, text != english


def assumptions_table(markers: list[Marker], lang: str) -> str:
    by_slug: dict[str, list[Marker]] = {}
    for m in markers:
        by_slug.setdefault(m.slug, []).append(m)
    rows = []
    for slug, ms in by_slug.items():
        text, translated = assumption_text([m.text for m in ms], lang)
        attr = "" if translated else ' lang="en"'
        where = ", ".join(f"{m.path}:{m.line}" for m in ms)
        rows.append(
            f'<tr id="assumption-{esc(slug)}"><td><code>{esc(slug)}</code></td><td{attr}>{esc_code(text)}</td>'
            f'<td><code lang="en">{esc(where)}</code></td></tr>'
        )
    return (
        f'<div class="table-scroll"><table class="assumptions"><thead><tr><th>{esc(_("Assumption"))}</th>'
        f"<th>{esc(_('Statement'))}</th><th>{esc(_('Where in the code'))}</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )


def methodology_html(site: Site, lang: str, *, banner: str | None, markers: list[Marker] | None = None) -> str:
    """The methodology page in ``lang``."""
    markers = collect() if markers is None else markers
    with language.using(lang):
        title = _("Methodology")
        page = site.special_page(METHODOLOGY, title, lang)
        sections = [
            f'<section id="{esc(anchor)}"><h2>{esc(heading())}</h2><p>{esc_code(text())}</p></section>'
            for anchor, heading, text in STATISTICS_SECTIONS
        ]
        for anchor, heading in PENDING:
            sections.append(
                f'<section id="{esc(anchor)}" class="analysis-pending" data-pending="{esc(anchor)}">'
                f"<h2>{esc(_(heading))}</h2><p>{esc(_('This section is not written yet.'))}</p></section>"
            )
        sections.append(
            f'<section id="assumptions"><h2>{esc(_("Assumptions made in the code"))}</h2>'
            f"<p>{esc_code(_(ASSUMPTIONS_INTRO))}</p>{assumptions_table(markers, lang)}</section>"
        )
        body = "\n".join(sections)
        banner_text = banner_html(banner)
        nav = nav_html(page)
    return standalone_page(page.html_lang, title, body, banner_text, nav, "analysis-index-page analysis-methodology")


ASSUMPTIONS_INTRO = N_(
    "Every choice the calculations make that a reviewer could make differently, as written next to the code that makes "
    "it (docs/assumptions.md lists the same)."
)
