from __future__ import annotations

from django.apps import AppConfig


class ControlsConfig(AppConfig):
    name = "attestly.controls"
    label = "controls"
    verbose_name = "Controls"
