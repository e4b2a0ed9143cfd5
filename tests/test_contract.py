from analysis import paths
from analysis.contract import RAW_FILES
from analysis.contract.document import render_contract


def test_data_contract_document_is_current():
    """docs/data-contract.md is generated from the contract: regenerate with `python -m analysis contract-doc --write`."""
    assert (paths.DOCS / "data-contract.md").read_text(encoding="utf-8") == render_contract()


def test_every_file_has_a_key_made_of_its_own_columns_and_unique_stems():
    assert len({f.stem for f in RAW_FILES}) == len(RAW_FILES)
    for spec in RAW_FILES:
        names = {c.name for c in spec.columns}
        assert set(spec.key) <= names, spec.dataset
        assert set(spec.references) <= names, spec.dataset
