"""/api/v1/: every app registers its viewsets here."""

from __future__ import annotations

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from attestly.accounts.api.views import SsoConfigViewSet
from attestly.api.views import ApiRootView, not_found
from attestly.core.api.views import AuditEntryViewSet, WorkspaceViewSet
from attestly.frameworks.api.views import CriterionViewSet, FrameworkViewSet

router = DefaultRouter()
router.APIRootView = ApiRootView
router.register("frameworks", FrameworkViewSet, basename="framework")
router.register("criteria", CriterionViewSet, basename="criterion")
router.register("workspaces", WorkspaceViewSet, basename="workspace")
router.register("audit-entries", AuditEntryViewSet, basename="audit-entry")
router.register("sso-configs", SsoConfigViewSet, basename="sso-config")

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    *router.urls,
    path("<path:rest>", not_found),
]
