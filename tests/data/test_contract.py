import pytest

from analysis.core import paths
from analysis.data.contract import LIKERT_ITEMS, RAW_FILES
from analysis.data.contract_doc import render_contract


def test_data_contract_document_is_current():
    """docs/data-contract.md is generated from the contract (`python -m analysis contract-doc --write`)."""
    assert (paths.DOCS / "data-contract.md").read_text(encoding="utf-8") == render_contract()


def test_every_file_has_a_key_made_of_its_own_columns_and_unique_stems():
    assert len({f.stem for f in RAW_FILES}) == len(RAW_FILES)
    for spec in RAW_FILES:
        names = {c.name for c in spec.columns}
        assert set(spec.key) <= names, spec.dataset
        assert set(spec.references) <= names, spec.dataset


def test_processed_schema_rejects_what_cleaning_must_never_write():
    import pandas as pd
    import pytest

    from analysis.core.errors import AnalysisError
    from analysis.data.contract import BY_DATASET
    from analysis.data.contract.schemas import validate_processed

    spec = BY_DATASET["households"]
    good = pd.DataFrame(
        {
            "source_row": pd.array([2, 3], dtype="Int64"),
            "district": pd.array(["Anyi", "Fanshui"], dtype="string"),
            "households": pd.array([5, 7], dtype="Int64"),
        }
    )
    assert validate_processed(good, spec).shape == (2, 3)
    with pytest.raises(AnalysisError, match="households breaks its processed schema"):
        validate_processed(good.assign(households=pd.array([5, -1], dtype="Int64")), spec)
    with pytest.raises(AnalysisError, match="breaks its processed schema"):
        validate_processed(good.assign(district=pd.array(["Anyi", "Anyi"], dtype="string")), spec)


def test_only_an_optional_column_can_be_cell_level():
    from analysis.data.contract import Column

    with pytest.raises(ValueError, match="only an optional column"):
        Column("q01", "likert", cell_level=True)
    assert Column("q01", "likert", nullable=True, cell_level=True).cell_level


def test_survey_answers_and_profile_are_cell_level_and_keys_places_and_references_row_level():
    from analysis.data.contract import BY_DATASET

    spec = BY_DATASET["survey_responses"]
    assert set(spec.cell_level_columns) == {*LIKERT_ITEMS, "age_band", "sex", "occupation", "police_contact", "date"}
    for name in ("form_id", "batch_id", "channel", "district"):
        assert not spec.column(name).cell_level
    for other in BY_DATASET.values():
        if other.dataset != "survey_responses":
            assert not other.cell_level_columns, other.dataset
