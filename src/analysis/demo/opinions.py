"""Opinions register (raw suggestions merged into opinions) and the rectification ledger.

Calibration (per county, to its ``Profile``; county 1 shown): 166 merged opinions in 4 categories;
the ledger has one row per opinion,
114 rectified by 2004-12-20 and 52 still in progress (no closed date).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.demo.county import DISTRICTS, STATIONS, County, day, write_dates

OPINIONS = 166
CUT_OFF = day("2004-12-20")

CATEGORIES = ("law_enforcement", "security_management", "service_economy", "team_building")
CATEGORY_SHARE = np.array([0.29, 0.31, 0.18, 0.22])
CATEGORY_ZH = {
    "law_enforcement": "执法",
    "security_management": "治安管理",
    "service_economy": "服务经济",
    "team_building": "队伍建设",
}
# The coder's other plausible reading of each category (for the second coder's disagreements).
CONFUSED_WITH = {
    "law_enforcement": "team_building",
    "team_building": "law_enforcement",
    "security_management": "service_economy",
    "service_economy": "security_management",
}
SUBCATEGORIES = {
    "law_enforcement": ("执法不公", "乱收费乱罚款", "办案拖拉", "执法态度生硬", "插手经济纠纷"),
    "security_management": ("夜间巡逻", "盗窃案件", "校园周边治安", "娱乐场所管理", "外来人口管理"),
    "service_economy": ("户籍办理", "企业周边治安", "办证效率", "便民服务", "交通秩序"),
    "team_building": ("工作作风", "廉洁自律", "警容风纪", "业务素质", "服务态度"),
}
PHRASES = (
    "群众反映较多，希望尽快解决",
    "建议建立长效机制",
    "希望领导重视",
    "多次反映未见改进",
    "建议公开办理结果",
    "希望定期回访",
    "个别民警存在此问题",
    "建议加强检查<督查>",
    "企业&个体户意见较大",
    "希望与村委会配合",
)
SOURCES = ("questionnaire", "square_event", "symposium", "visit", "letter")
SOURCE_SHARE = np.array([0.45, 0.15, 0.15, 0.15, 0.10])
SOURCE_ZH = {
    "questionnaire": "问卷",
    "square_event": "广场活动",
    "symposium": "座谈会",
    "visit": "走访",
    "letter": "来信",
}
# Rectification speed differs by category: service matters are quick, team building slow.
PACE = {"law_enforcement": 0.85, "security_management": 0.75, "service_economy": 0.55, "team_building": 1.0}
STRUCTURAL = {"law_enforcement": 0.5, "security_management": 0.42, "service_economy": 0.25, "team_building": 0.6}
OWNERS = {
    "law_enforcement": ("Legal Affairs Section", "Criminal Investigation Brigade", "Traffic Police Brigade"),
    "security_management": ("Public Security Brigade", "Patrol Brigade") + STATIONS,
    "service_economy": ("Household Registration Section", "Traffic Police Brigade") + STATIONS,
    "team_building": ("Political Department", "Supervision Office", "Training Section"),
}


def opinions(county: County) -> pd.DataFrame:
    """The 166 merged opinions with category, owner and rectification dates (numbers and dates)."""
    rng = county.rng("opinions")
    counts = np.floor(CATEGORY_SHARE * OPINIONS).astype(int)
    counts[np.argsort(-(CATEGORY_SHARE * OPINIONS - counts), kind="stable")[: OPINIONS - counts.sum()]] += 1
    category = rng.permutation(np.repeat(CATEGORIES, counts))
    plan = day("2004-05-01") + np.minimum(rng.geometric(0.12, OPINIONS) - 1, 30).astype("timedelta64[D]")
    months = rng.integers(1, 5, OPINIONS)
    deadline = plan + (30 * months).astype("timedelta64[D]")
    # Most items take about as long as planned (faster or slower by category); some are structural
    # (money, buildings, staffing) and drag on for many months.
    pace = np.vectorize(PACE.get)(category)
    structural = rng.random(OPINIONS) < np.vectorize(STRUCTURAL.get)(category)
    days = np.where(
        structural, rng.uniform(120, 420, OPINIONS), 30 * months * pace * np.exp(rng.normal(0, 0.45, OPINIONS))
    )
    # Stretch or shrink all durations by one factor so that exactly 114 close by the cut-off: an item
    # closes by then when factor * days <= room; the factor sits between the 114th and 115th room/days.
    room = (CUT_OFF - plan).astype(int)
    ratio = np.sort(room / days)[::-1]
    rectified_target = county.profile.rectified
    factor = (ratio[rectified_target - 1] + ratio[rectified_target]) / 2
    duration = np.maximum(np.ceil(factor * days), 3).astype(int)
    closed = plan + duration.astype("timedelta64[D]")
    rectified = closed <= CUT_OFF
    assert rectified.sum() == rectified_target
    owner = np.array([OWNERS[c][int(rng.integers(len(OWNERS[c])))] for c in category], dtype=object)
    return pd.DataFrame(
        {
            "opinion_id": [f"YJ{i + 1:03d}" for i in range(OPINIONS)],
            "category": category,
            "owner_unit": owner,
            "plan_date": plan,
            "deadline": deadline,
            "status": np.where(rectified, "rectified", "in_progress"),
            "closed_date": np.where(rectified, closed, np.datetime64("NaT")).astype("datetime64[D]"),
        }
    )


def register_export(county: County, merged: pd.DataFrame) -> pd.DataFrame:
    """Raw suggestions (Chinese headers), 1-5 per opinion, with a second coder on about 50 of them."""
    rng = county.rng("opinions")
    rng = np.random.default_rng(rng.integers(1 << 62))
    per = 1 + np.minimum(rng.poisson(1.15, len(merged)), 5)
    o = np.repeat(np.arange(len(merged)), per)
    n = len(o)
    source = rng.choice(SOURCES, size=n, p=SOURCE_SHARE)
    received = np.where(
        source == "square_event",
        day("2004-04-25"),
        np.where(
            source == "questionnaire",
            day("2004-04-22") + rng.integers(0, 20, n),
            day("2004-04-12") + rng.integers(0, 38, n),
        ),
    ).astype("datetime64[D]")
    order = np.lexsort((o, received))
    o, source, received = o[order], source[order], received[order]
    category = merged["category"].to_numpy()[o]
    # Each opinion keeps one subcategory: the suggestions merged into it were about the same thing.
    sub_of = np.array([SUBCATEGORIES[c][int(rng.integers(5))] for c in merged["category"]], dtype=object)
    subcategory = sub_of[o]
    text = np.array([f"{s}：{p}" for s, p in zip(subcategory, rng.choice(PHRASES, size=n))], dtype=object)
    district = rng.choice(DISTRICTS, size=n)
    has_district = rng.random(n) < 0.85

    second = np.full(n, "", dtype=object)
    coded = rng.choice(n, size=int(rng.integers(44, 57)), replace=False)
    disagree = coded[: int(round(len(coded) * rng.uniform(0.10, 0.15)))]
    second[coded] = category[coded]
    second[disagree] = np.vectorize(CONFUSED_WITH.get)(category[disagree])
    second = np.array([CATEGORY_ZH[c] if c and z else c for c, z in zip(second, rng.random(n) < 0.7)], dtype=object)

    zh = rng.random(n) < 0.85
    out = pd.DataFrame(
        {
            "suggestion_id": county.ids(np.array([f"JY{i + 1:04d}" for i in range(n)], dtype=object), rng),
            "opinion_id": county.ids(merged["opinion_id"].to_numpy()[o], rng),
            "received": write_dates(received, rng, {"iso": 0.4, "zh": 0.4, "dot": 0.2}),
            "source": np.where(zh, np.vectorize(SOURCE_ZH.get)(source), source),
            "district": np.where(has_district, county.labels("district", district, rng, p_chinese=0.9), ""),
            "category": np.where(rng.random(n) < 0.9, np.vectorize(CATEGORY_ZH.get)(category), category),
            "subcategory": subcategory,
            "text": text,
            "second_coder_category": second,
        }
    ).astype(object)
    # Dirt: suggestions keyed twice (one with its text retyped), an uncategorised one, a bad date.
    pos = np.arange(n, dtype=float)
    dup_at = rng.choice(n, size=4, replace=False)
    retyped_at = rng.choice(n, size=2, replace=False)
    retyped = out.iloc[retyped_at].assign(text=lambda f: f["text"] + "。")
    other = out.iloc[[int(rng.integers(n))]].assign(suggestion_id=county.id_prefix + f"JY{n + 1:04d}", category="其他")
    undated = out.iloc[[int(rng.integers(n))]].assign(
        suggestion_id=county.id_prefix + f"JY{n + 2:04d}", received="四月下旬"
    )
    rows = pd.concat([out, out.iloc[dup_at], retyped, other, undated], ignore_index=True)
    pos = np.concatenate([pos, dup_at + rng.uniform(1, 30, 4), retyped_at + rng.uniform(1, 30, 2), [n + 0.5, n + 0.6]])
    return rows.iloc[np.argsort(pos, kind="stable")].reset_index(drop=True)


def ledger_export(county: County, merged: pd.DataFrame) -> pd.DataFrame:
    """The Supervision Office's ledger (English headers): one row per opinion, plus dirt."""
    rng = county.rng("opinions")
    rng = np.random.default_rng(rng.integers(1 << 61))
    n = len(merged)
    styles = {"iso": 0.5, "slash": 0.3, "zh": 0.2}
    status = merged["status"].to_numpy()
    out = pd.DataFrame(
        {
            "opinion_id": county.ids(merged["opinion_id"].to_numpy(), rng),
            "owner_unit": county.labels("unit", merged["owner_unit"].to_numpy(), rng, p_chinese=0.6),
            "plan_date": write_dates(merged["plan_date"].to_numpy(), rng, styles),
            "deadline": write_dates(merged["deadline"].to_numpy(), rng, styles),
            "status": np.where(rng.random(n) < 0.7, np.where(status == "rectified", "已整改", "整改中"), status),
            "closed_date": write_dates(merged["closed_date"].to_numpy(), rng, styles),
        }
    ).astype(object)
    dup = out.iloc[[int(rng.integers(n))]]
    stray = out.iloc[[int(rng.integers(n))]].assign(opinion_id=county.id_prefix + "YJ999")
    return pd.concat([out, dup, stray], ignore_index=True)
