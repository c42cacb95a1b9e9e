"""The README's first steps, as a new user takes them, in headless Chromium: run the demo,
sign in with the login it prints, turn on multi-factor sign-in, and reach the failing
controls from the dashboard in at most three clicks."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import pyotp
import pytest
from playwright.sync_api import expect

from attestly.checks.queries import failing_control_refs
from attestly.controls.models import Control
from attestly.core.demo import do_seed_demo

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]
README = Path(__file__).resolve().parents[2] / "README.md"
MAX_CLICKS = 3


def test_the_readme_first_steps_reach_the_failing_controls_in_three_clicks(
    page: Any, live_server: Any
) -> None:
    steps = README.read_text()
    assert "## First steps" in steps  # the walk below is the one the README describes
    login = do_seed_demo()  # what `attestly demo` seeds and prints
    base = live_server.url

    # 1. Sign in with the printed login.
    page.goto(f"{base}/")
    page.wait_for_url(f"{base}/login/**")
    page.get_by_label("User name or email").fill(login.username)
    page.get_by_label("Password").fill(login.password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/")

    # 2. Turn on multi-factor sign-in: your name, top right, then set up.
    page.locator("header nav.user").get_by_role("link", name=login.username).click()
    page.get_by_role("button", name="Set up multi-factor sign-in").click()
    secret = page.locator("#totp-secret").inner_text()
    page.get_by_label("Code shown by the app").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Turn on").click()
    expect(page.locator("#recovery-codes li")).to_have_count(10)
    page.get_by_role("button", name="Sign out").click()

    # Signing in again now asks for a code.
    page.goto(f"{base}/login/")
    page.get_by_label("User name or email").fill(login.username)
    page.get_by_label("Password").fill(login.password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/login/mfa/")
    page.get_by_label("Six-digit code").fill(pyotp.TOTP(secret).at(time.time() + 30))
    page.get_by_role("button", name="Verify").click()
    page.wait_for_url(f"{base}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Dashboard")

    # 3. From the dashboard to the list of failing controls, counting clicks.
    failing = failing_control_refs(login.workspace)
    live = Control.objects.filter(workspace=login.workspace, retired_at__isnull=True)
    expected = sorted(live.filter(ref__in=failing).values_list("ref", flat=True))
    assert expected, "the demo has failing controls to find"
    clicks = 0
    link = page.get_by_role("link", name=re.compile(r"^\d+ failing controls?$"))
    assert link.inner_text() == str(len(expected))
    link.click()
    clicks += 1
    page.wait_for_url(f"{base}/controls/?checks=failing")
    assert clicks <= MAX_CLICKS
    expect(page.locator("#controls")).to_contain_text(f"{len(expected)} controls")
    shown = page.locator("#controls tbody tr td:first-child code").all_inner_texts()
    assert sorted(shown) == expected[:50]  # the first page of the list, all failing
