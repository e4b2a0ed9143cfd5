"""Basic physical-fitness tests: eight monthly rounds, May (round 1) to December (round 8).

Calibration (per county, to its ``Profile``; county 1: the published figures): among officers tested,
exactly 32% pass in round 1 and 98% in round 8
(an officer passes when tested and every item meets the threshold recorded on the row).
The rise is concentrated in the 1000 m run; from round 5 the 50+ run standard is relaxed by 20 s
(a new standard id and threshold on the rows), which an analysis should notice.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pandas as pd

from analysis.demo.county import County, day, write_dates
from analysis.demo.people import untidy

ROUNDS = 8
FIRST_MONTH = 5
ITEMS = ("run_1000m", "shuttle_4x10m", "pushups", "situps")
BETTER = {"run_1000m": "lower", "shuttle_4x10m": "lower", "pushups": "higher", "situps": "higher"}
ITEM_ZH = {"run_1000m": "1000米跑", "shuttle_4x10m": "4×10米往返跑", "pushups": "俯卧撑", "situps": "仰卧起坐"}
STATUS_ZH = {"tested": "参测", "exempt": "免测", "absent": "缺考"}
BETTER_ZH = {"lower": ("≤", "越低越好"), "higher": ("≥", "越高越好")}
BANDS = ("under 30", "30-39", "40-49", "50+")
BAND_CODE = {"under 30": "U30", "30-39": "30-39", "40-49": "40-49", "50+": "50+"}
# Thresholds in tenths of a second (runs) or repetitions, by sex and age band.
THRESHOLD = {
    ("run_1000m", "M"): (2650, 2750, 2900, 3100),
    ("run_1000m", "F"): (3100, 3250, 3400, 3600),
    ("shuttle_4x10m", "M"): (115, 118, 121, 125),
    ("shuttle_4x10m", "F"): (128, 131, 135, 140),
    ("pushups", "M"): (30, 25, 20, 15),
    ("pushups", "F"): (15, 12, 10, 8),
    ("situps", "M"): (35, 30, 25, 20),
    ("situps", "F"): (30, 25, 20, 15),
}
TENTHS = {"run_1000m": True, "shuttle_4x10m": True, "pushups": False, "situps": False}
# One standard deviation of results around the threshold, in the item's units (tenths for runs).
SPREAD = {"run_1000m": 250.0, "shuttle_4x10m": 6.0, "pushups": 8.0, "situps": 8.0}
RELAXED_FROM_ROUND, RELAXATION = 5, 200  # 20 s more for the 50+ band's 1000 m run
# Share of the way from the first round's run level to the last one's, round by round.
PROGRESS = np.array([0.0, 0.30, 0.55, 0.72, 0.84, 0.92, 0.97, 1.0])


def _standard(item: str, sex: str, band: str, rnd: int) -> tuple[str, int]:
    threshold = THRESHOLD[(item, sex)][BANDS.index(band)]
    relaxed = item == "run_1000m" and band == "50+" and rnd >= RELAXED_FROM_ROUND
    name = f"STD2004{'R' if relaxed else ''}-{sex}-{BAND_CODE[band]}"
    return name, threshold + (RELAXATION if relaxed else 0)


def _target(tested: int, rate: Fraction) -> int:
    passes = tested * rate
    assert passes.denominator == 1, (tested, rate)
    return int(passes)


def _tested_count(active: int, rate: Fraction) -> int:
    """Largest number tested (leaving a few not tested) for which the pass rate is a whole count."""
    step = rate.denominator // np.gcd(rate.numerator, rate.denominator)
    return int((active - 6) // step * step)


def tests(county: County, officers: pd.DataFrame) -> pd.DataFrame:
    """One row per officer, round and item (canonical values, results in tenths or repetitions)."""
    rng = county.rng("fitness")
    n = len(officers)
    units = officers["unit"].unique()
    unit_effect = dict(zip(units, rng.normal(0, 0.35, len(units))))
    ability = officers["ability"].to_numpy()
    u_eff = officers["unit"].map(unit_effect).to_numpy()
    older = officers["age_band"].eq("50+").to_numpy()
    chronic = rng.choice(np.flatnonzero(older & ~officers["cadre_candidate"].to_numpy()), size=3, replace=False)
    unit_day = {(u, r): int(rng.integers(8, 22)) for u in units for r in range(1, ROUNDS + 1)}

    frames = []
    run_offset = {}
    for r in range(1, ROUNDS + 1):
        month = FIRST_MONTH + r - 1
        dates = np.array([day(f"2004-{month:02d}-{unit_day[(u, r)]:02d}") for u in officers["unit"]])
        joined, left = officers["joined"].to_numpy(), officers["left"].to_numpy()
        active = (joined <= dates) & (np.isnat(left) | (left > dates))
        idx = np.flatnonzero(active)
        status = np.full(n, "tested", dtype=object)
        status[np.intersect1d(chronic, idx)] = "exempt"
        free = np.setdiff1d(idx, chronic)
        if r in (1, ROUNDS):
            rate = county.profile.pass_first if r == 1 else county.profile.pass_last
            not_tested = len(idx) - _tested_count(len(idx), rate)
            extra = not_tested - len(np.intersect1d(chronic, idx))
        else:
            extra = int(rng.integers(3, 11))
        away = rng.choice(free, size=extra, replace=False)
        n_exempt = min(int(rng.integers(0, 3)), extra)
        status[away[:n_exempt]] = "exempt"
        status[away[n_exempt:]] = "absent"

        # Margins above the threshold (in SDs): the run improves most; other items are mostly passed.
        other = 0.45 * ability[:, None] + rng.normal(0, 0.6, (n, 3)) + 1.55 + 0.9 * PROGRESS[r - 1]
        run = 0.8 * ability + u_eff + rng.normal(0, 0.45, n)
        relaxed = older & (r >= RELAXED_FROM_ROUND)
        run = run + relaxed * RELAXATION / SPREAD["run_1000m"]
        tested = np.flatnonzero(active & (status == "tested"))
        if r in (1, ROUNDS):
            target = _target(len(tested), county.profile.pass_first if r == 1 else county.profile.pass_last)
            while (other[tested].min(axis=1) > 0).sum() < target:
                other = other + 0.05
            ok = tested[other[tested].min(axis=1) > 0]
            level = np.sort(run[ok])[::-1]
            cut = (level[target - 1] + level[target]) / 2 if target < len(level) else level[-1] - 0.1
            run_offset[r] = -cut
        else:
            run_offset[r] = None
        frames.append((r, dates, active, status, run, other))

    rows = []
    for r, dates, active, status, run, other in frames:
        offset = (
            run_offset[1] + (run_offset[ROUNDS] - run_offset[1]) * PROGRESS[r - 1]
            if run_offset[r] is None
            else run_offset[r]
        )
        margins = np.column_stack([run + offset, other])
        idx = np.flatnonzero(active)
        for k, item in enumerate(ITEMS):
            std = [
                _standard(item, s, b, r)
                for s, b in zip(officers["sex"].to_numpy()[idx], officers["age_band"].to_numpy()[idx])
            ]
            threshold = np.array([t for _, t in std])
            m = margins[idx, k] * SPREAD[item]
            if BETTER[item] == "lower":
                result = np.where(m > 0, threshold - np.floor(m), threshold + 1 + np.floor(-m))
            else:
                result = np.where(m > 0, threshold + np.floor(m), np.maximum(threshold - 1 - np.floor(-m), 0))
            rows.append(
                pd.DataFrame(
                    {
                        "police_number": officers["police_number"].to_numpy()[idx],
                        "name": officers["name"].to_numpy()[idx],
                        "unit": officers["unit"].to_numpy()[idx],
                        "round": r,
                        "date": dates[idx],
                        "status": status[idx],
                        "item": item,
                        "result": np.where(status[idx] == "tested", result, np.nan),
                        "standard": [s for s, _ in std],
                        "threshold": threshold,
                        "better": BETTER[item],
                    }
                )
            )
    out = pd.concat(rows, ignore_index=True)
    out["_officer"] = out["police_number"].map({p: i for i, p in enumerate(officers["police_number"])})
    return out.sort_values(
        ["round", "_officer", "item"], kind="stable", key=lambda s: s.map(ITEMS.index) if s.name == "item" else s
    ).reset_index(drop=True)


def _number(values: np.ndarray, tenths: bool) -> np.ndarray:
    if tenths:
        return np.array(["" if np.isnan(v) else f"{v / 10:.1f}" for v in values], dtype=object)
    return np.array(["" if np.isnan(v) else str(int(v)) for v in values], dtype=object)


def tests_export(county: County, results: pd.DataFrame) -> pd.DataFrame:
    """The Training Section's score sheet (Chinese headers and labels), with dirt."""
    rng = county.rng("fitness")
    rng = np.random.default_rng(rng.integers(1 << 62))
    n = len(results)
    item = results["item"].to_numpy()
    tenths = np.vectorize(TENTHS.get)(item)
    result = np.where(tenths, _number(results["result"].to_numpy(), True), _number(results["result"].to_numpy(), False))
    threshold = np.where(
        tenths,
        _number(results["threshold"].to_numpy(dtype=float), True),
        _number(results["threshold"].to_numpy(dtype=float), False),
    )
    # The sheet writes whole-second thresholds without the ".0".
    threshold = np.array([t[:-2] if t.endswith(".0") else t for t in threshold], dtype=object)
    status = results["status"].to_numpy()
    better = results["better"].to_numpy()
    out = pd.DataFrame(
        {
            "police_number": county.ids(results["police_number"].to_numpy(), rng, p_dirty=0.01),
            "name": untidy(results["name"].to_numpy(), rng, 0.03),
            "round": results["round"].astype(str).to_numpy(),
            "date": write_dates(results["date"].to_numpy(), rng, {"iso": 0.5, "zh": 0.3, "compact": 0.2}),
            "status": np.where(rng.random(n) < 0.8, np.vectorize(STATUS_ZH.get)(status), status),
            "item": np.where(rng.random(n) < 0.8, np.vectorize(ITEM_ZH.get)(item), item),
            "result": result,
            "standard": results["standard"].to_numpy(),
            "threshold": threshold,
            "better": np.where(
                rng.random(n) < 0.6,
                [BETTER_ZH[b][0] for b in better],
                np.where(rng.random(n) < 0.5, [BETTER_ZH[b][1] for b in better], better),
            ),
        }
    ).astype(object)
    pos = np.arange(n, dtype=float)
    dup_at = rng.choice(n, size=20, replace=False)
    retyped_at = rng.choice(np.flatnonzero(results["status"].eq("tested").to_numpy()), size=5, replace=False)
    retyped = out.iloc[retyped_at].copy()
    retyped["result"] = [str(float(v) + 1) if "." in v else str(int(v) + 1) for v in retyped["result"]]
    # A seconded officer who is not on this county's roster.
    guest_at = np.flatnonzero(
        results["police_number"].eq(results["police_number"].iat[0]).to_numpy() & results["round"].eq(2).to_numpy()
    )
    guest = out.iloc[guest_at].assign(police_number=county.id_prefix + "310088")
    bad_item = out.iloc[[int(rng.integers(n))]].assign(item="跳远")
    bad_date = out.iloc[[int(rng.integers(n))]].assign(date="2004-09-31")
    bad_round = out.iloc[[int(rng.integers(n))]].assign(round="0")
    rows = pd.concat([out, out.iloc[dup_at], retyped, guest, bad_item, bad_date, bad_round], ignore_index=True)
    extra = len(rows) - n
    pos = np.concatenate(
        [
            pos,
            np.concatenate([dup_at, retyped_at]) + rng.uniform(1, 200, 25),
            guest_at + 0.5,
            rng.uniform(0, n, extra - 25 - len(guest_at)),
        ]
    )
    return rows.iloc[np.argsort(pos, kind="stable")].reset_index(drop=True)
