"""The model authentication backend, with the per-request user read done by one hand-written
query (`attestly.core.hotpath`); signing in, permissions and the active check are Django's."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class AttestlyModelBackend(ModelBackend):
    def get_user(self, user_id: Any) -> Any:
        from attestly.core.hotpath import one

        try:
            pk = int(user_id)
        except (TypeError, ValueError):
            return None
        user = one(get_user_model(), "id", pk)
        return user if user is not None and self.user_can_authenticate(user) else None
