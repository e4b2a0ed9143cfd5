"""Keyed pseudonyms for officers: HMAC-SHA256 of the normalised police number.

The key comes from the environment variable ANALYSIS_PSEUDONYM_KEY. Only the synthetic demo
data may fall back on the published demo key; real exports without a key are refused, because
an unkeyed hash of a six-digit police number is reversed by trying all million numbers.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re

import pandas as pd

from analysis.core.errors import AnalysisError

KEY_VARIABLE = "ANALYSIS_PSEUDONYM_KEY"
# Published on purpose (docs/data-contract.md): it protects nothing and is only for the synthetic demo.
DEMO_KEY = "demo-key-fair-law-enforcement-2004"
ID_LENGTH = 12
# ASSUMPTION(pseudonym-key-length): a pseudonym key for real data carries at least 128 bits: 32 hex characters, or 16 bytes of any other text; a shorter key is refused.
MIN_KEY_BITS = 128
MAKE_A_KEY = 'python -c "import secrets; print(secrets.token_hex(32))"'


def key_bits(value: str) -> int:
    """Bits a key carries at most: 4 per character of a hex key, 8 per byte otherwise."""
    if re.fullmatch(r"[0-9a-fA-F]+", value):
        return 4 * len(value)
    return 8 * len(value.encode("utf-8"))


def resolve_key(synthetic: bool) -> tuple[bytes, str]:
    """The pseudonym key and where it came from ('environment' or 'demo')."""
    value = os.environ.get(KEY_VARIABLE, "")
    if value:
        if not synthetic and key_bits(value) < MIN_KEY_BITS:
            raise AnalysisError(
                f"{KEY_VARIABLE} is too short for real data: {key_bits(value)} bits, at least {MIN_KEY_BITS} needed "
                f"(32 hex characters or 16 bytes); make one with {MAKE_A_KEY} and keep it outside the repository"
            )
        return value.encode("utf-8"), "environment"
    if synthetic:
        return DEMO_KEY.encode("utf-8"), "demo"
    raise AnalysisError(
        f"{KEY_VARIABLE} is not set: real officer data needs a secret pseudonym key "
        "(any long random string, kept outside the repository)"
    )


def key_fingerprint(key: bytes) -> str:
    """Tells two runs' keys apart without revealing the key."""
    return hmac.new(key, b"fingerprint", hashlib.sha256).hexdigest()[:12]


def pseudonymise(police_numbers: pd.Series, key: bytes) -> pd.Series:
    """``officer_id`` for each (already normalised) police number; <NA> stays <NA>."""

    def one(number: object) -> object:
        if number is None or number is pd.NA or number != number:
            return pd.NA
        return "O" + hmac.new(key, str(number).encode("utf-8"), hashlib.sha256).hexdigest()[: ID_LENGTH - 1]

    codes, uniques = pd.factorize(police_numbers)
    mapped = pd.Series([one(u) for u in uniques] + [pd.NA], dtype="string")
    return pd.Series(mapped.to_numpy()[codes], index=police_numbers.index, dtype="string")
