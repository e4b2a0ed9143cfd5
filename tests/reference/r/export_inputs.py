"""Plain-CSV inputs for the R checks in tests/reference/r/ (issue 12), from data/processed or the mini fixture.

    .venv/bin/python tests/reference/r/export_inputs.py OUT_DIR                       # data/processed
    .venv/bin/python tests/reference/r/export_inputs.py OUT_DIR --processed-dir DIR   # another run's data
    .venv/bin/python tests/reference/r/export_inputs.py OUT_DIR --mini                # seeded mini fixture

Writes to OUT_DIR:
  respondents.csv  every returned (valid) form: form_id, batch_id, district, channel, age_band, sex,
                   police_contact, the ten raw answer codes (1-5, 9 = don't know, blank) and ``weight``,
                   the project's final (raked, trimmed) weight at full precision, blank for the forms
                   that cannot be weighted (age band or sex blank)
  batches.csv      batch_id, district, channel, forms_distributed, returned (valid forms of the batch)
  population.csv   district, age_band, sex, population
  register.csv     suggestion_id, opinion_id, received, category, district (blank: county-wide)
  ledger.csv       opinion_id, plan_date, deadline, status, closed_date
  params.csv       key,value: cutoff_date, the raking margins, the trimming bounds the project applied
                   (multiples of the mean weight; blank when no weight needed trimming)

Everything R needs to rebuild the design from the project's starting point (equal weights, the
margins, the bounds) and to check that it lands on the same final weights. The Python engineer
owns the real exporter; this one only reads the package's public functions.
"""

from __future__ import annotations

import argparse
import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.core import reference
from analysis.data import processed
from analysis.subjects import survey

HERE = Path(__file__).resolve().parent


def _load_sibling(name: str):
    """The existing reference-input module ``tests/reference/<name>.py`` (for its seeded mini frames)."""
    spec = importlib.util.spec_from_file_location(name, HERE.parent / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def mini_batches(responses: pd.DataFrame, seed: int = 2004) -> pd.DataFrame:
    """A distribution log for the mini responses: each batch's forms handed out, seeded (return rate 0.3-0.9)."""
    rng = np.random.default_rng(seed)
    b = responses.groupby("batch_id").agg(district=("district", "first"), channel=("channel", "first"))
    returned = responses.groupby("batch_id").size()
    rate = rng.uniform(0.3, 0.9, len(b))
    b["forms_distributed"] = np.ceil(returned.reindex(b.index).to_numpy() / rate).astype(int)
    return b.reset_index()


def frames(processed_dir: Path | None, mini: bool) -> dict[str, pd.DataFrame]:
    """The five data sets the R checks read, in the processed schema."""
    if mini:
        responses, population = _load_sibling("survey_reference_inputs").mini_frames()
        register, ledger = _load_sibling("survey_opinions_inputs").mini_frames()
        return {
            "survey_responses": responses,
            "population_margins": population,
            "survey_batches": mini_batches(responses),
            "opinions_register": register,
            "rectification_ledger": ledger,
        }
    names = ("survey_responses", "population_margins", "survey_batches", "opinions_register", "rectification_ledger")
    return {n: processed.load(n, processed_dir) for n in names}


def _dates(s: pd.Series) -> pd.Series:
    return pd.to_datetime(s).dt.strftime("%Y-%m-%d")


def write_inputs(data: dict[str, pd.DataFrame], out: Path, cutoff: str) -> None:
    out.mkdir(parents=True, exist_ok=True)
    responses, population = data["survey_responses"], data["population_margins"]
    weighted = survey.weight_respondents(responses, population)

    resp = responses[["batch_id", "district", "channel", "age_band", "sex", "police_contact", *survey.ITEMS]].copy()
    resp.insert(0, "form_id", responses["form_id"] if "form_id" in responses else np.arange(len(responses)))
    resp["police_contact"] = resp["police_contact"].map({True: "True", False: "False"}).astype(object)
    final = weighted.frame["weight"].reindex(resp.index)
    resp["weight"] = [repr(float(w)) if pd.notna(w) else "" for w in final]  # full precision
    resp.to_csv(out / "respondents.csv", index=False)

    batches = data["survey_batches"][["batch_id", "district", "channel", "forms_distributed"]].copy()
    returned = responses.groupby("batch_id").size()
    batches["returned"] = returned.reindex(batches["batch_id"]).fillna(0).astype(int).to_numpy()
    batches.to_csv(out / "batches.csv", index=False)

    population[["district", "age_band", "sex", "population"]].to_csv(out / "population.csv", index=False)

    reg = data["opinions_register"][["suggestion_id", "opinion_id", "received", "category", "district"]].copy()
    reg["received"] = _dates(reg["received"])
    reg.to_csv(out / "register.csv", index=False)

    led = data["rectification_ledger"][["opinion_id", "plan_date", "deadline", "status", "closed_date"]].copy()
    for c in ("plan_date", "deadline", "closed_date"):
        led[c] = _dates(led[c])
    led.to_csv(out / "ledger.csv", index=False)

    bounds = weighted.rake.bounds
    params = {
        "cutoff_date": cutoff,
        "margins": ";".join(":".join(m) for m in weighted.design.margins),
        "trim_lower": "" if bounds is None else repr(float(bounds[0])),
        "trim_upper": "" if bounds is None else repr(float(bounds[1])),
        "trimmed": str(weighted.rake.trimmed),
    }
    pd.DataFrame({"key": list(params), "value": list(params.values())}).to_csv(out / "params.csv", index=False)


def main(argv=None) -> Path:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--processed-dir", type=Path, default=None)
    ap.add_argument("--mini", action="store_true", help="the seeded mini fixture instead of processed data")
    ap.add_argument("--cutoff", default=None, help="opinions cut-off date (default: data/reference/rules.csv)")
    args = ap.parse_args(argv)
    write_inputs(frames(args.processed_dir, args.mini), args.out, args.cutoff or reference.opinions_cutoff())
    return args.out


if __name__ == "__main__":
    print(main())
