"""`attestly audit verify` passes on an intact log and fails, naming the entry, after an edit."""

from __future__ import annotations

import pytest
from django.db import connection
from typer.testing import CliRunner

from attestly.accounts.models import User
from attestly.cli.main import app
from attestly.core.actions import do_rename_workspace
from attestly.core.models import AuditEntry, Workspace

pytestmark = pytest.mark.django_db


def test_verify_passes_then_fails_after_hand_edit(alice: User) -> None:
    from attestly.core.actions import do_create_workspace

    workspace: Workspace = do_create_workspace(actor=alice, slug="hooli", name="Hooli")
    do_rename_workspace(actor=alice, workspace=workspace, name="Hooli XYZ")
    runner = CliRunner()
    ok = runner.invoke(app, ["audit", "verify"])
    assert ok.exit_code == 0, ok.output
    assert "chains intact" in ok.output

    entry = AuditEntry.objects.get(workspace=workspace, action="workspace.rename")
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE core_auditentry SET actor_label = 'someone else' WHERE id = %s", [entry.pk]
        )
    broken = runner.invoke(app, ["audit", "verify", "--workspace", "hooli"])
    assert broken.exit_code == 1
    assert f"entry #{entry.seq} (id {entry.pk})" in broken.output
    assert "content changed" in broken.output
