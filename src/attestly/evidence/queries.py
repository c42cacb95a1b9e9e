"""Scoped reads of the evidence ledger (every request-reachable queryset starts here)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from attestly.core import datacache
from attestly.core.models import Membership, Role, Workspace
from attestly.core.scoping import request_workspace_ids
from attestly.evidence.models import EvidenceItem

# What a workspace's evidence list shows depends on, for kept pages and API answers
# (attestly.core.datacache): its ledger, which uploads, imports and collection runs add to.
LIST_DEPENDS_ON: datacache.Depends = ("evidence", datacache.RUNS)

# Employees upload manual evidence for controls they own; viewers and auditors only read.
UPLOADERS = (Role.OWNER, Role.ADMIN, Role.EDITOR, Role.EMPLOYEE)


def list_items_for_request(request: Any) -> QuerySet[EvidenceItem]:
    """Items in the workspaces the request may see, newest first, content not loaded."""
    return (
        EvidenceItem.objects.filter(workspace__in=request_workspace_ids(request))
        .select_related("workspace")
        .defer("content")
        .order_by("-pk")
    )


def can_upload(user: Any, workspace_id: int) -> bool:
    if not user.is_authenticated:
        return False
    return Membership.objects.filter(
        user_id=user.pk, workspace_id=workspace_id, role__in=UPLOADERS
    ).exists()


def list_batch_items(workspace: Any, first_seq: int, last_seq: int) -> QuerySet[EvidenceItem]:
    """A batch's items, by their seq range (a BatchResult's first_seq..last_seq).

    Use this rather than filtering on `batch_id`: the batch foreign key carries no index (it
    would slow every ingest), while (workspace, seq) is the chain's unique index.
    """
    return EvidenceItem.objects.filter(
        workspace=workspace, seq__gte=first_seq, seq__lte=last_seq
    ).order_by("seq")


def stale_evidence(workspace: Workspace) -> QuerySet[EvidenceItem]:
    """Evidence past its `valid_until` (tombstoned items left out)."""
    return EvidenceItem.objects.in_workspace(workspace).filter(
        valid_until__lt=timezone.now(), tombstoned_at__isnull=True
    )
