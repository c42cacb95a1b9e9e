"""Workspaces, memberships and the append-only, hash-chained audit log."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models

from attestly.core.scoping import WorkspaceScopedManager

slug_validator = RegexValidator(
    r"^[a-z0-9][a-z0-9-]{0,62}$",
    "Use 1 to 63 lowercase letters, digits and hyphens, starting with a letter or digit.",
)


class Role(models.TextChoices):
    """Roles a user holds in a workspace, from most to least powerful."""

    OWNER = "owner", "Owner"
    ADMIN = "admin", "Admin"
    EDITOR = "editor", "Editor"
    VIEWER = "viewer", "Viewer"
    AUDITOR = "auditor", "Auditor"
    EMPLOYEE = "employee", "Employee"


class Workspace(models.Model):
    """The organisation being audited. Every domain row belongs to one."""

    slug = models.CharField(max_length=63, unique=True, validators=[slug_validator])
    name = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)
    require_mfa = models.BooleanField(
        default=False, help_text="Owners and admins must use multi-factor sign-in."
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A user's role in one workspace."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=16, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = WorkspaceScopedManager["Membership"]()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "user"], name="one_membership_per_user")
        ]

    def __str__(self) -> str:
        return f"{self.user} is {self.role} of {self.workspace}"


class AppendOnlyError(Exception):
    """Raised when code tries to change or delete an append-only row."""


class AuditEntry(models.Model):
    """One write, recorded by the action that made it.

    Entries form a hash chain per workspace (`chain`): each entry's hash covers its own fields
    and the previous entry's hash, so an edit or deletion made by hand in the database breaks
    the chain at that entry and `attestly audit verify` names it.
    """

    chain = models.CharField(max_length=40, db_index=True)
    seq = models.PositiveBigIntegerField()
    workspace = models.ForeignKey(
        Workspace,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="audit_entries",
        db_index=False,  # the (workspace, id) index below serves the foreign key too
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=200)
    action = models.CharField(max_length=80, db_index=True)
    object_type = models.CharField(max_length=80)
    object_id = models.CharField(max_length=80)
    object_repr = models.CharField(max_length=300)
    before = models.JSONField(null=True)
    after = models.JSONField(null=True)
    created_at = models.DateTimeField()
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    objects = WorkspaceScopedManager["AuditEntry"]()

    class Meta:
        ordering = ["chain", "seq"]
        constraints = [models.UniqueConstraint(fields=["chain", "seq"], name="audit_chain_seq")]
        # A workspace's entries newest first, for the audit log page and API, read in order
        # from this index (a page of 50 used to sort every entry of the workspace).
        indexes = [models.Index(fields=["workspace", "id"], name="audit_workspace_newest")]
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_repr}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("audit entries are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("audit entries are append-only")


class AuditChainHead(models.Model):
    """The last sequence number and hash of each chain; its row lock serialises appends."""

    chain = models.CharField(max_length=40, primary_key=True)
    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64)
    # {domain: seq of the chain's newest entry about it}; the domain is the app label of the
    # entry's object type ("controls", "evidence", ...). Kept caches read it to tell which
    # parts of a workspace changed (attestly.core.datacache); it is not part of any hash.
    domains = models.JSONField(default=dict)

    def __str__(self) -> str:
        return f"{self.chain} at #{self.seq}"
