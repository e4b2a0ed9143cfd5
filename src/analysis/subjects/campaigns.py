"""Campaign outputs from the activity ledger: totals, monthly series, rates, and before/after.

The ledger (``campaign_activities``) is a complete record of what was done, not a sample, so its
totals carry no sampling interval; they become informative once divided by a denominator
(officer-times, households, schools, months). The one comparison across time, the campus
campaign's two months against the two months before, treats the counts as Poisson and uses
the exact conditional test (R's ``poisson.test`` for two samples).

Every function takes frames in and gives frames out; the published totals themselves are
computed by ``analysis.summary.key_figures`` and only read here.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
from scipy.stats import binomtest
from statsmodels.stats.multitest import multipletests

from analysis.core.errors import ParameterError
from analysis.data.processed import require_columns

ACTIVITY_COLUMNS = ("campaign", "date", "unit", "site", "activity", "quantity")
WINDOW_COLUMNS = ("campaign", "start", "end")
STATION_SUFFIX = " Police Station"

# Published id prefix -> campaign code of the ledger.
ID_PREFIX_TO_CAMPAIGN = {"traffic": "traffic", "campus": "campus", "agency": "agency_service", "veterans": "veterans"}
CAMPAIGN_DATASETS = ("campaigns", "welfare")

# The logic model: what each ledger activity is. Outputs are what the police did or produced;
# outcomes are changes in the world the activity aims at. Judgement, written down once here; the reason
# for each class is worded for readers in campaigns_text.logic_model_reasons.
LOGIC_MODEL = {
    # activity: (campaign, class)
    "open_letters": ("traffic", "output"),
    "cartoons": ("traffic", "output"),
    "officer_times": ("traffic", "output"),
    "violations": ("traffic", "output"),
    "unstable_factors_resolved": ("campus", "outcome"),
    "hazards_rectified": ("campus", "outcome"),
    "booths_banned": ("campus", "output"),
    "campus_posts": ("campus", "output"),
    "alarm_points": ("campus", "output"),
    "infrared_systems": ("campus", "output"),
    "legal_vice_principals": ("campus", "output"),
    "items_handled": ("agency_service", "output"),
    "items_completed": ("agency_service", "outcome"),
    "yuan_saved": ("agency_service", "outcome"),
    "ranks_resolved": ("veterans", "outcome"),
    "trip_participants": ("veterans", "output"),
}
# Activities that count people (officers or veterans): their small counts follow the disclosure rule.
PEOPLE_ACTIVITIES = ("legal_vice_principals", "ranks_resolved", "trip_participants")
# ASSUMPTION(no-final-outcomes): the ledger records no final outcome (accidents, campus incidents, public safety); outputs are shown as outputs and no effect on safety is claimed.


def _windows(windows: pd.DataFrame) -> pd.DataFrame:
    require_columns(windows, WINDOW_COLUMNS, "campaign windows")
    w = windows[list(WINDOW_COLUMNS)].copy()
    w["start"] = pd.to_datetime(w["start"])
    w["end"] = pd.to_datetime(w["end"])
    if (w["end"] < w["start"]).any():
        raise ValueError("a campaign window ends before it starts")
    if w["campaign"].duplicated().any():
        raise ValueError("a campaign has more than one window")
    return w.set_index("campaign")


def district_of_unit(unit) -> str | None:
    """The district a unit serves: '<district> Police Station' -> district; county-wide units -> None."""
    if unit is None or pd.isna(unit):
        return None
    unit = str(unit)
    return unit[: -len(STATION_SUFFIX)] if unit.endswith(STATION_SUFFIX) else None


def check_district(district: str | None, households: pd.DataFrame) -> None:
    """Raise ParameterError when ``district`` is not one of the districts in the household data."""
    if district is None:
        return
    known = sorted(households["district"].dropna().astype(str).unique())
    if district not in known:
        raise ParameterError(f"district {district!r} is not in the data; known districts: {known}")


def for_district(activities: pd.DataFrame, district: str | None) -> pd.DataFrame:
    """Rows of one district's police station (all rows when district is None)."""
    if district is None:
        return activities
    # ASSUMPTION(district-by-station): a ledger row belongs to a district only when its unit is that district's police station; county-wide units (traffic brigade, command centre) fall outside every district.
    return activities[activities["unit"].map(district_of_unit) == district]


def in_windows(activities: pd.DataFrame, windows: pd.DataFrame) -> pd.DataFrame:
    """Ledger rows dated inside their campaign's window (both ends included)."""
    require_columns(activities, ACTIVITY_COLUMNS, "campaign_activities")
    w = _windows(windows)
    unknown = sorted(set(activities["campaign"].dropna()) - set(w.index))
    if unknown:
        raise ValueError(f"no campaign window for {unknown}; add it to data/reference/campaign_windows.csv")
    start = activities["campaign"].map(w["start"])
    end = activities["campaign"].map(w["end"])
    keep = (activities["date"] >= start) & (activities["date"] <= end)
    return activities[keep.fillna(False).astype(bool)]


def _months(start: pd.Timestamp, end: pd.Timestamp) -> list[str]:
    return [p.strftime("%Y-%m") for p in pd.period_range(start, end, freq="M")]


def monthly_series(activities: pd.DataFrame, windows: pd.DataFrame) -> pd.DataFrame:
    """Quantity per campaign, activity and calendar month inside each campaign's window.

    Months of the window with no row are shown as 0 (the ledger is complete: nothing recorded
    means nothing done). Columns: campaign, activity, month ('YYYY-MM'), quantity, rows (ledger
    rows behind the quantity).
    """
    rows = in_windows(activities, windows)
    w = _windows(windows)
    got = (
        rows.assign(month=rows["date"].dt.strftime("%Y-%m"))
        .groupby(["campaign", "activity", "month"], as_index=False)
        .agg(quantity=("quantity", "sum"), rows=("quantity", "size"))
    )
    frames = []
    for (campaign, activity), _ in got.groupby(["campaign", "activity"]):
        months = _months(w.loc[campaign, "start"], w.loc[campaign, "end"])
        frames.append(pd.DataFrame({"campaign": campaign, "activity": activity, "month": months}))
    if not frames:
        return pd.DataFrame(
            {
                "campaign": pd.Series(dtype="string"),
                "activity": pd.Series(dtype="string"),
                "month": pd.Series(dtype="string"),
                "quantity": pd.Series(dtype="Float64"),
                "rows": pd.Series(dtype="Int64"),
            }
        )
    grid = pd.concat(frames, ignore_index=True)
    out = grid.merge(got, on=["campaign", "activity", "month"], how="left")
    # ASSUMPTION(ledger-complete): a month of a campaign with no ledger row is taken as zero activity, not as missing data.
    out["quantity"] = out["quantity"].fillna(0).astype("Float64")
    out["rows"] = out["rows"].fillna(0).astype("Int64")
    return out


def activity_pattern(series: pd.DataFrame, campaign: str) -> pd.DataFrame:
    """Per activity of ``campaign`` (from ``monthly_series``): months with activity, of months in the
    window, whether it ran every month, and its peak month. Columns: activity, months_active,
    months, every_month, peak_month, rows."""
    s = series[series["campaign"] == campaign]
    out = []
    for act, d in s.groupby("activity"):
        active = int((d["quantity"] > 0).sum())
        out.append(
            {
                "activity": act,
                "months_active": active,
                "months": len(d),
                "every_month": active == len(d),
                "peak_month": d.loc[d["quantity"].astype(float).idxmax(), "month"],
                "rows": int(d["rows"].sum()),
            }
        )
    return pd.DataFrame(out, columns=["activity", "months_active", "months", "every_month", "peak_month", "rows"])


def _total(rows: pd.DataFrame, campaign: str, activity: str) -> float:
    sel = rows[(rows["campaign"] == campaign) & (rows["activity"] == activity)]
    return float(sel["quantity"].sum())


@dataclass(frozen=True)
class _Rate:
    name: str
    campaign: str
    numerator: str
    denominator: str
    per: str


def rates(
    activities: pd.DataFrame, windows: pd.DataFrame, households: pd.DataFrame, district: str | None = None
) -> pd.DataFrame:
    """Counts made rates: each with its numerator and denominator, inside the campaign windows.

    - traffic violations handled per officer-time deployed;
    - open letters per registered household (households.csv, county or the district);
    - campus alarm points and hazards rectified per school (a school is a distinct ``site`` of
      the campus rows);
    - agency-service items handled per month of the window, items completed per item handled,
      yuan saved per item handled.
    Complete counts, so no sampling interval. Columns: rate, campaign, numerator_label,
    numerator, denominator_label, denominator, value (NA when the denominator is 0).
    """
    require_columns(households, ("district", "households"), "households")
    rows = for_district(in_windows(activities, windows), district)
    w = _windows(windows)
    hh = households if district is None else households[households["district"] == district]
    schools = rows.loc[(rows["campaign"] == "campus") & rows["site"].notna(), "site"].nunique()
    # ASSUMPTION(school-is-site): each distinct non-blank site of a campus row is one school; rows without a site are counted in totals but add no school.
    months = (
        len(_months(w.loc["agency_service", "start"], w.loc["agency_service", "end"]))
        if "agency_service" in w.index
        else 0
    )
    specs = [
        (
            "violations per officer-time",
            "traffic",
            "violations handled",
            _total(rows, "traffic", "violations"),
            "officer-times deployed",
            _total(rows, "traffic", "officer_times"),
        ),
        # ASSUMPTION(letters-per-household): open letters are divided by registered households as the widest reach they could have had; letters handed to drivers or passers-by make this an upper bound on household coverage, not a count of households reached.
        (
            "open letters per household",
            "traffic",
            "open letters issued",
            _total(rows, "traffic", "open_letters"),
            "registered households",
            float(hh["households"].sum()),
        ),
        (
            "alarm points per school",
            "campus",
            "alarm points set up",
            _total(rows, "campus", "alarm_points"),
            "schools in the ledger",
            float(schools),
        ),
        (
            "hazards rectified per school",
            "campus",
            "hazards rectified",
            _total(rows, "campus", "hazards_rectified"),
            "schools in the ledger",
            float(schools),
        ),
        (
            "items handled per month",
            "agency_service",
            "items handled",
            _total(rows, "agency_service", "items_handled"),
            "months of the service",
            float(months),
        ),
        (
            "items completed per item handled",
            "agency_service",
            "items completed",
            _total(rows, "agency_service", "items_completed"),
            "items handled",
            _total(rows, "agency_service", "items_handled"),
        ),
        (
            "yuan saved per item handled",
            "agency_service",
            "yuan saved",
            _total(rows, "agency_service", "yuan_saved"),
            "items handled",
            _total(rows, "agency_service", "items_handled"),
        ),
    ]
    out = pd.DataFrame(
        specs, columns=["rate", "campaign", "numerator_label", "numerator", "denominator_label", "denominator"]
    )
    out["numerator"] = out["numerator"].astype("Float64")
    out["denominator"] = out["denominator"].astype("Float64")
    out["value"] = (out["numerator"] / out["denominator"].where(out["denominator"] > 0)).astype("Float64")
    return out


def monthly_ratio(
    activities: pd.DataFrame, windows: pd.DataFrame, campaign: str, numerator: str, denominator: str
) -> pd.DataFrame:
    """One activity per another, month by month (e.g. traffic violations per officer-time).

    Columns: month, numerator, denominator, value (NA where the denominator is 0).
    """
    series = monthly_series(activities, windows)
    series = series[series["campaign"] == campaign]
    wide = series.pivot_table(index="month", columns="activity", values="quantity", aggfunc="sum")
    for col in (numerator, denominator):
        if col not in wide.columns:
            wide[col] = 0.0
    out = pd.DataFrame(
        {
            "month": wide.index.astype(str),
            "numerator": wide[numerator].to_numpy(dtype=float),
            "denominator": wide[denominator].to_numpy(dtype=float),
        }
    )
    out["value"] = out["numerator"] / out["denominator"].where(out["denominator"] > 0)
    return out.reset_index(drop=True)


@dataclass(frozen=True)
class RateRatio:
    """Ratio of two Poisson rates, (count1 / exposure1) / (count0 / exposure0), with its exact test."""

    ratio: float  #: inf when count0 is 0; NaN when both counts are 0
    ci_low: float  #: exact (conditional Clopper-Pearson) interval
    ci_high: float  #: inf when count0 is 0
    p_value: float  #: two-sided exact conditional test of equal rates


def poisson_rate_ratio(count1: int, exposure1: float, count0: int, exposure0: float, alpha: float = 0.05) -> RateRatio:
    """Rate ratio (count1/exposure1) / (count0/exposure0) with the exact conditional test and interval.

    Conditional on the total n = count1 + count0, count1 ~ Binomial(n, e1 / (e1 + e0)) under equal
    rates; the Clopper-Pearson interval for that proportion, transformed, gives the ratio's
    interval (as R's ``poisson.test(c(count1, count0), c(exposure1, exposure0))``).
    Returns a :class:`RateRatio`.
    """
    for c in (count1, count0):
        if c < 0 or float(c) != int(c):
            raise ValueError(f"Poisson counts must be whole numbers >= 0, got {c}")
    if exposure1 <= 0 or exposure0 <= 0:
        raise ValueError("exposures must be positive")
    count1, count0 = int(count1), int(count0)
    n = count1 + count0
    if n == 0:
        return RateRatio(ratio=np.nan, ci_low=np.nan, ci_high=np.nan, p_value=np.nan)
    share = exposure1 / (exposure1 + exposure0)
    test = binomtest(count1, n, share)
    low, high = test.proportion_ci(confidence_level=1 - alpha, method="exact")
    scale = exposure0 / exposure1

    def to_ratio(q: float) -> float:
        return np.inf if q >= 1 else q / (1 - q) * scale

    # The two-sided p-value of the binomial test (the same as statsmodels' test_poisson_2indep
    # with method="exact-cond", which warns on a zero count).
    p = float(test.pvalue)
    ratio = np.inf if count0 == 0 else (count1 / exposure1) / (count0 / exposure0)
    return RateRatio(ratio=float(ratio), ci_low=float(to_ratio(low)), ci_high=float(to_ratio(high)), p_value=p)


def before_after(
    activities: pd.DataFrame, windows: pd.DataFrame, campaign: str = "campus", district: str | None = None
) -> pd.DataFrame:
    """The campaign's window against the same number of days just before it, per activity.

    Each activity's rows of ``campaign`` are summed in both periods (counts; a non-whole quantity
    raises) and compared as Poisson rates per day with the exact conditional test; p-values are
    also Holm-adjusted across the activities. Columns: activity, period_before, period_during,
    before, during, days, ratio, ci_low, ci_high, p_value, p_holm.
    """
    require_columns(activities, ACTIVITY_COLUMNS, "campaign_activities")
    w = _windows(windows)
    start, end = w.loc[campaign, "start"], w.loc[campaign, "end"]
    days = (end - start).days + 1
    # ASSUMPTION(before-period-same-length): "the two months before" is the same number of days as the window, ending the day before it starts.
    b_start, b_end = start - pd.Timedelta(days=days), start - pd.Timedelta(days=1)
    rows = for_district(activities[activities["campaign"] == campaign], district)
    # ASSUMPTION(poisson-counts): counts are compared as Poisson; items installed in batches (several alarm points at one school) are overdispersed, so the intervals are too narrow and the p-values too small.
    before = rows[(rows["date"] >= b_start) & (rows["date"] <= b_end)].groupby("activity")["quantity"].sum()
    during = rows[(rows["date"] >= start) & (rows["date"] <= end)].groupby("activity")["quantity"].sum()
    activities_seen = sorted(set(before.index) | set(during.index))
    records = []
    for act in activities_seen:
        b, d = float(before.get(act, 0.0)), float(during.get(act, 0.0))
        test = poisson_rate_ratio(d, days, b, days)
        records.append(
            {
                "activity": act,
                "period_before": f"{b_start:%Y-%m-%d} to {b_end:%Y-%m-%d}",
                "period_during": f"{start:%Y-%m-%d} to {end:%Y-%m-%d}",
                "before": int(b),
                "during": int(d),
                "days": days,
                **asdict(test),
            }
        )
    out = pd.DataFrame(
        records,
        columns=[
            "activity",
            "period_before",
            "period_during",
            "before",
            "during",
            "days",
            "ratio",
            "ci_low",
            "ci_high",
            "p_value",
        ],
    )
    tested = out["p_value"].notna()
    out["p_holm"] = np.nan
    if tested.any():
        out.loc[tested, "p_holm"] = multipletests(out.loc[tested, "p_value"], method="holm")[1]
    return out


def logic_model(activities_seen=None) -> pd.DataFrame:
    """Each ledger activity classed as output or outcome, with the reason.

    ``activities_seen``: optional codes found in the data; an unclassed one raises, so a new
    activity cannot slip into the report without a class. Columns: campaign, activity, class.
    """
    unknown = sorted(set(activities_seen or ()) - set(LOGIC_MODEL))
    if unknown:
        raise ValueError(f"activities without a logic-model class: {unknown}")
    return pd.DataFrame([{"campaign": c, "activity": a, "class": k} for a, (c, k) in LOGIC_MODEL.items()])
