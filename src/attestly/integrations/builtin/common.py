"""Verdict helpers shared by the built-in integrations' checks.

A collector that cannot collect raises a `CollectorError` and stores nothing; the framework
then answers `error` for its checks. Where one *part* of a record cannot be observed (a file
readable only by root, one TLS endpoint of several that does not answer), that part is recorded
as `{"error": "<why>"}` and the checks that need it answer `error` with that message instead of
a false pass. A part a collector chose not to read, because given the rest of the record it
cannot change a verdict (an S3 bucket's ACL when public ACLs are ignored), is recorded as
`{"not_read": "<why>"}`; a check that needs it all the same answers `error` too.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from attestly.checks.types import Status, Verdict


def unreadable(data: Mapping[str, Any], *parts: str) -> Verdict | None:
    """An `error` verdict when the record, or one of the named parts, could not be read (or
    was not read)."""
    message = data.get("error")
    if message:
        return Verdict(Status.ERROR, str(message))
    for part in parts:
        if why := part_unread(data.get(part)):
            return Verdict(Status.ERROR, f"{part}: {why}")
    return None


def part_unread(value: Any) -> str:
    """Why a part of a record is not there: its `{"error": ...}`, or `not read (...)` for a
    `{"not_read": ...}`; "" when it was read."""
    if not isinstance(value, Mapping):
        return ""
    if value.get("error"):
        return str(value["error"])
    if value.get("not_read"):
        return f"not read ({value['not_read']})"
    return ""


def fail(detail: str) -> Verdict:
    """A failing verdict with its reason."""
    return Verdict(Status.FAIL, detail)


def not_applicable(detail: str) -> Verdict:
    """A not-applicable verdict with its reason."""
    return Verdict(Status.NOT_APPLICABLE, detail)
