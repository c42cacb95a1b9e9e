"""`attestly agent` reports: built on the host, recorded on the server.

The agent runs the Linux host collectors where it is installed and sends one report::

    {"format": "attestly-host-report", "version": 1, "workspace": "acme", "host": "web-1",
     "collected_at": "...", "agent": {"version": "...", "root": false},
     "records": [{"kind": "linux_host.ssh", "key": "web-1", "data": {...}}, ...],
     "errors": {"firewall": {"category": "missing_permission", "message": "..."}}}

The server validates every record against its payload model (a malformed report stores
nothing), files the report under the connection `agent:<host>` (made on first report, not
scheduled: the agent decides when), stores each facet as its own evidence batch and runs the
checks; facets the agent could not collect give `error` results, as in any run.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from pydantic import ValidationError as PydanticValidationError

from attestly import __version__
from attestly.integrations.base import CollectorError, Record
from attestly.integrations.builtin.linux_host.client import HostClient
from attestly.integrations.builtin.linux_host.collectors import COLLECTORS, collect_host
from attestly.integrations.builtin.linux_host.schemas import KIND_PREFIX, validated

REPORT_FORMAT = "attestly-host-report"
MAX_RECORDS = len(COLLECTORS)


class ReportError(ValueError):
    """A report that cannot be recorded; the message says which field and why."""


class ReportedError(CollectorError):
    """A collector failure the agent reported, with the agent's category."""

    def __init__(self, category: str, message: str) -> None:
        self.category = category
        super().__init__(message)


def build_report(
    workspace: str, client: HostClient | None = None, system: str | None = None
) -> dict[str, Any]:
    """Collect this host and build the report the agent sends or writes."""
    client = client or HostClient()
    records, errors = collect_host(client, system=system)
    return {
        "format": REPORT_FORMAT,
        "version": 1,
        "workspace": workspace,
        "host": records[0].key if records else socket.gethostname(),
        "collected_at": dt.datetime.now(dt.UTC).isoformat(),
        "agent": {"version": __version__, "root": client.is_root, "uid": os.geteuid()},
        "records": [{"kind": r.kind, "key": r.key, "data": dict(r.data)} for r in records],
        "errors": {
            facet: {"category": exc.category, "message": str(exc)} for facet, exc in errors.items()
        },
    }


def parse_report(
    report: Mapping[str, Any],
) -> tuple[str, list[Record], dict[str, CollectorError]]:
    """The host, its records and its collector errors; anything malformed raises ReportError."""
    if report.get("format") != REPORT_FORMAT or report.get("version") != 1:
        raise ReportError(f"format: expected {REPORT_FORMAT!r} version 1")
    host = report.get("host")
    if not isinstance(host, str) or not 0 < len(host) <= 200:
        raise ReportError("host: a host name of 1 to 200 characters is required")
    raw_records = report.get("records")
    raw_errors = report.get("errors") or {}
    if not isinstance(raw_records, list) or len(raw_records) > MAX_RECORDS:
        raise ReportError(f"records: a list of at most {MAX_RECORDS} records is required")
    if not isinstance(raw_errors, dict):
        raise ReportError("errors: an object of collector name to error is required")
    records: list[Record] = []
    seen: set[str] = set()
    for i, raw in enumerate(raw_records):
        if not isinstance(raw, dict):
            raise ReportError(f"records[{i}]: an object is required")
        kind, key, data = raw.get("kind"), raw.get("key"), raw.get("data")
        facet = str(kind).removeprefix(f"{KIND_PREFIX}.")
        if facet not in COLLECTORS or kind != f"{KIND_PREFIX}.{facet}":
            raise ReportError(f"records[{i}].kind: {kind!r} is not a linux_host kind")
        if key != host:
            raise ReportError(f"records[{i}].key: {key!r} is not the report's host {host!r}")
        if facet in seen or facet in raw_errors:
            raise ReportError(f"records[{i}]: {facet} is reported twice")
        if not isinstance(data, dict):
            raise ReportError(f"records[{i}].data: an object is required")
        try:
            records.append(Record(kind, host, validated(kind, data)))
        except PydanticValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise ReportError(f"records[{i}].data.{where}: {first['msg']}") from exc
        seen.add(facet)
    errors: dict[str, CollectorError] = {}
    for facet, raw in raw_errors.items():
        if facet not in COLLECTORS or not isinstance(raw, dict):
            raise ReportError(f"errors.{facet}: not a linux_host collector error")
        message = str(raw.get("message") or "the agent could not collect it")[:1000]
        errors[facet] = ReportedError(str(raw.get("category") or "error")[:40], message)
    return host, records, errors


def record_report(*, actor: Any, workspace: Any, report: Mapping[str, Any]) -> Any:
    """Store a report as a collection run of the connection `agent:<host>` and judge it."""
    from attestly.integrations.builtin.linux_host.ingest import do_record_host_report

    try:
        host, records, errors = parse_report(report)
    except ReportError as exc:
        raise ValidationError(str(exc)) from exc
    return do_record_host_report(
        actor=actor, workspace=workspace, host=host, records=records, errors=errors
    )
