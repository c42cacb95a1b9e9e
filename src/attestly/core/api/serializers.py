from __future__ import annotations

from rest_framework import serializers

from attestly.core.models import AuditEntry, Workspace


class WorkspaceSerializer(serializers.ModelSerializer[Workspace]):
    id = serializers.CharField(source="slug", read_only=True)
    role = serializers.SerializerMethodField()

    class Meta:
        model = Workspace
        fields = ["id", "name", "created_at", "role"]

    def get_role(self, workspace: Workspace) -> str | None:
        roles: dict[int, str] = self.context.get("roles", {})
        return roles.get(workspace.pk)


class AuditEntrySerializer(serializers.ModelSerializer[AuditEntry]):
    workspace: serializers.SlugRelatedField[Workspace] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True
    )

    class Meta:
        model = AuditEntry
        fields = [
            "id",
            "workspace",
            "seq",
            "created_at",
            "actor_label",
            "action",
            "object_type",
            "object_id",
            "object_repr",
            "before",
            "after",
            "hash",
        ]
