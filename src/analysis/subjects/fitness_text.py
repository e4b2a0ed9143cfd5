"""What readers see of the fitness tests: key points, headline figures, sentences and tables, disclosure-safe.

Built from the results of :mod:`analysis.subjects.fitness`. The disclosure rule is decided once per
round in :func:`protected_rates`, and every table, sentence and chart of a round reads it from there,
so a count a table hides is hidden in the text and the charts too, and no shown figure gives it
back (``on_roster - tested`` would give the untested; ``tested - passed`` the failed).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.core.text import count, date, fewer_than, interval, number, p_value, percent, rate_text
from analysis.i18n import _, label
from analysis.present import blocks
from analysis.present.tables import Column, natural_order, reader_table
from analysis.stats import disclosure
from analysis.stats.disclosure import THRESHOLD, count_text
from analysis.subjects.fitness import BaselineFinal, InflationChecks

HIDDEN = disclosure.primary_marker()
SECONDARY = disclosure.SECONDARY


def scope_id(unit: str | None) -> str:
    return "bureau" if unit is None else unit


# --- the one disclosure decision per round ---------------------------------------------------------


def protected_rates(rates: pd.DataFrame, whole_bureau: bool = True) -> pd.DataFrame:
    """The per-round figures with what may be shown decided: hidden cells hold '<10' or 'x'.

    Columns: round, date, on_roster, tested, passed, failed, untested (exempt + absent + not recorded),
    exempt, absent, not_recorded, rate_tested(_low/_high), rate_roster(_low/_high), and the booleans
    ``rates_shown`` and ``roster_shown``.

    - In a unit, a round's pass rates, passed and failed are hidden when fewer than 10 officers passed
      or failed (the rate with ``tested`` would give the small count back); the roster count is hidden
      when fewer than 10 were untested (``on_roster - tested`` would give it back).
    - Bureau-wide, the pass rates under both denominators are the report's headline figures over some
      300 officers and are always shown; exempt, absent and unrecorded counts below 10 are hidden.
    """
    r = rates.copy()
    r["failed"] = r["tested"] - r["passed"]
    r["untested"] = r["exempt"] + r["absent"] + r["not_recorded"]
    small_sides = (r["passed"] < THRESHOLD) | (r["failed"] < THRESHOLD)
    # ASSUMPTION(headline-rates-printed): bureau-wide pass rates (both denominators, every round) are printed even when fewer than 10 failed or were untested, because they are the report's published figures over hundreds of officers; unit-level rates follow the <10 rule.
    r["rates_shown"] = True if whole_bureau else ~small_sides
    r["roster_shown"] = True if whole_bureau else (r["untested"] >= THRESHOLD)
    out = r.astype(object)
    for i in r.index:
        if not r.at[i, "rates_shown"]:
            for col in ("passed", "failed"):
                out.at[i, col] = HIDDEN if r.at[i, col] < THRESHOLD else SECONDARY
            for col in ("rate_tested", "rate_tested_low", "rate_tested_high"):
                out.at[i, col] = HIDDEN
        if not r.at[i, "roster_shown"]:
            out.at[i, "on_roster"] = SECONDARY
            out.at[i, "untested"] = HIDDEN if r.at[i, "untested"] < THRESHOLD else SECONDARY
        if not (r.at[i, "rates_shown"] and r.at[i, "roster_shown"]):
            for col in ("rate_roster", "rate_roster_low", "rate_roster_high"):
                out.at[i, col] = HIDDEN
        for col in ("exempt", "absent", "not_recorded"):
            if r.at[i, col] < THRESHOLD:
                out.at[i, col] = HIDDEN
    out["rates_shown"] = r["rates_shown"].astype(bool)
    out["roster_shown"] = r["roster_shown"].astype(bool)
    return out


def rates_table(rates: pd.DataFrame, whole_bureau: bool = True):
    """The per-round table for readers (see :func:`protected_rates`)."""
    shown = protected_rates(rates, whole_bureau).assign(day=[date(d) for d in rates["date"]])
    return reader_table(
        shown,
        [
            Column("round", _("Round"), "count"),
            Column("day", _("Test date")),
            Column("on_roster", _("On the roster"), "people"),
            Column("tested", _("Tested"), "people"),
            Column("passed", _("Passed"), "count" if whole_bureau else "people"),
            Column("untested", _("Not tested"), "count" if whole_bureau else "people"),
            Column("rate_tested", _("Pass rate, of officers tested"), "percent"),
            Column("ci_t", _("95% CI"), "interval", low="rate_tested_low", high="rate_tested_high"),
            Column("rate_roster", _("Pass rate, of all on the roster"), "percent"),
            Column("ci_r", _("95% CI"), "interval", low="rate_roster_low", high="rate_roster_high"),
        ],
        notes=[
            _(
                "Not tested: exempt, absent, or on the roster with no record; counted as not passed under the roster "
                "denominator."
            )
        ]
        + (
            []
            if whole_bureau
            else [_("In one unit, a rate is not shown when fewer than 10 officers passed or failed.")]
        ),
        where="fitness rates",
    )


# --- headline figures ------------------------------------------------------------------------------


def pass_rate_figure(rates: pd.DataFrame, round_: int, denominator: str, unit: str | None = None) -> blocks.Figure:
    """The pass rate of one round under one denominator ('tested' or 'roster'), with its interval."""
    r = rates.set_index("round").loc[round_]
    words = {
        "tested": _("round {round}, of officers tested"),
        "roster": _("round {round}, of all on the roster"),
    }
    return blocks.Figure(
        f"fitness.pass_rate_{denominator}.round{round_}",
        words[denominator].format(round=round_),
        percent(r[f"rate_{denominator}"]),
        scope_id(unit),
        interval(r[f"rate_{denominator}_low"], r[f"rate_{denominator}_high"]),
    )


def eased_standards(changes: pd.DataFrame) -> list[str]:
    """Each eased threshold in words: '1000 m run, 50 and over, from round 5 (310 to 330)'."""
    out = []
    easier = changes[changes["easier"].astype(bool)]
    for (item, band), g in easier.groupby(["item", "age_band"], sort=True):
        values = _(", ").join(
            _("{sex} {old:g} to {new:g}").format(sex=label("sex", s), old=o, new=n)
            for s, o, n in zip(g["sex"], g["threshold_baseline"], g["threshold"])
        )
        out.append(
            _("{item}, officers aged {band}, from round {round} ({values})").format(
                item=label("fitness_item", item),
                band=label("officer_age_band", band),
                round=int(g["from_round"].min()),
                values=values,
            )
        )
    return out


# --- key points ------------------------------------------------------------------------------------


def key_points(
    rates: pd.DataFrame,
    pair: BaselineFinal,
    checks: InflationChecks,
    changes: pd.DataFrame,
    published: pd.DataFrame | None,
    unit: str | None = None,
) -> list[blocks.Safe]:
    """The fitness report's key points: the rise under both denominators, the same officers, what inflates it."""
    whole = unit is None
    shown = protected_rates(rates, whole)
    b, f = int(rates["round"].min()), int(rates["round"].max())
    sb, sf = shown.set_index("round").loc[b], shown.set_index("round").loc[f]
    points = []
    if sb["rates_shown"] and sf["rates_shown"]:
        tail = ""
        if published is not None:
            p = published.set_index("id")["published"]
            tail = _(" (the work report: {baseline} to {final})").format(
                baseline=percent(float(p["fitness.pass_rate_baseline"]), 0),
                final=percent(float(p["fitness.pass_rate_final"]), 0),
            )
        points.append(
            blocks.fill(
                _("Pass rate {baseline}; {final}{tail}."),
                baseline=pass_rate_figure(rates, b, "tested", unit),
                final=pass_rate_figure(rates, f, "tested", unit),
                tail=tail,
            )
        )
    else:
        hidden = int((~shown["rates_shown"]).sum())
        visible = shown.loc[shown["rates_shown"], "round"].astype(int).tolist()
        if visible:
            points.append(
                blocks.fill(
                    _("Pass rate {figure}."),
                    r=visible[-1],
                    figure=pass_rate_figure(rates, visible[-1], "tested", unit),
                )
            )
        points.append(
            blocks.fill(
                _(
                    "In {hidden} of {rounds} rounds {fewer} officers of this unit passed or failed, so those pass "
                    "rates are not shown."
                ),
                hidden=hidden,
                rounds=len(shown),
                fewer=fewer_than(THRESHOLD),
            )
        )
    if sb["rates_shown"] and sf["rates_shown"] and sb["roster_shown"] and sf["roster_shown"]:
        points.append(
            blocks.fill(
                _("Counting every officer on the roster, with the untested as not passed: {baseline}; {final}."),
                baseline=pass_rate_figure(rates, b, "roster", unit),
                final=pass_rate_figure(rates, f, "roster", unit),
            )
        )
    if whole or _pair_shown(pair, rates):
        points.append(
            blocks.fill(
                _(
                    "The {n} officers tested in both rounds went from {pb} to {pf}: {diff} percentage points "
                    "({interval})."
                ),
                n=count(pair.n_pairs),
                pb=percent(pair.p_baseline),
                pf=percent(pair.p_final),
                diff=f"{100 * pair.difference:+.1f}",
                interval=_("95% CI {low} to {high}").format(
                    low=f"{100 * pair.difference_low:+.1f}", high=f"{100 * pair.difference_high:+.1f}"
                ),
            )
        )
    eased = eased_standards(changes)
    if eased:
        points.append(
            blocks.fill(
                _("The standard was eased during the year: {changes}; the same performance passes more often."),
                changes=_("; ").join(eased),
            )
        )
    if whole and checks.baseline_failers >= THRESHOLD:
        points.append(
            blocks.fill(
                _(
                    "{near} of the {failers} officers who failed in round {b} missed a single item by at most "
                    "{margin}: likely to pass a retest by chance alone."
                ),
                near=count_text(checks.near_misses),
                failers=count_text(checks.baseline_failers),
                b=b,
                margin=percent(checks.margin, 0),
            )
        )
    return points[:5]


def _pair_shown(pair: BaselineFinal, rates: pd.DataFrame | None = None) -> bool:
    """True when the paired comparison of a unit can be shown: at least 10 on each side of each round, and,
    given the rounds' tested counts, at least 10 officers tested in one round only (else n gives them back)."""
    margins = [
        pair.both + pair.baseline_only,
        pair.final_only + pair.neither,
        pair.both + pair.final_only,
        pair.baseline_only + pair.neither,
    ]
    if rates is not None:
        r = rates.set_index("round")
        for round_ in (pair.baseline_round, pair.final_round):
            outside = int(r.loc[round_, "tested"]) - pair.n_pairs
            if outside:
                margins.append(outside)
    return min(margins) >= THRESHOLD


# --- the analyst's printed figures (checked by nbval), disclosure-safe as well ----------------------


def round_text(rates: pd.DataFrame, round_: int, whole_bureau: bool = True) -> str:
    """Key-figure text for one round under both denominators (see :func:`protected_rates`)."""
    r = rates.set_index("round").loc[round_]
    s = protected_rates(rates, whole_bureau).set_index("round").loc[round_]
    lines = [_("Round {round} ({date}):").format(round=round_, date=f"{r['date']:%Y-%m-%d}")]
    if s["rates_shown"]:
        lines.append(
            _("  of officers tested: {rate}").format(
                rate=rate_text(r["passed"], r["tested"], r["rate_tested_low"], r["rate_tested_high"])
            )
        )
    else:
        lines.append(
            _("  officers tested: {n}; pass rate suppressed ({fewer} passed or failed)").format(
                n=count_text(r["tested"]), fewer=fewer_than(THRESHOLD)
            )
        )
    if s["rates_shown"] and s["roster_shown"]:
        lines.append(
            _("  of all {n} on the roster (untested = not passed): {rate} ({interval})").format(
                n=count(r["on_roster"]),
                rate=percent(r["rate_roster"]),
                interval=interval(r["rate_roster_low"], r["rate_roster_high"]),
            )
        )
    lines.append(
        _("  exempt: {exempt}; absent: {absent}; on the roster, no record: {none}").format(
            exempt=count_text(r["exempt"]), absent=count_text(r["absent"]), none=count_text(r["not_recorded"])
        )
    )
    return "\n".join(lines)


def paired_text(pair: BaselineFinal, whole_bureau: bool = True, rates: pd.DataFrame | None = None) -> str:
    """Baseline against final on the same officers (suppressed for small subsets).

    The discordant counts (improved, fell back) are not printed: with the two pass rates and n they
    would give each other back, and one of them is often below the threshold."""
    if not whole_bureau and not _pair_shown(pair, rates):
        return _("Same officers, rounds {b} and {f}: figures suppressed ({fewer} in a group)").format(
            b=pair.baseline_round, f=pair.final_round, fewer=fewer_than(THRESHOLD)
        )
    mcnemar = p_value(pair.mcnemar_p, digits=2, significant=True, floor=None)
    return "\n".join(
        [
            _("Same officers tested in round {b} and round {f}: n = {n}").format(
                b=pair.baseline_round, f=pair.final_round, n=count(pair.n_pairs)
            ),
            _("  pass rate {pb} -> {pf}; difference {diff} (Newcombe method-10 95% CI {low} to {high})").format(
                pb=percent(pair.p_baseline),
                pf=percent(pair.p_final),
                diff=f"{pair.difference:+.3f}",
                low=f"{pair.difference_low:+.3f}",
                high=f"{pair.difference_high:+.3f}",
            ),
            _("  exact McNemar {p}").format(p=mcnemar),
            _("  Cohen's h = {h}").format(h=number(pair.cohens_h)),
        ]
    )


def paired_sentence(pair: BaselineFinal, whole_bureau: bool = True, rates: pd.DataFrame | None = None) -> str:
    if not whole_bureau and not _pair_shown(pair, rates):
        return _(
            "In this unit too few officers passed, failed or were tested in one round only ({fewer} in a group), so "
            "the comparison of the same officers is not shown."
        ).format(fewer=fewer_than(THRESHOLD))
    return _(
        "The same {n} officers went from {pb} to {pf} passing: a rise of {diff} percentage points (Newcombe 95% CI "
        "{low} to {high}); the exact McNemar test gives {p}, and Cohen's h is {h} (above 0.8 is a large effect)."
    ).format(
        n=count(pair.n_pairs),
        pb=percent(pair.p_baseline),
        pf=percent(pair.p_final),
        diff=f"{100 * pair.difference:.1f}",
        low=f"{100 * pair.difference_low:.1f}",
        high=f"{100 * pair.difference_high:.1f}",
        p=p_value(pair.mcnemar_p, digits=2, significant=True, floor=None),
        h=number(pair.cohens_h),
    )


def published_comparison(rates: pd.DataFrame, published: pd.DataFrame) -> str:
    """The report's baseline and final rates beside the computed ones under both denominators."""
    p = published.set_index("id")["published"]
    b, f = rates.iloc[0], rates.iloc[-1]
    return _(
        "Report: {pb} -> {pf}. Computed, of officers tested: {tb} -> {tf}; of all officers on the roster: {rb} -> {rf}"
    ).format(
        pb=percent(float(p["fitness.pass_rate_baseline"]), 0),
        pf=percent(float(p["fitness.pass_rate_final"]), 0),
        tb=percent(b["rate_tested"]),
        tf=percent(f["rate_tested"]),
        rb=percent(b["rate_roster"]),
        rf=percent(f["rate_roster"]),
    )


def inflation_lines(checks: InflationChecks, rates: pd.DataFrame, whole_bureau: bool = True) -> list[tuple[str, str]]:
    """(check, finding) for each check of what could inflate the rise, disclosure-safe."""
    b, f, pair = checks.baseline, checks.final, checks.pair
    s = protected_rates(rates, whole_bureau).set_index("round")
    roster_ok = bool(s.loc[b.round, "roster_shown"] and s.loc[f.round, "roster_shown"])
    rates_ok = bool(s.loc[b.round, "rates_shown"] and s.loc[f.round, "rates_shown"])
    corr = checks.unit_gain_correlation
    out = []
    if roster_ok:
        out.append(
            (
                _("denominator: officers tested"),
                _(
                    "{tb} officers were tested in round {b} and {tf} in round {f}; {rb} and {rf} were on the roster."
                ).format(
                    tb=count_text(b.tested),
                    b=b.round,
                    tf=count_text(f.tested),
                    f=f.round,
                    rb=count_text(b.on_roster),
                    rf=count_text(f.on_roster),
                ),
            )
        )
    else:
        out.append(
            (
                _("denominator: officers tested"),
                _(
                    "{tb} officers were tested in round {b} and {tf} in round {f}; {fewer} were untested in a round."
                ).format(
                    tb=count_text(b.tested), b=b.round, tf=count_text(f.tested), f=f.round, fewer=fewer_than(THRESHOLD)
                ),
            )
        )
    out.append(
        (
            _("exempt or absent"),
            _("exempt {eb} -> {ef}, absent {ab} -> {af}, on the roster but not recorded {nb} -> {nf}.").format(
                eb=count_text(b.exempt),
                ef=count_text(f.exempt),
                ab=count_text(b.absent),
                af=count_text(f.absent),
                nb=count_text(b.not_recorded),
                nf=count_text(f.not_recorded),
            ),
        )
    )
    if roster_ok and rates_ok:
        out.append(
            (
                _("rate of all officers on the roster"),
                _(
                    "counting the untested as not passed, the rate goes from {rb} to {rf} (of those tested: {tb} to "
                    "{tf})."
                ).format(
                    rb=percent(b.rate_roster),
                    rf=percent(f.rate_roster),
                    tb=percent(b.rate_tested),
                    tf=percent(f.rate_tested),
                ),
            )
        )
    if whole_bureau or _pair_shown(pair, rates):
        out.append(
            (
                _("same officers only"),
                _("among the {n} officers tested in both rounds: {pb} to {pf}.").format(
                    n=count(pair.n_pairs), pb=percent(pair.p_baseline), pf=percent(pair.p_final)
                ),
            )
        )
    out.append(
        (
            _("changed standards"),
            _(
                "{k} of {n} item x age band x sex thresholds in the final round differ from the baseline round; {e} of "
                "them are easier."
            ).format(
                k=count(checks.thresholds_changed), n=count(checks.thresholds_final), e=count(checks.thresholds_easier)
            ),
        )
    )
    if checks.baseline_failers >= THRESHOLD:
        out.append(
            (
                _("regression to the mean: near misses"),
                _(
                    "{near} of {failers} baseline failers missed a single item by at most {margin} of its threshold; "
                    "{passed} of them passed the final round."
                ).format(
                    near=count_text(checks.near_misses),
                    failers=count_text(checks.baseline_failers),
                    margin=percent(checks.margin, 0),
                    passed=count_text(checks.near_misses_passed_final),
                ),
            )
        )
    if np.isfinite(corr):
        out.append(
            (
                _("regression to the mean: units"),
                _(
                    "correlation between a unit's baseline pass rate and its gain: {r} (strongly negative when the "
                    "weakest "
                    "units gained most, as targeting and regression to the mean both predict)."
                ).format(r=number(corr)),
            )
        )
    return out


def inflation_text(checks: InflationChecks, rates: pd.DataFrame, whole_bureau: bool = True) -> str:
    """The printed note for the analyst: one line per check."""
    lines = [_("What could inflate the rise (computed from the records):")]
    lines += [
        _("- {check}: {finding}").format(check=c, finding=f) for c, f in inflation_lines(checks, rates, whole_bureau)
    ]
    return "\n".join(lines)


def inflation_list(checks: InflationChecks, rates: pd.DataFrame, whole_bureau: bool = True) -> blocks.Block:
    """The checks for readers, as a list of sentences."""
    return blocks.bullet_list(
        blocks.fill(_("{check}: {finding}"), check=blocks.Safe(f"<strong>{blocks.esc(c)}</strong>"), finding=f)
        for c, f in inflation_lines(checks, rates, whole_bureau)
    )


# --- other tables for readers ----------------------------------------------------------------------


def protected_counts(counts: pd.DataFrame, index: list[str]) -> pd.DataFrame:
    """Passed/failed counts through the disclosure gate, with a pass rate only where both counts are shown.

    A group where fewer than the threshold passed or failed (including "all passed" / "all failed")
    has its counts suppressed by :func:`analysis.stats.disclosure.protect` and no rate printed.
    """
    table = counts.set_index(index)[["passed", "failed"]]
    shown = disclosure.protect(table, count_columns=["passed", "failed"])
    both = (table["passed"] >= THRESHOLD) & (table["failed"] >= THRESHOLD)
    rate = table["passed"] / (table["passed"] + table["failed"])
    shown["pass_rate"] = [
        float(r) if ok and not disclosure.is_suppressed(p) and not disclosure.is_suppressed(f) else HIDDEN
        for r, ok, p, f in zip(rate, both, shown["passed"], shown["failed"])
    ]
    return shown.reset_index()


def groups_table(counts: pd.DataFrame):
    """Passed and failed by age band and sex (one round), protected."""
    shown = natural_order(protected_counts(counts, ["age_band", "sex"]), "age_band", "officer_age_band")
    return reader_table(
        shown,
        [
            Column("age_band", _("Age band"), "label", label_kind="officer_age_band"),
            Column("sex", _("Sex"), "label", label_kind="sex"),
            Column("passed", _("Passed"), "people"),
            Column("failed", _("Failed"), "people"),
            Column("pass_rate", _("Pass rate"), "percent"),
        ],
        where="fitness by age band and sex",
    )


def item_table(change: pd.DataFrame):
    """Officers failing each item at baseline and in the final round, counts protected, shares where shown."""
    counts = change.set_index("item")[["failed_baseline", "failed_final"]].astype(int)
    # Each round is its own one-column table (only its total is published next to it).
    shown = pd.concat([disclosure.protect(counts[[col]]) for col in counts.columns], axis=1)
    for key in ("baseline", "final"):
        share = change.set_index("item")[f"fail_share_{key}"]
        shown[f"fail_share_{key}"] = [
            float(v) if not disclosure.is_suppressed(c) else HIDDEN for v, c in zip(share, shown[f"failed_{key}"])
        ]
    shown = shown.reset_index()
    return reader_table(
        shown,
        [
            Column("item", _("Test item"), "label", label_kind="fitness_item"),
            Column("failed_baseline", _("Failed, first round"), "people"),
            Column("fail_share_baseline", _("Share of those tested"), "percent"),
            Column("failed_final", _("Failed, last round"), "people"),
            Column("fail_share_final", _("Share of those tested"), "percent"),
        ],
        where="fitness items",
    )


def item_failures_table(by_round: pd.DataFrame):
    """Officers failing each item per round, protected."""
    shown = disclosure.protect(by_round).reset_index()
    return reader_table(
        shown,
        [Column("round", _("Round"), "count")]
        + [Column(c, label("fitness_item", c), "people") for c in by_round.columns],
        where="fitness item failures by round",
    )


def funnel_table(table: pd.DataFrame, round_: int | None = None):
    """Units on the funnel: officers tested, and the pass rate and verdict only where the unit is shown."""
    rows = pd.DataFrame(
        {
            "unit": table["unit"],
            "n": [int(n) if n >= THRESHOLD else HIDDEN for n in table["n"]],
            "rate": [float(r) if s else HIDDEN for r, s in zip(table["rate"], table["shown"])],
            "zone": [zone_words(z) if s else HIDDEN for z, s in zip(table["zone"], table["shown"])],
            "p": [p if s else HIDDEN for p, s in zip(table["p_adjusted"], table["shown"])],
        }
    )
    return reader_table(
        rows,
        [
            Column("unit", _("Unit"), "label", label_kind="unit"),
            Column("n", _("Officers tested"), "people"),
            Column("rate", _("Pass rate"), "percent"),
            Column("zone", _("Against the bureau rate")),
            Column("p", _("Holm-adjusted p"), "p"),
        ],
        caption=None if round_ is None else _("Units in round {round}").format(round=round_),
        where="fitness funnel",
    )


def zone_words(zone: str) -> str:
    """The funnel's verdict on a unit in words."""
    words = {
        "within": _("within the limits"),
        "outside 95%": _("outside the 95% limits"),
        "outside 99.8%": _("outside the 99.8% limits"),
    }
    return words.get(str(zone), str(zone))


def changed_table(changes: pd.DataFrame):
    """Thresholds that changed from the baseline round (each once, from the round it changed)."""
    return reader_table(
        natural_order(changes, "age_band", "officer_age_band"),
        [
            Column("item", _("Test item"), "label", label_kind="fitness_item"),
            Column("age_band", _("Age band"), "label", label_kind="officer_age_band"),
            Column("sex", _("Sex"), "label", label_kind="sex"),
            Column("from_round", _("From round"), "count"),
            Column("threshold_baseline", _("Threshold before"), "number", places=0),
            Column("threshold", _("Threshold after"), "number", places=0),
            Column("easier", _("Easier"), "yes_no"),
        ],
    )


def unit_only_note() -> str:
    return _("The unit comparison needs the whole bureau; this report covers one unit.")


def round_heading(round_: int) -> blocks.Safe:
    words = _("Round {round}").format(round=round_)
    return blocks.Safe("<strong>" + blocks.esc(words) + "</strong>")
