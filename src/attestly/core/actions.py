"""Writes to workspaces and memberships. Each is one transaction with one audit entry."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction

from attestly.core import audit
from attestly.core.models import Membership, Role, Workspace

if TYPE_CHECKING:
    from attestly.accounts.models import User


def do_create_workspace(
    *, actor: User | None, slug: str, name: str, owner: User | None = None
) -> Workspace:
    """Create a workspace; `owner` (default: the actor) becomes its owner."""
    workspace = Workspace(slug=slug, name=name)
    workspace.full_clean()
    with transaction.atomic():
        workspace.save()
        audit.record(
            actor=actor,
            action="workspace.create",
            obj=workspace,
            workspace=workspace,
            after={"slug": slug, "name": name},
        )
        first_owner = owner or actor
        if first_owner is not None:
            _add_member(actor=actor, workspace=workspace, user=first_owner, role=Role.OWNER)
    return workspace


def do_rename_workspace(*, actor: User, workspace: Workspace, name: str) -> Workspace:
    if not name.strip():
        raise ValidationError({"name": "A workspace needs a name."})
    with transaction.atomic():
        before = {"name": workspace.name}
        workspace.name = name.strip()
        workspace.full_clean()
        workspace.save(update_fields=["name"])
        audit.record(
            actor=actor,
            action="workspace.rename",
            obj=workspace,
            workspace=workspace,
            before=before,
            after={"name": workspace.name},
        )
    return workspace


def do_set_membership(
    *, actor: User | None, workspace: Workspace, user: User, role: str
) -> Membership:
    """Add a member or change their role."""
    if role not in Role.values:
        raise ValidationError({"role": f"Unknown role {role!r}; choose one of {Role.values}."})
    with transaction.atomic():
        return _add_member(actor=actor, workspace=workspace, user=user, role=role)


def _add_member(*, actor: User | None, workspace: Workspace, user: User, role: str) -> Membership:
    existing = Membership.objects.filter(workspace=workspace, user=user).first()
    if existing is not None:
        if existing.role == role:
            return existing
        others = Membership.objects.filter(workspace=workspace, role=Role.OWNER).exclude(
            pk=existing.pk
        )
        if existing.role == Role.OWNER and not others.exists():
            raise ValidationError({"role": "A workspace keeps at least one owner."})
        before = {"role": existing.role}
        existing.role = role
        existing.save(update_fields=["role"])
        audit.record(
            actor=actor,
            action="membership.change_role",
            obj=existing,
            workspace=workspace,
            before=before,
            after={"role": role},
        )
        return existing
    membership = Membership.objects.create(workspace=workspace, user=user, role=role)
    audit.record(
        actor=actor,
        action="membership.add",
        obj=membership,
        workspace=workspace,
        after={"user": user.get_username(), "role": role},
    )
    return membership


def do_set_workspace_mfa(*, actor: User, workspace: Workspace, required: bool) -> Workspace:
    """Require (or stop requiring) multi-factor sign-in of the workspace's owners and admins."""
    with transaction.atomic():
        before = {"require_mfa": workspace.require_mfa}
        workspace.require_mfa = required
        workspace.save(update_fields=["require_mfa"])
        audit.record(
            actor=actor,
            action="workspace.set_mfa",
            obj=workspace,
            workspace=workspace,
            before=before,
            after={"require_mfa": required},
        )
    return workspace


def do_remove_membership(*, actor: User, membership: Membership) -> None:
    """Take a person out of a workspace; the last owner stays."""
    others = Membership.objects.filter(workspace=membership.workspace, role=Role.OWNER).exclude(
        pk=membership.pk
    )
    if membership.role == Role.OWNER and not others.exists():
        raise ValidationError({"role": "A workspace keeps at least one owner."})
    with transaction.atomic():
        audit.record(
            actor=actor,
            action="membership.remove",
            obj=membership,
            workspace=membership.workspace,
            before={"user": membership.user.get_username(), "role": membership.role},
        )
        membership.delete()
