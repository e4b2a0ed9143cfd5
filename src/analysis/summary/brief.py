"""The leadership brief: its key points, the inputs of its headline charts, and the caveats a reader needs.

The brief shows the same figures as the detailed reports, through the same functions (the subjects'
text modules); nothing is computed here that a subject module does not compute. What is missing from
the data is left out of the key points (the reconciliation says which figures have no data).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from analysis.core import reference
from analysis.core.text import count
from analysis.i18n import _
from analysis.present import blocks
from analysis.subjects import fitness, fitness_text, opinions, opinions_text, survey, survey_text
from analysis.summary import reconciliation


@dataclass
class BriefInputs:
    """What the key points and headline charts need, computed once (None where the data is missing)."""

    overall: pd.Series | None = None  #: return rate of the county (survey.collection_rates)
    by_channel: pd.DataFrame | None = None
    by_district: pd.DataFrame | None = None
    estimates: pd.DataFrame | None = None  #: weighted item estimates of the county
    worst: survey.NonresponseBounds | None = None  #: the worst-case nonresponse bounds of the county
    rates: pd.DataFrame | None = None  #: fitness pass rates per round
    done: object | None = None  #: opinions rectified (Proportion)
    on_time: pd.DataFrame | None = None
    by_month: pd.DataFrame | None = None
    cutoff: str | None = None


def inputs(frames: dict, cutoff: str | None = None) -> BriefInputs:
    """The brief's inputs from the processed data sets (``findings.load_available``)."""
    out = BriefInputs(cutoff=reference.opinions_cutoff(cutoff))
    if all(frames.get(n) is not None for n in ("survey_batches", "survey_responses", "population_margins")):
        batches, responses = frames["survey_batches"], frames["survey_responses"]
        out.overall = survey.collection_rates(batches, responses).iloc[0]
        out.by_channel = survey.collection_rates(batches, responses, by="channel")
        out.by_district = survey.collection_rates(batches, responses, by="district")
        out.estimates = survey.item_estimates(survey.weight_respondents(responses, frames["population_margins"]).frame)
        out.worst = survey.worst_case_bounds(batches, responses)
    if all(frames.get(n) is not None for n in ("fitness_tests", "officer_roster")):
        out.rates = fitness.pass_rates(frames["fitness_tests"], frames["officer_roster"])
        if out.rates.empty:
            out.rates = None
    if all(frames.get(n) is not None for n in ("opinions_register", "rectification_ledger")):
        table = opinions.opinion_table(frames["opinions_register"])
        status = opinions.rectification_status(opinions.ledger_for(frames["rectification_ledger"], table), out.cutoff)
        out.done = opinions.rectified_share(status)
        out.on_time = opinions.on_time_rates(status)
        out.by_month = opinions.rectified_by_month(status, out.cutoff)
    return out


def key_points(table: pd.DataFrame, data: BriefInputs, synthetic: bool) -> list[blocks.Safe]:
    """The brief's 3-5 key points, each with its number and interval, computed from the data."""
    counts = reconciliation.status_counts(table)
    lead = _(
        "{matches} of {n} figures the work report published are reproduced from the data; {differs} differ, {none} "
        "have no data."
    ).format(
        matches=counts[reconciliation.MATCHES],
        n=len(table),
        differs=counts[reconciliation.DIFFERS],
        none=counts[reconciliation.NO_DATA],
    )
    if synthetic:
        lead += _(" (On synthetic demo data this shows that the analysis works, not that the report was right.)")
    points = [blocks.Safe(blocks.esc(lead))]
    if data.estimates is not None:
        points.append(
            blocks.fill(
                _("Satisfaction: {satisfaction}; because people chose whether to answer, {bounds}."),
                satisfaction=survey_text.satisfaction_figure(data.estimates),
                bounds=survey_text.bounds_figure(data.worst),
            )
        )
    if data.rates is not None:
        b, f = int(data.rates["round"].min()), int(data.rates["round"].max())
        points.append(
            blocks.fill(
                _("Fitness pass rate {baseline} to {final}; counting every officer on the roster, {roster}."),
                baseline=fitness_text.pass_rate_figure(data.rates, b, "tested"),
                final=fitness_text.pass_rate_figure(data.rates, f, "tested"),
                roster=fitness_text.pass_rate_figure(data.rates, f, "roster"),
            )
        )
    if data.done is not None:
        points.append(
            blocks.fill(
                _("Opinions: {rectified} by the cut-off; {on_time}."),
                rectified=opinions_text.rectified_figure(data.done),
                on_time=opinions_text.on_time_figure(data.on_time),
            )
        )
    if data.overall is not None and len(points) < 5:
        points.append(
            blocks.fill(
                _("Questionnaires: {returned} of {distributed} came back, {figure}."),
                returned=count(data.overall["returned"]),
                distributed=count(data.overall["distributed"]),
                figure=survey_text.return_rate_figure(data.overall),
            )
        )
    return points[:5]


def reader_caveats() -> list[tuple[str, str]]:
    """The caveats every reader of the brief needs (docs/assumptions.md "Caveats for readers", same slugs and
    English text; the engineering assumptions are on the methodology page)."""
    return [
        (
            "synthetic-demo",
            _(
                "The data shipped with the project is synthetic, generated to reproduce the published figures; on "
                'it, a "matches" shows that the pipeline works, not that the report was right. Only the bureau\'s '
                "own exports can test the report."
            ),
        ),
        (
            "self-selected-sample",
            _(
                "The questionnaire was handed out and collected by the police, and people chose whether to answer; the "
                "6,464 returns are not a random sample of residents. Intervals cover sampling noise only, and the "
                "nonresponse bounds show how far satisfaction among all 10,000 could lie from that among respondents."
            ),
        ),
        (
            "self-reported-outputs",
            _(
                "Campaign counts, rectification status and agency-service completions are reported by the units that "
                "did "
                "the work; the data cannot check them against an independent record."
            ),
        ),
        (
            "outputs-not-outcomes",
            _(
                "Letters, posters, patrols, violations handled and devices installed are outputs (what the police "
                "did). "
                "Fewer accidents, safer schools or more trust would be outcomes, and the ledger records none of "
                "them; the "
                "campaign tables claim no effect."
            ),
        ),
        (
            "complete-counts",
            _(
                "Ledger totals are complete counts, not samples, so they carry no sampling interval; the only interval "
                "shown for them is for a comparison across time, where the counts are treated as Poisson."
            ),
        ),
        (
            "changing-denominators",
            _(
                "Pass rates depend on who is counted: officers tested, or all officers on the roster. Exemptions, "
                "absences, recruits and leavers change the denominator between rounds, and the summary gives both."
            ),
        ),
        (
            "county-figures",
            _(
                "The published figures are county-wide. With a district selected, the reconciliation table still "
                "compares county figures; district detail is in the linked reports."
            ),
        ),
        (
            "cut-off-date",
            _(
                "Whether an opinion counts as rectified depends on the cut-off date of the data (default 20 December "
                "2004); a later cut-off can only raise the count."
            ),
        ),
    ]


def caveats_block(synthetic: bool) -> blocks.Block:
    """The reader caveats as a short list (the demo caveat only on demo data) and a link to the methodology page."""
    items = [text for slug, text in reader_caveats() if synthetic or slug != "synthetic-demo"]
    href = reconciliation.report_href("methodology.html")
    more = blocks.fill(
        _("How each figure is computed, and every assumption the calculations make: {link}."),
        link=blocks.link(href, _("Methodology")),
    )
    return blocks.Block(blocks.bullet_list(items, css_class="caveats").html + f'<p class="note">{more}</p>')


def chart_grid(charts: list) -> blocks.Block:
    """The headline charts as one block (``FigureContext`` with ``show=charts.append``): one under the other
    on screen, two to a row in print (the brief's two A4 pages)."""
    return blocks.Block('<div class="figure-grid">' + "".join(c._repr_html_() for c in charts) + "</div>")
