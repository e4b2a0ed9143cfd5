"""What readers see of the training credits, the democratic review, case files and the competition for posts.

Key points, sentences and tables in the report's language, disclosure-safe: counts of officers below
the threshold are never printed, in a unit the competition's posts and applicants follow the same
rule, and a ratio is not printed when either of its counts is hidden.
"""

from __future__ import annotations

import pandas as pd

from analysis.core.text import count, month, number, p_value
from analysis.i18n import _, label
from analysis.present import blocks
from analysis.present.tables import Column, reader_table
from analysis.stats import disclosure
from analysis.stats.disclosure import THRESHOLD, count_text
from analysis.subjects.competition import CompetitionTotals
from analysis.subjects.review import ReviewSummary
from analysis.subjects.training import BunchingTest, CutoffSummary, unit_shares


def _bunching_p(test: BunchingTest) -> str:
    return _("exact binomial one-sided {p}").format(p=p_value(test.p_value, digits=2, significant=True, floor=None))


def scope_id(unit: str | None) -> str:
    return "bureau" if unit is None else unit


# --- headline figures and key points ----------------------------------------------------------------


def bunching_figure(test: BunchingTest, unit: str | None = None) -> blocks.Figure:
    """Course scores exactly at the pass mark against one point below (course results, not officers)."""
    return blocks.Figure(
        "training.scores_at_mark",
        _("course scores at {mark:g} against {below:g}").format(mark=test.cutoff, below=test.cutoff - test.width),
        _("{at} against {below}").format(at=count(test.at), below=count(test.below)),
        scope_id(unit),
        _bunching_p(test),
    )


def bunching_sentence(test: BunchingTest, unit: str | None = None) -> blocks.Safe:
    """The bunching finding for readers: an excess at the mark is a prompt to look at how scores were set."""
    if test.p_value < 0.05:
        template = _(
            "Scores pile up exactly at the pass mark: {figure}. Marking to the line would produce this; it is a prompt "
            "to look at how those scores were set, not proof."
        )
    else:
        template = _("No excess of scores exactly at the pass mark: {figure}.")
    return blocks.fill(template, figure=bunching_figure(test, unit))


def key_points(
    summary: CutoffSummary,
    bunching: BunchingTest,
    review: ReviewSummary,
    casework_line: str | None,
    totals: CompetitionTotals,
    unit: str | None = None,
) -> list[blocks.Safe]:
    """The training report's key points: officers below the mark, the disqualified, bunching, the review."""
    whole = unit is None
    points = [
        blocks.fill(
            _("Pass mark {mark:g} points (annual average): {n} officers have an average, {below} of them below it."),
            mark=summary.pass_mark,
            n=count_text(summary.officers),
            below=count_text(summary.below),
        )
    ]
    if whole:
        # ASSUMPTION(published-small-count): the 5 disqualified candidates is a figure the report publishes for the whole bureau, so it is printed; within one unit small counts are hidden.
        points.append(
            blocks.Safe(
                '<span class="published-figure">'
                + blocks.fill(
                    _(
                        "In May {k} of {n} cadre candidates were below {mark:g} and disqualified (a figure the work "
                        "report published)."
                    ),
                    k=count(summary.candidates_disqualified),
                    n=count_text(summary.candidates),
                    mark=summary.pass_mark,
                )
                + "</span>"
            )
        )
    if bunching.at + bunching.below:
        points.append(bunching_sentence(bunching, unit))
    if review.units == 1:
        # One unit's own report: "0 of 1 units below the mark" says less than the unit's result in words.
        if not review.below_mark:
            result = _("at or above the redo mark of {mark:g}: no redo needed").format(mark=review.redo_mark)
        elif review.passed_on_redo:
            result = _("below the redo mark of {mark:g}; passed on the redo").format(mark=review.redo_mark)
        else:
            result = _("below the redo mark of {mark:g}; not passed on a redo").format(mark=review.redo_mark)
        points.append(blocks.fill(_("Democratic review: this unit scored {result}."), result=result))
    elif review.units:
        points.append(
            blocks.fill(
                _(
                    "Democratic review: {below} of {units} units scored below the redo mark of {mark:g}; {passed} "
                    "passed on the redo."
                ),
                below=count(review.below_mark),
                units=count(review.units),
                mark=review.redo_mark,
                passed=count(review.passed_on_redo),
            )
        )
    if whole and totals.middle_posts:
        points.append(
            blocks.fill(
                _("Open competition: {posts} middle-level posts, {applicants} officers applied ({ratio} per post)."),
                posts=count(totals.middle_posts),
                applicants=count(totals.middle_applicants),
                ratio=number(totals.middle_applicants / totals.middle_posts),
            )
        )
    return points[:5]


# --- the analyst's printed figures (checked by nbval) ----------------------------------------------


def summary_text(
    summary: CutoffSummary, bunching_scores: BunchingTest, bunching_averages: BunchingTest, whole_bureau: bool = True
) -> str:
    """Key-figure text: officers below the pass mark, disqualified candidates, and the bunching tests."""
    disqualified = (
        count(summary.candidates_disqualified) if whole_bureau else count_text(summary.candidates_disqualified)
    )
    return "\n".join(
        [
            _("Pass mark: {mark:g} points (annual average of course scores)").format(mark=summary.pass_mark),
            _("Officers with an annual average: {n}; below the mark: {below}").format(
                n=count_text(summary.officers), below=count_text(summary.below)
            ),
            _("Cadre candidates with scores by May: {n}; below {mark:g} in May (disqualified): {k}").format(
                n=count_text(summary.candidates), mark=summary.pass_mark, k=disqualified
            ),
            # Course results, not officers: an officer sits many courses, so these counts identify no-one.
            _("Bunching, course scores: {at} at {cutoff:g} vs {below} at {just_below:g} ({p})").format(
                at=count(bunching_scores.at),
                cutoff=bunching_scores.cutoff,
                below=count(bunching_scores.below),
                just_below=bunching_scores.cutoff - bunching_scores.width,
                p=_bunching_p(bunching_scores),
            ),
            _bunching_line(_("annual averages"), bunching_averages),
        ]
    )


def _bunching_line(what: str, b: BunchingTest) -> str:
    if b.at + b.below == 0:
        return _("Bunching, {what}: none within {width:g} point of {cutoff:g}, no test possible").format(
            what=what, width=b.width, cutoff=b.cutoff
        )
    return _("Bunching, {what}: {at} in [{cutoff:g}, {top:g}) vs {below} just below ({p})").format(
        what=what,
        at=count_text(b.at),
        cutoff=b.cutoff,
        top=b.cutoff + b.width,
        below=count_text(b.below),
        p=_bunching_p(b),
    )


def review_text(s: ReviewSummary) -> str:
    """Key-figure text for the democratic review (unit-level counts: no officer is identified)."""
    return _(
        "Redo mark {mark:g}: {units} units reviewed, {below} below the mark, {redid} redid the review, {passed} passed "
        "on the redo, {still} still below, {none} below the mark with no redo recorded"
    ).format(
        mark=s.redo_mark,
        units=count(s.units),
        below=count(s.below_mark),
        redid=count(s.redid),
        passed=count(s.passed_on_redo),
        still=count(s.still_below),
        none=count(s.no_redo_recorded),
    )


def casework_text(files: int, months: int, signals: list[str], collective: int) -> str:
    """Key-figure text for the case files: files reviewed, months, XmR signals, collective decisions."""
    return _(
        "Files reviewed: {files} over {months} months; months signalling a special cause: {signals}; difficult cases "
        "decided collectively: {collective}"
    ).format(
        files=count(files),
        months=months,
        signals=_(", ").join(signals) if signals else _("none"),
        collective=count(collective),
    )


def no_months_text() -> str:
    return _("Fewer than two months of reviewed case files in this scope: no control chart.")


def competition_text(t: CompetitionTotals, whole_bureau: bool = True) -> str:
    """Key-figure text for the competition. In a unit, posts and applicants follow the <10 rule, and the ratio
    is printed only when both are shown (it would give a hidden count back)."""
    shown = whole_bureau or (t.middle_posts >= THRESHOLD and t.middle_applicants >= THRESHOLD)
    ratio = number(t.middle_applicants / t.middle_posts) if shown and t.middle_posts else _("not shown")
    posts = count(t.middle_posts) if whole_bureau else count_text(t.middle_posts)
    applicants = count(t.middle_applicants) if whole_bureau else count_text(t.middle_applicants)
    section = count(t.section_posts) if whole_bureau else count_text(t.section_posts)
    deputy = count(t.deputy_director_posts) if whole_bureau else count_text(t.deputy_director_posts)
    return _(
        "Middle-level posts: {posts}, applicants: {applicants} ({ratio} per post); section-level posts: {section}, of "
        "which deputy director: {deputy}"
    ).format(posts=posts, applicants=applicants, ratio=ratio, section=section, deputy=deputy)


# --- sentences and tables for readers ---------------------------------------------------------------


def below_by_unit(credits: pd.DataFrame, roster: pd.DataFrame, pass_mark: float):
    """Officers at or above and below the pass mark per unit, through the disclosure gate."""
    counts = unit_shares(credits, roster, pass_mark).set_index("unit")[["meets", "below"]]
    shown = disclosure.protect(counts).reset_index()
    return reader_table(
        shown,
        [
            Column("unit", _("Unit"), "label", label_kind="unit"),
            Column("meets", _("At or above the mark"), "people"),
            Column("below", _("Below the mark"), "people"),
        ],
        where="training by unit",
    )


def review_table(outcome: pd.DataFrame):
    """Each unit's review scores and what happened (unit scores, not officers')."""
    words = {
        "passed first round": _("passed the first round"),
        "redid and passed": _("redid the review and passed"),
        "redid and still below": _("redid the review, still below"),
        "below the mark but no redo recorded": _("below the mark, no redo recorded"),
        "redid although at or above the mark": _("redid although at or above the mark"),
        "no first-round score": _("no first-round score"),
    }
    shown = outcome.assign(outcome_words=[words.get(s, s) for s in outcome["status"]])
    return reader_table(
        shown,
        [
            Column("unit", _("Unit"), "label", label_kind="unit"),
            Column("score_round1", _("First-round score"), "number", places=1),
            Column("score_round2", _("Redo score"), "number", places=1),
            Column("outcome_words", _("Outcome")),
        ],
    )


def best_worst_table(counts: pd.DataFrame):
    """Best and worst files of the month per unit (protected: a file points to the officers who handled it).

    A scope with no file rated best or worst gets a note saying so instead of an empty table."""
    if counts.empty:
        return blocks.note(_("No file of this scope was rated best or worst of its month."))
    shown = disclosure.protect(counts[["best", "worst"]]).reset_index()
    return reader_table(
        shown,
        [
            Column("unit", _("Unit"), "label", label_kind="unit"),
            Column("best", label("file_rating", "best"), "people"),
            Column("worst", label("file_rating", "worst"), "people"),
        ],
        where="best and worst files",
    )


def competition_table(by_level: pd.DataFrame, whole_bureau: bool = True):
    """Posts, applications, applicants and appointments by level; officer counts protected; the ratio only where
    both of its counts are shown."""
    t = by_level.set_index("level")
    shown = disclosure.protect(t[["posts", "applications", "applicants", "appointed"]])
    visible = ~shown["posts"].map(disclosure.is_suppressed) & ~shown["applicants"].map(disclosure.is_suppressed)
    shown["ratio"] = [float(r) if ok else disclosure.SECONDARY for r, ok in zip(t["ratio"], visible)]
    return reader_table(
        shown.reset_index(),
        [
            Column("level", _("Level"), "label", label_kind="competition_level"),
            Column("posts", _("Posts"), "people"),
            Column("applications", _("Applications"), "people"),
            Column("applicants", _("Applicants"), "people"),
            Column("appointed", _("Appointed"), "people"),
            Column("ratio", _("Applicants per post"), "number", places=2),
        ],
        notes=[
            _("Posts are protected with the officer counts: in one unit a handful of posts points to its applicants.")
        ],
        where="competition by level",
    )


def unit_only_note() -> str:
    return _("The unit comparison needs the whole bureau; this report covers one unit.")


def funnel_line(table: pd.DataFrame) -> str:
    shown = table[table["shown"].astype(bool)]
    return _("Units flagged after Holm correction: {k} of the {n} units drawn ({withheld} not drawn)").format(
        k=int(shown["flag"].sum()), n=len(shown), withheld=len(table) - len(shown)
    )


def month_words(months: list[str]) -> str:
    return _(", ").join(month(m) for m in months)
