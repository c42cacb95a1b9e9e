from __future__ import annotations

from typing import Any

from rest_framework import serializers

from attestly.checks.models import CheckException, CheckMapping, CheckResult
from attestly.checks.queries import effective_status
from attestly.checks.registry import Check


def check_data(check: Check) -> dict[str, Any]:
    """A registered check as the API shows it."""
    return {
        **check.meta.model_dump(mode="json", exclude={"rule"}),
        "rule": check.meta.rule,
        "declarative": check.declarative,
        "criteria_supported": list(check.criteria),
    }


class CheckSerializer(serializers.Serializer[Check]):
    """Schema only: checks are registry entries, not rows."""

    id = serializers.CharField()
    title = serializers.CharField()
    description = serializers.CharField()
    severity = serializers.CharField()
    kinds = serializers.ListField(child=serializers.CharField())
    criteria = serializers.ListField(child=serializers.CharField())
    controls = serializers.ListField(child=serializers.CharField())
    criteria_supported = serializers.ListField(child=serializers.CharField())
    rationale = serializers.CharField()
    remediation = serializers.CharField()
    scope = serializers.CharField()
    mode = serializers.CharField()
    declarative = serializers.BooleanField()
    rule = serializers.JSONField(allow_null=True)


class CheckResultSerializer(serializers.ModelSerializer[CheckResult]):
    workspace = serializers.CharField(source="workspace.slug", read_only=True)
    status = serializers.SerializerMethodField(help_text="Effective status: exceptions applied.")
    stored_status = serializers.CharField(source="status", read_only=True)

    class Meta:
        model = CheckResult
        fields = [
            "id",
            "workspace",
            "check_id",
            "resource_key",
            "kind",
            "status",
            "stored_status",
            "detail",
            "evidence_hashes",
            "evaluator",
            "first_seen",
            "last_seen",
            "is_current",
        ]

    def get_status(self, result: CheckResult) -> str:
        excepted: set[tuple[int, str, str]] = self.context.get("excepted", set())
        if not result.is_current:
            return result.status
        key = (result.workspace_id, result.check_id, result.resource_key)
        return effective_status(result.status, key in excepted)


class CheckExceptionSerializer(serializers.ModelSerializer[CheckException]):
    workspace = serializers.CharField(source="workspace.slug", read_only=True)
    result = serializers.IntegerField(write_only=True, help_text="Id of the failing result.")
    approver = serializers.CharField(
        source="approver.username", help_text="Username of the approving member."
    )
    created_by = serializers.CharField(source="created_by.username", read_only=True, default=None)
    active = serializers.SerializerMethodField()

    class Meta:
        model = CheckException
        fields = [
            "id",
            "workspace",
            "result",
            "check_id",
            "resource_key",
            "reason",
            "approver",
            "expires_on",
            "created_by",
            "created_at",
            "revoked_at",
            "active",
        ]
        read_only_fields = ["check_id", "resource_key", "created_at", "revoked_at"]

    def get_active(self, exception: CheckException) -> bool:
        return exception.is_active(self.context["today"])


class CheckMappingSerializer(serializers.ModelSerializer[CheckMapping]):
    workspace = serializers.CharField(source="workspace.slug", read_only=True)
    workspace_slug = serializers.CharField(
        write_only=True, required=False, help_text="Workspace to create the mapping in."
    )
    controls = serializers.ListField(child=serializers.CharField(), allow_empty=True)
    criteria = serializers.ListField(
        child=serializers.CharField(), required=False, allow_empty=True
    )

    class Meta:
        model = CheckMapping
        fields = [
            "id",
            "workspace",
            "workspace_slug",
            "check_id",
            "controls",
            "criteria",
            "updated_at",
        ]
        read_only_fields = ["updated_at"]


class ReplaySerializer(serializers.Serializer[Any]):
    result = serializers.IntegerField()
    stored = serializers.CharField()
    replayed = serializers.CharField()
    same = serializers.BooleanField()
    detail = serializers.CharField()
    missing_hashes = serializers.ListField(child=serializers.CharField())


class PeriodRowSerializer(serializers.Serializer[Any]):
    key = serializers.CharField()
    days_observed = serializers.IntegerField()
    days_failing = serializers.IntegerField()
    days_error = serializers.IntegerField()
    failed = serializers.IntegerField()
    passed = serializers.IntegerField()
    errored = serializers.IntegerField()
    excepted = serializers.IntegerField()
    not_applicable = serializers.IntegerField()
