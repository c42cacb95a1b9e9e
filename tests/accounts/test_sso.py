"""Single sign-on against a real OpenID provider (node-oidc-provider) running locally."""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from typing import Any

import pytest
from django.test import Client

from attestly.accounts.actions import do_save_sso_config
from attestly.accounts.models import SsoConfig, User
from attestly.core.models import AuditEntry, Membership, Role, Workspace
from attestly.testing.factories import TEST_PASSWORD
from tests.accounts.oidc_server import OidcProvider

pytestmark = pytest.mark.django_db

MAPPING = {"attestly-admins": Role.ADMIN, "attestly-viewers": Role.VIEWER}


class _Stop(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # surface every redirect as an HTTPError we can read


def log_in_at_provider(authorize_url: str, login: str) -> str:
    """Walk the provider's pages as a browser would; return the callback URL it sends us to."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()), _Stop)
    url, data = authorize_url, None
    for _ in range(10):
        if url.startswith("http://testserver"):
            return url
        try:
            with opener.open(url, data=data, timeout=5) as response:
                page = response.read().decode()
            assert "<form" in page, page
            action = page.split('action="', 1)[1].split('"', 1)[0]
            url = urllib.parse.urljoin(url, action)
            data = urllib.parse.urlencode({"login": login}).encode()
        except urllib.error.HTTPError as redirect:
            assert redirect.code in (302, 303), redirect.read()
            url = urllib.parse.urljoin(url, redirect.headers["Location"])
            data = None
    raise AssertionError("the provider never redirected back")


def configure(acme: Workspace, alice: User, provider: OidcProvider, **overrides: Any) -> SsoConfig:
    fields: dict[str, Any] = {
        "issuer": provider.issuer,
        "client_id": provider.client_id,
        "scopes": "openid email profile groups",
        "role_mapping": MAPPING,
        **overrides,
    }
    secret = fields.pop("client_secret", provider.client_secret)
    return do_save_sso_config(actor=alice, workspace=acme, client_secret=secret, **fields)


def sso_sign_in(client: Client, login: str) -> Any:
    start = client.get("/sso/acme/start/")
    assert start.status_code == 302, start.content
    callback = log_in_at_provider(start["Location"], login)
    return client.get(callback.removeprefix("http://testserver"))


def test_sign_in_creates_the_user_with_the_role_of_their_group(
    oidc_provider: OidcProvider, acme: Workspace, alice: User
) -> None:
    configure(acme, alice, oidc_provider)
    client = Client()
    response = sso_sign_in(client, "carol")
    assert response.status_code == 302
    carol = User.objects.get(email="carol@example.com")
    assert Membership.objects.get(workspace=acme, user=carol).role == Role.ADMIN
    assert client.get("/settings/members/").status_code == 200
    sign_in = AuditEntry.objects.filter(action="auth.sign_in", actor=carol).get()
    assert sign_in.after["method"] == "sso"
    assert sign_in.workspace is None
    assert AuditEntry.objects.filter(workspace=acme, action="membership.add").exists()


def test_a_second_sign_in_follows_a_group_change(
    oidc_provider: OidcProvider, acme: Workspace, alice: User
) -> None:
    configure(acme, alice, oidc_provider)
    sso_sign_in(Client(), "dave")
    dave = User.objects.get(email="dave@example.com")
    assert Membership.objects.get(workspace=acme, user=dave).role == Role.VIEWER
    configure(acme, alice, oidc_provider, role_mapping={"attestly-viewers": Role.EDITOR})
    sso_sign_in(Client(), "dave")
    assert Membership.objects.get(workspace=acme, user=dave).role == Role.EDITOR
    assert AuditEntry.objects.filter(workspace=acme, action="membership.change_role").exists()


def test_a_person_with_no_mapped_group_is_refused(
    oidc_provider: OidcProvider, acme: Workspace, alice: User
) -> None:
    configure(acme, alice, oidc_provider)
    client = Client()
    response = sso_sign_in(client, "erin")
    assert response.status_code == 502
    assert b"none of your groups is mapped" in response.content
    assert "_auth_user_id" not in client.session
    assert AuditEntry.objects.filter(workspace=acme, action="auth.sso_failed").exists()


def test_a_wrong_client_secret_fails_safely_and_break_glass_still_works(
    oidc_provider: OidcProvider, acme: Workspace, alice: User
) -> None:
    configure(acme, alice, oidc_provider, client_secret="wrong", enforce=True)
    response = sso_sign_in(Client(), "carol")
    assert response.status_code == 502
    assert b"Single sign-on did not work" in response.content
    assert b"break-glass" in response.content
    client = Client()
    signed_in = client.post(
        "/login/?local=1", {"username": "alice", "password": TEST_PASSWORD, "local": "1"}
    )
    assert signed_in.status_code == 302
    assert client.get("/settings/sso/").status_code == 200
    assert AuditEntry.objects.filter(workspace=acme, action="auth.break_glass").count() == 1


def test_a_provider_that_is_down_fails_safely(acme: Workspace, alice: User) -> None:
    do_save_sso_config(
        actor=alice,
        workspace=acme,
        issuer="http://127.0.0.1:9/",
        client_id="x",
        role_mapping={},
    )
    response = Client().get("/sso/acme/start/")
    assert response.status_code == 502
    assert b"cannot be reached" in response.content
    assert b'id="id_password"' in response.content  # the local form is offered


def test_a_bad_issuer_url_fails_safely(
    oidc_provider: OidcProvider, acme: Workspace, alice: User
) -> None:
    configure(acme, alice, oidc_provider, issuer=oidc_provider.issuer + "/nowhere")
    response = Client().get("/sso/acme/start/")
    assert response.status_code == 502
    assert b"answered 404" in response.content


def test_a_tampered_state_is_refused(
    oidc_provider: OidcProvider, acme: Workspace, alice: User
) -> None:
    configure(acme, alice, oidc_provider)
    client = Client()
    start = client.get("/sso/acme/start/")
    callback = log_in_at_provider(start["Location"], "carol")
    forged = callback.replace("state=", "state=x")
    response = client.get(forged.removeprefix("http://testserver"))
    assert response.status_code == 400
    assert b"state does not match" in response.content
    assert not User.objects.filter(email="carol@example.com").exists()


def test_a_nonce_that_does_not_match_is_refused(
    oidc_provider: OidcProvider, acme: Workspace, alice: User
) -> None:
    configure(acme, alice, oidc_provider)
    client = Client()
    start = client.get("/sso/acme/start/")
    session = client.session
    session["attestly_sso"] = {**session["attestly_sso"], "nonce": "another"}
    session.save()
    callback = log_in_at_provider(start["Location"], "carol")
    response = client.get(callback.removeprefix("http://testserver"))
    assert response.status_code == 502
    assert b"nonce does not match" in response.content


def test_enforced_sso_refuses_local_password_of_non_owners(
    oidc_provider: OidcProvider, acme: Workspace, alice: User, bob: User
) -> None:
    configure(acme, alice, oidc_provider, enforce=True)
    page = Client().get("/login/").content
    assert b"with single sign-on" in page
    assert b'id="id_password"' not in page
    refused = Client().post("/login/?local=1", {"username": "bob", "password": TEST_PASSWORD})
    assert b"signs in through single sign-on" in refused.content
    # Even posted straight to /login/, an owner's local sign-in past enforced SSO is break-glass.
    owner = Client().post("/login/", {"username": "alice", "password": TEST_PASSWORD})
    assert owner.status_code == 302
    assert AuditEntry.objects.filter(workspace=acme, action="auth.break_glass").count() == 1
