"""The public's opinions and what was done about them: categories, rectification, timeliness, coding.

Counting unit: the merged opinion (``opinion_id``; 166 in the report), not the raw suggestion.
Every status is read at a cut-off date: an opinion counts as rectified when the ledger says
rectified and its closing date is on or before the cut-off.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from analysis.core.errors import ParameterError
from analysis.core.text import count, duration, interval, p_value, percent
from analysis.data.contract.files import OPINION_CATEGORIES
from analysis.i18n import _
from analysis.stats import agreement, survival
from analysis.stats.proportions import Proportion, goodman, wilson, wilson_proportion

CATEGORIES = tuple(OPINION_CATEGORIES)
CATEGORY_LABELS = {
    "law_enforcement": "Law enforcement",
    "security_management": "Public security management",
    "service_economy": "Service to the economy",
    "team_building": "Team building",
}


def opinion_table(register: pd.DataFrame, district: str | None = None) -> pd.DataFrame:
    """One row per merged opinion: opinion_id, category, suggestions, first text, districts.

    The category of a merged opinion is the most frequent category among its suggestions (ties:
    alphabetical first); ``conflicting`` flags opinions whose suggestions were filed under more than one.
    With ``district``, only opinions with at least one suggestion from that district.
    """
    # ASSUMPTION(opinion-category-mode): a merged opinion takes the most common category of its suggestions; merged opinions whose suggestions disagree are flagged, not dropped.
    if register.empty:
        raise ValueError("the opinions register is empty")
    reg = register.sort_values(["opinion_id", "received", "suggestion_id"])

    def summarise(g: pd.DataFrame) -> pd.Series:
        counts = g["category"].value_counts()
        top = sorted(counts[counts == counts.max()].index)[0]
        return pd.Series(
            {
                "category": top,
                "conflicting": len(counts) > 1,
                "suggestions": len(g),
                "text": g["text"].iloc[0],
                "subcategory": g["subcategory"].iloc[0],
                "first_received": g["received"].min(),
                "districts": ", ".join(sorted(g["district"].dropna().unique())),
            }
        )

    out = reg.groupby("opinion_id", sort=True)[list(reg.columns.drop("opinion_id"))].apply(summarise).reset_index()
    if district is not None:
        # ASSUMPTION(opinion-district): an opinion belongs to a district when any suggestion merged into it came from there; opinions without a district are county-wide and excluded from district views.
        known = set(register["district"].dropna())
        if district not in known:
            raise ParameterError(f"district {district!r} not in the opinions register; known: {sorted(known)}")
        ids = set(register.loc[register["district"] == district, "opinion_id"])
        out = out[out["opinion_id"].isin(ids)].reset_index(drop=True)
    return out


def ledger_for(ledger: pd.DataFrame, opinions: pd.DataFrame) -> pd.DataFrame:
    """The ledger rows of the opinions in ``opinions`` (e.g. one district's); raises if there are none."""
    known = ledger[ledger["opinion_id"].isin(opinions["opinion_id"])]
    if len(opinions) and known.empty:
        raise ValueError("none of the opinions has a ledger row")
    return known.reset_index(drop=True)


def category_shares(opinions: pd.DataFrame, alpha: float = 0.05) -> pd.DataFrame:
    """Opinions per category, share, Goodman simultaneous interval and cumulative share (Pareto order)."""
    counts = opinions["category"].value_counts().reindex(CATEGORIES, fill_value=0)
    counts = counts.sort_values(ascending=False, kind="stable")
    ci = goodman(counts.to_numpy(), alpha=alpha)
    out = pd.DataFrame(
        {
            "category": counts.index,
            "label": [CATEGORY_LABELS.get(c, c) for c in counts.index],
            "opinions": counts.to_numpy(dtype=int),
        }
    )
    out["share"] = out["opinions"] / out["opinions"].sum()
    out["ci_low"], out["ci_high"] = ci[:, 0], ci[:, 1]
    out["cumulative_share"] = out["share"].cumsum()
    return out


def _cutoff(cutoff) -> pd.Timestamp:
    try:
        ts = pd.Timestamp(cutoff)
    except (TypeError, ValueError) as exc:
        raise ParameterError(f"cutoff_date {cutoff!r} is not a date (use YYYY-MM-DD)") from exc
    if pd.isna(ts):
        raise ParameterError("cutoff_date is required")
    return ts


def rectification_status(ledger: pd.DataFrame, cutoff, opinions: pd.DataFrame | None = None) -> pd.DataFrame:
    """The ledger with each opinion's state at the cut-off and its time to rectification on each clock.

    Adds: rectified (closed on or before the cut-off), days_from_plan (plan date to closing date,
    or to the cut-off when still open: censored), with ``opinions`` (:func:`opinion_table`) also
    first_received and days_from_receipt (the day the opinion was first received to the same end;
    NaN when received after the cut-off), due (deadline on or before the cut-off), on_time (closed
    on or before its own deadline), overdue_days (open past its deadline at the cut-off).
    Opinions planned after the cut-off are left out; a closing date before the plan date or before
    the receipt raises, naming the opinions.
    """
    cut = _cutoff(cutoff)
    led = ledger[ledger["plan_date"] <= cut].copy()
    closed = led["closed_date"].notna() & (led["closed_date"] <= cut) & (led["status"] == "rectified")
    # ASSUMPTION(closed-after-cutoff): an opinion closed after the cut-off counts as open (censored at the cut-off) in every figure stated at that cut-off.
    bad = led["status"].eq("rectified") & led["closed_date"].isna()
    if bad.any():
        raise ValueError(f"rectified opinions without a closing date: {led.loc[bad, 'opinion_id'].tolist()[:5]}")
    end = led["closed_date"].where(closed, cut)
    days = (end - led["plan_date"]).dt.days
    if (days < 0).any():
        raise ValueError(f"closing date before plan date for {led.loc[days < 0, 'opinion_id'].tolist()[:5]}")
    led["rectified"] = closed.astype(bool)
    led["days_from_plan"] = days.astype(float)
    if opinions is not None:
        first = opinions.set_index("opinion_id")["first_received"]
        led["first_received"] = led["opinion_id"].map(first)
        unknown = led["first_received"].isna()
        if unknown.any():
            raise ValueError(
                f"ledger opinions missing from the register: {led.loc[unknown, 'opinion_id'].tolist()[:5]}"
            )
        wait = (end - led["first_received"]).dt.days.astype(float)
        if (wait < 0).any():
            raise ValueError(
                f"closing date before the opinion was received for {led.loc[wait < 0, 'opinion_id'].tolist()[:5]}"
            )
        led["days_from_receipt"] = wait.where(led["first_received"] <= cut)
    led["due"] = (led["deadline"] <= cut).astype(bool)
    led["on_time"] = (closed & (led["closed_date"] <= led["deadline"])).astype(bool)
    led["overdue_days"] = np.where(~closed & (led["deadline"] < cut), (cut - led["deadline"]).dt.days, 0)
    return led


def rectified_share(status: pd.DataFrame) -> Proportion:
    """Rectified opinions over all opinions in the ledger (at the cut-off), with a Wilson interval."""
    return wilson_proportion(int(status["rectified"].sum()), len(status))


def on_time_rates(status: pd.DataFrame) -> pd.DataFrame:
    """On-time rates against each opinion's own deadline, with Wilson intervals, two denominators.

    'due by cut-off': opinions whose deadline has passed, closed by it (late and still-open
    overdue items count against); 'rectified': among opinions already closed, closed by the deadline.
    """
    # ASSUMPTION(on-time-own-deadline): on time means closed on or before the opinion's own deadline in the ledger; deadlines changed during the year are not visible in the data.
    rows = []
    for label, sub in (("due by cut-off", status[status["due"]]), ("rectified", status[status["rectified"]])):
        k, n = int(sub["on_time"].sum()), len(sub)
        low, high = wilson(k, n)
        rows.append(
            {
                "denominator_rows": label,
                "on_time": k,
                "n": n,
                "rate": k / n if n else float("nan"),
                "ci_low": low,
                "ci_high": high,
            }
        )
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class CategoryTime:
    """Time to rectification within one category of opinions."""

    km: pd.DataFrame = field(repr=False)  #: :func:`analysis.stats.survival.kaplan_meier`, time in days
    median: survival.KMMedian  #: days
    n: int  #: opinions in the category


# ASSUMPTION(km-clock-receipt): time to rectification runs primarily from the day the opinion was first received (the wait the public sees), and secondarily from the rectification plan date; each clock keeps the opinions whose start is on or before the cut-off.
RECEIPT, PLAN = "receipt", "plan"
CLOCKS = (RECEIPT, PLAN)


@dataclass(frozen=True)
class TimeToRectification:
    """Days to closing on one clock (from receipt or from the plan), open opinions censored at the cut-off."""

    km: pd.DataFrame = field(repr=False)  #: :func:`analysis.stats.survival.kaplan_meier`, time in days
    median: survival.KMMedian  #: days
    n: int  #: opinions on this clock at the cut-off
    events: int  #: of them, rectified by the cut-off
    by_category: dict[str, CategoryTime] = field(default_factory=dict)  #: empty without the register
    logrank: survival.LogRank | None = None  #: across categories; None with fewer than two
    clock: str = PLAN  #: RECEIPT or PLAN

    @property
    def column(self) -> str:
        """The status column holding this clock's days."""
        return f"days_from_{self.clock}"


def time_to_rectification(
    status: pd.DataFrame, opinions: pd.DataFrame | None = None, clock: str = RECEIPT
) -> TimeToRectification:
    """Kaplan-Meier of days to closing on ``clock``, its median and, with categories, a log-rank test.

    ``clock`` RECEIPT needs the status made with the opinions (``rectification_status(..., opinions)``).
    """
    if clock not in CLOCKS:
        raise ValueError(f"unknown clock {clock!r}; the clocks are {sorted(CLOCKS)}")
    column = f"days_from_{clock}"
    if column not in status.columns:
        raise ValueError(f"the status has no {column}: make it with rectification_status(ledger, cutoff, opinions)")
    status = status[status[column].notna()]
    days, done = status[column].to_numpy(dtype=float), status["rectified"].to_numpy(dtype=bool)
    km = survival.kaplan_meier(days, done)
    overall = {"km": km, "median": survival.km_median(km), "n": len(status), "events": int(done.sum()), "clock": clock}
    if opinions is None:
        return TimeToRectification(**overall)
    cat = status[["opinion_id"]].merge(opinions[["opinion_id", "category"]], on="opinion_id", how="left")["category"]
    if cat.isna().any():
        raise ValueError(
            "ledger opinions missing from the register: "
            + ", ".join(status.loc[cat.isna().to_numpy(), "opinion_id"][:5])
        )
    by = {}
    for c in sorted(cat.unique()):
        m = (cat == c).to_numpy()
        k = survival.kaplan_meier(days[m], done[m])
        by[c] = CategoryTime(km=k, median=survival.km_median(k), n=int(m.sum()))
    logrank = survival.logrank(days, done, cat.to_numpy()) if cat.nunique() > 1 else None
    return TimeToRectification(**overall, by_category=by, logrank=logrank)


def clock_name(clock: str) -> str:
    """The clock in words, in the report's language: 'days from receipt of the opinion'."""
    return {RECEIPT: _("days from receipt of the opinion"), PLAN: _("days from the rectification plan")}[clock]


def time_to_rectification_text(ttr: TimeToRectification, cutoff: str, second: TimeToRectification | None = None) -> str:
    """The median time to rectification on its clock (and on a second clock), with the log-rank test, for printing."""
    lines = []
    for t in (ttr,) if second is None else (ttr, second):
        m = t.median
        lines.append(
            _(
                "Median time to rectification, {clock}: {median} days ({interval}; {events} of {n} rectified, "
                "the rest censored at {cutoff})"
            ).format(
                clock=clock_name(t.clock),
                median=duration(m.median),
                interval=interval(m.ci_low, m.ci_high, places=0, as_percent=False),
                events=count(t.events),
                n=count(t.n),
                cutoff=cutoff,
            )
        )
    if ttr.logrank is not None:
        lr = ttr.logrank
        lines.append(
            _("Log-rank test across areas ({clock}): chi-square = {chisq} on {df} df, {p}").format(
                clock=clock_name(ttr.clock),
                chisq=f"{lr.chisq:.1f}",
                df=lr.df,
                p=p_value(lr.p_value, digits=4, floor=None),
            )
        )
    return "\n".join(lines)


def category_medians(ttr: TimeToRectification) -> pd.DataFrame:
    """Per category: area (label), opinions, median_days with ci_low and ci_high (days; NaN: not reached)."""
    return pd.DataFrame(
        [
            {
                "area": CATEGORY_LABELS.get(c, c),
                "opinions": r.n,
                "median_days": r.median.median,
                "ci_low": r.median.ci_low,
                "ci_high": r.median.ci_high,
            }
            for c, r in ttr.by_category.items()
        ],
        columns=["area", "opinions", "median_days", "ci_low", "ci_high"],
    )


@dataclass(frozen=True)
class CoderAgreement:
    """Agreement of the first and second coder on the double-coded suggestions."""

    table: pd.DataFrame = field(repr=False)  #: counts, rows: first coder, columns: second coder
    kappa: agreement.Kappa


def coder_agreement(register: pd.DataFrame) -> CoderAgreement:
    """Cohen's kappa between the category and the second coder's category, on the double-coded rows."""
    # ASSUMPTION(kappa-on-suggestions): agreement is measured on the double-coded suggestions (register rows), not on merged opinions.
    sub = register[register["second_coder_category"].notna()]
    table = agreement.agreement_table(sub["category"], sub["second_coder_category"], CATEGORIES)
    return CoderAgreement(table=table, kappa=agreement.kappa(table.to_numpy()))


def coder_agreement_text(result: CoderAgreement) -> str:
    """Cohen's kappa with its interval, the double-coded count and the raw agreement, for printing."""
    k = result.kappa
    return (
        f"Cohen's kappa: {k.kappa:.3f} ({interval(k.ci_low, k.ci_high, places=3, as_percent=False)}; "
        f"{count(k.n)} double-coded suggestions, raw agreement {percent(k.observed_agreement)})"
    )


def open_items(status: pd.DataFrame, opinions: pd.DataFrame) -> pd.DataFrame:
    """Opinions still open at the cut-off, oldest deadline first, with free text HTML-escaped.

    Columns: opinion_id, category, owner_unit (escaped), deadline (YYYY-MM-DD), overdue_days,
    opinion (the first suggestion's text, escaped): render with ``to_html(escape=False)`` so it is
    escaped exactly once.
    """
    still = status[~status["rectified"]].merge(
        opinions[["opinion_id", "category", "text"]], on="opinion_id", how="left"
    )
    still = still.sort_values(["deadline", "opinion_id"])
    return pd.DataFrame(
        {
            "opinion_id": still["opinion_id"].to_numpy(),
            "category": [CATEGORY_LABELS.get(c, c) for c in still["category"]],
            "owner_unit": [html.escape(str(u)) for u in still["owner_unit"]],
            "deadline": still["deadline"].dt.strftime("%Y-%m-%d").to_numpy(),
            "overdue_days": still["overdue_days"].astype(int).to_numpy(),
            "opinion": [html.escape(str(t)) if pd.notna(t) else "" for t in still["text"]],
        }
    )


# --- the record of what the report printed (reports/estimates.csv) ---------------------------------

METHOD_KM = (
    "Kaplan-Meier, open opinions censored at the cut-off (survfit); median and its interval from the "
    "log-transformed Greenwood band (quantile.survfit)"
)


def report_estimates(
    *,
    shares: pd.DataFrame,
    rectified: Proportion,
    waits: list[TimeToRectification],
    on_time: pd.DataFrame,
    coding: CoderAgreement | None = None,
):
    """The opinions report's printed estimates as rows of reports/estimates.csv (see analysis.stats.estimates)."""
    from analysis.stats.estimates import EstimateRow

    rows = [
        EstimateRow(
            f"category_share/{r['category']}",
            f"Share of opinions: {r['category']}",
            r["share"],
            ci_low=r["ci_low"],
            ci_high=r["ci_high"],
            n=r["opinions"],
            method="opinions in the area over all merged opinions; Goodman simultaneous 95% intervals",
        )
        for r in shares.to_dict("records")
    ]
    rows.append(
        EstimateRow(
            "rectified_share",
            "Opinions rectified by the cut-off",
            rectified.rate,
            ci_low=rectified.ci_low,
            ci_high=rectified.ci_high,
            n=rectified.denominator,
            method="Wilson score interval",
        )
    )
    for t in waits:
        m = t.median
        rows.append(
            EstimateRow(
                f"km_median/{t.clock}",
                f"Median time to rectification, {t.clock} clock (days)",
                m.median,
                ci_low=m.ci_low,
                ci_high=m.ci_high,
                n=t.n,
                method=METHOD_KM,
            )
        )
        for c, r in t.by_category.items():
            rows.append(
                EstimateRow(
                    f"km_median/{t.clock}/category={c}",
                    f"Median time to rectification, {t.clock} clock, {c} (days)",
                    r.median.median,
                    ci_low=r.median.ci_low,
                    ci_high=r.median.ci_high,
                    n=r.n,
                    method=METHOD_KM,
                )
            )
    for r in on_time.to_dict("records"):
        rows.append(
            EstimateRow(
                f"on_time/{r['denominator_rows'].replace(' ', '_')}",
                f"On time, among opinions {r['denominator_rows']}",
                r["rate"],
                ci_low=r["ci_low"],
                ci_high=r["ci_high"],
                n=r["n"],
                method="Wilson score interval",
            )
        )
    if coding is not None:
        k = coding.kappa
        rows.append(
            EstimateRow(
                "kappa",
                "Cohen's kappa, first and second coder",
                k.kappa,
                k.se,
                k.ci_low,
                k.ci_high,
                n=k.n,
                method="Cohen's kappa on the double-coded suggestions; asymptotic SE, Wald interval clipped to [-1, 1]",
            )
        )
    return rows
