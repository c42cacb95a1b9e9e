from __future__ import annotations

import dataclasses

import pytest

from attestly.integrations.registry import (
    IntegrationDefinitionError,
    IntegrationRegistry,
    RegistryFrozenError,
    discover,
)
from attestly.testing.integrations import FakeEntryPoint
from tests.integrations.sample import integration as sample

SAMPLE = "tests.integrations.sample.integration:integration"


def test_integrations_are_found_through_entry_points_and_frozen() -> None:
    registry = discover([FakeEntryPoint("sample", SAMPLE)])
    assert [i.slug for i in registry] == ["sample"]
    assert registry.get("sample").kinds == ("sample.repo", "sample.user")
    assert registry.get("sample").secret_fields == ("token",)
    with pytest.raises(RegistryFrozenError, match="frozen after start-up"):
        registry.register(sample.integration)


def test_an_entry_point_must_name_an_integration_under_its_slug() -> None:
    with pytest.raises(IntegrationDefinitionError, match="must equal the slug 'sample'"):
        discover([FakeEntryPoint("other", SAMPLE)])
    with pytest.raises(IntegrationDefinitionError, match="names a type, not an Integration"):
        discover([FakeEntryPoint("x", "tests.integrations.sample.server:SampleServer")])
    with pytest.raises(IntegrationDefinitionError, match="cannot be imported"):
        discover([FakeEntryPoint("x", "no_such_module:integration")])


def test_duplicate_slugs_are_refused() -> None:
    with pytest.raises(IntegrationDefinitionError, match="already registered"):
        IntegrationRegistry([sample.integration, sample.integration])


def test_an_unknown_slug_names_the_installed_ones() -> None:
    with pytest.raises(KeyError, match=r"no integration 'aws' \(installed: sample\)"):
        IntegrationRegistry([sample.integration]).get("aws")


class LoadedEntryPoint:
    """An entry point whose object is given, not imported."""

    def __init__(self, name: str, value: object) -> None:
        self.name, self.value, self._value = name, f"<{name}>", value

    def load(self) -> object:
        return self._value


def test_a_checks_package_that_does_not_exist_is_named() -> None:
    broken = dataclasses.replace(sample.integration, checks="tests.integrations.sample.nowhere")
    with pytest.raises(
        IntegrationDefinitionError, match=r"'tests\.integrations\.sample\.nowhere' cannot"
    ):
        discover([LoadedEntryPoint("sample", broken)])
