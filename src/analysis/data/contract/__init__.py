"""The raw-data contract: every file the bureau exports, its columns, types and allowed values."""

from .base import LIKERT_DONT_KNOW, LIKERT_VALID, Column, RawFile
from .files import BY_DATASET, LIKERT_ITEMS, RAW_FILES

__all__ = ["BY_DATASET", "LIKERT_DONT_KNOW", "LIKERT_ITEMS", "LIKERT_VALID", "RAW_FILES", "Column", "RawFile"]
