"""Inputs for tests/reference/survey_reference.R, and the command that refreshes its fixtures.

    .venv/bin/python tests/reference/survey_reference_inputs.py mini   # seeded synthetic design
    .venv/bin/python tests/reference/survey_reference_inputs.py demo   # data/processed (demo data)

writes the design and population CSVs to a temporary folder, runs Rscript on them and stores
the values R printed in tests/reference/survey_reference_<name>.csv (committed, so the tests
need no R).  The tests rebuild the same weighted sample with `weighted_sample` and compare.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.subjects import survey

HERE = Path(__file__).resolve().parent
DISTRICTS = ["Anyi", "Fanshui", "Xi'anfeng", "Dongdang", "Shanyang", "Sheyanghu"]
AGES = ["18-29", "30-44", "45-59", "60+"]
CHANNELS = ["street", "enterprise", "family", "square_event"]


def mini_frames(seed: int = 2004) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A seeded synthetic survey (responses, population) in the processed schema, ~900 forms."""
    rng = np.random.default_rng(seed)
    pop = pd.DataFrame(
        [(d, a, s) for d in DISTRICTS for a in AGES for s in ("M", "F")], columns=["district", "age_band", "sex"]
    )
    pop["population"] = pd.array(rng.integers(2000, 20000, len(pop)), dtype="Int64")
    rows = []
    for b in range(60):
        district, channel = DISTRICTS[b % 6], CHANNELS[(b // 6) % 4]
        level = rng.normal(0, 0.6)  # batch effect: answers cluster within a batch
        for _ in range(rng.integers(5, 25)):
            age = rng.choice(AGES, p=[0.35, 0.3, 0.2, 0.15]) if rng.random() > 0.03 else None
            sex = rng.choice(["M", "F"], p=[0.6, 0.4]) if rng.random() > 0.03 else None
            base = 3.6 + level + (0.3 if age == "60+" else 0) + rng.normal(0, 0.8)
            answers = {}
            for q in survey.ITEMS:
                x = int(np.clip(np.rint(base + rng.normal(0, 0.7)), 1, 5))
                u = rng.random()
                answers[q] = 9 if u < 0.04 else (None if u < 0.07 else x)
            contact = None if rng.random() < 0.05 else bool(rng.random() < 0.4)
            rows.append(
                {
                    "batch_id": f"B{b:03d}",
                    "district": district,
                    "channel": channel,
                    "age_band": age,
                    "sex": sex,
                    "police_contact": contact,
                    **answers,
                }
            )
    resp = pd.DataFrame(rows)
    resp["form_id"] = [f"F{i:05d}" for i in range(len(resp))]
    for q in survey.ITEMS:
        resp[q] = pd.array(resp[q], dtype="Int64")
    resp["police_contact"] = pd.array(resp["police_contact"], dtype="boolean")
    for c in ("batch_id", "district", "channel", "age_band", "sex", "form_id"):
        resp[c] = resp[c].astype("string")
    return resp, pop


def demo_frames(processed_dir=None) -> tuple[pd.DataFrame, pd.DataFrame]:
    from analysis.data import processed

    return processed.load("survey_responses", processed_dir), processed.load("population_margins", processed_dir)


def weighted_sample(responses: pd.DataFrame, population: pd.DataFrame) -> survey.WeightedSample:
    """The weighted respondents exactly as the notebooks weight them (defaults of weight_respondents)."""
    return survey.weight_respondents(responses, population)


def write_inputs(ws: survey.WeightedSample, population: pd.DataFrame, folder: Path) -> None:
    cols = ["batch_id", "weight", "district", "channel", "age_band", "sex", "police_contact", *survey.ITEMS]
    f = ws.frame[cols].copy()
    f["police_contact"] = f["police_contact"].map({True: "True", False: "False"}).astype(object)
    f["weight"] = f["weight"].map(lambda w: repr(float(w)))  # full precision
    f.to_csv(folder / "design.csv", index=False)
    population.to_csv(folder / "population.csv", index=False)


def main(name: str) -> Path:
    resp, pop = mini_frames() if name == "mini" else demo_frames()
    ws = weighted_sample(resp, pop)
    out = HERE / f"survey_reference_{name}.csv"
    with tempfile.TemporaryDirectory() as tmp:
        write_inputs(ws, pop, Path(tmp))
        subprocess.run(["Rscript", str(HERE / "survey_reference.R"), tmp, str(out)], check=True)
    return out


if __name__ == "__main__":
    print(main(sys.argv[1] if len(sys.argv) > 1 else "mini"))
