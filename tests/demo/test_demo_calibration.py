"""The cleaned demo reproduces every published figure, loses no row, and holds no personal data."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from analysis.core import paths, reference
from analysis.data.cleaning import clean_all
from analysis.data.contract import BY_DATASET
from analysis.data.normalise import text
from analysis.data.readers import read_raw
from analysis.summary.key_figures import write_key_figures


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    processed = tmp_path_factory.mktemp("processed")
    result = clean_all(paths.RAW, processed)
    return processed, result, write_key_figures(processed)


def test_every_published_figure_is_reproduced(demo):
    _, _, figures = demo
    published = reference.published_figures()
    assert sorted(figures["id"]) == sorted(published["id"]) and len(figures) == 34
    assert figures.loc[~figures["matches"], ["id", "value", "published"]].empty


def test_the_headline_counts(demo):
    figures = demo[2].set_index("id")["value"]
    assert (figures["survey.distributed"], figures["survey.valid_returned"]) == (10000, 6464)
    assert (figures["opinions.total"], figures["opinions.rectified"], figures["opinions.in_progress"]) == (166, 114, 52)
    assert (figures["fitness.pass_rate_baseline"], figures["fitness.pass_rate_final"]) == (0.32, 0.98)


def test_rows_in_equal_clean_plus_quarantined_and_the_demo_has_dirt(demo):
    _, result, _ = demo
    for info in result.manifest["inputs"].values():
        assert info["rows_in"] == info["clean"] + info["quarantined"]
    assert result.manifest["synthetic"] is True
    assert sum(info["quarantined"] for info in result.manifest["inputs"].values()) > 0
    encodings = {info["encoding"] for info in result.manifest["inputs"].values()}
    assert {"gb18030", "xlsx", "utf-8"} <= encodings


def _personal_values() -> tuple[set[str], set[str]]:
    roster = read_raw(paths.RAW, BY_DATASET["officer_roster"]).frame
    names = {text(str(n)).replace(" ", "") for n in roster["name"] if str(n).strip()}
    numbers = {text(str(n)).replace(" ", "").upper() for n in roster["police_number"] if str(n).strip()}
    return names, numbers


def test_no_officer_name_or_police_number_in_processed_outputs(demo):
    processed, _, _ = demo
    names, numbers = _personal_values()
    assert len(names) > 100 and len(numbers) > 100
    for path in sorted(processed.rglob("*")):
        if path.suffix == ".parquet":
            frame = pd.read_parquet(path)
        elif path.suffix == ".csv":
            frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        elif path.suffix == ".json":
            frame = pd.DataFrame({"text": [path.read_text(encoding="utf-8")]})
        else:
            continue
        cells = {text(str(v)).replace(" ", "") for column in frame.columns for v in frame[column].dropna().unique()}
        assert not cells & names, f"{path.name} holds an officer's name"
        assert not cells & numbers, f"{path.name} holds a police number"
        tokens = set(re.findall(r"[0-9A-Za-z]+", " ".join(map(str, cells))))
        assert not tokens & numbers, f"{path.name} holds a police number inside a value"
        assert not {c for c in frame.columns if c in ("name", "police_number")}, f"{path.name} has a personal column"
