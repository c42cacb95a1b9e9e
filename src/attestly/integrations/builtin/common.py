"""Verdict helpers shared by the built-in integrations' checks.

A collector that cannot collect raises a `CollectorError` and stores nothing; the framework
then answers `error` for its checks. Where one *part* of a record cannot be observed (a file
readable only by root, one TLS endpoint of several that does not answer), that part is recorded
as `{"error": "<why>"}` and the checks that need it answer `error` with that message instead of
a false pass.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from attestly.checks.types import Status, Verdict


def unreadable(data: Mapping[str, Any], *parts: str) -> Verdict | None:
    """An `error` verdict when the record, or one of the named parts, could not be read."""
    message = data.get("error")
    if message:
        return Verdict(Status.ERROR, str(message))
    for part in parts:
        value = data.get(part)
        if isinstance(value, Mapping) and value.get("error"):
            return Verdict(Status.ERROR, f"{part}: {value['error']}")
    return None


def fail(detail: str) -> Verdict:
    """A failing verdict with its reason."""
    return Verdict(Status.FAIL, detail)


def not_applicable(detail: str) -> Verdict:
    """A not-applicable verdict with its reason."""
    return Verdict(Status.NOT_APPLICABLE, detail)
