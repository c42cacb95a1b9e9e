from __future__ import annotations

from django.apps import AppConfig


class ReadinessConfig(AppConfig):
    name = "attestly.readiness"
    label = "readiness"
    verbose_name = "Readiness"
