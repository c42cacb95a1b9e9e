"""Running tests with integrations (and their checks) that are not installed as packages.

    with installed_integrations(sample.integration, checks={"sample": "tests.sample.checks"}):
        ...  # get_registry() of both integrations and checks now include them

The process registries are frozen at start-up; this swaps both for the duration of the
block (built-in checks plus the given check packages) and puts the originals back after.
Tests only: nothing in `src/` calls it.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import metadata as importlib_metadata
from typing import Any

from attestly.checks import registry as check_registry_module
from attestly.checks.registry import CheckRegistry
from attestly.integrations import registry as integration_registry_module
from attestly.integrations.base import Integration
from attestly.integrations.registry import IntegrationRegistry


@dataclass(frozen=True)
class FakeEntryPoint:
    """Quacks like `importlib.metadata.EntryPoint` for `discover(entry_points=...)`."""

    name: str
    value: str

    def load(self) -> Any:
        module, _sep, attr = self.value.partition(":")
        loaded = importlib.import_module(module)
        return getattr(loaded, attr) if attr else loaded


def build_check_registry(checks: Mapping[str, str]) -> CheckRegistry:
    """Installed check packages plus `checks` (entry point name → package), frozen."""
    from attestly.checks.registry import discover
    from attestly.conf.options import load_options
    from attestly.frameworks.catalog.loader import shipped_catalog

    eps: list[Any] = list(importlib_metadata.entry_points(group="attestly.checks"))
    eps += [FakeEntryPoint(name, package) for name, package in checks.items()]
    return discover(shipped_catalog(), load_options().checks_dirs, entry_points=eps)


@contextmanager
def installed_integrations(
    *integrations: Integration, checks: Mapping[str, str] | None = None
) -> Iterator[tuple[IntegrationRegistry, CheckRegistry]]:
    """Make `integrations` and `checks` packages visible to the process registries."""
    base = integration_registry_module.get_registry()
    registry = IntegrationRegistry([*base, *integrations]).freeze()
    check_reg = build_check_registry(checks or {})
    previous_integrations = integration_registry_module.set_registry(registry)
    previous_checks = check_registry_module._registry
    check_registry_module._registry = check_reg
    try:
        yield registry, check_reg
    finally:
        integration_registry_module.set_registry(previous_integrations)
        check_registry_module._registry = previous_checks
