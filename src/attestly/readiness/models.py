"""Framework adoption and scope, criteria declared not applicable, and daily readiness."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from attestly.core.models import Workspace
from attestly.core.scoping import WorkspaceScopedManager
from attestly.frameworks.models import Category, Criterion, Framework


class FrameworkAdoption(models.Model):
    """A workspace working towards a framework, with the categories it has in scope."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="adoptions")
    framework = models.ForeignKey(Framework, on_delete=models.PROTECT, related_name="adoptions")
    categories = models.ManyToManyField(Category, related_name="+")
    adopted_at = models.DateTimeField(auto_now_add=True)

    objects = WorkspaceScopedManager["FrameworkAdoption"]()

    class Meta:
        ordering = ["workspace", "framework__slug"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "framework"], name="adopt_framework_once")
        ]

    def __str__(self) -> str:
        return f"{self.workspace} adopts {self.framework.slug}"


class CriterionExclusion(models.Model):
    """A criterion declared not applicable to the workspace, with the reason (DC 8).

    The system description must say which criteria do not apply and why; the criterion and
    its controls then leave the readiness score.
    """

    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="criterion_exclusions"
    )
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="exclusions")
    reason = models.TextField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = WorkspaceScopedManager["CriterionExclusion"]()

    class Meta:
        ordering = ["workspace", "criterion__framework__slug", "criterion__position"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "criterion"], name="exclude_once"),
            models.CheckConstraint(condition=~models.Q(reason=""), name="exclusion_needs_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.criterion.key} not applicable in {self.workspace}"


class ReadinessSnapshot(models.Model):
    """A workspace's readiness for one framework on one day, so history can be plotted.

    `criteria` holds {criterion ref: [status, score]} and `categories` {slug: score}, so a
    day's heat map can be redrawn without recomputing from data that has since changed.
    """

    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="readiness_snapshots"
    )
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="+")
    date = models.DateField()
    score = models.FloatField(help_text="0 to 100.")
    met = models.PositiveIntegerField()
    partly_met = models.PositiveIntegerField()
    not_met = models.PositiveIntegerField()
    not_applicable = models.PositiveIntegerField()
    categories = models.JSONField(default=dict)
    criteria = models.JSONField(default=dict)
    recorded_at = models.DateTimeField(auto_now=True)

    objects = WorkspaceScopedManager["ReadinessSnapshot"]()

    class Meta:
        ordering = ["workspace", "framework", "date"]
        indexes = [
            # The newest snapshot of a workspace, read by every cached request (core.datacache).
            models.Index(fields=["workspace", "id"], name="snapshot_workspace_newest"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "framework", "date"], name="one_snapshot_per_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.workspace} {self.framework.slug} {self.date}: {self.score:.1f}"
