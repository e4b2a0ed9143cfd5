"""Inputs for tests/reference/survey_opinions_reference.R, and the command that refreshes its fixtures.

    .venv/bin/python tests/reference/survey_opinions_inputs.py mini   # seeded synthetic register + ledger
    .venv/bin/python tests/reference/survey_opinions_inputs.py demo   # data/processed (demo data)

Writes status.csv and coding.csv to a temporary folder, runs Rscript and stores R's values in
tests/reference/survey_opinions_reference_<name>.csv (committed, so the tests need no R).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.subjects import opinions

HERE = Path(__file__).resolve().parent
CUTOFF = "2004-12-20"


def mini_frames(seed: int = 2004) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A seeded (register, ledger) pair in the processed schema: 120 opinions, 200 suggestions."""
    rng = np.random.default_rng(seed)
    cats = list(opinions.CATEGORIES)
    n_op = 120
    op_cat = rng.choice(cats, n_op, p=[0.4, 0.3, 0.1, 0.2])
    sugg = rng.integers(0, n_op, 200)
    sugg[:n_op] = np.arange(n_op)
    first = op_cat[sugg]
    second = np.where(rng.random(200) < 0.85, first, rng.choice(cats, 200))
    register = pd.DataFrame(
        {
            "suggestion_id": [f"S{i:04d}" for i in range(200)],
            "opinion_id": [f"O{i:03d}" for i in sugg],
            "received": pd.Timestamp("2004-04-25") + pd.to_timedelta(rng.integers(0, 10, 200), unit="D"),
            "source": "questionnaire",
            "district": rng.choice(["Anyi", "Fanshui", "Dongdang"], 200),
            "category": first,
            "subcategory": "general",
            "text": [f"opinion <{i}> & text" for i in range(200)],
            "second_coder_category": np.where(rng.random(200) < 0.3, second, None),
        }
    )
    for c in (
        "suggestion_id",
        "opinion_id",
        "source",
        "district",
        "category",
        "subcategory",
        "text",
        "second_coder_category",
    ):
        register[c] = register[c].astype("string")
    plan = pd.Timestamp("2004-05-10") + pd.to_timedelta(rng.integers(0, 30, n_op), unit="D")
    speed = {"law_enforcement": 60, "security_management": 90, "service_economy": 45, "team_building": 150}
    dur = np.ceil(rng.exponential([speed[c] for c in op_cat])).astype(int)
    closed = plan + pd.to_timedelta(dur, unit="D")
    status = np.where(closed <= pd.Timestamp("2004-12-31"), "rectified", "in_progress")
    ledger = pd.DataFrame(
        {
            "opinion_id": [f"O{i:03d}" for i in range(n_op)],
            "owner_unit": "Anyi Police Station",
            "plan_date": plan,
            "deadline": plan + pd.to_timedelta(rng.integers(30, 120, n_op), unit="D"),
            "status": status,
            "closed_date": closed.where(status == "rectified"),
        }
    )
    for c in ("opinion_id", "owner_unit", "status"):
        ledger[c] = ledger[c].astype("string")
    return register, ledger


def demo_frames(processed_dir=None):
    from analysis.data import processed

    return processed.load("opinions_register", processed_dir), processed.load("rectification_ledger", processed_dir)


def status_frame(register: pd.DataFrame, ledger: pd.DataFrame, cutoff: str = CUTOFF) -> pd.DataFrame:
    ops = opinions.opinion_table(register)
    # the plan clock, as these reference values were made (tests/reference/r/rectification_km.R has both clocks)
    st = opinions.rectification_status(ledger, cutoff).rename(columns={"days_from_plan": "days"})
    return st.merge(ops[["opinion_id", "category"]], on="opinion_id", how="left")


def main(name: str) -> Path:
    register, ledger = mini_frames() if name == "mini" else demo_frames()
    st = status_frame(register, ledger)
    coded = register[register["second_coder_category"].notna()]
    out = HERE / f"survey_opinions_reference_{name}.csv"
    with tempfile.TemporaryDirectory() as tmp:
        st.assign(rectified=st["rectified"].map({True: "True", False: "False"}))[
            ["opinion_id", "days", "rectified", "category"]
        ].to_csv(Path(tmp) / "status.csv", index=False)
        pd.DataFrame({"first": coded["category"], "second": coded["second_coder_category"]}).to_csv(
            Path(tmp) / "coding.csv", index=False
        )
        subprocess.run(["Rscript", str(HERE / "survey_opinions_reference.R"), tmp, str(out)], check=True)
    return out


if __name__ == "__main__":
    print(main(sys.argv[1] if len(sys.argv) > 1 else "mini"))
