"""Training credits (monthly assessed courses) and the July democratic review of units.

Calibration (per county): exactly 5 cadre candidates have a January-May mean score below 70
(whether averaged over courses or over monthly means); every other candidate is well above it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.demo.county import County, write_months
from analysis.demo.people import untidy

PASS_MARK = 70
DISQUALIFIED = 5
REDO_MARK = 80
PUBLIC = (
    "法律法规",
    "执法规范化",
    "公安业务知识",
    "群众工作",
    "职业道德",
    "计算机应用",
    "警务技能",
    "交通安全法",
    "行政许可法",
    "治安管理处罚条例",
    "刑事诉讼程序",
    "公文写作",
)
ELECTIVE = ("外语", "心理健康", "驾驶技能", "射击", "擒敌技术", "法医常识", "网络安全", "档案管理")
TYPE_ZH = {"public": "公共课", "elective": "自选课"}


def credits(county: County, officers: pd.DataFrame) -> pd.DataFrame:
    """One row per officer, month and assessed course (canonical values)."""
    rng = county.rng("training")
    n = len(officers)
    candidates = np.flatnonzero(officers["cadre_candidate"].to_numpy())
    weak = rng.choice(candidates, size=DISQUALIFIED, replace=False)
    effect = rng.normal(0, 4, n)
    effect[candidates] = np.abs(effect[candidates]) + 2
    effect[weak] = rng.uniform(-16, -13, DISQUALIFIED)
    rows = []
    joined, left = officers["joined"].to_numpy(), officers["left"].to_numpy()
    for month in range(1, 13):
        start = np.datetime64(f"2004-{month:02d}-01")
        end = np.datetime64(f"2004-{month:02d}-28")
        on = np.flatnonzero((joined <= end) & (np.isnat(left) | (left >= start)))
        electives = rng.integers(0, 3, len(on))
        i = np.concatenate([on, np.repeat(on, electives)])
        # Distinct electives per officer: the first k of a random ordering of the elective list.
        order = np.argsort(rng.random((len(on), len(ELECTIVE))), axis=1)
        picked = order[np.arange(len(ELECTIVE))[None, :] < electives[:, None]]
        course = np.concatenate(
            [np.full(len(on), PUBLIC[month - 1], dtype=object), np.array(ELECTIVE, dtype=object)[picked]]
        )
        kind = np.concatenate([np.full(len(on), "public"), np.full(electives.sum(), "elective")])
        score = np.clip(np.round(rng.normal(80, 8, len(i)) + effect[i] + county.profile.training), 0, 100)
        rows.append(
            pd.DataFrame({"_officer": i, "month": month, "course": course, "course_type": kind, "score": score})
        )
    out = pd.concat(rows, ignore_index=True).sort_values(["month", "_officer"], kind="stable")
    # Bunching at the pass mark: about 40% of the 67-69s were marked up to 70.
    near = out["score"].between(67, 69).to_numpy() & (rng.random(len(out)) < 0.4)
    near &= ~np.isin(out["_officer"].to_numpy(), weak)
    out.loc[near, "score"] = PASS_MARK
    _hold_candidates(out, candidates, weak)
    out["score"] = out["score"].astype(int)
    out["police_number"] = officers["police_number"].to_numpy()[out["_officer"]]
    out["name"] = officers["name"].to_numpy()[out["_officer"]]
    return out.reset_index(drop=True)


def _jan_may_means(out: pd.DataFrame, who: np.ndarray) -> tuple[pd.Series, pd.Series]:
    early = out[out["month"].le(5) & out["_officer"].isin(who)]
    by_course = early.groupby("_officer")["score"].mean()
    by_month = early.groupby(["_officer", "month"])["score"].mean().groupby("_officer").mean()
    return by_course, by_month


def _hold_candidates(out: pd.DataFrame, candidates: np.ndarray, weak: np.ndarray) -> None:
    """Shift January-May scores so that exactly the weak candidates average below the pass mark."""
    for _ in range(40):
        by_course, by_month = _jan_may_means(out, candidates)
        low = np.minimum(by_course, by_month)
        high = np.maximum(by_course, by_month)
        lift = [o for o in candidates if o not in weak and low[o] < PASS_MARK + 3]
        drop = [o for o in weak if high[o] > PASS_MARK - 2]
        if not lift and not drop:
            return
        early = out["month"].le(5)
        out.loc[early & out["_officer"].isin(lift), "score"] += 2
        out.loc[early & out["_officer"].isin(drop), "score"] -= 2
        out["score"] = out["score"].clip(0, 100)
    raise AssertionError("training scores could not be calibrated")


def credits_export(county: County, scores: pd.DataFrame) -> pd.DataFrame:
    rng = county.rng("training")
    rng = np.random.default_rng(rng.integers(1 << 62))
    n = len(scores)
    kind = scores["course_type"].to_numpy()
    out = pd.DataFrame(
        {
            "police_number": county.ids(scores["police_number"].to_numpy(), rng, p_dirty=0.01),
            "name": untidy(scores["name"].to_numpy(), rng, 0.03),
            "month": write_months(
                2004, scores["month"].to_numpy(), rng, {"iso": 0.4, "slash": 0.2, "zh": 0.3, "compact": 0.1}
            ),
            "course": scores["course"].to_numpy(),
            "course_type": np.where(rng.random(n) < 0.8, np.vectorize(TYPE_ZH.get)(kind), kind),
            "score": scores["score"].astype(str).to_numpy(),
        }
    ).astype(object)
    pos = np.arange(n, dtype=float)
    dup_at = rng.choice(n, size=12, replace=False)
    retyped_at = rng.choice(n, size=4, replace=False)
    retyped = out.iloc[retyped_at].assign(
        score=lambda f: [str(min(int(s) + 10, 100) if int(s) < 95 else int(s) - 10) for s in f["score"]]
    )
    over = out.iloc[[int(rng.integers(n))]].assign(course="加试", score="105")
    guest = out.iloc[rng.choice(n, size=3, replace=False)].assign(police_number=county.id_prefix + "310088")
    rows = pd.concat([out, out.iloc[dup_at], retyped, over, guest], ignore_index=True)
    pos = np.concatenate([pos, np.concatenate([dup_at, retyped_at]) + rng.uniform(1, 300, 16), rng.uniform(0, n, 4)])
    return rows.iloc[np.argsort(pos, kind="stable")].reset_index(drop=True)


def review(county: County, unit_sizes: pd.Series) -> pd.DataFrame:
    """Democratic review: every unit in round 1; the 2-4 below 80 redo it in round 2 and pass."""
    rng = county.rng("review")
    units = unit_sizes.index.to_numpy()
    n = len(units)
    score = np.round(np.clip(rng.normal(86, 5, n), 80.5, 97), 1)
    redo = rng.choice(n, size=int(rng.integers(2, 5)), replace=False)
    score[redo] = np.round(rng.uniform(72, 79.5, len(redo)), 1)
    raters = np.maximum(np.round(unit_sizes.to_numpy() * rng.uniform(1.5, 2.5, n)), 8).astype(int)
    first = pd.DataFrame({"unit": units, "round": 1, "score": score, "raters": raters})
    second = pd.DataFrame(
        {"unit": units[redo], "round": 2, "score": np.round(rng.uniform(81, 88, len(redo)), 1), "raters": raters[redo]}
    )
    return pd.concat([first, second], ignore_index=True)


def review_export(county: County, table: pd.DataFrame) -> pd.DataFrame:
    rng = county.rng("review")
    rng = np.random.default_rng(rng.integers(1 << 62))
    out = pd.DataFrame(
        {
            "unit": county.labels("unit", table["unit"].str.removeprefix(county.prefix).to_numpy(), rng, p_chinese=0.5),
            "round": table["round"].astype(str).to_numpy(),
            "score": [f"{s:.1f}" for s in table["score"]],
            "raters": table["raters"].astype(str).to_numpy(),
        }
    ).astype(object)
    return pd.concat([out, out.iloc[[int(rng.integers(len(out)))]]], ignore_index=True)
