"""One county of the synthetic province: its places, its seeded random streams, and the dirt of its clerks.

County 1 is the default demo.  Counties 2..K (``--scale K``) are copies with their own seeds; their
districts, units and ids carry a county code ("C002 ") so that they stay distinct in one file.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from analysis.core import reference

DISTRICTS = ("Anyi", "Fanshui", "Xi'anfeng", "Dongdang", "Shanyang", "Sheyanghu")
STATIONS = tuple(f"{d} Police Station" for d in DISTRICTS)
BUREAU_UNITS = (
    "Traffic Police Brigade",
    "Criminal Investigation Brigade",
    "Public Security Brigade",
    "Patrol Brigade",
    "Command Centre",
    "Political Department",
    "Legal Affairs Section",
    "Household Registration Section",
    "Supervision Office",
    "Training Section",
)
UNITS = STATIONS + BUREAU_UNITS
# Units whose officers handle cases (their files are evaluated monthly).
CASEWORK_UNITS = STATIONS + (
    "Traffic Police Brigade",
    "Criminal Investigation Brigade",
    "Public Security Brigade",
    "Patrol Brigade",
)

# Stream numbers: each data set draws from its own stream, so changing one module leaves the others' data alone.
STREAMS = {
    "places": 1,
    "survey": 2,
    "responses": 3,
    "opinions": 4,
    "officers": 5,
    "fitness": 6,
    "training": 7,
    "review": 8,
    "cases": 9,
    "competition": 10,
    "campaigns": 11,
}


@lru_cache(maxsize=1)
def _aliases() -> dict[tuple[str, str], tuple[str, ...]]:
    """(kind, canonical) -> the Chinese spellings listed in data/reference/aliases.csv."""
    out: dict[tuple[str, str], list[str]] = {}
    for kind, alias, canonical in reference.aliases()[["kind", "alias", "canonical"]].itertuples(index=False):
        if alias != canonical and not alias.isascii():
            out.setdefault((kind, canonical), []).append(alias)
    return {k: tuple(v) for k, v in out.items()}


def chinese_names(kind: str, canonical: str) -> tuple[str, ...]:
    """The Chinese spellings of a district or unit (aliases.csv), the plain name first."""
    return _aliases().get((kind, canonical), (canonical,))


def fullwidth(s: str) -> str:
    """ASCII letters and digits as their full-width forms (NFKC turns them back)."""
    return "".join(chr(ord(ch) + 0xFEE0) if ch.isascii() and ch.isalnum() else ch for ch in s)


@dataclass(frozen=True)
class County:
    number: int
    seed: int

    @property
    def prefix(self) -> str:
        """County code put before districts, units and ids; empty for county 1 (the default demo)."""
        return "" if self.number == 1 else f"C{self.number:03d} "

    @property
    def id_prefix(self) -> str:
        return "" if self.number == 1 else f"C{self.number:03d}"

    def rng(self, stream: str) -> np.random.Generator:
        return np.random.default_rng([self.seed, self.number, STREAMS[stream]])

    def district(self, canonical: str) -> str:
        return self.prefix + canonical

    def unit(self, canonical: str) -> str:
        return self.prefix + canonical

    # --- dirty spellings --------------------------------------------------------------------------
    def _variants(self, kind: str, canonical: str) -> tuple[list[str], list[str]]:
        """(English-ish spellings, Chinese spellings) that cleaning maps back to ``canonical``."""
        if self.number != 1:
            name = self.prefix + canonical
            # Prefixed names are not in aliases.csv: only whitespace dirt, which normalisation removes.
            return [name, f" {name}", f"{name} ", name.replace(" ", "  ", 1)], [name]
        english = [canonical, canonical.lower(), f" {canonical}", canonical.replace(" ", "  ", 1), canonical.upper()]
        chinese = list(chinese_names(kind, canonical))
        chinese += [f"{chinese[0]} ", f"　{chinese[0]}"]  # trailing space, leading ideographic space
        return english, chinese

    def labels(
        self, kind: str, canonical: np.ndarray, rng: np.random.Generator, p_chinese: float, p_dirty: float = 0.08
    ) -> np.ndarray:
        """Spell each canonical district/unit as a clerk would: Chinese or English, sometimes untidy."""
        canonical = np.asarray(canonical, dtype=object)
        out = np.empty(len(canonical), dtype=object)
        zh = rng.random(len(canonical)) < p_chinese
        dirty = rng.random(len(canonical)) < p_dirty
        pick = rng.random(len(canonical))
        for name in np.unique(canonical):
            english, chinese = self._variants(kind, str(name))
            rows = canonical == name
            for is_zh, spellings in ((True, chinese), (False, english)):
                clean_form = spellings[0]
                sel = rows & (zh == is_zh)
                out[sel & ~dirty] = clean_form
                untidy = sel & dirty
                if untidy.any():
                    idx = (pick[untidy] * len(spellings)).astype(int)
                    out[untidy] = np.asarray(spellings, dtype=object)[idx]
        return out

    def ids(self, values: np.ndarray, rng: np.random.Generator, p_dirty: float = 0.03) -> np.ndarray:
        """Ids (with the county code), a few keyed with full-width characters or stray spaces."""
        values = np.asarray([self.id_prefix + v for v in values], dtype=object)
        dirty = np.flatnonzero(rng.random(len(values)) < p_dirty)
        kinds = rng.integers(0, 3, len(dirty))
        for i, k in zip(dirty, kinds):
            v = values[i]
            values[i] = fullwidth(v) if k == 0 else (f" {v}" if k == 1 else f"{v} ")
        return values


# --- dates and months ----------------------------------------------------------------------------
_EPOCH = np.datetime64("1970-01-01", "D")
_LUT_START = np.datetime64("1960-01-01", "D")
_LUT_END = np.datetime64("2006-12-31", "D")
DATE_STYLES = ("iso", "slash", "dot", "zh", "compact")


@lru_cache(maxsize=1)
def _date_lut() -> np.ndarray:
    """Every day of 1960-2006 written in each accepted style: shape (days, styles)."""
    days = np.arange(_LUT_START, _LUT_END + 1)
    y = days.astype("datetime64[Y]").astype(int) + 1970
    m = days.astype("datetime64[M]").astype(int) % 12 + 1
    d = (days - days.astype("datetime64[M]")).astype(int) + 1
    rows = [
        (f"{a}-{b:02d}-{c:02d}", f"{a}/{b}/{c}", f"{a}.{b}.{c}", f"{a}年{b}月{c}日", f"{a}{b:02d}{c:02d}")
        for a, b, c in zip(y.tolist(), m.tolist(), d.tolist())
    ]
    return np.array(rows, dtype=object)


def write_dates(dates: np.ndarray, rng: np.random.Generator, weights: dict[str, float]) -> np.ndarray:
    """Dates (datetime64[D]; NaT -> "") each written in a style drawn with ``weights``."""
    dates = np.asarray(dates, dtype="datetime64[D]")
    styles = np.array([DATE_STYLES.index(s) for s in weights])
    p = np.array(list(weights.values()), dtype=float)
    choice = styles[rng.choice(len(styles), size=len(dates), p=p / p.sum())]
    out = np.full(len(dates), "", dtype=object)
    ok = ~np.isnat(dates)
    idx = (dates[ok] - _LUT_START).astype(int)
    out[ok] = _date_lut()[idx, choice[ok]]
    return out


def write_months(
    year: np.ndarray | int, month: np.ndarray, rng: np.random.Generator, weights: dict[str, float]
) -> np.ndarray:
    """Months written as 2004-05, 2004/5, 2004年5月 or 200405."""
    month = np.asarray(month)
    year = np.broadcast_to(np.asarray(year), month.shape)
    table = {"iso": "{y}-{m:02d}", "slash": "{y}/{m}", "zh": "{y}年{m}月", "compact": "{y}{m:02d}"}
    names = list(weights)
    p = np.array(list(weights.values()), dtype=float)
    choice = rng.choice(len(names), size=len(month), p=p / p.sum())
    lut = {
        (s, yy, mm): table[names[s]].format(y=yy, m=mm)
        for s in range(len(names))
        for yy in np.unique(year).tolist()
        for mm in range(1, 13)
    }
    return np.array(
        [lut[(s, yy, mm)] for s, yy, mm in zip(choice.tolist(), year.tolist(), month.tolist())], dtype=object
    )


def day(s: str) -> np.datetime64:
    return np.datetime64(s, "D")
