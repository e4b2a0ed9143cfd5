"""Synthetic demo exports: the bureau's raw files in their real shape and dirt, calibrated to the report.

``write_demo_data(out_dir, seed, scale)`` writes one file per contract file (``analysis.data.contract.RAW_FILES``),
a README saying what the data is, and the ``SYNTHETIC`` marker that cleaning and the reports read.
Everything is drawn from numpy generators seeded from ``seed``; nothing reads the clock, so the
same seed and scale give the same bytes.

Two ways to get more than one county:

- ``counties`` K (``demo-data --counties K``): a province, one folder per county
  (``out_dir/baoying/``, ``out_dir/gaoyou/``, ...), each holding that county's own exports, README and
  marker.  County 1's data files are the default demo byte for byte; the others have their own seeds
  and ``Profile`` (some better, some worse, counties 3 and 5 clear outliers).
- ``scale`` K (``demo-data --scale K``, the benchmark's "x100"): K counties glued into one county's
  files (one county with K x 6 districts), to measure how the batch grows with data size alone.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from analysis.core import paths
from analysis.core.errors import AnalysisError
from analysis.core.files import atomic_files
from analysis.data.contract import BY_DATASET, RAW_FILES
from analysis.demo import campaigns, casework, competition, fitness, officers, opinions, survey, training
from analysis.demo.county import County, county_names
from analysis.demo.export import CsvExport, XlsxExport
from analysis.demo.readme import marker_text, readme_text

# How each file is exported: (format, header language, encoding).
FORMATS = {
    "officer_roster": ("xlsx", "zh", None),
    "population_margins": ("csv", "zh", "utf-8"),
    "households": ("csv", "en", "utf-8"),
    "survey_batches": ("csv", "en", "utf-8"),
    "survey_responses": ("csv", "zh", "gb18030"),
    "opinions_register": ("csv", "zh", "utf-8"),
    "rectification_ledger": ("csv", "en", "utf-8"),
    "fitness_tests": ("csv", "zh", "utf-8"),
    "training_credits": ("csv", "zh", "utf-8"),
    "democratic_review": ("csv", "en", "utf-8"),
    "case_files": ("csv", "en", "utf-8"),
    "cadre_competition": ("csv", "zh", "utf-8"),
    "campaign_activities": ("csv", "en", "utf-8"),
}


def file_name(dataset: str) -> str:
    spec = BY_DATASET[dataset]
    return f"{spec.stem}.{FORMATS[dataset][0]}"


def county_exports(county: County) -> dict[str, pd.DataFrame]:
    """Every raw file of one county, as the cells its export holds."""
    out: dict[str, pd.DataFrame] = {}
    roster = officers.roster(county)
    out["officer_roster"] = officers.roster_export(county, roster)
    pop = survey.population(county)
    out["population_margins"] = survey.margins_export(county, pop)
    out["households"] = survey.households_export(county, pop)
    log = survey.batches(county)
    out["survey_batches"] = survey.batches_export(county, log)
    out["survey_responses"] = survey.responses_export(county, log)
    merged = opinions.opinions(county)
    out["opinions_register"] = opinions.register_export(county, merged)
    out["rectification_ledger"] = opinions.ledger_export(county, merged)
    out["fitness_tests"] = fitness.tests_export(county, fitness.tests(county, roster))
    scores = training.credits(county, roster)
    out["training_credits"] = training.credits_export(county, scores)
    sizes = roster[roster["joined"] < np.datetime64("2004-01-01")].groupby("unit", sort=False).size()
    out["democratic_review"] = training.review_export(county, training.review(county, sizes))
    out["case_files"] = casework.files_export(county, casework.files(county))
    early = scores[scores["month"].le(5)].groupby("_officer")["score"].mean()
    weak = np.array([i for i in np.flatnonzero(roster["cadre_candidate"].to_numpy()) if early.get(i, 100) < 70])
    out["cadre_competition"] = competition.applications_export(county, competition.applications(county, roster, weak))
    out["campaign_activities"] = campaigns.ledger_export(county, campaigns.ledger(county))
    return out


def _raw_exports(folder: Path) -> list[str]:
    stems = {f.stem for f in RAW_FILES}
    return sorted(p.name for p in folder.glob("*") if p.is_file() and p.stem in stems)


def _check_target(out_dir: Path) -> None:
    """Refuse to overwrite what looks like a real export (raw files without the synthetic marker)."""
    for folder in (out_dir, *(p for p in out_dir.glob("*") if p.is_dir())):
        if (folder / paths.SYNTHETIC_MARKER).exists():
            continue
        present = _raw_exports(folder)
        if present:
            raise AnalysisError(
                f"{folder}: holds raw exports ({', '.join(present[:3])}) and no "
                f"{paths.SYNTHETIC_MARKER} marker; refusing to overwrite real data with demo data"
            )


def _remove_other_layout(out_dir: Path, counties: int) -> None:
    """Remove demo files of the other layout, which would make the folder ambiguous (checked synthetic)."""
    if counties:
        for name in [*_raw_exports(out_dir), "README.md", paths.SYNTHETIC_MARKER]:
            (out_dir / name).unlink(missing_ok=True)
        keep = {county_names(n)[0] for n in range(1, counties + 1)}
    else:
        keep = set()
    for folder in out_dir.glob("*"):
        if folder.is_dir() and folder.name not in keep and (folder / paths.SYNTHETIC_MARKER).exists():
            for path in folder.iterdir():
                path.unlink()
            folder.rmdir()


def write_demo_data(out_dir: Path, seed: int = 2004, scale: int = 1, counties: int = 0) -> list[Path]:
    """Write the synthetic raw exports into ``out_dir``; returns the files written.

    ``counties`` 0: one folder of ``scale`` counties glued together (1: the default demo);
    ``counties`` K >= 1: one sub-folder per county (``scale`` must then be 1).
    """
    if scale < 1:
        raise AnalysisError(f"--scale must be at least 1 (got {scale})")
    if counties < 0:
        raise AnalysisError(f"--counties must be at least 1 (got {counties})")
    if counties and scale != 1:
        raise AnalysisError("--counties and --scale do not combine: --counties K writes K county folders")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    _check_target(out_dir)
    _remove_other_layout(out_dir, counties)
    if counties:
        written = []
        for number in range(1, counties + 1):
            county = County(number, seed)
            written += _write_folder(out_dir / county.name, seed, [county], province=(number, counties))
        return written
    return _write_folder(out_dir, seed, [County(number, seed) for number in range(1, scale + 1)])


def _write_folder(
    out_dir: Path, seed: int, counties: list[County], province: tuple[int, int] | None = None
) -> list[Path]:
    """One folder of exports holding ``counties`` glued together (``province``: (county, of K) for its README)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    scale = len(counties)
    for spec in RAW_FILES:  # a stale export in the other format would make the folder ambiguous
        for ext in (".csv", ".xlsx"):
            stale = out_dir / f"{spec.stem}{ext}"
            if stale.name != file_name(spec.dataset) and stale.exists():
                stale.unlink()
    # Every file is written to a temporary name beside its target and all are moved in at the end:
    # a failed run leaves the old data alone.
    with atomic_files() as files:
        names = [*(file_name(spec.dataset) for spec in RAW_FILES), "README.md", paths.SYNTHETIC_MARKER]
        temp = {name: files.path_for(out_dir / name) for name in names}
        sinks = {}
        for spec in RAW_FILES:
            kind, language, encoding = FORMATS[spec.dataset]
            path = temp[file_name(spec.dataset)]
            sinks[spec.dataset] = (
                XlsxExport(path, spec, language, sheet="花名册")
                if kind == "xlsx"
                else CsvExport(path, spec, language, encoding)
            )
        try:
            for county in counties:
                for dataset, frame in county_exports(county).items():
                    sinks[dataset].append(frame)
        finally:
            for sink in sinks.values():
                sink.handle_close()
        for sink in sinks.values():
            sink.close()
        county = None if province is None else (counties[0], province[1])
        temp["README.md"].write_text(
            readme_text(seed, scale, {d: file_name(d) for d in FORMATS}, county), encoding="utf-8", newline="\n"
        )
        temp[paths.SYNTHETIC_MARKER].write_text(marker_text(seed, scale, county), encoding="utf-8", newline="\n")
    return [out_dir / name for name in names]
