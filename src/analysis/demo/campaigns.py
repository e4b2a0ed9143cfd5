"""The campaign activity ledger: traffic order, campus safety, agency service, veterans' care.

Calibration (per county), sums of ``quantity`` inside each campaign's window
(data/reference/campaign_windows.csv): traffic 40,000 open letters and 2,000 cartoons exactly,
13,000+ officer-times and 120,000+ violations; campus (20 Sep-19 Nov) 2 unstable factors, 58
hazards, 45 booths, 110 posts, 198 alarm points, 27 infrared systems, 110 legal vice-principals;
Xi'anfeng agency service 160+ items all completed, 5,000+ yuan saved; veterans 3 ranks, 60+ on the trip.
Rows outside a window (campus work before 20 September, leaflets printed in December 2003) are
clean rows that the window leaves out.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.data.contract.files import ACTIVITIES
from analysis.demo.county import DISTRICTS, STATIONS, County, chinese_names, day, fullwidth, write_dates

CAMPAIGN_ZH = {"traffic": "交通秩序", "campus": "校园安全", "agency_service": "便民代办", "veterans": "老干部关爱"}
MEASURE = {
    "open_letters": "份",
    "cartoons": "幅",
    "officer_times": "人次",
    "violations": "起",
    "unstable_factors_resolved": "起",
    "hazards_rectified": "处",
    "booths_banned": "个",
    "campus_posts": "个",
    "alarm_points": "个",
    "infrared_systems": "套",
    "legal_vice_principals": "名",
    "items_handled": "件",
    "items_completed": "件",
    "yuan_saved": "元",
    "ranks_resolved": "人",
    "trip_participants": "人",
}
TRAFFIC_UNITS = ("Traffic Police Brigade", "Patrol Brigade") + STATIONS
CAMPUS_START, CAMPUS_END = day("2004-09-20"), day("2004-11-19")
SCHOOL_KINDS = ("中心小学", "中学", "实验小学", "初级中学", "第二小学", "幼儿园", "中心幼儿园", "职业中学")
VILLAGES = (
    "城北",
    "城南",
    "东风",
    "红旗",
    "新华",
    "前进",
    "永丰",
    "三里",
    "柳堡",
    "双河",
    "大桥",
    "小官庄",
    "沿河",
    "向阳",
    "长塘",
    "西湖",
    "太平",
    "金桥",
    "荡北",
    "杨庄",
)


def _month_end(month: np.ndarray) -> np.ndarray:
    return (np.datetime64("2004-01", "M") + month.astype("timedelta64[M]")).astype("datetime64[D]") - 1


def _split(total: int, weights: np.ndarray, rng: np.random.Generator, step: int = 1) -> np.ndarray:
    """``total`` split over rows in proportion to ``weights``, in whole ``step``s."""
    return rng.multinomial(total // step, weights / weights.sum()) * step


def _at_least(values: np.ndarray, floor: int) -> np.ndarray:
    """Scale counts up (if needed) so that they add up to more than ``floor``."""
    if values.sum() <= floor:
        values = np.ceil(values * (floor * 1.03) / values.sum()).astype(int)
    return values


def _school_names(county: County, rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """About 110 schools, each in a district (school names are synthetic)."""
    district = np.sort(rng.choice(len(DISTRICTS), size=n, p=[0.28, 0.16, 0.13, 0.13, 0.15, 0.15]))
    names, seen = [], set()
    for d in district:
        town = DISTRICTS[d] if county.number != 1 else chinese_names("district", DISTRICTS[d])[0]
        while True:
            name = f"{town}{rng.choice(VILLAGES) if rng.random() < 0.6 else ''}{rng.choice(SCHOOL_KINDS)}"
            if name not in seen:
                break
        seen.add(name)
        names.append(name)
    return np.array(names, dtype=object), district


def ledger(county: County) -> pd.DataFrame:
    """Canonical ledger rows: campaign, date, unit, site, activity, quantity."""
    rng = county.rng("campaigns")
    parts = []

    def add(campaign, date, unit, site, activity, quantity):
        frame = pd.DataFrame(
            {
                "campaign": campaign,
                "date": np.asarray(date, dtype="datetime64[D]"),
                "unit": unit,
                "site": site,
                "activity": activity,
                "quantity": quantity,
            }
        )
        parts.append(frame[frame["quantity"] > 0])

    # Traffic: monthly per unit, all year.
    units = np.repeat(np.array(TRAFFIC_UNITS, dtype=object), 12)
    month = np.tile(np.arange(1, 13), len(TRAFFIC_UNITS))
    ends = _month_end(month)
    brigade = units == "Traffic Police Brigade"
    letters_w = np.where(np.isin(month, [3, 4, 5]), 3.0, np.where(np.isin(month, [9, 10]), 1.0, 0.0))
    letters_w *= np.where(brigade, 4.0, 1.0)
    add("traffic", ends, units, "", "open_letters", _split(40_000, letters_w, rng, 100))
    cartoon_w = np.where(np.isin(month, [4, 5, 6]), 1.0, 0.0) * np.where(brigade, 3.0, 1.0)
    add("traffic", ends, units, "", "cartoons", _split(2_000, cartoon_w, rng, 10))
    officer_times = rng.poisson(np.where(brigade, 420, np.where(units == "Patrol Brigade", 150, 95)))
    add("traffic", ends, units, "", "officer_times", _at_least(officer_times, 13_000))
    violations = rng.poisson(np.where(brigade, 8_200, np.where(units == "Patrol Brigade", 450, 280)))
    add("traffic", ends, units, "", "violations", _at_least(violations, 120_000))
    # Leaflets printed and handed out before the campaign year began: outside the window.
    add("traffic", [day("2003-12-31")], ["Traffic Police Brigade"], "", "open_letters", [3_000])

    # Campus: one row per school and activity, inside the window, plus work before and after it.
    schools, district = _school_names(county, rng, 110)
    station = np.array(STATIONS, dtype=object)[district]
    n = len(schools)

    def in_window(k, start=CAMPUS_START, days=61):
        return start + rng.integers(0, days, k)

    def spread(total, k_schools, minimum=1):
        chosen = rng.choice(n, size=k_schools, replace=False)
        q = np.full(k_schools, minimum) + _split(total - minimum * k_schools, np.ones(k_schools), rng)
        return chosen, q

    add("campus", in_window(n, days=30), station, schools, "campus_posts", np.ones(n, dtype=int))
    add("campus", in_window(n, days=40), station, schools, "legal_vice_principals", np.ones(n, dtype=int))
    add("campus", in_window(n), station, schools, "alarm_points", 1 + _split(88, np.ones(n), rng))
    for activity, total, k, before, after in (
        ("hazards_rectified", 58, 36, 21, 5),
        ("booths_banned", 45, 24, 17, 3),
        ("infrared_systems", 27, 27, 0, 0),
        ("unstable_factors_resolved", 2, 2, 0, 0),
    ):
        chosen, q = spread(total, k)
        add("campus", in_window(k), station[chosen], schools[chosen], activity, q)
        if before:
            chosen, q = spread(before, min(before, 12))
            add("campus", in_window(len(chosen), day("2004-07-20"), 61), station[chosen], schools[chosen], activity, q)
            chosen, q = spread(after, after)
            add("campus", in_window(len(chosen), day("2004-11-20"), 30), station[chosen], schools[chosen], activity, q)

    # Agency service at Xi'anfeng station: monthly, every item handled is completed.
    handled = _at_least(rng.poisson(15, 12), 160)
    ends12 = _month_end(np.arange(1, 13))
    xaf = np.full(12, "Xi'anfeng Police Station", dtype=object)
    add("agency_service", ends12, xaf, "", "items_handled", handled)
    add("agency_service", ends12, xaf, "", "items_completed", handled)
    add("agency_service", ends12, xaf, "", "yuan_saved", _at_least(handled * rng.integers(25, 50, 12), 5_000))

    # Veterans' care: three ranks settled, and the October trip to Yangzhou.
    add(
        "veterans",
        [day("2004-10-12"), day("2004-11-05"), day("2004-12-08")],
        ["Political Department"] * 3,
        "",
        "ranks_resolved",
        [1, 1, 1],
    )
    add(
        "veterans",
        [day("2004-10-15")],
        ["Political Department"],
        "扬州",
        "trip_participants",
        [int(rng.integers(61, 70))],
    )

    out = pd.concat(parts, ignore_index=True)
    out["unit"] = [county.unit(u) for u in out["unit"]]
    return out.sort_values(["date", "campaign", "unit", "activity"], kind="stable").reset_index(drop=True)


def ledger_export(county: County, table: pd.DataFrame) -> pd.DataFrame:
    rng = county.rng("campaigns")
    rng = np.random.default_rng(rng.integers(1 << 62))
    n = len(table)
    campaign, activity = table["campaign"].to_numpy(), table["activity"].to_numpy()
    quantity = table["quantity"].astype(int).to_numpy()
    text = np.array(
        [f"{q:,}" if q >= 1000 and c else str(q) for q, c in zip(quantity, rng.random(n) < 0.3)], dtype=object
    )
    wide = rng.random(n) < 0.02
    text[wide] = [fullwidth(t) for t in text[wide]]
    out = pd.DataFrame(
        {
            "campaign": np.where(rng.random(n) < 0.5, np.vectorize(CAMPAIGN_ZH.get)(campaign), campaign),
            "date": write_dates(table["date"].to_numpy(), rng, {"iso": 0.5, "slash": 0.2, "zh": 0.2, "compact": 0.1}),
            "unit": county.labels("unit", table["unit"].str.removeprefix(county.prefix).to_numpy(), rng, p_chinese=0.5),
            "site": table["site"].to_numpy(),
            "activity": np.where(rng.random(n) < 0.7, [ACTIVITIES[a][0] for a in activity], activity),
            "quantity": text,
            "measure": np.vectorize(MEASURE.get)(activity),
        }
    ).astype(object)
    dup_at = rng.choice(n, size=4, replace=False)
    other = out.iloc[[int(rng.integers(n))]].assign(activity="其他", quantity="3")
    negative = out.iloc[[int(rng.integers(n))]].assign(
        activity="violations", campaign="traffic", quantity="-5", date="2004-06-15", site=""
    )
    bad_date = out.iloc[[int(rng.integers(n))]].assign(date="2004-11-31", site="临时检查点")
    elsewhere = out.iloc[[int(rng.integers(n))]].assign(unit=county.prefix + "城南派出所", site="城南临时点")
    rows = pd.concat([out, out.iloc[dup_at], other, negative, bad_date, elsewhere], ignore_index=True)
    pos = np.concatenate([np.arange(n, dtype=float), dup_at + rng.uniform(1, 40, 4), rng.uniform(0, n, 4)])
    return rows.iloc[np.argsort(pos, kind="stable")].reset_index(drop=True)
