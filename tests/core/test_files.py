"""The one atomic writer and the hashes: the target is old or new, never half; failures leave no temp files."""

from __future__ import annotations

import hashlib
import json
import os

import pandas as pd
import pytest

from analysis.core.files import (
    TEMP_GLOB,
    atomic_files,
    code_version,
    copy_atomic,
    publish_folder,
    sha256_file,
    sha256_json,
    temp_path_for,
    tree_hashes,
    write_atomic,
    write_atomic_with,
)


def _names(folder) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_write_atomic_replaces_text_and_bytes_and_leaves_nothing_beside(tmp_path):
    target = tmp_path / "sub" / "a.html"
    assert write_atomic(target, "old ä") == target
    write_atomic(target, "new 新")
    assert target.read_text(encoding="utf-8") == "new 新"
    write_atomic(target, b"\x00\x01")
    assert target.read_bytes() == b"\x00\x01"
    assert _names(target.parent) == ["a.html"]


def test_temp_files_sit_beside_the_target_hidden_with_the_writers_pid(tmp_path):
    tmp = temp_path_for(tmp_path / "report.html")
    assert tmp.parent == tmp_path and tmp.match(TEMP_GLOB)
    assert tmp.name.startswith(f".report.html.{os.getpid()}.")
    assert temp_path_for(tmp_path / "report.html") != tmp  # two threads never share one


def test_a_failing_writer_removes_its_temp_file_and_keeps_the_old_target(tmp_path):
    target = tmp_path / "data.parquet"
    write_atomic(target, b"old")
    seen = []

    def half_then_fail(tmp):
        seen.append(tmp)
        tmp.write_bytes(b"half of the new conte")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        write_atomic_with(target, half_then_fail)
    assert target.read_bytes() == b"old"
    assert not seen[0].exists() and _names(tmp_path) == ["data.parquet"]


def test_an_interrupt_while_writing_also_removes_the_temp_file(tmp_path):
    target = tmp_path / "x.csv"

    def interrupted(tmp):
        tmp.write_text("a,b\n")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        write_atomic_with(target, interrupted)
    assert _names(tmp_path) == []


def test_the_target_is_never_half_written(tmp_path):
    """While the writer is still writing, the target holds the whole old content."""
    target = tmp_path / "k.csv"
    write_atomic(target, "id,value\nold,1\n")
    during = []

    def slow_writer(tmp):
        with open(tmp, "w", encoding="utf-8") as handle:
            handle.write("id,value\n")
            handle.flush()
            during.append(target.read_text(encoding="utf-8"))
            handle.write("new,2\n")

    write_atomic_with(target, slow_writer)
    assert during == ["id,value\nold,1\n"]
    assert target.read_text(encoding="utf-8") == "id,value\nnew,2\n"


def test_the_callable_form_takes_path_writers_such_as_parquet_and_csv(tmp_path):
    frame = pd.DataFrame({"district": ["Anyi", "Xi'anfeng"], "n": [3, 4]})
    parquet = write_atomic_with(tmp_path / "f.parquet", lambda tmp: frame.to_parquet(tmp, index=False))
    csv = write_atomic_with(tmp_path / "f.csv", lambda tmp: frame.to_csv(tmp, index=False))
    pd.testing.assert_frame_equal(pd.read_parquet(parquet), frame)
    assert csv.read_text(encoding="utf-8") == "district,n\nAnyi,3\nXi'anfeng,4\n"
    assert _names(tmp_path) == ["f.csv", "f.parquet"]


def test_copy_atomic_copies_and_a_missing_source_leaves_no_trace(tmp_path):
    (tmp_path / "src.ipynb").write_text("{}", encoding="utf-8")
    copy_atomic(tmp_path / "src.ipynb", tmp_path / "kept" / "dst.ipynb")
    assert (tmp_path / "kept" / "dst.ipynb").read_text(encoding="utf-8") == "{}"
    with pytest.raises(FileNotFoundError):
        copy_atomic(tmp_path / "nosuch.ipynb", tmp_path / "kept" / "other.ipynb")
    assert _names(tmp_path / "kept") == ["dst.ipynb"]


def test_atomic_files_move_in_together_or_not_at_all(tmp_path):
    (tmp_path / "a.csv").write_text("old a", encoding="utf-8")
    with pytest.raises(ValueError, match="second export broke"), atomic_files() as files:
        files.path_for(tmp_path / "a.csv").write_text("new a", encoding="utf-8")
        files.path_for(tmp_path / "b.csv").write_text("new b", encoding="utf-8")
        raise ValueError("second export broke")
    assert _names(tmp_path) == ["a.csv"] and (tmp_path / "a.csv").read_text(encoding="utf-8") == "old a"

    with atomic_files() as files:
        files.path_for(tmp_path / "a.csv").write_text("new a", encoding="utf-8")
        files.path_for(tmp_path / "b.csv").write_text("new b", encoding="utf-8")
        assert (tmp_path / "a.csv").read_text(encoding="utf-8") == "old a"  # not before the block ends
    assert [(tmp_path / n).read_text(encoding="utf-8") for n in ("a.csv", "b.csv")] == ["new a", "new b"]
    assert _names(tmp_path) == ["a.csv", "b.csv"]


def test_publish_folder_moves_new_files_and_drops_stale_ones(tmp_path):
    staged, final = tmp_path / "staged", tmp_path / "final"
    (staged / "sub").mkdir(parents=True)
    (staged / "new.png").write_bytes(b"1")
    (staged / "sub" / "x.svg").write_bytes(b"2")
    (final / "gone").mkdir(parents=True)
    (final / "stale.png").write_bytes(b"0")
    (final / "gone" / "old.svg").write_bytes(b"0")
    publish_folder(staged, final)
    assert sorted(p.relative_to(final).as_posix() for p in final.rglob("*")) == ["new.png", "sub", "sub/x.svg"]
    assert (final / "sub" / "x.svg").read_bytes() == b"2"


def test_hashes_match_hashlib_and_ignore_caches_and_temp_files(tmp_path):
    (tmp_path / "a.py").write_bytes(b"x = 1\n")
    (tmp_path / "pkg" / "__pycache__").mkdir(parents=True)
    (tmp_path / "pkg" / "b.csv").write_bytes(b"id\n")
    (tmp_path / "pkg" / "__pycache__" / "b.pyc").write_bytes(b"\x00")
    (tmp_path / ".a.py.123.abc.tmp").write_bytes(b"half")
    expected_a = hashlib.sha256(b"x = 1\n").hexdigest()
    assert sha256_file(tmp_path / "a.py") == expected_a
    assert tree_hashes(tmp_path) == {"a.py": expected_a, "pkg/b.csv": hashlib.sha256(b"id\n").hexdigest()}
    assert tree_hashes(tmp_path, ("*.csv",)) == {"pkg/b.csv": hashlib.sha256(b"id\n").hexdigest()}
    assert tree_hashes(tmp_path / "nosuch") == {}
    assert sha256_json({"b": 1, "a": [2]}) == hashlib.sha256(json.dumps({"a": [2], "b": 1}).encode()).hexdigest()
    assert sha256_json({"a": 1}) != sha256_json({"a": 2})


def test_code_version_follows_code_reference_data_and_lock_not_caches(tmp_path):
    package, reference, lock = tmp_path / "pkg", tmp_path / "reference", tmp_path / "requirements.lock"
    (package / "__pycache__").mkdir(parents=True)
    reference.mkdir()
    (package / "a.py").write_text("x = 1\n")
    (reference / "rules.csv").write_text("rule,value\npass,70\n")
    lock.write_text("pandas==3.1.1\n")
    first = code_version(package, reference, lock)
    assert len(first) == 64 and code_version(package, reference, lock) == first
    (package / "__pycache__" / "a.pyc").write_bytes(b"\x00")
    (package / "notes.txt").write_text("not code")
    assert code_version(package, reference, lock) == first
    changes = [
        lambda: (package / "a.py").write_text("x = 2\n"),
        lambda: (reference / "rules.csv").write_text("rule,value\npass,80\n"),
        lambda: lock.write_text("pandas==3.1.2\n"),
    ]
    seen = {first}
    for change in changes:
        change()
        now = code_version(package, reference, lock)
        assert now not in seen
        seen.add(now)
