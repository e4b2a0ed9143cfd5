"""Open competition for posts: posts, applicants and the competition ratio by level.

Input: the processed ``cadre_competition`` frame (post_id, post, level 'middle'/'section',
deputy_director, officer_id, outcome 'appointed'/'not_appointed'/'withdrawn'), one row per application.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from analysis.data.processed import require_columns

COMPETITION_COLUMNS = ("post_id", "level", "deputy_director", "officer_id", "outcome")


def _require(frame: pd.DataFrame) -> None:
    require_columns(frame, COMPETITION_COLUMNS, "cadre_competition")


def by_level(competition: pd.DataFrame) -> pd.DataFrame:
    """Per level: posts, applications, distinct applicants, appointed, competition ratio (applicants per post)."""
    _require(competition)
    g = competition.groupby("level")
    out = pd.DataFrame(
        {
            "posts": g["post_id"].nunique(),
            "applications": g.size(),
            "applicants": g["officer_id"].nunique(),
            "appointed": g["outcome"].apply(lambda s: int((s == "appointed").sum())),
        }
    )
    # ASSUMPTION(competition-ratio-applicants): the competition ratio is distinct applicants per post at that level; an officer applying to several posts counts once.
    out["ratio"] = out["applicants"] / out["posts"]
    return out.reset_index()


@dataclass(frozen=True)
class CompetitionTotals:
    """Posts and distinct applicants (officers) of the open competitions."""

    posts: int  #: all levels
    applicants: int  #: distinct officers, all levels
    middle_posts: int
    middle_applicants: int  #: distinct officers applying for middle-level posts
    section_posts: int
    deputy_director_posts: int  #: section-level posts that are deputy-director posts


def totals(competition: pd.DataFrame) -> CompetitionTotals:
    """Posts and distinct applicants over all levels, plus section-level and deputy-director posts."""
    _require(competition)
    section = competition[competition["level"] == "section"]
    return CompetitionTotals(
        posts=int(competition["post_id"].nunique()),
        applicants=int(competition["officer_id"].nunique()),
        middle_posts=int(competition.loc[competition["level"] == "middle", "post_id"].nunique()),
        middle_applicants=int(competition.loc[competition["level"] == "middle", "officer_id"].nunique()),
        section_posts=int(section["post_id"].nunique()),
        deputy_director_posts=int(
            section.loc[section["deputy_director"].fillna(False).astype(bool), "post_id"].nunique()
        ),
    )


def section_posts(competition: pd.DataFrame) -> pd.DataFrame:
    """Section-level posts: post, deputy_director, applicants per post (no officer identities)."""
    _require(competition)
    s = competition[competition["level"] == "section"]
    cols = ["post_id", "post"] if "post" in s.columns else ["post_id"]
    out = (
        s.groupby(cols, dropna=False)
        .agg(
            deputy_director=("deputy_director", "first"),
            applicants=("officer_id", "nunique"),
            appointed=("outcome", lambda x: int((x == "appointed").sum())),
        )
        .reset_index()
    )
    return out.sort_values(["deputy_director", "post_id"], ascending=[False, True]).reset_index(drop=True)
