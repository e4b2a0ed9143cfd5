"""File I/O every layer shares: atomic writes, and the sha256 hashes that say what produced an output.

An output is written to a temporary file beside its target and moved into place with ``os.replace``
(atomic on one file system), so a reader sees the old file or the new one, never half of one; a
failed or interrupted write leaves the target as it was.  Temporary files are named
``.<target name>.<pid>.<random>.tmp`` (``TEMP_GLOB`` finds them): hidden, beside their target, and
naming the process that wrote them, so a later clean-up can tell a killed run's leftovers from a
live run's files.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from analysis.core import paths

if TYPE_CHECKING:  # pandas is imported where used: `run` with nothing to do never loads it
    import pandas as pd

TEMP_GLOB = ".*.tmp"

# What the outputs are made by, besides the data: the package's code and templates, the reference
# data it reads, and the pinned dependencies.
CODE_PATTERNS = ("*.py", "*.j2", "*.css", "*.yml", "*.csv")
PACKAGE = Path(__file__).resolve().parents[1]


def temp_path_for(target: Path) -> Path:
    """A fresh temporary name beside ``target``: ``.<name>.<pid>.<random>.tmp``."""
    target = Path(target)
    return target.with_name(f".{target.name}.{os.getpid()}.{uuid.uuid4().hex[:12]}.tmp")


class AtomicFiles:
    """Several outputs written to temporary names, moved into place only when every one is written.

    ``path_for(target)`` gives the temporary path to write ``target``'s content to.  ``commit`` moves
    them into place in the order asked for (each move atomic; the set as a whole is not);
    ``discard`` removes them.  Use through ``atomic_files()``.
    """

    def __init__(self) -> None:
        self._pending: list[tuple[Path, Path]] = []

    def path_for(self, target: Path) -> Path:
        target = Path(target)
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = temp_path_for(target)
        self._pending.append((tmp, target))
        return tmp

    def commit(self) -> None:
        while self._pending:
            tmp, target = self._pending[0]
            os.replace(tmp, target)
            self._pending.pop(0)

    def discard(self) -> None:
        for tmp, _ in self._pending:
            tmp.unlink(missing_ok=True)
        self._pending.clear()


@contextmanager
def atomic_files() -> Iterator[AtomicFiles]:
    """Write outputs with ``files.path_for(target)``; on leaving the block all are moved into place,
    or, if the block raised (Ctrl-C included), all temporary files are removed and no target changes."""
    files = AtomicFiles()
    try:
        yield files
        files.commit()
    finally:
        files.discard()  # after a commit: nothing left; after a failure: the temporary files


def write_atomic_with(path: Path, write: Callable[[Path], object]) -> Path:
    """Have ``write(tmp)`` write the content to a temporary path, then move it onto ``path``; returns ``path``.

    For writers that take a path (``DataFrame.to_parquet``, ``to_csv``, ``shutil.copyfile``).  If
    ``write`` raises, the temporary file is removed and ``path`` is untouched.
    """
    path = Path(path)
    with atomic_files() as files:
        write(files.path_for(path))
    return path


def write_atomic(path: Path, data: str | bytes) -> Path:
    """Write ``data`` (text as UTF-8, or bytes) to ``path`` in one step; returns ``path``."""

    def write(tmp: Path) -> None:
        # "x": the name is fresh, so an existing file there would be someone else's.
        if isinstance(data, bytes):
            with open(tmp, "xb") as handle:
                handle.write(data)
        else:
            with open(tmp, "x", encoding="utf-8") as handle:
                handle.write(data)

    return write_atomic_with(path, write)


def copy_atomic(source: Path, target: Path) -> Path:
    """Copy ``source`` onto ``target`` in one step; returns ``target``."""
    return write_atomic_with(target, lambda tmp: shutil.copyfile(source, tmp))


def publish_folder(staged: Path, final: Path) -> None:
    """Make ``final`` hold exactly the files of ``staged``: each file moved in atomically, stale files removed.

    ``staged`` must be on the same file system as ``final`` (a staging folder beside it).
    """
    final.mkdir(parents=True, exist_ok=True)
    new = {p.relative_to(staged) for p in staged.rglob("*") if p.is_file()} if staged.exists() else set()
    for rel in sorted(new):
        (final / rel).parent.mkdir(parents=True, exist_ok=True)
        os.replace(staged / rel, final / rel)
    for p in sorted(final.rglob("*"), reverse=True):
        if p.is_file() and p.relative_to(final) not in new:
            p.unlink()
        elif p.is_dir() and not any(p.iterdir()):
            p.rmdir()


# ----------------------------------------------------------------------------- CSV for people
# A CSV cell a spreadsheet would run as a formula (OWASP "CSV injection"): prefixed with ' unless a number.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def neutralise_csv(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells cannot run as spreadsheet formulas (column names included).

    A text cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading
    ``'`` unless it reads as a number ("-3.5" stays); numeric columns are left as they are.
    """

    import pandas as pd

    def cell(value):
        if isinstance(value, str) and value.startswith(FORMULA_START) and not _is_number(value):
            return "'" + value
        return value

    out = frame.copy()
    for column in out.columns:
        if not (pd.api.types.is_numeric_dtype(out[column]) or pd.api.types.is_datetime64_any_dtype(out[column])):
            out[column] = out[column].map(cell)
    out.columns = [cell(str(c)) for c in out.columns]
    return out


def write_csv(path: Path, frame: pd.DataFrame, **to_csv: Any) -> Path:
    """Write ``frame`` as a CSV an analyst may open in Excel or WPS: cells neutralised, UTF-8, atomically.

    The one writer of every CSV written for people (quarantine files, cell logs, key figures,
    estimates, chart data); ``to_csv`` goes to ``DataFrame.to_csv`` (``float_format``, say).
    """
    safe = neutralise_csv(frame)
    options = {"index": False, "encoding": "utf-8", **to_csv}
    return write_atomic_with(path, lambda tmp: safe.to_csv(tmp, **options))


# ----------------------------------------------------------------------------- hashes
def sha256_file(path: Path, chunk: int = 1 << 20) -> str:
    """Hex sha256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def sha256_json(obj: Any) -> str:
    """Hex sha256 of ``obj`` as canonical JSON (sorted keys; other types by ``str``)."""
    return hashlib.sha256(json.dumps(obj, sort_keys=True, default=str).encode()).hexdigest()


def tree_hashes(folder: Path, patterns: Iterable[str] = ("*",)) -> dict[str, str]:
    """sha256 of every file under ``folder`` matching ``patterns``: relative POSIX path -> hash, sorted.

    ``__pycache__`` and this module's own temporary files are left out; a missing folder gives ``{}``.
    """
    folder = Path(folder)
    if not folder.exists():
        return {}
    out = {}
    for pattern in patterns:
        for p in folder.rglob(pattern):
            if p.is_file() and "__pycache__" not in p.parts and not p.match(TEMP_GLOB):
                out[p.relative_to(folder).as_posix()] = sha256_file(p)
    return dict(sorted(out.items()))


def lock_hash() -> str:
    """sha256 of requirements.lock (the pinned dependencies), or "none" without one."""
    return sha256_file(paths.LOCK_FILE) if paths.LOCK_FILE.exists() else "none"


def code_version(package: Path, reference: Path, lock: Path) -> str:
    """sha256 of the code files under ``package`` (``CODE_PATTERNS``), every file under ``reference``, and ``lock``."""
    return sha256_json(
        {
            "package": tree_hashes(package, CODE_PATTERNS),
            "reference": tree_hashes(reference),
            "lock": sha256_file(lock) if Path(lock).exists() else "none",
        }
    )


@lru_cache(maxsize=1)
def code_hash() -> str:
    """``code_version`` of this installation: what turns data into outputs (package, reference data, lock).

    The one code version recorded in data/processed/manifest.json and in every report's cache key.
    """
    # ASSUMPTION(code-in-cache-key): any change under src/analysis, data/reference or the lock re-cleans and reruns every report (conservative: nothing is kept that older code built).
    return code_version(PACKAGE, paths.REFERENCE, paths.LOCK_FILE)
