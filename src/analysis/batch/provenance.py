"""What produced an output: code version, data, parameters, packages, time; cache keys and the staleness rule.

A report is rebuilt when its *key* changes: the notebook's source, its parameters, the hashes of
its input data and the code hash (``core.files.code_hash``: the package, the reference data and the
dependency lock).  The processed data is current when its manifest records the raw exports now in
data/raw and that same code hash (``processed_freshness``): one rule for the runner and the tests.
"""

from __future__ import annotations

import datetime as dt
import json
import platform
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from analysis.core import paths
from analysis.core.files import code_hash, lock_hash, sha256_file, sha256_json

PACKAGES = (
    "pandas",
    "numpy",
    "scipy",
    "statsmodels",
    "matplotlib",
    "seaborn",
    "pyarrow",
    "pandera",
    "papermill",
    "nbconvert",
    "ipykernel",
)


def notebook_source_hash(notebook: Path) -> str:
    """Hash of the cells' types and sources only: outputs, metadata and execution counts do not count."""
    nb = json.loads(Path(notebook).read_text(encoding="utf-8"))
    cells = [
        (c.get("cell_type"), "".join(c.get("source", "")), sorted(c.get("metadata", {}).get("tags", [])))
        for c in nb.get("cells", [])
    ]
    return sha256_json(cells)


def report_key(
    notebook: Path, parameters: Mapping[str, Any], inputs: Mapping[str, str], *, code: str | None = None
) -> str:
    """The cache key of one report; equal keys mean an identical rebuild.  ``code``: ``code_hash()`` by default."""
    return sha256_json(
        {
            "notebook": notebook_source_hash(notebook),
            "parameters": dict(parameters),
            "inputs": dict(inputs),
            "code": code or code_hash(),
        }
    )


@dataclass(frozen=True)
class Freshness:
    """Whether data/processed still describes data/raw; ``reason`` says why not ("" when current)."""

    current: bool
    reason: str = ""


def processed_freshness(raw_dir: Path, processed_dir: Path, *, code: str | None = None) -> Freshness:
    """Is ``processed_dir`` what cleaning ``raw_dir`` with the code now installed would give?

    Current when its manifest records ``code`` (``code_hash()`` by default) as the code that wrote it,
    every raw input it records still has its recorded sha256, the synthetic marker is as it was, and
    the key figures were written.  The runner skips the cleaning on it; the tests re-clean on it.
    """
    raw_dir, processed_dir = Path(raw_dir), Path(processed_dir)
    manifest_path = processed_dir / paths.MANIFEST
    if not manifest_path.exists():
        return Freshness(False, f"{manifest_path}: not written yet")
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        return Freshness(False, f"{manifest_path}: unreadable ({exc})")
    if not isinstance(manifest, dict):
        return Freshness(False, f"{manifest_path}: not a JSON object")
    if manifest.get("code_sha256") != (code or code_hash()):
        return Freshness(False, f"{manifest_path}: written by other code (code_sha256 differs)")
    inputs = manifest.get("inputs")
    if not isinstance(inputs, dict) or not inputs:
        return Freshness(False, f"{manifest_path}: records no raw inputs")
    for name, recorded in sorted(inputs.items()):
        path = raw_dir / name
        if not path.is_file():
            return Freshness(False, f"{path}: cleaned from it, now gone")
        if not isinstance(recorded, dict) or sha256_file(path) != recorded.get("sha256"):
            return Freshness(False, f"{path}: changed since it was cleaned")
    if bool(manifest.get("synthetic")) != (raw_dir / paths.SYNTHETIC_MARKER).exists():
        return Freshness(False, f"{raw_dir / paths.SYNTHETIC_MARKER}: added or removed since cleaning")
    if not (processed_dir / paths.KEY_FIGURES).exists():
        return Freshness(False, f"{processed_dir / paths.KEY_FIGURES}: not written")
    return Freshness(True)


def _git(*args: str) -> str | None:
    try:
        done = subprocess.run(["git", *args], cwd=paths.ROOT, capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def git_state() -> dict[str, Any]:
    """Commit and whether the working tree differs from it (tracked or new files)."""
    commit = _git("rev-parse", "HEAD")
    status = _git("status", "--porcelain")
    return {"commit": commit or "unknown (not a git checkout)", "dirty": None if status is None else bool(status)}


def package_versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def manifest_hash(processed_dir: Path) -> str:
    path = Path(processed_dir) / paths.MANIFEST
    return sha256_file(path) if path.exists() else "none"


def run_provenance(processed_dir: Path) -> dict[str, Any]:
    """The part of provenance shared by every report of one run."""
    return {
        **git_state(),
        "manifest_sha256": manifest_hash(processed_dir),
        "lock_sha256": lock_hash(),
        "packages": package_versions(),
    }


def now_utc() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
