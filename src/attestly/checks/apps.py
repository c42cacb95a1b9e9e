from __future__ import annotations

from django.apps import AppConfig


class ChecksConfig(AppConfig):
    name = "attestly.checks"
    label = "checks"
    verbose_name = "Checks"

    def ready(self) -> None:
        # Discover every check once at start-up and freeze the registry: a check registered
        # later (by a request, a job or a plugin's import side effect) raises.
        from attestly.checks.readiness_signals import check_signals
        from attestly.checks.registry import get_registry
        from attestly.readiness.queries import register_signal_provider

        get_registry()
        # Failing checks make their controls, and the criteria those meet, not met.
        register_signal_provider(check_signals)
