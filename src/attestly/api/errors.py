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
