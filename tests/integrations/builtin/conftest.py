"""Judging records with the registered checks, without a database: `judge(records)`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

import pytest

from attestly.checks.engine import evaluate_all
from attestly.checks.registry import get_registry
from attestly.checks.types import Context, Evidence
from attestly.integrations.base import Record

Judged = dict[tuple[str, str], tuple[str, str]]


def judge_records(
    records: Iterable[Record], prefix: str = "", now: dt.datetime | None = None
) -> Judged:
    """(check id, resource key) -> (status, detail) for every check reading the records."""
    at = now or dt.datetime.now(dt.UTC)
    by_kind: dict[str, list[Evidence]] = {}
    for i, record in enumerate(records):
        item = Evidence(record.kind, record.key, f"h{i}", dict(record.data), at)
        by_kind.setdefault(record.kind, []).append(item)
    checks = [c for c in get_registry() if c.id.startswith(prefix)]
    found: Judged = {}
    for evaluation in evaluate_all(checks, by_kind, Context(now=at)):
        for outcome in evaluation.outcomes():
            found[(outcome.check_id, outcome.resource_key)] = (outcome.status.value, outcome.detail)
    return found


@pytest.fixture
def judge() -> Callable[..., Judged]:
    return judge_records


def record(kind: str, data: dict[str, object], key: str = "r1") -> Record:
    """A record for table-driven check tests."""
    return Record(kind, key, data)
