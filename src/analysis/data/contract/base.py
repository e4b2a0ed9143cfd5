"""Building blocks of the raw-data contract: what a column and a file must look like."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

# Column kinds and what cleaning does with them (see docs/data-contract.md):
#   id        code-like key: NFKC, whitespace removed, upper case
#   text      free text: NFKC, trimmed; kept as typed (escaped when shown)
#   name      a person's name: personal data, never written to data/processed
#   officer   police number: personal data, replaced by a keyed pseudonym ``officer_id``
#   int/float number, optionally bounded
#   date      a day, in any of the accepted formats (docs/data-contract.md)
#   month     a calendar month, written YYYY-MM
#   category  one of ``allowed`` (canonical code -> accepted spellings)
#   bool      yes/no, with Chinese spellings
#   likert    1-5, or the don't-know code 9; blank is item non-response
#   unit      a police unit, canonicalised through data/reference/aliases.csv
#   district  a district of the county, canonicalised the same way
#
# Where a bad value lands: a row-level column (the default: keys, references, required fields, dates that
# place a record) quarantines the whole row; a cell-level column (``cell_level=True``, optional answers and
# profile fields) makes only that value missing, logged in quarantine/<dataset>.cells.csv, and the row stays.
KINDS = {
    "id",
    "text",
    "name",
    "officer",
    "int",
    "float",
    "date",
    "month",
    "category",
    "bool",
    "likert",
    "unit",
    "district",
}

LIKERT_VALID = (1, 2, 3, 4, 5)
LIKERT_DONT_KNOW = 9

YES = ("yes", "y", "true", "1", "是", "有", "√")
NO = ("no", "n", "false", "0", "否", "无", "×")


@dataclass(frozen=True)
class Column:
    name: str
    kind: str
    aliases: tuple[str, ...] = ()
    nullable: bool = False
    allowed: Mapping[str, tuple[str, ...]] | None = None
    minimum: float | None = None
    maximum: float | None = None
    description: str = ""
    #: an invalid value makes only this cell missing (logged), not the whole row quarantined
    cell_level: bool = False
    #: dates and months: the plausible period ("campaign": around the campaign year; "career": an officer's service)
    period: str = "campaign"

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"column {self.name}: unknown kind {self.kind!r}")
        if (self.kind == "category") != (self.allowed is not None):
            raise ValueError(f"column {self.name}: categories need allowed values, and only they")
        if self.cell_level and not self.nullable:
            raise ValueError(f"column {self.name}: only an optional column can set a bad value missing")

    @property
    def headers(self) -> tuple[str, ...]:
        """Every header accepted for this column, the canonical name first."""
        return (self.name, *self.aliases)

    @property
    def personal(self) -> bool:
        return self.kind in ("name", "officer")

    @property
    def processed_name(self) -> str | None:
        """Column name in data/processed: officers become ``officer_id``; names are dropped."""
        if self.kind == "name":
            return None
        if self.kind == "officer":
            return "officer_id" if self.name == "police_number" else self.name.replace("police_number", "officer_id")
        return self.name


@dataclass(frozen=True)
class RawFile:
    dataset: str
    stem: str
    description: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    owner: str = ""
    # Foreign keys checked row by row: column -> (dataset, column).
    references: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    #: the worksheet of an .xlsx export; None: the only sheet, or the only one whose headers match
    sheet: str | None = None

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(f"{self.dataset} has no column {name!r}")

    @property
    def cell_level_columns(self) -> list[str]:
        return [c.name for c in self.columns if c.cell_level]

    @property
    def processed_columns(self) -> list[str]:
        return [c.processed_name for c in self.columns if c.processed_name]
