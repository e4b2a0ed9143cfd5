"""Run the issue-12 R checks on one data set and keep what R computed.

    .venv/bin/python tests/reference/r/build_values.py demo    # data/processed (run `python -m analysis clean`)
    .venv/bin/python tests/reference/r/build_values.py mini    # the seeded mini fixture
    .venv/bin/python tests/reference/r/build_values.py NAME --processed-dir DIR   # another run (e.g. another seed)

Exports the inputs with export_inputs.py into a temporary folder, runs every R script of this folder on
them and writes tests/reference/r/values/NAME/<script>.csv (key,value, 17 significant digits). The live
check in CI will do the same on the processed data of the current run and compare with estimates.csv.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCRIPTS = ("survey_design.R", "return_rates.R", "rectification_km.R", "alpha.R")
INSTALL_HINT = "R is needed: on Debian/Ubuntu `sudo apt-get install r-base-core r-cran-survey r-cran-survival`"


def _exporter():
    spec = importlib.util.spec_from_file_location("export_inputs", HERE / "export_inputs.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_r(input_dir: Path, out_dir: Path, scripts=SCRIPTS, *, fast: bool = False) -> list[Path]:
    """Every R script on the inputs in ``input_dir``; one CSV per script in ``out_dir``.

    ``fast`` (the live check): R_CHECK_FAST=1, the scripts compute only the values the project's
    estimates.csv is compared with (the raked and stratified designs, closed-form intervals), not the
    other designs, Wald tests and sensitivity lines of the committed values.
    """
    rscript = shutil.which("Rscript")
    if rscript is None:
        raise SystemExit(INSTALL_HINT)
    out_dir.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "R_CHECK_FAST": "1"} if fast else None
    written = []
    for script in scripts:
        target = out_dir / script.replace(".R", ".csv")
        subprocess.run([rscript, str(HERE / script), str(input_dir), str(target)], check=True, env=env)
        written.append(target)
    return written


def main(argv=None) -> list[Path]:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("name", help="'mini', 'demo' or a name for --processed-dir's data")
    ap.add_argument("--processed-dir", type=Path, default=None)
    ap.add_argument("--out", type=Path, default=None, help="default tests/reference/r/values/NAME")
    args = ap.parse_args(argv)
    exporter = _exporter()
    with tempfile.TemporaryDirectory() as tmp:
        export_args = [tmp] + (["--mini"] if args.name == "mini" else [])
        if args.processed_dir is not None:
            export_args += ["--processed-dir", str(args.processed_dir)]
        exporter.main(export_args)
        return run_r(Path(tmp), args.out or HERE / "values" / args.name)


if __name__ == "__main__":
    for path in main():
        print(path, file=sys.stdout)
