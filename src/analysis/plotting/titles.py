"""Figure titles that state the finding, as a sentence (theme.finish wraps them under the demo marker)."""

from __future__ import annotations


def wrap_title(text: str) -> str:
    """The title with a capital first letter (texts built from counts may start with 'fewer than 10')."""
    return text[:1].upper() + text[1:]
