"""The JSON Schemas of the catalog files, generated from the pydantic models."""

from __future__ import annotations

from typing import Any

from attestly.frameworks.catalog.control_schema import ControlLibraryFile, DescriptionCriteriaFile
from attestly.frameworks.catalog.schema import FrameworkFile

_MODELS: dict[str, Any] = {
    "framework": FrameworkFile,
    "controls": ControlLibraryFile,
    "description": DescriptionCriteriaFile,
}


def json_schema(kind: str) -> dict[str, Any]:
    model = _MODELS[kind]
    schema: dict[str, Any] = model.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = f"urn:attestly:schema:catalog-{kind}:v1"
    return schema
