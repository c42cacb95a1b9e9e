from __future__ import annotations

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "attestly.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from attestly.accounts import schema  # noqa: F401  (registers the OpenAPI extension)
