"""Where we are weak: what the data shows that the work report does not say, each with its number.

Each finding calls the subject module that owns the statistic (opinions, training, fitness, survey) and
words its result through that subject's text module, so the brief shows the same label and value as
the detailed report. When the data a finding needs is not there, it says so ("Not yet available" and
why, :class:`NotAvailable`); it never shows a number it did not compute. Any other error is a bug and
propagates.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from analysis.core import paths, reference
from analysis.core.text import count, duration, interval, percent
from analysis.data import processed
from analysis.i18n import _, label
from analysis.present import blocks
from analysis.subjects import (
    fitness,
    fitness_text,
    opinions,
    opinions_text,
    survey,
    survey_text,
    training,
    training_text,
)

# Data sets each finding needs (the notebook loads what exists and passes None for the rest).
NEEDS = {
    "on_time": ("opinions_register", "rectification_ledger"),
    "slowest_area": ("opinions_register", "rectification_ledger"),
    "score_bunching": ("training_credits",),
    "eased_standard": ("fitness_tests", "officer_roster"),
    "fitness_roster": ("fitness_tests", "officer_roster"),
    "police_contact": ("survey_responses", "population_margins"),
    "lowest_items": ("survey_responses", "population_margins"),
    "satisfaction_spread": ("survey_responses", "population_margins"),
    "self_selection": ("survey_batches", "survey_responses", "population_margins"),
}
# The report and section that details each finding (the brief links there).
DETAIL = {
    "on_time": ("opinions", "deadlines"),
    "slowest_area": ("opinions", "time"),
    "score_bunching": ("training", "credits"),
    "eased_standard": ("fitness", "inflation"),
    "fitness_roster": ("fitness", "rates"),
    "police_contact": ("survey", "groups"),
    "lowest_items": ("survey", "items"),
    "satisfaction_spread": ("survey", "groups"),
    "self_selection": ("survey", "bounds"),
}


class NotAvailable(Exception):
    """A finding cannot be computed: a data set it needs is missing or holds nothing to compute from."""


@dataclass
class Finding:
    key: str
    title: str
    available: bool
    text: str  #: a sentence with its number (Safe markup when it carries headline figures)
    href: str | None = None

    def weakness(self) -> blocks.Weakness:
        return blocks.Weakness(self.key, self.title, self.text, self.href if self.available else None)


def _need(frames: dict, *names: str) -> list[pd.DataFrame]:
    missing = [n for n in names if frames.get(n) is None]
    if missing:
        raise NotAvailable(_("no processed data for {names}").format(names=_(", ").join(missing)))
    return [frames[n] for n in names]


# ---- the findings ---------------------------------------------------------------------------


def _opinions_status(register: pd.DataFrame, ledger: pd.DataFrame, cutoff: str | None):
    cutoff = reference.opinions_cutoff(cutoff)
    table = opinions.opinion_table(register)
    status = opinions.rectification_status(opinions.ledger_for(ledger, table), cutoff, table)
    return table, status, cutoff


def on_time(register: pd.DataFrame, ledger: pd.DataFrame, cutoff: str | None = None) -> Finding:
    """Opinions closed by their own deadline among those whose deadline had passed."""
    _table, status, _cut = _opinions_status(register, ledger, cutoff)
    rates = opinions.on_time_rates(status)
    r = rates.set_index("denominator_rows").loc["due by cut-off"]
    if not r["n"]:
        raise NotAvailable(_("no opinion's deadline had passed by the cut-off"))
    text = blocks.fill(
        _("{figure}: of the {n} opinions whose deadline had passed, {late} were not closed by it."),
        figure=opinions_text.on_time_figure(rates),
        n=count(r["n"]),
        late=count(r["n"] - r["on_time"]),
    )
    return Finding("on_time", _("Rectification deadlines missed"), True, text)


def slowest_area(register: pd.DataFrame, ledger: pd.DataFrame, cutoff: str | None = None) -> Finding:
    """The area whose opinions took longest to rectify (Kaplan-Meier median), against the overall median."""
    table, status, _cut = _opinions_status(register, ledger, cutoff)
    ttr = opinions.time_to_rectification(status, table)
    medians = [(c, r.median.median, r) for c, r in ttr.by_category.items() if pd.notna(r.median.median)]
    if not medians:
        raise NotAvailable(_("no area's median time to rectification is reached"))
    cat, median, r = max(medians, key=lambda x: x[1])
    text = blocks.fill(
        _("{area} opinions took longest: half were rectified within {days} ({interval}), against {figure} for all."),
        area=label("opinion_category", cat),
        days=opinions_text.days(median),
        interval=_("95% CI {low} to {high}").format(low=duration(r.median.ci_low), high=duration(r.median.ci_high)),
        figure=opinions_text.median_figure(ttr),
    )
    return Finding("slowest_area", _("Slow rectification"), True, text)


def score_bunching(credits: pd.DataFrame) -> Finding:
    """Course scores piled up exactly at the pass mark (the bunching test)."""
    mark = reference.training_pass_mark()
    test = training.bunching_test(credits["score"], mark)
    if test.at + test.below == 0:
        raise NotAvailable(_("no course score next to the pass mark"))
    return Finding("score_bunching", _("Scores at the pass mark"), True, training_text.bunching_sentence(test))


def eased_standard(fitness_tests: pd.DataFrame, roster: pd.DataFrame) -> Finding:
    """Fitness thresholds made easier during the year."""
    changes = fitness.standard_changes(fitness.standards_by_round(fitness_tests, roster))
    eased = fitness_text.eased_standards(changes)
    if not eased:
        text = _("No fitness threshold changed during the year.")
    else:
        text = _("The fitness standard was eased during the year: {changes}. Part of the rise is not fitness.").format(
            changes=_("; ").join(eased)
        )
    return Finding("eased_standard", _("An eased standard"), True, text)


def fitness_roster_denominator(fitness_tests: pd.DataFrame, roster: pd.DataFrame) -> Finding:
    """The last round's pass rate among officers tested and among all officers on the roster."""
    rates = fitness.pass_rates(fitness_tests, roster)
    if rates.empty:
        raise NotAvailable(_("no fitness test rounds in the data"))
    last = int(rates["round"].max())
    text = blocks.fill(
        _(
            "The work report's rate counts only officers tested: {tested}; counting every officer on the roster: "
            "{roster}."
        ),
        tested=fitness_text.pass_rate_figure(rates, last, "tested"),
        roster=fitness_text.pass_rate_figure(rates, last, "roster"),
    )
    return Finding("fitness_roster", _("Who is counted in the pass rate"), True, text)


def _weighted(responses: pd.DataFrame, population: pd.DataFrame) -> survey.WeightedSample:
    return survey.weight_respondents(responses, population)


def police_contact(responses: pd.DataFrame, population: pd.DataFrame) -> Finding:
    """Satisfaction among people who dealt with the police against those who did not (weighted)."""
    by = survey.satisfaction_by(_weighted(responses, population).frame, "police_contact").dropna(subset=["top_box"])
    if len(by) < 2:
        raise NotAvailable(_("no answers from both groups"))
    c = by.assign(police_contact=by["police_contact"].astype(bool)).set_index("police_contact")
    yes, no = c.loc[True], c.loc[False]
    template = (
        _(
            "People who had dealt with the police in the past year were less satisfied: {yes} ({yes_ci}) against {no} "
            "({no_ci}) of those who had not."
        )
        if yes["top_box"] < no["top_box"]
        else _(
            "People who had dealt with the police in the past year were more satisfied: {yes} ({yes_ci}) against {no} "
            "({no_ci}) of those who had not."
        )
    )
    text = template.format(
        yes=percent(yes["top_box"]),
        yes_ci=interval(yes["ci_low"], yes["ci_high"]),
        no=percent(no["top_box"]),
        no_ci=interval(no["ci_low"], no["ci_high"]),
    )
    return Finding("police_contact", _("Contact with the police"), True, text)


def lowest_items(responses: pd.DataFrame, population: pd.DataFrame) -> Finding:
    """The two questions rated lowest (weighted satisfied share)."""
    e = survey.item_estimates(_weighted(responses, population).frame)
    e = e[e["item"] != survey.OVERALL].dropna(subset=["top_box"]).sort_values("top_box")
    if len(e) < 2:
        raise NotAvailable(_("fewer than two questions with answers"))
    a, b = e.iloc[0], e.iloc[1]
    text = _("Rated lowest of the ten questions: {item1} {share1} ({ci1}) and {item2} {share2} ({ci2}).").format(
        item1=label("likert_item", a["item"]),
        share1=percent(a["top_box"]),
        ci1=interval(a["top_box_low"], a["top_box_high"]),
        item2=label("likert_item", b["item"]),
        share2=percent(b["top_box"]),
        ci2=interval(b["top_box_low"], b["top_box_high"]),
    )
    return Finding("lowest_items", _("What the public rates lowest"), True, text)


def satisfaction_spread(responses: pd.DataFrame, population: pd.DataFrame, district: str | None = None) -> Finding:
    """Every district's weighted overall satisfaction against the county's, with multiplicity-adjusted intervals.

    Not the largest minus the smallest district (a gap picked after seeing the data): each district
    is compared with the county, Bonferroni over the districts on the design's degrees of freedom
    (:func:`analysis.subjects.survey.districts_against_county`).
    """
    sample = _weighted(responses, population).frame
    if sample["district"].nunique() < 2:
        raise NotAvailable(_("fewer than two districts with answers"))
    comparison = survey.districts_against_county(sample)
    text = survey.districts_against_county_text(comparison) + _(" The report gives one county figure.")
    if district is not None:
        row = comparison[comparison["district"] == district]
        if row.empty:
            raise NotAvailable(_("no answers from district {district}").format(district=label("district", district)))
        r = row.iloc[0]
        text += _(" {district}: {share}, {difference} points against the county ({low} to {high}).").format(
            district=label("district", district),
            share=percent(r["top_box"]),
            difference=f"{100 * r['difference']:+.1f}",
            low=f"{100 * r['ci_low']:+.1f}",
            high=f"{100 * r['ci_high']:+.1f}",
        )
    return Finding("satisfaction_spread", _("Satisfaction across districts"), True, text)


def self_selection(
    batches: pd.DataFrame, responses: pd.DataFrame, population: pd.DataFrame, district: str | None = None
) -> Finding:
    """The nonresponse bounds (survey.worst_case_bounds: the one definition the survey report shows)."""
    try:
        b = survey.worst_case_bounds(batches, responses, district)
    except ValueError as exc:
        raise NotAvailable(str(exc)) from None
    if b.answered == 0:
        raise NotAvailable(_("no valid answers to the overall satisfaction question"))
    text = blocks.fill(
        _(
            "{returned} of {distributed} forms came back, handed out by the police and returned by those who chose "
            "to: {figure}. Intervals elsewhere cover sampling noise only."
        ),
        returned=count(b.returned),
        distributed=count(b.distributed),
        figure=survey_text.bounds_figure(b, district),
    )
    return Finding("self_selection", _("A self-selected sample"), True, text)


def _titles() -> dict[str, str]:
    return {
        "on_time": _("Rectification deadlines missed"),
        "slowest_area": _("Slow rectification"),
        "score_bunching": _("Scores at the pass mark"),
        "eased_standard": _("An eased standard"),
        "fitness_roster": _("Who is counted in the pass rate"),
        "police_contact": _("Contact with the police"),
        "lowest_items": _("What the public rates lowest"),
        "satisfaction_spread": _("Satisfaction across districts"),
        "self_selection": _("A self-selected sample"),
    }


FINDINGS: dict[str, Callable] = {
    "on_time": lambda f, district, cutoff: on_time(*_need(f, *NEEDS["on_time"]), cutoff),
    "slowest_area": lambda f, district, cutoff: slowest_area(*_need(f, *NEEDS["slowest_area"]), cutoff),
    "score_bunching": lambda f, district, cutoff: score_bunching(*_need(f, *NEEDS["score_bunching"])),
    "eased_standard": lambda f, district, cutoff: eased_standard(*_need(f, *NEEDS["eased_standard"])),
    "fitness_roster": lambda f, district, cutoff: fitness_roster_denominator(*_need(f, *NEEDS["fitness_roster"])),
    "police_contact": lambda f, district, cutoff: police_contact(*_need(f, *NEEDS["police_contact"])),
    "lowest_items": lambda f, district, cutoff: lowest_items(*_need(f, *NEEDS["lowest_items"])),
    "satisfaction_spread": lambda f, district, cutoff: satisfaction_spread(
        *_need(f, *NEEDS["satisfaction_spread"]), district
    ),
    "self_selection": lambda f, district, cutoff: self_selection(*_need(f, *NEEDS["self_selection"]), district),
}


def detail_href(key: str, reports: dict[str, str] | None = None) -> str | None:
    """The link from a finding to the section of the report that details it, in the report's language."""
    from analysis.summary.reconciliation import report_href

    report, section = DETAIL[key]
    return f"{report_href(f'{report}.html')}#{section}"


def what_the_data_adds(frames: dict, district: str | None = None, cutoff: str | None = None) -> list[Finding]:
    """Every finding, in order; one whose data is missing says so instead (any other error propagates)."""
    out = []
    titles = _titles()
    for key, compute in FINDINGS.items():
        try:
            found = compute(frames, district, cutoff)
            found.href = detail_href(key)
            out.append(found)
        except NotAvailable as exc:
            out.append(Finding(key, titles[key], False, _("Not yet available: {reason}.").format(reason=exc)))
    return out


def weak_points(findings: list[Finding]) -> blocks.Block:
    """The brief's "where we are weak" box, one line per finding."""
    return blocks.weak_points([f.weakness() for f in findings])


# The findings the brief shows, strongest first (issue 10's list: deadlines, the slowest area, scores at the
# pass mark, the eased standard, contact with the police, the lowest-rated items). The others repeat a key
# point (the roster denominator, the nonresponse bounds) or are detail (the districts); the brief links them.
BRIEF = ("on_time", "slowest_area", "score_bunching", "eased_standard", "police_contact", "lowest_items")
BRIEF_MOST = 6


def for_the_brief(
    findings: list[Finding], ranked: tuple[str, ...] = BRIEF, most: int = BRIEF_MOST
) -> tuple[list[Finding], list[Finding]]:
    """The findings the brief shows and the rest: strongest first (the available ones in ``ranked`` order, then
    the others as given), at most ``most``; a finding without data is shown only when fewer than ``most`` have data."""
    rank = {key: i for i, key in enumerate(ranked)}
    order = sorted(
        range(len(findings)), key=lambda i: (not findings[i].available, rank.get(findings[i].key, len(rank)), i)
    )
    return [findings[i] for i in order[:most]], [findings[i] for i in order[most:]]


def brief_weak_points(findings: list[Finding]) -> blocks.Block:
    """The brief's "where we are weak" box: its strongest findings (:func:`for_the_brief`), then one line
    linking the other findings with data to the reports that detail them."""
    shown, rest = for_the_brief(findings)
    box = blocks.weak_points([f.weakness() for f in shown]).html
    others = [blocks.link(f.href, f.title) for f in rest if f.available and f.href]
    if not others:
        return blocks.Block(box)
    more = blocks.fill(_("Also in the detailed reports: {findings}."), findings=blocks.Safe(_(", ").join(others)))
    return blocks.Block(box.removesuffix("</div>") + f'<p class="note weak-more">{more}</p></div>')


def load_available(processed_dir, datasets=None) -> dict:
    """The processed data sets the findings need, None for any that cleaning has not written.

    Only a missing file counts as missing data: a file that cannot be read raises.
    """
    names = sorted({n for needs in NEEDS.values() for n in needs} if datasets is None else datasets)
    return {
        name: processed.load(name, processed_dir) if paths.processed_file(name, processed_dir).exists() else None
        for name in names
    }


def to_text(findings: list[Finding]) -> str:
    """Plain text of all findings (for a notebook's checked output)."""
    import html
    import re

    return "\n".join(f"- {f.title}: {html.unescape(re.sub(r'<[^>]+>', '', str(f.text)))}" for f in findings)


def available_line(findings: list[Finding]) -> str:
    """The analyst's count of findings computed (checked by nbval)."""
    return _("{k} of {n} findings available").format(k=sum(f.available for f in findings), n=len(findings))
