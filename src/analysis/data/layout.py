"""What ``data/raw`` holds: one county's exports (the default) or a province, one folder per county.

- **county** layout: the contract's files directly in ``data/raw`` (``survey_responses.csv``, ...),
  as today; the processed data set is ``data/processed`` itself.
- **province** layout: no contract file in ``data/raw``, and one sub-folder per county
  (``data/raw/<county>/``), each holding that bureau's contract files.  Each county is cleaned into
  ``<processed>/county=<slug>/`` (hive-style partitions), beside the province's ``manifest.json``.

Both at once (contract files beside county folders) is refused: which one is meant cannot be told.
Neither (no contract file anywhere) is refused too.  Other files (README.md, the demo's SYNTHETIC
marker, a folder without contract files) are ignored.  A county's name comes from its folder; its
spellings (pinyin, Chinese) from ``data/reference/aliases.csv`` (kind ``county``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from analysis.core import reference
from analysis.core.errors import AnalysisError
from analysis.data.contract import RAW_FILES
from analysis.data.normalise import match_key

COUNTY = "county"
PROVINCE = "province"
PARTITION = "county"  # the hive partition key: <processed>/county=<slug>/


@dataclass(frozen=True)
class County:
    """One county of a province: its raw folder and its names."""

    folder: Path  # data/raw/<folder name>
    slug: str  # the partition value and the reports' folder: lower-case ASCII (the pinyin)
    name: str  # canonical (English/pinyin) name, from the aliases ("Baoying")
    name_zh: str  # the Chinese name from the aliases ("宝应"), else the folder name

    @property
    def partition(self) -> str:
        """The county's folder under the processed province root: ``county=<slug>``."""
        return f"{PARTITION}={self.slug}"

    def processed_dir(self, processed_root: Path) -> Path:
        return Path(processed_root) / self.partition


@dataclass(frozen=True)
class Layout:
    kind: str  # COUNTY or PROVINCE
    raw_dir: Path
    counties: tuple[County, ...] = ()  # PROVINCE only

    @property
    def is_province(self) -> bool:
        return self.kind == PROVINCE

    def county(self, slug: str) -> County:
        for c in self.counties:
            if c.slug == slug:
                return c
        raise AnalysisError(
            f"{self.raw_dir}: no county {slug!r} (counties: {', '.join(c.slug for c in self.counties)})"
        )


def contract_files(folder: Path) -> list[Path]:
    """The files of ``folder`` that are contract exports (by stem: ``survey_responses.csv``, ``.xlsx``...)."""
    stems = {spec.stem.lower() for spec in RAW_FILES}
    return sorted(
        p for p in Path(folder).iterdir() if p.is_file() and not p.name.startswith(".") and p.stem.lower() in stems
    )


def slug_of(folder_name: str) -> str:
    """The partition value of a county folder: lower case, ASCII letters, digits and '-' ('Bao Ying' -> 'bao-ying')."""
    text = re.sub(r"[^a-z0-9]+", "-", folder_name.strip().lower()).strip("-")
    return text


def county_names(folder_name: str, aliases=None) -> tuple[str, str]:
    """(canonical name, Chinese name) of a county folder, from the aliases (kind ``county``).

    A folder the aliases do not know keeps its own name for both.
    """
    table = reference.aliases() if aliases is None else aliases
    table = table[table["kind"] == COUNTY]
    key = match_key(folder_name)
    hits = table[[match_key(a) == key for a in table["alias"]]]
    if hits.empty:
        return folder_name, folder_name
    canonical = str(hits["canonical"].iloc[0])
    spellings = table.loc[table["canonical"] == canonical, "alias"].astype(str)
    chinese = [s for s in spellings if re.search(r"[\u4e00-\u9fff]", s)]
    return canonical, (chinese[0] if chinese else canonical)


def detect_layout(raw_dir: Path, *, aliases=None) -> Layout:
    """The layout of ``raw_dir``; AnalysisError naming the folder when it is mixed, empty or ambiguous."""
    raw_dir = Path(raw_dir)
    if not raw_dir.is_dir():
        raise AnalysisError(f"{raw_dir}: the raw data folder does not exist (put the exports there, or run demo-data)")
    top = contract_files(raw_dir)
    folders = sorted(p for p in raw_dir.iterdir() if p.is_dir() and not p.name.startswith((".", "_")))
    county_folders = [p for p in folders if contract_files(p)]
    if top and county_folders:
        raise AnalysisError(
            f"{raw_dir}: holds both exports ({', '.join(p.name for p in top[:3])}) and county folders "
            f"({', '.join(p.name for p in county_folders[:3])}); keep one county's exports in {raw_dir}, "
            "or one folder per county, not both"
        )
    if top:
        return Layout(COUNTY, raw_dir)
    if not county_folders:
        raise AnalysisError(
            f"{raw_dir}: no exports found (expected the contract's files, e.g. "
            f"{RAW_FILES[0].stem}.csv, or one folder per county holding them)"
        )
    counties = []
    for folder in county_folders:
        slug = slug_of(folder.name)
        if not slug:
            raise AnalysisError(f"{folder}: a county folder needs a name in letters or digits (pinyin), e.g. baoying")
        name, name_zh = county_names(folder.name, aliases)
        counties.append(County(folder, slug, name, name_zh))
    slugs = [c.slug for c in counties]
    dupes = sorted({s for s in slugs if slugs.count(s) > 1})
    if dupes:
        raise AnalysisError(f"{raw_dir}: two county folders have the same name once normalised: {', '.join(dupes)}")
    return Layout(PROVINCE, raw_dir, tuple(counties))


def is_province(raw_dir: Path) -> bool:
    """True when ``raw_dir`` is a province (county folders); False for one county or no raw folder yet.

    A mixed folder raises (see ``detect_layout``); an empty or missing one is not a province (the
    cleaning then reports its missing files, as for one county).
    """
    raw_dir = Path(raw_dir)
    if not raw_dir.is_dir():
        return False
    try:
        return detect_layout(raw_dir).is_province
    except AnalysisError:
        if contract_files(raw_dir):
            raise  # mixed
        if any(p.is_dir() and contract_files(p) for p in raw_dir.iterdir()):
            raise
        return False
