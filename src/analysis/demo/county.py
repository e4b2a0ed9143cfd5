"""One county of the synthetic province: its places, its seeded random streams, and the dirt of its clerks.

County 1 is the default demo.  Counties 2..K (``--counties K`` or ``--scale K``) have their own seeds;
their districts, units and ids carry a county code ("C002 ") so that they stay distinct in one file
or one province, and their own ``Profile``: how satisfied their residents are, how many forms come
back, how many opinions are rectified, how fit and how well trained their officers are.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
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


# The province's counties: real county-level names of Jiangsu (county 1 is Baoying, the report's
# county), pinyin for the folder, Chinese for the aliases.  The data under every name is synthetic.
# Counties beyond this list get invented names ("county-021", "第21县").
PROVINCE = (
    ("baoying", "宝应"),
    ("gaoyou", "高邮"),
    ("yizheng", "仪征"),
    ("jiangdu", "江都"),
    ("xinghua", "兴化"),
    ("jingjiang", "靖江"),
    ("taixing", "泰兴"),
    ("rugao", "如皋"),
    ("haian", "海安"),
    ("rudong", "如东"),
    ("qidong", "启东"),
    ("sheyang", "射阳"),
    ("funing", "阜宁"),
    ("jianhu", "建湖"),
    ("xiangshui", "响水"),
    ("binhai", "滨海"),
    ("dongtai", "东台"),
    ("jinhu", "金湖"),
    ("xuyi", "盱眙"),
    ("lianshui", "涟水"),
)


def county_names(number: int) -> tuple[str, str]:
    """(folder name in pinyin, Chinese name) of county ``number`` (1-based)."""
    if number <= len(PROVINCE):
        return PROVINCE[number - 1]
    return f"county-{number:03d}", f"第{number}县"


@dataclass(frozen=True)
class Profile:
    """How a county differs from the report's county (county 1: the published figures exactly).

    Every field is a level the generator calibrates to, so each county stays internally consistent:
    its cleaned rows reproduce its own figures the way county 1's reproduce the published ones.
    """

    satisfaction: float = 0.0  # shift of the respondents' latent satisfaction (SD units)
    valid_returned: int = 6_464  # of the 10,000 forms distributed
    rectified: int = 114  # of the 166 merged opinions, by 2004-12-20
    pass_first: Fraction = Fraction(32, 100)  # fitness pass rate among those tested, first round
    pass_last: Fraction = Fraction(98, 100)  # and last round
    training: float = 0.0  # shift of every training score (points)


BASE = Profile()
# Clear outliers, so that the province comparison has something to find: county 3 is much less
# satisfied and slow to rectify; county 5 trained and tested its officers far worse.
OUTLIERS = {
    3: Profile(
        satisfaction=-0.55, valid_returned=5_200, rectified=78, pass_first=Fraction(7, 25), pass_last=Fraction(22, 25)
    ),
    5: Profile(
        satisfaction=0.05,
        valid_returned=6_300,
        rectified=108,
        pass_first=Fraction(4, 25),
        pass_last=Fraction(19, 25),
        training=-4.0,
    ),
}


def profile(number: int, seed: int) -> Profile:
    """County 1: the published figures; the outliers above; the others drawn near county 1."""
    if number == 1:
        return BASE
    if number in OUTLIERS:
        return OUTLIERS[number]
    rng = np.random.default_rng([seed, number, 99])
    return Profile(
        satisfaction=round(float(rng.normal(0, 0.12)), 3),
        valid_returned=int(rng.integers(5_900, 7_101)),
        rectified=int(rng.integers(100, 131)),
        # Pass rates in 4-point steps, so that passes are whole counts of the officers tested.
        pass_first=Fraction(int(rng.integers(6, 11)), 25),
        pass_last=Fraction(int(rng.integers(23, 25)), 25),
        training=round(float(rng.normal(0, 1.5)), 2),
    )


@dataclass(frozen=True)
class County:
    number: int
    seed: int
    profile: Profile = field(default=None)  # type: ignore[assignment]  # filled in from number and seed

    def __post_init__(self) -> None:
        if self.profile is None:
            object.__setattr__(self, "profile", profile(self.number, self.seed))

    @property
    def name(self) -> str:
        """The county's folder name (pinyin)."""
        return county_names(self.number)[0]

    @property
    def name_zh(self) -> str:
        return county_names(self.number)[1]

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
