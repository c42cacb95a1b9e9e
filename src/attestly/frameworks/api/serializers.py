from __future__ import annotations

from rest_framework import serializers

from attestly.frameworks.models import Category, Criterion, Framework, PointOfFocus


class CategorySerializer(serializers.ModelSerializer[Category]):
    id = serializers.CharField(source="slug")

    class Meta:
        model = Category
        fields = ["id", "name", "description", "always_in_scope"]


class FrameworkSerializer(serializers.ModelSerializer[Framework]):
    id = serializers.CharField(source="slug")
    categories = CategorySerializer(many=True, read_only=True)
    criteria_count = serializers.IntegerField(read_only=True)
    points_of_focus_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Framework
        fields = [
            "id",
            "name",
            "version",
            "publisher",
            "description",
            "categories",
            "criteria_count",
            "points_of_focus_count",
        ]


class PointOfFocusSerializer(serializers.ModelSerializer[PointOfFocus]):
    id = serializers.CharField(source="ref")

    class Meta:
        model = PointOfFocus
        fields = ["id", "scope", "privacy_role", "goods_only", "text"]


class CriterionSerializer(serializers.ModelSerializer[Criterion]):
    id = serializers.CharField(source="ref")
    framework = serializers.CharField(source="framework.slug")
    category = serializers.CharField(source="category.slug")
    group = serializers.CharField(source="group.ref")
    group_name = serializers.CharField(source="group.name")
    coso_component = serializers.CharField(source="group.coso_component")
    points_of_focus = PointOfFocusSerializer(many=True, read_only=True)

    class Meta:
        model = Criterion
        fields = [
            "key",
            "id",
            "framework",
            "category",
            "group",
            "group_name",
            "coso_component",
            "coso_principle",
            "title",
            "statement",
            "points_of_focus",
        ]
