"""Workspace controls and the criteria each one meets.

A workspace control starts as a copy of a library control (`library_control`) when a framework
is adopted, or is written from scratch. Its mappings start as copies of the library's and can
then be edited per workspace.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from attestly.core.models import Workspace
from attestly.core.scoping import WorkspaceScopedManager, WorkspaceScopedQuerySet
from attestly.frameworks.models import (
    Criterion,
    Frequency,
    LibraryControl,
    Nature,
    Relationship,
)


class ImplementationStatus(models.TextChoices):
    """How far a workspace has got with a control."""

    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    IMPLEMENTED = "implemented", "Implemented"
    NOT_APPLICABLE = "not_applicable", "Not applicable"


class Control(models.Model):
    """A control a workspace runs, with its owner and implementation status.

    Retired controls stay (their history and audit trail matter) but leave lists and scores.
    """

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="controls")
    library_control = models.ForeignKey(
        LibraryControl, null=True, blank=True, on_delete=models.SET_NULL, related_name="adopted"
    )
    ref = models.CharField(max_length=16)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    family = models.SlugField(max_length=63, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_controls",
    )
    nature = models.CharField(max_length=24, choices=Nature.choices, default=Nature.MANUAL)
    frequency = models.CharField(max_length=16, choices=Frequency.choices, default=Frequency.ANNUAL)
    status = models.CharField(
        max_length=16,
        choices=ImplementationStatus.choices,
        default=ImplementationStatus.NOT_STARTED,
    )
    na_reason = models.TextField(blank=True, help_text="Why the control does not apply.")
    evidence = models.JSONField(
        default=list, blank=True, help_text="What an auditor expects to see, one item a line."
    )
    guidance = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    retired_at = models.DateTimeField(null=True, blank=True)

    objects = WorkspaceScopedManager["Control"]()

    class Meta:
        ordering = ["workspace", "ref"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "ref"], name="control_ref_per_workspace"),
            models.CheckConstraint(
                condition=~models.Q(status="not_applicable") | ~models.Q(na_reason=""),
                name="control_na_needs_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ref} {self.title}"

    @property
    def is_retired(self) -> bool:
        return self.retired_at is not None


class ControlMappingQuerySet(WorkspaceScopedQuerySet["ControlMapping"]):
    workspace_field = "control__workspace"


class ControlMappingManager(WorkspaceScopedManager["ControlMapping"]):
    def get_queryset(self) -> ControlMappingQuerySet:
        return ControlMappingQuerySet(self.model, using=self._db)


class ControlMapping(models.Model):
    """A workspace control meets (part of) one criterion of some framework."""

    control = models.ForeignKey(Control, on_delete=models.CASCADE, related_name="mappings")
    criterion = models.ForeignKey(
        Criterion, on_delete=models.CASCADE, related_name="control_mappings"
    )
    relationship = models.CharField(
        max_length=16, choices=Relationship.choices, default=Relationship.INTERSECT
    )

    objects = ControlMappingManager()

    class Meta:
        ordering = ["control", "criterion__framework__slug", "criterion__position"]
        constraints = [
            models.UniqueConstraint(fields=["control", "criterion"], name="control_map_once")
        ]

    def __str__(self) -> str:
        return f"{self.control.ref} {self.relationship} {self.criterion.key}"
