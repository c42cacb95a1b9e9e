from __future__ import annotations

from django.urls import include, path

urlpatterns = [
    path("api/v1/", include("attestly.api.urls")),
    path("", include("attestly.controls.urls")),
    path("", include("attestly.readiness.urls")),
    path("checks/", include("attestly.checks.urls")),
    path("evidence/", include("attestly.evidence.urls")),
    path("integrations/", include("attestly.integrations.urls")),
    path("", include("attestly.accounts.urls")),
    path("", include("attestly.core.urls")),
    path("", include("attestly.web.urls")),
]
