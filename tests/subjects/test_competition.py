import pandas as pd
import pytest

from analysis.subjects import competition


@pytest.fixture
def apps():
    return pd.DataFrame(
        {
            "post_id": ["M1", "M1", "M2", "M2", "S1", "S1", "S2", "S3"],
            "post": ["m1", "m1", "m2", "m2", "Deputy director", "Deputy director", "s2", "s3"],
            "level": ["middle"] * 4 + ["section"] * 4,
            "deputy_director": [False] * 4 + [True, True, False, False],
            "officer_id": ["a", "b", "a", "c", "d", "e", "d", "f"],
            "outcome": [
                "appointed",
                "not_appointed",
                "withdrawn",
                "appointed",
                "appointed",
                "not_appointed",
                "withdrawn",
                "appointed",
            ],
        }
    )


def test_by_level_counts_distinct_applicants(apps):
    t = competition.by_level(apps).set_index("level")
    assert (t.loc["middle", "posts"], t.loc["middle", "applications"], t.loc["middle", "applicants"]) == (2, 4, 3)
    assert t.loc["middle", "ratio"] == pytest.approx(1.5)
    assert t.loc["section", "appointed"] == 2


def test_totals_and_section_posts(apps):
    tot = competition.totals(apps)
    assert (tot.posts, tot.applicants, tot.section_posts, tot.deputy_director_posts) == (5, 6, 3, 1)
    s = competition.section_posts(apps)
    assert s.iloc[0]["deputy_director"] and s.iloc[0]["applicants"] == 2


def test_missing_column(apps):
    with pytest.raises(KeyError):
        competition.by_level(apps.drop(columns="outcome"))
