"""Finding integrations through entry points and holding them in a registry frozen at start-up.

Built-in and third-party integrations are found the same way: each entry point of the group
`attestly.integrations` names an `Integration` object (`"pkg.integration:integration"`).
The registry is filled once, when Django starts, then frozen (the NetBox plugin pattern):
registering later raises `RegistryFrozenError`. Tests use `attestly.testing.integrations`
to run with a registry of their own.
"""

from __future__ import annotations

import importlib.util
import logging
import threading
from collections.abc import Iterable, Iterator
from importlib import metadata as importlib_metadata
from typing import Any

from attestly.checks.registry import RegistryFrozenError
from attestly.integrations.base import Integration

ENTRY_POINT_GROUP = "attestly.integrations"
log = logging.getLogger(__name__)

__all__ = [
    "ENTRY_POINT_GROUP",
    "IntegrationDefinitionError",
    "IntegrationRegistry",
    "RegistryFrozenError",
    "discover",
    "get_registry",
]


class IntegrationDefinitionError(Exception):
    """An entry point does not load or does not name a valid `Integration`."""


class IntegrationRegistry:
    """Integrations by slug. Filled at start-up, then frozen."""

    def __init__(self, integrations: Iterable[Integration] = ()) -> None:
        self._items: dict[str, Integration] = {}
        self._frozen = False
        self._lock = threading.Lock()
        for integration in integrations:
            self.register(integration)

    def register(self, integration: Integration, origin: str = "") -> None:
        with self._lock:
            if self._frozen:
                raise RegistryFrozenError(
                    f"cannot register integration {integration.slug!r}: the registry is "
                    "frozen after start-up"
                )
            if integration.slug in self._items:
                raise IntegrationDefinitionError(
                    f"{origin or integration.slug}: integration slug {integration.slug!r} is "
                    "already registered"
                )
            self._items[integration.slug] = integration

    def freeze(self) -> IntegrationRegistry:
        self._frozen = True
        return self

    @property
    def frozen(self) -> bool:
        return self._frozen

    def get(self, slug: str) -> Integration:
        try:
            return self._items[slug]
        except KeyError:
            known = ", ".join(sorted(self._items)) or "none"
            raise KeyError(f"no integration {slug!r} (installed: {known})") from None

    def __contains__(self, slug: object) -> bool:
        return slug in self._items

    def __iter__(self) -> Iterator[Integration]:
        return iter(sorted(self._items.values(), key=lambda i: i.slug))

    def __len__(self) -> int:
        return len(self._items)


def discover(entry_points: Iterable[Any] | None = None) -> IntegrationRegistry:
    """Load every `attestly.integrations` entry point into a new frozen registry."""
    registry = IntegrationRegistry()
    eps = (
        entry_points
        if entry_points is not None
        else importlib_metadata.entry_points(group=ENTRY_POINT_GROUP)
    )
    for ep in sorted(eps, key=lambda e: e.name):
        where = f"entry point {ep.name} = {ep.value}"
        try:
            integration = ep.load()
        except Exception as exc:
            raise IntegrationDefinitionError(f"{where}: cannot be imported ({exc})") from exc
        if not isinstance(integration, Integration):
            raise IntegrationDefinitionError(
                f"{where}: names a {type(integration).__name__}, not an Integration"
            )
        if integration.slug != ep.name:
            raise IntegrationDefinitionError(
                f"{where}: the entry point name must equal the slug {integration.slug!r}"
            )
        if integration.checks and importlib.util.find_spec(integration.checks) is None:
            raise IntegrationDefinitionError(
                f"{where}: its checks package {integration.checks!r} cannot be found"
            )
        registry.register(integration, where)
    log.debug("integrations registered", extra={"count": len(registry)})
    return registry.freeze()


_registry: IntegrationRegistry | None = None
_registry_lock = threading.Lock()


def get_registry() -> IntegrationRegistry:
    """The process's registry, discovered on first use and frozen."""
    global _registry
    if _registry is None:
        with _registry_lock:
            if _registry is None:
                _registry = discover()
    return _registry


def set_registry(registry: IntegrationRegistry | None) -> IntegrationRegistry | None:
    """Replace the process registry (tests only, through `attestly.testing.integrations`).
    Returns the previous one."""
    global _registry
    with _registry_lock:
        previous, _registry = _registry, registry
    return previous
