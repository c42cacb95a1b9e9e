"""The explorer in a real browser: sign in, then live search through HTMX."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from attestly.accounts.models import User
from attestly.controls.models import Control
from attestly.core.demo import do_seed_demo
from attestly.core.models import Workspace
from attestly.testing.factories import TEST_PASSWORD
from tests.conftest import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", TEST_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


def test_sign_in_and_search_the_soc2_criteria(page: Any, live_server: Any, alice: User) -> None:
    sign_in(page, live_server.url, "alice")
    page.get_by_role("link", name="Frameworks", exact=True).click()
    page.click("text=SOC 2 Trust Services Criteria")
    expect(page.locator("#criteria tbody tr")).to_have_count(61)
    page.fill("#q", "insurance")
    expect(page.locator("#criteria tbody tr")).to_have_count(1)
    assert "CC9.1" in page.inner_text("#criteria")
    assert "q=insurance" in page.url  # the search is in the address, so it can be shared
    page.select_option("#category", "availability")
    page.fill("#q", "")
    expect(page.locator("#criteria tbody tr")).to_have_count(3)


def test_wrong_password_is_refused_in_the_browser(page: Any, live_server: Any, alice: User) -> None:
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "alice")
    page.fill("#id_password", "not the password")
    page.click("button[type=submit]")
    assert page.locator("[role=alert]").inner_text().startswith("That user name and password")


def test_marking_a_demo_control_implemented_raises_its_heat_map_cell(
    page: Any, live_server: Any
) -> None:
    """Acceptance, in the browser: the inline status edit (HTMX, CSRF header from the layout)
    raises the readiness of the criterion the control maps to."""
    login = do_seed_demo()
    base = live_server.url
    page.goto(f"{base}/login/")
    page.fill("#id_username", login.username)
    page.fill("#id_password", login.password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")
    cell = "[id='cell-CC6.5']"
    page.goto(f"{base}/readiness/")
    before = int(page.get_attribute(cell, "data-score") or 0)
    page.goto(f"{base}/controls/?criterion=soc2:CC6.5&status=not_started")
    ref = page.locator("#controls tbody tr td code").first.inner_text()
    page.goto(f"{base}/controls/{ref}/")
    page.select_option("#e-status", "implemented")
    page.click("#control-edit button[type=submit]")
    expect(page.locator("#control-edit .status-implemented")).to_have_count(1)
    page.goto(f"{base}/readiness/")
    after = int(page.get_attribute(cell, "data-score") or 0)
    assert after > before


def test_adopt_a_library_control_and_set_its_owner(
    page: Any, live_server: Any, alice: User, bob: User, acme: Workspace
) -> None:
    """An owner adds a control from the library to the workspace, then gives it an owner and
    a status inline; the control list then shows both."""
    base = live_server.url
    sign_in(page, base, "alice")
    page.get_by_role("link", name="Control library", exact=True).click()
    page.wait_for_url(f"{base}/library/")
    page.goto(f"{base}/library/PRV-01/")  # one of 209, a few pages in: straight to it
    page.get_by_role("button", name="Add to Acme").click()
    page.wait_for_url(f"{base}/controls/PRV-01/")
    control = Control.objects.get(workspace=acme, ref="PRV-01")
    assert control.owner is None and control.status == "not_started"
    page.select_option("#e-owner", "bob")
    page.select_option("#e-status", "in_progress")
    page.click("#control-edit button[type=submit]")
    expect(page.locator("#control-edit [aria-live]")).to_contain_text("owner bob")
    control.refresh_from_db()
    assert (control.owner, control.status) == (bob, "in_progress")
    page.goto(f"{base}/controls/?owner=bob")
    row = page.locator("#controls tbody tr", has_text="PRV-01")
    expect(row).to_contain_text("bob")
    expect(row).to_contain_text("In progress")


@pytest.mark.parametrize("path", ["/", "/controls/", "/checks/", "/integrations/"])
def test_pages_fit_a_phone_screen(browser: Any, live_server: Any, path: str) -> None:
    """On a phone-sized screen the dashboard and the main lists scroll down, never sideways."""
    login = do_seed_demo()
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    phone = context.new_page()
    try:
        base = live_server.url
        phone.goto(f"{base}/login/")
        phone.fill("#id_username", login.username)
        phone.fill("#id_password", login.password)
        phone.click("button[type=submit]")
        phone.wait_for_url(f"{base}/")
        phone.goto(f"{base}{path}")
        overflow = phone.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        name = path.strip("/") or "dashboard"
        phone.screenshot(path=str(ARTIFACTS / f"phone-{name}.png"), full_page=True)
        assert overflow <= 1, f"{path} is {overflow}px wider than a 390px screen"
    finally:
        context.close()
