"""Sign-in: password, TOTP second step, recovery codes, throttling, and MFA enrolment."""

from __future__ import annotations

import time

import pyotp
import pytest
from django.test import Client

from attestly.accounts.actions import do_confirm_totp, do_start_totp_enrolment
from attestly.accounts.models import RecoveryCode, TotpDevice, User
from attestly.accounts.throttle import MAX_FAILURES
from attestly.core.actions import do_set_workspace_mfa
from attestly.core.models import AuditEntry, Workspace
from attestly.testing.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db


def enrol(user: User) -> tuple[str, list[str]]:
    secret = do_start_totp_enrolment(actor=user)
    codes = do_confirm_totp(actor=user, code=pyotp.TOTP(secret).now())
    return secret, codes


def next_code(secret: str) -> str:
    """The code of the next 30 s step: enrolment used up the current one."""
    return pyotp.TOTP(secret).at(time.time() + 30)


def password_step(client: Client, username: str = "alice", password: str = TEST_PASSWORD) -> str:
    response = client.post("/login/", {"username": username, "password": password})
    return str(response.get("Location", response.status_code))


def test_sign_in_is_audited_in_the_installation_chain(alice: User) -> None:
    client = Client()
    assert password_step(client) == "/"
    entry = AuditEntry.objects.get(action="auth.sign_in")
    assert entry.chain == "installation"
    assert entry.actor == alice
    assert entry.after["method"] == "password"


def test_sign_in_with_email_works(alice: User) -> None:
    assert password_step(Client(), "alice@example.com") == "/"


def test_failed_sign_in_is_audited(alice: User) -> None:
    Client().post("/login/", {"username": "alice", "password": "wrong"})
    entry = AuditEntry.objects.get(action="auth.sign_in_failed")
    assert entry.object_repr == "alice"
    assert entry.after["reason"] == "wrong user name or password"


def test_repeated_failures_lock_the_account_for_that_address(alice: User) -> None:
    client = Client()
    for _ in range(MAX_FAILURES - 1):
        assert client.post("/login/", {"username": "alice", "password": "x"}).status_code == 200
    locked = client.post("/login/", {"username": "alice", "password": "x"})
    assert locked.status_code == 429
    assert b"Too many failed sign-ins" in locked.content
    right_password = client.post("/login/", {"username": "alice", "password": TEST_PASSWORD})
    assert right_password.status_code == 429
    other_address = Client(REMOTE_ADDR="10.0.0.9")
    assert (
        other_address.post("/login/", {"username": "alice", "password": TEST_PASSWORD})["Location"]
        == "/"
    )


def test_mfa_sign_in_needs_the_current_code(alice: User) -> None:
    secret, _codes = enrol(alice)
    client = Client()
    assert password_step(client) == "/login/mfa/"
    assert client.get("/frameworks/").status_code == 302  # not signed in yet
    wrong = client.post("/login/mfa/", {"code": "000000"})
    assert b"That code is not right" in wrong.content
    assert AuditEntry.objects.filter(action="mfa.failed", actor=alice).count() == 1
    right = client.post("/login/mfa/", {"code": next_code(secret)})
    assert right["Location"] == "/"
    assert client.get("/frameworks/").status_code == 200
    assert AuditEntry.objects.get(action="auth.sign_in").after["method"] == "password+totp"


def test_a_totp_code_works_only_once(alice: User) -> None:
    secret, _codes = enrol(alice)
    # The enrolment consumed its step; the same code cannot sign in.
    used = pyotp.TOTP(secret).generate_otp(TotpDevice.objects.get(user=alice).last_step)
    client = Client()
    password_step(client)
    replay = client.post("/login/mfa/", {"code": used})
    assert replay.status_code == 200
    assert b"That code is not right" in replay.content


def test_wrong_codes_count_toward_the_lock(alice: User) -> None:
    enrol(alice)
    client = Client()
    password_step(client)
    for _ in range(MAX_FAILURES - 1):
        client.post("/login/mfa/", {"code": "123456"})
    locked = client.post("/login/mfa/", {"code": "123456"})
    assert locked.status_code == 429
    assert b"Too many failed sign-ins" in locked.content
    assert AuditEntry.objects.filter(action="mfa.failed").count() == MAX_FAILURES


def test_a_recovery_code_works_once(alice: User) -> None:
    _secret, codes = enrol(alice)
    assert len(codes) == 10
    assert RecoveryCode.objects.filter(user=alice).count() == 10
    assert not RecoveryCode.objects.filter(code_hash__contains=codes[0]).exists()
    first = Client()
    password_step(first)
    assert first.post("/login/mfa/", {"code": codes[0].upper()})["Location"] == "/"
    second = Client()
    password_step(second)
    assert second.post("/login/mfa/", {"code": codes[0]}).status_code == 200


def test_enrolment_page_shows_a_qr_code_then_recovery_codes(alice: User) -> None:
    client = Client()
    client.force_login(alice)
    page = client.post("/account/mfa/", {"step": "start"}).content.decode()
    assert "<svg" in page
    assert "<script" not in page.split("<main", 1)[1]
    secret = page.split('id="totp-secret">', 1)[1].split("<", 1)[0]
    wrong = client.post("/account/mfa/", {"step": "confirm", "code": "000000"})
    assert b"That code is not right" in wrong.content
    assert AuditEntry.objects.filter(action="mfa.enrol_failed").exists()
    done = client.post("/account/mfa/", {"step": "confirm", "code": pyotp.TOTP(secret).now()})
    assert done.content.decode().count("<li><code>") == 10
    assert AuditEntry.objects.filter(action="mfa.enrol", actor=alice).exists()
    assert b"Multi-factor sign-in is on" in client.get("/account/mfa/").content


def test_workspace_mfa_requirement_sends_owners_to_enrol_first(
    alice: User, bob: User, acme: Workspace
) -> None:
    do_set_workspace_mfa(actor=alice, workspace=acme, required=True)
    owner = Client()
    password_step(owner)
    assert owner.get("/frameworks/")["Location"] == "/account/mfa/"
    api = owner.get("/api/v1/workspaces/")
    assert api.status_code == 403
    assert "multi-factor" in api.json()["detail"]
    viewer = Client()
    password_step(viewer, "bob")
    assert viewer.get("/frameworks/").status_code == 200  # viewers are not required
    enrol(alice)
    assert owner.get("/frameworks/").status_code == 200


def test_logout_needs_post_and_ends_the_session(alice: User) -> None:
    client = Client()
    client.force_login(alice)
    assert client.get("/logout/").status_code == 405
    client.post("/logout/")
    assert client.get("/frameworks/").status_code == 302
