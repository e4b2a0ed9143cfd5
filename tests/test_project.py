"""The project's front doors: make, the command line, CI, and notebooks committed without bulky outputs."""

from __future__ import annotations

import subprocess
import sys

import nbformat
import pytest

from analysis.batch.notebook_outputs import is_checked
from analysis.core import paths


def test_bare_make_lists_the_targets():
    out = subprocess.run(["make", "-s"], cwd=paths.ROOT, capture_output=True, text=True, check=True).stdout
    for target in ("reports", "test", "lab", "install", "demo-data"):
        assert f"make {target}" in out


def test_command_line_help_lists_the_subcommands():
    out = subprocess.run(
        [sys.executable, "-m", "analysis", "--help"], capture_output=True, text=True, check=True
    ).stdout
    for command in ("demo-data", "clean", "key-figures", "run", "contract-doc", "accept-outputs"):
        assert command in out


def test_required_layout_and_ci_entry():
    for folder in ("notebooks", "data/raw", "data/processed", "src/analysis", "tests", "reports"):
        assert (paths.ROOT / folder).is_dir(), folder
    assert (paths.ROOT / "environment.yml").exists()
    assert "make test" in (paths.ROOT / ".ci" / "run").read_text()
    assert "export CI=true" in (paths.ROOT / ".ci" / "run").read_text()  # the skips CI may not have fail there


@pytest.mark.parametrize("notebook", sorted(paths.NOTEBOOKS.glob("*.ipynb")), ids=lambda p: p.name)
def test_notebooks_are_committed_thin(notebook):
    nb = nbformat.read(notebook, as_version=4)
    assert sum("parameters" in c.metadata.get("tags", []) for c in nb.cells) == 1, "one parameters cell"
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        assert "injected-parameters" not in cell.metadata.get("tags", [])
        for output in cell.get("outputs", []):
            assert is_checked(cell), f"only checked cells keep outputs: {cell.source[:60]!r}"
            assert output["output_type"] == "stream", "no images or rich outputs committed"


def test_the_notebook_output_check_passes_here_and_fails_on_a_bulky_notebook(tmp_path):
    from analysis.batch.notebook_outputs import unstripped

    assert unstripped(sorted(paths.NOTEBOOKS.glob("*.ipynb"))) == []
    nb = nbformat.read(paths.NOTEBOOKS / "00_clean.ipynb", as_version=4)
    code = next(c for c in nb.cells if c.cell_type == "code" and not is_checked(c))
    code.outputs = [nbformat.v4.new_output("display_data", data={"image/png": "iVBORw0KGgo="})]
    bulky = tmp_path / "bulky.ipynb"
    nbformat.write(nb, bulky)
    assert unstripped([bulky]) == [bulky]


def test_pre_commit_runs_ruff_at_the_pinned_version_and_the_notebook_check():
    import tomllib

    import yaml

    config = yaml.safe_load((paths.ROOT / ".pre-commit-config.yaml").read_text())
    pinned = next(
        d
        for d in tomllib.loads((paths.ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]["dev"]
        if d.startswith("ruff==")
    )
    ruff = next(r for r in config["repos"] if "ruff-pre-commit" in r["repo"])
    assert ruff["rev"] == "v" + pinned.split("==")[1]
    hooks = {h["id"] for r in config["repos"] for h in r["hooks"]}
    assert {"ruff-check", "ruff-format", "notebook-outputs"} <= hooks


@pytest.mark.parametrize("uid, allowed", [("0", True), ("1000", False)], ids=["root", "user"])
def test_make_lab_allows_root_only_when_root(tmp_path, uid, allowed):
    """Jupyter stops as root without --allow-root; a normal user must not get the flag (it means nothing there)."""
    import os

    fake = tmp_path / "id"
    fake.write_text(f"#!/bin/sh\necho {uid}\n")
    fake.chmod(0o755)
    env = {**os.environ, "PATH": f"{tmp_path}:{os.environ['PATH']}"}
    out = subprocess.run(
        ["make", "-n", "-o", ".venv/.installed", "lab"],
        cwd=paths.ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    (command,) = [line for line in out.splitlines() if "jupyter lab" in line]
    assert command.endswith("--notebook-dir=notebooks --allow-root" if allowed else "--notebook-dir=notebooks")


PLANTED_SKIPS = """
import pytest

@pytest.mark.browser
@pytest.mark.skipif(True, reason="no chromium here")
def test_in_browser():
    pass

@pytest.mark.needs_r
def test_with_r():
    pytest.skip("no Rscript here")

@pytest.mark.skipif(True, reason="an ordinary skip")
def test_other():
    pass

def test_plain():
    from hypothesis import settings

    print("derandomize", settings.default.derandomize)
"""


@pytest.mark.parametrize("ci", ["", "true"], ids=["local", "CI=true"])
def test_skipped_browser_and_r_tests_are_named_and_fail_in_ci(tmp_path, ci):
    import os

    (tmp_path / "test_planted.py").write_text(PLANTED_SKIPS)
    env = {k: v for k, v in os.environ.items() if k != "CI"} | {"PYTHONPATH": str(paths.ROOT / "tests")}
    if ci:
        env["CI"] = ci
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "ci_rules",
            "-p",
            "no:randomly",
            "-p",
            "no:cacheprovider",
            "-c",
            "/dev/null",
        ]
        + ["-s", "--rootdir", str(tmp_path), str(tmp_path / "test_planted.py")],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
    )
    summary = run.stdout.strip().splitlines()[-1]
    if ci:
        assert run.returncode == 1, run.stdout
        # A skip at set-up (skipif) turned failure counts as an error, one in the test body as failed.
        for part in ("1 failed", "1 error", "1 passed", "1 skipped"):
            assert part in summary, summary
        assert "CI=true: a 'browser' test may not be skipped in CI (no chromium here)" in run.stdout
        assert "CI=true: a 'needs_r' test may not be skipped in CI" in run.stdout
        assert "derandomize True" in run.stdout  # Hypothesis's ci profile: the same examples every run
    else:
        assert run.returncode == 0, run.stdout
        for part in ("1 passed", "1 skipped", "1 browser-skipped", "1 R-skipped"):
            assert part in summary, summary
        assert "derandomize False" in run.stdout
