"""pandera schemas of the processed data sets, derived from the contract.

Cleaning validates its own output against them before writing anything: a guarantee to every
notebook that reads data/processed (types, allowed codes, ranges, unique keys), not a second cleaning.
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa

from analysis.core.errors import AnalysisError
from analysis.data.contract.base import LIKERT_DONT_KNOW, LIKERT_VALID, Column, RawFile

DTYPES = {
    "id": "string",
    "text": "string",
    "officer": "string",
    "int": "Int64",
    "float": "Float64",
    "date": "datetime64[us]",
    "month": "string",
    "category": "string",
    "bool": "boolean",
    "likert": "Int64",
    "unit": "string",
    "district": "string",
}


def _checks(column: Column) -> list[pa.Check]:
    if column.kind == "category":
        return [pa.Check.isin(sorted(column.allowed))]
    if column.kind == "likert":
        return [pa.Check.isin([*LIKERT_VALID, LIKERT_DONT_KNOW])]
    if column.kind == "month":
        return [pa.Check.str_matches(r"^\d{4}-(0[1-9]|1[0-2])$")]
    if column.kind in ("int", "float") and (column.minimum is not None or column.maximum is not None):
        return [
            pa.Check.in_range(
                column.minimum if column.minimum is not None else float("-inf"),
                column.maximum if column.maximum is not None else float("inf"),
            )
        ]
    return []


def processed_schema(spec: RawFile) -> pa.DataFrameSchema:
    columns = {"source_row": pa.Column("Int64", pa.Check.ge(2), unique=True)}
    for c in spec.columns:
        if c.processed_name:
            columns[c.processed_name] = pa.Column(DTYPES[c.kind], _checks(c), nullable=c.nullable)
    key = [spec.column(k).processed_name for k in spec.key]
    return pa.DataFrameSchema(
        columns, strict=True, ordered=True, unique=key, report_duplicates="exclude_first", name=spec.dataset
    )


def validate_processed(frame: pd.DataFrame, spec: RawFile) -> pd.DataFrame:
    """The frame, if it meets the processed schema; otherwise an error listing the failures."""
    try:
        return processed_schema(spec).validate(frame, lazy=True)
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases[["column", "check", "failure_case"]].drop_duplicates().head(5)
        raise AnalysisError(
            f"cleaned {spec.dataset} breaks its processed schema (a cleaning bug):\n{cases.to_string(index=False)}"
        ) from None
