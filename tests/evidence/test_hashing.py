from __future__ import annotations

import datetime as dt
import json
import uuid
from decimal import Decimal
from typing import Any

import pytest

from attestly.core.canonical import canonical_json
from attestly.evidence.hashing import canonical_bytes, header_bytes

TRICKY = 'q"b\\s/\x00\x1f\x7f\u2028\u2029é中😀\t\n\r'

VALUES: list[Any] = [
    {"b": 1, "a": [True, False, None], "c": {"z": "x", "y": -(2**63)}},
    {TRICKY: TRICKY, "é": "ü", "a": ""},
    [1, "two", {"three": [4, {"5": None}]}],
    {"big": 2**70},
    {"when": dt.datetime(2026, 1, 31, 12, 0, tzinfo=dt.UTC), "day": dt.date(2026, 1, 31)},
    {"id": uuid.UUID(int=7), "amount": Decimal("1.10"), "tags": {"b", "a"}},
    "plain",
    42,
]


@pytest.mark.parametrize("value", VALUES)
def test_canonical_bytes_equal_core_canonical_without_floats(value: Any) -> None:
    assert canonical_bytes(value) == canonical_json(value)


def test_header_bytes_match_what_the_standalone_verifier_computes() -> None:
    header = [
        1,
        12,
        "0" * 64,
        "f" * 64,
        10,
        "text/plain",
        "upload",
        TRICKY,
        "k",
        TRICKY,
        "2026-01-31T00:00:00.000000+00:00",
        None,
        "2026-03-31",
        None,
        TRICKY,
        ["AC-01", TRICKY],
    ]
    stdlib = json.dumps(header, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert header_bytes(header) == stdlib.encode("utf-8")


def test_canonical_bytes_are_deterministic_for_floats() -> None:
    value = {"ratio": 1e-7, "x": 0.1}
    assert canonical_bytes(value) == canonical_bytes(json.loads(canonical_bytes(value)))
