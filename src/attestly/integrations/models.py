"""Connections (configured instances of an integration) and their collection runs."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from attestly.core.models import Workspace
from attestly.core.scoping import WorkspaceScopedManager


class Connection(models.Model):
    """One configured instance of an integration in a workspace.

    `config` holds the non-secret fields as given; `secrets` the secret fields as one
    versioned ciphertext (see `integrations.secrets`), never decrypted outside a run or a
    connection test. `schedule` is an interval (`6h`, `30m`, `1d`) or a 5-field cron
    expression, in UTC.
    """

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=100)
    integration = models.CharField(max_length=50)
    config = models.JSONField(default=dict)
    secrets = models.TextField(blank=True)
    schedule = models.CharField(max_length=100, default="6h")
    enabled = models.BooleanField(default=True)
    last_run_at = models.DateTimeField(null=True, blank=True)
    last_status = models.CharField(max_length=16, blank=True)
    next_run_at = models.DateTimeField(null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = WorkspaceScopedManager["Connection"]()

    class Meta:
        ordering = ["workspace", "name"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="connection_name_unique")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.integration})"


class RunStatus(models.TextChoices):
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    PARTIAL = "partial", "Some collectors failed"
    FAILED = "failed", "Failed"


class CollectionRun(models.Model):
    """One collection of a connection: what was collected, what the checks found, what failed.

    `collectors` maps each collector to {status, records, duration_ms, error}; `errors` the
    failed ones to {category, message, permission}; `results` the check results per status.
    """

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    connection = models.ForeignKey(
        Connection, null=True, blank=True, on_delete=models.SET_NULL, related_name="runs"
    )
    connection_name = models.CharField(max_length=100)
    integration = models.CharField(max_length=50)
    trigger = models.CharField(max_length=16, default="manual")
    status = models.CharField(max_length=16, choices=RunStatus.choices, default=RunStatus.RUNNING)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    api_calls = models.PositiveIntegerField(default=0)
    resources = models.PositiveIntegerField(default=0)
    evidence_items = models.PositiveIntegerField(default=0)
    results = models.JSONField(default=dict)
    collectors = models.JSONField(default=dict)
    errors = models.JSONField(default=dict)
    batch_key = models.CharField(max_length=200, blank=True)
    check_run = models.ForeignKey(
        "checks.CheckRun", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = WorkspaceScopedManager["CollectionRun"]()

    class Meta:
        ordering = ["-started_at", "-pk"]
        indexes = [
            # The newest run of a workspace, read by every cached request (core.datacache).
            models.Index(fields=["workspace", "id"], name="run_workspace_newest"),
        ]

    def __str__(self) -> str:
        return f"{self.connection_name} at {self.started_at:%Y-%m-%d %H:%M} ({self.status})"
