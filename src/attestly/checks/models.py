"""Check runs, results stored as intervals, daily roll-ups, exceptions and import mappings."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models

from attestly.checks.types import Status
from attestly.core.models import Workspace
from attestly.core.scoping import WorkspaceScopedManager


class RunKind(models.TextChoices):
    RUN = "run", "Scheduled or manual run"
    IMPORT = "import", "Findings import"


class CheckRun(models.Model):
    """One evaluation of checks (or one import of findings) in a workspace, with its counts."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=RunKind.choices, default=RunKind.RUN)
    evaluated_at = models.DateTimeField(help_text="The instant the checks took as now.")
    finished_at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    source_ref = models.CharField(max_length=300, blank=True)
    counts = models.JSONField(default=dict)

    objects = WorkspaceScopedManager["CheckRun"]()

    class Meta:
        ordering = ["-evaluated_at"]

    def __str__(self) -> str:
        return f"{self.kind} at {self.evaluated_at:%Y-%m-%d %H:%M}"


class CheckResult(models.Model):
    """An interval of one unchanged verdict of one check on one resource.

    A run that finds the same status over the same evidence only moves `last_seen`; a change
    of status or of evidence closes the interval (`is_current` false) and opens a new one, so a
    year of daily runs keeps a handful of rows per resource instead of 365.
    `evaluator` names the registered check that produced the verdict when it is not `check_id`
    (imported findings keep their scanner's id), so replay knows what to run.
    """

    # The composite indexes below lead with the workspace; a separate one would only add size.
    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    check_id = models.CharField(max_length=200)
    resource_key = models.CharField(max_length=500)
    kind = models.CharField(max_length=100, blank=True)
    status = models.CharField(max_length=16, choices=[(s.value, s.value) for s in Status])
    detail = models.TextField(blank=True)
    evidence_hashes = models.JSONField(default=list)
    evaluator = models.CharField(max_length=100, blank=True)
    first_seen = models.DateTimeField()
    last_seen = models.DateTimeField()
    is_current = models.BooleanField(default=True)

    objects = WorkspaceScopedManager["CheckResult"]()

    class Meta:
        ordering = ["check_id", "resource_key", "-first_seen"]
        indexes = [
            # Also the order of the results list (newest interval first per resource), so a
            # page of it is read from the index rather than sorted from every row.
            models.Index(
                fields=["workspace", "check_id", "resource_key", "-first_seen"],
                name="result_key_history",
            ),
            # Failures only, covering the period queries: a small index however long the history.
            models.Index(
                # status is listed too so a query that binds it as a parameter stays covered
                fields=[
                    "workspace",
                    "status",
                    "check_id",
                    "resource_key",
                    "last_seen",
                    "first_seen",
                ],
                condition=models.Q(status="fail"),
                name="result_failing",
            ),
            # Current results only, covering the per-check status counts of every page.
            models.Index(
                fields=["workspace", "check_id", "status"],
                condition=models.Q(is_current=True),
                name="result_current_status",
            ),
        ]
        constraints = [
            # Also the index of current results: runs, pages and readiness read only these.
            models.UniqueConstraint(
                fields=["workspace", "check_id", "resource_key"],
                condition=models.Q(is_current=True),
                name="one_current_result",
            )
        ]

    def __str__(self) -> str:
        return f"{self.check_id} {self.resource_key}: {self.status}"

    @property
    def evaluator_id(self) -> str:
        return self.evaluator or self.check_id


class RollupLevel(models.TextChoices):
    CHECK = "check", "Check"
    CONTROL = "control", "Library control"
    CRITERION = "criterion", "SOC 2 criterion"


class CheckRollup(models.Model):
    """Results per day per check, control or criterion: the worst status each resource had
    that day, counted. A Type II period query reads these instead of the intervals."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    level = models.CharField(max_length=10, choices=RollupLevel.choices)
    key = models.CharField(max_length=200)
    passed = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    errored = models.PositiveIntegerField(default=0)
    not_applicable = models.PositiveIntegerField(default=0)
    excepted = models.PositiveIntegerField(default=0)

    objects = WorkspaceScopedManager["CheckRollup"]()

    class Meta:
        ordering = ["level", "key", "day"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "level", "key", "day"], name="one_rollup_per_day"
            )
        ]
        indexes = [models.Index(fields=["workspace", "level", "day"], name="rollup_period")]

    def __str__(self) -> str:
        return f"{self.level} {self.key} {self.day}"


class CheckException(models.Model):
    """An accepted failure: one resource of one check, with a reason, an approver and an
    expiry date. Active through `expires_on`; the resource shows as failing again after it."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    check_id = models.CharField(max_length=200)
    resource_key = models.CharField(max_length=500)
    reason = models.TextField()
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    expires_on = models.DateField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = WorkspaceScopedManager["CheckException"]()

    class Meta:
        ordering = ["check_id", "resource_key", "-created_at"]
        indexes = [
            models.Index(fields=["workspace", "check_id", "resource_key"], name="exception_key")
        ]

    def __str__(self) -> str:
        return f"exception {self.check_id} {self.resource_key} until {self.expires_on}"

    def is_active(self, on: dt.date) -> bool:
        return self.revoked_at is None and on <= self.expires_on


class CheckMapping(models.Model):
    """A workspace's own mapping of an imported check id to library controls and criteria.

    Overrides the shipped mapping file (data/mappings/imported_checks.yaml) for that check.
    """

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    check_id = models.CharField(max_length=200, help_text="e.g. prowler:s3_bucket_public_access")
    controls = models.JSONField(default=list)
    criteria = models.JSONField(default=list)
    updated_at = models.DateTimeField(auto_now=True)

    objects = WorkspaceScopedManager["CheckMapping"]()

    class Meta:
        ordering = ["check_id"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "check_id"], name="one_mapping_per_check")
        ]

    def __str__(self) -> str:
        return f"{self.check_id} -> {', '.join(self.controls)}"
