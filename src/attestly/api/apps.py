from __future__ import annotations

from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "attestly.api"
    label = "api"
    verbose_name = "API"
