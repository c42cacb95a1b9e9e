"""Workspace settings and the audit log viewer."""

from __future__ import annotations

import pytest
from django.test import Client

from attestly.accounts.models import User
from attestly.core.actions import do_rename_workspace
from attestly.core.models import AuditEntry, Role, Workspace
from attestly.core.views import AUDIT_PAGE_SIZE
from attestly.testing.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_settings_change_name_and_mfa_requirement(alice: User, acme: Workspace) -> None:
    response = client_for(alice).post("/settings/", {"name": "Acme Inc", "require_mfa": "on"})
    assert response.status_code == 302
    acme.refresh_from_db()
    assert (acme.name, acme.require_mfa) == ("Acme Inc", True)
    assert AuditEntry.objects.filter(workspace=acme, action="workspace.set_mfa").exists()


def test_viewers_are_refused_settings_with_a_page_that_says_so(bob: User) -> None:
    response = client_for(bob).get("/settings/")
    assert response.status_code == 403
    assert b"Your role in this workspace does not allow this page" in response.content


def test_audit_log_filters_and_pages_with_htmx(alice: User, acme: Workspace) -> None:
    for n in range(AUDIT_PAGE_SIZE + 5):
        do_rename_workspace(actor=alice, workspace=acme, name=f"Acme {n}")
    client = client_for(alice)
    page = client.get("/audit/", {"action": "workspace.rename"}).content.decode()
    assert f"{AUDIT_PAGE_SIZE + 5} entries" in page
    assert "page=2" in page
    partial = client.get(
        "/audit/", {"action": "workspace.rename", "page": "2"}, HTTP_HX_REQUEST="true"
    )
    assert b"<html" not in partial.content
    assert partial.content.count(b"<code>workspace.rename</code>") == 5
    nobody = client.get("/audit/", {"actor": "nobody-at-all"}).content
    assert b"No entries match" in nobody


def test_audit_log_shows_only_the_current_workspace(
    alice: User, mallory: User, globex: Workspace
) -> None:
    do_rename_workspace(actor=mallory, workspace=globex, name="Globex secret rename")
    assert b"Globex secret rename" not in client_for(alice).get("/audit/").content


def test_auditors_read_the_audit_log(acme: Workspace) -> None:
    auditor = UserFactory(username="audrey")
    MembershipFactory(workspace=acme, user=auditor, role=Role.AUDITOR)
    assert client_for(auditor).get("/audit/").status_code == 200
