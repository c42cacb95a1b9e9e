"""The `<check_id>.yaml` file of a check, validated by pydantic and against the catalog."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from attestly.frameworks.catalog.loader import Catalog

CheckId = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{2,99}$")]
# An evidence kind (`aws.s3.bucket`), or a family of kinds ending in `.*` (`upload.*`).
Kind = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z0-9][a-z0-9_\-]*(\.[a-z0-9_\-]+)*(\.\*)?$", max_length=100),
]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
MAX_YAML_BYTES = 1024 * 1024

try:  # the C loader is ~10x faster; fall back when libyaml is missing
    _Loader: Any = yaml.CSafeLoader
except AttributeError:  # pragma: no cover
    _Loader = yaml.SafeLoader


class CheckDefinitionError(Exception):
    """A check folder or YAML file is wrong; the message names the file and the field."""


class Severity(StrEnum):
    INFO = "info"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


class Scope(StrEnum):
    """`resource`: one verdict per evidence item; `workspace`: one verdict over all of them."""

    RESOURCE = "resource"
    WORKSPACE = "workspace"


class Mode(StrEnum):
    """`scheduled` checks run on `checks run`; `import` checks judge imported findings only."""

    SCHEDULED = "scheduled"
    IMPORT = "import"


class CheckMetadata(BaseModel):
    """Everything about a check except how it decides."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: CheckId
    title: ShortText
    description: Text
    severity: Severity
    kinds: list[Kind] = Field(min_length=1, description="Evidence kinds the check reads.")
    criteria: list[str] = Field(default_factory=list, description="SOC 2 criteria, e.g. CC6.1.")
    controls: list[str] = Field(default_factory=list, description="Library control ids.")
    rationale: Text
    remediation: Text
    scope: Scope = Scope.RESOURCE
    mode: Mode = Mode.SCHEDULED
    rule: dict[str, Any] | None = Field(
        None, description="A declarative rule; absent when the check has a Python evaluate."
    )

    def criteria_with_controls(self, catalog: Catalog) -> list[str]:
        """The check's SOC 2 criteria plus those its controls meet, sorted."""
        found = set(self.criteria)
        for control_id in self.controls:
            found.update(catalog.controls[control_id].maps.get("soc2", {}))
        return sorted(found)


def check_against_catalog(meta: CheckMetadata, catalog: Catalog, where: str) -> None:
    """Criteria and controls must exist; a check must support at least one of them."""
    soc2 = catalog.frameworks.get("soc2")
    known_criteria = {c.id for c in soc2.criteria} if soc2 is not None else set()
    for ref in meta.criteria:
        if ref not in known_criteria:
            raise CheckDefinitionError(f"{where}: criteria: unknown SOC 2 criterion {ref!r}")
    for control_id in meta.controls:
        if control_id not in catalog.controls:
            raise CheckDefinitionError(f"{where}: controls: unknown library control {control_id!r}")
    if meta.mode == Mode.SCHEDULED and not meta.criteria and not meta.controls:
        raise CheckDefinitionError(f"{where}: a check must support a criterion or a control")


def read_yaml(path: Path) -> Any:
    """Read one YAML file with a size limit, naming the file in every error."""
    try:
        if path.stat().st_size > MAX_YAML_BYTES:
            raise CheckDefinitionError(f"{path}: larger than {MAX_YAML_BYTES} bytes")
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise CheckDefinitionError(f"{path}: not UTF-8 ({exc.reason} at byte {exc.start})") from exc
    except OSError as exc:
        raise CheckDefinitionError(f"{path}: cannot be read ({exc.strerror})") from exc
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - a safe loader
    except yaml.YAMLError as exc:
        raise CheckDefinitionError(f"{path}: not valid YAML: {exc}") from exc


def parse_metadata(data: Any, where: str) -> CheckMetadata:
    """Validate a decoded YAML document, naming the first wrong field."""
    try:
        return CheckMetadata.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = ".".join(str(p) for p in err["loc"]) or "-"
        more = f" (and {exc.error_count() - 1} more problems)" if exc.error_count() > 1 else ""
        raise CheckDefinitionError(f"{where}: {loc}: {err['msg']}{more}") from exc
