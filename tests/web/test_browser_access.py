"""Access control in a real browser: MFA sign-in, tokens, SSO, and a refused page."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pyotp
import pytest
from playwright.sync_api import expect

from attestly.accounts.actions import do_save_sso_config
from attestly.accounts.models import ApiToken, User
from attestly.core.models import Membership, Role, Workspace
from attestly.testing.factories import TEST_PASSWORD
from tests.accounts.oidc_server import OidcProvider, running_provider

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def oidc_for_browser(live_server: Any) -> Iterator[OidcProvider]:
    with running_provider([f"{live_server.url}/sso/callback/"]) as provider:
        yield provider


def password_sign_in(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.get_by_label("User name or email").fill(username)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_enrol_mfa_then_sign_in_with_a_code(page: Any, live_server: Any, alice: User) -> None:
    base = live_server.url
    password_sign_in(page, base, "alice")
    page.wait_for_url(f"{base}/")
    page.get_by_role("link", name="My sign-in").click()
    page.get_by_role("button", name="Set up multi-factor sign-in").click()
    expect(page.get_by_role("img", name="QR code for your authenticator app")).to_be_visible()
    secret = page.locator("#totp-secret").inner_text()
    page.get_by_label("Code shown by the app").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Turn on").click()
    expect(page.locator("#recovery-codes li")).to_have_count(10)
    page.get_by_role("button", name="Sign out").click()
    password_sign_in(page, base, "alice")
    page.wait_for_url(f"{base}/login/mfa/")
    page.get_by_label("Six-digit code").fill(pyotp.TOTP(secret).at(time.time() + 30))
    page.get_by_role("button", name="Verify").click()
    page.wait_for_url(f"{base}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Dashboard")


def test_create_and_revoke_a_token(page: Any, live_server: Any, alice: User) -> None:
    base = live_server.url
    password_sign_in(page, base, "alice")
    page.wait_for_url(f"{base}/")
    page.get_by_role("link", name="API tokens").click()
    page.get_by_label("Name").fill("deploy bot")
    page.get_by_label("Scope").select_option("write")
    page.get_by_role("button", name="Create token").click()
    expect(page.locator("#new-token")).to_contain_text("atk_")
    row = page.locator("#tokens tbody tr", has_text="deploy bot")
    expect(row).to_contain_text("active")
    row.get_by_role("button", name="Revoke deploy bot").click()
    expect(page.locator("#tokens tbody tr", has_text="deploy bot")).to_contain_text("revoked")
    expect(page.locator("#new-token")).to_have_count(0)
    assert ApiToken.objects.get(name="deploy bot").revoked_at is not None


def test_sign_in_through_sso(
    page: Any,
    live_server: Any,
    oidc_for_browser: OidcProvider,
    alice: User,
    acme: Workspace,
) -> None:
    do_save_sso_config(
        actor=alice,
        workspace=acme,
        issuer=oidc_for_browser.issuer,
        client_id=oidc_for_browser.client_id,
        client_secret=oidc_for_browser.client_secret,
        scopes="openid email profile groups",
        role_mapping={"attestly-admins": Role.ADMIN},
    )
    base = live_server.url
    page.goto(f"{base}/login/")
    page.get_by_role("link", name="Sign in to Acme with single sign-on").click()
    page.get_by_label("User").fill("carol")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/")
    expect(page.locator(".user .me")).to_have_text("carol")
    assert Membership.objects.get(workspace=acme, user__username="carol").role == Role.ADMIN


@pytest.mark.http_error_expected(403)
def test_a_viewer_is_refused_the_settings_page(page: Any, live_server: Any, bob: User) -> None:
    base = live_server.url
    password_sign_in(page, base, "bob")
    page.wait_for_url(f"{base}/")
    expect(page.get_by_role("link", name="Settings")).to_have_count(0)
    response = page.goto(f"{base}/settings/")
    assert response.status == 403
    expect(page.get_by_role("alert")).to_contain_text("does not allow this page")
