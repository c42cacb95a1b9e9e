from __future__ import annotations

from rest_framework import serializers

from attestly.core.models import Workspace


class WorkspaceSerializer(serializers.ModelSerializer[Workspace]):
    id = serializers.CharField(source="slug", read_only=True)
    role = serializers.SerializerMethodField()

    class Meta:
        model = Workspace
        fields = ["id", "name", "created_at", "role"]

    def get_role(self, workspace: Workspace) -> str | None:
        roles: dict[int, str] = self.context.get("roles", {})
        return roles.get(workspace.pk)
