"""The officer roster (.xlsx, Chinese headers, some Excel date cells) for one county."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from analysis.demo.county import UNITS, County, day, write_dates
from analysis.demo.people import names, untidy

# Officers per unit at the start of the year.
UNIT_SIZE = dict(zip(UNITS, (31, 22, 19, 17, 21, 22, 44, 34, 20, 28, 13, 12, 7, 9, 8, 7)))
AGE_BANDS = ("under 30", "30-39", "40-49", "50+")
AGE_ZH = {"under 30": "30岁以下", "30-39": "30-39岁", "40-49": "40-49岁", "50+": "50岁以上"}
TYPE_ZH = {
    "community": "社区民警",
    "criminal": "刑侦",
    "traffic": "交警",
    "security": "治安",
    "administrative": "内勤",
    "leadership": "局领导",
}
UNIT_TYPES = {
    "Traffic Police Brigade": ("traffic",),
    "Criminal Investigation Brigade": ("criminal",),
    "Public Security Brigade": ("security",),
    "Patrol Brigade": ("security",),
}
LEADERSHIP_UNITS = (
    "Political Department",
    "Political Department",
    "Command Centre",
    "Command Centre",
    "Traffic Police Brigade",
    "Criminal Investigation Brigade",
    "Public Security Brigade",
    "Patrol Brigade",
)
LEFT_EARLY, LEFT_LATE, RECRUITS = 2, 5, 6
# Years in which officers of each age band joined the force.
JOIN_YEARS = {"under 30": (1996, 2003), "30-39": (1988, 2002), "40-49": (1980, 1995), "50+": (1972, 1987)}


def roster(county: County) -> pd.DataFrame:
    """Every officer who served in 2004 (canonical values; dates as datetime64)."""
    rng = county.rng("officers")
    # ASSUMPTION(equal-counties): every county of a --scale province has the same unit sizes, so K counties hold exactly K times the officers (benchmarks compare like with like).
    unit = np.repeat(np.array(UNITS, dtype=object), [UNIT_SIZE[u] for u in UNITS])
    n = len(unit)
    station = np.array([u.endswith("Police Station") for u in unit])
    ptype = np.where(station, np.where(rng.random(n) < 0.72, "community", "security"), "administrative")
    for u, (t,) in UNIT_TYPES.items():
        ptype[unit == u] = np.where(rng.random((unit == u).sum()) < 0.93, t, "administrative")
    for u in set(LEADERSHIP_UNITS):
        rows = np.flatnonzero(unit == u)[: LEADERSHIP_UNITS.count(u)]
        ptype[rows] = "leadership"
    age = rng.choice(AGE_BANDS, size=n, p=[0.17, 0.33, 0.31, 0.19])
    lead = ptype == "leadership"
    age[lead] = rng.choice(["40-49", "50+"], size=lead.sum())
    desk = ptype == "administrative"
    male = rng.random(n) < np.where(desk, 0.70, 0.93)
    join_year = np.array([rng.integers(*JOIN_YEARS[a]) for a in age])
    joined = (join_year - 1970).astype("datetime64[Y]").astype("datetime64[D]") + rng.integers(0, 365, n)
    left = np.full(n, np.datetime64("NaT"), dtype="datetime64[D]")

    eligible = np.flatnonzero(~lead & np.isin(age, ["30-39", "40-49"]))
    cadre = np.zeros(n, dtype=bool)
    cadre[rng.choice(eligible, size=int(rng.integers(36, 45)), replace=False)] = True
    leavers = rng.choice(np.flatnonzero(~lead & ~cadre), size=LEFT_EARLY + LEFT_LATE, replace=False)
    left[leavers[:LEFT_EARLY]] = day("2004-02-01") + rng.integers(0, 80, LEFT_EARLY)
    left[leavers[LEFT_EARLY:]] = day("2004-06-01") + rng.integers(0, 170, LEFT_LATE)

    # Recruits who joined in the summer (they appear from later fitness rounds and training months).
    r_unit = rng.choice(np.array(("Patrol Brigade",) + UNITS[:6], dtype=object), size=RECRUITS)
    frame = pd.DataFrame(
        {
            "unit": np.concatenate([unit, r_unit]),
            "police_type": np.concatenate(
                [ptype, np.where(np.char.endswith(r_unit.astype(str), "Station"), "community", "security")]
            ),
            "age_band": np.concatenate([age, np.full(RECRUITS, "under 30")]),
            "sex": np.concatenate([np.where(male, "M", "F"), np.where(rng.random(RECRUITS) < 0.85, "M", "F")]),
            "cadre_candidate": np.concatenate([cadre, np.zeros(RECRUITS, dtype=bool)]),
            "joined": np.concatenate([joined, day("2004-07-01") + rng.integers(0, 60, RECRUITS)]),
            "left": np.concatenate([left, np.full(RECRUITS, np.datetime64("NaT"), dtype="datetime64[D]")]),
        }
    )
    numbers = rng.choice(np.arange(320001, 330000), size=len(frame), replace=False)
    frame.insert(0, "police_number", [f"{x:06d}" for x in numbers])
    frame.insert(1, "name", names(rng, len(frame)))
    frame["unit"] = [county.unit(u) for u in frame["unit"]]
    frame["ability"] = rng.normal(0, 1, len(frame))
    return frame


def _excel_dates(values: np.ndarray, rng: np.random.Generator, p_cell: float) -> list:
    """Some dates as real Excel date cells, the rest as text in the clerks' various styles."""
    values = np.asarray(values, dtype="datetime64[D]")
    text = write_dates(values, rng, {"iso": 0.4, "slash": 0.2, "dot": 0.2, "zh": 0.2})
    cells = rng.random(len(values)) < p_cell
    out = []
    for v, t, c in zip(values, text, cells):
        if c and not np.isnat(v):
            out.append(dt.date.fromisoformat(str(v)))
        else:
            out.append(t)
    return out


def roster_export(county: County, officers: pd.DataFrame) -> pd.DataFrame:
    """The roster as kept by the personnel office, in cells ready for the .xlsx writer."""
    rng = county.rng("officers")
    rng = np.random.default_rng(rng.integers(1 << 62))
    n = len(officers)
    number = county.ids(officers["police_number"].to_numpy(), rng, p_dirty=0.03)
    out = pd.DataFrame(
        {
            "police_number": number,
            "name": untidy(officers["name"].to_numpy(), rng),
            "unit": county.labels(
                "unit", officers["unit"].str.removeprefix(county.prefix).to_numpy(), rng, p_chinese=0.7
            ),
            "police_type": np.where(
                rng.random(n) < 0.85, np.vectorize(TYPE_ZH.get)(officers["police_type"]), officers["police_type"]
            ),
            "age_band": np.where(
                rng.random(n) < 0.7, np.vectorize(AGE_ZH.get)(officers["age_band"]), officers["age_band"]
            ),
            "sex": np.where(officers["sex"] == "M", "男", "女"),
            "cadre_candidate": np.where(
                rng.random(n) < 0.8,
                np.where(officers["cadre_candidate"], "是", "否"),
                np.where(officers["cadre_candidate"], "1", "0"),
            ),
            "joined": _excel_dates(officers["joined"].to_numpy(), rng, 0.6),
            "left": _excel_dates(officers["left"].to_numpy(), rng, 0.6),
        }
    ).astype(object)
    if county.number == 1:
        # Excel turned a few police numbers into numbers (right-aligned in the sheet).
        numeric = np.flatnonzero(rng.random(n) < 0.05)
        out.loc[numeric, "police_number"] = [int(officers["police_number"].iat[i]) for i in numeric]
    # Dirt: an officer entered twice, once more with another unit (a transfer keyed as a new row),
    # an auxiliary officer (not a police type) and a row with the unit left blank.
    pos = np.arange(n, dtype=float)
    twice = rng.choice(n, size=2, replace=False)
    moved = out.iloc[[int(rng.integers(n))]].copy()
    moved["unit"] = county.unit("Patrol Brigade") if county.number != 1 else "巡特警大队"
    extra = out.iloc[rng.choice(n, size=2, replace=False)].copy()
    extra["police_number"] = [county.id_prefix + "330101", county.id_prefix + "330102"]
    extra["name"] = names(rng, 2)
    extra.iloc[0, extra.columns.get_loc("police_type")] = "协警"
    extra.iloc[1, extra.columns.get_loc("unit")] = ""
    rows = pd.concat([out, out.iloc[twice], moved, extra], ignore_index=True)
    pos = np.concatenate([pos, twice + rng.uniform(1, 50, 2), [n + 0.2, n + 0.3, n + 0.4]])
    return rows.iloc[np.argsort(pos, kind="stable")].reset_index(drop=True)
