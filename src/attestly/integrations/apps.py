from __future__ import annotations

from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "attestly.integrations"
    label = "integrations"
    verbose_name = "Integrations"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Discover integrations once at start-up and freeze the registry.
        from attestly.integrations.registry import get_registry

        get_registry()
