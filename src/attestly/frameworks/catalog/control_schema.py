"""The shape of control library files and DC 200 description criteria files."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import Field, StringConstraints

from attestly.frameworks.catalog.schema import RefId, ShortText, Slug, Text, _Strict

ControlId = Annotated[str, StringConstraints(pattern=r"^[A-Z][A-Z0-9]{0,9}-[0-9]{2,3}$")]


class Nature(StrEnum):
    MANUAL = "manual"
    AUTOMATED = "automated"
    IT_DEPENDENT_MANUAL = "it_dependent_manual"


class Frequency(StrEnum):
    CONTINUOUS = "continuous"
    DAILY = "daily"
    WEEKLY = "weekly"
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    SEMI_ANNUAL = "semi_annual"
    ANNUAL = "annual"
    ON_EVENT = "on_event"


class Relationship(StrEnum):
    """How a control stands to a requirement (NIST set-theory relationships)."""

    EQUAL = "equal"
    SUBSET = "subset"
    SUPERSET = "superset"
    INTERSECT = "intersect"


class ControlSpec(_Strict):
    id: ControlId
    title: ShortText
    family: Slug
    description: Text
    owner_role: ShortText
    nature: Nature
    frequency: Frequency
    evidence: list[ShortText | Text] = Field(min_length=1)
    guidance: Text
    # framework id -> {criterion id -> relationship}
    maps: dict[Slug, dict[RefId, Relationship]] = Field(min_length=1)


class ControlLibraryFile(_Strict):
    """A control library file: `schema_version: 1` and its `controls`."""

    schema_version: int = Field(ge=1, le=1)
    controls: list[ControlSpec] = Field(min_length=1)


class DescriptionItemSpec(_Strict):
    id: RefId
    title: ShortText
    summary: Text
    applies_to: list[Slug] = Field(default_factory=list)
    guidance: Text | None = None
    sub_items: list[DescriptionItemSpec] = Field(default_factory=list)


class DescriptionCriteriaSpec(_Strict):
    id: Slug
    name: ShortText
    version: ShortText
    items: list[DescriptionItemSpec] = Field(min_length=1)


class DescriptionCriteriaFile(_Strict):
    """DC 200: the criteria a SOC 2 system description is judged against."""

    schema_version: int = Field(ge=1, le=1)
    description_criteria: DescriptionCriteriaSpec
