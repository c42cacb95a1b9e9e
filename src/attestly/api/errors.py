"""Every API error body carries `detail`; validation errors add `errors` per field."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        )
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    data = response.data
    if isinstance(data, dict) and "detail" in data and len(data) == 1:
        return response
    if response.status_code == status.HTTP_400_BAD_REQUEST:
        response.data = {"detail": _summarise(data), "errors": data}
    elif isinstance(data, dict):
        response.data = {"detail": str(data.get("detail", "Request failed.")), **data}
    else:
        response.data = {"detail": "Request failed.", "errors": data}
    return response


def _summarise(errors: Any) -> str:
    if isinstance(errors, dict):
        parts = []
        for field, messages in errors.items():
            first = messages[0] if isinstance(messages, list) and messages else messages
            parts.append(f"{field}: {first}" if field != "non_field_errors" else str(first))
        return "Invalid request. " + "; ".join(parts)
    if isinstance(errors, list) and errors:
        return "Invalid request. " + str(errors[0])
    return "Invalid request."


# Statuses any operation may answer with; each body is the shape built above.
_COMMON_ERRORS = {
    "400": "Invalid request (bad parameters, filters or body).",
    "401": "Missing or invalid credentials.",
    "403": "Not allowed (role, token scope or workspace).",
    "404": "Not found (unknown object, or a page past the end).",
    "429": "Too many requests.",
}


def document_errors_hook(
    result: dict[str, Any], generator: Any, request: Any, public: bool
) -> dict[str, Any]:
    """drf-spectacular postprocessing hook: declare the error responses every view can give.

    Without them the schema promises only the success status, and clients (and the
    schemathesis test) see undocumented 400/404s from filters, pagination and permissions.
    """
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["Error"] = {
        "type": "object",
        "properties": {
            "detail": {"type": "string"},
            "errors": {},
        },
        "required": ["detail"],
    }
    ref = {"$ref": "#/components/schemas/Error"}
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            for code, description in _COMMON_ERRORS.items():
                operation["responses"].setdefault(
                    code,
                    {"description": description, "content": {"application/json": {"schema": ref}}},
                )
    return result
