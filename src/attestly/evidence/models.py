"""The evidence ledger: items, their batches, checkpoints, signing keys and stored content.

Items are append-only. Each workspace has one hash chain over its items (`seq`, `prev_hash`,
`chain_hash`); each batch is sealed by an Ed25519-signed checkpoint over the chain head. The
only change an item ever sees is a tombstone: its content is deleted for privacy, its hashes
stay, so the chain still verifies and shows what was removed, when and by whom.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models

from attestly.core.models import AppendOnlyError, Workspace
from attestly.core.scoping import WorkspaceScopedManager, WorkspaceScopedQuerySet


class Source(models.TextChoices):
    """Where an item came from."""

    CONNECTION = "connection", "Connection"
    UPLOAD = "upload", "Upload"
    IMPORT = "import", "Import"


class Storage(models.TextChoices):
    """Where an item's content lives: inline in its database row, or in the blob store."""

    DB = "db", "Database"
    BLOB = "blob", "Blob store"


class EvidenceBatch(models.Model):
    """One collection run, upload or import; idempotent per (workspace, batch_key)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.PROTECT, related_name="+")
    batch_key = models.CharField(max_length=200)
    source = models.CharField(max_length=16, choices=Source.choices)
    source_ref = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    first_seq = models.PositiveBigIntegerField()
    last_seq = models.PositiveBigIntegerField()
    item_count = models.PositiveIntegerField(default=0)

    objects = WorkspaceScopedManager["EvidenceBatch"]()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "batch_key"], name="evidence_batch_once")
        ]

    def __str__(self) -> str:
        return f"batch {self.batch_key} ({self.item_count} items)"


class EvidenceItemQuerySet(WorkspaceScopedQuerySet["EvidenceItem"]):
    """Refuses bulk deletes too; `update` stays for the tombstone action only."""

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("evidence items are never deleted; tombstone the content instead")


class EvidenceItemManager(WorkspaceScopedManager["EvidenceItem"]):
    def get_queryset(self) -> EvidenceItemQuerySet:
        return EvidenceItemQuerySet(self.model, using=self._db)


class EvidenceItem(models.Model):
    """One immutable piece of evidence and its link in the workspace's hash chain.

    `control_refs` holds library control ids as plain strings (e.g. "AC-01"): the controls app
    is built elsewhere, and these become links to it once it lands.
    """

    # Every index costs ingest time; (workspace, seq) and (workspace, kind) cover the reads,
    # and a batch's items are its seq range, so the foreign keys carry no index of their own.
    workspace = models.ForeignKey(
        Workspace, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    seq = models.PositiveBigIntegerField()
    batch = models.ForeignKey(
        EvidenceBatch,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="items",
        db_index=False,
    )
    source = models.CharField(max_length=16, choices=Source.choices)
    source_ref = models.CharField(max_length=300, blank=True)
    kind = models.CharField(max_length=100)
    resource_key = models.CharField(max_length=500, blank=True)
    collected_at = models.DateTimeField()
    effective_from = models.DateField(null=True, blank=True)
    effective_to = models.DateField(null=True, blank=True)
    valid_until = models.DateTimeField(null=True, blank=True)
    content_hash = models.CharField(max_length=64)
    storage = models.CharField(max_length=4, choices=Storage.choices)
    size = models.PositiveBigIntegerField()
    media_type = models.CharField(max_length=100)
    filename = models.CharField(max_length=255, blank=True)
    control_refs = models.JSONField(default=list, blank=True)
    # Structured content (canonical JSON) is kept in the chain row itself: written in the same
    # insert, it can never be half-stored, and a second, randomly keyed table would double
    # the ingest cost. Files (storage=blob) live in the content-addressed blob store.
    content = models.BinaryField(null=True, blank=True, editable=False)
    prev_hash = models.CharField(max_length=64)
    chain_hash = models.CharField(max_length=64)
    recorded_at = models.DateTimeField()
    tombstoned_at = models.DateTimeField(null=True, blank=True)
    tombstoned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    tombstone_reason = models.TextField(blank=True)

    objects = EvidenceItemManager()

    class Meta:
        ordering = ["workspace", "-seq"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "seq"], name="evidence_chain_seq")
        ]
        indexes = [
            # The newest item of each resource (kind, key) is its current evidence: what checks
            # judge and what may be stale. This index finds it without reading the history (and
            # serves every lookup by workspace and kind).
            models.Index(
                fields=["workspace", "kind", "resource_key", "seq"], name="evidence_newest"
            )
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.kind} {self.resource_key or self.filename}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        raise AppendOnlyError("evidence items are written only by evidence.actions")

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("evidence items are never deleted; tombstone the content instead")

    @property
    def is_tombstoned(self) -> bool:
        return self.tombstoned_at is not None


class EvidenceSigningKey(models.Model):
    """A public Ed25519 key of this installation. Retired keys stay to verify old checkpoints."""

    key_id = models.CharField(max_length=32, unique=True)
    public_key = models.CharField(max_length=64, help_text="Raw public key, hex.")
    created_at = models.DateTimeField()
    retired_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"ed25519:{self.key_id}"


class EvidenceCheckpoint(models.Model):
    """A signature over a workspace's chain head, made when a batch is sealed."""

    workspace = models.ForeignKey(Workspace, on_delete=models.PROTECT, related_name="+")
    batch = models.OneToOneField(
        EvidenceBatch, null=True, blank=True, on_delete=models.PROTECT, related_name="checkpoint"
    )
    seq = models.PositiveBigIntegerField()
    head_hash = models.CharField(max_length=64)
    signed_at = models.DateTimeField()
    key_id = models.CharField(max_length=32)
    signature = models.CharField(max_length=128, help_text="Ed25519 signature, hex.")

    objects = WorkspaceScopedManager["EvidenceCheckpoint"]()

    class Meta:
        ordering = ["workspace", "seq", "pk"]

    def __str__(self) -> str:
        return f"checkpoint {self.workspace_id}@{self.seq}"


class EvidenceChainHead(models.Model):
    """The last seq and hash of a workspace's chain; its row lock serialises appends."""

    workspace = models.OneToOneField(
        Workspace, primary_key=True, on_delete=models.PROTECT, related_name="+"
    )
    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"chain head {self.workspace_id}@{self.seq}"
