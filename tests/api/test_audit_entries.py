"""The audit entries API: its hand-built representation is DRF's."""

from __future__ import annotations

import pytest
from rest_framework import serializers

from attestly.accounts.models import User
from attestly.controls.actions import do_update_control
from attestly.core.api.serializers import AuditEntrySerializer
from attestly.core.models import AuditEntry, Workspace
from attestly.testing.factories import ControlFactory

pytestmark = pytest.mark.django_db


def test_the_fast_entry_representation_is_drfs(alice: User, acme: Workspace) -> None:
    """Entries of a workspace and of the installation (no workspace), with before and after."""
    control = ControlFactory(workspace=acme)
    do_update_control(actor=alice, control=control, title="Renamed")
    entries = list(AuditEntry.objects.select_related("workspace").order_by("id"))
    assert any(e.workspace_id is None for e in entries)
    assert any(e.workspace_id == acme.pk and e.before for e in entries)
    for entry in entries:
        serializer = AuditEntrySerializer(entry)
        walked = serializers.ModelSerializer.to_representation(serializer, entry)
        assert serializer.to_representation(entry) == dict(walked)
