"""Password policy additions to Django's validators (length, similarity, common, numeric)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError

MAX_LENGTH = 256


class MaximumLengthValidator:
    """Refuse absurdly long passwords: hashing megabytes on every sign-in is a DoS vector."""

    def __init__(self, max_length: int = MAX_LENGTH) -> None:
        self.max_length = max_length

    def validate(self, password: str, user: Any = None) -> None:
        if len(password) > self.max_length:
            raise ValidationError(
                f"This password is too long: use at most {self.max_length} characters.",
                code="password_too_long",
            )

    def get_help_text(self) -> str:
        return f"Your password can be at most {self.max_length} characters long."
