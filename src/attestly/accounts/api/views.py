"""Single sign-on settings over the API, for owners (`sso.manage`)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from rest_framework import mixins, serializers, viewsets
from rest_framework.exceptions import NotFound

from attestly.accounts.actions import SSO_FIELDS, do_save_sso_config
from attestly.accounts.models import SsoConfig
from attestly.api.permissions import DEFAULT_PERMISSIONS
from attestly.core.models import Role, Workspace
from attestly.core.scoping import request_workspace_ids


class SsoConfigSerializer(serializers.ModelSerializer[SsoConfig]):
    id = serializers.CharField(source="workspace.slug", read_only=True)
    workspace = serializers.SlugField(write_only=True, required=False)
    client_secret = serializers.CharField(write_only=True, required=False, max_length=500)
    has_client_secret = serializers.SerializerMethodField()
    role_mapping = serializers.DictField(
        child=serializers.ChoiceField(choices=Role.choices), required=False
    )
    default_role = serializers.ChoiceField(
        choices=[("", "none"), *Role.choices], required=False, allow_blank=True
    )

    class Meta:
        model = SsoConfig
        fields = [
            "id",
            "workspace",
            *SSO_FIELDS,
            "client_secret",
            "has_client_secret",
            "updated_at",
        ]

    def get_has_client_secret(self, config: SsoConfig) -> bool:
        return bool(config.client_secret_encrypted)


class SsoConfigViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet[SsoConfig],
):
    """One SSO setting per workspace, looked up by workspace id. Owners only."""

    serializer_class = SsoConfigSerializer
    permission_classes = DEFAULT_PERMISSIONS
    lookup_field = "workspace__slug"
    lookup_url_kwarg = "id"
    required_actions = {
        "list": "sso.manage",
        "retrieve": "sso.manage",
        "create": "sso.manage",
        "update": "sso.manage",
        "partial_update": "sso.manage",
    }

    def get_queryset(self) -> QuerySet[SsoConfig]:
        return (
            SsoConfig.objects.filter(workspace_id__in=request_workspace_ids(self.request))
            .select_related("workspace")
            .order_by("workspace__slug")
        )

    def _save(self, serializer: Any, workspace: Workspace) -> None:
        data = dict(serializer.validated_data)
        data.pop("workspace", None)
        secret = data.pop("client_secret", None)
        serializer.instance = do_save_sso_config(
            actor=self.request.user,  # type: ignore[arg-type]
            workspace=workspace,
            client_secret=secret,
            **data,
        )

    def perform_create(self, serializer: Any) -> None:
        slug = serializer.validated_data.get("workspace", "")
        workspace = Workspace.objects.filter(
            slug=slug, pk__in=request_workspace_ids(self.request)
        ).first()
        if workspace is None:
            raise NotFound(f"No workspace {slug!r} that you may configure.")
        self._save(serializer, workspace)

    def perform_update(self, serializer: Any) -> None:
        self._save(serializer, serializer.instance.workspace)
