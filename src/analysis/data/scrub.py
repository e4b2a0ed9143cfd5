"""Personal data out of free text: names, police numbers, phone numbers and identity card numbers.

Residents type whatever they like into an opinion ("姜艳河（警号329495）态度不好, 电话13812345678").
Before free text reaches data/processed, a quarantine file or a report, each such item is replaced by
a placeholder naming its kind (``PLACEHOLDERS``), and cleaning counts the replacements per file and
kind in the manifest.  What is recognised:

- resident identity card numbers: 18 characters whose last is the ISO 7064 MOD 11-2 check digit of the
  first 17 (``id_check_digit``), and the 15-digit first-generation form whose birth date (YYMMDD,
  characters 7-12) is a calendar date;
- phone numbers: mainland mobiles (1[3-9] and 9 more digits, optionally after +86) and fixed lines
  with an area code (0 + 2-3 digits, then 7-8 digits, with or without a dash or brackets);
- police numbers: "警号" followed by digits, and every police number of the roster standing alone
  (not inside a longer run of digits);
- names of the roster: a name of three or more characters wherever it appears; a two-character name
  only where it stands apart from other Chinese characters or next to a title or role word (民警李明,
  李明警官), because many two-character names are also ordinary words (文明, 高明, 金华).
  Latin names match as whole words, case folded.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

PLACEHOLDERS = {"id_number": "【身份证号】", "phone": "【电话】", "police_number": "【警号】", "name": "【姓名】"}

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_18 = re.compile(r"(?<![0-9A-Za-z])\d{17}[0-9Xx](?![0-9A-Za-z])")
_ID_15 = re.compile(r"(?<!\d)\d{15}(?!\d)")
_MOBILE = re.compile(r"(?<![\d+])(?:\+?86[-\s]?)?1[3-9]\d{9}(?!\d)")
_FIXED = re.compile(r"(?<!\d)(?:[(（]0\d{2,3}[)）]|0\d{2,3})[-\s]?\d{7,8}(?!\d)")
_POLICE_TAG = re.compile(r"警号[:：\s]*\d{3,10}")
_CJK = "\u3400-\u4dbf\u4e00-\u9fff"
_IS_CJK = re.compile(f"[{_CJK}]")
# Words that mark the next or previous two characters as a person (民警李明, 李明同志).
# ASSUMPTION(scrub-short-names): a two-character roster name is replaced only where it stands apart from other Chinese characters or next to a title or role word (民警, 警官, 同志, 所长, 队长, ...); a name of three or more characters is replaced wherever it appears.
_TITLES = (
    "民警|辅警|交警|干警|警官|警员|同志|所长|副所长|队长|副队长|中队长|大队长|局长|副局长|指导员|教导员|科长|主任|"
    "师傅|警号|先生|女士|老师"
)


def id_check_digit(first17: str) -> str:
    """The ISO 7064 MOD 11-2 check character of the first 17 digits of an identity card number."""
    total = sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS))
    return "10X98765432"[total % 11]


def _is_id_18(number: str) -> bool:
    return id_check_digit(number[:17]) == number[17].upper()


def _is_id_15(number: str) -> bool:
    try:
        date(1900 + int(number[6:8]), int(number[8:10]), int(number[10:12]))
    except ValueError:
        return False
    return True


@dataclass(frozen=True)
class Scrubber:
    """Replaces the personal data of free text by placeholders; built once per cleaning from the roster."""

    long_names: re.Pattern | None
    short_names: re.Pattern | None
    latin_names: re.Pattern | None
    police_numbers: re.Pattern | None

    def scrub(self, value: str) -> tuple[str, Counter]:
        """``value`` with personal data replaced, and how many of each kind were replaced."""
        counts: Counter = Counter()

        def sub(pattern: re.Pattern | None, kind: str, text: str, keep=lambda m: True) -> str:
            if pattern is None:
                return text

            def one(m: re.Match) -> str:
                if not keep(m):
                    return m.group(0)
                counts[kind] += 1
                if "hit" not in pattern.groupindex:
                    return PLACEHOLDERS[kind]
                start, end = m.start("hit") - m.start(), m.end("hit") - m.start()
                return m.group(0)[:start] + PLACEHOLDERS[kind] + m.group(0)[end:]

            return pattern.sub(one, text)

        text = sub(_ID_18, "id_number", value, lambda m: _is_id_18(m.group(0)))
        text = sub(_ID_15, "id_number", text, lambda m: _is_id_15(m.group(0)))
        text = sub(_MOBILE, "phone", text)
        text = sub(_FIXED, "phone", text)
        text = sub(_POLICE_TAG, "police_number", text)
        text = sub(self.police_numbers, "police_number", text)
        text = sub(self.long_names, "name", text)
        text = sub(self.short_names, "name", text, _stands_as_a_name)
        text = sub(self.latin_names, "name", text)
        return text, counts

    def scrub_series(self, values: pd.Series) -> tuple[pd.Series, Counter]:
        """Each text scrubbed (missing stays missing), and the replacements counted over all rows."""
        codes, uniques = pd.factorize(values)
        rows_per_value = np.bincount(codes[codes >= 0], minlength=len(uniques))
        total: Counter = Counter()
        scrubbed = []
        for u, n in zip(uniques, rows_per_value):
            text, counts = self.scrub(str(u))
            scrubbed.append(text)
            total.update({k: c * int(n) for k, c in counts.items()})
        mapped = np.array([*scrubbed, pd.NA], dtype=object)[codes]
        return pd.Series(mapped, index=values.index, dtype="string"), total


def _stands_as_a_name(m: re.Match) -> bool:
    """A two-character name counts next to a title, or with no other Chinese character on either side."""
    if m.group("pre") or m.group("post"):
        return True
    text = m.string
    before = text[m.start("hit") - 1] if m.start("hit") > 0 else ""
    after = text[m.end("hit")] if m.end("hit") < len(text) else ""
    return not (_IS_CJK.match(before) or _IS_CJK.match(after))


def _alternation(words: Iterable[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=lambda w: (-len(w), w)))


def roster_scrubber(names: Iterable[object], police_numbers: Iterable[object]) -> Scrubber:
    """A scrubber for the roster's names and police numbers (as typed; normalised here)."""

    def clean(values: Iterable[object]) -> set[str]:
        out = set()
        for v in values:
            if isinstance(v, str) and v.strip():
                out.add(re.sub(r"\s+", "", unicodedata.normalize("NFKC", v)))
        return out

    cjk = {n for n in clean(names) if re.fullmatch(f"[{_CJK}·]+", n)}
    latin = {
        " ".join(v.split())
        for v in names
        if isinstance(v, str) and re.fullmatch(r"[A-Za-z][A-Za-z .'-]*\s[A-Za-z .'-]+", v)
    }
    long_names = {n for n in cjk if len(n) >= 3}
    short_names = {n for n in cjk if len(n) == 2}
    numbers = {n for n in clean(police_numbers) if n.isdigit() and len(n) >= 3}
    return Scrubber(
        long_names=re.compile(_alternation(long_names)) if long_names else None,
        short_names=re.compile(f"(?P<pre>{_TITLES})?(?P<hit>{_alternation(short_names)})(?P<post>{_TITLES})?")
        if short_names
        else None,
        latin_names=re.compile(rf"\b(?:{_alternation(latin)})\b", re.IGNORECASE) if latin else None,
        police_numbers=re.compile(rf"(?<!\d)(?:{_alternation(numbers)})(?!\d)") if numbers else None,
    )


NO_SCRUBBER = roster_scrubber((), ())
