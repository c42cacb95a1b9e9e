"""Which library controls and SOC 2 criteria a check's results count towards.

Registered checks say so in their metadata. Imported checks (a scanner's own ids, such as
`prowler:s3_bucket_default_encryption`) are looked up in the workspace's `CheckMapping` rows,
then in the shipped file data/mappings/imported_checks.yaml.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from attestly.checks.metadata import CheckDefinitionError, read_yaml
from attestly.checks.models import CheckMapping
from attestly.checks.registry import CheckRegistry, get_registry
from attestly.core.models import Workspace
from attestly.frameworks.catalog.loader import Catalog, shipped_catalog

MAPPING_FILE = Path(__file__).resolve().parent.parent / "data" / "mappings" / "imported_checks.yaml"


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    controls: list[str] = Field(default_factory=list)
    criteria: list[str] = Field(default_factory=list)


class _MappingFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    schema_version: int = Field(ge=1, le=1)
    mappings: dict[str, _Entry]


@dataclass(frozen=True)
class Mapping:
    """Where one check's results count: library controls and SOC 2 criteria (with the
    criteria of those controls included)."""

    controls: tuple[str, ...]
    criteria: tuple[str, ...]


def validate_targets(
    controls: Iterable[str], criteria: Iterable[str], catalog: Catalog
) -> list[str]:
    """Problems with control and criterion ids, as messages; empty when all are known."""
    soc2 = catalog.frameworks.get("soc2")
    known = {c.id for c in soc2.criteria} if soc2 is not None else set()
    problems = [f"unknown library control {c!r}" for c in controls if c not in catalog.controls]
    problems += [f"unknown SOC 2 criterion {c!r}" for c in criteria if c not in known]
    return problems


def _expand(controls: Iterable[str], criteria: Iterable[str], catalog: Catalog) -> Mapping:
    controls = tuple(sorted(set(controls)))
    found = set(criteria)
    for control_id in controls:
        spec = catalog.controls.get(control_id)
        if spec is not None:
            found.update(spec.maps.get("soc2", {}))
    return Mapping(controls, tuple(sorted(found)))


@functools.cache
def shipped_mappings() -> dict[str, Mapping]:
    """The shipped mapping file, validated against the catalog once per process."""
    catalog = shipped_catalog()
    try:
        parsed = _MappingFile.model_validate(read_yaml(MAPPING_FILE))
    except ValidationError as exc:
        raise CheckDefinitionError(f"{MAPPING_FILE}: {exc.errors()[0]['msg']}") from exc
    found = {}
    for check_id, entry in parsed.mappings.items():
        problems = validate_targets(entry.controls, entry.criteria, catalog)
        if problems:
            raise CheckDefinitionError(f"{MAPPING_FILE}: {check_id}: {problems[0]}")
        found[check_id] = _expand(entry.controls, entry.criteria, catalog)
    return found


def mappings_for(
    workspace: Workspace,
    check_ids: Iterable[str],
    extra_criteria: dict[str, set[str]] | None = None,
    registry: CheckRegistry | None = None,
) -> dict[str, Mapping]:
    """Mapping of each check id: registry, then workspace override, then shipped file.

    `extra_criteria` adds criteria an import found in the findings themselves.
    """
    registry = registry or get_registry()
    catalog = shipped_catalog()
    wanted = set(check_ids)
    overrides = {
        m.check_id: m for m in CheckMapping.objects.filter(workspace=workspace, check_id__in=wanted)
    }
    shipped = shipped_mappings()
    extra = extra_criteria or {}
    result: dict[str, Mapping] = {}
    for check_id in wanted:
        if check_id in registry:
            check = registry.get(check_id)
            result[check_id] = Mapping(check.controls, check.criteria)
            continue
        override = overrides.get(check_id)
        if override is not None:
            base = _expand(override.controls, override.criteria, catalog)
        else:
            base = shipped.get(check_id, Mapping((), ()))
        more = extra.get(check_id, set())
        result[check_id] = Mapping(base.controls, tuple(sorted(set(base.criteria) | more)))
    return result
