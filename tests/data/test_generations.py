"""The processed data set is replaced as a whole (issue 14 item 8): generations, one switch, hashes checked."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pandas as pd
import pytest

from analysis.core import paths
from analysis.core.errors import AnalysisError
from analysis.data import processed
from analysis.data.cleaning import clean_all
from minimal_raw import ROWS, write_minimal_raw

TESTS = Path(__file__).resolve().parents[1]


def households(raw: Path, anyi: str) -> None:
    write_minimal_raw(raw, rows={"households": [{**ROWS["households"][0], "households": anyi}, ROWS["households"][1]]})


def test_clean_switches_the_link_to_a_new_generation_and_keeps_at_most_the_previous(tmp_path):
    raw, out = write_minimal_raw(tmp_path / "raw"), tmp_path / "processed"
    clean_all(raw, out)
    first = processed.current_generation(out)
    households(raw, "6000")
    clean_all(raw, out)
    second = processed.current_generation(out)
    assert out.is_symlink() and first != second and second.parent == paths.generations_dir(out)
    assert processed.load("households", out)["households"].tolist() == [6000, 3000]
    clean_all(raw, out)
    assert first not in set(paths.generations_dir(out).iterdir()), "generations before the previous one are removed"
    assert len(list(paths.generations_dir(out).iterdir())) <= 2


def test_a_file_changed_after_cleaning_is_refused_on_read(tmp_path):
    raw, out = write_minimal_raw(tmp_path / "raw"), tmp_path / "processed"
    clean_all(raw, out)
    target = out / "households.parquet"
    pd.read_parquet(target).assign(households=[1, 1]).to_parquet(target)
    with pytest.raises(AnalysisError, match=r"households\.parquet: its sha256 does not match .*manifest\.json"):
        processed.load("households", out)
    assert processed.load("officer_roster", out).shape[0] == 2, "the other files still read"


def test_an_old_plain_folder_is_moved_aside_and_replaced_by_the_link(tmp_path):
    raw, out = write_minimal_raw(tmp_path / "raw"), tmp_path / "processed"
    out.mkdir()
    (out / "stale.parquet").write_bytes(b"old")
    clean_all(raw, out)
    assert out.is_symlink() and not (out / "stale.parquet").exists()
    clean_all(raw, out)
    assert not [g for g in paths.generations_dir(out).iterdir() if g.name.startswith("legacy")]


def test_a_killed_clean_leaves_the_previous_data_set_whole_and_the_next_run_tidies_up(tmp_path):
    raw, out = write_minimal_raw(tmp_path / "raw"), tmp_path / "processed"
    clean_all(raw, out)
    before = processed.current_generation(out)
    households(raw, "7000")
    signal_file = tmp_path / "writing"
    # The child cleans for real and stops, for good, after its first quarantine file: mid-write.
    child = textwrap.dedent(
        f"""
        import sys, time
        from pathlib import Path
        from analysis.data import cleaning
        original = cleaning.write_csv
        def write_then_hang(path, frame, **options):
            original(path, frame, **options)
            Path({str(signal_file)!r}).write_text("written")
            time.sleep(3600)
        cleaning.write_csv = write_then_hang
        cleaning.clean_all(Path({str(raw)!r}), Path({str(out)!r}))
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", child], cwd=TESTS)
    try:
        deadline = time.monotonic() + 600  # a loaded machine: wait on the condition, not a fixed time
        while not signal_file.exists():
            assert proc.poll() is None, "the child ended before writing"
            assert time.monotonic() < deadline, "the child never started writing"
            time.sleep(0.1)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait()
    assert processed.current_generation(out) == before
    assert processed.load("households", out)["households"].tolist() == [5000, 3000], "old data, hashes verified"
    leftovers = [g for g in paths.generations_dir(out).iterdir() if g != before]
    assert leftovers, "the killed run's half-written generation is there"
    clean_all(raw, out)
    remaining = set(paths.generations_dir(out).iterdir())
    assert not set(leftovers) & remaining, "the next run removed the killed run's generation"
    assert processed.load("households", out)["households"].tolist() == [7000, 3000]
    assert not list(out.parent.glob(".*.tmp")) and not list(out.rglob("*.tmp"))
