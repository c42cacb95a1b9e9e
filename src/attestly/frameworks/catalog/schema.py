"""The shape of framework files (pydantic), from which the published JSON Schema is made."""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]{0,62}$")]
# Criterion ids are the publishers' (CC6.1, A.5.15, GV.OC-01, Art.32); keep them URL-safe.
RefId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9.()_-]{0,39}$")]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]

REF_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.()_-]{0,39}$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PofScope(StrEnum):
    """Which engagements a point of focus applies to."""

    COSO = "coso"
    ALL = "all"
    SYSTEM = "system"
    AVAILABILITY = "availability"
    CONFIDENTIALITY = "confidentiality"
    PROCESSING_INTEGRITY = "processing_integrity"
    PRIVACY = "privacy"


class PrivacyRole(StrEnum):
    PROCESSOR = "processor"
    CONTROLLER = "controller"
    BOTH = "both"


class CosoComponent(StrEnum):
    CONTROL_ENVIRONMENT = "control_environment"
    RISK_ASSESSMENT = "risk_assessment"
    CONTROL_ACTIVITIES = "control_activities"
    INFORMATION_COMMUNICATION = "information_communication"
    MONITORING_ACTIVITIES = "monitoring_activities"


class PointOfFocusSpec(_Strict):
    id: RefId
    scope: PofScope
    text: Text
    privacy_role: PrivacyRole | None = None
    goods_only: bool = False


class CriterionSpec(_Strict):
    id: RefId
    group: RefId
    category: Slug
    title: ShortText
    statement: Text
    coso_principle: int | None = Field(None, ge=1, le=17)
    points_of_focus: list[PointOfFocusSpec] = Field(default_factory=list)


class CategorySpec(_Strict):
    id: Slug
    name: ShortText
    description: Text | None = None
    always_in_scope: bool = False


class GroupSpec(_Strict):
    id: RefId
    name: ShortText
    parent: RefId | None = None
    category: Slug | None = None
    coso_component: CosoComponent | None = None
    description: Text | None = None


class ExpectedCounts(_Strict):
    criteria: int = Field(ge=0)
    points_of_focus: int = Field(0, ge=0)


class FrameworkSpec(_Strict):
    id: Slug
    name: ShortText
    version: ShortText
    publisher: ShortText
    description: Text
    expected_counts: ExpectedCounts | None = None
    categories: list[CategorySpec] = Field(min_length=1)
    groups: list[GroupSpec] = Field(default_factory=list)
    criteria: list[CriterionSpec] = Field(min_length=1)


class FrameworkFile(_Strict):
    """A framework file: `schema_version: 1` and one `framework`."""

    schema_version: int = Field(ge=1, le=1)
    framework: FrameworkSpec
