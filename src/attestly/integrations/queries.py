"""Reads of the integrations app for pages and the API: catalogue entries and scoped rows."""

from __future__ import annotations

from typing import Any

from attestly.checks.registry import CheckRegistry
from attestly.checks.registry import get_registry as get_check_registry
from attestly.integrations.base import Integration
from attestly.integrations.collection import checks_for


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
