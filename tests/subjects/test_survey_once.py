"""Work done once (issue 13 item 6): weights cached per processed data set, the design built once per
sample, every level of a grouping estimated in one pass (the same numbers as one level at a time)."""

from __future__ import annotations

import importlib.util
import json

import numpy as np
import pandas as pd
import pytest

from analysis.core import paths
from analysis.stats.design import Design, Pooled
from analysis.subjects import survey

_spec = importlib.util.spec_from_file_location(
    "survey_reference_inputs", paths.ROOT / "tests" / "reference" / "survey_reference_inputs.py"
)
ref_inputs = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(ref_inputs)


def _same(a, b):
    for f in a.__dataclass_fields__:
        x, y = getattr(a, f), getattr(b, f)
        assert (np.isnan(x) and np.isnan(y)) or x == pytest.approx(y, rel=1e-9, abs=1e-12), (f, x, y)


@pytest.fixture(scope="module")
def weighted():
    responses, population = ref_inputs.mini_frames()
    return survey.weight_respondents(responses, population)


@pytest.mark.parametrize("by", ["district", "channel", "age_band"])
def test_every_level_in_one_pass_equals_one_level_at_a_time(weighted, by):
    des = survey.sample_design(weighted.frame)
    y = survey.top_box(weighted.frame, [survey.OVERALL])[survey.OVERALL].to_numpy(float)
    codes, levels = pd.factorize(weighted.frame[by])
    codes[::7] = -1  # rows in no level (a domain's complement) stay out of every level
    one_pass = des.means_by(y, codes, len(levels), logit=True)
    for j, est in enumerate(one_pass):
        _same(est, des.mean(y, codes == j, logit=True))
    scores = survey.valid_scores(weighted.frame, [survey.OVERALL])[survey.OVERALL].to_numpy(float)
    for j, est in enumerate(des.means_by(scores, codes, len(levels))):
        _same(est, des.mean(scores, codes == j))


def test_one_pass_by_hand_and_on_a_pooled_design():
    # One stratum, four clusters; levels 0 (rows 0-3) and 1 (rows 4-7), no raking credited.
    d = Design([1] * 8, ["c1", "c1", "c2", "c2", "c3", "c3", "c4", "c4"])
    y = np.array([1, 1, 1, 0, 0, 0, 1, 0], float)
    a, b = d.means_by(y, np.array([0, 0, 0, 0, 1, 1, 1, 1]), 2)
    assert a.estimate == pytest.approx(0.75) and b.estimate == pytest.approx(0.25)
    # Level 0: e = (y - 0.75) / 4 on its rows; cluster totals 2 x 0.0625, 0.0625 - 0.1875, 0, 0; one stratum of 4.
    tot = np.array([0.125, 0.0625 - 0.1875, 0.0, 0.0])
    assert a.se == pytest.approx(np.sqrt(4 / 3 * np.sum((tot - tot.mean()) ** 2)))
    assert a.df == 1 and b.df == 1  # two clusters hold each level, one stratum
    pooled = Pooled([d, d])
    yy, codes = np.concatenate([y, y]), np.array([0] * 4 + [1] * 4 + [0] * 4 + [1] * 4)
    for j, est in enumerate(pooled.means_by(yy, codes, 2)):
        _same(est, pooled.mean(yy, codes == j))


def test_satisfaction_by_unchanged_by_the_one_pass(weighted):
    out = survey.satisfaction_by(weighted.frame, "district").set_index("district")
    des = survey.sample_design(weighted.frame)
    y = survey.top_box(weighted.frame, [survey.OVERALL])[survey.OVERALL].to_numpy(float)
    for district, row in out.iterrows():
        est = des.mean(y, (weighted.frame["district"] == district).to_numpy(), logit=True)
        assert row["top_box"] == pytest.approx(est.estimate) and row["ci_low"] == pytest.approx(est.ci_low)
        assert row["df"] == est.df


def test_the_design_is_built_once_per_sample(weighted):
    first = survey.sample_design(weighted.frame)
    assert survey.sample_design(weighted.frame.copy()) is first  # same content, same design
    changed = weighted.frame.assign(weight=weighted.frame["weight"] * 1.01)
    assert survey.sample_design(changed) is not first


def test_the_same_inputs_are_raked_once_in_a_process(monkeypatch):
    responses, population = ref_inputs.mini_frames(seed=7)
    calls = []
    real = survey.weighting.trim_and_rake
    monkeypatch.setattr(survey.weighting, "trim_and_rake", lambda *a, **k: calls.append(1) or real(*a, **k))
    first = survey.weight_respondents(responses, population)
    second = survey.weight_respondents(responses.copy(), population)
    assert calls == [1]
    pd.testing.assert_frame_equal(first.frame, second.frame)
    second.frame["weight"] = 0.0  # a caller's copy: changing it changes nothing for the next
    assert (survey.weight_respondents(responses, population).frame["weight"] > 0).all()
    changed = responses.assign(q10_overall=responses["q10_overall"].iloc[::-1].to_numpy())
    survey.weight_respondents(changed, population)
    assert calls == [1, 1]


def _processed(tmp_path, responses, population):
    """A processed data set with a manifest recording the two files' hashes (as cleaning writes it)."""
    from analysis.core.files import sha256_file

    folder = tmp_path / "processed"
    folder.mkdir()
    outputs = {}
    for name, frame in (("survey_responses", responses), ("population_margins", population)):
        path = paths.processed_file(name, folder)
        frame.to_parquet(path)
        outputs[path.name] = sha256_file(path)
    (folder / paths.MANIFEST).write_text(json.dumps({"outputs": outputs}), encoding="utf-8")
    return folder


def test_weights_are_computed_once_per_processed_data_set(tmp_path, monkeypatch):
    responses, population = ref_inputs.mini_frames()
    folder = _processed(tmp_path, responses, population)
    first = survey.weight_respondents(responses, population, processed_dir=folder)
    files = sorted(p.suffix for p in (folder / survey.WEIGHTS_CACHE).iterdir())
    assert files == [".json", ".parquet"]
    # The second report reads them: raking is not run again, and gives the same sample and fit.
    calls = []
    real = survey.weighting.trim_and_rake
    monkeypatch.setattr(survey.weighting, "trim_and_rake", lambda *a, **k: calls.append(1) or real(*a, **k))
    again = survey.weight_respondents(responses, population, processed_dir=folder)
    assert calls == []
    pd.testing.assert_frame_equal(again.frame, first.frame)
    assert again.rake.trimming_note() == first.rake.trimming_note()
    assert (again.rake.iterations, again.rake.bounds, again.rake.at_bounds, again.deff, again.dropped) == (
        first.rake.iterations,
        first.rake.bounds,
        first.rake.at_bounds,
        first.deff,
        first.dropped,
    )
    # Responses that are not the data set's (a caller's subset) do not fit the cached rows: raked afresh.
    subset = survey.weight_respondents(responses.iloc[:-5], population, processed_dir=folder)
    assert calls == [1] and len(subset.frame) < len(first.frame)


def test_new_data_gets_new_weights_and_no_manifest_keeps_nothing(tmp_path):
    responses, population = ref_inputs.mini_frames()
    folder = _processed(tmp_path, responses, population)
    key = survey.weights_key(folder, survey.stated_design())
    (tmp_path / "b").mkdir()
    other = _processed(tmp_path / "b", responses.iloc[:-3], population)
    assert survey.weights_key(other, survey.stated_design()) != key
    assert survey.weights_key(folder, survey.stated_design().earlier()) != key
    bare = tmp_path / "bare"
    bare.mkdir()
    survey.weight_respondents(responses, population, processed_dir=bare)
    assert not (bare / survey.WEIGHTS_CACHE).exists()
