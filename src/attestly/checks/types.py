"""The values a check sees and returns. Kept tiny: the engine's inner loop touches them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Status(StrEnum):
    """A result's status. `excepted` is a failure covered by an accepted exception."""

    PASS = "pass"  # noqa: S105 - a status, not a password
    FAIL = "fail"
    ERROR = "error"
    NOT_APPLICABLE = "not_applicable"
    EXCEPTED = "excepted"


# Worst first wins when one day saw several statuses for one resource.
STATUS_RANK: dict[str, int] = {
    Status.NOT_APPLICABLE: 0,
    Status.PASS: 1,
    Status.EXCEPTED: 2,
    Status.ERROR: 3,
    Status.FAIL: 4,
}

WORKSPACE_RESOURCE = "*"  # resource key of a check that judges all evidence of its kinds at once


@dataclass(frozen=True, slots=True)
class Evidence:
    """One evidence item as a check sees it: its metadata and its decoded JSON content.

    `hash` is the item's content hash (SHA-256 of canonical JSON), which results record so a
    verdict can be replayed from exactly the evidence it read.
    """

    kind: str
    key: str
    hash: str
    data: Mapping[str, Any]
    collected_at: dt.datetime
    effective_from: dt.date | None = None
    effective_to: dt.date | None = None
    valid_until: dt.datetime | None = None


@dataclass(frozen=True, slots=True)
class Verdict:
    """What `evaluate` may return when a bare bool is not enough: a status and a reason."""

    status: Status
    detail: str = ""


@dataclass(frozen=True, slots=True)
class Context:
    """What a run shares with every evaluation: the instant "now" is, fixed for the run.

    Replaying a result uses the instant it was last seen, so relative dates give the same
    verdict years later.
    """

    now: dt.datetime
    options: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Outcome:
    """One verdict on one resource, with the evidence hashes it read."""

    check_id: str
    resource_key: str
    status: Status
    detail: str
    evidence_hashes: tuple[str, ...]
    kind: str = ""
