"""Fixtures for the check engine tests: a small registry of demo checks."""

from __future__ import annotations

import pytest

from attestly.checks.registry import CheckRegistry
from attestly.testing.factories import make_check


@pytest.fixture
def demo_registry() -> CheckRegistry:
    """`demo_a`: passes when data.ok (CRY-02); `demo_b`: always passes (NET-03, CC6.1)."""
    registry = CheckRegistry()
    registry.register(make_check("demo_a"))
    registry.register(
        make_check(
            "demo_b", evaluate=lambda item, ctx: True, controls=["NET-03"], criteria=["CC6.1"]
        )
    )
    registry.freeze()
    return registry
