from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from attestly.readiness.models import CriterionExclusion, FrameworkAdoption, ReadinessSnapshot
from attestly.readiness.queries import Readiness
from attestly.readiness.scoring import CriterionStatus


class AdoptionSerializer(serializers.ModelSerializer[FrameworkAdoption]):
    workspace = serializers.CharField(source="workspace.slug", read_only=True)
    framework = serializers.CharField(source="framework.slug", read_only=True)
    categories = serializers.SerializerMethodField()

    class Meta:
        model = FrameworkAdoption
        fields = ["id", "workspace", "framework", "categories", "adopted_at"]

    def get_categories(self, adoption: FrameworkAdoption) -> list[str]:
        return [c.slug for c in sorted(adoption.categories.all(), key=lambda c: c.position)]


class AdoptionWriteSerializer(serializers.Serializer[Any]):
    workspace = serializers.CharField(required=False, help_text="Workspace id (create only).")
    framework = serializers.CharField(required=False, help_text="Framework id (create only).")
    categories = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        help_text="Categories in scope; security is always in.",
    )


class ExclusionSerializer(serializers.ModelSerializer[CriterionExclusion]):
    workspace = serializers.CharField(source="workspace.slug")
    criterion = serializers.CharField(source="criterion.key")
    created_by = serializers.SerializerMethodField()

    class Meta:
        model = CriterionExclusion
        fields = ["id", "workspace", "criterion", "reason", "created_by", "created_at"]

    def get_created_by(self, exclusion: CriterionExclusion) -> str | None:
        return exclusion.created_by.get_username() if exclusion.created_by else None


class ExclusionWriteSerializer(serializers.Serializer[Any]):
    workspace = serializers.CharField()
    criterion = serializers.CharField(help_text="Criterion key, e.g. soc2:P3.2")
    reason = serializers.CharField(allow_blank=True, required=False, default="")


class SnapshotSerializer(serializers.ModelSerializer[ReadinessSnapshot]):
    workspace = serializers.CharField(source="workspace.slug")
    framework = serializers.CharField(source="framework.slug")

    class Meta:
        model = ReadinessSnapshot
        fields = [
            "workspace",
            "framework",
            "date",
            "score",
            "met",
            "partly_met",
            "not_met",
            "not_applicable",
            "categories",
            "criteria",
        ]


def _pct(value: float | None) -> float | None:
    return None if value is None else round(100 * value, 1)


def _counts(counts: dict[CriterionStatus, int]) -> dict[str, int]:
    return {k.value: v for k, v in counts.items()}


def readiness_payload(
    r: Readiness, *, category: str | None = None, criterion: str | None = None
) -> dict[str, Any]:
    """Framework, category and criterion readiness in one document (scores are 0-100)."""
    names = {c.slug: c.name for c in r.categories}
    rows = []
    for c, s in r.criterion_rows():
        if (category and c.category.slug != category) or (
            criterion and criterion not in (c.key, c.ref)
        ):
            continue
        rows.append(
            {
                "criterion": c.key,
                "ref": c.ref,
                "title": c.title,
                "category": c.category.slug,
                "group": c.group.ref,
                "status": s.status.value,
                "score": _pct(s.score),
                "controls": {k: v.value for k, v in s.controls.items()},
                "not_applicable_reason": r.exclusions.get(c.pk),
                "reasons": list(s.reasons),
            }
        )
    return {
        "workspace": r.workspace.slug,
        "framework": r.framework.slug,
        "score": r.score.percent,
        "counts": _counts(r.score.counts),
        "categories": [
            {
                "id": cat.slug,
                "name": names[cat.slug],
                "score": _pct(cat.score),
                "counts": _counts(cat.counts),
            }
            for cat in r.score.categories
            if not category or cat.slug == category
        ],
        "criteria": rows,
    }


class CountsSerializer(serializers.Serializer[Any]):
    """Criteria per status."""

    met = serializers.IntegerField()
    partly_met = serializers.IntegerField()
    not_met = serializers.IntegerField()
    not_applicable = serializers.IntegerField()


class CategoryReadinessSerializer(serializers.Serializer[Any]):
    id = serializers.CharField()
    name = serializers.CharField()
    score = serializers.FloatField(allow_null=True, help_text="0-100; null if nothing applies")
    counts = CountsSerializer()


class CriterionReadinessSerializer(serializers.Serializer[Any]):
    criterion = serializers.CharField(help_text="Key, e.g. soc2:CC6.1")
    ref = serializers.CharField()
    title = serializers.CharField()
    category = serializers.CharField()
    group = serializers.CharField()
    status = serializers.CharField(help_text="met, partly_met, not_met or not_applicable")
    score = serializers.FloatField(allow_null=True, help_text="0-100; null if not applicable")
    controls = serializers.DictField(
        child=serializers.CharField(),
        help_text="Control ref -> state (implemented, partial, not_implemented, failing, excluded)",
    )
    not_applicable_reason = serializers.CharField(allow_null=True)
    reasons = serializers.ListField(child=serializers.CharField())


class FrameworkReadinessSerializer(serializers.Serializer[Any]):
    """Documents `readiness_payload` for the OpenAPI schema."""

    workspace = serializers.CharField()
    framework = serializers.CharField()
    score = serializers.FloatField(help_text="0-100")
    counts = CountsSerializer()
    categories = CategoryReadinessSerializer(many=True)
    criteria = CriterionReadinessSerializer(many=True)


# The list action answers one envelope object, not an array of them.
@extend_schema_serializer(many=False)
class ReadinessListSerializer(serializers.Serializer[Any]):
    count = serializers.IntegerField()
    results = FrameworkReadinessSerializer(many=True)
