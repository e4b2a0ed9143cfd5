"""Open competition for posts: 101 middle-level posts (201 applicants) and 10 section-level posts.

Calibration (per county): 101 distinct middle posts, 201 distinct middle-level applicants,
10 section-level posts of which 2 are deputy directorships.  One appointment per post; the 5
cadre candidates struck off in May for low training scores are recorded as withdrawn.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.demo.county import UNITS, County, chinese_names
from analysis.demo.people import untidy

MIDDLE_POSTS, MIDDLE_APPLICANTS, SECTION_POSTS, DEPUTY_DIRECTORS = 101, 201, 10, 2
ROLES = ("正职", "副职", "教导员", "副教导员", "一中队长", "二中队长", "内勤主管", "警长")
SECTION = (
    "副局长",
    "副局长",
    "政治处主任",
    "纪委副书记",
    "交警大队大队长",
    "刑警大队大队长",
    "治安大队大队长",
    "巡特警大队大队长",
    "指挥中心主任",
    "法制科科长",
)
LEVEL_ZH = {"middle": "中层", "section": "科级"}
OUTCOME_ZH = {"appointed": "聘任", "not_appointed": "未聘", "withdrawn": "弃权"}


def _unit_zh(county: County, unit: str) -> str:
    return county.prefix + unit if county.number != 1 else chinese_names("unit", unit)[0]


def _assign(
    rng: np.random.Generator, per_post: np.ndarray, who: np.ndarray, ability: np.ndarray, disqualified: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Applications to posts and outcomes: the best eligible applicant of each post is appointed, once."""
    post = rng.permutation(np.repeat(np.arange(len(per_post)), per_post))
    # Nobody applies twice for the same post: swap until every (post, officer) pair is unique.
    for _ in range(1000):
        clash = np.flatnonzero(pd.Series(list(zip(post, who))).duplicated().to_numpy())
        if not len(clash):
            break
        i, j = clash[0], int(rng.integers(len(post)))
        post[i], post[j] = post[j], post[i]
    merit = ability[who] + rng.normal(0, 1, len(who))
    outcome = np.full(len(who), "not_appointed", dtype=object)
    outcome[np.isin(who, disqualified)] = "withdrawn"
    appointed = set()
    counts = np.bincount(post, minlength=len(per_post))
    for p in np.argsort(counts, kind="stable"):  # posts with fewest applicants are filled first
        rows = np.flatnonzero(post == p)
        rows = [r for r in rows[np.argsort(-merit[rows])] if outcome[r] != "withdrawn" and who[r] not in appointed]
        if rows:
            outcome[rows[0]] = "appointed"
            appointed.add(who[rows[0]])
    return post, outcome


def applications(county: County, officers: pd.DataFrame, disqualified: np.ndarray) -> pd.DataFrame:
    """Canonical applications; ``disqualified`` are roster rows struck off in May."""
    rng = county.rng("competition")
    posts = rng.permutation([(u, r) for u in UNITS for r in ROLES])[:MIDDLE_POSTS]
    post_name = np.array([_unit_zh(county, u) + r for u, r in posts], dtype=object)
    start = officers["joined"].to_numpy() < np.datetime64("2004-01-01")
    pool = np.flatnonzero(
        start & officers["police_type"].ne("leadership").to_numpy() & ~officers["cadre_candidate"].to_numpy()
    )
    cadres = np.flatnonzero(officers["cadre_candidate"].to_numpy())
    applicants = np.concatenate([cadres, rng.choice(pool, size=MIDDLE_APPLICANTS - len(cadres), replace=False)])
    twice = rng.choice(applicants, size=8, replace=False)
    who = rng.permutation(np.concatenate([applicants, twice]))
    per_post = np.ones(MIDDLE_POSTS, dtype=int)
    for p in rng.choice(np.repeat(np.arange(MIDDLE_POSTS), 2), size=len(who) - MIDDLE_POSTS, replace=False):
        per_post[p] += 1
    for _ in range(50):  # redraw until every post has someone to appoint
        post, outcome = _assign(rng, per_post, who, officers["ability"].to_numpy(), disqualified)
        if (outcome == "appointed").sum() == MIDDLE_POSTS:
            break
    quitters = np.flatnonzero(outcome == "not_appointed")
    outcome[rng.choice(quitters, size=min(3, len(quitters)), replace=False)] = "withdrawn"
    middle = pd.DataFrame(
        {
            "post_id": [f"ZC{p + 1:03d}" for p in post],
            "post": post_name[post],
            "level": "middle",
            "deputy_director": False,
            "_officer": who,
            "outcome": outcome,
        }
    )

    seniors = np.flatnonzero(start & officers["age_band"].isin(["40-49", "50+"]).to_numpy())
    rows = []
    for k, title in enumerate(SECTION):
        pick = rng.choice(seniors, size=int(rng.integers(2, 6)), replace=False)
        out = np.full(len(pick), "not_appointed", dtype=object)
        out[0] = "appointed"
        rows.append(
            pd.DataFrame(
                {
                    "post_id": f"KJ{k + 1:02d}",
                    "post": title,
                    "level": "section",
                    "deputy_director": k < DEPUTY_DIRECTORS,
                    "_officer": pick,
                    "outcome": out,
                }
            )
        )
    table = pd.concat([middle.sort_values(["post_id", "_officer"], kind="stable"), *rows], ignore_index=True)
    table["police_number"] = officers["police_number"].to_numpy()[table["_officer"]]
    table["name"] = officers["name"].to_numpy()[table["_officer"]]
    return table


def applications_export(county: County, table: pd.DataFrame) -> pd.DataFrame:
    rng = county.rng("competition")
    rng = np.random.default_rng(rng.integers(1 << 62))
    n = len(table)
    level, outcome = table["level"].to_numpy(), table["outcome"].to_numpy()
    dd = table["deputy_director"].to_numpy()
    out = pd.DataFrame(
        {
            "post_id": county.ids(table["post_id"].to_numpy(), rng),
            "post": table["post"].to_numpy(),
            "level": np.where(rng.random(n) < 0.8, np.vectorize(LEVEL_ZH.get)(level), level),
            "deputy_director": np.where(rng.random(n) < 0.8, np.where(dd, "是", "否"), np.where(dd, "true", "false")),
            "police_number": county.ids(table["police_number"].to_numpy(), rng, p_dirty=0.02),
            "name": untidy(table["name"].to_numpy(), rng),
            "outcome": np.where(rng.random(n) < 0.8, np.vectorize(OUTCOME_ZH.get)(outcome), outcome),
        }
    ).astype(object)
    dup_at = rng.choice(n, size=3, replace=False)
    guest = out.iloc[[int(rng.integers(n))]].assign(
        police_number=county.id_prefix + "310088", name="赵卫东", outcome="未聘"
    )
    rows = pd.concat([out, out.iloc[dup_at], guest], ignore_index=True)
    pos = np.concatenate([np.arange(n, dtype=float), dup_at + rng.uniform(1, 30, 3), [rng.uniform(0, n)]])
    return rows.iloc[np.argsort(pos, kind="stable")].reset_index(drop=True)
