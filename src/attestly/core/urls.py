from __future__ import annotations

from django.urls import path

from attestly.core import views

app_name = "core"

urlpatterns = [
    path("settings/", views.workspace_settings, name="settings"),
    path("audit/", views.audit_log, name="audit-log"),
]
