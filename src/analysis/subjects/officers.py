"""The officers a report covers: the whole bureau or one unit."""

from __future__ import annotations

import pandas as pd

from analysis.core.errors import ParameterError


def select_unit(unit: str | None, roster: pd.DataFrame, **frames: pd.DataFrame) -> tuple[pd.DataFrame, dict]:
    """The roster and the given frames restricted to one unit (``unit`` None = whole bureau).

    Frames with an ``officer_id`` column keep the rows of the unit's officers; frames with a
    ``unit`` column (and no officer_id) keep the unit's rows.  Raises ParameterError for an unknown unit.
    """
    if unit is None:
        return roster, frames
    units = sorted(roster["unit"].dropna().unique())
    if unit not in units:
        raise ParameterError(f"unit {unit!r} is not on the roster; known units: {units}")
    # ASSUMPTION(unit-from-roster): an officer belongs to the unit the roster gives for the year; records are attributed through that unit.
    sub = roster[roster["unit"] == unit]
    ids = set(sub["officer_id"])
    out = {}
    for name, frame in frames.items():
        if "officer_id" in frame.columns:
            out[name] = frame[frame["officer_id"].isin(ids)]
        elif "unit" in frame.columns:
            out[name] = frame[frame["unit"] == unit]
        else:
            out[name] = frame
    return sub, out
