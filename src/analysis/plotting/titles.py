"""Figure titles that state the finding, as a sentence, and the one line-wrapper for text drawn in a figure.

Wrapping counts display columns, not characters: a Chinese character (East Asian wide or full-width)
takes two columns, a Latin letter one. Chinese has no spaces, so a line may break between any two
Chinese characters, but never before closing punctuation (，。）…) or after an opening bracket.
"""

from __future__ import annotations

import re
import unicodedata

# Never at the start of a line / never at the end of one (the common Chinese line-breaking rules).
NO_LINE_START = set("，。、；：！？）》」』】〕〉…—·%‰,.;:!?)]}")
NO_LINE_END = set("（《「『【〔〈([{“‘")


def char_width(ch: str) -> int:
    """Columns one character takes: 2 for wide and full-width characters, 0 for combining marks, else 1."""
    if unicodedata.combining(ch):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def display_width(text: str) -> int:
    """Columns ``text`` takes on one line (a Chinese character counts two)."""
    return sum(char_width(ch) for ch in text)


_TOKEN = re.compile(r"\s+|[^\s\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f]+|.", re.S)


def _tokens(text: str) -> list[str]:
    """Breakable pieces: runs of spaces, Latin words, single wide characters (punctuation kept with its neighbour)."""
    pieces = _TOKEN.findall(text)
    out: list[str] = []
    for piece in pieces:
        if out and not out[-1].isspace() and (piece[0] in NO_LINE_START or out[-1][-1] in NO_LINE_END):
            out[-1] += piece
        else:
            out.append(piece)
    return out


def wrap_lines(text: str, width: int) -> list[str]:
    """``text`` in lines of at most ``width`` columns (a longer unbreakable word keeps its own line)."""
    if width < 1:
        raise ValueError(f"wrap width must be at least 1 column, got {width}")
    lines: list[str] = []
    for paragraph in str(text).split("\n"):
        line = ""
        for token in _tokens(paragraph):
            if token.isspace():
                if line:
                    line += " "
                continue
            if line and display_width((line + token).rstrip()) > width:
                lines.append(line.rstrip())
                line = token
            else:
                line += token
        lines.append(line.rstrip())
    return lines


def wrap_title(text: str) -> str:
    """The title with a capital first letter (texts built from counts may start with 'fewer than 10')."""
    return text[:1].upper() + text[1:]
