"""Reads of the integrations app for pages and the API: catalogue entries and scoped rows."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from attestly.checks.registry import CheckRegistry
from attestly.checks.registry import get_registry as get_check_registry
from attestly.core import datacache
from attestly.integrations.base import Integration
from attestly.integrations.collection import checks_for
from attestly.integrations.models import Connection, RunStatus

# What a workspace's connections and runs show depends on, for kept pages and API answers
# (attestly.core.datacache): its connections, their runs and what those runs judged.
LIST_DEPENDS_ON: datacache.Depends = ("integrations", "checks", datacache.RUNS)

# A connection is in error when its last run failed, wholly or in part.
ERROR_STATUSES = (RunStatus.FAILED.value, RunStatus.PARTIAL.value)
# `state` filter of the connections page and API: in error, last run fine, never run.
CONNECTION_STATES = (
    ("error", "last run failed"),
    ("ok", "last run succeeded"),
    ("never", "never run"),
)


def filter_connection_state(connections: QuerySet[Connection], state: str) -> QuerySet[Connection]:
    """Connections in one `CONNECTION_STATES` state; an empty state keeps them all."""
    if state == "error":
        return connections.filter(last_status__in=ERROR_STATUSES)
    if state == "ok":
        return connections.filter(last_status=RunStatus.SUCCEEDED)
    if state == "never":
        return connections.filter(last_run_at__isnull=True)
    return connections


def config_schema(integration: Integration) -> dict[str, Any]:
    """The config model's JSON Schema; secret fields carry `writeOnly` and `format: password`."""
    return integration.config.model_json_schema()


def integration_data(
    integration: Integration, checks: CheckRegistry | None = None
) -> dict[str, Any]:
    """An integration as the catalogue shows it."""
    found = checks_for(integration, checks or get_check_registry())
    return {
        "slug": integration.slug,
        "name": integration.name,
        "version": integration.version,
        "description": integration.description,
        "docs_url": integration.docs_url,
        "default_schedule": integration.default_schedule,
        "kinds": list(integration.kinds),
        "collectors": [
            {"name": c.name, "kinds": list(c.kinds), "description": c.description}
            for c in integration.collectors
        ],
        "secret_fields": list(integration.secret_fields),
        "config_schema": config_schema(integration),
        "checks": [c.id for c in found],
    }
