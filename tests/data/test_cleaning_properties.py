"""Property tests: cleaning loses no row, and cleaning is idempotent, whatever the dirt."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from unittest import mock

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.core.errors import ContractError
from analysis.data import cleaning
from analysis.data.cleaning import clean_all
from analysis.data.contract import LIKERT_ITEMS
from minimal_raw import ROWS, write_minimal_raw

dirty_text = st.sampled_from(
    [
        "",
        " ",
        "Anyi",
        "安宜",
        "Ａｎｙｉ",
        "Nowhere",
        "street",
        "街头",
        "radio",
        "B01",
        "b01 ",
        "2004-04-25",
        "2004/4/25",
        "2004年4月25日",
        "25/04/2004",
        "1",
        "5",
        "9",
        "7",
        "-3",
        "3.5",
        "x",
        "是",
        "否",
        "<b>&</b>",
    ]
)


@st.composite
def survey_rows(draw):
    n = draw(st.integers(min_value=1, max_value=25))
    columns = [
        "form_id",
        "batch_id",
        "date",
        "channel",
        "district",
        "age_band",
        "sex",
        "occupation",
        "police_contact",
        *LIKERT_ITEMS,
        "opinion",
    ]
    rows = []
    for i in range(n):
        base = dict(ROWS["survey_responses"][i % len(ROWS["survey_responses"])])
        base["form_id"] = draw(st.sampled_from([f"F{i:03d}", "F001", f" f{i:03d}", ""]))
        for column in draw(st.lists(st.sampled_from(columns), max_size=6)):
            base[column] = draw(dirty_text)
        rows.append(base)
    return rows


# The survey's export and the files its cleaning reads first (the roster's names for the free-text scrub, the
# districts, the batches), in the contract's order: the other nine files cost three quarters of each clean and
# change nothing in the survey's rows.
SURVEY_CHAIN = tuple(
    spec
    for spec in cleaning.RAW_FILES
    if spec.dataset in ("officer_roster", "population_margins", "survey_batches", "survey_responses")
)


def _clean(rows, workdir: Path):
    raw = write_minimal_raw(workdir / "raw", rows={"survey_responses": rows})
    try:
        with mock.patch.object(cleaning, "RAW_FILES", SURVEY_CHAIN):
            return clean_all(raw, workdir / "processed")
    except ContractError as refused:
        # The other documented outcomes: a column that mostly fails, or a file nearly all quarantined, refuses the
        # whole file, naming it (and the column, or the share and the main reason).
        message = str(refused)
        assert "survey_responses.csv, column '" in message or (
            "survey_responses.csv: " in message and "the file is refused rather than emptied" in message
        )
        assert not (workdir / "processed" / "survey_responses.parquet").exists()
        return None


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(survey_rows())
def test_every_raw_row_is_clean_or_quarantined_with_a_reason(rows):
    workdir = Path(tempfile.mkdtemp())
    try:
        result = _clean(rows, workdir)
        if result is None:
            return
        survey = next(r for r in result.files if r.spec.dataset == "survey_responses")
        assert survey.rows_in == len(rows) == len(survey.clean) + len(survey.quarantine)
        assert (survey.quarantine["reason"].str.len() > 0).all()
        rows_seen = sorted(survey.clean["source_row"].tolist() + survey.quarantine["source_row"].tolist())
        assert rows_seen == list(range(2, len(rows) + 2)), "each raw row accounted for exactly once"
        assert survey.clean["form_id"].is_unique
        # every value set missing belongs to a kept row, and is missing there
        clean = survey.clean.set_index("source_row")
        for row, column in zip(survey.cells["source_row"], survey.cells["column"]):
            assert pd.isna(clean.at[row, column]), (row, column)
        assert (survey.cells["reason"].str.len() > 0).all() and (survey.cells["value"].str.strip() != "").all()
    finally:
        shutil.rmtree(workdir)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(survey_rows())
def test_cleaning_is_idempotent(rows):
    """Cleaning the clean rows again changes nothing and quarantines nothing; reruns write the same bytes."""
    workdir = Path(tempfile.mkdtemp())
    try:
        first = _clean(rows, workdir)
        if first is None:
            return
        clean = next(r for r in first.files if r.spec.dataset == "survey_responses").clean
        again_rows = clean.drop(columns="source_row").astype(object).where(clean.notna(), "")
        again_rows["date"] = clean["date"].dt.strftime("%Y-%m-%d").fillna("")
        again_rows = again_rows.astype(str).replace({"True": "yes", "False": "no"}).to_dict("records")
        if again_rows:
            second = _clean(again_rows, workdir / "again")
            clean2 = next(r for r in second.files if r.spec.dataset == "survey_responses")
            assert clean2.quarantine.empty
            pd.testing.assert_frame_equal(clean.drop(columns="source_row"), clean2.clean.drop(columns="source_row"))
        manifest = (workdir / "processed" / "manifest.json").read_bytes()
        _clean(rows, workdir)
        assert (workdir / "processed" / "manifest.json").read_bytes() == manifest
    finally:
        shutil.rmtree(workdir)
