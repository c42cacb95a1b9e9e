"""What one AWS service module declares: its collector, evidence kinds and permission probe.

Each module under `collectors/` reads one AWS service (in every region it lives in) and
defines `SERVICE = AwsService(...)`; `integration.py` lists the modules. Collect once per
service and region, judge with many checks: a collector yields one record per resource with
everything the service's checks read, so adding a check never adds an API call.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from attestly.integrations.base import Record
from attestly.integrations.builtin.aws.client import AwsClient


@dataclass(frozen=True)
class Probe:
    """One cheap read a connection test makes to see the service's permission is granted."""

    service: str
    operation: str
    params: Mapping[str, Any] = field(default_factory=dict)
    action: str = ""  # the IAM action, when it differs from service:operation


@dataclass(frozen=True)
class AwsService:
    """A service module's declaration (see the module docstring)."""

    name: str
    kinds: tuple[str, ...]
    collect: Callable[[AwsClient], Iterable[Record]]
    probe: Probe
    description: str = ""
    permissions: tuple[str, ...] = ()  # every IAM action the collector calls, for the docs
    # every API operation the collector (and its probe) calls, by botocore service name: the
    # session's botocore models keep only these (see botocore_models), and others are refused
    operations: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


def jsonable(value: Any) -> Any:
    """An API answer as JSON evidence: datetimes as ISO 8601 in UTC, bytes as text."""
    import datetime as dt

    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC)
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value
