"""The brief as PDF, printed by headless Chromium from the rendered HTML (A4, the page's print stylesheet).

Chromium is looked up as ``ANALYSIS_CHROMIUM`` or on PATH (``chromium``, ``chromium-browser``,
``google-chrome``); without it no PDF is written and the run says so. It runs with a throwaway
profile and with background networking, updates and sync off: the page itself loads nothing.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from analysis.core.files import write_atomic_with

ENV = "ANALYSIS_CHROMIUM"
CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-pdf-header-footer",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-default-apps",
    "--disable-extensions",
    "--disable-sync",
    "--metrics-recording-only",
    "--no-default-browser-check",
    "--no-first-run",
)
TIMEOUT = 120


def find_chromium() -> Path | None:
    """The Chromium to print with, or None when none is installed."""
    named = os.environ.get(ENV)
    if named:
        return Path(named) if Path(named).exists() else None
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return Path(found)
    return None


def print_pdf(html: Path, pdf: Path, chromium: Path) -> Path:
    """Print ``html`` to ``pdf`` (written atomically); RuntimeError naming the page when Chromium fails."""
    html = Path(html).resolve()
    with tempfile.TemporaryDirectory(prefix="analysis-chromium-") as profile:

        def write(tmp: Path) -> None:
            done = subprocess.run(
                [str(chromium), *FLAGS, f"--user-data-dir={profile}", f"--print-to-pdf={tmp}", html.as_uri()],
                capture_output=True,
                text=True,
                timeout=TIMEOUT,
            )
            if done.returncode != 0 or not Path(tmp).exists() or Path(tmp).stat().st_size == 0:
                tail = (done.stderr or "").strip().splitlines()[-1:] or ["no output"]
                raise RuntimeError(f"{html.name}: Chromium could not print it as PDF ({tail[0]})")

        write_atomic_with(Path(pdf), write)
    return Path(pdf)


_PAGE = re.compile(rb"/Type\s*/Page(?![a-zA-Z])")


def page_count(data: bytes) -> int:
    """Pages of a PDF, counted as its page objects (Chromium writes them uncompressed)."""
    return len(_PAGE.findall(data))
