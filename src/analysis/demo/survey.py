"""Questionnaire data: population margins, households, the distribution log and the returned forms.

Calibration (per county, to its ``Profile``; county 1 shown): forms distributed sum to 10,000 and
exactly 6,464 forms survive cleaning;
every other row added here is dirt that cleaning quarantines (duplicates, blank forms, unknown batches).
Keying slips in single answers (a code out of range, an age written as a number, a date that is no date)
are put into some of the 6,464 forms themselves: cleaning sets those values missing and keeps the form.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.data.contract import LIKERT_ITEMS
from analysis.demo.county import DISTRICTS, County, day, write_dates

DISTRIBUTED = 10_000

AGE_BANDS = ("18-29", "30-44", "45-59", "60+")
AGE_ZH = {"18-29": "18-29岁", "30-44": "30-44岁", "45-59": "45-59岁", "60+": "60岁以上"}
CHANNELS = ("street", "enterprise", "family", "square_event")
CHANNEL_ZH = {
    "street": ("街头", "街面"),
    "enterprise": ("企业", "进企业"),
    "family": ("入户", "家庭"),
    "square_event": ("广场活动", "亚细亚广场"),
}
OCCUPATIONS = ("farmer", "worker", "business", "public_sector", "student", "retired", "other")
OCCUPATION_ZH = {
    "farmer": "农民",
    "worker": "工人",
    "business": "个体经营",
    "public_sector": "机关事业单位",
    "student": "学生",
    "retired": "离退休",
    "other": "其他",
}

# District shares of the county's adults (Anyi is the county town) and how satisfied each district is.
DISTRICT_SHARE = np.array([0.29, 0.16, 0.13, 0.12, 0.14, 0.16])
DISTRICT_SATISFACTION = np.array([0.10, 0.00, 0.30, -0.25, 0.05, -0.30])
POP_AGE = np.array([0.22, 0.31, 0.28, 0.19])

# Who fills in a form depends on where it was handed out: older people and men answer more.
RESP_AGE = {
    "street": [0.15, 0.30, 0.33, 0.22],
    "enterprise": [0.22, 0.44, 0.30, 0.04],
    "family": [0.07, 0.24, 0.36, 0.33],
    "square_event": [0.11, 0.27, 0.35, 0.27],
}
RESP_MALE = {"street": 0.63, "enterprise": 0.68, "family": 0.55, "square_event": 0.62}
# Return rates (logit) by channel: forms left with families come back, street handouts less so.
RETURN_LOGIT = {"street": 0.05, "enterprise": 0.95, "family": 1.25, "square_event": 0.35}
CHANNEL_SATISFACTION = {"street": -0.05, "enterprise": 0.05, "family": 0.10, "square_event": 0.20}
AGE_SATISFACTION = np.array([-0.20, -0.05, 0.05, 0.25])
OCCUPATION_BY_AGE = {
    "18-29": [0.16, 0.30, 0.14, 0.10, 0.25, 0.00, 0.05],
    "30-44": [0.30, 0.30, 0.20, 0.12, 0.00, 0.00, 0.08],
    "45-59": [0.45, 0.20, 0.14, 0.12, 0.00, 0.02, 0.07],
    "60+": [0.40, 0.03, 0.05, 0.02, 0.00, 0.45, 0.05],
}

ITEMS = tuple(LIKERT_ITEMS)
ITEM_LOADING = np.array([0.70, 0.72, 0.68, 0.72, 0.66, 0.64, 0.62, 0.60, 0.55, 0.80])
ITEM_SHIFT = np.array([0.20, 0.00, 0.10, -0.15, -0.20, -0.10, 0.00, -0.30, -0.35, 0.05])
ITEM_DONT_KNOW = np.array([0.01, 0.02, 0.03, 0.06, 0.04, 0.07, 0.03, 0.02, 0.02, 0.01])
CUTS = np.array([-1.6, -0.8, 0.1, 1.2])

OPINIONS = (
    "希望多开展夜间巡逻",
    "派出所办户口太慢，跑了好几趟",
    "学校门口放学时交通很乱",
    "建议在村里多设治安联防点",
    "民警态度比以前好多了",
    "110出警速度要再快一点",
    "有的民警办事拖拉",
    "希望严厉打击盗窃电动车",
    "农村治安比城里差",
    "交警查车时态度生硬",
    "建议公布民警联系电话",
    "网吧管理要加强，学生通宵上网",
    "对派出所的服务满意",
    "希望公开办事程序和收费标准",
    "赌博现象还是有，希望多管管",
    "外来人口多的地方要加强管理",
    "建议在学校周边<特别是放学时段>增派警力",
    "治安&交通都要抓",
    "满意度>去年，继续努力",
    "<b>希望</b>民警多下基层走访",
    '办证要求"一次告知"，不要来回跑',
    "罚款要开票&说明理由",
    "路灯坏了，晚上不敢走 <尤其是冬天>",
    "好",
    "没意见",
)


def population(county: County) -> pd.DataFrame:
    """Adults by district, age band and sex (numbers): the county has about 700,000 adults."""
    rng = county.rng("places")
    total = 700_000 * rng.uniform(0.97, 1.03)
    share = DISTRICT_SHARE * rng.uniform(0.95, 1.05, len(DISTRICTS))
    share /= share.sum()
    rows = []
    for d, district in enumerate(DISTRICTS):
        age = POP_AGE * rng.uniform(0.92, 1.08, len(AGE_BANDS))
        age /= age.sum()
        for a, band in enumerate(AGE_BANDS):
            male = [0.512, 0.505, 0.498, 0.470][a] + rng.normal(0, 0.005)
            for sex, p in (("M", male), ("F", 1 - male)):
                rows.append((district, band, sex, int(round(total * share[d] * age[a] * p))))
    return pd.DataFrame(rows, columns=["district", "age_band", "sex", "population"])


def margins_export(county: County, pop: pd.DataFrame) -> pd.DataFrame:
    """The household-register table as exported: Chinese labels; one row keyed twice."""
    rng = county.rng("places")
    out = pd.DataFrame(
        {
            "district": county.labels("district", pop["district"].to_numpy(), rng, p_chinese=0.9, p_dirty=0.0),
            "age_band": [AGE_ZH[a] for a in pop["age_band"]],
            "sex": ["男" if s == "M" else "女" for s in pop["sex"]],
            "population": pop["population"].astype(str).to_numpy(),
        }
    )
    if county.number == 1:
        out.loc[3, "district"] = out.loc[3, "district"] + " "  # a stray space the clerk typed
    dup = int(rng.integers(0, len(out)))
    return pd.concat([out, out.iloc[[dup]]], ignore_index=True)  # the same cell keyed twice


def households_export(county: County, pop: pd.DataFrame) -> pd.DataFrame:
    rng = county.rng("places")
    adults = pop.groupby("district", sort=False)["population"].sum()
    per_household = rng.uniform(2.1, 2.6, len(adults))
    return pd.DataFrame(
        {
            "district": county.labels("district", adults.index.to_numpy(), rng, p_chinese=0.5, p_dirty=0.2),
            "households": np.round(adults.to_numpy() / per_household).astype(int).astype(str),
        }
    )


def batches(county: County) -> pd.DataFrame:
    """The distribution log (numbers): about 100 batches whose forms sum to 10,000."""
    rng = county.rng("survey")
    n = {
        "street": int(rng.integers(24, 32)),
        "enterprise": int(rng.integers(26, 34)),
        "family": int(rng.integers(32, 40)),
        "square_event": int(rng.integers(3, 5)),
    }
    channel = np.repeat(CHANNELS, [n[c] for c in CHANNELS])
    size = len(channel)
    square = channel == "square_event"
    district = np.where(square, "Anyi", rng.choice(DISTRICTS, size=size, p=DISTRICT_SHARE / DISTRICT_SHARE.sum()))
    # The square event was on 25 April in Anyi; the rest went out from 20 April to 8 May.
    date = np.where(square, day("2004-04-25"), day("2004-04-20") + rng.integers(0, 19, size))
    forms = np.where(square, rng.integers(350, 560, size), np.round(rng.lognormal(np.log(70), 0.35, size)))
    other = ~square
    remaining = DISTRIBUTED - forms[square].sum()
    scaled = forms[other] * remaining / forms[other].sum()
    floor = np.floor(scaled)
    order = np.argsort(-(scaled - floor), kind="stable")
    floor[order[: int(remaining - floor.sum())]] += 1
    forms[other] = floor
    frame = pd.DataFrame(
        {"channel": channel, "district": district, "date": date.astype("datetime64[D]"), "forms": forms.astype(int)}
    )
    frame = frame.sort_values(["date", "district", "channel"], kind="stable").reset_index(drop=True)
    frame.insert(0, "batch_id", [f"B{i + 1:03d}" for i in range(len(frame))])
    # Return rates: channel, district and a batch-level effect (the batch is the survey's cluster).
    d_eff = dict(zip(DISTRICTS, rng.normal(0, 0.25, len(DISTRICTS))))
    logit = (
        frame["channel"].map(RETURN_LOGIT).to_numpy()
        + frame["district"].map(d_eff).to_numpy()
        + rng.normal(0, 0.35, len(frame))
    )
    p = 1 / (1 + np.exp(-logit))
    frame["returned"] = _allocate(frame["forms"].to_numpy(), p, county.profile.valid_returned)
    frame["cluster_effect"] = rng.normal(0, 0.15, len(frame))
    return frame


def _allocate(forms: np.ndarray, p: np.ndarray, total: int) -> np.ndarray:
    """Integer returns per batch proportional to forms*p, never above forms, summing to ``total``."""
    want = forms * p
    for _ in range(50):
        want = np.minimum(want * total / want.sum(), forms)
        if abs(want.sum() - total) < 1e-6:
            break
    floor = np.floor(want).astype(int)
    room = floor < forms
    order = np.argsort(-(want - floor) - room * 1.0, kind="stable")
    floor[order[: total - floor.sum()]] += 1
    assert floor.sum() == total and (floor <= forms).all()
    return floor


def batches_export(county: County, log: pd.DataFrame) -> pd.DataFrame:
    rng = county.rng("survey")
    rng = np.random.default_rng(rng.integers(1 << 62))
    zh = rng.random(len(log)) < 0.5
    channel = np.array([CHANNEL_ZH[c][0] if z else c for c, z in zip(log["channel"], zh)], dtype=object)
    out = pd.DataFrame(
        {
            "batch_id": county.ids(log["batch_id"].to_numpy(), rng, p_dirty=0.05),
            "channel": channel,
            "district": county.labels("district", log["district"].to_numpy(), rng, p_chinese=0.6),
            "date": write_dates(log["date"].to_numpy(), rng, {"iso": 0.5, "slash": 0.3, "zh": 0.2}),
            "forms_distributed": log["forms"].astype(str).to_numpy(),
        }
    )
    # Dirt: a batch keyed twice, and a cancelled batch entered with 0 forms (below the minimum of 1).
    dup = out.iloc[[int(rng.integers(0, len(out)))]]
    cancelled = out.iloc[[0]].assign(batch_id=county.id_prefix + f"B{len(out) + 1:03d}", forms_distributed="0")
    rows = pd.concat([out, dup, cancelled], ignore_index=True)
    return rows


def responses_export(county: County, log: pd.DataFrame) -> pd.DataFrame:
    """Returned forms as keyed in (GB18030, Chinese labels): 6,464 valid forms plus dirt."""
    rng = county.rng("responses")
    b = np.repeat(np.arange(len(log)), log["returned"].to_numpy())
    n = len(b)
    seq = np.concatenate([np.arange(1, r + 1) for r in log["returned"]])
    channel = log["channel"].to_numpy()[b]
    district = log["district"].to_numpy()[b]
    date = log["date"].to_numpy()[b] + np.minimum(rng.geometric(0.35, n) - 1, 10).astype("timedelta64[D]")

    age = np.empty(n, dtype=object)
    male = np.empty(n, dtype=bool)
    for c in CHANNELS:
        sel = channel == c
        age[sel] = rng.choice(AGE_BANDS, size=sel.sum(), p=RESP_AGE[c])
        male[sel] = rng.random(sel.sum()) < RESP_MALE[c]
    occupation = np.empty(n, dtype=object)
    for a in AGE_BANDS:
        sel = age == a
        occupation[sel] = rng.choice(OCCUPATIONS, size=sel.sum(), p=OCCUPATION_BY_AGE[a])
    contact = rng.random(n) < np.where(occupation == "business", 0.45, 0.30)

    # Satisfaction: district, channel, age, police contact and the batch's own effect.
    age_index = np.array([AGE_BANDS.index(a) for a in age])
    district_index = np.array([DISTRICTS.index(d) for d in district])
    latent = (
        DISTRICT_SATISFACTION[district_index]
        + county.profile.satisfaction
        + np.vectorize(CHANNEL_SATISFACTION.get)(channel)
        + AGE_SATISFACTION[age_index]
        - 0.25 * contact
        + log["cluster_effect"].to_numpy()[b]
        + rng.normal(0, 1, n)
    )
    noise = rng.normal(0, 1, (n, len(ITEMS)))
    star = ITEM_LOADING * latent[:, None] + np.sqrt(1 - ITEM_LOADING**2) * noise + ITEM_SHIFT + 0.45
    star[:, 6] += 0.3 * contact  # 110 response: those who called rate it from experience
    codes = 1 + (star[:, :, None] > CUTS).sum(axis=2)
    dk = rng.random((n, len(ITEMS))) < ITEM_DONT_KNOW + np.outer(~contact, [0, 0, 0, 0, 0, 0, 0.10, 0, 0, 0])
    codes = np.where(dk, 9, codes)
    missing = rng.random((n, len(ITEMS))) < 0.015
    missing |= (rng.random(n) < 0.03)[:, None] & (np.arange(len(ITEMS)) >= 5)  # stopped half-way
    missing[missing.all(axis=1), 0] = False  # a valid form has at least one answer
    text = np.full(n, "", dtype=object)
    writes = rng.random(n) < np.where(latent < -0.5, 0.22, 0.10)
    text[writes] = rng.choice(np.array(OPINIONS, dtype=object), size=writes.sum())

    batch_ids = log["batch_id"].to_numpy()[b]
    form_ids = np.array([f"{x}-{s:03d}" for x, s in zip(batch_ids, seq)], dtype=object)
    likert = np.where(missing, "", codes.astype(str)).astype(object)
    fw = rng.random(likert.shape) < 0.002
    likert[fw & ~missing] = [chr(ord(v) + 0xFEE0) for v in likert[fw & ~missing]]

    blank = lambda p: rng.random(n) < p  # noqa: E731 - nullable fields left blank
    frame = pd.DataFrame(
        {
            "form_id": county.ids(form_ids, rng, p_dirty=0.02),
            "batch_id": county.ids(batch_ids, rng, p_dirty=0.01),
            "date": write_dates(date, rng, {"iso": 0.35, "slash": 0.25, "dot": 0.1, "zh": 0.2, "compact": 0.1}),
            "channel": np.array(
                [
                    CHANNEL_ZH[c][int(i)] if z else c
                    for c, i, z in zip(channel, rng.random(n) < 0.3, rng.random(n) < 0.9)
                ],
                dtype=object,
            ),
            "district": county.labels("district", district, rng, p_chinese=0.8),
            "age_band": np.where(blank(0.015), "", np.where(rng.random(n) < 0.5, np.vectorize(AGE_ZH.get)(age), age)),
            "sex": np.where(
                blank(0.01), "", np.where(rng.random(n) < 0.95, np.where(male, "男", "女"), np.where(male, "M", "F"))
            ),
            "occupation": np.where(blank(0.03), "", np.vectorize(OCCUPATION_ZH.get)(occupation)),
            "police_contact": np.where(
                blank(0.04),
                "",
                np.where(rng.random(n) < 0.85, np.where(contact, "是", "否"), np.where(contact, "1", "0")),
            ),
            **{q: likert[:, j] for j, q in enumerate(ITEMS)},
            "opinion": text,
        }
    ).astype(object)
    frame["_pos"] = np.arange(n, dtype=float)
    frame["_batch"] = b
    return _add_dirt(county, frame, log, rng)


def _add_slips(clean: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Keying slips in single cells of valid forms: cleaning sets each value missing and keeps the form."""
    clean = clean.copy()
    items = clean[list(ITEMS)]
    answered = items.ne("")
    # A slip must leave the form another answer, or cleaning would rightly call it blank.
    candidates = np.flatnonzero(answered.sum(axis=1).to_numpy() >= 2)
    chosen = iter(rng.choice(candidates, size=22 + 3 + 3 + 4 + 2, replace=False))
    for _ in range(22):  # codes out of range (0, 6, 7, 8, 44, 55) in one answered item
        row = next(chosen)
        item = rng.choice(np.array(ITEMS)[answered.iloc[row].to_numpy()])
        clean.iat[row, clean.columns.get_loc(item)] = str(rng.choice(["0", "6", "7", "8", "44", "55"]))
    for value in ("2004-04-31", "4月28日", "2004-5-?", "", "", ""):  # return dates that are no date, or blank
        clean.iat[next(chosen), clean.columns.get_loc("date")] = value
    for value in ("35岁", "52", "老年", "35岁"):  # an age written instead of its band
        clean.iat[next(chosen), clean.columns.get_loc("age_band")] = value
    for value in ("不清楚", "不清楚"):  # "not sure" is no yes/no
        clean.iat[next(chosen), clean.columns.get_loc("police_contact")] = value
    return clean


def _add_dirt(county: County, clean: pd.DataFrame, log: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    clean = _add_slips(clean, rng)
    n = len(clean)
    next_seq = log["returned"].to_numpy().copy() + 1
    last_pos = clean.groupby("_batch")["_pos"].max().reindex(range(len(log))).to_numpy()

    def new_forms(k: int, label: str) -> pd.DataFrame:
        rows = clean.iloc[rng.choice(n, size=k, replace=False)].copy()
        ids = []
        for bi in rows["_batch"]:
            ids.append(county.id_prefix + f"{log['batch_id'].iat[bi]}-{next_seq[bi]:03d}")
            next_seq[bi] += 1
        rows["form_id"] = ids
        rows["_pos"] = last_pos[rows["_batch"].to_numpy()] + rng.uniform(0.01, 0.99, k)
        rows["_kind"] = label
        return rows

    parts = [clean.assign(_kind="clean")]
    # Keyed twice: identical copies, and copies with one answer mistyped the second time.
    dup = clean.iloc[rng.choice(n, size=35, replace=False)].copy()
    dup["_pos"] += rng.uniform(0.5, 40, len(dup))
    parts.append(dup.assign(_kind="duplicate"))
    retyped = clean.iloc[rng.choice(n, size=8, replace=False)].copy()
    retyped["q10_overall"] = [
        str((int(v) % 5) + 1) if v not in ("", "9") and v.isascii() else "3" for v in retyped["q10_overall"]
    ]
    retyped["_pos"] += rng.uniform(0.5, 40, len(retyped))
    parts.append(retyped.assign(_kind="same key"))
    # Blank forms: handed back with nothing answered.
    blank = new_forms(55, "blank form")
    for q in ITEMS:
        blank[q] = ""
    blank["opinion"] = ""
    some = rng.random(len(blank)) < 0.4
    blank.loc[some, ["age_band", "sex", "occupation", "police_contact"]] = ""
    parts.append(blank)
    unknown = new_forms(4, "unknown batch")
    unknown["batch_id"] = [county.id_prefix + f"B{900 + i}" for i in range(len(unknown))]
    parts.append(unknown)
    channel = new_forms(3, "unknown channel")
    channel["channel"] = ["网络", "电话", "网络"][: len(channel)]
    parts.append(channel)
    place = new_forms(2, "unknown district")
    place["district"] = county.prefix + "城南镇"
    parts.append(place)

    rows = pd.concat(parts, ignore_index=True)
    rows = rows.iloc[np.argsort(rows["_pos"].to_numpy(), kind="stable")]
    return rows.drop(columns=["_pos", "_batch", "_kind"]).reset_index(drop=True)
