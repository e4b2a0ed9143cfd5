"""Errors an analyst can act on: each names the file, the column or row, and what is wrong."""

from __future__ import annotations


class AnalysisError(Exception):
    """Base class: the CLI prints these as one clear message, never a traceback."""


class ContractError(AnalysisError):
    """A raw file breaks the data contract (docs/data-contract.md)."""

    def __init__(self, file: str, problem: str, *, column: str | None = None, row: int | None = None):
        self.file, self.problem, self.column, self.row = file, problem, column, row
        where = file
        if column is not None:
            where += f", column '{column}'"
        if row is not None:
            where += f", row {row}"
        super().__init__(f"{where}: {problem}")


class MissingFileError(ContractError):
    pass


class EmptyFileError(ContractError):
    pass


class EncodingError(ContractError):
    pass


class MissingColumnError(ContractError):
    pass


class ColumnTypeError(ContractError):
    pass


class UnknownCategoryError(ContractError):
    pass


class ParameterError(AnalysisError):
    """A report parameter is unknown, mistyped or not found in the data."""
