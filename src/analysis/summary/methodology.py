"""What the methodology page says about the statistics: the survey design in words, and what an interval means.

Words through the message catalog (``analysis.i18n._``), in the report's language; the page
itself (its frame and place in the reports) is the renderer's.
"""

from __future__ import annotations

from analysis.core.text import count
from analysis.i18n import _, sentences
from analysis.stats.design import SurveyDesign


def _name(column: str) -> str:
    return {
        "batch_id": _("distribution batch"),
        "district": _("district"),
        "age_band": _("age band"),
        "sex": _("sex"),
    }.get(column, column.replace("_", " "))


def design_statement(design: SurveyDesign | None = None) -> str:
    """The questionnaire's survey design in plain words, as data/reference/survey_design.csv states it."""
    d = SurveyDesign.stated() if design is None else design
    margins = _("; ").join(_(" x ").join(_name(c) for c in m) for m in d.margins)
    parts = [
        _(
            "Survey design: each {cluster} is a cluster (forms handed out and collected together), taken as drawn "
            "with replacement, without a finite-population correction."
        ).format(cluster=_name(d.cluster))
    ]
    parts.append(
        _("Clusters are stratified by {strata}.").format(strata=_name(d.strata))
        if d.strata
        else _("There are no strata.")
    )
    parts.append(
        _("Weights: equal starting weights raked to the population margins {margins}.").format(margins=margins)
    )
    if d.trim:
        parts.append(
            _("Weights are kept within {low} to {high} times the mean weight.").format(
                low=f"{d.trim[0]:g}", high=f"{d.trim[1]:g}"
            )
        )
    parts.append(
        _(
            "The raking is credited in the variance (as R's calibrate() design): estimates of what the margins "
            "explain are more precise than with fixed weights."
        )
        if d.raking_credited
        else _("The weights are treated as fixed in the variance (the raking is not credited).")
    )
    parts.append(
        _(
            "Every survey estimate uses this design: standard errors by Taylor linearisation, degrees of freedom "
            "as R's degf (clusters minus strata holding the domain), design effects as R's svymean(deff = TRUE). "
            "The earlier design (no strata, raking not credited) is shown only where it changes a conclusion."
        )
    )
    return sentences(parts)


def design_heading() -> str:
    return _("How the survey estimates are made: the design")


def whole_population_heading() -> str:
    return _("What an interval means when the data is a whole population")


def whole_population_note(forms: int | None = None, opinions: int | None = None) -> str:
    """What an interval means when every record is in the data (all forms, all opinions, all officers).

    ``forms`` (handed out) and ``opinions`` (merged) are the counts of the data at hand (e.g. from
    key_figures.csv); without them the sentence names the records without numbers.
    """
    if forms is not None and opinions is not None:
        records = _("all {forms} forms handed out, all {opinions} opinions, every officer tested").format(
            forms=count(forms), opinions=count(opinions)
        )
    else:
        records = _("every form handed out, every opinion, every officer tested")
    return _(
        "The questionnaire return rate, the rectification rate and the fitness pass rates are counted over every "
        "record ({records}), not over a sample, so they carry no sampling error. The 95% interval beside such a "
        "figure describes the process that produced it: with the same work, the same methods and the same "
        "conditions, another month, another group of residents or officers would give a somewhat different figure, "
        "and the interval shows how far it could plausibly move for that reason alone. A wide interval means a "
        "single figure should not carry much weight; two units whose intervals largely overlap should not be "
        "ranked against each other. The interval does not cover keying errors or changes of definition; these are "
        "discussed in the methodology. Satisfaction is different: the people who returned a form are only part of "
        "the county's residents, and were not drawn at random; its interval covers sampling noise only, not the "
        "bias of self-selection."
    ).format(records=records)
