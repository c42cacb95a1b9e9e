"""/api/v1/: every app registers its viewsets here."""

from __future__ import annotations

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

# Registers the OpenAPI extension describing token authentication, for the schema views below.
from attestly.accounts import schema as _token_auth_schema  # noqa: F401
from attestly.accounts.api.views import SsoConfigViewSet
from attestly.api.views import ApiRootView, not_found
from attestly.checks.api.views import (
    CheckExceptionViewSet,
    CheckMappingViewSet,
    CheckResultViewSet,
    CheckViewSet,
)
from attestly.controls.api.views import (
    ControlMappingViewSet,
    ControlViewSet,
    CrosswalkViewSet,
    LibraryControlViewSet,
    LibraryMappingViewSet,
)
from attestly.core.api.views import AuditEntryViewSet, WorkspaceViewSet
from attestly.evidence.api.views import EvidenceViewSet
from attestly.frameworks.api.views import CriterionViewSet, FrameworkViewSet
from attestly.integrations.api.views import (
    CollectionRunViewSet,
    ConnectionViewSet,
    IntegrationViewSet,
)
from attestly.integrations.builtin.linux_host.api import HostReportView
from attestly.readiness.api.views import (
    AdoptionViewSet,
    ExclusionViewSet,
    ReadinessHistoryViewSet,
    ReadinessViewSet,
)

router = DefaultRouter()
router.APIRootView = ApiRootView
router.register("frameworks", FrameworkViewSet, basename="framework")
router.register("criteria", CriterionViewSet, basename="criterion")
router.register("workspaces", WorkspaceViewSet, basename="workspace")
router.register("controls", ControlViewSet, basename="control")
router.register("control-mappings", ControlMappingViewSet, basename="control-mapping")
router.register("library-controls", LibraryControlViewSet, basename="library-control")
router.register("library-mappings", LibraryMappingViewSet, basename="library-mapping")
router.register("crosswalk", CrosswalkViewSet, basename="crosswalk")
router.register("adoptions", AdoptionViewSet, basename="adoption")
router.register("criterion-exclusions", ExclusionViewSet, basename="criterion-exclusion")
router.register("readiness", ReadinessViewSet, basename="readiness")
router.register("readiness-history", ReadinessHistoryViewSet, basename="readiness-history")
router.register("evidence", EvidenceViewSet, basename="evidence")
router.register("checks", CheckViewSet, basename="check")
router.register("check-results", CheckResultViewSet, basename="check-result")
router.register("check-exceptions", CheckExceptionViewSet, basename="check-exception")
router.register("check-mappings", CheckMappingViewSet, basename="check-mapping")
router.register("integrations", IntegrationViewSet, basename="integration")
router.register("connections", ConnectionViewSet, basename="connection")
router.register("runs", CollectionRunViewSet, basename="collection-run")
router.register("audit-entries", AuditEntryViewSet, basename="audit-entry")
router.register("sso-configs", SsoConfigViewSet, basename="sso-config")

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    *router.urls,
    path("host-reports/", HostReportView.as_view(), name="host-report"),
    path("<path:rest>", not_found),
]
