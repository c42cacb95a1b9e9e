"""Users and roles, API tokens and the SSO settings pages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from attestly.accounts.models import ApiToken, SsoConfig, User, hash_token
from attestly.core.models import AuditEntry, Membership, Role, Workspace
from attestly.testing.factories import MembershipFactory, UserFactory, make_token

pytestmark = pytest.mark.django_db


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_members_page_lists_people_and_roles(alice: User, bob: User) -> None:
    page = client_for(alice).get("/settings/members/").content.decode()
    assert "bob@example.com" in page
    assert 'id="role-' in page  # owners get the role selectors


def test_viewers_see_members_but_cannot_change_them(bob: User, alice: User) -> None:
    client = client_for(bob)
    page = client.get("/settings/members/").content.decode()
    assert 'id="role-' not in page
    membership = Membership.objects.get(user=alice)
    assert (
        client.post(f"/settings/members/{membership.pk}/role/", {"role": "viewer"}).status_code
        == 403
    )


def test_role_change_inline_with_htmx_is_audited(alice: User, bob: User, acme: Workspace) -> None:
    membership = Membership.objects.get(user=bob)
    response = client_for(alice).post(
        f"/settings/members/{membership.pk}/role/", {"role": "editor"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert b"<html" not in response.content
    assert b'value="editor" selected' in response.content
    entry = AuditEntry.objects.get(workspace=acme, action="membership.change_role")
    assert (entry.before, entry.after) == ({"role": "viewer"}, {"role": "editor"})


def test_the_last_owner_cannot_be_demoted(alice: User) -> None:
    membership = Membership.objects.get(user=alice)
    response = client_for(alice).post(
        f"/settings/members/{membership.pk}/role/", {"role": "viewer"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 400
    assert b"at least one owner" in response.content
    assert Membership.objects.get(user=alice).role == Role.OWNER


def test_another_workspaces_member_id_is_404(alice: User, mallory: User) -> None:
    theirs = Membership.objects.get(user=mallory)
    response = client_for(alice).post(f"/settings/members/{theirs.pk}/role/", {"role": "viewer"})
    assert response.status_code == 404
    assert Membership.objects.get(user=mallory).role == Role.OWNER


def test_add_a_person_and_script_in_names_is_escaped(alice: User, acme: Workspace) -> None:
    client = client_for(alice)
    response = client.post(
        "/settings/members/add/",
        {"username": "eve<script>", "email": "eve@example.com", "role": "auditor"},
    )
    assert response.status_code == 400  # user names allow letters, digits and @.+-_ only
    client.post(
        "/settings/members/add/", {"username": "eve", "email": "eve@example.com", "role": "auditor"}
    )
    assert Membership.objects.get(workspace=acme, user__username="eve").role == Role.AUDITOR
    client.post("/settings/", {"name": "<script>alert(1)</script>"})
    page = client.get("/settings/members/").content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_create_token_shows_it_once_and_stores_only_its_hash(alice: User, acme: Workspace) -> None:
    client = client_for(alice)
    page = client.post(
        "/settings/tokens/", {"name": "ci", "scope": "write", "expires_in_days": "30"}
    ).content.decode()
    key = page.split('id="new-token">', 1)[1].split("<", 1)[0]
    token = ApiToken.objects.get(name="ci")
    assert token.workspace == acme
    assert token.key_hash == hash_token(key)
    assert key not in client.get("/settings/tokens/").content.decode()
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/workspaces/").status_code == 200
    assert AuditEntry.objects.filter(workspace=acme, action="token.create").exists()


def test_revoked_token_is_refused_with_a_clear_message(alice: User, acme: Workspace) -> None:
    token, key = make_token(alice, workspace=acme)
    client = client_for(alice)
    assert client.post(f"/settings/tokens/{token.pk}/revoke/")["Location"] == "/settings/tokens/"
    assert AuditEntry.objects.filter(workspace=acme, action="token.revoke").exists()
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    response = api.get("/api/v1/workspaces/")
    assert response.status_code == 401
    assert response.json()["detail"] == "Token has been revoked."
    refused = AuditEntry.objects.get(workspace=acme, action="token.refused")
    assert refused.after["reason"] == "revoked"
    assert b"revoked" in client.get("/settings/tokens/").content


def test_expired_token_is_refused_and_shown_expired(alice: User, acme: Workspace) -> None:
    _token, key = make_token(
        alice, workspace=acme, expires_at=timezone.now() - dt.timedelta(minutes=1)
    )
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    response = api.get("/api/v1/workspaces/")
    assert response.status_code == 401
    assert response.json()["detail"] == "Token has expired."
    assert b">expired<" in client_for(alice).get("/settings/tokens/").content


def test_someone_elses_token_cannot_be_revoked(alice: User, bob: User, acme: Workspace) -> None:
    theirs, _key = make_token(alice, workspace=acme)
    assert client_for(bob).post(f"/settings/tokens/{theirs.pk}/revoke/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None


def test_auditors_get_read_only_tokens_only(acme: Workspace) -> None:
    auditor = UserFactory(username="audrey")
    MembershipFactory(workspace=acme, user=auditor, role=Role.AUDITOR)
    response = client_for(auditor).post(
        "/settings/tokens/", {"name": "x", "scope": "write", "expires_in_days": "7"}
    )
    assert response.status_code == 400
    assert b"only have read-only tokens" in response.content
    assert not ApiToken.objects.filter(user=auditor).exists()


def test_sso_settings_are_saved_encrypted_and_audited(alice: User, acme: Workspace) -> None:
    response = client_for(alice).post(
        "/settings/sso/",
        {
            "enabled": "on",
            "issuer": "https://idp.example.com",
            "client_id": "attestly",
            "client_secret": "s3cret-value",
            "scopes": "openid email profile",
            "groups_claim": "groups",
            "role_mapping": "admins = admin\nstaff = viewer",
            "default_role": "",
        },
    )
    assert response.status_code == 302
    config = SsoConfig.objects.get(workspace=acme)
    assert config.role_mapping == {"admins": "admin", "staff": "viewer"}
    assert "s3cret-value" not in config.client_secret_encrypted
    entry = AuditEntry.objects.get(workspace=acme, action="sso.configure")
    assert "s3cret-value" not in str(entry.after)
    assert entry.after["client_secret_changed"] is True


def test_sso_mapping_with_an_unknown_role_is_refused(alice: User) -> None:
    response = client_for(alice).post(
        "/settings/sso/",
        {
            "issuer": "https://idp.example.com",
            "client_id": "a",
            "scopes": "openid",
            "groups_claim": "groups",
            "role_mapping": "admins = god",
        },
    )
    assert response.status_code == 400
    assert b"Line 1" in response.content


def test_sso_api_for_owners(alice: User, acme: Workspace, api_client_for: object) -> None:
    client = api_client_for(alice)  # type: ignore[operator]
    created = client.post(
        "/api/v1/sso-configs/",
        {
            "workspace": "acme",
            "issuer": "https://idp.example.com",
            "client_id": "a",
            "client_secret": "zzz",
            "role_mapping": {"admins": "admin"},
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    assert created.json()["has_client_secret"] is True
    assert "client_secret" not in created.json()
    changed = client.patch("/api/v1/sso-configs/acme/", {"enforce": True}, format="json")
    assert changed.json()["enforce"] is True
    assert AuditEntry.objects.filter(workspace=acme, action="sso.configure").count() == 2


def test_sso_api_refuses_another_workspace(
    alice: User, mallory: User, api_client_for: object
) -> None:
    client = api_client_for(mallory)  # type: ignore[operator]
    response = client.post(
        "/api/v1/sso-configs/",
        {"workspace": "acme", "issuer": "https://idp.example.com", "client_id": "a"},
        format="json",
    )
    assert response.status_code == 404


def test_remove_a_member_is_audited_and_keeps_the_last_owner(
    alice: User, bob: User, acme: Workspace
) -> None:
    client = client_for(alice)
    client.post(f"/settings/members/{Membership.objects.get(user=bob).pk}/remove/")
    assert not Membership.objects.filter(user=bob).exists()
    entry = AuditEntry.objects.get(workspace=acme, action="membership.remove")
    assert entry.before == {"user": "bob", "role": "viewer"}
    own = Membership.objects.get(user=alice)
    page = client.post(f"/settings/members/{own.pk}/remove/", follow=True)
    assert b"at least one owner" in page.content
    assert Membership.objects.filter(user=alice).exists()
