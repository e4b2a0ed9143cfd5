"""The cleaned data set as a whole: its generations, and reading it with its manifest's hashes checked.

Layout (issue 14): ``data/processed`` is a symbolic link to the current *generation*, a folder
``data/processed.generations/<UTC time>-<pid>-<random>/`` holding every Parquet file, ``quarantine/``,
``manifest.json`` (written last) and ``key_figures.csv``.  Cleaning writes a complete new generation,
then switches the link to it with one ``os.replace`` (atomic), so a reader sees the old data set or the
new one, never a mix; a killed ``clean`` leaves the link on the old generation.  A later run removes
generations no link points to and temporary files, when the process that wrote them is gone.  A
generation may hold any layout below it (one folder per county, say): readers resolve the link once
and read everything from the generation it names.  Readers (``load``) verify each file's sha256
against the manifest, once per file and process.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from analysis.core import paths
from analysis.core.errors import AnalysisError
from analysis.core.files import TEMP_GLOB, sha256_file

# (path, size, mtime, inode) of files whose hash matched their manifest in this process.
_VERIFIED: set[tuple[str, int, int, int]] = set()


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _writer_pid(name: str) -> int | None:
    """The pid in a generation name (``<time>-<pid>-<random>``) or a temp name (``.<name>.<pid>.<random>.tmp``)."""
    parts = name.rsplit(".", 3) if name.endswith(".tmp") else name.split("-")
    return int(parts[1]) if len(parts) > 2 and parts[1].isdigit() else None


def current_generation(processed_dir: Path) -> Path | None:
    """The generation folder ``processed_dir`` links to (None before the first clean, or in the old layout)."""
    processed_dir = Path(processed_dir)
    return processed_dir.resolve() if processed_dir.is_symlink() else None


def new_generation(processed_dir: Path) -> Path:
    """A fresh, empty generation folder for ``processed_dir``, named by time, pid and a random part."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    folder = paths.generations_dir(processed_dir) / f"{stamp}-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    folder.mkdir(parents=True)
    return folder


def switch_generation(processed_dir: Path, generation: Path) -> None:
    """Point ``processed_dir`` at ``generation`` in one step (a new link renamed over the old one).

    A ``processed_dir`` that is still a plain folder (the layout before generations) is first moved
    into the generations folder, so its files are kept until the next clean removes them.
    """
    processed_dir = Path(processed_dir)
    link = processed_dir.with_name(f".{processed_dir.name}.{os.getpid()}.{uuid.uuid4().hex[:12]}.tmp")
    os.symlink(os.path.relpath(generation, processed_dir.parent), link)
    try:
        if processed_dir.exists() and not processed_dir.is_symlink():
            legacy = paths.generations_dir(processed_dir) / f"legacy-{os.getpid()}-{uuid.uuid4().hex[:8]}"
            os.rename(processed_dir, legacy)
        os.replace(link, processed_dir)
    finally:
        if link.is_symlink():
            link.unlink()


def remove_stale(processed_dir: Path) -> list[Path]:
    """Remove what killed runs left: generations nothing links to and temporary files, whose writer is gone.

    The current generation and anything a live process is writing are kept; returns what was removed.
    """
    processed_dir = Path(processed_dir)
    current = current_generation(processed_dir)
    removed: list[Path] = []
    folder = paths.generations_dir(processed_dir)
    if folder.exists():
        for generation in folder.iterdir():
            pid = _writer_pid(generation.name)
            # Another live process may still be writing (or about to switch to) its generation; this process is not.
            if generation == current or (pid is not None and pid != os.getpid() and _pid_alive(pid)):
                continue
            shutil.rmtree(generation, ignore_errors=True)
            removed.append(generation)
    for root in (processed_dir.parent, current):
        if root is None or not root.exists():
            continue
        candidates = (
            root.glob(f".{processed_dir.name}.*.tmp") if root == processed_dir.parent else root.rglob(TEMP_GLOB)
        )
        for tmp in candidates:
            pid = _writer_pid(tmp.name)
            if pid is None or (pid != os.getpid() and not _pid_alive(pid)):
                tmp.unlink(missing_ok=True)
                removed.append(tmp)
    return removed


def verify(path: Path, processed_dir: Path | str | None = None) -> None:
    """Stop unless ``path`` (a file of the current generation) has the sha256 its manifest records."""
    path = Path(path).resolve()
    info = path.stat()
    stamp = (str(path), info.st_size, info.st_mtime_ns, info.st_ino)
    if stamp in _VERIFIED:
        return
    root = Path(processed_dir or paths.PROCESSED).resolve()
    if not (root / paths.MANIFEST).exists() or "outputs" not in manifest(root):
        return  # not written by `clean` (a test's hand-made folder): nothing to check against
    recorded = manifest(root)["outputs"]
    name = path.relative_to(root).as_posix()
    if name not in recorded:
        raise AnalysisError(f"{path}: not listed in {root / paths.MANIFEST}; run `python -m analysis clean` again")
    if sha256_file(path) != recorded[name]:
        raise AnalysisError(
            f"{path}: its sha256 does not match {root / paths.MANIFEST} (the file was changed or only partly "
            "written after cleaning); run `python -m analysis clean` again"
        )
    _VERIFIED.add(stamp)


DEMO_BANNER = "SYNTHETIC DEMO DATA: not the bureau's records"


def load(dataset: str, processed_dir: Path | str | None = None) -> pd.DataFrame:
    """One cleaned data set as a typed frame, its sha256 checked against the manifest (once per process)."""
    # Resolve the link once: the file and the manifest it is checked against come from one generation.
    root = Path(processed_dir or paths.PROCESSED).resolve()
    path = paths.processed_file(dataset, root)
    if not path.exists():
        raise AnalysisError(f"{path}: not found; run `python -m analysis clean` first")
    verify(path, root)
    return pd.read_parquet(path)


def manifest(processed_dir: Path | str | None = None) -> dict:
    """The manifest written by cleaning: hashes, row counts, and whether the data is synthetic."""
    path = Path(processed_dir or paths.PROCESSED) / paths.MANIFEST
    if not path.exists():
        raise AnalysisError(f"{path}: not found; run `python -m analysis clean` first")
    return json.loads(path.read_text(encoding="utf-8"))


def is_synthetic(processed_dir: Path | str | None = None) -> bool:
    """True when the cleaned data came from the demo generator (its marker was in data/raw)."""
    return bool(manifest(processed_dir).get("synthetic", False))


def banner_html(processed_dir: Path | str | None = None) -> str:
    """The demo-data banner for the top of a report ("" on real data)."""
    if not is_synthetic(processed_dir):
        return ""
    return (
        '<div class="demo-banner" style="background:#c00000;color:#fff;padding:8px 12px;font-weight:bold;">'
        f"{DEMO_BANNER}. Figures are calibrated to the published report and show how the analysis works; "
        "they are not evidence about the county.</div>"
    )


def require_columns(frame: pd.DataFrame, columns, name: str) -> None:
    """KeyError naming the data set and the columns a function needs but ``frame`` lacks."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise KeyError(f"{name} lacks column(s) {missing}")
