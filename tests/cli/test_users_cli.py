"""`attestly users reset-mfa` and `unlock`: the way back in for a locked-out owner."""

from __future__ import annotations

import pyotp
import pytest
from django.test import Client
from typer.testing import CliRunner

from attestly.accounts.actions import do_confirm_totp, do_start_totp_enrolment
from attestly.accounts.models import TotpDevice, User
from attestly.accounts.throttle import MAX_FAILURES
from attestly.cli.main import app
from attestly.core.models import AuditEntry
from attestly.testing.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db


def test_reset_mfa_removes_the_authenticator_and_is_audited(alice: User) -> None:
    secret = do_start_totp_enrolment(actor=alice)
    do_confirm_totp(actor=alice, code=pyotp.TOTP(secret).now())
    result = CliRunner().invoke(app, ["users", "reset-mfa", "alice"])
    assert result.exit_code == 0, result.output
    assert not TotpDevice.objects.filter(user=alice).exists()
    assert AuditEntry.objects.filter(action="mfa.disable", actor_label="system").exists()
    missing = CliRunner().invoke(app, ["users", "reset-mfa", "nobody"])
    assert missing.exit_code == 2
    assert "no user" in missing.output


def test_unlock_lifts_the_throttling_lock(alice: User) -> None:
    client = Client()
    for _ in range(MAX_FAILURES):
        client.post("/login/", {"username": "alice", "password": "wrong"})
    assert (
        client.post("/login/", {"username": "alice", "password": TEST_PASSWORD}).status_code == 429
    )
    assert CliRunner().invoke(app, ["users", "unlock", "alice"]).exit_code == 0
    assert (
        client.post("/login/", {"username": "alice", "password": TEST_PASSWORD}).status_code == 302
    )
    assert AuditEntry.objects.filter(action="auth.unlock").exists()
