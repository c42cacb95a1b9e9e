from __future__ import annotations

from typing import Any

from rest_framework import serializers

from attestly.integrations.models import CollectionRun, Connection
from attestly.integrations.registry import get_registry


class CollectorSerializer(serializers.Serializer[Any]):
    name = serializers.CharField()
    kinds = serializers.ListField(child=serializers.CharField())
    description = serializers.CharField()


class IntegrationSerializer(serializers.Serializer[Any]):
    """Schema only: integrations are registry entries, not rows."""

    slug = serializers.CharField()
    name = serializers.CharField()
    version = serializers.CharField()
    description = serializers.CharField()
    docs_url = serializers.CharField()
    default_schedule = serializers.CharField()
    kinds = serializers.ListField(child=serializers.CharField())
    collectors = CollectorSerializer(many=True)
    secret_fields = serializers.ListField(child=serializers.CharField())
    config_schema = serializers.JSONField(help_text="JSON Schema; secrets are writeOnly.")
    checks = serializers.ListField(child=serializers.CharField())


class ConnectionSerializer(serializers.ModelSerializer[Connection]):
    """A connection. `config` is written with secret fields included and read without them;
    `secrets_set` names the secret fields that hold a value."""

    workspace = serializers.CharField(source="workspace.slug", read_only=True)
    workspace_slug = serializers.CharField(write_only=True, required=False)
    integration = serializers.CharField(required=False)
    config = serializers.JSONField(required=False)
    secrets_set = serializers.SerializerMethodField()

    class Meta:
        model = Connection
        fields = [
            "id",
            "workspace",
            "workspace_slug",
            "name",
            "integration",
            "config",
            "secrets_set",
            "schedule",
            "enabled",
            "last_run_at",
            "last_status",
            "next_run_at",
            "created_at",
        ]
        read_only_fields = ["last_run_at", "last_status", "next_run_at", "created_at"]
        extra_kwargs = {"schedule": {"required": False}, "name": {"required": False}}

    def get_secrets_set(self, connection: Connection) -> list[str]:
        registry = get_registry()
        if connection.integration not in registry or not connection.secrets:
            return []
        return list(registry.get(connection.integration).secret_fields)


class ConnectionTestSerializer(serializers.Serializer[Any]):
    status = serializers.CharField()
    ok = serializers.BooleanField()
    message = serializers.CharField()
    missing_permissions = serializers.ListField(child=serializers.CharField())


class CollectionRunSerializer(serializers.ModelSerializer[CollectionRun]):
    workspace = serializers.CharField(source="workspace.slug", read_only=True)

    class Meta:
        model = CollectionRun
        fields = [
            "id",
            "workspace",
            "connection",
            "connection_name",
            "integration",
            "trigger",
            "status",
            "started_at",
            "finished_at",
            "duration_ms",
            "api_calls",
            "resources",
            "evidence_items",
            "results",
            "collectors",
            "errors",
            "check_run",
        ]
        read_only_fields = fields
