from __future__ import annotations

import json
from typing import Any

from django.urls import reverse
from rest_framework import serializers

from attestly.evidence.models import EvidenceItem
from attestly.evidence.verify import badges_for


class EvidenceItemSerializer(serializers.ModelSerializer[EvidenceItem]):
    workspace = serializers.CharField(source="workspace.slug", read_only=True)
    tombstoned = serializers.BooleanField(source="is_tombstoned", read_only=True)
    download_url = serializers.SerializerMethodField()
    verification = serializers.SerializerMethodField(
        help_text="This item's own check: state verified, broken or tombstoned, and problems."
    )

    class Meta:
        model = EvidenceItem
        fields = [
            "id", "workspace", "seq", "kind", "resource_key", "source", "source_ref",
            "collected_at", "effective_from", "effective_to", "valid_until", "content_hash",
            "size", "media_type", "filename", "control_refs", "prev_hash", "chain_hash",
            "tombstoned", "tombstoned_at", "tombstone_reason", "download_url", "verification",
        ]  # fmt: skip
        read_only_fields = fields

    def get_verification(self, item: EvidenceItem) -> dict[str, Any]:
        badges: dict[int, dict[str, Any]] = self.context.get("badges", {})
        badge = badges.get(item.pk)
        if badge is None:
            badge = badges_for([item], rehash_blob=bool(self.context.get("rehash_blob")))[item.pk]
        return {"state": badge["state"], "problems": badge["problems"]}

    def get_download_url(self, item: EvidenceItem) -> str | None:
        if item.is_tombstoned:
            return None
        return reverse("evidence-download", kwargs={"pk": item.pk})


class EvidenceItemDetailSerializer(EvidenceItemSerializer):
    """One item, with its structured content (null for files and tombstones)."""

    content = serializers.SerializerMethodField()

    class Meta(EvidenceItemSerializer.Meta):
        fields = [*EvidenceItemSerializer.Meta.fields, "content"]
        read_only_fields = fields

    def get_content(self, item: EvidenceItem) -> Any:
        return None if item.content is None else json.loads(bytes(item.content))


class EvidenceUploadSerializer(serializers.Serializer[Any]):
    """A multipart upload: the file, its workspace, its effective date or period, controls."""

    workspace = serializers.SlugField()
    file = serializers.FileField(allow_empty_file=False)
    effective_from = serializers.DateField()
    effective_to = serializers.DateField(required=False, allow_null=True)
    control_refs = serializers.ListField(
        child=serializers.CharField(max_length=64), required=False, default=list,
        help_text="Library control ids this evidence supports, e.g. AC-01 (repeat the field).",
    )  # fmt: skip
    kind = serializers.RegexField(r"^[a-z0-9_.-]{1,100}$", required=False,
                                  default="manual.upload")  # fmt: skip
