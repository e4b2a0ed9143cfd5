"""Figure titles that state the finding, wrapped to stay clear of the demo marker."""
from __future__ import annotations

import textwrap


def wrap_title(text: str, width: int = 52) -> str:
    """The title on lines of at most ``width`` characters (the demo marker takes the top-right corner)."""
    text = text[:1].upper() + text[1:]
    return "\n".join(textwrap.wrap(text, width))
