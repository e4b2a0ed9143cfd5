"""What produced a report: code version, data, parameters, packages, time; and the cache keys.

A report is rebuilt when its *key* changes: the notebook's source, its parameters, the hashes of
its input data, the dependency lock and the package's own code.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import platform
import subprocess
from collections.abc import Iterable, Mapping
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Any

from analysis.core import paths

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


def sha256_file(path: Path, chunk: int = 1 << 20) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            h.update(block)
    return h.hexdigest()


def sha256_json(obj: Any) -> str:
    return hashlib.sha256(json.dumps(obj, sort_keys=True, default=str).encode()).hexdigest()


def tree_hashes(folder: Path, patterns: Iterable[str] = ("*",)) -> dict[str, str]:
    """sha256 of every file under ``folder`` matching ``patterns`` (relative path -> hash)."""
    folder = Path(folder)
    if not folder.exists():
        return {}
    out = {}
    for pattern in patterns:
        for p in folder.rglob(pattern):
            if p.is_file() and "__pycache__" not in p.parts:
                out[p.relative_to(folder).as_posix()] = sha256_file(p)
    return dict(sorted(out.items()))


def notebook_source_hash(notebook: Path) -> str:
    """Hash of the cells' types and sources only: outputs, metadata and execution counts do not count."""
    nb = json.loads(Path(notebook).read_text(encoding="utf-8"))
    cells = [
        (c.get("cell_type"), "".join(c.get("source", "")), sorted(c.get("metadata", {}).get("tags", [])))
        for c in nb.get("cells", [])
    ]
    return sha256_json(cells)


@lru_cache(maxsize=1)
def code_hash() -> str:
    """Hash of the package's source (subject modules, cleaning, batch templates)."""
    # ASSUMPTION(code-in-cache-key): any change under src/analysis reruns every report (conservative: never built by old code).
    pkg = Path(__file__).resolve().parents[1]
    return sha256_json(tree_hashes(pkg, ("*.py", "*.j2", "*.css", "*.yml", "*.csv")))


def lock_hash() -> str:
    return sha256_file(paths.LOCK_FILE) if paths.LOCK_FILE.exists() else "none"


def data_hashes(folder: Path) -> dict[str, str]:
    """Input-data hashes of a processed (or raw) data folder."""
    return tree_hashes(folder)


def report_key(notebook: Path, parameters: Mapping[str, Any], inputs: Mapping[str, str]) -> str:
    """The cache key of one report; equal keys mean an identical rebuild."""
    return sha256_json(
        {
            "notebook": notebook_source_hash(notebook),
            "parameters": dict(parameters),
            "inputs": dict(inputs),
            "lock": lock_hash(),
            "code": code_hash(),
        }
    )


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
