"""What a batch run reports: one ``Outcome`` per report, and the ``RunResult`` of the whole run."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from analysis.batch.schema import Entry, Report

FAILED_DIR = "_failed"


@dataclass
class Outcome:
    report: Report
    status: str  # built | skipped | failed | not-run
    seconds: float = 0.0
    cell_seconds: float = 0.0
    error: dict | None = None
    html: str | None = None
    provenance: dict = field(default_factory=dict)
    failed_notebook: Path | None = None

    def describe_error(self) -> str:
        if not self.error:
            return ""
        e = self.error
        where = f"cell {e.get('cell_index')}" + (f" (In [{e['exec_count']}])" if e.get("exec_count") else "")
        params = ", ".join(f"{k}={v!r}" for k, v in self.report.parameters.items()) or "defaults"
        text = (
            f"{self.report.notebook.name} [{self.report.name}; parameters: {params}]: {where}: "
            f"{e.get('ename')}: {e.get('evalue')}"
        )
        if self.failed_notebook:
            text += f"\n    executed notebook kept at {self.failed_notebook}"
        return text

    def index_row(self) -> dict:
        """The report's row on reports/index.html."""
        r = self.report
        return {
            "name": r.name,
            "entry": r.entry,
            "title": r.title,
            "status": self.status,
            "html": self.html,
            "order": r.order,
            "is_clean": r.is_clean,
            "parameters": r.parameters,
            "provenance": self.provenance,
            "error": self.error,
            "failed_notebook": f"{FAILED_DIR}/{self.failed_notebook.name}" if self.failed_notebook else None,
        }


def missing_row(entry: Entry) -> dict:
    """The index row of a configured report whose notebook does not exist."""
    return {
        "name": entry.name,
        "entry": entry.name,
        "title": entry.title,
        "status": "missing",
        "order": entry.order,
        "is_clean": entry.is_clean,
        "parameters": {},
        "provenance": {},
    }


@dataclass
class RunResult:
    outcomes: list[Outcome]
    seconds: float
    index: Path | None
    # Names of the reports.yml entries whose notebook does not exist: an error of the run.
    missing: list[str] = field(default_factory=list)
    # A province's counties whose cleaning failed (their reports were not built): an error of the run.
    failed_counties: list[str] = field(default_factory=list)

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == "failed"]

    @property
    def exit_code(self) -> int:
        return 1 if self.failed or self.missing or self.failed_counties else 0
