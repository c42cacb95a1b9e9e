"""The audit log reads a workspace's entries newest first from the (workspace, id) index:
a page of them costs the same with ten entries or a million (it used to sort them all)."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client

from attestly.accounts.models import User
from attestly.controls.actions import do_update_control
from attestly.controls.models import Control
from attestly.core.models import AuditEntry, Workspace
from attestly.testing.factories import ControlFactory


def test_the_audit_page_lists_newest_first_in_chain_order(
    client: Client, alice: User, acme: Workspace
) -> None:
    control = ControlFactory(workspace=acme)
    for title in ("one", "two", "three"):
        do_update_control(actor=alice, control=Control.objects.get(pk=control.pk), title=title)
    seqs = list(
        AuditEntry.objects.filter(workspace=acme).order_by("-seq").values_list("seq", flat=True)
    )
    assert len(seqs) >= 3
    client.force_login(alice)
    html = client.get("/audit/").content.decode()
    assert [int(s) for s in re.findall(r"<tr><td>(\d+)</td>", html)] == seqs


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the plan is SQLite's")
def test_a_page_of_a_workspaces_entries_is_read_from_the_index(acme: Workspace) -> None:
    query = AuditEntry.objects.in_workspace(acme).order_by("-id")[:50]
    sql, params = query.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        plan = " ".join(str(row[-1]) for row in cursor.fetchall())
    assert "audit_workspace_newest" in plan and "TEMP B-TREE" not in plan, plan
