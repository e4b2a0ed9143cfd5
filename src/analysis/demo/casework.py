"""Monthly case-file evaluation: files scored per unit and month, best and worst marked.

Calibration (per county): exactly 11 files were difficult cases decided collectively.
March has a special cause (a batch of files from an understaffed month scored low).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.demo.county import CASEWORK_UNITS, County, write_months

COLLECTIVE = 11
SPECIAL_MONTH = 3


def files(county: County) -> pd.DataFrame:
    rng = county.rng("cases")
    unit_effect = rng.normal(0, 1.5, len(CASEWORK_UNITS))
    rows = []
    for month in range(1, 13):
        per_unit = rng.integers(2, 6, len(CASEWORK_UNITS))
        u = np.repeat(np.arange(len(CASEWORK_UNITS)), per_unit)
        shift = -9.0 if month == SPECIAL_MONTH else (2.0 if month >= 8 else 0.0)
        score = np.clip(np.round(rng.normal(85, 6, len(u)) + unit_effect[u] + shift, 1), 40, 100)
        rating = np.full(len(u), "", dtype=object)
        rating[np.argmax(score)] = "best"
        rating[np.argmin(score)] = "worst"
        rows.append(
            pd.DataFrame(
                {"unit": np.array(CASEWORK_UNITS, dtype=object)[u], "month": month, "score": score, "rating": rating}
            )
        )
    out = pd.concat(rows, ignore_index=True)
    out.insert(0, "file_id", [f"AJ2004-{i + 1:04d}" for i in range(len(out))])
    collective = np.zeros(len(out), dtype=bool)
    harder = np.flatnonzero(out["score"].to_numpy() < 88)
    collective[rng.choice(harder, size=COLLECTIVE, replace=False)] = True
    out["collective_decision"] = collective
    out["unit"] = [county.unit(x) for x in out["unit"]]
    return out


def files_export(county: County, table: pd.DataFrame) -> pd.DataFrame:
    rng = county.rng("cases")
    rng = np.random.default_rng(rng.integers(1 << 62))
    n = len(table)
    rating = table["rating"].to_numpy()
    coll = table["collective_decision"].to_numpy()
    style = rng.integers(0, 3, n)
    out = pd.DataFrame(
        {
            "unit": county.labels("unit", table["unit"].str.removeprefix(county.prefix).to_numpy(), rng, p_chinese=0.5),
            "month": write_months(2004, table["month"].to_numpy(), rng, {"iso": 0.6, "zh": 0.3, "compact": 0.1}),
            "file_id": county.ids(table["file_id"].to_numpy(), rng),
            "score": [f"{s:.1f}" if s != int(s) else str(int(s)) for s in table["score"]],
            "rating": np.where(
                rng.random(n) < 0.6, np.where(rating == "best", "最佳", np.where(rating == "worst", "最差", "")), rating
            ),
            "collective_decision": np.where(
                style == 0,
                np.where(coll, "是", "否"),
                np.where(style == 1, np.where(coll, "1", "0"), np.where(coll, "true", "false")),
            ),
        }
    ).astype(object)
    dup_at = rng.choice(n, size=3, replace=False)
    retyped_at = int(rng.integers(n))
    retyped = out.iloc[[retyped_at]].assign(score="60")
    over = out.iloc[[int(rng.integers(n))]].assign(file_id=county.id_prefix + f"AJ2004-{n + 1:04d}", score="120")
    elsewhere = out.iloc[[int(rng.integers(n))]].assign(
        file_id=county.id_prefix + f"AJ2004-{n + 2:04d}", unit=county.prefix + "城南派出所"
    )
    rows = pd.concat([out, out.iloc[dup_at], retyped, over, elsewhere], ignore_index=True)
    pos = np.concatenate(
        [np.arange(n, dtype=float), dup_at + rng.uniform(1, 40, 3), [retyped_at + 7.5], rng.uniform(0, n, 2)]
    )
    return rows.iloc[np.argsort(pos, kind="stable")].reset_index(drop=True)
