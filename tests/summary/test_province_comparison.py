"""The province comparison: pooled design (counties as strata), counts, medians, outliers named, the notebook."""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.core import paths
from analysis.core.errors import AnalysisError
from analysis.stats.design import Design, Pooled, against_whole
from analysis.stats.proportions import wilson
from analysis.summary import province, province_text

NOTEBOOK = paths.NOTEBOOKS / "95_province.ipynb"


# --- the pooled design: known answers by hand --------------------------------------------------------


def _part(y, w, cluster, strata):
    return np.asarray(y, float), Design(w, cluster, strata)


def test_pooled_design_is_the_counties_side_by_side_as_strata():
    # County a: two strata of two clusters, weights 1; county b: one stratum of two clusters, weights 2.
    ya, a = _part([1, 0, 1, 1, 0, 0], [1] * 6, ["a1", "a1", "a2", "a3", "a4", "a4"], ["h", "h", "h", "k", "k", "k"])
    yb, b = _part([1, 1, 0, 1], [2] * 4, ["b1", "b1", "b2", "b2"], ["g"] * 4)
    pooled = Pooled([a, b])
    y = np.concatenate([ya, yb])
    whole = pooled.mean(y)
    # Weighted: (3 + 2 * 3) / (6 + 8) = 9 / 14.
    assert whole.estimate == pytest.approx(9 / 14)
    assert pooled.n_clusters == 6 and pooled.n_strata == 3 and pooled.df == 3
    # The variance of a statistic is the sum of the counties' variances.
    e = np.where(np.isnan(y), 0, (y - 9 / 14) / 14)
    assert pooled.variance(e) == pytest.approx(a.variance(e[:6]) + b.variance(e[6:]))
    # A county as a domain of the pooled design is the county on its own design.
    own = a.mean(ya)
    inside = pooled.mean(y, pooled.part_rows(0))
    assert own.estimate == pytest.approx(0.5) and inside.estimate == pytest.approx(own.estimate)
    assert inside.se == pytest.approx(own.se) and inside.df == own.df


def test_pooled_design_keeps_each_countys_calibration():
    rng = np.random.default_rng(3)
    parts, ys = [], []
    for c in range(2):
        n = 40
        x = np.zeros((n, 2))
        x[np.arange(n), rng.integers(0, 2, n)] = 1
        d = Design(rng.uniform(0.5, 2, n), [f"{c}-{i % 8}" for i in range(n)], [i % 2 for i in range(n)], x)
        parts.append(d)
        ys.append(rng.integers(0, 2, n).astype(float))
    pooled = Pooled(parts)
    y = np.concatenate(ys)
    for i, (d, yi) in enumerate(zip(parts, ys)):
        own, inside = d.mean(yi, logit=True), pooled.mean(y, pooled.part_rows(i), logit=True)
        assert inside.estimate == pytest.approx(own.estimate)
        assert inside.se == pytest.approx(own.se)
        assert (inside.ci_low, inside.ci_high) == pytest.approx((own.ci_low, own.ci_high))


def test_against_whole_differences_by_hand():
    # One stratum, four clusters of two rows, weights 1: levels x (rows 0-3) and z (rows 4-7).
    d = Design([1] * 8, ["c1", "c1", "c2", "c2", "c3", "c3", "c4", "c4"])
    y = np.array([1, 1, 1, 0, 0, 0, 1, 0], float)
    out = against_whole(d, y, [0, 0, 0, 0, 1, 1, 1, 1], ["x", "z"])
    t = out.table.set_index("level")
    assert out.whole == pytest.approx(0.5) and out.comparisons == 2
    assert t.loc["x", "estimate"] == pytest.approx(0.75) and t.loc["x", "difference"] == pytest.approx(0.25)
    assert t.loc["z", "difference"] == pytest.approx(-0.25)
    # e for x: (y - 0.75) / 4 on x's rows minus (y - 0.5) / 8 on all; cluster totals, one stratum of 4.
    e = np.where(np.arange(8) < 4, (y - 0.75) / 4, 0) - (y - 0.5) / 8
    tot = np.array([e[0:2].sum(), e[2:4].sum(), e[4:6].sum(), e[6:8].sum()])
    var = 4 / 3 * np.sum((tot - tot.mean()) ** 2)
    assert t.loc["x", "se"] == pytest.approx(math.sqrt(var))
    assert t["p_holm"].between(0, 1).all() and (t["p_holm"] >= t["p_value"]).all()
    with pytest.raises(ValueError, match="two levels"):
        against_whole(d, y, [0] * 8, ["x"])


# --- counts and medians ------------------------------------------------------------------------------


def test_count_comparison_names_the_outlier_and_pools_the_totals():
    counts = pd.DataFrame({"county": list("abcde"), "successes": [40, 42, 10, 38, 41], "n": [100] * 5})
    c = province.count_comparison("rectified", counts)
    assert c.province == pytest.approx(171 / 500) and c.province_n == 500
    assert (c.province_low, c.province_high) == pytest.approx(wilson(171, 500))
    t = c.table.set_index("county")
    assert (t.loc["a", "ci_low"], t.loc["a", "ci_high"]) == pytest.approx(wilson(40, 100))
    assert (t.loc["a", "adj_low"], t.loc["a", "adj_high"]) == pytest.approx(wilson(40, 100, 0.05 / 5))
    assert list(c.outlying()["county"]) == ["c"] and t.loc["c", "direction"] == "below"
    assert t["shown"].all()


def test_an_officer_rate_with_few_on_one_side_is_withheld_and_not_named():
    counts = pd.DataFrame(
        {"county": ["baoying", "gaoyou", "yizheng"], "successes": [295, 200, 210], "n": [300, 300, 300]}
    )
    c = province.count_comparison("pass_tested", counts)
    t = c.table.set_index("county")
    assert not t.loc["baoying", "shown"] and t.loc["baoying", "outlying"]  # 5 failed: withheld, though outlying
    assert "baoying" not in list(c.outlying()["county"])
    # One county withheld could be worked out from the province total: a second (yizheng, 90 failed) goes too.
    assert list(t.index[~t["shown"]]) == ["baoying", "yizheng"] and c.province_shown
    # A province of one county: its value is the county's, withheld with it.
    one = province.count_comparison("pass_tested", counts.iloc[:1])
    assert not one.province_shown and "not shown" in province_text.province_line(one)
    table = province_text.comparison_table(c).to_frame()
    assert table.iloc[0].tolist()[1] == "–" and "98.3%" not in table.to_string()


def test_median_comparison_by_kaplan_meier():
    fast = pd.DataFrame({"days": [1, 2, 3, 4, 5] * 6, "rectified": [True] * 30})
    slow = pd.DataFrame({"days": [50, 60, 70, 80, 90] * 6, "rectified": [True] * 30})
    c, p = province.median_comparison({"a": fast, "b": fast.copy(), "c": slow})
    t = c.table.set_index("county")
    assert t.loc["a", "estimate"] == 3 and t.loc["c", "estimate"] == 70
    assert c.province == 4  # 90 opinions, 48 closed by day 4: S(4) = 42/90 is the first at or below a half
    assert t.loc["c", "outlying"] and t.loc["c", "direction"] == "above"
    assert p < 0.001


# --- the province root -------------------------------------------------------------------------------


def test_an_empty_root_is_refused_by_name(tmp_path):
    with pytest.raises(AnalysisError, match="no county=<slug> folder"):
        province.county_slugs(tmp_path)
    with pytest.raises(AnalysisError, match="not a folder"):
        province.county_slugs(tmp_path / "missing")


def test_county_folders_and_not_their_generations(tmp_path):
    for name in ("county=a", "county=a.generations", "county=b", "other"):
        (tmp_path / name).mkdir()
    assert province.county_slugs(tmp_path) == ["a", "b"]


@pytest.fixture(scope="module")
def province_root(demo_province) -> Path:
    """Three counties of the demo province (baoying, gaoyou, yizheng: the low outlier), cleaned (conftest)."""
    return demo_province.processed


@pytest.fixture(scope="module")
def compared(province_root):
    return province.compare(province.load(province_root))


@pytest.mark.slow
def test_the_outlier_county_is_named(compared):
    sat = compared.measures["satisfaction"].table.set_index("county")
    assert sat.loc["yizheng", "direction"] == "below" and sat.loc["yizheng", "p_adjusted"] < 0.05
    assert "yizheng" in compared.outlying_counties()
    words = " ".join(province_text.outlying_words(compared))
    assert "Yizheng" in words and "below the province" in words
    assert compared.reconciliation.set_index("county").loc["baoying", "matched"] == 34


@pytest.mark.slow
def test_a_countys_satisfaction_is_its_own_reports_estimate(province_root, compared):
    from analysis.data import processed
    from analysis.subjects import survey

    folder = province_root / "county=baoying"
    weighted = survey.weight_respondents(
        processed.load("survey_responses", folder), processed.load("population_margins", folder)
    )
    own = survey.item_estimates(weighted.frame).set_index("item").loc[survey.OVERALL]
    mine = compared.measures["satisfaction"].table.set_index("county").loc["baoying"]
    assert mine["estimate"] == pytest.approx(own["top_box"])
    assert (mine["ci_low"], mine["ci_high"]) == pytest.approx((own["top_box_low"], own["top_box_high"]))
    rate = survey.collection_rates(processed.load("survey_batches", folder), processed.load("survey_responses", folder))
    assert compared.measures["return_rate"].table.set_index("county").loc["baoying", "estimate"] == pytest.approx(
        rate.iloc[0]["rate"]
    )


def _run(root, out_dir, lang):
    import nbformat

    import forked_kernels

    out = out_dir / f"province.{lang}.ipynb"
    forked_kernels.execute(
        NOTEBOOK,
        out,
        {"processed_dir": str(root), "figures_dir": str(out_dir / "fig"), "lang": lang},
        cwd=out_dir,
    )
    nb = nbformat.read(out, as_version=4)
    outputs = [o for c in nb.cells for o in c.get("outputs", [])]
    text = "\n".join(o.get("text", "") for o in outputs)
    html = "\n".join(o.get("data", {}).get("text/html", "") for o in outputs)
    return text, re.sub(r'src="data:[^"]+"', "", html)


@pytest.mark.slow
def test_the_province_notebook_on_three_counties(province_root, tmp_path):
    text, html = _run(province_root, tmp_path, "en")
    assert "3 counties (baoying, gaoyou, yizheng)" in text
    assert 'class="key-points"' in html and html.index("key-points") < html.index("reader-table")
    assert "Yizheng" in html and "below the province" in html and "Holm" in html
    assert "34 of 34 matched" in html and "counties as strata" in html
    for m in province.MEASURES:
        assert (tmp_path / "fig" / f"province_{m}_caterpillar.png").exists(), m
        if m != "median_days":
            assert (tmp_path / "fig" / f"province_{m}_funnel.png").exists(), m


@pytest.mark.slow
def test_the_province_notebook_reads_in_chinese(province_root, tmp_path):
    _text, html = _run(province_root, tmp_path, "zh")
    assert "仪征" in html and "高邮" in html and "低于全省" in html and "以县为层" in html
    assert "below the province" not in html and "Gaoyou" not in html
